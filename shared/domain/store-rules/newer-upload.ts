// Pure: which of two uploads of the same units is newer. S3's LastModified has a resolution
// of one second and two uploads may share it, so the ledger's ingest sequence (issued in
// acquisition order) breaks the tie; equal versions are the same upload, never "newer".

/** What makes one upload newer than another: the object's LastModified, then ingest order. */
export type SourceVersion = { readonly lastModifiedMs: number; readonly sequence: number };

/** Newer upload wins: a strictly later LastModified, or the same instant and a later ingest sequence. */
export function isNewer(candidate: SourceVersion, current: SourceVersion): boolean {
  if (candidate.lastModifiedMs !== current.lastModifiedMs) return candidate.lastModifiedMs > current.lastModifiedMs;
  return candidate.sequence > current.sequence;
}
