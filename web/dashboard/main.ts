// Browser entry of the dashboard (bundled by esbuild into /assets/app.js), written for an
// official: the week's headline (coverage and each KPI against its target, due date, the
// trend's forecast and the change from last week), a coverage chart and a KPI chart with
// labelled target lines, the municipal table coloured by where each figure stands, and a
// municipality view (its figures, its trend, its inactive schools) opened by clicking a
// МОУО or by a notification link (`?period=…&scope=…`). The key is asked for once and kept
// for the session (or taken from `?key=` once). Every value is inserted as text (../dom.ts);
// a 403 for one section leaves the others.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { EvaluationView, PeriodBody, RowView, TargetView, TimeseriesBody, UploadsBody } from '../../shared/api/views.ts';
import { metricInfo } from '../../shared/domain/metric-catalog.ts';
import type { MetricId, UploadReport } from '../../shared/domain/schemas.ts';
import { api, ApiFailure, forgetKey, storedKey, storeKey, takeKeyFromUrl } from './api.ts';
import { trendChart, type TargetLine, type TrendLine } from './chart.ts';
import { append, clear, h, on } from '../dom.ts';
import { formatCount, formatDate, formatDelta, formatPercent, formatPoints } from './format.ts';
import { COVERAGE, EVALUATION_RU, INACTIVE_REASON_RU, KPI, PENDING_NO_TREND_RU, TABLE_RU, UPLOAD_STATUS_RU, type Standing } from './labels.ts';

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
const root = document.getElementById('app')!;

/** What the address asks for: a region, a week and a scope (a notification link sets them). */
const wanted = (() => {
  const q = new URLSearchParams(window.location.search);
  return { region: q.get('region') || meta('sp-region') || '26', period: q.get('period'), scope: q.get('scope') };
})();
const region = wanted.region;

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
  append(root, form, message ? h('p', { class: 'error' }, message) : null, h('p', { class: 'muted' }, 'Ключ хранится только до закрытия вкладки.'));
}

const section = (id: string, title: string) => h('section', { id }, h('h2', {}, title), h('p', { class: 'muted' }, 'Загрузка…'));
const fill = (s: HTMLElement, ...children: (Node | string)[]) => s.replaceChildren(s.firstChild!, ...children);

async function start(): Promise<void> {
  clear(root);
  const logout = h('button', { type: 'button', class: 'link' }, 'Выйти');
  on(logout, 'click', () => {
    forgetKey();
    login(null);
  });
  const headline = section('headline', 'Итоги недели');
  const charts = section('charts', 'Динамика по неделям');
  const table = section('municipalities', 'Муниципалитеты');
  const municipality = h('section', { id: 'municipality', hidden: true });
  const uploads = section('uploads', 'Загрузки');
  append(root, h('nav', { class: 'bar' }, logout), headline, charts, table, municipality, uploads);
  try {
    const periods = (await api.periods(region)).periods;
    const latest = periods.at(-1);
    if (!latest) {
      for (const s of [headline, charts, table]) fill(s, h('p', { class: 'muted' }, 'Данных пока нет: загрузите выгрузку.'));
    } else {
      const chosen = periods.find((p) => p.key === wanted.period) ?? latest;
      const body = await api.period(region, latest.key);
      showHeadline(headline, body);
      const view = new MunicipalityView(municipality);
      await Promise.all([
        showCharts(charts),
        showTable(table, periods, chosen.key, view),
        wanted.scope && wanted.scope !== 'region' ? view.open(wanted.scope, chosen.key) : Promise.resolve(),
      ]);
    }
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) {
      forgetKey();
      login('Ключ не принят. Введите действующий ключ.');
      return;
    }
    fill(headline, failure(err));
  }
  await showUploads(uploads);
}

/** Where a figure stands against its target; a pending one without a trend says so. */
function standing(ev: EvaluationView | undefined): { readonly kind: Standing; readonly text: string } {
  if (!ev) return { kind: 'none', text: EVALUATION_RU.none };
  return { kind: ev.status, text: ev.status === 'pending' && ev.projected === null ? PENDING_NO_TREND_RU : EVALUATION_RU[ev.status] };
}

const opSign = (t: TargetView) => (t.op === '>=' ? '≥' : '=');

