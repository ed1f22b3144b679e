// Unit: the report model and its CSV renderer: Russian number formatting, the seed's table
// cell for cell (7 × 16, from metric inputs built from the seed's implied counts), CSV
// bytes (BOM, `;`, CRLF, formula guard). The workbook and the deck: test/unit/report.
import { describe, expect, test } from 'vitest';
import type { EvaluationStatus } from '../../../shared/domain/evaluate.ts';
import { emptyMetricValues, metricAppliesTo, type AggregateRow } from '../../../shared/domain/metrics.ts';
import {
  formatCell,
  formatCount,
  formatShare,
  municipalTable,
  MUNICIPAL_METRICS,
  REGIONAL_COLUMNS,
  regionalTable,
  type ReportTable,
} from '../../../shared/domain/report.ts';
import { renderCsv, renderCsvBytes } from '../../../shared/formats/csv/report.ts';
import { SEED } from '../../support/aggregate.ts';
import { aggregateRow } from '../../support/builders.ts';
import { parseCsv } from '../../support/csv.ts';
import { seedTable, seedValues } from '../../support/seed-document.ts';

describe('Russian number formatting', () => {
  test('counts group thousands with a plain space', () => {
    expect([formatCount(17218), formatCount(312014), formatCount(636), formatCount(0), formatCount(1234567)]).toEqual(['17 218', '312 014', '636', '0', '1 234 567']);
  });

  test('shares are percents with a decimal comma, rounded half up', () => {
    expect(formatShare(617 / 636, 2)).toBe('97,01%');
    expect(formatShare(3666 / 17218, 3)).toBe('21,292%');
    expect(formatShare(0.000125, 2)).toBe('0,01%');
    expect(formatShare(0.0003, 3)).toBe('0,030%');
    expect(formatShare(1, 2)).toBe('100,00%');
  });

  test('no data is an empty cell', () => {
    expect(formatCell({ kind: 'share', value: null, decimals: 3 })).toBe('');
    expect(formatCell({ kind: 'count', value: null })).toBe('');
  });
});

describe('regionalTable', () => {
  test('equals the seed table cell for cell, headers included', () => {
    // Prepare
    const expected = seedTable();
    // Act
    const table = regionalTable(seedValues());
    const actual = [table.headers.slice(), ...table.rows.map((r) => r.map(formatCell))];
    // Assess
    expect(expected).toHaveLength(8);
    expect(actual).toHaveLength(8);
    for (let r = 0; r < 8; r++) {
      expect(expected[r], `fixture row ${r}`).toHaveLength(16);
      for (let c = 0; c < 16; c++) expect(actual[r]![c], `row ${r} column ${c + 1}`).toBe(expected[r]![c]);
    }
  });

  test('the rendered CSV carries the same 8 × 16 cells behind a BOM', () => {
    const csv = renderCsv(regionalTable(seedValues()));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(parseCsv(csv.slice(1))).toEqual(seedTable());
  });

  test('rows come in period order whatever the input order', () => {
    const t = regionalTable(seedValues().reverse());
    expect(t.rows.map((r) => formatCell(r[0]!))).toEqual(SEED.map((c) => formatCell({ kind: 'text', value: `${c.period.start.slice(8)}.${c.period.start.slice(5, 7)}-${c.period.end.slice(8)}.${c.period.end.slice(5, 7)}.2023` })));
    expect(REGIONAL_COLUMNS).toHaveLength(16);
  });
});

describe('renderCsv', () => {
  const hostile = ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '\nx', 'a;=1', 'x"y'];
  const table: ReportTable = { title: 't', headers: ['Имя', 'Число'], rows: hostile.map((v) => [{ kind: 'text', value: v }, { kind: 'count', value: 17218 }]) };

  test('encodes UTF-8 with BOM, `;` and CRLF', () => {
    const bytes = renderCsvBytes({ title: 't', headers: ['МОУО', 'Всего ОО'], rows: [[{ kind: 'text', value: 'Будённовский' }, { kind: 'count', value: 1234 }]] });
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3))).toBe('МОУО;Всего ОО\r\nБудённовский;1 234\r\n');
  });

  test('text cells that could start a formula are quoted and prefixed with an apostrophe', () => {
    const rows = parseCsv(renderCsv(table).slice(1)).slice(1);
    expect(rows.map((r) => r[0])).toEqual(hostile.map((v) => (/^[=+\-@\t\r\n]/.test(v) ? `'${v}` : v)));
    for (const r of rows) expect(r[1]).toBe('17 218');
  });

  test('no emitted line starts a cell with a formula character', () => {
    const text = renderCsv(table).slice(1);
    for (const cell of parseCsv(text).flat()) expect(/^[=+\-@\t\r\n]/.test(cell), JSON.stringify(cell)).toBe(false);
  });
});

describe('municipalTable', () => {
  test('one row a municipality with its export flag, metrics and the period\'s evaluation per target', () => {
    // Prepare
    const period = SEED[6]!.period;
    const row = (id: string, name: string, hasExport: boolean, chat: number | null): AggregateRow =>
      aggregateRow({
        period,
        scope: { level: 'municipality', id, name },
        has_export: hasExport,
        values: { ...emptyMetricValues(), teachers_total: hasExport ? 1000 : null, teachers_chat_creators_share: chat },
      });
    const target = { id: 'teachers_chat_creators', metric: 'teachers_chat_creators_share' as const, op: '>=' as const, threshold: 0.35, due: '2023-09-01' };
    const evaluation = (id: string, status: EvaluationStatus, inhibited: boolean) => ({ scope: { level: 'municipality' as const, id, name: id }, target, status, inhibited });
    // Act
    const t = municipalTable({
      period,
      rows: [row('b', 'Будённовский', true, 0.21292), row('a', '=Александровский', false, null)],
      evaluations: [evaluation('a', 'no_data', true), evaluation('b', 'at_risk', false)],
      targets: [{ id: 'teachers_chat_creators', title: 'чаты' }],
    });
    const cells = t.rows.map((r) => r.map(formatCell));
    const col = (h: string) => t.headers.indexOf(h);
    // Assess
    expect(t.headers.slice(0, 2)).toEqual(['МОУО', 'Выгрузка']);
    expect(t.headers).not.toContain('МОУО всего');
    // the dashboard's columns: coverage and the KPI shares, every one a municipal metric
    expect(MUNICIPAL_METRICS.every((m) => metricAppliesTo(m, 'municipality'))).toBe(true);
    // a metric no municipality has a value for is left out, not printed empty (the calls of exports without them)
    expect(t.headers).toEqual(['МОУО', 'Выгрузка', 'Общее кол-во педагогов', '% педагогов, создавших ≥1 чат', 'Цель: чаты']);
    expect(t.rows.map((r) => (r.at(-1) as { status?: string }).status)).toEqual(['no_data', 'at_risk']);
    expect(cells.map((r) => r[0])).toEqual(['=Александровский', 'Будённовский']);
    expect(cells.map((r) => r[1])).toEqual(['нет', 'есть']);
    expect(cells[1]![col('Общее кол-во педагогов')]).toBe('1 000');
    expect(cells[1]![col('% педагогов, создавших ≥1 чат')]).toBe('21,292%');
    expect(cells.map((r) => r[col('Цель: чаты')])).toEqual(['нет данных (нет выгрузки)', 'под угрозой']);
    expect(parseCsv(renderCsv(t).slice(1))[1]![0]).toBe("'=Александровский");
  });
});
