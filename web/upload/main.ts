// Browser: the admins' upload page. An uploader key asks the API for a signed form, the
// file goes straight to Object Storage, then the page polls that upload's report (a
// presigned URL the same answer carries) and shows, in Russian, how many rows were
// accepted and each rejected row with its sheet, row, column and reason. Text enters the
// page only as text (../dom.ts).
import type { Issue, UploadReport } from '../../shared/domain/schemas.ts';
import { h } from '../dom.ts';
import './style.css';

type FormAnswer = {
  key: string;
  municipality: string | null;
  form: { url: string; fields: Record<string, string>; max_bytes: number; expires_at: string };
  report: { url: string; expires_at: string };
};

const KEY_STORE = 'sp-upload-key';
const POLL_MS = 1000;

/** Russian reasons by issue code; the report's own message is shown beside an unknown code. */
const REASONS: Record<string, string> = {
  'file.empty': 'файл пустой',
  'file.no_data_rows': 'в файле есть заголовок, но нет строк с данными',
  'file.unsupported_format': 'формат не поддерживается: нужен CSV или XLSX',
  'file.unsupported_encoding': 'кодировка не поддерживается: сохраните файл в UTF-8 или Windows-1251',
  'file.mojibake_headers': 'заголовки не читаются: файл сохранён в другой кодировке',
  'file.too_large': 'файл слишком большой',
  'file.too_many_rows': 'слишком много строк',
  'file.too_many_columns': 'слишком много столбцов',
  'file.record_too_long': 'слишком длинная строка',
  'file.zip_bomb': 'архив XLSX распаковывается в недопустимо большой объём',
  'file.xml_entity': 'XLSX содержит недопустимые XML-сущности',
  'file.corrupt_archive': 'файл XLSX повреждён',
  'file.unclosed_quote': 'незакрытая кавычка в CSV',
  'file.not_a_table': 'ни на одном листе нет столбцов школ или муниципалитетов',
  'file.missing_column': 'нет обязательного столбца',
  'file.duplicate_column': 'столбец повторяется',
  'file.no_period': 'не найден период: укажите его в столбце или в имени файла (ДД.ММ-ДД.ММ.ГГГГ)',
  'file.unknown_region': 'регион не определён или в файле несколько регионов',
  'file.unreadable_workbook': 'книга XLSX не читается',
  'row.bad_count': 'число записано неверно',
  'row.bad_yes_no': 'ожидалось «да» или «нет»',
  'row.bad_inn': 'неверный ИНН',
  'row.bad_kpp': 'неверный КПП',
  'row.unknown_municipality': 'муниципалитет не найден в справочнике',
  'row.missing_value': 'не заполнено обязательное поле',
  'row.bad_period': 'неверный период',
  'row.region_mismatch': 'строка другого региона',
  'row.outside_upload_scope': 'строка вне области вашего ключа загрузки (другой регион или муниципалитет)',
  'row.duplicate_conflict': 'строка повторяет другую с иными значениями',
  'row.wrong_column_count': 'в строке не то число столбцов',
};

const STATUS: Record<string, string> = {
  accepted: 'Файл принят',
  partial: 'Файл принят частично',
  rejected: 'Файл отклонён',
  superseded: 'Файл принят, но уже заменён более новой выгрузкой',
  skipped: 'Файл пропущен',
};

const region = document.querySelector<HTMLMetaElement>('meta[name="sp-region"]')?.content ?? '';
const root = document.getElementById('upload')!;

function render(): void {
  root.replaceChildren();
  const form = h('form');
  form.noValidate = true;
  const keyLabel = h('label', {}, 'Ключ загрузки');
  const key = h('input');
  key.type = 'password';
  key.name = 'key';
  key.autocomplete = 'off';
  key.value = sessionStorage.getItem(KEY_STORE) ?? '';
  keyLabel.append(key);
  const fileLabel = h('label', {}, 'Файл выгрузки (CSV или XLSX)');
  const file = h('input');
  file.type = 'file';
  file.name = 'file';
  file.accept = '.csv,.xlsx';
  fileLabel.append(file);
  const send = h('button', {}, 'Загрузить');
  send.type = 'submit';
  const status = h('p', { class: 'status' });
  status.setAttribute('role', 'status');
  const result = h('section', { class: 'result' });
  form.append(keyLabel, fileLabel, send);
  root.append(form, status, result);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const chosen = file.files?.[0];
    if (!key.value.trim()) return void (status.textContent = 'Введите ключ загрузки.');
    if (!chosen) return void (status.textContent = 'Выберите файл.');
    sessionStorage.setItem(KEY_STORE, key.value.trim());
    send.disabled = true;
    result.replaceChildren();
    upload(key.value.trim(), chosen, status, result).finally(() => (send.disabled = false));
  });
}

