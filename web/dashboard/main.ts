// Browser entry of the dashboard (bundled by esbuild into /assets/app.js), written for an
// official. One week selector at the top drives everything on the page — the headline
// cards, the shaded week of the charts, the ranking of municipalities, the municipal table,
// the municipality view, `period=` in the address and the documents to download — so no
// part of the page speaks of another week than the one chosen. Then: the week's headline
// (coverage and each KPI against its target), trend charts with labelled target lines, each
// KPI's ranking of municipalities against its target, the sortable, searchable municipal
// table, a municipality view (opened by a click or by a notification link,
// `?period=…&scope=…`) and the uploads behind the figures. «данные на …» says when the
// newest data arrived. The page prints as an A4 landscape document (style.css). The key is
// asked for once and kept for the session (or taken from `?key=` once). Every value is
// inserted as text (../dom.ts); a 403 for one section leaves the others.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { PeriodBody, PeriodView, TimeseriesBody, UploadSummary } from '../../shared/api/views.ts';
import type { MetricId } from '../../shared/domain/schemas.ts';
import { metricInfo } from '../../shared/domain/metric-catalog.ts';
import { append, clear, h, on } from '../dom.ts';
import { api, ApiFailure, forgetKey, resetView, storedKey, storeKey, takeKeyFromUrl, type DocumentFormat } from './api.ts';
import { cards, legendOfColours, type WeekMark } from './cards.ts';
import { trendChart, type TargetLine, type TrendLine } from './chart.ts';
import { formatCount } from './format.ts';
import { COVERAGE, INACTIVE_REASON_RU, KPI } from './labels.ts';
import { Ranking } from './ranking.ts';
import { showSources } from './sources.ts';
import { MunicipalTable } from './table.ts';
import { formatMoment, showUploads } from './uploads.ts';

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

/** The page of one session: its sections, the weeks, the week shown. */
class Dashboard {
  readonly headline = section('headline', 'Итоги недели');
  readonly charts = section('charts', 'Динамика по неделям');
  readonly ranking = section('ranking', 'МОУО и цели');
  readonly table = section('municipalities', 'Муниципалитеты');
  readonly municipality = h('section', { id: 'municipality', hidden: true });
  readonly sources = h('section', { id: 'sources', hidden: true });
  readonly uploads = section('uploads', 'Загрузки');
  readonly select = h('select', { id: 'period', 'aria-label': 'Неделя' });
  readonly asOf = h('span', { class: 'as-of', id: 'as-of' });
  readonly downloads = h('span', { class: 'downloads' }, 'Скачать: ');
  private readonly rankingView = new Ranking();
  private readonly municipalTable: MunicipalTable;
  private readonly view: MunicipalityView;
  private periods: readonly PeriodView[] = [];
  private week: PeriodView | null = null;
  private series: Promise<{ coverage: TimeseriesBody[]; kpi: TimeseriesBody[] }> | null = null;
  private names = new Map<string, string>();

  constructor() {
    this.view = new MunicipalityView(this.municipality, () => this.week, (scope, metric) => void this.openSources(scope, metric));
    this.municipalTable = new MunicipalTable({
      open: (scope) => void this.view.open(scope),
      sources: (scope, column) => void this.openSources(scope, (column in metricNames ? column : null) as MetricId | null),
    });
    const logout = h('button', { type: 'button', class: 'link' }, 'Выйти');
    on(logout, 'click', () => {
      forgetKey();
      resetView();
      login(null);
    });
    const print = h('button', { type: 'button', id: 'print' }, 'Печать');
    on(print, 'click', () => window.print());
    for (const format of ['csv', 'xlsx', 'pptx'] as const) {
      const b = h('button', { type: 'button', class: 'download', 'data-format': format }, format.toUpperCase());
      on(b, 'click', () => void this.download(format, b));
      append(this.downloads, b, ' ');
    }
    on(this.select, 'change', () => void this.showWeek(this.select.value));
    const toolbar = h(
      'nav',
      { class: 'toolbar', 'aria-label': 'Неделя и документы' },
      h('label', { class: 'period-pick' }, 'Неделя ', this.select),
      this.asOf,
      this.downloads,
      print,
      logout,
    );
    append(root, toolbar, this.headline, this.charts, this.ranking, this.table, this.municipality, this.sources, this.uploads);
  }

