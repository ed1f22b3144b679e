// Browser: a weekly trend of shares against their targets, drawn by uPlot (bundled from npm,
// no CDN). One solid line per metric; each target a dashed line in its metric's colour with
// its own dash pattern. The x axis is one evenly spaced slot
// per reported week (weeks are irregular — 20.02–22.02, 23.02–03.03 — and a time axis
// spaced their ticks unevenly); the week the dashboard shows is shaded. The y axis of a
// coverage chart is zoomed to the band the values and targets live in (92–100 % squashed
// into a sliver of a 0–100 % axis said nothing), with ticks at a round, even step. The
// newest value of each line and each target («цель 35 %») are printed in a gutter right of
// the plot, moved apart so none collides with another (98,7 % and 100,0 % did), and
// repeated in the legend below, so nothing needs a hover.
import uPlot from 'uplot';
import { append, h } from '../dom.ts';
import { formatPercent } from './format.ts';

export type TrendPoint = { readonly key: string; readonly end: string; readonly label: string; readonly value: number | null };
export type TrendLine = { readonly label: string; readonly color: string; readonly points: readonly TrendPoint[] };
export type TargetLine = { readonly label: string; readonly color: string; readonly threshold: number };
export type ChartOptions = {
  /** zoom the y axis to the values' band (coverage); otherwise it starts at 0 */
  readonly zoom: boolean;
  /** the key of the week to shade */
  readonly marked: string | null;
};

const DASHES: readonly (readonly number[])[] = [
  [8, 4],
  [2, 4],
  [10, 3, 2, 3],
  [4, 4],
];
const HEIGHT = 300;
/** px between two label rows */
const LABEL_GAP = 14;
/** the gutter right of the plot that holds the newest values */
const GUTTER = 76;
const STEPS = [0.001, 0.002, 0.0025, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25];

/** A round step that gives at most `max` intervals over [lo, hi]. */
export function niceStep(lo: number, hi: number, max = 6): number {
  return STEPS.find((s) => (hi - lo) / s <= max) ?? 0.25;
}

/** The y range: from 0, or (zoomed) from a round value just under the lowest value or target, to a round value above the highest. */
export function yRange(values: readonly number[], zoom: boolean): { lo: number; hi: number; step: number } {
  const top = Math.max(0.05, ...values);
  const bottom = Math.min(top, ...values);
  let lo = 0;
  if (zoom) {
    const pad = Math.max(0.01, (top - bottom) * 0.15);
    lo = Math.max(0, bottom - pad);
  }
  let hi = Math.min(1, top + Math.max(0.005, (top - lo) * 0.08));
  const step = niceStep(lo, hi);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.min(Math.ceil(hi / step - 1e-9) * step, Math.max(1, top));
  if (hi <= top) hi = top + step / 2;
  return { lo, hi, step };
}

/** Ticks at every multiple of the step inside the range: evenly spaced by construction. */
export function evenTicks(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + 1e-9; i++) out.push(Number((i * step).toFixed(6)));
  return out;
}

/** Label rows for `ys` (px), moved apart so no two overlap, kept inside [min, max]; same order as given. */
export function spread(ys: readonly number[], min = -Infinity, max = Infinity, gap = LABEL_GAP): number[] {
  const order = ys.map((y, i) => ({ y: Math.min(max, Math.max(min, y)), i })).sort((a, b) => a.y - b.y);
  const out = new Array<number>(ys.length);
  let last = -Infinity;
  for (const o of order) {
    o.y = Math.max(o.y, last + gap);
    last = o.y;
  }
  // pushed past the bottom: shift the run back up, keeping the gaps
  const overflow = last - max;
  if (overflow > 0) {
    let next = Infinity;
    for (let k = order.length - 1; k >= 0; k--) {
      const o = order[k]!;
      o.y = Math.min(o.y - overflow, next - gap);
      next = o.y;
    }
  }
  for (const o of order) out[o.i] = o.y;
  return out;
}

