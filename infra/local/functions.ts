// Local runtime: function hosting. Each function of serverless.yml runs from its bundle in
// dist/ (built by scripts/build.mjs when missing or older than the sources) inside its own
// worker thread — one warm instance with its own process.env and module state, serving one
// request at a time, as on Cloud Functions. An invocation past the function's timeout
// terminates the instance (the next call starts cold). A function without a bundle is
// reported and skipped, never a crash.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FunctionSpec } from './serverless-config.ts';

export type InvocationError = { readonly name: string; readonly message: string };
export type InvocationResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: InvocationError };

export type Invocation = { readonly function: string; readonly trigger: string; readonly ok: boolean; readonly ms: number; readonly error?: string };

export type RuntimeLog = (level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', msg: string, fields?: Record<string, unknown>) => void;

const WORKER = new URL('./function-worker.mjs', import.meta.url);

/** Newest modification time of the files under `dir` (ms), 0 when there is none. */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    if (e.isFile() && /\.(ts|json|mjs|js|css)$/.test(e.name)) max = Math.max(max, statSync(path).mtimeMs);
  }
  return max;
}

/** Bundles whose sources exist (functions/<name>/handler.ts) but which are missing or stale. */
export function staleBundles(root: string, functions: readonly FunctionSpec[]): string[] {
  // what a bundle is built from: the handlers, the shared code and the pages the api serves
  // (the CLI is never bundled, so editing it does not make a bundle stale)
  const sources = Math.max(...['functions', 'shared', 'web'].map((room) => newest(join(root, room))));
  return functions
    .filter((f) => existsSync(join(root, 'functions', f.name, 'handler.ts')))
    .filter((f) => {
      const bundle = join(root, f.bundle);
      return !existsSync(bundle) || statSync(bundle).mtimeMs < sources;
    })
    .map((f) => f.name);
}

/**
 * Runs scripts/build.mjs when a bundle is missing or stale. Concurrent runtimes (parallel
 * test files) take a directory lock so one builds while the others wait and re-check.
 */
