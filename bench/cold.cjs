// Cold start of one bundled function, in a fresh process: `node bench/cold.cjs <bundle> [<also>]`.
// Time from process start (performance.timeOrigin) to "handler ready": the bundle required
// and its dependencies built from the environment. Deps are built lazily on the first
// invocation (shared/runtime/entry.ts), so the bench invokes once with an event that the
// handler rejects right after the deps are built (the envelope parse fails; no network).
'use strict';
const bundle = process.argv[2];
// a file the cloud configuration also compiles before its first network call
// (dist/vendor/ydb.js: the YDB adapter loads it when the deps are built)
const also = process.argv[3];
(async () => {
  const t0 = performance.now();
  const mod = require(bundle);
  const tRequire = performance.now();
  let outcome = 'ok';
  try {
    await mod.handler({ bench: 'cold-start' }, { requestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 1000 });
  } catch (err) {
    outcome = err && err.name ? err.name : 'error';
  }
  if (also) require(also);
  const tReady = performance.now();
  process.stderr.write(`BENCH ${JSON.stringify({ ms: tReady, requireMs: tRequire, beforeRequireMs: t0, outcome, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
})();
