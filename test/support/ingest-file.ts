// Test helper: one file through the real ingest handler, as the Object Storage trigger
// delivers it, over an IngestEnv; what it left — the report and the PeriodChanged messages.
import { ingestHandler } from '../../functions/ingest/handler.ts';
import type { PeriodChanged, UploadReport } from '../../shared/domain/schemas.ts';
import { functionContext, storageEvent } from './events.ts';
import type { IngestEnv } from './ingest-env.ts';
import { TEST_BUCKET } from './s3.ts';

/** Puts `body` at `key`, runs the handler on its ObjectCreate event and reads back the report it wrote. */
export async function ingestFile(env: IngestEnv, key: string, body: Uint8Array | string): Promise<{ report: UploadReport; changes: PeriodChanged[] }> {
  await env.upload(key, body);
  const from = env.published.length;
  await ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(), env.deps());
  const report = await env.report(key);
  if (!report) throw new Error(`ingest wrote no report for ${key}`);
  return { report, changes: env.published.slice(from) };
}
