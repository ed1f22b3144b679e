// Local runtime: Message Queue triggers. Each `ymq` trigger consumes its queue and invokes
// its function with Yandex QueueMessage events: up to `batch` messages, or fewer once the
// `cutoff` has passed. Success deletes the batch; a thrown error returns it to the queue
// after a visibility timeout (YMQ triggers do not retry by themselves, research §2), and a
// message received `maxReceives` times moves to the dead-letter list — the redrive policy
// docs/deploy.md sets on each queue — and to the `<queue>-dlq` resource when there is one.
import { queueEvent } from './events.ts';
import type { FunctionHost, RuntimeLog } from './functions.ts';
import type { LocalQueue } from './queue-server.ts';
import type { DeadLetter } from './retry.ts';
import type { Trigger } from './serverless-config.ts';

type YmqTrigger = Extract<Trigger, { kind: 'ymq' }>;

export type QueueTriggerOptions = {
  /** the platform's waits (cutoff, visibility timeout) are multiplied by this */
  readonly timeScale: number;
  /** receives before a message is dead-lettered (the redrive policy's maxReceiveCount) */
  readonly maxReceives: number;
  /** the visibility timeout a failed batch waits before it is visible again (s) */
  readonly visibilityTimeoutS: number;
  readonly log: RuntimeLog;
  readonly deadLetters: DeadLetter[];
  readonly deadLetterQueue: (queue: LocalQueue) => LocalQueue | undefined;
};

export class QueueTrigger {
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(
    readonly trigger: YmqTrigger,
    readonly queue: LocalQueue,
    private readonly host: FunctionHost,
    private readonly opts: QueueTriggerOptions,
  ) {
    this.#unsubscribe = queue.onSend(() => this.#wake());
  }

  get busy(): boolean {
    return this.#running || this.queue.depth > 0;
  }

  #arm(atMs: number): void {
    if (this.#timer && this.#timerAt <= atMs) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = atMs;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#wake(true);
    }, Math.max(0, atMs - Date.now()));
  }

  /** Decides whether to call now: a full batch, or the cutoff has passed. */
  #wake(cutoffPassed = false): void {
    if (this.#running || this.#closed) return;
    const visible = this.queue.visibleCount;
    if (visible >= this.trigger.batch || (visible > 0 && (cutoffPassed || this.trigger.cutoffS === 0))) {
      void this.#run();
      return;
    }
    if (visible > 0) this.#arm(Date.now() + this.trigger.cutoffS * 1000 * this.opts.timeScale);
    const next = this.queue.nextVisibleAtMs;
    if (next !== null) this.#arm(next);
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      const batch = this.queue.receive(this.trigger.batch);
      if (batch.length === 0) return;
      const r = await this.host.invoke(this.trigger.fn, 'ymq', queueEvent(this.queue.name, batch, Date.now()));
      if (r.ok) {
        this.queue.ack(batch);
        return;
      }
      const error = `${r.error.name}: ${r.error.message}`;
      const dead = this.queue.release(batch, this.opts.visibilityTimeoutS * 1000 * this.opts.timeScale, this.opts.maxReceives, error);
      for (const m of dead) {
        this.opts.log('ERROR', 'local.dead_letter', { trigger: this.trigger.id, queue: this.queue.name, function: this.trigger.fn, message_id: m.id, receives: m.receives, error });
        this.opts.deadLetters.push({ source: 'ymq', trigger: this.queue.name, function: this.trigger.fn, event: m.body, error, attempts: m.receives, atMs: Date.now() });
        this.opts.deadLetterQueue(this.queue)?.send(m.body);
      }
    } finally {
      this.#running = false;
      // more may have arrived, or the failed batch becomes visible later
      if (!this.#closed) this.#wake(true);
    }
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
  }
}
