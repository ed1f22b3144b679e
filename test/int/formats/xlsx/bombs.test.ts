// Zip bombs: a ~300 KB XLSX whose sheet inflates to 300 MB of whitespace inside
// <sheetData>, once with honest sizes and once with an under-declared central directory.
// Each is read in a CHILD node process that reports its own peak RSS, so the limit is
// measured for the read alone. The bomb is streamed through zlib, never held inflated.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IssueCode } from '../../../../shared/domain/errors.ts';
import { jsonFromChild } from '../../../support/child.ts';
import { buildZip, SHEET_CLOSE, SHEET_OPEN, xlsxParts } from '../../../support/xlsx-fixtures.ts';

// A guard against runaway work (an unbounded expansion, a quadratic parse), not a speed
// figure: these inputs are refused in about a second; `npm run bench` measures speed.
const HANG_GUARD_MS = 10_000;

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'read-xlsx-child.ts');
const MiB = 1024 * 1024;
const BOMB_WHITESPACE = 300 * MiB;

type ChildReport = { ok: boolean; issue?: { code: string; message: string; file: string; row: number | null }; raw?: string; rows?: number; ms: number; maxRssMiB: number };

const readInChild = (path: string, limits: object = {}) => jsonFromChild<ChildReport>(CHILD, [path, JSON.stringify(limits)]);

/**
 * Deflates the sheet as it is generated. gzip's body is raw deflate, and its trailer
 * carries the CRC-32 and size, so zlib computes the CRC instead of a slow JS loop.
 */
async function deflatedWhitespaceSheet(whitespace: number): Promise<{ bytes: Uint8Array; size: number; crc: number }> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((r) => gz.on('end', r));
  const write = async (b: Buffer) => {
    if (!gz.write(b)) await new Promise((r) => gz.once('drain', r));
  };
  await write(Buffer.from(SHEET_OPEN));
  const piece = Buffer.alloc(MiB, 0x20);
  for (let n = 0; n < whitespace; n += MiB) await write(piece);
  await write(Buffer.from(SHEET_CLOSE));
  gz.end();
  await ended;
  const all = Buffer.concat(out);
  return { bytes: all.subarray(10, all.length - 8), crc: all.readUInt32LE(all.length - 8), size: SHEET_OPEN.length + whitespace + SHEET_CLOSE.length };
}

describe('XLSX zip bombs', () => {
  let dir = '';
  let honest = '';
  let underDeclared = '';
  let normal = '';
  let compressedBytes = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sferum-bomb-'));
    const sheet = await deflatedWhitespaceSheet(BOMB_WHITESPACE);
    compressedBytes = sheet.bytes.length;
    honest = join(dir, 'honest.xlsx');
    underDeclared = join(dir, 'under-declared.xlsx');
    normal = join(dir, 'normal.xlsx');
    writeFileSync(honest, buildZip(xlsxParts({ compressed: sheet })));
    writeFileSync(underDeclared, buildZip(xlsxParts({ compressed: sheet, declaredSize: 4096 })));
    writeFileSync(normal, buildZip(xlsxParts({ data: `${SHEET_OPEN}<row r="1"><c r="A1" t="inlineStr"><is><t>ИНН</t></is></c></row>${SHEET_CLOSE}` })));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the bomb is small on disk and large inflated', () => {
    expect(compressedBytes).toBeLessThan(1 * MiB);
    expect(BOMB_WHITESPACE / compressedBytes).toBeGreaterThan(500);
  });

  test('a normal workbook read in the child is the baseline', async () => {
    const r = await readInChild(normal);
    console.info(`baseline child: ${r.ms.toFixed(0)} ms, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    expect(r).toMatchObject({ ok: true, rows: 0 });
  });

  test('honest sizes: rejected by the declared size, a file-level error naming the limit, RSS < 150 MB', async () => {
    // Act
    const r = await readInChild(honest);
    console.info(`declared bomb: ${r.ms.toFixed(0)} ms, peak RSS ${r.maxRssMiB.toFixed(0)} MiB — ${r.issue?.message}`);
    // Assess
    expect(r.ok).toBe(false);
    expect(r.issue).toMatchObject({ code: IssueCode.ZipBomb, file: 'uploads/26/bomb.xlsx', row: null });
    expect(r.issue?.message).toContain('xlsx.maxEntryInflated');
    expect(r.maxRssMiB * 1024 * 1024).toBeLessThan(150e6);
    expect(r.ms).toBeLessThan(HANG_GUARD_MS);
  });

  test('under-declared sizes: stopped by the inflate counter at the cap, RSS < 150 MB', async () => {
    const r = await readInChild(underDeclared);
    console.info(`under-declared bomb: ${r.ms.toFixed(0)} ms, peak RSS ${r.maxRssMiB.toFixed(0)} MiB — ${r.issue?.message}`);
    expect(r.ok).toBe(false);
    expect(r.issue?.code).toBe(IssueCode.ZipBomb);
    expect(r.issue?.message).toMatch(/inflates (past|beyond) .*\(xlsx\.(maxEntryInflated|maxTotalInflated|maxRatio)\)/);
    expect(r.maxRssMiB * 1024 * 1024).toBeLessThan(150e6);
    expect(r.ms).toBeLessThan(HANG_GUARD_MS);
  });

  test('under-declared sizes with no ratio cap: the counter inflates to the 64 MiB part cap and stops, RSS < 150 MB', async () => {
    const r = await readInChild(underDeclared, { xlsx: { maxRatio: 1_000_000 } });
    console.info(`under-declared bomb, part cap: ${r.ms.toFixed(0)} ms, peak RSS ${r.maxRssMiB.toFixed(0)} MiB — ${r.issue?.message}`);
    expect(r.issue?.code).toBe(IssueCode.ZipBomb);
    expect(r.issue?.message).toContain('inflates past 64 MiB (xlsx.maxEntryInflated)');
    expect(r.maxRssMiB * 1024 * 1024).toBeLessThan(150e6);
    expect(r.ms).toBeLessThan(HANG_GUARD_MS);
  });
});
