// The byte plumbing of an upload: a re-openable source over one object (read into memory
// once when small, streamed again on each open when large), the whole of a source, and
// its hash alone. I/O only through the ObjectStore port it is given.
import { createHash } from 'node:crypto';
import { IssueCode } from '../domain/errors.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import { inputError } from '../formats/issue.ts';
import type { ByteSource } from '../formats/raw-table.ts';

const PIECE = 64 * 1024;

/** A source over the object, or null when it no longer exists. */
export async function objectSource(objects: ObjectStore, bucket: string, key: string, size: number, bufferBytes: number): Promise<ByteSource | null> {
  if (size <= bufferBytes) {
    const body = await objects.get(bucket, key);
    if (!body) return null;
    const bytes = await collect(() => body);
    // In pieces, as a stream would come: one chunk of the whole object would be decoded
    // into one string of the whole text (twice its size for Cyrillic) by the CSV reader.
    return async function* () {
      for (let i = 0; i < bytes.length; i += PIECE) yield bytes.subarray(i, i + PIECE);
    };
  }
  return async function* () {
    const body = await objects.get(bucket, key);
    if (!body) throw inputError(key, IssueCode.EmptyFile, 'the object disappeared while it was read');
    yield* body;
  };
}

/**
 * The same bytes, with every failure of the source itself passed through `fault` — so a
 * reader's caller can tell a storage fault from one in the reader.
 */
export function faultTagged(open: ByteSource, fault: (err: unknown) => unknown): ByteSource {
  return async function* () {
    const it = open()[Symbol.asyncIterator]();
    try {
      for (;;) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await it.next();
        } catch (err) {
          throw fault(err);
        }
        if (r.done) return;
        yield r.value;
      }
    } finally {
      // a reader that stops early (a limit) closes the body too
      await it.return?.();
    }
  };
}

export async function collect(open: ByteSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of open()) {
    parts.push(c);
    n += c.length;
  }
  return Buffer.concat(parts, n);
}

export async function hashOnly(open: ByteSource): Promise<string> {
  const h = createHash('sha256');
  for await (const c of open()) h.update(c);
  return h.digest('hex');
}
