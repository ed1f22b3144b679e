// Browser: the municipal table of a week — one row per МОУО, the region in the footer, each
// KPI cell coloured by its own evaluation. Any column sorts by a click on its header (again
// for the other direction); a search box filters by name (case and ё/е ignored). The table
// scrolls sideways inside its holder with the name column kept in view; when it is wider
// than the screen, a hint above it says so (at 390 px nothing showed the table went on).
import type { PeriodBody, RowView, TargetView } from '../../shared/api/views.ts';
import type { MetricId } from '../../shared/domain/schemas.ts';
import { append, h, on } from '../dom.ts';
import { coverageNote, gapText, standing, type WeekMark } from './cards.ts';
import { formatCount, formatDelta, formatPercent, shortName } from './format.ts';
import { KPI } from './labels.ts';

type Column = {
  readonly id: string;
  readonly header: string;
  readonly cell: (r: RowView) => string;
  readonly sort: (r: RowView) => number | string | null;
  readonly metric?: MetricId;
  readonly delta?: (r: RowView) => string;
  readonly numeric: boolean;
};

const COLUMNS: readonly Column[] = [
  { id: 'name', header: 'МОУО', cell: (r) => r.scope.name, sort: (r) => r.scope.name, numeric: false },
  { id: 'export', header: 'Выгрузка', cell: (r) => (r.has_export ? 'есть' : 'нет'), sort: (r) => (r.has_export ? 1 : 0), numeric: false },
  { id: 'schools', header: 'ОО в Сфере', cell: (r) => `${formatCount(r.metrics.schools_in_sferum)} из ${formatCount(r.metrics.schools_total)}`, sort: (r) => r.metrics.schools_in_sferum, numeric: true },
  { id: 'schools_share', header: '% ОО в Сфере', cell: (r) => formatPercent(r.metrics.schools_in_sferum_share), sort: (r) => r.metrics.schools_in_sferum_share, metric: 'schools_in_sferum_share', numeric: true },
  { id: 'inactive', header: 'Неактивных ОО', cell: (r) => formatCount(r.metrics.schools_inactive), sort: (r) => r.metrics.schools_inactive, numeric: true },
  { id: 'students', header: 'Обуч-ся в Сфере', cell: (r) => formatPercent(r.metrics.students_in_sferum_share), sort: (r) => r.metrics.students_in_sferum_share, metric: 'students_in_sferum_share', numeric: true },
  ...KPI.map(
    (k): Column => ({
      id: k.metric,
      header: k.label,
      cell: (r) => formatPercent(r.metrics[k.metric], 3),
      sort: (r) => r.metrics[k.metric],
      metric: k.metric,
      delta: (r) => formatDelta(r.deltas[k.metric], 'share'),
      numeric: true,
    }),
  ),
];

/** Lower case, ё as е, spaces collapsed: how a name is searched. */
export const foldName = (s: string): string => s.toLocaleLowerCase('ru').replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();

export type TableHooks = {
  /** the МОУО name was clicked */
  readonly open: (scope: string) => void;
  /** extra nodes for a cell (the provenance link); none by default */
  readonly cellExtra?: (r: RowView, column: string) => readonly Node[];
  /** a mark beside the name (a provisional or missing export) */
  readonly nameExtra?: (r: RowView) => readonly Node[];
  /** a figure's cell was clicked: where does it come from («откуда эти данные») */
  readonly sources?: (scope: string | null, column: string) => void;
};

type SortState = { readonly column: string; readonly dir: 1 | -1 };

/** The table with its search box, sort state and scroll hint; `show` renders a week into it. */
export class MunicipalTable {
  readonly element: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly count: HTMLElement;
  private readonly holder: HTMLElement;
  private readonly hint: HTMLElement;
  private sort: SortState = { column: 'name', dir: 1 };
  private body: PeriodBody | null = null;

  constructor(private readonly hooks: TableHooks) {
    this.search = h('input', { type: 'search', id: 'search', placeholder: 'Найти МОУО', 'aria-label': 'Найти МОУО по названию', autocomplete: 'off' });
    this.count = h('span', { class: 'muted found', 'aria-live': 'polite' });
    this.holder = h('div', { class: 'table-holder', tabindex: 0, role: 'region', 'aria-label': 'Таблица МОУО' });
    this.hint = h('p', { class: 'scroll-hint', hidden: true }, 'Таблица шире экрана: листайте её вбок ⟶');
    this.element = h(
      'div',
      { class: 'municipal-block' },
      h('div', { class: 'table-tools' }, this.search, this.count, h('span', { class: 'muted how' }, 'Нажмите на МОУО, чтобы увидеть его школы и динамику; на заголовок столбца — чтобы упорядочить.')),
      this.hint,
      this.holder,
    );
    on(this.search, 'input', () => this.filter());
    on(this.holder, 'scroll', () => this.holder.classList.toggle('scrolled', this.holder.scrollLeft > 0));
    window.addEventListener('resize', () => this.updateHint());
  }

  private mark: WeekMark = null;

  show(body: PeriodBody, mark: WeekMark = null): void {
    this.body = body;
    this.mark = mark;
    this.render();
  }

