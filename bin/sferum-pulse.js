#!/usr/bin/env node
// The `sferum-pulse` command: registers tsx's ESM loader (tsx 4's `register` from
// tsx/esm/api) so the TypeScript CLI runs straight from the repository — `npx sferum-pulse`
// after `npm install` — and hands over to it. The exit code is the CLI's.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
