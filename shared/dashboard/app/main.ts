// Browser entry of the dashboard (bundled by esbuild into /assets/app.js). It asks for an
// API key (or takes `?key=` once), then shows three sections from the read API: the
// regional KPIs over time against their targets, the municipal table of a chosen period
// with breach and at-risk cells marked, and the upload reports with their rejected rows.
// Every value is inserted as text (dom.ts); a 403 for one section leaves the others.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { PeriodBody, RowView, UploadsBody } from '../../api/views.ts';
import type { MetricId } from '../../domain/events.ts';
import type { UploadReport } from '../../domain/schemas.ts';
import { api, ApiFailure, forgetKey, storedKey, storeKey, takeKeyFromUrl } from './api.ts';
import { kpiChart } from './chart.ts';
import { append, clear, h, on } from './dom.ts';
import { formatCount, formatDate, formatDelta, formatPercent } from './format.ts';
import { EVALUATION_RU, KPI, TABLE_RU, UPLOAD_STATUS_RU } from './labels.ts';

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
const region = meta('sp-region') || '26';
const root = document.getElementById('app')!;

function failure(err: unknown): HTMLElement {
  if (err instanceof ApiFailure && err.status === 403) return h('p', { class: 'notice' }, 'Этот ключ не даёт доступа к разделу.');
  if (err instanceof ApiFailure) return h('p', { class: 'error' }, `Ошибка ${err.status}: ${err.message}`);
  return h('p', { class: 'error' }, `Ошибка: ${err instanceof Error ? err.message : String(err)}`);
}

function login(message: string | null): void {
  clear(root);
  const input = h('input', { type: 'password', id: 'api-key', name: 'api-key', autocomplete: 'off', required: true, placeholder: 'API-ключ' });
  const form = h('form', { class: 'login' }, h('label', { for: 'api-key' }, 'Ключ доступа к API'), input, h('button', { type: 'submit' }, 'Войти'));
  on(form, 'submit', (e) => {
    e.preventDefault();
    if (input.value.trim() === '') return;
    storeKey(input.value.trim());
    void start();
  });
  append(root, form, message ? h('p', { class: 'error' }, message) : null);
}

async function start(): Promise<void> {
  clear(root);
  const logout = h('button', { type: 'button', class: 'link' }, 'Выйти');
  on(logout, 'click', () => {
    forgetKey();
    login(null);
  });
  const kpi = h('section', { id: 'kpi' }, h('h2', {}, 'Ключевые показатели региона'), h('p', { class: 'muted' }, 'Загрузка…'));
  const table = h('section', { id: 'municipalities' }, h('h2', {}, 'Муниципалитеты'), h('p', { class: 'muted' }, 'Загрузка…'));
  const uploads = h('section', { id: 'uploads' }, h('h2', {}, 'Загрузки'), h('p', { class: 'muted' }, 'Загрузка…'));
  append(root, h('nav', { class: 'bar' }, logout), kpi, table, uploads);
  try {
    const periods = await api.periods(region);
    if (periods.periods.length === 0) {
      for (const s of [kpi, table]) s.replaceChildren(s.firstChild!, h('p', { class: 'muted' }, 'Данных пока нет: загрузите выгрузку.'));
    } else {
      await Promise.all([showKpi(kpi), showTable(table, periods.periods.map((p) => ({ key: p.key, label: p.label })))]);
    }
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) {
      forgetKey();
      login('Ключ не принят. Введите действующий ключ.');
      return;
    }
    kpi.replaceChildren(kpi.firstChild!, failure(err));
  }
  await showUploads(uploads);
}

