// Child process for the hostile-XLSX tests: reads one workbook file through readXlsx and
// prints one JSON line with the outcome, the time taken and the process's peak RSS, so
// the parent measures memory of this read alone (vitest's own heap is not in it).
import { readFileSync } from 'node:fs';
import { InputError } from '../../../../shared/domain/errors.ts';
import type { LimitOverrides } from '../../../../shared/formats/raw-table.ts';
import { readXlsx } from '../../../../shared/formats/xlsx/reader.ts';

const [path, limitsJson = '{}'] = process.argv.slice(2);
if (!path) throw new Error('usage: read-xlsx-child.ts <workbook path> [limit overrides as JSON]');
const file = 'uploads/26/bomb.xlsx';
const limits = JSON.parse(limitsJson) as LimitOverrides;
const bytes = readFileSync(path);

const started = performance.now();
let outcome: Record<string, unknown>;
try {
  let rows = 0;
  for await (const table of readXlsx(bytes, { file, limits })) for await (const _ of table.rows) rows++;
  outcome = { ok: true, rows };
} catch (err) {
  outcome = err instanceof InputError ? { ok: false, issue: err.issue } : { ok: false, raw: String(err) };
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ...outcome, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
