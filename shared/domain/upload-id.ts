// Pure: the identity of an upload. It is derived from (bucket, key, content hash), so a
// redelivered event or a re-upload of identical bytes maps to the same id, and the staged
// batch of a retried ingest lands on the same rows instead of a second copy.
import { createHash } from 'node:crypto';

export function uploadIdFor(k: { bucket: string; key: string; sha256: string }): string {
  return `up_${createHash('sha256').update(`${k.bucket}\u0000${k.key}\u0000${k.sha256}`).digest('hex').slice(0, 24)}`;
}
