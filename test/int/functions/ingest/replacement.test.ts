// Integration (issue 20, acceptance): replacement made visible. Through the ingest handler
// on s3rver and a SQLite file, and the api function over the same file (answers checked
// against the OpenAPI spec): a municipality's partial file replacing its 21-school upload
// is listed before → after with warn.shrinking_replacement, the earlier upload becomes
// `replaced` naming its successor (ledger, report beside the upload, API); a file repeating
// the upload in force is a `duplicate` that changes no table.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiHandler } from '../../../../functions/api/handler.ts';
import { SourcesBody, UploadsBody } from '../../../../shared/api/views.ts';
import { UploadReport } from '../../../../shared/domain/schemas.ts';
import { apiDeps, KEYS } from '../../../support/api.ts';
import { inn, SCHOOLS_CSV_HEADER, schoolsCsv } from '../../../support/builders.ts';
import { functionContext } from '../../../support/events.ts';
import { v1Event } from '../../../support/http-events.ts';
import { ingestFile } from '../../../support/ingest-file.ts';
import { startIngestEnv, type IngestEnv } from '../../../support/ingest-env.ts';
import { checkedHandler, specChecker, type SpecChecker } from '../../../support/openapi.ts';

const school = (i: number) => `10.04-14.04.2023;Курский МО;МБОУ СОШ № ${i};${inn(i)};да;да;${10 + i};${10 + i};${100 + i};${90 + i}`;
const ROWS = Array.from({ length: 21 }, (_, i) => school(i + 1));

let env: IngestEnv;
let spec: SpecChecker;
let api: ReturnType<typeof apiDeps>;

const ingest = async (key: string, body: string): Promise<UploadReport> => (await ingestFile(env, key, body)).report;

const call = (path: string, query: Record<string, string> = {}) =>
  checkedHandler(spec, (e) => apiHandler(e, functionContext(), api))(v1Event(path, { query, headers: { 'X-API-Key': KEYS.reader } }));
