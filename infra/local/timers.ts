// Local runtime: timer triggers and the clock they run on. The clock is simulated: tests
// move it with `tick(to)`, which fires every timer due in (now, to] minute by minute, in
// order; `start` drives it from the wall clock. Each firing sends a TimerMessage with the
// trigger's id and payload, retried and dead-lettered like the cloud's timer trigger.
import { parseCron, type CronExpression } from './cron.ts';
import { timerEvent } from './events.ts';
import type { FunctionHost, RuntimeLog } from './functions.ts';
import { invokeWithRetry, type DeadLetter } from './retry.ts';
import type { Trigger } from './serverless-config.ts';

type CronTrigger = Extract<Trigger, { kind: 'cron' }>;

const MINUTE = 60_000;

export type TimerOptions = {
  /** where the simulated clock starts (default: the current minute) */
  readonly start?: Date;
  readonly timeScale: number;
  readonly log: RuntimeLog;
  readonly deadLetters: DeadLetter[];
  readonly sendToQueue: (queueKey: string, body: string) => void;
};

export type Firing = { readonly trigger: string; readonly function: string; readonly at: string; readonly ok: boolean };

export class Timers {
  readonly #crons: { t: CronTrigger; cron: CronExpression }[];
  #nowMs: number;
  #firing = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #wall: NodeJS.Timeout | null = null;
  readonly firings: Firing[] = [];

  constructor(
    triggers: readonly CronTrigger[],
    private readonly host: FunctionHost,
    private readonly opts: TimerOptions,
  ) {
    // An invalid expression fails the start, as a deploy would.
    this.#crons = triggers.map((t) => ({ t, cron: parseCron(t.expression) }));
    this.#nowMs = Math.floor((opts.start?.getTime() ?? Date.now()) / MINUTE) * MINUTE;
  }

  /** The simulated time. */
  now(): Date {
    return new Date(this.#nowMs);
  }

  get busy(): boolean {
    return this.#firing > 0;
  }

  /** Moves the clock to `to`, firing every due timer on the way; resolves when their calls are done. */
  tick(to: Date): Promise<void> {
    const run = async () => {
      if (to.getTime() < this.#nowMs) throw new RangeError(`the clock only moves forward: it is ${this.now().toISOString()}, tick asked for ${to.toISOString()}`);
      const due = this.#crons
        .flatMap(({ t, cron }, order) => [...cron.between(new Date(this.#nowMs), to)].map((at) => ({ t, at, order })))
        .sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order);
      for (const d of due) {
        this.#nowMs = d.at.getTime();
        await this.#fire(d.t, d.at);
      }
      this.#nowMs = to.getTime();
    };
    const p = this.#chain.then(run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** Fires the timers whose expression matches the minute `at`, without moving the clock (a duplicate firing). */
  fireAt(at: Date): Promise<void> {
    const p = this.#chain.then(async () => {
      for (const { t, cron } of this.#crons) if (cron.matches(at)) await this.#fire(t, at);
    });
    this.#chain = p.catch(() => undefined);
    return p;
  }

  async #fire(t: CronTrigger, at: Date): Promise<void> {
    this.#firing++;
    try {
      const ok = await invokeWithRetry(this.host, { trigger: t.id, fn: t.fn, source: 'cron', event: timerEvent(t.id, at, t.payload), retry: t.retry, timeScale: this.opts.timeScale, log: this.opts.log }, (dead) => {
        this.opts.deadLetters.push(dead);
        if (t.dlq) this.opts.sendToQueue(t.dlq, JSON.stringify(dead.event));
      });
      this.firings.push({ trigger: t.id, function: t.fn, at: at.toISOString(), ok });
    } finally {
      this.#firing--;
    }
  }

  /** Follows the wall clock: at each whole minute, ticks to it. */
  startWallClock(): void {
    const arm = () => {
      this.#wall = setTimeout(() => {
        const to = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
        this.tick(to.getTime() >= this.#nowMs ? to : this.now())
          .catch((err: unknown) => this.opts.log('ERROR', 'local.timer_failed', { error: err instanceof Error ? err.message : String(err) }))
          .finally(() => {
            if (this.#wall) arm();
          });
      }, MINUTE - (Date.now() % MINUTE) + 5);
    };
    this.#nowMs = Math.floor(Date.now() / MINUTE) * MINUTE;
    arm();
  }

  close(): void {
    if (this.#wall) clearTimeout(this.#wall);
    this.#wall = null;
  }
}
