// Unit: processEach retries a batch only for failures a retry can fix.
import { describe, expect, test } from 'vitest';
import { ConfigError, TransientError } from '../../../shared/domain/errors.ts';
import { BatchRetryError, processEach } from '../../../shared/runtime/batch.ts';
import { capturedLogger } from '../../support/logs.ts';

describe('processEach', () => {
  test('a non-retryable failure is logged and returned, not rethrown; every item is attempted', async () => {
    const logs = capturedLogger();
    const seen: number[] = [];
    const results = await processEach(
      [1, 2, 3],
      async (n) => {
        seen.push(n);
        if (n === 2) throw new ConfigError('no such queue');
        return n * 10;
      },
      logs.log,
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(results.map((r) => (r.ok ? r.value : 'failed'))).toEqual([10, 'failed', 30]);
    expect(logs.entries().map((e) => [e.level, e.msg, e['retryable']])).toEqual([['ERROR', 'batch.item_failed', false]]);
  });

  test('a retryable failure throws once, after all items, naming only the retryable ones', async () => {
    const logs = capturedLogger();
    const err = await processEach(
      ['a', 'b', 'c'],
      async (s) => {
        if (s === 'a') throw new TransientError('timeout');
        if (s === 'b') throw new ConfigError('bad');
        return s;
      },
      logs.log,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchRetryError);
    expect((err as BatchRetryError).failures.map((f) => f.index)).toEqual([0]);
  });
});
