// Local runtime: Object Storage. An in-process s3rver on 127.0.0.1 with the buckets of
// serverless.yml, its data under the data directory, and the Object Storage triggers: each
// s3rver object event becomes a Yandex ObjectCreate/ObjectDelete message, goes to every
// trigger whose bucket, event types and prefix AND suffix match, and is batched (≤ 10 per
// call, within a short cutoff). A call that throws is retried per the trigger's `retry`
// (intervals scaled down for local runs); then the event is dead-lettered. Listings with a
// delimiter get s3rver's deep common prefixes back (s3rver-listing.ts).
import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import { fixCommonPrefixes } from './s3rver-listing.ts';
import { objectChanges, storageEvent, triggerWants, type ObjectChange } from './events.ts';
import type { FunctionHost, RuntimeLog } from './functions.ts';
import type { Trigger } from './serverless-config.ts';
import { invokeWithRetry, type DeadLetter } from './retry.ts';
import { makeS3Client } from '../../shared/adapters/s3/object-store.ts';
import { postFormMiddleware } from './upload-post.ts';

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule></CORSConfiguration>`;

/** At most this many messages per Object Storage trigger call (research §2). */
const MAX_BATCH = 10;

export type ObjectStorageService = {
  readonly endpoint: string;
  readonly port: number;
  /** listens for s3rver's object events (S3 notification shape) */
  onEvent(listener: (event: unknown) => void): void;
  close(): Promise<void>;
};

export async function startObjectStorage(opts: { directory: string; buckets: readonly string[]; port?: number }): Promise<ObjectStorageService> {
  mkdirSync(opts.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    silent: true,
    directory: opts.directory,
    // the upload page reads its report with a presigned GET from the API's origin
    configureBuckets: opts.buckets.map((name) => ({ name, configs: [Buffer.from(CORS)] })),
  });
  fixCommonPrefixes(server);
  let port = 0;
  let client: ReturnType<typeof makeS3Client> | undefined;
  const self = () => (client ??= makeS3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'ru-central1', forcePathStyle: true, credentials: { ...LOCAL_CREDENTIALS } }));
  // browser uploads (POST policies) are checked before s3rver, which ignores their policy
  (server as unknown as { middleware: unknown[] }).middleware.unshift(postFormMiddleware({ buckets: opts.buckets, client: self, ...LOCAL_CREDENTIALS }));
  ({ port } = await server.run());
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    onEvent: (listener) => void server.on('event', listener),
    close: () => server.close(),
  };
}

type S3Trigger = Extract<Trigger, { kind: 's3' }>;

export type ObjectTriggerOptions = {
  /** how long a batch waits for more events before the call (ms) */
  readonly batchCutoffMs: number;
  /** trigger retry intervals are multiplied by this */
  readonly timeScale: number;
  readonly log: RuntimeLog;
  /** a dead letter also goes to the trigger's `dlq` queue, if it names one */
  readonly sendToQueue: (queueKey: string, body: string) => void;
  readonly deadLetters: DeadLetter[];
};

/** Runs the Object Storage triggers over a stream of object changes. */
export class ObjectStorageTriggers {
  readonly #state = new Map<string, { buffer: ObjectChange[]; timer: NodeJS.Timeout | null; chain: Promise<void>; inFlight: number }>();
  #enabled = true;

  constructor(
    private readonly triggers: readonly S3Trigger[],
    private readonly host: FunctionHost,
    private readonly opts: ObjectTriggerOptions,
  ) {
    for (const t of triggers) this.#state.set(t.id, { buffer: [], timer: null, chain: Promise.resolve(), inFlight: 0 });
  }

  /** false drops object events, as a lost trigger would (reconciliation tests). */
  set enabled(v: boolean) {
    this.#enabled = v;
  }

  /** An s3rver event: converted, filtered per trigger, buffered. */
  accept(event: unknown): void {
    if (!this.#enabled) return;
    for (const change of objectChanges(event)) {
      for (const t of this.triggers) {
        if (!triggerWants(t, change)) continue;
        const s = this.#state.get(t.id)!;
        s.buffer.push(change);
        if (s.buffer.length >= MAX_BATCH) this.#flush(t);
        else s.timer ??= setTimeout(() => this.#flush(t), this.opts.batchCutoffMs);
      }
    }
  }

  #flush(t: S3Trigger): void {
    const s = this.#state.get(t.id)!;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    while (s.buffer.length > 0) {
      const batch = s.buffer.splice(0, MAX_BATCH);
      s.inFlight++;
      // One batch at a time per trigger, in arrival order: uploads are processed in order.
      s.chain = s.chain.then(async () => {
        try {
          await invokeWithRetry(this.host, { trigger: t.id, fn: t.fn, source: 's3', event: storageEvent(batch), retry: t.retry, timeScale: this.opts.timeScale, log: this.opts.log }, (dead) => {
            this.opts.deadLetters.push(dead);
            if (t.dlq) this.opts.sendToQueue(t.dlq, JSON.stringify(dead.event));
          });
        } finally {
          s.inFlight--;
        }
      });
    }
  }

  /** Events buffered, or batches being delivered (with their retries). */
  get pending(): number {
    let n = 0;
    for (const s of this.#state.values()) n += s.buffer.length + s.inFlight;
    return n;
  }

  close(): void {
    for (const s of this.#state.values()) if (s.timer) clearTimeout(s.timer);
  }
}