const tables = () => Object.fromEntries(['school_snapshot', 'municipality_snapshot', 'current_batch'].map((t) => [t, env.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3, 4, 5, 6`).all()]));

beforeAll(async () => {
  spec = await specChecker();
  env = await startIngestEnv();
  env.clock.set(Date.parse('2023-04-17T09:00:00Z'));
  api = apiDeps(env.dbPath);
});

afterAll(async () => {
  api?.read.close();
  await env?.[Symbol.asyncDispose]();
});

describe('a replacement of the same (period, kind, municipality)', () => {
  let first: UploadReport;
  let second: UploadReport;

  test('21 → 2 schools: applied, listed before → after, warned as shrinking; the earlier upload is replaced', async () => {
    // Act
    first = await ingest('uploads/26/kursky_full.csv', schoolsCsv(ROWS, SCHOOLS_CSV_HEADER));
    second = await ingest('uploads/26/kursky_partial.csv', schoolsCsv(ROWS.slice(0, 2)));
    // Assess: the new report
    expect(first.status).toBe('accepted');
    expect(second.status).toBe('accepted');
    const sum = (rows: string[], col: number) => rows.reduce((n, r) => n + Number(r.split(';')[col]), 0);
    expect(second.replacements).toEqual([
      {
        period: { start: '2023-04-10', end: '2023-04-14' },
        kind: 'schools',
        municipality_id: 'kursky',
        replaced_upload_id: first.upload_id,
        before: { schools: 21, teachers: sum(ROWS, 6), students: sum(ROWS, 8) },
        after: { schools: 2, teachers: sum(ROWS.slice(0, 2), 6), students: sum(ROWS.slice(0, 2), 8) },
      },
    ]);
    expect(second.warnings.filter((w) => w.code === 'warn.shrinking_replacement').map((w) => w.value)).toEqual(['21 → 2']);
    // the newer upload wins: the current rows are its 2
    expect(await env.snapshots.currentSchools('26', { start: '2023-04-10', end: '2023-04-14' })).toHaveLength(2);
    // the earlier upload: ledger, the report beside it, the API's list and its report route
    expect(await env.ledger.getReport(first.upload_id)).toMatchObject({ status: 'replaced', replaced_by: second.upload_id });
    expect((await ingestReport('uploads/26/kursky_full.csv')).status).toBe('replaced');
    const list = UploadsBody.parse(JSON.parse((await call('/v1/uploads')).body));
    expect(list.items.find((u) => u.upload_id === first.upload_id)).toMatchObject({ status: 'replaced', replaced_by: second.upload_id });
    expect(list.items.find((u) => u.upload_id === second.upload_id)).toMatchObject({ status: 'accepted', replaced_by: null });
    expect(JSON.parse((await call(`/v1/uploads/${first.upload_id}`)).body)).toMatchObject({ status: 'replaced', replaced_by: second.upload_id });
  });

  test('a file equal to the upload in force is a duplicate: dated message, no table changes, nothing to aggregate', async () => {
    // Prepare
    const before = tables();
    const published = env.published.length;
    // Act: the same rows in another file (another name, another row order)
    const again = await ingest('uploads/26/kursky_partial_again.csv', schoolsCsv([ROWS[1]!, ROWS[0]!]));
    // Assess
    expect(again.status).toBe('duplicate');
    const date = second.received_at.slice(0, 10).split('-').reverse().join('.');
    expect(again.warnings.map((w) => [w.code, w.message])).toEqual([['warn.duplicate_upload', `этот файл уже загружен ${date}; данные не изменились`]]);
    expect(again.replacements).toEqual([]);
    expect(tables()).toEqual(before);
    expect(env.published.length).toBe(published);
    expect(await env.ledger.getReport(second.upload_id)).toMatchObject({ status: 'accepted' });
    const list = UploadsBody.parse(JSON.parse((await call('/v1/uploads')).body));
    expect(list.items.find((u) => u.upload_id === again.upload_id)?.status).toBe('duplicate');
  });

  test('a replacement that keeps most schools is listed but not warned', async () => {
    const third = await ingest('uploads/26/kursky_back.csv', schoolsCsv(ROWS.slice(0, 3)));
    expect(third.replacements.map((r) => [r.before.schools, r.after.schools])).toEqual([[2, 3]]);
    expect(third.warnings.filter((w) => w.code === 'warn.shrinking_replacement')).toEqual([]);
    // the sources route names the upload in force and, newest first, those it replaced
    const sources = SourcesBody.parse(JSON.parse((await call('/v1/regions/26/periods/2023-04-10..2023-04-14/sources', { municipality: 'kursky' })).body));
    const table = sources.municipalities.find((m) => m.municipality_id === 'kursky')!.tables.find((t) => t.kind === 'schools')!;
    expect(table.in_force).toMatchObject({ upload_id: third.upload_id, object_key: 'uploads/26/kursky_back.csv', rows: 3, replaced_by: null });
    expect(table.replaced.map((u) => [u.upload_id, u.replaced_by])).toEqual([
      [second.upload_id, third.upload_id],
      [first.upload_id, second.upload_id],
    ]);
    expect(sources.schools.map((s) => [s.upload_id, s.row])).toEqual([
      [third.upload_id, 2],
      [third.upload_id, 3],
      [third.upload_id, 4],
    ]);
  });
});

async function ingestReport(key: string): Promise<UploadReport> {
  return (await env.report(key))!;
}

describe('a unit committed before unit summaries were kept (migration 0009)', () => {
  test('its replacement still lists before → after from its rows, and the next equal file is a duplicate', async () => {
    const week = (i: number) => school(i).replace('10.04-14.04.2023', '17.04-21.04.2023');
    const all = Array.from({ length: 21 }, (_, i) => week(i + 1));
    const old = await ingest('uploads/26/kursky_week2_full.csv', schoolsCsv(all, SCHOOLS_CSV_HEADER));
    // as a database from before the summaries holds it: a pointer with nothing beside it
    env.db.prepare(`DELETE FROM snapshot_unit_summary WHERE period_start = '2023-04-17'`).run();
    const partial = await ingest('uploads/26/kursky_week2_partial.csv', schoolsCsv(all.slice(0, 2)));
    expect(partial.replacements.map((r) => [r.replaced_upload_id, r.before.schools, r.after.schools])).toEqual([[old.upload_id, 21, 2]]);
    expect(partial.warnings.filter((w) => w.code === 'warn.shrinking_replacement').map((w) => w.value)).toEqual(['21 → 2']);
    expect((await ingest('uploads/26/kursky_week2_again.csv', schoolsCsv(all.slice(0, 2)))).status).toBe('duplicate');
  });
});
