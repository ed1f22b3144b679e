// Rendering: the ministry's slides, in the seed's form, as a 16:9 deck an official can put
// into a presentation as it is. Slide 1: the heading, the regional table as a native table
// (the seed's 16 columns and number formats, as text cells), a native line chart of the KPI
// shares against dashed target lines over the weeks (editable in PowerPoint: its data is
// an embedded workbook), and the seed's footnote. Slide 2: per target, the municipalities
// of the last week furthest from it. Arial throughout: every office machine has it, and
// LibreOffice maps it to the metric-compatible Liberation Sans.
import type PptxTypes from 'pptxgenjs';
import { coverageNote, formatCell, formatShare, KPI_SHARES, shareDecimals, type ChartKpi, type ReportDocument, type TargetStanding } from '../../domain/report.ts';
import { periodLabel } from '../../domain/schemas.ts';

export const FONT = 'Arial';

// The package's typings are CommonJS (the class under `default`); its ESM build exports the class itself.
type Deck = PptxTypes.default;
type Slide = PptxTypes.default.Slide;
type TableRow = PptxTypes.default.TableRow;
type IChartMulti = PptxTypes.default.IChartMulti;
type OptsChartData = PptxTypes.default.OptsChartData;

async function loadPptx(): Promise<new () => Deck> {
  // loaded on use, as exceljs is: only the report routes need it
  const d = ((await import('pptxgenjs')) as { default: unknown }).default;
  return ((d as { default?: unknown }).default ?? d) as new () => Deck;
}

/** The slide table shows the latest weeks only; the workbook holds every week of the range. */
export const SLIDE_WEEKS = 10;

/** One colour per KPI share, in KPI order; its target line takes the same colour, dashed. */
export const KPI_COLORS = ['1F6FEB', 'D1242F', '1A7F37', '8250DF'] as const;

/** The target line's series name: the KPI's label and the threshold (`Цель ≥35%`). */
export function targetSeriesName(k: ChartKpi): string {
  return `Цель ${k.target!.op === '>=' ? '≥' : '='}${formatShare(k.target!.threshold, 2).replace(/,00%$/, '%')}: ${k.label}`;
}

const W = 13.333;
const MARGIN = 0.35;
const INK = '1F2328';
const MUTED = '57606A';
const HEAD_FILL = 'DDE5F0';
const BORDER = { type: 'solid' as const, pt: 0.5, color: '9AA4AF' };
/** Russian text is marked as Russian, so PowerPoint's spell check and hyphenation use the right language. */
const LANG = 'ru-RU';

function heading(slide: Slide, title: string, subtitle: string): void {
  slide.addText(title, { x: MARGIN, y: 0.2, w: W - 2 * MARGIN, h: 0.5, fontFace: FONT, lang: LANG, fontSize: 22, bold: true, color: INK, margin: 0 });
  slide.addText(subtitle, { x: MARGIN, y: 0.7, w: W - 2 * MARGIN, h: 0.3, fontFace: FONT, lang: LANG, fontSize: 11, italic: true, color: MUTED, margin: 0 });
}

