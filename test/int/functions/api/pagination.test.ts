// Integration: the upload list past 1000 rows (YDB's result limit). Every completed upload is returned
// exactly once across pages of at most 100, newest first, and an upload completing while a
// client pages does not shift the pages it has not read yet.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiHandler } from '../../../../functions/api/handler.ts';
import { UploadsBody } from '../../../../shared/api/views.ts';
import { apiDeps, KEYS } from '../../../support/api.ts';
import { uploadReport } from '../../../support/builders.ts';
import { functionContext } from '../../../support/events.ts';
import { v1Event } from '../../../support/http-events.ts';
import { startIngestEnv, type IngestEnv } from '../../../support/ingest-env.ts';
import { checkedHandler, specChecker } from '../../../support/openapi.ts';

const TOTAL = 1050;
let env: IngestEnv;
let deps: ReturnType<typeof apiDeps>;

async function complete(i: number): Promise<string> {
  const key = { bucket: 'sferum-pulse-exports', key: `uploads/26/file-${String(i).padStart(5, '0')}.csv`, sha256: i.toString(16).padStart(64, '0') };
  const acquired = await env.ledger.acquire(key, 1_700_000_000_000 + i, 60_000);
  if (acquired.kind !== 'acquired') throw new Error(`upload ${i} was not acquired`);
  const report = uploadReport({
    upload_id: acquired.uploadId, bucket: key.bucket, key: key.key, sha256: key.sha256,
    status: i % 7 === 0 ? 'rejected' : 'accepted', periods: [], rows: { accepted: i % 7 === 0 ? 0 : 1, rejected: i % 7 === 0 ? 1 : 0 },
    received_at: '2023-03-10T00:00:00Z', completed_at: '2023-03-10T00:00:01Z',
  });
  await env.ledger.complete(acquired.uploadId, report);
  return acquired.uploadId;
}

const page = async (query: Record<string, string>) => {
  const r = await checkedHandler(await specChecker(), (e) => apiHandler(e, functionContext(), deps))(v1Event('/v1/uploads', { headers: { 'X-API-Key': KEYS.reader }, query }));
  return { status: r.statusCode, body: JSON.parse(r.body) as unknown };
};

beforeAll(async () => {
  env = await startIngestEnv();
  for (let i = 1; i <= TOTAL; i++) await complete(i);
  deps = apiDeps(env.dbPath);
});

afterAll(async () => {
  deps?.read.close();
  await env?.[Symbol.asyncDispose]();
});

describe('GET /v1/uploads pagination', () => {
  test(`${TOTAL} uploads come back exactly once in pages of 100, newest first`, async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await page(cursor ? { limit: '100', cursor } : { limit: '100' });
      expect(r.status).toBe(200);
      const body = UploadsBody.parse(r.body);
      expect(body.items.length).toBeLessThanOrEqual(100);
      seen.push(...body.items.map((i) => i.key));
      cursor = body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 50);
    expect(pages).toBe(11);
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
    expect(seen[0]).toBe(`uploads/26/file-0${TOTAL}.csv`);
    expect(seen.at(-1)).toBe('uploads/26/file-00001.csv');
  });

  test('an upload completed between pages is not repeated and does not shift later pages', async () => {
    const first = UploadsBody.parse((await page({ limit: '100' })).body);
    const newest = await complete(TOTAL + 1);
    const rest: string[] = [];
    let cursor = first.next_cursor;
    while (cursor) {
      const body = UploadsBody.parse((await page({ limit: '100', cursor })).body);
      rest.push(...body.items.map((i) => i.upload_id));
      cursor = body.next_cursor;
    }
    const all = [...first.items.map((i) => i.upload_id), ...rest];
    expect(all).toHaveLength(TOTAL);
    expect(all).not.toContain(newest);
    const fresh = UploadsBody.parse((await page({ limit: '1' })).body);
    expect(fresh.items[0]!.upload_id).toBe(newest);
  });

  test('the default page is 50 and a limit above 100 is a 400 naming limit', async () => {
    expect(UploadsBody.parse((await page({})).body).items).toHaveLength(50);
    const r = await page({ limit: '1000' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'invalid_parameter', parameter: 'limit' } });
  });
});
