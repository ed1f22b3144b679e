// Unit: the ministry's deck, read back from its XML — a 16:9 slide with the seed's table as
// a native table (cell for cell), a native line chart whose series are the KPI shares (in
// KPI order, with their values) and one dashed constant line per target, the footnote,
// Arial and Russian text throughout; slide 2 with the municipalities furthest from each target.
import JSZip from 'jszip';
import { describe, expect, test } from 'vitest';
import { emptyMetricValues } from '../../../../shared/domain/metrics.ts';
import { reportDocument, SEED_FOOTNOTE } from '../../../../shared/domain/report.ts';
import { defaultTargets } from '../../../../shared/domain/targets.ts';
import { renderReportPptx, SLIDE_WEEKS, targetSeriesName } from '../../../../shared/formats/pptx/report.ts';
import { all, tableCells, unescape } from '../../../support/read-back.ts';
import { aggregateRow } from '../../../support/builders.ts';
import { seedDocument, seedTable } from '../../../support/seed-document.ts';

const doc = seedDocument();
const zip = await JSZip.loadAsync(await renderReportPptx(doc));
const xml = (name: string) => zip.file(name)!.async('string');
type Series = { name: string; values: (number | null)[]; dash: string; width: number };
function chartGroups(chart: string): Series[][] {
  return all(/<c:lineChart>([\s\S]*?)<\/c:lineChart>/g, chart).map((group) =>
    all(/<c:ser>([\s\S]*?)<\/c:ser>/g, group).map((ser) => ({
      name: unescape(/<c:tx>[\s\S]*?<c:v>([^<]*)<\/c:v>/.exec(ser)![1]!),
      values: all(/<c:pt idx="\d+"><c:v>([^<]*)<\/c:v><\/c:pt>/g, /<c:val>([\s\S]*?)<\/c:val>/.exec(ser)![1]!).map((v) => (v === '' ? null : Number(v))),
      dash: /<a:prstDash val="(\w+)"/.exec(ser)![1]!,
      width: Number(/<a:ln w="(\d+)"/.exec(ser)?.[1] ?? 0) / 12700,
    })),
  );
}

