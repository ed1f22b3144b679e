// Browser: the headline cards of a week — each coverage share and each KPI against its
// target: value, what it counts, due date, forecast, change from last week, a progress bar
// and the standing in words. Coverage cards and KPI cards are two rows of their own (3 and
// 4), so no card is left alone on a row. A progress bar's fill ends where the value is on
// a scale printed under it, and a tick marks the target: a coverage bar runs from a round
// value below the share to 100 %, since at 98,72 % of a 0–100 % bar it looked full while
// the card said the target was missed.
import type { EvaluationView, RowView, TargetView } from '../../shared/api/views.ts';
import { metricInfo } from '../../shared/domain/metric-catalog.ts';
import type { MetricId } from '../../shared/domain/schemas.ts';
import { append, h } from '../dom.ts';
import { formatCount, formatDate, formatDelta, formatPercent, formatPoints } from './format.ts';
import { COVERAGE, EVALUATION_RU, KPI, PENDING_NO_TREND_RU, type Standing } from './labels.ts';

/** Where a figure stands against its target; a pending one without a trend says so. */
export function standing(ev: EvaluationView | undefined): { readonly kind: Standing; readonly text: string } {
  if (!ev) return { kind: 'none', text: EVALUATION_RU.none };
  // a status added to the API before its words reach this table still reads as its code, not as nothing
  return { kind: ev.status, text: ev.status === 'pending' && ev.projected === null ? PENDING_NO_TREND_RU : (EVALUATION_RU[ev.status] ?? ev.status) };
}

const opSign = (t: TargetView) => (t.op === '>=' ? '≥' : '=');

/** `до цели 13,71 п.п.` or `выше цели на 2,10 п.п.`: how far the value is from the threshold. */
export function gapText(value: number | null, t: TargetView): string {
  if (value === null) return '';
  const diff = value - t.threshold;
  if (Math.abs(diff) < 1e-9) return 'точно на уровне цели';
  return diff < 0 ? `до цели ${formatPoints(diff)}` : `выше цели на ${formatPoints(diff)}`;
}

const isCoverage = (m: MetricId) => COVERAGE.some((c) => c.metric === m);

/** The scale of a card's bar: coverage from a round 10 % below the value to 100 %; a KPI from 0 to a round value above value and target. */
export function barScale(metric: MetricId, value: number | null, threshold: number): { lo: number; hi: number } {
  if (isCoverage(metric)) return { lo: Math.max(0, Math.min(0.9, Math.floor(((value ?? 1) - 1e-9) * 10) / 10)), hi: 1 };
  // toFixed: 3 × 0.1 is 0.30000000000000004 in binary
  return { lo: 0, hi: Math.min(1, Number((Math.ceil((Math.max(value ?? 0, threshold) * 1.2) / 0.1) * 0.1).toFixed(2))) };
}

function progress(metric: MetricId, value: number | null, target: TargetView): HTMLElement {
  const { lo, hi } = barScale(metric, value, target.threshold);
  const at = (v: number) => `${(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * 100).toFixed(2)}%`;
  const fill = h('span', { class: 'fill' });
  const mark = h('span', { class: 'mark', title: `цель ${formatPercent(target.threshold, 0)}` });
  fill.style.width = value === null ? '0%' : at(value);
  mark.style.left = at(target.threshold);
  return h(
    'div',
    { class: 'progress', 'data-lo': lo, 'data-hi': hi },
    h('div', { class: 'track', 'aria-hidden': 'true' }, fill, mark),
    h('div', { class: 'scale' }, h('span', {}, formatPercent(lo, 0)), h('span', {}, formatPercent(hi, 0))),
  );
}

/** Whose count a share's denominator is, for the coverage note: «данные по 87 % педагогов». */
const DENOMINATOR_RU: Partial<Record<MetricId, string>> = { students_in_sferum_share: 'обучающихся' };

/**
 * «данные по 87,0 % педагогов»: the share was computed over all schools, but only this part
 * of its denominator came from schools that reported the count (issue 21); null at 100 %.
 */
export function coverageNote(row: RowView, metric: MetricId): string | null {
  const c = row.data_coverage?.[metric];
  if (c === undefined || c === null || c >= 1 - 1e-12 || row.metrics[metric] === null) return null;
  return `данные по ${formatPercent(c, 1)} ${DENOMINATOR_RU[metric] ?? 'педагогов'}`;
}

/** What a card says of its week's exports, when they are not all in: the completeness label. */
export type WeekMark = { readonly state: 'provisional' | 'incomplete'; readonly label: string } | null;

/** One headline card. `extra` carries the page's own additions (the provenance link). */
export function card(row: RowView, metric: MetricId, target: TargetView | undefined, sub: string | null, extra: readonly Node[] = [], mark: WeekMark = null): HTMLElement {
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
    mark ? h('p', { class: `week-mark mark-${mark.state}` }, mark.label) : null,
    sub ? h('p', { class: 'sub' }, sub) : null,
    ((note) => (note ? h('p', { class: 'coverage-note' }, note) : null))(coverageNote(row, metric)),
    h('p', { class: 'delta' }, `за неделю: ${value === null ? 'нет данных' : delta || 'без изменений'}`),
  );
  if (target) {
    append(
      el,
      h('p', { class: 'target' }, `цель ${opSign(target)} ${formatPercent(target.threshold, 0)} к ${formatDate(target.due)}`),
      h('p', { class: 'forecast' }, ev?.projected == null ? 'прогноз к сроку: нет' : `прогноз к ${formatDate(target.due)}: ${formatPercent(ev.projected, info.decimals === 0 ? 2 : info.decimals)}`),
      progress(metric, value, target),
      h('p', { class: 'gap' }, gapText(value, target)),
    );
  }
  append(el, h('p', { class: 'status' }, st.text), ...extra);
  return el;
}

/** The cards of a row in two groups: coverage, then the KPIs. */
export function cards(row: RowView, targets: readonly TargetView[], extra: (metric: MetricId) => readonly Node[] = () => [], mark: WeekMark = null): HTMLElement {
  const target = (m: MetricId) => targets.find((t) => t.metric === m);
  const coverage = COVERAGE.filter((c) => metricInfo(c.metric).scope === 'all' || row.scope.level === 'region');
  return h(
    'div',
    { class: 'card-groups' },
    h(
      'div',
      { class: `cards cards-coverage n${coverage.length}` },
      ...coverage.map((c) => card(row, c.metric, target(c.metric), `${formatCount(row.metrics[c.of[0]])} из ${formatCount(row.metrics[c.of[1]])} ${c.unit}`, extra(c.metric), mark)),
    ),
    h('div', { class: 'cards cards-kpi' }, ...KPI.map((k) => card(row, k.metric, target(k.metric), null, extra(k.metric), mark))),
  );
}

export function legendOfColours(): HTMLElement {
  const kinds: Standing[] = ['met', 'pending', 'at_risk', 'breach', 'needs_review', 'provisional', 'no_data'];
  return h('ul', { class: 'colours' }, ...kinds.map((k) => h('li', {}, h('span', { class: `swatch st-${k}` }), EVALUATION_RU[k])));
}
