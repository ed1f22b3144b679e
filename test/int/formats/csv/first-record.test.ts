// CSV framing is bounded from the first byte (issue 24): the delimiter is detected on a
// bounded prefix and the record limit applies to the first record too, so one 150 MB line
// is never buffered whole. Each case reads a generated 150 MB stream in a child process
// and checks the outcome, how much of the stream the reader pulled and the peak RSS.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { jsonFromChild } from '../../../support/child.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'long-line-child.ts');
const MiB = 1024 * 1024;

type Report = { ok: boolean; issue?: { code: string; message: string; row: number | null }; rows?: unknown[]; headers?: string[]; raw?: string; pulled: number; maxRssMiB: number };

const readInChild = (shape: 'header' | 'data') => jsonFromChild<Report>(CHILD, [shape, '150']);

describe('a 150 MB line', () => {
  test('as the first record: a clear file error, after reading about one chunk of it', async () => {
    const r = await readInChild('header');
    expect(r.ok).toBe(false);
    expect(r.issue).toMatchObject({ code: IssueCode.RecordTooLong, row: 1 });
    expect(r.issue?.message).toContain('maxRecordBytes = 65536');
    // the reader gave up within two 1 MiB chunks: it never held more than that of the line
    expect(r.pulled).toBeLessThanOrEqual(2 * MiB);
    expect(r.maxRssMiB).toBeLessThan(200);
  }, 120_000);

  test('after the header: that row is rejected, the next is read, memory stays flat', async () => {
    const r = await readInChild('data');
    expect(r.ok).toBe(true);
    expect(r.headers).toEqual(['Период', 'МОУО', 'ИНН']);
    expect(r.rows).toEqual([
      { row: 2, code: IssueCode.RowTooLong },
      { row: 3, cells: ['06.03-10.03.2023', 'Шпаковский МО', '2623000002'] },
    ]);
    expect(r.pulled).toBeGreaterThan(150 * MiB);
    // buffering the line would take ~300 MiB of heap alone (a 150 M-character string)
    expect(r.maxRssMiB).toBeLessThan(200);
  }, 120_000);
});
