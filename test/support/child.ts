// A TypeScript script run in a child node process that prints its outcome as one JSON line
// last: the memory tests measure a read's peak RSS in a process of its own, without vitest's
// heap in it.
import { spawn } from 'node:child_process';
import { REPO_ROOT } from './paths.ts';

/** Runs `script` (a path) with `args` under tsx and resolves with its last stdout line, parsed. */
export function jsonFromChild<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`child exited ${code}: ${err.slice(0, 2000)}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}
