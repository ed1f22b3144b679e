// Port: the object storage bucket (Yandex Object Storage in the cloud, s3rver locally).
// Adapters translate vendor errors: a missing object is `null`, a fault a TransientError.

export type ObjectHead = {
  readonly size: number;
  /** epoch milliseconds; the "newer upload wins" rule compares these */
  readonly lastModifiedMs: number;
  readonly etag: string;
  /** user metadata (x-amz-meta-*), lower-case keys; may carry `period` */
  readonly metadata: Readonly<Record<string, string>>;
};

export type ObjectListing = { readonly key: string; readonly size: number; readonly lastModifiedMs: number };

export interface ObjectStore {
  head(bucket: string, key: string): Promise<ObjectHead | null>;
  /** Streams the body; null when the object no longer exists. */
  get(bucket: string, key: string): Promise<AsyncIterable<Uint8Array> | null>;
  put(bucket: string, key: string, body: Uint8Array | string, opts?: { contentType?: string; metadata?: Record<string, string> }): Promise<void>;
  /** Every object under a prefix, following continuation tokens (never a truncated page). */
  list(bucket: string, prefix: string): AsyncIterable<ObjectListing>;
}