const ddmm = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}`;

export function trendChart(holder: HTMLElement, title: string, lines: readonly TrendLine[], targets: readonly TargetLine[], options: ChartOptions): uPlot {
  const weeks = [...new Map(lines.flatMap((l) => l.points.map((p) => [p.key, p] as const))).values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const xs = weeks.map((_w, i) => i);
  const data: (number | null)[][] = [xs];
  const series: uPlot.Series[] = [{}];
  for (const l of lines) {
    const byKey = new Map(l.points.map((p) => [p.key, p.value]));
    data.push(weeks.map((w) => byKey.get(w.key) ?? null));
    series.push({ label: l.label, stroke: l.color, width: 2, spanGaps: false, points: { show: true, size: 6, fill: l.color } });
  }
  targets.forEach((t, i) => {
    data.push(weeks.map(() => t.threshold));
    series.push({ label: t.label, stroke: t.color, width: 1.5, dash: [...DASHES[i % DASHES.length]!], points: { show: false } });
  });
  const values = data.slice(1).flatMap((d) => d.filter((v): v is number => v !== null));
  const y = yRange(values, options.zoom);
  const marked = weeks.findIndex((w) => w.key === options.marked);

  const canvasHolder = h('div', { class: 'chart-canvas', role: 'img', 'aria-label': title });
  const legend = h('ul', { class: 'chart-legend' });
  append(holder, canvasHolder, legend);
  const width = () => Math.max(280, canvasHolder.clientWidth || holder.clientWidth || 600);

  const drawLabels = (u: uPlot) => {
    const ctx = u.ctx;
    const px = devicePixelRatio || 1;
    const top = u.bbox.top / px;
    const bottom = (u.bbox.top + u.bbox.height) / px;
    ctx.save();
    // the week the page shows, shaded behind the lines
    if (marked >= 0) {
      const x0 = u.valToPos(marked - 0.5, 'x', true);
      const x1 = u.valToPos(marked + 0.5, 'x', true);
      ctx.fillStyle = 'rgba(9,105,218,0.08)';
      ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
    }
    ctx.font = `${11 * px}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    // the gutter right of the plot holds one label per line (its newest value) and per target
    // («цель 35 %»), each at its own height, spread apart so none collides; labels over the
    // plot hid the lines they named
    type Label = { y: number; text: string; color: string; target: boolean };
    const labels: Label[] = [];
    lines.forEach((l, s) => {
      const col = data[s + 1]!;
      let i = col.length - 1;
      while (i >= 0 && col[i] === null) i--;
      if (i >= 0) labels.push({ y: u.valToPos(col[i]!, 'y', true) / px, text: formatPercent(col[i]!, 1), color: l.color, target: false });
    });
    for (const t of targets) labels.push({ y: u.valToPos(t.threshold, 'y', true) / px, text: `цель ${formatPercent(t.threshold, 0)}`, color: t.color, target: true });
    const ys = spread(
      labels.map((l) => l.y),
      top + 6,
      bottom - 6,
    );
    const gutterX = u.bbox.left + u.bbox.width + 6 * px;
    labels.forEach((l, k) => {
      ctx.fillStyle = l.color;
      ctx.font = `${l.target ? 'italic ' : 'bold '}${11 * px}px system-ui, sans-serif`;
      ctx.fillText(l.text, gutterX, ys[k]! * px);
    });
    canvasHolder.dataset['labels'] = labels.map((l, k) => `${l.text}@${Math.round(ys[k]!)}`).join('|');
    ctx.restore();
  };

  const opts: uPlot.Options = {
    width: width(),
    height: HEIGHT,
    series,
    legend: { show: false },
    padding: [12, GUTTER, 0, 0],
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: () => [-0.5, Math.max(0, weeks.length - 1) + 0.5] }, y: { range: () => [y.lo, y.hi] } },
    axes: [
      {
        // one tick per week when there is room (~46 px a label), every n-th week when not, the newest always
        splits: (u) => {
          const step = Math.max(1, Math.ceil((weeks.length * 46) / Math.max(1, u.bbox.width / (devicePixelRatio || 1))));
          return xs.filter((i) => (weeks.length - 1 - i) % step === 0);
        },
        values: (_u, splits) => splits.map((i) => (weeks[i] ? ddmm(weeks[i]!.end) : '')),
        grid: { show: false },
      },
      {
        splits: () => evenTicks(y.lo, y.hi, y.step),
        values: (_u, splits) => splits.map((v) => formatPercent(v, y.step < 0.01 ? 1 : 0)),
        size: 60,
      },
    ],
    hooks: { draw: [drawLabels] },
  };
  const plot = new uPlot(opts, data as uPlot.AlignedData, canvasHolder);
  canvasHolder.dataset['yMin'] = String(y.lo);
  canvasHolder.dataset['yMax'] = String(y.hi);
  canvasHolder.dataset['yTicks'] = evenTicks(y.lo, y.hi, y.step).join(' ');

  // the legend: every line with its newest value, every target with its threshold
  lines.forEach((l, s) => {
    const col = data[s + 1]!;
    const lastIdx = col.map((v, i) => (v === null ? -1 : i)).reduce((a, b) => Math.max(a, b), -1);
    const at = lastIdx < 0 ? '' : ` (${weeks[lastIdx]?.label ?? ''})`;
    append(legend, h('li', { class: 'series' }, h('span', { class: 'swatch line', 'data-color': l.color }), `${l.label}: `, h('b', {}, formatPercent(lastIdx < 0 ? null : col[lastIdx]!)), at));
  });
  targets.forEach((t) => append(legend, h('li', { class: 'target' }, h('span', { class: 'swatch dash', 'data-color': t.color }), `${t.label}: ${formatPercent(t.threshold, 0)}`)));
  // CSP forbids inline styles in markup, not the CSSOM: colour the swatches through it
  for (const sw of Array.from(legend.querySelectorAll<HTMLElement>('[data-color]'))) sw.style.borderColor = sw.dataset['color']!;

  const resize = () => {
    if (canvasHolder.isConnected) plot.setSize({ width: width(), height: HEIGHT });
  };
  window.addEventListener('resize', resize);
  // printing lays the page out at the paper's width: redraw the canvas to fit it, and back
  window.addEventListener('beforeprint', resize);
  window.addEventListener('afterprint', resize);
  return plot;
}
