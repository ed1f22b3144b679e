// Test helper: an in-process s3rver on 127.0.0.1 with a fresh directory, reached through
// the real S3 API (the same adapter the functions use).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { makeS3Client, S3ObjectStore } from '../../shared/adapters/s3/object-store.ts';

export const TEST_BUCKET = 'sferum-pulse-exports';

export type S3Fixture = {
  endpoint: string;
  store: S3ObjectStore;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

export async function startS3(buckets: string[] = [TEST_BUCKET]): Promise<S3Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
  const info = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${info.port}`;
  const store = new S3ObjectStore(
    makeS3Client({ endpoint, region: 'ru-central1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
  );
  const close = async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { endpoint, store, close, [Symbol.asyncDispose]: close };
}