/** `до цели 13,71 п.п.` or `выше цели на 2,10 п.п.`: how far the value is from the threshold. */
function gapText(value: number | null, t: TargetView): string {
  if (value === null) return '';
  const diff = value - t.threshold;
  if (Math.abs(diff) < 1e-9) return 'точно на уровне цели';
  return diff < 0 ? `до цели ${formatPoints(diff)}` : `выше цели на ${formatPoints(diff)}`;
}

/** One headline card: the share, its target and due date, forecast, week change, standing. */
function card(row: RowView, metric: MetricId, target: TargetView | undefined, sub: string | null): HTMLElement {
  const info = metricInfo(metric);
  const value = row.metrics[metric];
  const ev = row.evaluations.find((e) => e.metric === metric);
  const st = standing(ev);
  const delta = formatDelta(row.deltas[metric], 'share');
  const el = h(
    'article',
    { class: `card st-${st.kind}`, 'data-metric': metric, 'data-status': st.kind },
    h('h3', {}, info.label),
    h('p', { class: 'value' }, formatPercent(value, info.decimals)),
    sub ? h('p', { class: 'sub' }, sub) : null,
    h('p', { class: 'delta' }, `за неделю: ${value === null ? 'нет данных' : delta || 'без изменений'}`),
  );
  if (target) {
    const bar = h('div', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'fill' }));
    const ratio = value === null || target.threshold === 0 ? 0 : Math.min(1, value / target.threshold);
    (bar.firstChild as HTMLElement).style.width = `${(ratio * 100).toFixed(1)}%`;
    append(
      el,
      h('p', { class: 'target' }, `цель ${opSign(target)} ${formatPercent(target.threshold, 0)} к ${formatDate(target.due)}`),
      h('p', { class: 'forecast' }, ev?.projected == null ? 'прогноз к сроку: нет' : `прогноз к ${formatDate(target.due)}: ${formatPercent(ev.projected, info.decimals === 0 ? 2 : info.decimals)}`),
      bar,
      h('p', { class: 'gap' }, gapText(value, target)),
    );
  }
  append(el, h('p', { class: 'status' }, st.text));
  return el;
}

function cards(row: RowView, targets: readonly TargetView[]): HTMLElement {
  const target = (m: MetricId) => targets.find((t) => t.metric === m);
  return h(
    'div',
    { class: 'cards' },
    ...COVERAGE.filter((c) => metricInfo(c.metric).scope === 'all' || row.scope.level === 'region').map((c) =>
      card(row, c.metric, target(c.metric), `${formatCount(row.metrics[c.of[0]])} из ${formatCount(row.metrics[c.of[1]])} ${c.unit}`),
    ),
    ...KPI.map((k) => card(row, k.metric, target(k.metric), null)),
  );
}

function showHeadline(s: HTMLElement, body: PeriodBody): void {
  fill(s, h('p', { class: 'week' }, `Неделя ${body.period.label} · ${body.regional.scope.name}`), cards(body.regional, body.targets), legendOfColours());
}

function legendOfColours(): HTMLElement {
  const kinds: Standing[] = ['met', 'pending', 'at_risk', 'breach', 'no_data'];
  return h('ul', { class: 'colours' }, ...kinds.map((k) => h('li', {}, h('span', { class: `swatch st-${k}` }), EVALUATION_RU[k])));
}

/** The lines and target lines of one chart from timeseries bodies. */
function chartOf(bodies: readonly TimeseriesBody[], colors: readonly string[]): { lines: TrendLine[]; targets: TargetLine[] } {
  const lines: TrendLine[] = [];
  const targets: TargetLine[] = [];
  bodies.forEach((b, i) => {
    const label = metricInfo(b.metric).label;
    // a metric without data keeps its legend entry ("—") and its target line
    lines.push({ label, color: colors[i]!, points: b.points.map((p) => ({ end: p.period.end, label: p.period.label, value: p.value })) });
    for (const t of b.targets) targets.push({ label: `цель «${label}»`, color: colors[i]!, threshold: t.threshold });
  });
  return { lines, targets };
}

