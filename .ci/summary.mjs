// Prints vitest's outcome as one plain closing line ("N passed, N failed, N skipped").
import { readFileSync } from 'node:fs';
const r = JSON.parse(readFileSync(new URL('../.vitest/results.json', import.meta.url), 'utf8'));
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped`);