export async function ensureBuilt(root: string, functions: readonly FunctionSpec[], log: RuntimeLog): Promise<void> {
  const script = join(root, 'scripts', 'build.mjs');
  if (!existsSync(script)) return;
  const lock = join(root, 'dist', '.build-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    const stale = staleBundles(root, functions);
    if (stale.length === 0) return;
    mkdirSync(join(root, 'dist'), { recursive: true });
    try {
      mkdirSync(lock);
    } catch {
      // another runtime is building; a lock older than the build could take is abandoned
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 180 s for another build to finish (lock ${lock}); remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      log('INFO', 'local.build', { stale });
      await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, [script], { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) =>
          err ? reject(new Error(`npm run build failed: ${stderr.trim().split('\n').slice(-5).join(' | ') || err.message}`)) : resolve(),
        ),
      );
      return;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

type Pending = { id: string; event: unknown; resolve: (r: InvocationResult) => void };

/** One warm instance of one function; invocations queue and run one at a time. */
class Instance {
  #worker: Worker | null = null;
  #queue: Pending[] = [];
  #running: (Pending & { timer: NodeJS.Timeout }) | null = null;

  constructor(
    readonly spec: FunctionSpec,
    private readonly bundle: string,
    private readonly env: Readonly<Record<string, string>>,
    private readonly output: NodeJS.WritableStream | null,
  ) {}

  get busy(): number {
    return this.#queue.length + (this.#running ? 1 : 0);
  }

  invoke(event: unknown): Promise<InvocationResult> {
    return new Promise((resolve) => {
      this.#queue.push({ id: randomUUID(), event, resolve });
      this.#next();
    });
  }

  #spawn(): Worker {
    const w = new Worker(WORKER, {
      workerData: { bundle: this.bundle, functionName: this.spec.name, memoryMb: this.spec.memoryMb },
      env: { ...this.env },
      execArgv: [],
      stdout: true,
      stderr: true,
    });
    // Function logs (JSON lines on stdout/stderr) go to the runtime's log stream.
    for (const s of [w.stdout, w.stderr]) {
      if (this.output) s.pipe(this.output, { end: false });
      else s.resume();
    }
    w.on('message', (m: { id: string } & InvocationResult) => {
      if (this.#worker !== w) return;
      const r = this.#running;
      if (!r || r.id !== m.id) return;
      clearTimeout(r.timer);
      this.#running = null;
      r.resolve(m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error });
      this.#next();
    });
    // events of an instance already replaced (after a timeout) concern nobody
    w.on('error', (err) => {
      if (this.#worker === w) this.#crash({ name: err.name, message: `the instance crashed: ${err.message}` });
    });
    w.on('exit', (code) => {
      if (this.#worker !== w) return;
      this.#worker = null;
      if (this.#running) this.#crash({ name: 'InstanceExit', message: `the instance exited with code ${code}` });
    });
    w.unref();
    return w;
  }

  #crash(error: InvocationError): void {
    const r = this.#running;
    const w = this.#worker;
    this.#worker = null;
    if (w) void w.terminate();
    if (r) {
      clearTimeout(r.timer);
      this.#running = null;
      r.resolve({ ok: false, error });
    }
    this.#next();
  }

  #next(): void {
    if (this.#running || this.#queue.length === 0) return;
    const p = this.#queue.shift()!;
    const timeoutMs = this.spec.timeoutS * 1000;
    this.#worker ??= this.#spawn();
    const timer = setTimeout(() => this.#crash({ name: 'TimeoutError', message: `${this.spec.name} did not finish within its timeout of ${this.spec.timeoutS} s` }), timeoutMs);
    this.#running = { ...p, timer };
    this.#worker.postMessage({ id: p.id, event: p.event, requestId: p.id, deadlineMs: Date.now() + timeoutMs });
  }

  async close(): Promise<void> {
    for (const p of this.#queue.splice(0)) p.resolve({ ok: false, error: { name: 'Shutdown', message: 'the local stack is closing' } });
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
    if (this.#running) {
      clearTimeout(this.#running.timer);
      this.#running.resolve({ ok: false, error: { name: 'Shutdown', message: 'the local stack is closing' } });
      this.#running = null;
    }
  }
}

export type FunctionHost = {
  /** functions with a bundle, by name */
  readonly available: readonly string[];
  /** functions declared without a bundle */
  readonly missing: readonly string[];
  readonly invocations: Invocation[];
  invoke(name: string, trigger: string, event: unknown): Promise<InvocationResult>;
  /** invocations queued or running */
  readonly busy: number;
  close(): Promise<void>;
};

export function hostFunctions(
  root: string,
  functions: readonly FunctionSpec[],
  envOf: (fn: FunctionSpec) => Record<string, string>,
  opts: { log: RuntimeLog; output: NodeJS.WritableStream | null },
): FunctionHost {
  const instances = new Map<string, Instance>();
  const missing: string[] = [];
  for (const fn of functions) {
    const bundle = join(root, fn.bundle);
    if (!existsSync(bundle)) {
      missing.push(fn.name);
      opts.log('WARN', 'local.function_skipped', { function: fn.name, reason: `no bundle at ${fn.bundle}; add functions/${fn.name}/handler.ts and run npm run build` });
      continue;
    }
    instances.set(fn.name, new Instance(fn, bundle, envOf(fn), opts.output));
  }
  const invocations: Invocation[] = [];
  return {
    available: [...instances.keys()],
    missing,
    invocations,
    get busy() {
      let n = 0;
      for (const i of instances.values()) n += i.busy;
      return n;
    },
    async invoke(name, trigger, event) {
      const inst = instances.get(name);
      if (!inst) return { ok: false, error: { name: 'FunctionMissing', message: `function ${name} has no bundle` } };
      const started = Date.now();
      const r = await inst.invoke(event);
      const ms = Date.now() - started;
      invocations.push(r.ok ? { function: name, trigger, ok: true, ms } : { function: name, trigger, ok: false, ms, error: `${r.error.name}: ${r.error.message}` });
      opts.log(r.ok ? 'DEBUG' : 'WARN', r.ok ? 'local.invoked' : 'local.invocation_failed', { function: name, trigger, ms, ...(r.ok ? {} : { error: `${r.error.name}: ${r.error.message}` }) });
      return r;
    },
    async close() {
      await Promise.all([...instances.values()].map((i) => i.close()));
    },
  };
}