function regionalSlide(pptx: Deck, doc: ReportDocument): void {
  const slide = pptx.addSlide();
  heading(slide, doc.title, doc.subtitle);
  const rows = doc.regional.rows.slice(-SLIDE_WEEKS);
  const cols = doc.regional.headers.length;
  const firstW = 1.25;
  const colW = [firstW, ...Array.from({ length: cols - 1 }, () => (W - 2 * MARGIN - firstW) / (cols - 1))];
  const head: TableRow = doc.regional.headers.map((h) => ({
    text: h,
    options: { lang: LANG, bold: true, fontSize: 7, fill: { color: HEAD_FILL }, align: 'center', valign: 'middle', border: BORDER },
  }));
  const notes = doc.regional.rowNotes?.slice(-SLIDE_WEEKS) ?? [];
  const body: TableRow[] = rows.map((r, j) =>
    r.map((c, i) => {
      // a week that is not final is marked «*» (the note is under the chart); a share from part of its denominator says so beside it
      const text = i === 0 && notes[j] ? `${formatCell(c)} *` : formatCell(c);
      const coverage = coverageNote(c);
      const options = { lang: LANG, fontSize: 8, align: c.kind === 'text' ? 'left' : 'right', valign: 'middle', border: BORDER, ...(notes[j] ? { italic: true, fill: { color: 'FFF6DD' } } : {}) } as const;
      return coverage ? { text: [{ text, options: { lang: LANG, breakLine: true } }, { text: coverage, options: { lang: LANG, fontSize: 6, color: MUTED } }], options } : { text, options };
    }),
  );
  const headH = 0.95;
  const rowH = 0.24;
  slide.addTable([head, ...body], { x: MARGIN, y: 1.1, w: W - 2 * MARGIN, colW, rowH: [headH, ...rows.map(() => rowH)], fontFace: FONT, color: INK, margin: 0.03 });
  const tableEnd = 1.1 + headH + rows.length * rowH;
  const omitted = doc.regional.rows.length - rows.length;
  const chartY = tableEnd + (omitted > 0 ? 0.3 : 0.15);
  if (omitted > 0) {
    slide.addText(`Последние ${rows.length} недель из ${doc.regional.rows.length}; полная таблица — в XLSX-отчёте.`, { x: MARGIN, y: tableEnd + 0.02, w: 8, h: 0.25, fontFace: FONT, lang: LANG, fontSize: 8, italic: true, color: MUTED, margin: 0 });
  }
  const footY = 6.95;
  // the weeks that are not final, above the seed's footnote
  const notesH = doc.notes.length > 0 ? 0.22 * doc.notes.length : 0;
  if (doc.kpis.length > 0 && doc.weeks.length > 0) kpiChart(pptx, slide, doc, { x: MARGIN, y: chartY, w: W - 2 * MARGIN, h: Math.max(1.6, footY - notesH - chartY - 0.05) });
  if (notesH > 0) {
    slide.addText(doc.notes.map((n) => `* ${n}`).join('\n'), { x: MARGIN, y: footY - notesH, w: W - 2 * MARGIN, h: notesH, fontFace: FONT, lang: LANG, fontSize: 9, bold: true, color: '6B4E00', margin: 0, valign: 'top' });
  }
  slide.addText(doc.footnote, { x: MARGIN, y: footY, w: W - 2 * MARGIN, h: 0.4, fontFace: FONT, lang: LANG, fontSize: 9, italic: true, color: MUTED, margin: 0, valign: 'top' });
}

/**
 * How each target line is drawn: its own dash pattern, and where two targets have the same
 * threshold (35 % for «≥1 чат» and «≥10 сообщений») the one drawn first is wider, so the
 * later one lies inside it and both colours show — no line hides another.
 */
export const TARGET_DASHES = ['dash', 'sysDot', 'lgDash', 'dashDot'] as const;

export function targetStyles(thresholds: readonly number[]): { dash: (typeof TARGET_DASHES)[number]; width: number }[] {
  return thresholds.map((t, i) => {
    const later = thresholds.slice(i + 1).filter((u) => u === t).length;
    return { dash: TARGET_DASHES[i % TARGET_DASHES.length]!, width: 1.5 + 2 * later };
  });
}

/** The chart's data: one series per KPI share (named by its label), one per target line. */
export function chartSeries(doc: ReportDocument): { kpis: OptsChartData[]; targets: OptsChartData[]; colors: string[]; targetColors: string[]; targetStyles: ReturnType<typeof targetStyles> } {
  const labels = doc.weeks.map(periodLabel);
  // an empty point is a gap in the line, not a zero
  const values = (v: readonly (number | null)[]) => v.map((x) => (x === null ? (null as unknown as number) : x));
  const withTarget = doc.kpis.filter((k) => k.target !== null);
  return {
    kpis: doc.kpis.map((k) => ({ name: k.label, labels, values: values(k.values) })),
    targets: withTarget.map((k) => ({ name: targetSeriesName(k), labels, values: labels.map(() => k.target!.threshold) })),
    colors: doc.kpis.map(kpiColor),
    targetColors: withTarget.map(kpiColor),
    targetStyles: targetStyles(withTarget.map((k) => k.target!.threshold)),
  };
}

const kpiColor = (k: ChartKpi): string => KPI_COLORS[KPI_SHARES.indexOf(k.metric) % KPI_COLORS.length]!;

function kpiChart(pptx: Deck, slide: Slide, doc: ReportDocument, box: { x: number; y: number; w: number; h: number }): void {
  const s = chartSeries(doc);
  const common = { lineSize: 2, fontFace: FONT } as const;
  const types: IChartMulti[] = [{ type: pptx.ChartType.line, data: s.kpis, options: { ...common, chartColors: s.colors, lineDataSymbol: 'circle', lineDataSymbolSize: 6 } }];
  // one line group per target, so each has its own dash and width
  s.targets.forEach((t, i) => types.push({ type: pptx.ChartType.line, data: [t], options: { ...common, chartColors: [s.targetColors[i]!], lineDash: s.targetStyles[i]!.dash, lineDataSymbol: 'none', lineSize: s.targetStyles[i]!.width } }));
  const options: PptxTypes.default.IChartOpts = {
    ...box,
    showTitle: true,
    title: 'Доли педагогов по показателям и целевые значения',
    titleFontFace: FONT,
    titleFontSize: 11,
    titleColor: INK,
    showLegend: true,
    legendPos: 'r',
    legendFontFace: FONT,
    legendFontSize: 8,
    catAxisLabelFontFace: FONT,
    catAxisLabelFontSize: 8,
    valAxisLabelFontFace: FONT,
    valAxisLabelFontSize: 8,
    valAxisLabelFormatCode: '0%',
    dataLabelFormatCode: '0.000%',
    valAxisMinVal: 0,
    valGridLine: { color: 'E1E4E8', size: 0.5 },
  };
  // A combination chart takes its options as the second argument (the typings name it `data`).
  slide.addChart(types, options as unknown as []);
}

