#!/usr/bin/env node
// The `sferum-pulse` command: registers tsx so the TypeScript CLI runs straight from the
// repository (npx sferum-pulse after npm install), then hands over to it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../infra/local/cli.ts');
process.exitCode = await main(process.argv.slice(2));