  private render(): void {
    const body = this.body;
    if (!body) return;
    const head = h(
      'tr',
      {},
      ...COLUMNS.map((c) => {
        const active = this.sort.column === c.id;
        const b = h('button', { type: 'button', class: 'sort', 'data-column': c.id }, c.header, h('span', { class: 'arrow', 'aria-hidden': 'true' }, active ? (this.sort.dir === 1 ? ' ▲' : ' ▼') : ''));
        on(b, 'click', () => {
          // numbers sort from the largest first, names from А
          this.sort = active ? { column: c.id, dir: this.sort.dir === 1 ? -1 : 1 } : { column: c.id, dir: c.numeric ? -1 : 1 };
          this.render();
        });
        // the header again as plain text for print: Chromium repeats a header on each printed page but paints no button in the repeats
        return h('th', { scope: 'col', class: c.id === 'name' ? 'name' : c.numeric ? 'num' : null, 'aria-sort': active ? (this.sort.dir === 1 ? 'ascending' : 'descending') : null }, b, h('span', { class: 'print-only', 'aria-hidden': 'true' }, c.header));
      }),
    );
    const rows = sortRows(body.municipalities, this.sort);
    const table = h(
      'table',
      { class: 'municipal', 'data-period': body.period.key },
      h('caption', {}, `Показатели МОУО за ${body.period.label}`, this.mark ? h('span', { class: `week-mark mark-${this.mark.state}` }, ` · ${this.mark.label}`) : null),
      h('thead', {}, head),
      h('tbody', {}, ...rows.map((r) => this.row(r, 'td', body.targets))),
      h('tfoot', {}, this.row(body.regional, 'th', body.targets)),
    );
    // any figure's cell says where it comes from: one listener for all of them
    on(table, 'click', (e) => {
      const td = (e.target as Element).closest<HTMLElement>('td[data-column]');
      if (!td || !this.hooks.sources) return;
      const tr = td.closest('tr')!;
      this.hooks.sources(tr.parentElement?.tagName === 'TFOOT' ? null : (tr.dataset['scope'] ?? null), td.dataset['column']!);
    });
    this.holder.replaceChildren(table);
    this.filter();
    // the hint depends on the laid-out width: measure after layout
    requestAnimationFrame(() => this.updateHint());
  }

  private row(r: RowView, tag: 'td' | 'th', targets: readonly TargetView[]): HTMLTableRowElement {
    const tr = h('tr', { 'data-scope': r.scope.id, 'data-name': foldName(r.scope.name) });
    for (const c of COLUMNS) {
      if (c.id === 'name') {
        let name: Node | string = r.scope.level === 'region' ? 'Регион' : r.scope.name;
        if (r.scope.level === 'municipality') {
          const b = h('button', { type: 'button', class: 'link open-municipality', 'data-scope': r.scope.id, title: r.scope.name }, shortName(r.scope.name));
          on(b, 'click', () => this.hooks.open(r.scope.id));
          name = b;
        }
        append(tr, h(tag, { class: 'name', scope: tag === 'th' ? 'row' : null }, name, ...(this.hooks.nameExtra?.(r) ?? [])));
        continue;
      }
      const ev = c.metric ? r.evaluations.find((e) => e.metric === c.metric) : undefined;
      const st = ev ? standing(ev) : null;
      const target = c.metric ? targets.find((t) => t.metric === c.metric) : undefined;
      const gap = target && c.metric ? gapText(r.metrics[c.metric], target) : '';
      const note = c.metric ? coverageNote(r, c.metric) : null;
      const title = [st?.text, gap, note, this.hooks.sources ? 'нажмите: откуда эти данные' : null].filter(Boolean).join('; ');
      const td = h('td', { class: [st ? `num st-${st.kind}` : c.numeric ? 'num' : '', this.hooks.sources ? 'traceable' : ''].join(' ').trim() || null, 'data-column': c.id, title: title || null }, c.cell(r));
      const d = c.delta?.(r);
      if (d) append(td, h('span', { class: 'delta' }, d));
      if (note) append(td, h('span', { class: 'coverage-note' }, note));
      append(td, ...(this.hooks.cellExtra?.(r, c.id) ?? []));
      append(tr, td);
    }
    return tr;
  }

  private filter(): void {
    const q = foldName(this.search.value);
    const rows = Array.from(this.holder.querySelectorAll<HTMLTableRowElement>('tbody tr'));
    let shown = 0;
    for (const tr of rows) {
      const hit = q === '' || (tr.dataset['name'] ?? '').includes(q);
      tr.hidden = !hit;
      if (hit) shown++;
    }
    this.count.textContent = q === '' ? '' : `найдено ${shown} из ${rows.length}`;
  }

  private updateHint(): void {
    this.hint.hidden = this.holder.scrollWidth <= this.holder.clientWidth + 1;
  }
}

function sortRows(rows: readonly RowView[], s: SortState): RowView[] {
  const col = COLUMNS.find((c) => c.id === s.column) ?? COLUMNS[0]!;
  const byName = (a: RowView, b: RowView) => a.scope.name.localeCompare(b.scope.name, 'ru');
  return [...rows].sort((a, b) => {
    const x = col.sort(a);
    const y = col.sort(b);
    // a missing value goes last whichever the direction
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
    const c = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y, 'ru') : Number(x) - Number(y);
    return c === 0 ? byName(a, b) : c * s.dir;
  });
}
