// Cold start of one bundled function, in a fresh process: `node bench/cold.cjs <bundle>`.
// "Handler ready" is when the bundle is required and its dependencies are built from the
// environment; bench/run.ts times it from the moment it spawned this process (the child
// reports the wall-clock instant, the parent subtracts its own), and the child also reports
// the CPU time spent until then, which contention on a shared machine inflates far less.
// Deps are built lazily on the first invocation (shared/runtime/entry.ts), so the bench
// invokes once with an event that the handler rejects right after the deps are built (the
// envelope parse fails; no statement is sent). In the cloud configuration (bench/run.ts,
// `<fn>+ydb`) building the deps loads the YDB SDK and connects the driver to a local
// stand-in endpoint (bench/ydb-endpoint.cjs).
'use strict';
const bundle = process.argv[2];
(async () => {
  const t0 = performance.now();
  const mod = require(bundle);
  const tRequire = performance.now();
  let outcome = 'ok';
  try {
    const res = await mod.handler({ bench: 'cold-start' }, { requestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 });
    if (res && res.statusCode >= 500) outcome = `http ${res.statusCode}`;
  } catch (err) {
    outcome = err && (err.code ?? err.name) ? String(err.code ?? err.name) : 'error';
  }
  const tReady = performance.now();
  const cpu = process.cpuUsage();
  process.stderr.write(
    `BENCH ${JSON.stringify({ originMs: tReady, readyAt: performance.timeOrigin + tReady, cpuMs: (cpu.user + cpu.system) / 1000, requireMs: tRequire, beforeRequireMs: t0, outcome, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
  );
  // the driver's channel would keep the process alive
  process.exit(0);
})();
