// Adapter: ObjectStore over the S3 API (Yandex Object Storage in the cloud; s3rver,
// MinIO or LocalStack locally). Vendor errors stop here: a missing object is `null`,
// anything else becomes a TransientError so the trigger retries it.
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { TransientError } from '../../domain/errors.ts';
import type { ObjectHead, ObjectListing, ObjectStore } from '../../ports/object-store.ts';

export type S3Settings = {
  endpoint?: string | undefined;
  region: string;
  forcePathStyle: boolean;
  /** a key, or a provider of one (read from Lockbox on first use); the SDK's default chain when absent */
  credentials?: { accessKeyId: string; secretAccessKey: string } | (() => Promise<{ accessKeyId: string; secretAccessKey: string }>) | undefined;
};

export function makeS3Client(s: S3Settings): S3Client {
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    ...(s.credentials ? { credentials: s.credentials } : {}),
    // SDK >= 3.729 adds CRC32 checksums by default, which S3-compatible stores may reject.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function isNotFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404;
}

function transient(op: string, bucket: string, key: string, err: unknown): TransientError {
  const name = err instanceof Error ? err.name : 'unknown';
  return new TransientError(`object storage ${op} failed for ${bucket}/${key}: ${name}`, { cause: err });
}

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  async head(bucket: string, key: string): Promise<ObjectHead | null> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        size: r.ContentLength ?? 0,
        lastModifiedMs: r.LastModified?.getTime() ?? 0,
        etag: r.ETag ?? '',
        metadata: Object.fromEntries(Object.entries(r.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw transient('head', bucket, key, err);
    }
  }

  async get(bucket: string, key: string): Promise<AsyncIterable<Uint8Array> | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = r.Body as AsyncIterable<Uint8Array> | undefined;
      if (!body) return null;
      return rethrowing(body, bucket, key);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw transient('get', bucket, key, err);
    }
  }

  async put(
    bucket: string,
    key: string,
    body: Uint8Array | string,
    opts: { contentType?: string; metadata?: Record<string, string> } = {},
  ): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: opts.contentType, Metadata: opts.metadata }),
      );
    } catch (err) {
      throw transient('put', bucket, key, err);
    }
  }

  async *list(bucket: string, prefix: string): AsyncIterable<ObjectListing> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        throw transient('list', bucket, prefix, err);
      }
      for (const o of page.Contents ?? []) {
        if (o.Key) yield { key: o.Key, size: o.Size ?? 0, lastModifiedMs: o.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

/** A body stream can fail mid-way (a reset connection); that is transient, not bad data. */
async function* rethrowing(body: AsyncIterable<Uint8Array>, bucket: string, key: string): AsyncIterable<Uint8Array> {
  try {
    yield* body;
  } catch (err) {
    throw transient('read', bucket, key, err);
  }
}
