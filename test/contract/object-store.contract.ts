// Contract suite: what every ObjectStore adapter promises (the S3 adapter against s3rver
// always, against MinIO or Yandex Object Storage when S3_ENDPOINT is set). Each test works
// under its own key prefix (keyv-style), so a shared real bucket needs no cleaning between
// runs, and `await using` disposes of each test's store.
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { ObjectStore } from '../../shared/ports/object-store.ts';

/** A store and a bucket per call; disposing of it closes what the factory opened (the bucket may be shared). */
export type ObjectStoreFactory = () => Promise<{ readonly store: ObjectStore; readonly bucket: string } & AsyncDisposable>;

async function bytes(body: AsyncIterable<Uint8Array> | null): Promise<Buffer | null> {
  if (!body) return null;
  const parts: Buffer[] = [];
  for await (const p of body) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}

export type ContractOptions = {
  /** why this store cannot serve a second list page; the continuation test is then skipped, visibly */
  readonly noContinuation?: string;
};

export function objectStoreContract(name: string, make: ObjectStoreFactory, opts: ContractOptions = {}) {
  describe(`ObjectStore contract: ${name}`, () => {
    const prefix = () => `contract/${randomUUID()}/`;

    test('put then head and get return the bytes, size, time and metadata', async () => {
      await using s = await make();
      const key = `${prefix()}uploads/26/week.csv`;
      const body = Buffer.from('Муниципалитет;ИНН\nБудённовский;2634000001\n', 'utf8');
      const before = Date.now();
      await s.store.put(s.bucket, key, body, { contentType: 'text/csv; charset=utf-8', metadata: { period: '2023-03-06..2023-03-10', Region: '26' } });
      const head = await s.store.head(s.bucket, key);
      expect(head).not.toBeNull();
      expect(head!.size).toBe(body.length);
      expect(head!.etag).not.toBe('');
      expect(head!.metadata).toEqual({ period: '2023-03-06..2023-03-10', region: '26' });
      // LastModified has second precision on most stores; allow for clock skew
      expect(Math.abs(head!.lastModifiedMs - before)).toBeLessThan(120_000);
      expect(await bytes(await s.store.get(s.bucket, key))).toEqual(body);
    });

    test('a missing object is null for head and get, not an error', async () => {
      await using s = await make();
      const key = `${prefix()}nothing-here.xlsx`;
      expect(await s.store.head(s.bucket, key)).toBeNull();
      expect(await s.store.get(s.bucket, key)).toBeNull();
    });

    test('Cyrillic keys and spaces round-trip through put, head, get and list', async () => {
      await using s = await make();
      const p = prefix();
      const key = `${p}uploads/26/Сферум выгрузка 06.03–10.03.2023.xlsx`;
      await s.store.put(s.bucket, key, 'данные');
      expect((await s.store.head(s.bucket, key))?.size).toBe(Buffer.byteLength('данные'));
      expect((await bytes(await s.store.get(s.bucket, key)))?.toString('utf8')).toBe('данные');
      const listed: string[] = [];
      for await (const o of s.store.list(s.bucket, p)) listed.push(o.key);
      expect(listed).toEqual([key]);
    });

    test('put overwrites: the newer body and size win', async () => {
      await using s = await make();
      const key = `${prefix()}same.csv`;
      await s.store.put(s.bucket, key, 'old');
      await s.store.put(s.bucket, key, 'newer body');
      expect((await s.store.head(s.bucket, key))?.size).toBe(10);
      expect((await bytes(await s.store.get(s.bucket, key)))?.toString()).toBe('newer body');
    });

    const listing = async (n: number) => {
      await using s = await make();
      const p = prefix();
      const keys = Array.from({ length: n }, (_, i) => `${p}uploads/${String(i).padStart(5, '0')}.csv`);
      for (let i = 0; i < keys.length; i += 25) await Promise.all(keys.slice(i, i + 25).map((k) => s.store.put(s.bucket, k, 'x')));
      await s.store.put(s.bucket, `${p}reports/outside.json`, '{}');
      const listed: { key: string; size: number }[] = [];
      for await (const o of s.store.list(s.bucket, `${p}uploads/`)) listed.push({ key: o.key, size: o.size });
      expect(listed.map((o) => o.key).sort()).toEqual(keys);
      expect(listed.every((o) => o.size === 1)).toBe(true);
    };

    test('list returns a full first page (999 keys) and stays inside the prefix', () => listing(999));

    if (opts.noContinuation) {
      test.skip(`list follows continuation past one page (1000 keys) — skipped: ${opts.noContinuation}`, () => undefined);
    } else {
      test('list follows continuation past one page (1000 keys) and stays inside the prefix', () => listing(1005));
    }
  });
}
