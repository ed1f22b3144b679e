// Runtime: the deployed entry point of every function. Dependencies are built from the
// environment on the first invocation of a warm instance and reused; a failed start-up is
// not cached, so the next invocation tries again. Logging of each invocation is middleware.
import middy from '@middy/core';
import { loadConfig, type Env } from './config.ts';
import { withDeadline } from './deadline.ts';
import { createLogger } from './logger.ts';
import { invocationLogging } from './middleware.ts';
import type { FunctionContext } from './yandex-events.ts';

export function entryPoint<D, R>(fn: string, build: (env: Env) => Promise<D>, run: (event: unknown, context: FunctionContext, deps: D) => Promise<R>) {
  let warm: Promise<D> | undefined;
  const deps = () =>
    (warm ??= build(loadConfig()).catch((err: unknown) => {
      warm = undefined;
      throw err;
    }));
  return middy<unknown, R, Error, FunctionContext>()
    .use(invocationLogging(createLogger({ base: { fn } }), fn))
    .handler((event, context) => withDeadline(context.getRemainingTimeInMillis?.(), async () => run(event, context, await deps())));
}

export { loadConfig };