async function upload(apiKey: string, file: File, status: HTMLElement, result: HTMLElement): Promise<void> {
  status.textContent = 'Получаем разрешение на загрузку…';
  const ask = await fetch(`v1/regions/${encodeURIComponent(region)}/uploads`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ file_name: file.name }),
    credentials: 'omit',
    cache: 'no-store',
  }).catch(() => null);
  if (!ask) return void (status.textContent = 'Сервер недоступен. Попробуйте позже.');
  if (ask.status === 401) return void (status.textContent = 'Ключ не подошёл: проверьте его.');
  if (ask.status === 403) return void (status.textContent = 'Этим ключом нельзя загружать файлы в этот регион.');
  if (ask.status === 400) return void (status.textContent = 'Нужен файл CSV или XLSX.');
  if (!ask.ok) return void (status.textContent = `Загрузка сейчас недоступна (код ${ask.status}).`);
  const answer = (await ask.json()) as FormAnswer;
  if (file.size > answer.form.max_bytes) {
    return void (status.textContent = `Файл больше допустимых ${mb(answer.form.max_bytes)} МБ: разделите выгрузку или сохраните её в CSV.`);
  }

  status.textContent = `Отправляем файл «${file.name}»…`;
  const body = new FormData();
  for (const [k, v] of Object.entries(answer.form.fields)) body.append(k, v);
  body.append('file', file);
  const put = await fetch(answer.form.url, { method: 'POST', body, credentials: 'omit' }).catch(() => null);
  if (!put) return void (status.textContent = 'Хранилище недоступно. Попробуйте позже.');
  if (!put.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(await put.text())?.[1] ?? String(put.status);
    const why = code === 'EntityTooLarge' ? `файл больше ${mb(answer.form.max_bytes)} МБ` : code === 'AccessDenied' ? 'разрешение на загрузку истекло, начните заново' : `ошибка ${code}`;
    return void (status.textContent = `Хранилище не приняло файл: ${why}.`);
  }

  status.textContent = 'Файл загружен. Проверяем строки…';
  const deadline = Date.parse(answer.report.expires_at);
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const got = await fetch(answer.report.url, { credentials: 'omit', cache: 'no-store' }).catch(() => null);
    if (got?.ok) {
      showReport((await got.json()) as UploadReport, status, result);
      return;
    }
    if (Date.now() > deadline) {
      status.textContent = 'Файл загружен, но проверка ещё не закончилась. Отчёт появится в панели загрузок позже.';
      return;
    }
  }
}

const mb = (bytes: number) => String(Math.floor(bytes / (1024 * 1024)));

function showReport(r: UploadReport, status: HTMLElement, result: HTMLElement): void {
  status.textContent = STATUS[r.status] ?? r.status;
  result.dataset['status'] = r.status;
  const counts = h('p', { class: 'counts' }, `Принято строк: ${r.rows.accepted}. Отклонено строк: ${r.rows.rejected}.`);
  result.append(counts);
  if (r.file_error) result.append(h('p', { class: 'file-error' }, `Причина: ${reason(r.file_error)}`));
  const rows = r.errors.filter((e) => e.row !== null);
  if (rows.length) {
    const table = h('table', { class: 'rejected' });
    const caption = h('caption', {}, 'Отклонённые строки');
    const head = h('tr');
    for (const title of ['Лист', 'Строка', 'Столбец', 'Значение', 'Причина']) head.append(h('th', {}, title));
    table.append(caption, h('thead'), h('tbody'));
    table.tHead!.append(head);
    for (const e of rows) {
      const tr = h('tr');
      for (const cell of [e.sheet ?? '—', String(e.row), e.column ?? '—', e.value ?? '—', reason(e)]) tr.append(h('td', {}, cell));
      table.tBodies[0]!.append(tr);
    }
    result.append(table);
  }
  if (r.warnings.length) result.append(h('p', { class: 'warnings' }, `Предупреждений: ${r.warnings.length} (строки приняты).`));
}

function reason(i: Issue): string {
  const ru = REASONS[i.code];
  return ru ? ru : i.message;
}

render();
