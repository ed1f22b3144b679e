// Runtime: the middy middleware every function shares. It keeps logging and error
// reporting out of handler bodies: one line when an invocation starts, one when it ends
// (with its duration), and the error's class and code — never its payload — when it throws.
import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '../ports/logger.ts';
import type { FunctionContext } from './yandex-events.ts';

export function invocationLogging(log: Logger, fn: string): MiddlewareObj<unknown, unknown, Error, FunctionContext> {
  const started = new WeakMap<object, number>();
  return {
    before: (req) => {
      started.set(req, performance.now());
      log.info('invocation.start', { fn, request_id: req.context?.requestId });
    },
    after: (req) => {
      log.info('invocation.end', { fn, request_id: req.context?.requestId, ms: Math.round(performance.now() - (started.get(req) ?? 0)) });
    },
    onError: (req) => {
      log.error('invocation.failed', { fn, request_id: req.context?.requestId, error: req.error ?? undefined });
    },
  };
}