async function trendCharts(holder: HTMLElement, scope: string, level: 'region' | 'municipality'): Promise<void> {
  const coverage = COVERAGE.filter((c) => level === 'region' || metricInfo(c.metric).scope === 'all');
  const [cov, kpi] = await Promise.all([
    Promise.all(coverage.map((c) => api.timeseries(region, c.metric, scope))),
    Promise.all(KPI.map((k) => api.timeseries(region, k.metric, scope))),
  ]);
  const covBox = h('figure', { class: 'chart', 'data-chart': 'coverage' }, h('figcaption', {}, 'Охват: доля в Сферуме'));
  const kpiBox = h('figure', { class: 'chart', 'data-chart': 'kpi' }, h('figcaption', {}, 'Активность педагогов: доля от всех педагогов'));
  holder.replaceChildren(covBox, kpiBox);
  const c = chartOf(cov, coverage.map((x) => x.color));
  trendChart(covBox, 'Охват по неделям', c.lines, c.targets);
  const k = chartOf(kpi, KPI.map((x) => x.color));
  trendChart(kpiBox, 'Активность педагогов по неделям', k.lines, k.targets);
}

async function showCharts(s: HTMLElement): Promise<void> {
  const holder = h('div', { class: 'charts' });
  fill(s, holder);
  await trendCharts(holder, 'region', 'region');
  const downloads = h('p', { class: 'downloads' }, 'Таблица региона: ');
  for (const format of ['csv', 'xlsx'] as const) {
    const b = h('button', { type: 'button', class: 'link' }, format.toUpperCase());
    on(b, 'click', () => void download(format, b));
    append(downloads, b, ' ');
  }
  append(s, downloads);
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
  { header: 'Неактивных ОО', cell: (r) => formatCount(r.metrics.schools_inactive) },
  { header: 'Обуч-ся в Сфере', cell: (r) => formatPercent(r.metrics.students_in_sferum_share) },
  ...KPI.map((k): Column => ({ header: k.label, cell: (r) => formatPercent(r.metrics[k.metric], 3), metric: k.metric, delta: (r) => formatDelta(r.deltas[k.metric], 'share') })),
];

function row(r: RowView, tag: 'td' | 'th', view: MunicipalityView | null, period: string, targets: readonly TargetView[]): HTMLTableRowElement {
  const tr = h('tr', { 'data-scope': r.scope.id });
  let name: HTMLElement | string = r.scope.level === 'region' ? 'Регион' : r.scope.name;
  if (view) {
    const b = h('button', { type: 'button', class: 'link open-municipality', 'data-scope': r.scope.id }, r.scope.name);
    on(b, 'click', () => void view.open(r.scope.id, period));
    name = b;
  }
  append(tr, h(tag, { class: 'name', scope: tag === 'th' ? 'row' : null }, name), h('td', {}, r.has_export ? 'есть' : 'нет'));
  for (const c of COLUMNS) {
    const ev = c.metric ? r.evaluations.find((e) => e.metric === c.metric) : undefined;
    const st = ev ? standing(ev) : null;
    const target = c.metric ? targets.find((t) => t.metric === c.metric) : undefined;
    const gap = target && c.metric ? gapText(r.metrics[c.metric], target) : '';
    const td = h('td', { class: st ? `num st-${st.kind}` : 'num', title: st ? [st.text, gap].filter(Boolean).join('; ') : null }, c.cell(r));
    const d = c.delta?.(r);
    if (d) append(td, h('span', { class: 'delta' }, d));
    append(tr, td);
  }
  return tr;
}

async function showTable(s: HTMLElement, periods: readonly { key: string; label: string }[], chosen: string, view: MunicipalityView): Promise<void> {
  const select = h('select', { id: 'period', 'aria-label': 'Неделя' });
  for (const p of [...periods].reverse()) append(select, h('option', { value: p.key, selected: p.key === chosen }, p.label));
  const holder = h('div', { class: 'table-holder' });
  fill(s, h('label', { class: 'period-pick' }, 'Неделя: ', select), h('p', { class: 'muted' }, 'Нажмите на МОУО, чтобы увидеть его школы и динамику.'), holder);
  const render = async (key: string) => {
    holder.replaceChildren(h('p', { class: 'muted' }, 'Загрузка…'));
    try {
      holder.replaceChildren(municipalTable(await api.period(region, key), view));
    } catch (err) {
      holder.replaceChildren(failure(err));
    }
  };
  on(select, 'change', () => void render(select.value));
  await render(select.value);
}

