// Browser: the admins' upload page. An uploader key asks the API for a signed form, the
// file goes straight to Object Storage, then the page polls that upload's report (a
// presigned URL the same answer carries) and shows, in Russian, how many rows were
// accepted and each rejected row with its sheet, row, column and reason. Text enters the
// page only as text (../dom.ts).
import { issueText, missingColumns } from '../../shared/domain/issue-text.ts';
import type { Issue, UploadReport } from '../../shared/domain/schemas.ts';
import { append, h } from '../dom.ts';
import './style.css';

type FormAnswer = {
  key: string;
  municipality: string | null;
  municipality_name: string | null;
  region_name: string;
  form: { url: string; fields: Record<string, string>; max_bytes: number; expires_at: string };
  report: { url: string; expires_at: string };
};

const KEY_STORE = 'sp-upload-key';
const POLL_MS = 1000;

const STATUS: Record<string, string> = {
  accepted: 'Файл принят',
  partial: 'Файл принят частично',
  rejected: 'Файл отклонён',
  superseded: 'Файл принят, но уже заменён более новой выгрузкой',
  skipped: 'Файл пропущен',
  replaced: 'Файл принят, но его данные уже заменены более новой выгрузкой',
  duplicate: 'Этот файл уже загружен: данные не изменились',
};

const TABLE_RU: Record<string, string> = { schools: 'школы (ОО)', municipalities: 'МОУО' };
const PERIOD_SOURCE_RU: Record<string, string> = {
  column: 'из столбца «Период»',
  title: 'из строки над заголовком',
  file_name: 'из имени файла',
  object_key: 'из пути загрузки',
  metadata: 'из свойств файла',
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
  const enc = encodeURIComponent(region);
  const templates = h(
    'p',
    { class: 'templates' },
    'Шаблон выгрузки с нужными столбцами и строкой-примером: ',
    h('a', { href: `v1/regions/${enc}/template.xlsx`, download: `sferum-template-${region}.xlsx` }, 'XLSX (листы «ОО» и «МОУО»)'),
    ', ',
    h('a', { href: `v1/regions/${enc}/template.csv`, download: `sferum-template-${region}.csv` }, 'CSV (школы)'),
    '.',
  );
  const help = h(
    'p',
    { class: 'muted help' },
    'Ключ загрузки выдаёт администратор системы; ключ панели для чтения сюда не подходит. На своём компьютере ключ загрузки печатает команда ',
    h('code', {}, 'npx sferum-pulse start'),
    '.',
  );
  root.append(templates, form, help, status, result);
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
  if (ask.status === 403) return void (status.textContent = await forbidden(ask));
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
      showReport((await got.json()) as UploadReport, answer, status, result);
      return;
    }
    if (Date.now() > deadline) {
      status.textContent = 'Файл загружен, но проверка ещё не закончилась. Отчёт появится в панели загрузок позже.';
      return;
    }
  }
}

const mb = (bytes: number) => String(Math.floor(bytes / (1024 * 1024)));

/**
 * Why a key may not upload, in the admin's words: a key of the wrong kind (a reader's or the
 * dashboard's) is not a region problem, and saying "this region" sent people looking there.
 */
async function forbidden(res: Response): Promise<string> {
  const message = await res
    .json()
    .then((b: { error?: { message?: string } }) => b.error?.message ?? '')
    .catch(() => '');
  const role = /^a "(\w+)" key may not/.exec(message)?.[1];
  if (role) {
    const kind = role === 'reader' ? 'ключ для чтения данных (API)' : role === 'dashboard' ? 'ключ панели' : `ключ роли «${role}»`;
    return `Это ${kind}, а не ключ загрузки: им нельзя загружать файлы. Нужен ключ загрузки вашего МОУО или региона — его выдаёт администратор системы.`;
  }
  const other = /may upload to region (\S+) only/.exec(message)?.[1];
  if (other) return `Этот ключ загрузки выдан для региона ${other}, а эта страница — для региона ${region}.`;
  return 'Этим ключом нельзя загружать файлы сюда: попросите ключ загрузки у администратора системы.';
}

const dash = (s: string | null | undefined) => (s === null || s === undefined || s === '' ? '—' : s);
const dmy = (iso: string) => iso.split('-').reverse().join('.');

function issuesTable(cls: string, caption: string, list: readonly Issue[], keyMunicipality: string | null): HTMLTableElement {
  return h(
    'table',
    { class: cls },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...['Лист', 'Строка', 'Столбец', 'Значение', 'Что не так'].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...list.map((e) => h('tr', { 'data-code': e.code }, ...[dash(e.sheet), e.row === null ? '—' : String(e.row), dash(e.column), dash(e.value), issueText(e, { keyMunicipality })].map((c) => h('td', {}, c))))),
  );
}

/** `1 строка`, `3 строки`, `610 строк`. */
function rowsWord(n: number): string {
  const d = n % 10;
  const dd = n % 100;
  return `${n} ${d === 1 && dd !== 11 ? 'строка' : d >= 2 && d <= 4 && (dd < 12 || dd > 14) ? 'строки' : 'строк'}`;
}

/**
 * Issues of one kind (rejected rows, or warnings): first what they come to — one line per
 * reason with how many rows have it and one example — then every row in a table that opens
 * on demand when it is long (610 identical sentences buried the one thing to fix).
 */
