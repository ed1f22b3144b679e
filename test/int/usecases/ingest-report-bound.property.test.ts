// Property: any sequence of rows, however bad — broken quoting, NUL bytes, totals labels,
// huge cells, too many fields — ends in a report under a fixed size, and ingest never throws.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ingestObject } from '../../../shared/usecases/ingest-object.ts';
import { SCHOOLS_CSV_HEADER as HEADER } from '../../support/builders.ts';
import { startIngestEnv, TEST_SETTINGS } from '../../support/ingest-env.ts';
import { TEST_BUCKET } from '../../support/s3.ts';

const LISTED = 25;
// 25 listed issues of clipped text, the file error, 10 columns of clipped headers, counts per code
const MAX_REPORT_BYTES = 64 * 1024;

const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('да', 'нет', '06.03-10.03.2023', '10.04-06.03.2023', 'Курский МО', '2634000011', 'Итого', '"', '""', '\n', '\r\n', ';', '\0', '№', '-1', '1e309'),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.nat({ max: 3000 }).map((n) => 'Ш'.repeat(n)),
);
const rows = fc.array(fc.array(cell, { maxLength: 14 }), { maxLength: 120 });

describe('the upload report stays bounded', () => {
  test('any rows give a report under a fixed size, and never a throw', async () => {
    await using env = await startIngestEnv();
    const deps = env.deps({ settings: { ...TEST_SETTINGS, maxReportIssues: LISTED, limits: { maxRecordBytes: 2048, maxColumns: 12 } } });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(rows, async (rs) => {
        const key = `uploads/26/p-${n++}.csv`;
        await env.upload(key, `${HEADER}\r\n${rs.map((r) => r.join(';')).join('\r\n')}`);
        const outcome = await ingestObject(deps, { bucket: TEST_BUCKET, key, remainingMs: 60_000 });
        expect(outcome.kind).toBe('ingested');
        if (outcome.kind !== 'ingested') return;
        const { report } = outcome;
        expect(report.errors.length + report.warnings.length).toBeLessThanOrEqual(LISTED + 1);
        expect(JSON.stringify(report, null, 2).length).toBeLessThan(MAX_REPORT_BYTES);
        expect(report.file_error?.code).not.toBe('file.ingest_failed');
      }),
      { numRuns: 60, seed: 20260312 },
    );
  });
});