function municipalTable(body: PeriodBody, view: MunicipalityView): HTMLTableElement {
  const head = h('tr', {}, h('th', { scope: 'col', class: 'name' }, 'МОУО'), h('th', { scope: 'col' }, 'Выгрузка'), ...COLUMNS.map((c) => h('th', { scope: 'col' }, c.header)));
  const rows = [...body.municipalities].sort((a, b) => a.scope.name.localeCompare(b.scope.name, 'ru'));
  return h(
    'table',
    { class: 'municipal', 'data-period': body.period.key },
    h('caption', {}, `Показатели МОУО за ${body.period.label}`),
    h('thead', {}, head),
    h('tbody', {}, ...rows.map((r) => row(r, 'td', view, body.period.key, body.targets))),
    h('tfoot', {}, row(body.regional, 'th', null, body.period.key, body.targets)),
  );
}

/** One municipality: its figures for the week, its inactive schools, its own trend. */
class MunicipalityView {
  constructor(private readonly s: HTMLElement) {}

  async open(scope: string, periodKey: string): Promise<void> {
    const s = this.s;
    s.hidden = false;
    s.setAttribute('data-scope', scope);
    s.replaceChildren(h('h2', {}, 'Муниципалитет'), h('p', { class: 'muted' }, 'Загрузка…'));
    const url = new URL(window.location.href);
    url.searchParams.set('period', periodKey);
    url.searchParams.set('scope', scope);
    history.replaceState(null, '', url.pathname + url.search);
    try {
      const body = await api.period(region, periodKey);
      const r = body.municipalities.find((m) => m.scope.id === scope);
      if (!r) {
        s.replaceChildren(h('h2', {}, 'Муниципалитет'), h('p', { class: 'error' }, `В регионе нет МОУО «${scope}».`));
        return;
      }
      const close = h('button', { type: 'button', class: 'link' }, '← ко всему региону');
      on(close, 'click', () => this.close());
      const schools = h('div', { class: 'schools-holder' }, h('p', { class: 'muted' }, 'Загрузка…'));
      const trend = h('div', { class: 'charts' }, h('p', { class: 'muted' }, 'Загрузка…'));
      s.replaceChildren(
        h('h2', {}, r.scope.name),
        h('p', { class: 'week' }, `Неделя ${body.period.label}`, ' · ', close),
        cards(r, body.targets),
        h('h3', {}, 'Школы'),
        h(
          'p',
          {},
          `Всего ${formatCount(r.metrics.schools_total)}, в Сферуме ${formatCount(r.metrics.schools_in_sferum)}, из них с неактивным администратором ${formatCount(r.metrics.schools_inactive)}.`,
        ),
        schools,
        h('h3', {}, 'Динамика МОУО'),
        trend,
      );
      s.scrollIntoView({ block: 'start' });
      await Promise.all([this.schools(schools, scope, body.period.start), trendCharts(trend, scope, 'municipality')]);
    } catch (err) {
      s.replaceChildren(h('h2', {}, 'Муниципалитет'), failure(err));
    }
  }

  private async schools(holder: HTMLElement, scope: string, start: string): Promise<void> {
    try {
      const list = (await api.inactiveSchools(region, start)).schools.filter((x) => x.municipality.id === scope);
      if (list.length === 0) {
        holder.replaceChildren(h('p', { class: 'ok' }, 'Все школы МОУО зарегистрированы в Сферуме, администраторы активны.'));
        return;
      }
      holder.replaceChildren(
        h(
          'table',
          { class: 'schools' },
          h('caption', {}, `Требуют внимания: ${formatCount(list.length)}`),
          h('thead', {}, h('tr', {}, ...['Школа', 'ИНН', 'Что не так'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...list.map((x) => h('tr', { class: `reason-${x.reason}` }, h('td', {}, x.school_name), h('td', { class: 'inn' }, x.school_inn), h('td', {}, INACTIVE_REASON_RU[x.reason]))),
          ),
        ),
      );
    } catch (err) {
      holder.replaceChildren(failure(err));
    }
  }

  close(): void {
    this.s.hidden = true;
    this.s.removeAttribute('data-scope');
    clear(this.s);
    const url = new URL(window.location.href);
    url.searchParams.delete('scope');
    history.replaceState(null, '', url.pathname + url.search);
  }
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
