// Browser: the municipalities ranked on one KPI against its target, for the week shown — a
// horizontal bar per МОУО, longest first, coloured by its evaluation, with the target as a
// line across all bars and a count of those at or above it. One KPI at a time (a tab per
// KPI): 33 bars each for four KPIs at once made a page nobody scrolls through. Bars are
// plain elements sized through the CSSOM, so they print and need no canvas.
import type { PeriodBody, RowView } from '../../shared/api/views.ts';
import type { MetricId } from '../../shared/domain/schemas.ts';
import { append, h, on } from '../dom.ts';
import { standing } from './cards.ts';
import { formatPercent, shortName } from './format.ts';
import { KPI } from './labels.ts';

export class Ranking {
  readonly element: HTMLElement;
  private metric: MetricId = KPI[0]!.metric;
  private body: PeriodBody | null = null;
  private readonly tabs: HTMLElement;
  private readonly figure: HTMLElement;

  constructor() {
    this.tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Показатель' });
    this.figure = h('figure', { class: 'ranking', role: 'tabpanel' });
    for (const k of KPI) {
      const b = h('button', { type: 'button', role: 'tab', class: 'tab', 'data-metric': k.metric }, k.label);
      on(b, 'click', () => {
        this.metric = k.metric;
        this.render();
      });
      append(this.tabs, b);
    }
    this.element = h('div', {}, this.tabs, this.figure);
  }

  show(body: PeriodBody): void {
    this.body = body;
    this.render();
  }

  private render(): void {
    const body = this.body;
    if (!body) return;
    for (const b of Array.from(this.tabs.children) as HTMLElement[]) b.setAttribute('aria-selected', String(b.dataset['metric'] === this.metric));
    const metric = this.metric;
    const label = KPI.find((k) => k.metric === metric)!.label;
    const target = body.targets.find((t) => t.metric === metric);
    const value = (r: RowView) => r.metrics[metric];
    const rows = [...body.municipalities].sort((a, b) => (value(b) ?? -1) - (value(a) ?? -1) || a.scope.name.localeCompare(b.scope.name, 'ru'));
    const max = Math.max(target?.threshold ?? 0, ...rows.map((r) => value(r) ?? 0));
    // a round top a little above the largest bar or the target
    const top = Math.min(1, Math.max(0.05, Math.ceil((max * 1.08) / 0.05) * 0.05));
    const at = (v: number) => `${((Math.min(v, top) / top) * 100).toFixed(2)}%`;
    const reached = target ? rows.filter((r) => (value(r) ?? -1) >= target.threshold - 1e-12).length : 0;
    const list = h('ol', { class: 'bars' });
    for (const r of rows) {
      const v = value(r);
      const st = standing(r.evaluations.find((e) => e.metric === metric));
      const fill = h('span', { class: `fill st-${st.kind}` });
      fill.style.width = v === null ? '0%' : at(v);
      const track = h('span', { class: 'track' }, fill);
      if (target) {
        const line = h('span', { class: 'target-line', title: `цель ${formatPercent(target.threshold, 0)}` });
        line.style.left = at(target.threshold);
        append(track, line);
      }
      append(
        list,
        h('li', { 'data-scope': r.scope.id, 'data-status': st.kind, title: st.text }, h('span', { class: 'who', title: r.scope.name }, shortName(r.scope.name)), track, h('span', { class: 'what num' }, formatPercent(v, 2))),
      );
    }
    this.figure.replaceChildren(
      h(
        'figcaption',
        {},
        `${label}, ${body.period.label}: `,
        target ? `цели ${formatPercent(target.threshold, 0)} достигли ${reached} из ${rows.length} МОУО` : 'цели нет',
        target ? h('span', { class: 'legend-line' }, ' · ', h('span', { class: 'target-swatch', 'aria-hidden': 'true' }), ' цель') : null,
      ),
      list,
    );
  }
}
