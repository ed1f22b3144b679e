// Browser: the regional KPIs over time against their target lines, drawn by uPlot (bundled
// from npm, no CDN). One solid line per KPI share and one dashed line per target in the
// same colour; the x axis is the period end, the y axis percent.
import uPlot from 'uplot';
import type { TimeseriesBody } from '../../api/views.ts';
import { formatDate, formatPercent } from './format.ts';

export type KpiSeries = { readonly label: string; readonly color: string; readonly body: TimeseriesBody };

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;

export function kpiChart(target: HTMLElement, series: readonly KpiSeries[]): uPlot {
  // every series shares the x values: the union of the periods, ascending
  const ends = [...new Set(series.flatMap((s) => s.body.points.map((p) => p.period.end)))].sort();
  const xs = ends.map(day);
  const labelOf = new Map(series.flatMap((s) => s.body.points.map((p) => [p.period.end, p.period.label] as const)));
  const data: (number | null)[][] = [xs];
  const defs: uPlot.Series[] = [{ label: 'Неделя', value: (_u, v) => (v == null ? '—' : (labelOf.get(new Date(v * 1000).toISOString().slice(0, 10)) ?? '—')) }];
  for (const s of series) {
    const byEnd = new Map(s.body.points.map((p) => [p.period.end, p.value]));
    data.push(ends.map((e) => byEnd.get(e) ?? null));
    defs.push({ label: s.label, stroke: s.color, width: 2, spanGaps: false, points: { show: true, size: 6 }, value: (_u, v) => formatPercent(v ?? null) });
    for (const t of s.body.targets) {
      data.push(ends.map(() => t.threshold));
      defs.push({ label: `цель ${t.op === '>=' ? '≥' : '='} ${formatPercent(t.threshold, 0)}`, stroke: s.color, width: 1, dash: [6, 4], points: { show: false }, value: (_u, v) => formatPercent(v ?? null, 0) });
    }
  }
  const width = Math.max(320, target.clientWidth || 800);
  const opts: uPlot.Options = {
    width,
    height: 320,
    series: defs,
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(0.05, Math.ceil((max * 1.1) / 0.05) * 0.05)] } },
    axes: [
      { values: (_u, splits) => splits.map((v) => formatDate(new Date(v * 1000).toISOString().slice(0, 10)).slice(0, 5)) },
      { values: (_u, splits) => splits.map((v) => formatPercent(v, 0)), size: 60 },
    ],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
  };
  const plot = new uPlot(opts, data as uPlot.AlignedData, target);
  // follow the container's width
  const resize = () => plot.setSize({ width: Math.max(320, target.clientWidth || width), height: 320 });
  window.addEventListener('resize', resize);
  return plot;
}