describe('the deck', () => {
  test('is 16:9 with two slides', async () => {
    expect(await xml('ppt/presentation.xml')).toContain('<p:sldSz cx="12192000" cy="6858000"/>');
    expect(Object.keys(zip.files).filter((f) => /^ppt\/slides\/slide\d+\.xml$/.test(f)).sort()).toEqual(['ppt/slides/slide1.xml', 'ppt/slides/slide2.xml']);
  });

  test('slide 1: the heading, the seed\'s table as a native 16-column table cell for cell, the footnote', async () => {
    const slide = await xml('ppt/slides/slide1.xml');
    expect(slide.match(/<a:gridCol /g)).toHaveLength(16);
    expect(tableCells(slide)).toEqual(seedTable());
    const text = unescape(all(/<a:t>([^<]*)<\/a:t>/g, slide).join('\n'));
    expect(text).toContain('Активность по ОО, МОУО СК в Сфере');
    expect(text).toContain('Ставропольский край · недели 20.02-22.02.2023 – 03.04-07.04.2023');
    expect(text).toContain(SEED_FOOTNOTE);
  });

  test('the chart: one series per KPI share with data, in KPI order, and a dashed constant line per target', async () => {
    const charts = Object.keys(zip.files).filter((f) => /^ppt\/charts\/chart\d+\.xml$/.test(f));
    expect(charts).toHaveLength(1);
    const chart = await xml(charts[0]!);
    // the KPI lines, then one group per target line (each its own dash and width)
    const [kpis, ...groups] = chartGroups(chart);
    const targets = groups.flat();
    // the seed has no calls column: its share has no values and draws no series
    expect(doc.kpis.map((k) => k.metric)).toEqual(['teachers_chat_creators_share', 'teachers_msg3_share', 'teachers_msg10_share']);
    expect(kpis!.map((s) => s.name)).toEqual(doc.kpis.map((k) => k.label));
    for (const [i, k] of doc.kpis.entries()) expect(kpis![i]!.values, k.metric).toEqual(k.values);
    expect(kpis!.every((s) => s.dash === 'solid')).toBe(true);
    // «≥1 чат» and «≥10 сообщений» are both at 35 %: different dashes, the first wider, so neither hides the other
    expect(targets.map((s) => [s.name, s.dash, s.width, [...new Set(s.values)]])).toEqual([
      [targetSeriesName(doc.kpis[0]!), 'dash', 3.5, [0.35]],
      [targetSeriesName(doc.kpis[1]!), 'sysDot', 1.5, [0.25]],
      [targetSeriesName(doc.kpis[2]!), 'lgDash', 1.5, [0.35]],
    ]);
    expect(targetSeriesName(doc.kpis[0]!)).toBe('Цель ≥35%: % педагогов, создавших ≥1 чат');
    // the weeks on the category axis, and percent on the value axis
    expect(all(/<c:pt idx="\d+"><c:v>(\d\d\.\d\d-[^<]*)<\/c:v>/g, /<c:cat>([\s\S]*?)<\/c:cat>/.exec(chart)![1]!)).toEqual(seedTable().slice(1).map((r) => r[0]));
    expect(chart).toMatch(/<c:valAx>[\s\S]*<c:numFmt formatCode="0%"/);
    // editable in PowerPoint: the data sits in an embedded workbook
    expect(Object.keys(zip.files).some((f) => /^ppt\/embeddings\/.*\.xlsx$/.test(f))).toBe(true);
  });

  test('slide 2: per target the municipalities furthest from it, largest gap first', async () => {
    const rows = tableCells(await xml('ppt/slides/slide2.xml'));
    expect(rows[0]).toEqual(['Цель', 'Целевое значение', 'МОУО дальше всего от цели (значение за неделю)', 'Итого по МОУО']);
    const byTarget = new Map(rows.slice(1).map((r) => [r[0], r]));
    const chat = byTarget.get('Доля учителей, создавших минимум 1 групповой чат')!;
    expect(chat[1]).toBe('≥ 35,00%');
    // Александровский (10 %) is further from 35 % than Курский (30 %); Будённовский has no export
    expect(chat[2]).toBe('Александровский муниципальный округ — 10,000%\nКурский муниципальный округ — 30,000%');
    expect(chat[3]).toBe('не достигли: 2\nдостигли: 0\nнет данных: 1');
    expect(byTarget.get('Регистрация 100% школ субъекта РФ в «Сферум»')![2]).toBe('Александровский муниципальный округ — 90,00%');
  });

  test('every run is Arial and marked Russian; the theme\'s fonts are Arial', async () => {
    for (const f of ['ppt/slides/slide1.xml', 'ppt/slides/slide2.xml']) {
      const s = await xml(f);
      expect(new Set(all(/<a:latin typeface="([^"]*)"/g, s)), f).toEqual(new Set(['Arial']));
      expect(new Set(all(/<a:rPr lang="([^"]*)"/g, s)), f).toEqual(new Set(['ru-RU']));
    }
    const chart = Object.keys(zip.files).find((f) => /^ppt\/charts\/chart\d+\.xml$/.test(f))!;
    expect(new Set(all(/<a:latin typeface="([^"]*)"/g, await xml(chart)))).toEqual(new Set(['Arial']));
    const theme = await xml('ppt/theme/theme1.xml');
    expect(/<a:majorFont><a:latin typeface="([^"]*)"/.exec(theme)![1]).toBe('Arial');
    expect(/<a:minorFont><a:latin typeface="([^"]*)"/.exec(theme)![1]).toBe('Arial');
  });

  test('a long range keeps the slide\'s table to the latest weeks and says so; the chart keeps every week', async () => {
    const weeks = Array.from({ length: SLIDE_WEEKS + 3 }, (_, i) => {
      const d = new Date(Date.UTC(2023, 0, 2 + 7 * i));
      const iso = (x: Date) => x.toISOString().slice(0, 10);
      return { start: iso(d), end: iso(new Date(d.getTime() + 4 * 86_400_000)) };
    });
    const long = reportDocument({
      region: { code: '26', name: 'Ставропольский край', municipalities: [] },
      regionRows: weeks.map((period, i) => aggregateRow({ period, values: { ...emptyMetricValues(), teachers_chat_creators_share: 0.2 + i / 100 } })),
      last: null,
      targets: defaultTargets().config,
      generatedAt: new Date('2023-04-10T09:00:00Z'),
    });
    const deck = await JSZip.loadAsync(await renderReportPptx(long));
    const slide = await deck.file('ppt/slides/slide1.xml')!.async('string');
    const rows = tableCells(slide);
    expect(rows.slice(1).map((r) => r[0])).toEqual(long.regional.rows.slice(-SLIDE_WEEKS).map((r) => (r[0] as { value: string }).value));
    expect(unescape(slide)).toContain(`Последние ${SLIDE_WEEKS} недель из ${weeks.length}; полная таблица — в XLSX-отчёте.`);
    const chart = Object.keys(deck.files).find((f) => /^ppt\/charts\/chart\d+\.xml$/.test(f))!;
    const [kpis] = chartGroups(await deck.file(chart)!.async('string'));
    expect(kpis![0]!.values).toHaveLength(weeks.length);
    // no last week: no standings slide
    expect(deck.file('ppt/slides/slide2.xml')).toBeNull();
  });
});
