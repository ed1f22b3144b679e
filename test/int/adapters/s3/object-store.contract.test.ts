// The ObjectStore contract against a real S3-compatible store (MinIO from
// infra/docker-compose.yml, or Yandex Object Storage) when S3_ENDPOINT is set; visibly
// skipped otherwise. Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the
// bucket from S3_TEST_BUCKET (default sferum-pulse-exports, which the compose file creates).
import { describe, test } from 'vitest';
import { makeS3Client, S3ObjectStore } from '../../../../shared/adapters/s3/object-store.ts';
import { objectStoreContract } from '../../../contract/object-store.contract.ts';

const REASON = 'set S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (see infra/docker-compose.yml)';
const endpoint = process.env.S3_ENDPOINT;

if (!endpoint || !process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY) {
  describe.skip(`S3 contract: skipped — ${REASON}`, () => {
    test('ObjectStore against S3_ENDPOINT', () => undefined);
  });
  console.warn(`[s3] ObjectStore contract against S3_ENDPOINT skipped: ${REASON}`);
} else {
  objectStoreContract(`S3 at ${endpoint}`, async () => {
    const client = makeS3Client({
      endpoint,
      region: process.env.S3_REGION ?? 'ru-central1',
      // MinIO wants path-style; Object Storage accepts both
      forcePathStyle: process.env.S3_FORCE_PATH_STYLE !== 'false',
      credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! },
    });
    return { store: new S3ObjectStore(client), bucket: process.env.S3_TEST_BUCKET ?? 'sferum-pulse-exports', [Symbol.asyncDispose]: async () => client.destroy() };
  });
}
