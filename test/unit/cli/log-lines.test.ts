// Unit: what `run` says at the end — the headline block (weeks, uploads by status, the
// notifications and the channels they went to), the table aligned on a terminal and TSV
// piped — and a function's JSON log line as a short human line.
import { describe, expect, test } from 'vitest';
import { headline, summaryText, type RunDocument } from '../../../cli/document.ts';
import { humanLine } from '../../../cli/log-lines.ts';
import { seedTable, seedValues } from '../../support/seed-document.ts';

const upload = (key: string, status: 'accepted' | 'partial' | 'rejected', rejected = 0) => ({
  key, status, tables: ['schools' as const], period: null, rows: { accepted: 10, rejected }, errors: [], warnings: [],
});

const doc: RunDocument = {
  uploads: [upload('uploads/26/a.csv', 'accepted'), upload('uploads/26/b.csv', 'partial', 3), upload('uploads/26/c.csv', 'rejected', 10)],
  periods: seedValues().map(({ period, values }) => ({
    period: { ...period, label: `${period.start.slice(8)}.${period.start.slice(5, 7)}-${period.end.slice(8)}.${period.end.slice(5, 7)}.${period.end.slice(0, 4)}` },
    completeness: null,
    region: { id: '26', metrics: values },
    municipalities: [],
    warnings: [],
  })),
  notifications: [],
};

describe('run summary', () => {
  test('the headline block names the weeks, the uploads by status and where the notifications went', () => {
    expect(headline(doc, new Map([['log', { messages: 4, events: 9 }]]))).toEqual([
      'Summary',
      '  weeks          7: 20.02-22.02.2023 – 03.04-07.04.2023',
      '  uploads        3: 1 accepted, 1 partial (13 rows rejected), 1 rejected',
      '  notifications  0 delivered: 4 message(s) via "log" (the log channel: functions.log)',
    ]);
  });

  test('piped, the table is TSV; on a terminal it is aligned', () => {
    const piped = summaryText(doc, { tty: false, channels: new Map() });
    for (const row of seedTable()) expect(piped).toContain(`${row.join('\t')}\n`);
    const tty = summaryText(doc, { tty: true, channels: new Map() });
    expect(tty).not.toContain('\t');
    expect(tty).toMatch(/^20\.02-22\.02\.2023 {2,}636 {2,}617/m);
  });
});

describe('humanLine', () => {
  test('a JSON log line becomes time, level, function, message and short fields', () => {
    const line = JSON.stringify({ level: 'WARN', msg: 'ingest.row_rejected', ts: '2023-04-10T09:00:01.123Z', fn: 'ingest', key: 'uploads/26/x.csv', row: 35, column: 'МОУО', value: 'Неизвестный район', detail: null });
    expect(humanLine(line)).toBe('09:00:01 WARN  ingest ingest.row_rejected  key=uploads/26/x.csv row=35 column=МОУО value="Неизвестный район"');
  });

  test('long values are cut, nested ones compact, and a line that is not JSON passes through', () => {
    const line = humanLine(JSON.stringify({ level: 'ERROR', msg: 'x', error: { class: 'PipelineError', code: 'io' }, text: 'a'.repeat(200) }));
    expect(line).toContain('error={"class":"PipelineError","code":"io"}');
    expect(line).toContain(`text=${'a'.repeat(79)}…`);
    expect(humanLine('(node:1) Warning: something')).toBe('(node:1) Warning: something');
  });
});