  async start(): Promise<void> {
    try {
      const body = await api.periods(region);
      this.periods = body.periods;
      const latest = this.periods.at(-1);
      if (!latest) {
        for (const s of [this.headline, this.charts, this.ranking, this.table]) fill(s, h('p', { class: 'muted' }, 'Данных пока нет: загрузите выгрузку.'));
      } else {
        // the headline stands on the newest week with all exports in (issue 20); a newer,
        // provisional week is offered beside it, not shown in its place
        const chosen = this.periods.find((p) => p.key === wanted.period) ?? this.periods.find((p) => p.key === body.latest_complete) ?? latest;
        for (const p of [...this.periods].reverse()) append(this.select, h('option', { value: p.key, 'data-state': p.completeness.state }, optionText(p)));
        this.select.value = chosen.key;
        fill(this.table, this.municipalTable.element);
        fill(this.ranking, h('p', { class: 'muted' }, 'Каждый МОУО против цели по выбранному показателю за выбранную неделю.'), this.rankingView.element);
        await Promise.all([this.showWeek(chosen.key), wanted.scope && wanted.scope !== 'region' ? this.view.open(wanted.scope) : Promise.resolve()]);
      }
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) {
        forgetKey();
        login('Ключ не принят. Введите действующий ключ.');
        return;
      }
      fill(this.headline, failure(err));
    }
    await showUploads(this.uploads, { municipalityName: (id) => this.names.get(id) ?? null, failure }, (items) => this.showAsOf(items));
  }

  /** Everything on the page moves to the week `key`. */
  async showWeek(key: string): Promise<void> {
    const week = this.periods.find((p) => p.key === key);
    if (!week) return;
    this.week = week;
    this.select.value = key;
    const url = new URL(window.location.href);
    url.searchParams.set('period', key);
    history.replaceState(null, '', url.pathname + url.search);
    const body = api.period(region, key);
    await Promise.all([
      this.showBody(body),
      this.showCharts(key),
      this.municipality.hidden ? Promise.resolve() : this.view.open(this.municipality.dataset['scope'] ?? ''),
    ]);
  }

  private async showBody(pending: Promise<PeriodBody>): Promise<void> {
    try {
      const body = await pending;
      if (body.period.key !== this.week?.key) return; // a later choice won
      for (const m of body.municipalities) this.names.set(m.scope.id, m.scope.name);
      const mark = weekMark(body.period);
      const trace = (metric: MetricId) => {
        const b = h('button', { type: 'button', class: 'link trace', 'data-metric': metric }, 'откуда эти данные');
        on(b, 'click', () => void this.openSources(null, metric));
        return [b];
      };
      fill(
        this.headline,
        h('p', { class: 'week' }, `Неделя ${body.period.label} · ${body.regional.scope.name}`),
        this.completenessNotice(body.period),
        this.newerWeekOffer(body.period),
        cards(body.regional, body.targets, trace, mark),
        legendOfColours(),
      );
      this.rankingView.show(body);
      this.municipalTable.show(body, mark);
    } catch (err) {
      fill(this.headline, failure(err));
    }
  }

  /** What a week lacks, said above its cards: provisional (exports still coming) or closed incomplete. */
  private completenessNotice(p: PeriodView): HTMLElement | string {
    const c = p.completeness;
    if (c.state === 'complete') return '';
    const why =
      c.state === 'provisional'
        ? 'Выгрузки прислали ещё не все МОУО: цифры изменятся, цели по этой неделе не оцениваются.'
        : 'Срок сдачи прошёл, а выгрузок нет: цифры неполные, цели оценены по тому, что есть.';
    return h('p', { class: `completeness state-${c.state}`, role: 'note' }, h('b', {}, c.label ?? (c.state === 'provisional' ? 'предварительно' : 'неполные данные')), '. ', why);
  }

  /** On the latest complete week: the newer provisional weeks, offered with their mark. */
  private newerWeekOffer(p: PeriodView): HTMLElement | string {
    const newer = this.periods.filter((q) => q.key > p.key && q.completeness.state === 'provisional');
    const newest = newer.at(-1);
    if (!newest || p.completeness.state === 'provisional') return '';
    const go = h('button', { type: 'button', class: 'link', id: 'newer-week' }, `показать неделю ${newest.label}`);
    on(go, 'click', () => void this.showWeek(newest.key));
    return h('p', { class: 'newer-week' }, `Есть более новая неделя ${newest.label} — ${newest.completeness.label ?? 'предварительно'}: `, go);
  }

  private async openSources(scope: string | null, metric: MetricId | null): Promise<void> {
    const week = this.week;
    if (!week) return;
    await showSources(this.sources, { region, week, scope, scopeName: scope ? (this.names.get(scope) ?? scope) : 'регион', metric }, failure);
  }

  private async showCharts(key: string): Promise<void> {
    try {
      this.series ??= trendSeries('region', 'region');
      const s = await this.series;
      if (key !== this.week?.key) return;
      const holder = h('div', { class: 'charts' });
      fill(this.charts, holder);
      drawCharts(holder, s, key);
    } catch (err) {
      fill(this.charts, failure(err));
    }
  }

  /** «данные на …»: when the newest upload that brought rows was processed. */
  private showAsOf(items: readonly UploadSummary[]): void {
    const newest = items.find((u) => u.rows.accepted > 0);
    this.asOf.textContent = newest ? `данные на ${formatMoment(newest.completed_at)}` : '';
  }

  private async download(format: DocumentFormat, button: HTMLButtonElement): Promise<void> {
    const week = this.week;
    if (!week) return;
    button.disabled = true;
    try {
      // the documents of the weeks up to the one shown; their last week is this week
      const blob = await api.report(region, format, week.start);
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: `sferum-${region}-${week.start}.${format}` });
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
}