async function showKpi(section: HTMLElement): Promise<void> {
  const bodies = await Promise.all(KPI.map((k) => api.timeseries(region, k.metric)));
  const series = KPI.map((k, i) => ({ ...k, body: bodies[i]! })).filter((s) => s.body.points.some((p) => p.value !== null));
  const holder = h('div', { class: 'chart' });
  section.replaceChildren(section.firstChild!, holder);
  kpiChart(holder, series);
  const downloads = h('p', { class: 'downloads' }, 'Таблица региона: ');
  for (const format of ['csv', 'xlsx'] as const) {
    const b = h('button', { type: 'button', class: 'link' }, format.toUpperCase());
    on(b, 'click', () => void download(format, b));
    append(downloads, b, ' ');
  }
  append(section, downloads);
}

async function download(format: 'csv' | 'xlsx', button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const blob = await api.report(region, format);
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `sferum-pulse-${region}.${format}` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    button.after(failure(err));
  } finally {
    button.disabled = false;
  }
}

type Column = { readonly header: string; readonly cell: (r: RowView) => string; readonly metric?: MetricId; readonly delta?: (r: RowView) => string };

const COLUMNS: readonly Column[] = [
  { header: 'ОО в Сфере', cell: (r) => `${formatCount(r.metrics.schools_in_sferum)} из ${formatCount(r.metrics.schools_total)}` },
  { header: '% ОО в Сфере', cell: (r) => formatPercent(r.metrics.schools_in_sferum_share), metric: 'schools_in_sferum_share' },
  { header: 'Педагогов в Сфере', cell: (r) => formatCount(r.metrics.teachers_in_sferum), delta: (r) => formatDelta(r.deltas.teachers_in_sferum, 'count') },
  { header: 'Обуч-ся в Сфере', cell: (r) => formatPercent(r.metrics.students_in_sferum_share) },
  ...KPI.map((k): Column => ({ header: k.label, cell: (r) => formatPercent(r.metrics[k.metric], 3), metric: k.metric, delta: (r) => formatDelta(r.deltas[k.metric], 'share') })),
];

function row(r: RowView, name: string, tag: 'td' | 'th'): HTMLTableRowElement {
  const tr = h('tr', { 'data-scope': r.scope.id });
  append(tr, h(tag, { class: 'name', scope: tag === 'th' ? 'row' : null }, name), h('td', {}, r.has_export ? 'есть' : 'нет'));
  for (const c of COLUMNS) {
    const ev = c.metric ? r.evaluations.find((e) => e.metric === c.metric) : undefined;
    const cls = ev?.status === 'breach' ? 'num breach' : ev?.status === 'at_risk' ? 'num at-risk' : 'num';
    const td = h('td', { class: cls, title: ev ? EVALUATION_RU[ev.status] : null }, c.cell(r));
    const d = c.delta?.(r);
    if (d) append(td, h('span', { class: 'delta' }, d));
    append(tr, td);
  }
  return tr;
}

async function showTable(section: HTMLElement, periods: readonly { key: string; label: string }[]): Promise<void> {
  const select = h('select', { id: 'period', 'aria-label': 'Неделя' });
  for (const p of [...periods].reverse()) append(select, h('option', { value: p.key }, p.label));
  const holder = h('div', { class: 'table-holder' });
  const legend = h('p', { class: 'legend' }, h('span', { class: 'swatch breach' }), ' нарушение цели  ', h('span', { class: 'swatch at-risk' }), ' под угрозой (по тренду)');
  section.replaceChildren(section.firstChild!, h('label', { class: 'period-pick' }, 'Неделя: ', select), legend, holder);
  const render = async (key: string) => {
    holder.replaceChildren(h('p', { class: 'muted' }, 'Загрузка…'));
    try {
      holder.replaceChildren(municipalTable(await api.period(region, key)));
    } catch (err) {
      holder.replaceChildren(failure(err));
    }
  };
  on(select, 'change', () => void render(select.value));
  await render(select.value);
}