/** Up to six names of a tie, then how many more. */
const names = (list: readonly string[]) => (list.length <= 6 ? list.join(', ') : `${list.slice(0, 5).join(', ')} и ещё ${list.length - 5}`);

/** How many МОУО: «1 МОУО», «5 МОУО» (the abbreviation does not decline). */
const mouo = (n: number) => `${n} МОУО`;

/**
 * The furthest, tier by tier: one municipality by name; a tie as one line, «5 МОУО на
 * 0,000 %», with the names after it — never the first of a tie in alphabetical order as if
 * it were further than the rest.
 */
export function standingsText(s: TargetStanding): string {
  if (s.tiers.length === 0) return s.noData === s.missing + s.met + s.noData ? 'нет данных ни по одному МОУО' : 'все МОУО с данными достигли цели';
  const shown = (v: number) => formatShare(v, shareDecimals(s.target.metric));
  return s.tiers
    .map((t) => (t.names.length === 1 ? `${t.names[0]} — ${shown(t.value)}` : `${mouo(t.names.length)} на ${shown(t.value)}: ${names(t.names)}`))
    .join('\n');
}

function standingsSlide(pptx: Deck, doc: ReportDocument): void {
  const last = doc.last!;
  const slide = pptx.addSlide();
  const note = doc.notes.find((n) => n.startsWith(periodLabel(last.period)));
  heading(slide, 'МОУО дальше всего от целей', `${doc.organisation ? `${doc.organisation} · ` : ''}${doc.region.name} · неделя ${periodLabel(last.period)}${note ? ` (${note.slice(periodLabel(last.period).length + 3)})` : ''} · по каждой цели МОУО с наибольшим отставанием`);
  const head: TableRow = ['Цель', 'Целевое значение', 'МОУО дальше всего от цели (значение за неделю)', 'Итого по МОУО'].map((t) => ({
    text: t,
    options: { lang: LANG, bold: true, fontSize: 10, fill: { color: HEAD_FILL }, align: 'center', valign: 'middle', border: BORDER },
  }));
  const cell = (text: string, align: 'left' | 'center' = 'left') => ({ text, options: { lang: LANG, fontSize: 9, align, valign: 'top' as const, border: BORDER } });
  const body: TableRow[] = last.standings.map((s) => [
    cell(s.target.title),
    cell(`${s.target.op === '>=' ? '≥ ' : ''}${formatShare(s.target.threshold, 2)}`, 'center'),
    cell(standingsText(s)),
    cell(`не достигли: ${s.missing}\nдостигли: ${s.met}\nнет данных: ${s.noData}`),
  ]);
  slide.addTable([head, ...body], { x: MARGIN, y: 1.15, w: W - 2 * MARGIN, colW: [3.6, 1.3, 5.4, W - 2 * MARGIN - 10.3], fontFace: FONT, color: INK, margin: 0.05, autoPage: false });
  slide.addText(`Полный список школ, где администратор не зашел на платформу или ОО не зарегистрирована в Сфере, — лист «Неактивные ОО» XLSX-отчёта (${last.inactive.schools.length} ОО).`, {
    x: MARGIN, y: 6.95, w: W - 2 * MARGIN, h: 0.4, fontFace: FONT, lang: LANG, fontSize: 9, italic: true, color: MUTED, margin: 0, valign: 'top',
  });
}

/** The deck for a report document. */
export async function renderReportPptx(doc: ReportDocument): Promise<Uint8Array> {
  const Pptx = await loadPptx();
  const pptx = new Pptx();
  pptx.layout = 'LAYOUT_WIDE';
  pptx.author = 'sferum-pulse';
  pptx.company = doc.region.name;
  pptx.title = doc.title;
  pptx.subject = doc.subtitle;
  pptx.theme = { headFontFace: FONT, bodyFontFace: FONT };
  regionalSlide(pptx, doc);
  if (doc.last && doc.last.standings.length > 0) standingsSlide(pptx, doc);
  const out = await pptx.write({ outputType: 'nodebuffer' });
  return new Uint8Array(out as Buffer);
}