const metricNames: Readonly<Record<string, true>> = Object.fromEntries([...COVERAGE.map((c) => c.metric), ...KPI.map((k) => k.metric)].map((m) => [m, true]));

/** A week in the selector: its label, and «предварительно» / «неполные» when its exports are not all in. */
function optionText(p: PeriodView): string {
  if (p.completeness.state === 'provisional') return `${p.label} — предварительно`;
  if (p.completeness.state === 'incomplete') return `${p.label} — неполные данные`;
  return p.label;
}

/** The mark each card and the table carry for a week whose exports are not all in. */
function weekMark(p: PeriodView): WeekMark {
  const c = p.completeness;
  if (c.state === 'complete') return null;
  return { state: c.state, label: c.label ?? (c.state === 'provisional' ? 'предварительно' : 'неполные данные') };
}

/** The timeseries of the coverage shares and the KPIs of a scope (each fetched once per view). */
async function trendSeries(scope: string, level: 'region' | 'municipality'): Promise<{ coverage: TimeseriesBody[]; kpi: TimeseriesBody[] }> {
  const coverage = COVERAGE.filter((c) => level === 'region' || metricInfo(c.metric).scope === 'all');
  const [cov, kpi] = await Promise.all([Promise.all(coverage.map((c) => api.timeseries(region, c.metric, scope))), Promise.all(KPI.map((k) => api.timeseries(region, k.metric, scope)))]);
  return { coverage: cov, kpi };
}

