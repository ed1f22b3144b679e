// Integration: the export template (GET /v1/regions/{region}/template.csv|.xlsx). Each is
// fetched from the api function without a key, checked against the OpenAPI spec, and then
// uploaded back through the real ingest on s3rver + SQLite: the template as it stands is an
// export ingest accepts whole — every example row accepted, no error, no warning — and its
// headers are the contract's (the first alias of each field, as the seed's export writes them).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiHandler } from '../../../../functions/api/handler.ts';
import { UploadReport } from '../../../../shared/domain/schemas.ts';
import { ingestObject } from '../../../../shared/usecases/ingest-object.ts';
import { apiDeps } from '../../../support/api.ts';
import { functionContext } from '../../../support/events.ts';
import { v1Event } from '../../../support/http-events.ts';
import { startIngestEnv, type IngestEnv } from '../../../support/ingest-env.ts';
import { checkedHandler, specChecker, type SpecChecker } from '../../../support/openapi.ts';
import { TEST_BUCKET } from '../../../support/s3.ts';

let env: IngestEnv;
let deps: ReturnType<typeof apiDeps>;
let spec: SpecChecker;

beforeAll(async () => {
  spec = await specChecker();
  env = await startIngestEnv();
  deps = apiDeps(env.dbPath);
});
afterAll(async () => {
  deps?.read.close();
  await env?.[Symbol.asyncDispose]();
});

const call = (path: string) => checkedHandler(spec, (e) => apiHandler(e, functionContext(), deps))(v1Event(path));

async function ingestBack(key: string, bytes: Uint8Array): Promise<UploadReport> {
  await env.upload(key, bytes);
  // the template's week is the last school week before today: ingest runs today too
  env.clock.set(Date.now());
  const out = await ingestObject(env.deps(), { bucket: TEST_BUCKET, key, remainingMs: 60_000 });
  if (out.kind !== 'ingested') throw new Error(`the template was not ingested: ${out.kind}`);
  return out.report;
}

describe('the export template', () => {
  test('CSV: public, named for the region, the contract headers, and ingest accepts its example row without a warning', async () => {
    const r = await call('/v1/regions/26/template.csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['Content-Disposition']).toBe('attachment; filename="sferum-template-26.csv"');
    const text = r.body;
    expect(text.startsWith('\ufeff')).toBe(true);
    const [head, example, rest] = text.slice(1).split('\r\n');
    expect(head!.split(';').slice(0, 5)).toEqual(['Период', 'МОУО', 'ОО', 'ИНН', 'КПП']);
    expect(head).toContain('Педагогов всего;Педагогов в Сфере;Обучающихся всего;Обучающихся в Сфере');
    expect(example).toContain('Александровский муниципальный округ');
    expect(rest).toBe('');
    const report = await ingestBack('uploads/26/template.csv', new TextEncoder().encode(text));
    expect({ status: report.status, rows: report.rows, errors: report.errors, warnings: report.warnings }).toEqual({ status: 'accepted', rows: { accepted: 1, rejected: 0 }, errors: [], warnings: [] });
    expect(report.tables.map((t) => t.columns.every((c) => c.field !== null))).toEqual([true]);
  });

  test('XLSX: both tables, a sheet each, accepted whole by ingest', async () => {
    const r = await call('/v1/regions/26/template.xlsx');
    expect(r.statusCode).toBe(200);
    expect(r.isBase64Encoded).toBe(true);
    const report = await ingestBack('uploads/26/template.xlsx', Buffer.from(r.body, 'base64'));
    expect({ status: report.status, rows: report.rows, errors: report.errors, warnings: report.warnings }).toEqual({ status: 'accepted', rows: { accepted: 2, rejected: 0 }, errors: [], warnings: [] });
    expect(report.tables.map((t) => [t.sheet, t.kind, t.rows.accepted])).toEqual([
      ['ОО', 'schools', 1],
      ['МОУО', 'municipalities', 1],
    ]);
  });

  test('an unknown region is a 404 from the spec', async () => {
    expect((await call('/v1/regions/99/template.csv')).statusCode).toBe(404);
  });
});
