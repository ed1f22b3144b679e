// A file-backed ObjectStore for the bench: objects are files already on disk (streamed in
// 64 KiB chunks, like an HTTP body), reports are kept in memory. No network, so the bench
// measures the pipeline, not s3rver.
import { createReadStream, statSync } from 'node:fs';
import type { ObjectHead, ObjectListing, ObjectStore } from '../shared/ports/object-store.ts';

export class FileObjectStore implements ObjectStore {
  readonly #files = new Map<string, string>();
  readonly #puts = new Map<string, Uint8Array | string>();

  add(bucket: string, key: string, path: string): void {
    this.#files.set(`${bucket}/${key}`, path);
  }

  async head(bucket: string, key: string): Promise<ObjectHead | null> {
    const path = this.#files.get(`${bucket}/${key}`);
    if (path) return { size: statSync(path).size, lastModifiedMs: Date.parse('2023-03-13T08:00:00Z'), etag: '"bench"', metadata: {} };
    const body = this.#puts.get(`${bucket}/${key}`);
    return body === undefined ? null : { size: Buffer.byteLength(body), lastModifiedMs: 0, etag: '"bench"', metadata: {} };
  }

  async get(bucket: string, key: string): Promise<AsyncIterable<Uint8Array> | null> {
    const path = this.#files.get(`${bucket}/${key}`);
    if (path) return createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>;
    const body = this.#puts.get(`${bucket}/${key}`);
    if (body === undefined) return null;
    return (async function* () {
      yield typeof body === 'string' ? Buffer.from(body) : body;
    })();
  }

  async put(bucket: string, key: string, body: Uint8Array | string): Promise<void> {
    this.#puts.set(`${bucket}/${key}`, body);
  }

  async *list(bucket: string, prefix: string): AsyncIterable<ObjectListing> {
    for (const k of this.#files.keys()) {
      const key = k.slice(bucket.length + 1);
      if (k.startsWith(`${bucket}/`) && key.startsWith(prefix)) yield { key, size: statSync(this.#files.get(k)!).size, lastModifiedMs: 0 };
    }
  }
}
