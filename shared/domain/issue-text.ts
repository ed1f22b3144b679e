// Pure: what an issue of an upload report says to a person, in Russian. The report's JSON
// keeps the stable code and an English message for programs; everywhere a person reads a
// reason — the upload page, the dashboard's uploads, the CLI's text output — it comes from
// here, so the admin reads one wording in every place. Import-free but for the alias data
// (the browser bundles read this module): fields are named by the contract's own header
// (the first alias of each field, the column name of the seed's export), never by our ids.
import aliases from './data/header-aliases.json' with { type: 'json' };

/** The issue fields this module reads (an `Issue` of schemas.ts fits). */
export type IssueLike = {
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly sheet: string | null;
  readonly row: number | null;
  readonly column: string | null;
  readonly value: string | null;
};

export type IssueTextContext = {
  /** the municipality the upload key is limited to, by name (the upload page knows it from its form) */
  readonly keyMunicipality?: string | null;
};

const FIRST_ALIAS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries((aliases as { fields: Record<string, string[]> }).fields).map(([field, list]) => [field, list[0] ?? field]));

/** A field of the contract by the header the contract (and the seed's export) gives it: `teachers_total` → «Педагогов всего». */
export function fieldHeader(field: string): string {
  return FIRST_ALIAS[field.trim()] ?? field.trim();
}

const q = (s: string) => `«${s}»`;
const col = (i: IssueLike) => (i.column ? ` в столбце ${q(i.column)}` : '');
const val = (i: IssueLike) => (i.value !== null && i.value !== '' ? q(i.value) : 'пусто');
const isXlsxName = (file: string) => /\.xlsx$/i.test(file);

type Phrase = (i: IssueLike, ctx: IssueTextContext) => string;

/**
 * The report's own message when it is already Russian (it names the cell, which a phrase
 * rebuilt from the fields cannot), with any field id in it («прочитан как teachers_total»)
 * replaced by the contract's header; otherwise the phrase given.
 */
function withHeaders(i: IssueLike, otherwise: string): string {
  if (!/[а-яё]/i.test(i.message)) return otherwise;
  return i.message.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, (id) => (FIRST_ALIAS[id] ? q(FIRST_ALIAS[id]!) : id));
}

