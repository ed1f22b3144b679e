// Runtime: the end of the invocation being served, for adapters whose retries must stop
// before the function is killed (YDB). The entry point runs each invocation inside
// `withDeadline`; the stores, built once per warm instance, ask `currentDeadline()` on
// every call and so see the deadline of whichever invocation is calling.
import { AsyncLocalStorage } from 'node:async_hooks';

const invocation = new AsyncLocalStorage<number>();

/** Runs `fn` with its deadline: now + the remaining time the platform reports. */
export function withDeadline<T>(remainingMs: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return fn();
  return invocation.run(Date.now() + remainingMs, fn);
}

/** The current invocation's end (epoch ms), or undefined outside one. */
export function currentDeadline(): number | undefined {
  return invocation.getStore();
}
