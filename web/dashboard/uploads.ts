// Browser: the uploads behind the figures, newest first, for officials as for integrators —
// each with its status, tables, weeks, rows and warnings; «Подробнее» opens its report:
// every rejected row and every warning with sheet, row, column, the value as written and
// the reason in Russian (shared/domain/issue-text.ts, the words of the upload page), the
// issues not listed counted by kind. A warning that data shrank on replacement stands
// first, in its own box: it is the one that can silently cost a municipality its schools.
import type { UploadSummary, UploadsBody } from '../../shared/api/views.ts';
import { issueText, type IssueLike } from '../../shared/domain/issue-text.ts';
import type { UploadReport } from '../../shared/domain/schemas.ts';
import { append, clear, h, on } from '../dom.ts';
import { api } from './api.ts';
import { formatCount, formatDate } from './format.ts';
import { TABLE_RU, UPLOAD_STATUS_RU } from './labels.ts';

/** Codes whose warning must be seen before anything else in a report. */
export const PROMINENT_WARNINGS: readonly string[] = ['warn.shrinking_replacement', 'warn.duplicate_upload'];

export type UploadsContext = {
  /** a municipality's name by id (the key of a municipal upload names its id) */
  readonly municipalityName: (id: string) => string | null;
  readonly failure: (err: unknown) => HTMLElement;
};

const keyMunicipality = (key: string, ctx: UploadsContext): string | null => {
  const id = /\/municipality=([a-z0-9_-]+)\//.exec(key)?.[1];
  return id ? (ctx.municipalityName(id) ?? id) : null;
};