function municipalTable(body: PeriodBody): HTMLTableElement {
  const head = h('tr', {}, h('th', { scope: 'col' }, 'МОУО'), h('th', { scope: 'col' }, 'Выгрузка'), ...COLUMNS.map((c) => h('th', { scope: 'col' }, c.header)));
  const rows = [...body.municipalities].sort((a, b) => a.scope.name.localeCompare(b.scope.name, 'ru'));
  return h(
    'table',
    { class: 'municipal', 'data-period': body.period.key },
    h('caption', {}, `Показатели МОУО за ${body.period.label}`),
    h('thead', {}, head),
    h('tbody', {}, ...rows.map((r) => row(r, r.scope.name, 'td'))),
    h('tfoot', {}, row(body.regional, 'Регион', 'th')),
  );
}

async function showUploads(section: HTMLElement): Promise<void> {
  const list = h('tbody', {});
  const more = h('button', { type: 'button', class: 'link' }, 'Показать ещё');
  const details = h('div', { class: 'upload-details' });
  let cursor: string | null = null;
  const load = async () => {
    more.disabled = true;
    const page: UploadsBody = await api.uploads(cursor);
    for (const u of page.items) {
      const open = h('button', { type: 'button', class: 'link' }, 'Подробнее');
      on(open, 'click', () => void showUpload(details, u.upload_id));
      append(
        list,
        h(
          'tr',
          { class: `status-${u.status}` },
          h('td', {}, u.key.replace(/^.*\//, '')),
          h('td', {}, UPLOAD_STATUS_RU[u.status]),
          h('td', {}, u.tables.map((t) => TABLE_RU[t] ?? t).join(', ')),
          h('td', {}, u.periods.map((p) => p.label).join(', ')),
          h('td', { class: 'num' }, formatCount(u.rows.accepted)),
          h('td', { class: 'num' }, formatCount(u.rows.rejected)),
          h('td', {}, open),
        ),
      );
    }
    cursor = page.next_cursor;
    more.hidden = cursor === null;
    more.disabled = false;
  };
  on(more, 'click', () => void load().catch((err) => more.after(failure(err))));
  try {
    await load();
    const head = h('tr', {}, ...['Файл', 'Статус', 'Таблицы', 'Недели', 'Строк принято', 'Строк отклонено', ''].map((t) => h('th', { scope: 'col' }, t)));
    section.replaceChildren(section.firstChild!, h('table', { class: 'uploads' }, h('thead', {}, head), list), more, details);
  } catch (err) {
    section.replaceChildren(section.firstChild!, failure(err));
  }
}

async function showUpload(holder: HTMLElement, id: string): Promise<void> {
  holder.replaceChildren(h('p', { class: 'muted' }, 'Загрузка…'));
  try {
    const r: UploadReport = await api.upload(id);
    const issues = r.errors.length
      ? h(
          'table',
          { class: 'issues' },
          h('caption', {}, `Отклонённые строки и ошибки: ${formatCount(r.errors.length)}`),
          h('thead', {}, h('tr', {}, ...['Лист', 'Строка', 'Столбец', 'Значение', 'Причина'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...r.errors.map((e) => h('tr', {}, h('td', {}, e.sheet ?? ''), h('td', { class: 'num' }, e.row === null ? '' : String(e.row)), h('td', {}, e.column ?? ''), h('td', {}, e.value ?? ''), h('td', {}, e.message))),
          ),
        )
      : h('p', {}, 'Ошибок нет.');
    holder.replaceChildren(
      h('h3', {}, r.key),
      h(
        'p',
        {},
        `Статус: ${UPLOAD_STATUS_RU[r.status]}. Принято строк: ${formatCount(r.rows.accepted)}, отклонено: ${formatCount(r.rows.rejected)}. Получена ${formatDate(r.received_at.slice(0, 10))}.`,
      ),
      r.warnings.length ? h('p', { class: 'muted' }, `Предупреждений: ${formatCount(r.warnings.length)}`) : '',
      issues,
    );
  } catch (err) {
    holder.replaceChildren(failure(err));
  }
}

takeKeyFromUrl();
if (storedKey()) void start();
else login(null);
