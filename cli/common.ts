// CLI: what every command shares — exit codes, the usage error, the sample manifest, the
// S3 client of the project's adapter, and the checks of file, data-dir and port options.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { makeS3Client, S3ObjectStore } from '../shared/adapters/s3/object-store.ts';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Stable exit codes, documented in `sferum-pulse --help`. */
export const EXIT = { ok: 0, rejected: 1, error: 2 } as const;

/** the region the local stack and its samples are of (Stavropol Krai) */
export const DEFAULT_REGION = '26';
export const DEFAULT_PREFIX = `uploads/${DEFAULT_REGION}/`;
export const DEFAULT_DATA_DIR = '.data';
export const DEFAULT_PORT = 9090;

/** A mistake the user can fix; its message says how. Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** stdout, stderr, and (when stdout is fitted to a terminal) the unfitted stdout for CSV, JSON and bytes. */
export type Io = { readonly out: NodeJS.WritableStream; readonly err: NodeJS.WritableStream; readonly raw?: NodeJS.WritableStream };

/**
 * The AWS SDK's S3 client prints an 8-line NodeVersionSupportWarning on every Node below
 * 22 (future SDK releases will need 22). The functions run on nodejs22 in the cloud; on a
 * Node 20 machine the warning says nothing the README does not ("Node 22 recommended"), so
 * the CLI and the functions it runs locally turn off exactly that warning, through the
 * SDK's own switch, and only there. Returns the variable to pass to the local functions.
 */
export function quietSdkVersionWarning(env: NodeJS.ProcessEnv = process.env, node = process.versions.node): Record<string, string> {
  if (Number(node.split('.')[0]) >= 22) return {};
  env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] };
}

const Manifest = z.object({ prefix: z.string().optional(), files: z.array(z.object({ name: z.string() })).min(1) });

/** The bundled sample exports in manifest order, and the prefix they are uploaded under. */
export function samples(): { prefix: string; files: string[] } {
  const dir = join(ROOT, 'events', 'samples');
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new UsageError(`no sample manifest at ${file}; run "npm run samples" to generate the samples`);
  const m = Manifest.parse(JSON.parse(readFileSync(file, 'utf8')));
  return { prefix: m.prefix ?? DEFAULT_PREFIX, files: m.files.map((f) => join(dir, f.name)) };
}

export function objectStore(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = 'ru-central1'): S3ObjectStore {
  // the adapter sets checksums to WHEN_REQUIRED: S3-compatible stores may reject CRC32 headers
  return new S3ObjectStore(makeS3Client({ endpoint, region, forcePathStyle: true, credentials }));
}

export function existingFiles(paths: readonly string[]): string[] {
  const files = paths.map((p) => resolve(p));
  for (const f of files) if (!existsSync(f)) throw new UsageError(`no such file: ${f}`);
  return files;
}

/** The SQLite file of a data directory (default .data); a missing one is a usage error that says how to make it. */
export function sqliteIn(dataDir: string | undefined): string {
  const path = join(resolve(dataDir ?? DEFAULT_DATA_DIR), 'pulse.sqlite');
  if (!existsSync(path)) throw new UsageError(`--data-dir: no data in ${path}; run "sferum-pulse start" or "sferum-pulse run --data-dir DIR FILE..." first, or pass --data-dir`);
  return path;
}

export function portOption(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65533) throw new UsageError(`--port takes a TCP port 0-65533 (0 = free ports), got "${value}"`);
  return n;
}