const fileName = (key: string) => key.replace(/^.*\//, '');

/** `2023-04-10T09:00:00Z` → `10.04.2023 12:00 МСК` (the region's officials read Moscow time). */
export function formatMoment(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('day')}.${p('month')}.${p('year')} ${p('hour')}:${p('minute')} МСК`;
}

function issuesTable(cls: string, caption: string, list: readonly IssueLike[], keyMuni: string | null): HTMLTableElement {
  return h(
    'table',
    { class: `issues ${cls}` },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...['Лист', 'Строка', 'Столбец', 'Значение', 'Причина'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...list.map((e) =>
        h(
          'tr',
          { 'data-code': e.code },
          h('td', {}, e.sheet ?? ''),
          h('td', { class: 'num' }, e.row === null ? '' : String(e.row)),
          h('td', {}, e.column ?? ''),
          h('td', {}, e.value ?? ''),
          h('td', {}, issueText(e, { keyMunicipality: keyMuni })),
        ),
      ),
    ),
  );
}

function replacedBy(id: string, details: HTMLElement, ctx: UploadsContext): HTMLElement {
  const b = h('button', { type: 'button', class: 'link' }, 'какой загрузкой');
  on(b, 'click', () => void showUpload(details, id, ctx));
  return h('span', { class: 'why' }, 'данные заменены: ', b);
}

export async function showUploads(section: HTMLElement, ctx: UploadsContext, onFirstPage: (items: readonly UploadSummary[]) => void): Promise<void> {
  const list = h('tbody', {});
  const more = h('button', { type: 'button', class: 'link' }, 'Показать ещё');
  const details = h('div', { class: 'upload-details', id: 'upload-details' });
  let cursor: string | null = null;
  let first = true;
  const load = async () => {
    more.disabled = true;
    const page: UploadsBody = await api.uploads(cursor);
    if (first) onFirstPage(page.items);
    first = false;
    for (const u of page.items) {
      const open = h('button', { type: 'button', class: 'link' }, 'Подробнее');
      on(open, 'click', () => void showUpload(details, u.upload_id, ctx));
      append(
        list,
        h(
          'tr',
          { class: `status-${u.status}`, 'data-upload': u.upload_id },
          h('td', { class: 'file' }, fileName(u.key)),
          h(
            'td',
            { class: 'status' },
            UPLOAD_STATUS_RU[u.status] ?? u.status,
            u.file_error ? h('span', { class: 'why' }, issueText(u.file_error)) : null,
            u.replaced_by ? replacedBy(u.replaced_by, details, ctx) : null,
            ...PROMINENT_WARNINGS.filter((c) => (u.issue_counts[c] ?? 0) > 0).map((c) =>
              h('span', { class: 'badge-warning', 'data-code': c }, c === 'warn.shrinking_replacement' ? '⚠ школ стало намного меньше' : 'файл повторён: данные не изменились'),
            ),
          ),
          h('td', {}, u.tables.map((t) => TABLE_RU[t] ?? t).join(', ')),
          h('td', { class: 'weeks' }, u.periods.map((p) => p.label).join(', ')),
          h('td', { class: 'num' }, formatCount(u.rows.accepted)),
          h('td', { class: 'num' }, formatCount(u.rows.rejected)),
          h('td', { class: 'num' }, formatCount(u.warnings)),
          h('td', { class: 'when' }, formatMoment(u.completed_at)),
          h('td', {}, open),
        ),
      );
    }
    cursor = page.next_cursor;
    more.hidden = cursor === null;
    more.disabled = false;
  };
  on(more, 'click', () => void load().catch((err: unknown) => more.after(ctx.failure(err))));
  try {
    await load();
    const head = h('tr', {}, ...['Файл', 'Статус', 'Таблицы', 'Недели', 'Строк принято', 'Строк отклонено', 'Предупреждений', 'Обработана', ''].map((t) => h('th', { scope: 'col' }, t)));
    section.replaceChildren(section.firstChild!, h('div', { class: 'uploads-holder' }, h('table', { class: 'uploads' }, h('thead', {}, head), list)), more, details);
  } catch (err) {
    section.replaceChildren(section.firstChild!, ctx.failure(err));
  }
}

export async function showUpload(holder: HTMLElement, id: string, ctx: UploadsContext): Promise<void> {
  holder.replaceChildren(h('p', { class: 'muted' }, 'Загрузка…'));
  try {
    const r: UploadReport = await api.upload(id);
    const muni = keyMunicipality(r.key, ctx);
    const prominent = r.warnings.filter((w) => PROMINENT_WARNINGS.includes(w.code));
    const rest = r.warnings.filter((w) => !PROMINENT_WARNINGS.includes(w.code));
    const omitted = r.issues_omitted ?? 0;
    const counts = Object.entries(r.issue_counts ?? {}).filter(([, n]) => n > 0);
    clear(holder);
    append(
      holder,
      h('h3', {}, fileName(r.key)),
      h(
        'p',
        { class: 'summary' },
        `Статус: ${UPLOAD_STATUS_RU[r.status] ?? r.status}. Принято строк: ${formatCount(r.rows.accepted)}, отклонено: ${formatCount(r.rows.rejected)}. Получена ${formatDate(r.received_at.slice(0, 10))}.`,
        muni ? ` Ключ загрузки МОУО: ${muni}.` : '',
      ),
      r.file_error ? h('p', { class: 'file-error error' }, `Файл отклонён: ${issueText(r.file_error, { keyMunicipality: muni })}`) : null,
      ...prominent.map((w) => h('p', { class: 'prominent-warning', role: 'alert', 'data-code': w.code }, '⚠ ', issueText(w, { keyMunicipality: muni }))),
      r.replacements.length
        ? h(
            'table',
            { class: 'replacements' },
            h('caption', {}, `Заменила данные прежних загрузок: ${formatCount(r.replacements.length)}`),
            h('thead', {}, h('tr', {}, ...['Неделя', 'Таблица', 'МОУО', 'Школ: было → стало', 'Педагогов', 'Обучающихся'].map((t) => h('th', { scope: 'col' }, t)))),
            h(
              'tbody',
              {},
              ...r.replacements.map((x) =>
                h(
                  'tr',
                  { class: x.after.schools * 2 < x.before.schools ? 'shrunk' : null },
                  h('td', {}, formatDate(x.period.start).slice(0, 5) + '–' + formatDate(x.period.end)),
                  h('td', {}, TABLE_RU[x.kind] ?? x.kind),
                  h('td', {}, ctx.municipalityName(x.municipality_id) ?? x.municipality_id),
                  h('td', { class: 'num' }, `${formatCount(x.before.schools)} → ${formatCount(x.after.schools)}`),
                  h('td', { class: 'num' }, `${formatCount(x.before.teachers)} → ${formatCount(x.after.teachers)}`),
                  h('td', { class: 'num' }, `${formatCount(x.before.students)} → ${formatCount(x.after.students)}`),
                ),
              ),
            ),
          )
        : null,
      r.errors.length ? issuesTable('errors', `Отклонённые строки и ошибки: ${formatCount(r.errors.length)}`, r.errors, muni) : h('p', {}, 'Ошибок нет.'),
      rest.length ? issuesTable('warnings', `Предупреждения (строки приняты): ${formatCount(rest.length)}`, rest, muni) : null,
      omitted > 0
        ? h('p', { class: 'muted omitted' }, `Ещё ${formatCount(omitted)} замечаний не перечислены; всего по видам: ${counts.map(([code, n]) => `${issueText({ code, message: code, file: r.key, sheet: null, row: null, column: null, value: null })} — ${formatCount(n)}`).join('; ')}.`)
        : null,
    );
  } catch (err) {
    holder.replaceChildren(ctx.failure(err));
  }
}
