// Browser: a weekly trend of shares against their targets, drawn by uPlot (bundled from npm,
// no CDN). One solid line per metric; each target a dashed line in its metric's colour with
// its own dash pattern and a label at the left edge, labels pushed apart when two targets
// share a value (35 % and 35 %), so every target stays visible and named. The x axis has one
// tick per week; the newest value of each line is printed beside its last point and in the
// legend below, so nothing needs a hover.
import uPlot from 'uplot';
import { append, h } from '../dom.ts';
import { formatDate, formatPercent } from './format.ts';

export type TrendPoint = { readonly end: string; readonly label: string; readonly value: number | null };
export type TrendLine = { readonly label: string; readonly color: string; readonly points: readonly TrendPoint[] };
export type TargetLine = { readonly label: string; readonly color: string; readonly threshold: number };

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;
const DASHES: readonly (readonly number[])[] = [
  [8, 4],
  [2, 4],
  [10, 3, 2, 3],
  [4, 4],
];
const HEIGHT = 300;
const LABEL_GAP = 13;

/** At most one tick per ~56 px: every week when there is room, every n-th week when not. */
function weeklySplits(xs: readonly number[], width: number): number[] {
  const step = Math.max(1, Math.ceil((xs.length * 56) / Math.max(1, width - 80)));
  return xs.filter((_x, i) => (xs.length - 1 - i) % step === 0);
}

/** Label rows for targets at `ys` (px), moved apart so no two overlap; same order as given. */
function spread(ys: readonly number[]): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const out = new Array<number>(ys.length);
  let last = -Infinity;
  for (const { y, i } of order) {
    const at = Math.max(y, last + LABEL_GAP);
    out[i] = at;
    last = at;
  }
  return out;
}

export function trendChart(holder: HTMLElement, title: string, lines: readonly TrendLine[], targets: readonly TargetLine[]): uPlot {
  const ends = [...new Set(lines.flatMap((l) => l.points.map((p) => p.end)))].sort();
  const xs = ends.map(day);
  const data: (number | null)[][] = [xs];
  const series: uPlot.Series[] = [{}];
  for (const l of lines) {
    const byEnd = new Map(l.points.map((p) => [p.end, p.value]));
    data.push(ends.map((e) => byEnd.get(e) ?? null));
    series.push({ label: l.label, stroke: l.color, width: 2, spanGaps: false, points: { show: true, size: 6, fill: l.color } });
  }
  targets.forEach((t, i) => {
    data.push(ends.map(() => t.threshold));
    series.push({ label: t.label, stroke: t.color, width: 1.5, dash: [...DASHES[i % DASHES.length]!], points: { show: false } });
  });
  const top = Math.max(0.05, ...targets.map((t) => t.threshold), ...data.slice(1).flatMap((d) => d.filter((v): v is number => v !== null)));
  const canvasHolder = h('div', { class: 'chart-canvas', role: 'img', 'aria-label': title });
  const legend = h('ul', { class: 'chart-legend' });
  append(holder, canvasHolder, legend);
  const width = () => Math.max(280, canvasHolder.clientWidth || holder.clientWidth || 600);

  const drawLabels = (u: uPlot) => {
    const ctx = u.ctx;
    const px = devicePixelRatio || 1;
    ctx.save();
    ctx.font = `${11 * px}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    // targets: labels just above their line at the left edge (the newest values are
    // labelled at the right), spread apart when values coincide
    const ys = spread(targets.map((t) => u.valToPos(t.threshold, 'y', true) / px - 8)).map((y) => y * px);
    targets.forEach((t, i) => {
      const text = `${t.label}: ${formatPercent(t.threshold, 0)}`;
      const x = u.bbox.left + 4 * px;
      ctx.fillStyle = 'rgba(255,255,255,0.7)';
      ctx.fillRect(x - 2 * px, ys[i]! - 7 * px, ctx.measureText(text).width + 4 * px, 14 * px);
      ctx.fillStyle = t.color;
      ctx.fillText(text, x, ys[i]!);
    });
    // the newest value of each line beside its last point
    const last = lines.map((_l, s) => {
      const col = data[s + 1]!;
      let i = col.length - 1;
      while (i >= 0 && col[i] === null) i--;
      return i < 0 ? null : { x: u.valToPos(xs[i]!, 'x', true), y: u.valToPos(col[i]!, 'y', true), v: col[i]! };
    });
    const spreadYs = spread(last.map((p) => (p ? p.y / px : 0))).map((y) => y * px);
    last.forEach((p, s) => {
      if (!p) return;
      const text = formatPercent(p.v, 1);
      ctx.fillStyle = lines[s]!.color;
      ctx.fillText(text, Math.max(u.bbox.left, p.x - ctx.measureText(text).width - 8 * px), spreadYs[s]! - 9 * px);
    });
    ctx.restore();
  };

  const opts: uPlot.Options = {
    width: width(),
    height: HEIGHT,
    series,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: (_u, min, max) => [min - 2 * 86400, max + 2 * 86400] }, y: { range: () => [0, Math.min(1.05, Math.ceil((top * 1.12) / 0.05) * 0.05)] } },
    axes: [
      {
        splits: (u) => weeklySplits(xs, u.width),
        values: (_u, splits) => splits.map((v) => formatDate(new Date(v * 1000).toISOString().slice(0, 10)).slice(0, 5)),
      },
      { values: (_u, splits) => splits.map((v) => formatPercent(v, 0)), size: 56 },
    ],
    hooks: { draw: [drawLabels] },
  };
  const plot = new uPlot(opts, data as uPlot.AlignedData, canvasHolder);

  // the legend: every line with its newest value, every target with its threshold
  lines.forEach((l, s) => {
    const col = data[s + 1]!;
    const lastIdx = col.map((v, i) => (v === null ? -1 : i)).reduce((a, b) => Math.max(a, b), -1);
    const at = lastIdx < 0 ? '' : ` (${l.points.find((p) => p.end === ends[lastIdx])?.label ?? ''})`;
    append(legend, h('li', { class: 'series' }, h('span', { class: 'swatch line', 'data-color': l.color }), `${l.label}: `, h('b', {}, formatPercent(lastIdx < 0 ? null : col[lastIdx]!)), at));
  });
  targets.forEach((t) => append(legend, h('li', { class: 'target' }, h('span', { class: 'swatch dash', 'data-color': t.color }), `${t.label}: ${formatPercent(t.threshold, 0)}`)));
  // CSP forbids inline styles in markup, not the CSSOM: colour the swatches through it
  for (const sw of Array.from(legend.querySelectorAll<HTMLElement>('[data-color]'))) sw.style.borderColor = sw.dataset['color']!;

  const resize = () => plot.setSize({ width: width(), height: HEIGHT });
  window.addEventListener('resize', resize);
  return plot;
}