/** One phrase per stable code; a code not listed here falls back to the report's own message. */
const PHRASES: Readonly<Record<string, Phrase>> = {
  // the whole file
  'file.empty': () => 'файл пустой',
  'file.no_data_rows': () => 'в файле есть заголовок, но нет ни одной строки с данными',
  // a file named .xlsx that is not a ZIP at all is a damaged workbook to the person who saved it
  'file.unsupported_format': (i) =>
    isXlsxName(i.file) ? 'файл повреждён: это не читаемая книга XLSX; сохраните выгрузку заново (Файл → Сохранить как → Книга Excel)' : 'формат не поддерживается: нужен файл CSV или XLSX (старый .xls сохраните как .xlsx)',
  'file.unsupported_encoding': () => 'кодировка не поддерживается: сохраните файл в UTF-8 или Windows-1251',
  'file.mojibake_headers': () => 'заголовки не читаются: файл был сохранён в другой кодировке; выгрузите его заново в UTF-8 или Windows-1251',
  'file.too_large': () => 'файл слишком большой: разделите выгрузку или сохраните её в CSV',
  'file.too_many_rows': () => 'в файле слишком много строк',
  'file.too_many_columns': () => 'в файле слишком много столбцов',
  'file.record_too_long': () => 'в файле слишком длинная строка',
  'file.zip_bomb': () => 'файл повреждён или подозрителен: книга XLSX распаковывается в недопустимо большой объём',
  'file.xml_entity': () => 'файл XLSX содержит недопустимые XML-сущности',
  'file.corrupt_archive': () => 'файл повреждён: книгу XLSX не удаётся открыть; сохраните выгрузку заново',
  'file.unreadable_workbook': (i) => `файл повреждён: книгу XLSX не удаётся прочитать${i.sheet ? ` (лист ${q(i.sheet)})` : ''}; сохраните выгрузку заново`,
  'file.unclosed_quote': () => 'в CSV не закрыта кавычка',
  'file.not_a_table': (i) =>
    `${i.sheet ? `на листе ${q(i.sheet)}` : 'в файле'} нет столбцов таблицы школ или МОУО: ожидаются, например, ${['municipality', 'school_name', 'school_inn', 'in_sferum'].map((f) => q(fieldHeader(f))).join(', ')}`,
  'file.missing_column': (i) => {
    const missing = (i.column ?? '').split(',').filter((s) => s.trim() !== '').map((f) => q(fieldHeader(f)));
    const found = i.value ? ` В файле найдены заголовки: ${i.value.split(/\s*;\s*/).filter(Boolean).map(q).join(', ')}.` : '';
    return `${missing.length > 1 ? 'нет обязательных столбцов' : 'нет обязательного столбца'} ${missing.join(', ')}.${found}`;
  },
  'file.duplicate_column': (i) => `два столбца означают одно и то же${i.column ? ` (${q(fieldHeader(i.column))})` : ''}: оставьте один`,
  'file.no_period': () => 'не найден период: добавьте столбец «Период» или укажите неделю в имени файла (ДД.ММ-ДД.ММ.ГГГГ)',
  'file.unknown_region': () => 'регион не определён или в файле строки нескольких регионов',
  'file.ingest_failed': () => 'файл не удалось обработать из-за ошибки на нашей стороне; сообщите администратору системы',
  // one row
  'row.bad_count': (i) => `число записано неверно${col(i)}: ${val(i)}; нужно целое неотрицательное число`,
  'row.bad_yes_no': (i) => `ожидалось «да» или «нет»${col(i)}, а записано ${val(i)}`,
  'row.bad_inn': (i) => `неверный ИНН ${val(i)}: нужно 10 цифр с верной контрольной цифрой`,
  'row.bad_kpp': (i) => `неверный КПП ${val(i)}: нужно 9 знаков`,
  'row.unknown_municipality': (i) => `муниципалитет ${val(i)} не найден в справочнике региона`,
  'row.missing_value': (i) => `не заполнено обязательное поле${col(i)}`,
  'row.bad_period': (i) => `неверный период ${val(i)}: нужен вид ДД.ММ-ДД.ММ.ГГГГ, не длиннее 31 дня`,
  'row.region_mismatch': (i) => `строка другого региона: ${val(i)}`,
  'row.outside_upload_scope': (i, ctx) =>
    ctx.keyMunicipality
      ? `строка муниципалитета ${val(i)}, а ваш ключ загрузки — только для ${q(ctx.keyMunicipality)}: такие строки загружает их МОУО`
      : `строка ${val(i)} вне области вашего ключа загрузки (другой регион или муниципалитет)`,
  'row.duplicate_conflict': (i) => `школа повторяется с другими значениями${i.value ? ` (ИНН ${i.value})` : ''}: оставьте одну строку`,
  'row.wrong_column_count': () => 'в строке не то число столбцов, что в заголовке',
  'row.record_too_long': () => 'строка слишком длинная и пропущена',
  'row.too_many_columns': () => 'в строке слишком много столбцов',
  'row.nul_byte': () => 'в строке недопустимый символ (NUL)',
  'row.unclosed_quote': () => 'в строке не закрыта кавычка',
  'row.implausible_count': (i) => `число ${val(i)}${col(i)} неправдоподобно велико для одной школы: проверьте ячейку`,
  'row.unreadable_cell': (i) => `ячейка${col(i)} не читается (ошибка формулы или формула без значения): ${val(i)}`,
  // warnings: the rows were kept
  'warn.unknown_column': (i) => `столбец ${q(i.column ?? i.value ?? '')} не из формата выгрузки: он пропущен`,
  'warn.inn_outside_region': (i) => `ИНН ${val(i)} выдан не в этом регионе`,
  'warn.duplicate_identical': (i) => `школа${i.value ? ` с ИНН ${i.value}` : ''} повторяется с теми же значениями: учтена один раз`,
  'warn.possible_branch': (i) => `ИНН ${val(i)} встречается с другим названием школы: учтена как филиал`,
  'warn.totals_mismatch': (i) => `строка «Итого»${col(i)} (${val(i)}) не сходится с суммой строк`,
  'warn.totals_row_skipped': () => 'строка «Итого» пропущена и сверена с суммой строк',
  'warn.teachers_in_sferum_above_total': (i) => `педагогов в Сфере (${i.value ?? '?'}) больше, чем педагогов всего`,
  'warn.count_above_total': (i) => `число ${val(i)}${col(i)} больше общего числа, в которое оно входит: проверьте строку`,
  'warn.missing_counts': (i) => `не заполнены числа${col(i)}: школа не входит в эту долю`,
  'warn.future_period': (i) => `период ${val(i)} начинается позже, чем через неделю после загрузки`,
  // the readers' own Russian sentences name the cell (h21); field ids in them become the contract's headers
  'warn.header_homoglyph': (i) => withHeaders(i, `заголовок ${q(i.column ?? '')} содержит латинские буквы, похожие на русские; проверьте, тот ли это столбец`),
  'warn.header_combined': (i) => withHeaders(i, `заголовок ${q(i.column ?? '')} распознан только вместе с заголовком группы над ним; проверьте, тот ли это столбец`),
  'warn.unread_column_data': (i) => withHeaders(i, 'столбец без заголовка содержит данные и не прочитан: дайте ему заголовок из шаблона'),
  'warn.period_guessed': (i) => withHeaders(i, `в таблице нет столбца «Период»: неделя ${i.value ?? ''} взята не из столбца; проверьте, та ли это неделя`),
  'row.period_single_date': (i) => withHeaders(i, `одна дата ${val(i)} — не период: укажите неделю целиком (06.03-10.03.2023) или столбцы «с» и «по»`),
  'row.sheet_unreadable': (i) => withHeaders(i, `лист${i.sheet ? ` ${q(i.sheet)}` : ''} прочитан не до конца; другие листы прочитаны`),
  // a repeated file: the report's own sentence carries the date of the upload in force
  'warn.duplicate_upload': (i) => (/^этот файл уже загружен/.test(i.message) ? i.message : 'этот файл уже загружен; данные не изменились'),
  'warn.shrinking_replacement': (i) => `файл заменил данные прежней загрузки, и школ стало намного меньше${i.value ? ` (${i.value})` : ''}: проверьте, полный ли это файл`,
};

/** A missing-column issue as lists: the contract's headers missing, and the headers the file has (null for another code). */
export function missingColumns(issue: IssueLike): { readonly missing: readonly string[]; readonly found: readonly string[] } | null {
  if (issue.code !== 'file.missing_column') return null;
  return {
    missing: (issue.column ?? '').split(',').filter((s) => s.trim() !== '').map(fieldHeader),
    found: (issue.value ?? '').split(/\s*;\s*/).filter((s) => s !== ''),
  };
}

/** The reason a person reads for one issue, in Russian; an unknown code keeps the report's message. */
export function issueText(issue: IssueLike, ctx: IssueTextContext = {}): string {
  const phrase = PHRASES[issue.code];
  return phrase ? phrase(issue, ctx) : issue.message;
}

/** Whether a code has a Russian phrase (a test holds every code of errors.ts to it). */
export const hasIssueText = (code: string): boolean => Object.hasOwn(PHRASES, code);
