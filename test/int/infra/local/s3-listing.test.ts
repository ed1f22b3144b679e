// Integration: the local Object Storage lists a bucket the way S3 does. ListObjectsV2 with
// Delimiter '/' — the request `aws s3 ls s3://bucket/`, s3cmd and rclone send — names the
// folders of keys at any depth as common prefixes (s3rver 3.7.1 alone shows none), and a
// prefix, StartAfter and ListObjects v1 keep their meaning.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startObjectStorage, type ObjectStorageService } from '../../../../infra/local/object-storage.ts';
import { makeS3Client } from '../../../../shared/adapters/s3/object-store.ts';

const BUCKET = 'sferum-pulse-exports';
const KEYS = ['uploads/26/02a_schools.csv', 'uploads/26/02b_mouo.csv', 'uploads/77/x.csv', 'reports/uploads/26/02a_schools.csv.json', 'README.txt'];

let dir: string;
let storage: ObjectStorageService;
let s3: S3Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-s3-list-'));
  storage = await startObjectStorage({ directory: dir, buckets: [BUCKET] });
  s3 = makeS3Client({ endpoint: storage.endpoint, region: 'ru-central1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  for (const Key of KEYS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }));
});

afterAll(async () => {
  s3?.destroy();
  await storage?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const v2 = async (input: { Prefix?: string; StartAfter?: string }) => {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', ...input }));
  return { prefixes: (r.CommonPrefixes ?? []).map((p) => p.Prefix), keys: (r.Contents ?? []).map((c) => c.Key) };
};

describe('local Object Storage listing with a delimiter', () => {
  test('the bucket root shows reports/ and uploads/ beside the top-level object', async () => {
    expect(await v2({})).toEqual({ prefixes: ['reports/', 'uploads/'], keys: ['README.txt'] });
  });

  test('one level down, and at the leaves, as S3 answers', async () => {
    expect(await v2({ Prefix: 'uploads/' })).toEqual({ prefixes: ['uploads/26/', 'uploads/77/'], keys: [] });
    expect(await v2({ Prefix: 'uploads/26/' })).toEqual({ prefixes: [], keys: ['uploads/26/02a_schools.csv', 'uploads/26/02b_mouo.csv'] });
    expect(await v2({ Prefix: 'upl' })).toEqual({ prefixes: ['uploads/'], keys: [] });
  });

  test('StartAfter drops the folders whose objects all come before it', async () => {
    expect(await v2({ StartAfter: 'reports/uploads/26/02a_schools.csv.json' })).toEqual({ prefixes: ['uploads/'], keys: [] });
  });

  test('ListObjects v1 with a delimiter gets the same prefixes', async () => {
    const r = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/' }));
    expect((r.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(['reports/', 'uploads/']);
  });
});
