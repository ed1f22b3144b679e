// Pure: what an upload from the upload page may contain. The scope of the key that asked
// for the upload form travels in the object key itself, which the signed form fixes
// exactly: `uploads/<region>/<stamp>-<nonce>/<file>` for a region key,
// `uploads/<region>/municipality=<id>/<stamp>-<nonce>/<file>` for a municipality key. Ingest
// reads the scope back from the key and rejects each row outside it, so a municipality
// admin cannot replace a neighbour's rows, whatever the file says.
import { z } from 'zod';
import { IssueCode } from './errors.ts';
import type { Issue } from './schemas.ts';

const MUNICIPALITY_ID = /^[a-z0-9_-]{1,64}$/;

/** What an `uploader` key may upload, and so what its uploads' object keys carry: one region, or one municipality of it. */
export const UploadScope = z.object({
  region: z.string().regex(/^\d{2}$/, 'an uploader scope starts with a two-digit region code'),
  municipality: z.string().regex(MUNICIPALITY_ID, 'a municipality id is lower-case letters, digits, "_" or "-"').nullable(),
});
export type UploadScope = z.infer<typeof UploadScope>;

const MUNICIPALITY_SEGMENT = 'municipality=';

/** The object key of one upload; `fileName` is kept (its period may be the fallback) but made safe. */
export function uploadKeyFor(prefix: string, scope: UploadScope, fileName: string, stamp: Date, nonce: string): string {
  const when = stamp.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const scopePart = scope.municipality === null ? '' : `${MUNICIPALITY_SEGMENT}${scope.municipality}/`;
  return `${prefix}${scope.region}/${scopePart}${when}-${nonce}/${safeFileName(fileName)}`;
}

/** Letters (Cyrillic included), digits, space, `. _ - ( )`; anything else becomes `_`; at most 120 characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.normalize('NFC').replace(/[^\p{L}\p{N} ._()-]/gu, '_').replace(/^\.+/, '_').slice(-120);
  return cleaned === '' ? 'upload' : cleaned;
}

/**
 * The scope an object key carries, or null for a key the upload page did not make (the
 * ministry's own S3 uploads: `uploads/<file>`, `uploads/<region>/<file>`), which ingest
 * takes as it always has.
 */
export function scopeOfKey(prefix: string, key: string): UploadScope | null {
  if (!key.startsWith(prefix)) return null;
  const parts = key.slice(prefix.length).split('/');
  const region = parts[0]!;
  if (!/^\d{2}$/.test(region) || parts.length < 3) return null;
  const second = parts[1]!;
  if (second.startsWith(MUNICIPALITY_SEGMENT)) {
    const id = second.slice(MUNICIPALITY_SEGMENT.length);
    return MUNICIPALITY_ID.test(id) && parts.length >= 4 ? { region, municipality: id } : null;
  }
  // a region key's upload: `<stamp>-<nonce>/<file>` directly under the region
  return /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-[a-z0-9]+$/.test(second) ? { region, municipality: null } : null;
}

/** The issue that rejects a row outside the scope, or null when the row is inside it. */
export function scopeIssue(
  scope: UploadScope | null,
  row: { readonly region: string; readonly municipality_id: string },
  where: {
    readonly file: string;
    readonly sheet: string | null;
    readonly row: number;
    readonly headerOf: (field: 'region' | 'municipality') => string | null;
    /** the cell as the file writes it (`Александровский МО`, not our id): the value a person recognises */
    readonly writtenOf?: (field: 'region' | 'municipality') => string | null;
  },
): Issue | null {
  if (scope === null) return null;
  const at = { file: where.file, sheet: where.sheet, row: where.row };
  if (row.region !== scope.region) {
    return { code: IssueCode.OutsideUploadScope, message: `the row is in region ${row.region}; this upload's key may upload only region ${scope.region}`, ...at, column: where.headerOf('region'), value: where.writtenOf?.('region') ?? row.region };
  }
  if (scope.municipality !== null && row.municipality_id !== scope.municipality) {
    return {
      code: IssueCode.OutsideUploadScope,
      message: `the row is of municipality ${row.municipality_id}; this upload's key may upload only rows of municipality ${scope.municipality}`,
      ...at,
      column: where.headerOf('municipality'),
      value: where.writtenOf?.('municipality') ?? row.municipality_id,
    };
  }
  return null;
}