function issueBlock(cls: string, caption: string, list: readonly Issue[], keyMunicipality: string | null): HTMLElement[] {
  const byCode = new Map<string, Issue[]>();
  for (const i of list) byCode.set(i.code, [...(byCode.get(i.code) ?? []), i]);
  const summary = h(
    'ul',
    { class: `summary summary-${cls}` },
    ...[...byCode.values()].map((same) => h('li', { 'data-code': same[0]!.code }, h('b', {}, rowsWord(same.length)), same.length > 1 ? `, например строка ${same[0]!.row ?? '—'}: ` : ': ', issueText(same[0]!, { keyMunicipality }))),
  );
  const table = issuesTable(cls, caption, list, keyMunicipality);
  if (list.length <= 20) return [summary, table];
  return [summary, h('details', { class: `all-${cls}` }, h('summary', {}, `${caption}: показать все (${list.length})`), table)];
}

function showReport(r: UploadReport, answer: FormAnswer, status: HTMLElement, result: HTMLElement): void {
  const keyMunicipality = answer.municipality_name;
  status.textContent = STATUS[r.status] ?? r.status;
  result.dataset['status'] = r.status;
  result.replaceChildren();
  if (r.file_error) {
    append(result, h('p', { class: 'counts' }, 'Ни одна строка не загружена: файл отклонён целиком.'));
    const cols = missingColumns(r.file_error);
    if (cols) {
      // which columns are missing, set beside the headers the file has, and where to start from
      append(
        result,
        h('p', { class: 'file-error' }, `Причина: ${cols.missing.length > 1 ? 'в файле нет обязательных столбцов' : 'в файле нет обязательного столбца'}${r.file_error.sheet ? ` (лист «${r.file_error.sheet}»)` : ''}:`),
        h('ul', { class: 'missing' }, ...cols.missing.map((m) => h('li', {}, `«${m}»`))),
        h('p', {}, `Заголовки в файле${r.file_error.row ? ` (строка ${r.file_error.row})` : ''}:`),
        h('ul', { class: 'found' }, ...cols.found.map((f) => h('li', {}, `«${f}»`))),
        h('p', { class: 'fix' }, 'Назовите столбцы как в шаблоне выгрузки (ссылка вверху страницы) или перенесите данные в шаблон и загрузите его.'),
      );
    } else append(result, h('p', { class: 'file-error' }, `Причина: ${issueText(r.file_error, { keyMunicipality })}`));
  } else append(result, h('p', { class: 'counts' }, `Принято строк: ${r.rows.accepted}. Отклонено строк: ${r.rows.rejected}.`));

  // what the file was read as: the week and the municipality, with a link to that week on the panel
  const who = keyMunicipality ?? answer.region_name;
  for (const p of r.periods) {
    const key = `${p.start}..${p.end}`;
    const q = new URLSearchParams({ period: key, ...(answer.municipality ? { scope: answer.municipality } : {}) });
    append(
      result,
      h(
        'p',
        { class: 'confirmed', 'data-period': key },
        `Неделя ${dmy(p.start)}–${dmy(p.end)} · ${who}. `,
        h('a', { href: `./?${q.toString()}` }, 'Открыть эту неделю на панели →'),
      ),
    );
  }
  for (const t of r.tables) {
    append(
      result,
      h(
        'p',
        { class: 'table-read muted' },
        `${t.sheet ? `Лист «${t.sheet}»: ` : ''}таблица «${TABLE_RU[t.kind] ?? t.kind}», заголовок в строке ${t.header_row ?? 1}${t.period_source ? `, неделя ${PERIOD_SOURCE_RU[t.period_source] ?? t.period_source}` : ''}; строк принято ${t.rows.accepted}, отклонено ${t.rows.rejected}.`,
      ),
    );
  }

  // a replacement that shrank a municipality's schools, first and loud (issue 20)
  for (const w of r.warnings.filter((x) => x.code === 'warn.shrinking_replacement' || x.code === 'warn.duplicate_upload')) {
    append(result, h('p', { class: 'prominent-warning', role: 'alert' }, `⚠ ${issueText(w, { keyMunicipality })}`));
  }
  if (r.replacements.length) {
    append(
      result,
      h(
        'table',
        { class: 'replacements' },
        h('caption', {}, 'Файл заменил данные прежних загрузок'),
        h('thead', {}, h('tr', {}, ...['Неделя', 'Таблица', 'Школ: было → стало', 'Педагогов', 'Обучающихся'].map((t) => h('th', {}, t)))),
        h(
          'tbody',
          {},
          ...r.replacements.map((x) =>
            h(
              'tr',
              {},
              ...[
                `${dmy(x.period.start)}–${dmy(x.period.end)}`,
                TABLE_RU[x.kind] ?? x.kind,
                `${x.before.schools} → ${x.after.schools}`,
                `${x.before.teachers ?? '—'} → ${x.after.teachers ?? '—'}`,
                `${x.before.students ?? '—'} → ${x.after.students ?? '—'}`,
              ].map((c) => h('td', {}, c)),
            ),
          ),
        ),
      ),
    );
  }

  const rows = r.errors.filter((e) => e.row !== null && e !== r.file_error && e.code !== r.file_error?.code);
  if (rows.length) append(result, ...issueBlock('rejected', 'Отклонённые строки', rows, keyMunicipality));
  const warnings = r.warnings.filter((w) => w.code !== 'warn.shrinking_replacement' && w.code !== 'warn.duplicate_upload');
  if (warnings.length) append(result, ...issueBlock('warnings', `Предупреждения: ${warnings.length} (строки приняты)`, warnings, keyMunicipality));
  if ((r.issues_omitted ?? 0) > 0) append(result, h('p', { class: 'muted omitted' }, `Ещё ${r.issues_omitted} замечаний не показаны: исправьте перечисленные и загрузите файл снова.`));
}

render();
