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
      '  notifications  0 delivered',
    ]);
    const delivered = { ...doc, notifications: Array.from({ length: 9 }, () => ({}) as RunDocument['notifications'][number]) };
    expect(headline(delivered, new Map([['log', { messages: 4, events: 9 }]]))[3]).toBe(
      '  notifications  9 delivered in 4 message(s): 4 via "log" (the log channel writes them to functions.log; keep it with --data-dir DIR); one message carries all of one municipality\'s (or the region\'s) notifications of one week',
    );
  });

  test('piped, the table is TSV; on a terminal it is aligned', () => {
    const piped = summaryText(doc, { tty: false, channels: new Map() });
    for (const row of seedTable()) expect(piped).toContain(`${row.join('\t')}\n`);
    const tty = summaryText(doc, { tty: true, channels: new Map() });
    expect(tty).not.toContain('\t');
    expect(tty).toMatch(/^20\.02-22\.02\.2023 {2,}636 {2,}617/m);
  });
});

describe('issues in the summary', () => {
  test('row and file reasons are in Russian from their codes; a file-level one says «файл», never null', () => {
    const bad = {
      ...upload('uploads/26/bad.csv', 'rejected', 1),
      errors: [
        { code: 'file.missing_column', sheet: null, row: null, column: 'school_inn', value: 'Школа;Район', message: 'missing column school_inn' },
        { code: 'row.bad_yes_no', sheet: 'Лист1', row: 7, column: 'В Сфере', value: 'возможно', message: '"возможно" is not a yes/no value' },
      ],
    };
    const text = summaryText({ ...doc, uploads: [bad] }, { tty: false, channels: new Map() });
    expect(text).toContain('            файл: нет обязательного столбца «ИНН». В файле найдены заголовки: «Школа», «Район».');
    expect(text).toContain('            строка 7 (лист «Лист1»): ожидалось «да» или «нет» в столбце «В Сфере», а записано «возможно»');
    expect(text).not.toMatch(/\bnull\b|is not a yes\/no/);
  });
});

describe('humanLine', () => {
  test('a JSON log line becomes time, level, function, message and short fields', () => {
    const line = JSON.stringify({ level: 'WARN', msg: 'ingest.row_rejected', ts: '2023-04-10T09:00:01.123Z', fn: 'ingest', key: 'uploads/26/x.csv', row: 35, column: 'МОУО', value: 'Неизвестный район', detail: null });
    expect(humanLine(line)).toBe('09:00:01 WARN  ingest  ingest.row_rejected  key=uploads/26/x.csv row=35 column=МОУО value="Неизвестный район"');
  });

  test('an entry with a message reads as that sentence, its code in brackets: no JSON, no null fields', () => {
    const line = JSON.stringify({ level: 'WARN', msg: 'targets.warning', ts: '2023-04-10T09:00:01.123Z', fn: 'aggregate', code: 'targets.inconsistent_pair', region: null, municipality_id: null, message: 'defaults: target "a" is above target "b"' });
    expect(humanLine(line)).toBe('09:00:01 WARN  aggregate  defaults: target "a" is above target "b" (targets.inconsistent_pair)');
  });

  test('long values are cut, nested ones compact, and a line that is not JSON passes through', () => {
    const line = humanLine(JSON.stringify({ level: 'ERROR', msg: 'x', error: { class: 'PipelineError', code: 'io' }, text: 'a'.repeat(200) }));
    expect(line).toContain('error={"class":"PipelineError","code":"io"}');
    expect(line).toContain(`text=${'a'.repeat(79)}…`);
    expect(humanLine('(node:1) Warning: something')).toBe('(node:1) Warning: something');
  });
});