/** The lines and target lines of one chart from timeseries bodies. */
function chartOf(bodies: readonly TimeseriesBody[], colors: readonly string[]): { lines: TrendLine[]; targets: TargetLine[] } {
  const lines: TrendLine[] = [];
  const targets: TargetLine[] = [];
  bodies.forEach((b, i) => {
    const label = metricInfo(b.metric).label;
    // a metric without data keeps its legend entry ("—") and its target line
    lines.push({ label, color: colors[i]!, points: b.points.map((p) => ({ key: p.period.key, end: p.period.end, label: p.period.label, value: p.value })) });
    for (const t of b.targets) targets.push({ label: `цель «${label}»`, color: colors[i]!, threshold: t.threshold });
  });
  return { lines, targets };
}

function drawCharts(holder: HTMLElement, s: { coverage: TimeseriesBody[]; kpi: TimeseriesBody[] }, marked: string): void {
  const covBox = h('figure', { class: 'chart', 'data-chart': 'coverage' }, h('figcaption', {}, 'Охват: доля в Сферуме'));
  const kpiBox = h('figure', { class: 'chart', 'data-chart': 'kpi' }, h('figcaption', {}, 'Активность педагогов: доля от всех педагогов'));
  holder.replaceChildren(covBox, kpiBox);
  const colors = new Map<string, string>([...COVERAGE.map((c) => [c.metric, c.color] as const), ...KPI.map((k) => [k.metric, k.color] as const)]);
  const c = chartOf(s.coverage, s.coverage.map((b) => colors.get(b.metric)!));
  trendChart(covBox, 'Охват по неделям', c.lines, c.targets, { zoom: true, marked });
  const k = chartOf(s.kpi, s.kpi.map((b) => colors.get(b.metric)!));
  trendChart(kpiBox, 'Активность педагогов по неделям', k.lines, k.targets, { zoom: false, marked });
}

/** One municipality for the week shown: its figures, its inactive schools, its own trend. */
class MunicipalityView {
  constructor(
    private readonly s: HTMLElement,
    private readonly week: () => PeriodView | null,
    private readonly trace: (scope: string, metric: MetricId) => void,
  ) {}

  async open(scope: string): Promise<void> {
    const s = this.s;
    const week = this.week();
    if (!week || scope === '') return;
    s.hidden = false;
    s.setAttribute('data-scope', scope);
    s.replaceChildren(h('h2', {}, 'Муниципалитет'), h('p', { class: 'muted' }, 'Загрузка…'));
    const url = new URL(window.location.href);
    url.searchParams.set('period', week.key);
    url.searchParams.set('scope', scope);
    history.replaceState(null, '', url.pathname + url.search);
    try {
      const body = await api.period(region, week.key);
      if (this.week()?.key !== week.key || s.getAttribute('data-scope') !== scope) return;
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
        cards(
          r,
          body.targets,
          (metric) => {
            const b = h('button', { type: 'button', class: 'link trace', 'data-metric': metric }, 'откуда эти данные');
            on(b, 'click', () => this.trace(scope, metric));
            return [b];
          },
          weekMark(body.period),
        ),
        h('h3', {}, 'Школы'),
        h('p', {}, `Всего ${formatCount(r.metrics.schools_total)}, в Сферуме ${formatCount(r.metrics.schools_in_sferum)}, из них с неактивным администратором ${formatCount(r.metrics.schools_inactive)}.`),
        schools,
        h('h3', {}, 'Динамика МОУО'),
        trend,
      );
      s.scrollIntoView({ block: 'start' });
      await Promise.all([
        this.schools(schools, scope, body.period.start),
        trendSeries(scope, 'municipality').then(
          (series) => drawCharts(trend, series, week.key),
          (err: unknown) => trend.replaceChildren(failure(err)),
        ),
      ]);
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

async function start(): Promise<void> {
  clear(root);
  resetView();
  await new Dashboard().start();
}

takeKeyFromUrl();
if (storedKey()) void start();
else login(null);
