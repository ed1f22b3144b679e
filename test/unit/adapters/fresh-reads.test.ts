// FreshReads: callers who ask before a read begins share it; callers who ask while a read
// is in flight share the next one, never the one that began before they asked (it may miss
// a commit they must see).
import { expect, test } from 'vitest';
import { FreshReads } from '../../../shared/adapters/fresh-reads.ts';

/** A read per call whose answer the test gives: `started[i].resolve(value)` or `.reject(error)`. */
function controlledReads() {
  const started: { key: string; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const reads = new FreshReads<string, string>(
    (key) =>
      new Promise<string>((resolve, reject) => {
        started.push({ key, resolve, reject });
      }),
  );
  /** one event-loop turn: a read asked for begins by then */
  const turn = () => new Promise<void>((r) => setImmediate(r));
  return { reads, started, turn };
}

test('callers who ask in the same turn share one read; a caller after it settled reads again', async () => {
  const { reads, started, turn } = controlledReads();
  const asked = [reads.get('26'), reads.get('26')];
  await turn();
  expect(started).toHaveLength(1);
  started[0]!.resolve('t1');
  expect(await Promise.all(asked)).toEqual(['t1', 't1']);
  const b = reads.get('26');
  await turn();
  expect(started).toHaveLength(2);
  started[1]!.resolve('t2');
  expect(await b).toBe('t2');
});

test('callers who ask during a read share one further read begun after it, and get its answer', async () => {
  const { reads, started, turn } = controlledReads();
  const first = reads.get('26');
  await turn();
  const waiting = [reads.get('26'), reads.get('26'), reads.get('26')];
  await turn();
  // nothing begins for them while the first read is in flight
  expect(started).toHaveLength(1);
  started[0]!.resolve('before');
  await turn();
  expect(started).toHaveLength(2);
  started[1]!.resolve('after');
  expect(await first).toBe('before');
  expect(await Promise.all(waiting)).toEqual(['after', 'after', 'after']);
});

test('a caller who asks during the shared read waits for the one after it', async () => {
  const { reads, started, turn } = controlledReads();
  const first = reads.get('26');
  await turn();
  const second = reads.get('26');
  started[0]!.resolve('1');
  await turn();
  const third = reads.get('26');
  started[1]!.resolve('2');
  await turn();
  expect(started).toHaveLength(3);
  started[2]!.resolve('3');
  expect([await first, await second, await third]).toEqual(['1', '2', '3']);
});

test('a failed read fails its own cohort only; the cohort after it reads again', async () => {
  const { reads, started, turn } = controlledReads();
  const first = reads.get('26');
  await turn();
  const next = reads.get('26');
  started[0]!.reject(new Error('UNAVAILABLE'));
  await expect(first).rejects.toThrow('UNAVAILABLE');
  await turn();
  started[1]!.resolve('t');
  expect(await next).toBe('t');
});

test('a read that throws before it returns a promise fails its cohort, not the caller synchronously', async () => {
  let calls = 0;
  const reads = new FreshReads<string, string>(() => {
    calls++;
    if (calls === 1) throw new Error('no session');
    return Promise.resolve('t');
  });
  await expect(reads.get('26')).rejects.toThrow('no session');
  expect(await reads.get('26')).toBe('t');
});

test('keys are read apart', async () => {
  const { reads, started, turn } = controlledReads();
  const a = reads.get('26');
  const b = reads.get('77');
  await turn();
  expect(started.map((s) => s.key)).toEqual(['26', '77']);
  started[1]!.resolve('b');
  started[0]!.resolve('a');
  expect([await a, await b]).toEqual(['a', 'b']);
});
