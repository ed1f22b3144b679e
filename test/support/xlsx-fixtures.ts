// Test fixtures for the readers: byte sources with chosen chunking, a small CP1251
// encoder (independent of the decoder under test), and a hand-made ZIP/XLSX builder for
// archives no well-behaved library would write (bombs, lies in the central directory);
// and a workbook as a spreadsheet program writes it (exceljs), for the ones it would.
import type ExcelJS from 'exceljs';
import { deflateRawSync } from 'node:zlib';
import type { ByteSource, RawRow, RawTable } from '../../shared/formats/raw-table.ts';

/** A re-openable source yielding `bytes` in pieces of `size` (1 = the worst case for decoders). */
export function chunked(bytes: Uint8Array, size = 64 * 1024): ByteSource {
  return async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, Math.min(bytes.length, i + size));
  };
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The bytes of a workbook `fill` builds with exceljs (loaded only by the tests that call this). */
export async function workbook(fill: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  fill(wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** Windows-1251 for the characters these tests use: ASCII, А-я, Ё/ё, №, «», NBSP, – and —. */
export function cp1251(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) out[i] = c;
    else if (c >= 0x410 && c <= 0x44f) out[i] = c - 0x410 + 0xc0;
    else if (c === 0x401) out[i] = 0xa8;
    else if (c === 0x451) out[i] = 0xb8;
    else if (c === 0x2116) out[i] = 0xb9;
    else if (c === 0xab || c === 0xbb || c === 0xa0) out[i] = c;
    else if (c === 0x2013) out[i] = 0x96;
    else if (c === 0x2014) out[i] = 0x97;
    else throw new Error(`cp1251 fixture: no mapping for U+${c.toString(16)}`);
  }
  return out;
}

export async function allRows(table: RawTable): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const r of table.rows) rows.push(r);
  return rows;
}

/** Runs `fn` and returns what it threw (fails the test when nothing is thrown). */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, none was thrown');
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `b`; pass the previous result to continue over a stream of pieces. */
export function crc32(b: Uint8Array, previous = 0): number {
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export type ZipPart = {
  name: string;
  /** the entry's content; ignored when `compressed` is given */
  data?: Uint8Array | string;
  /** pre-deflated content (e.g. a bomb streamed through zlib) with its real size and crc */
  compressed?: { bytes: Uint8Array; size: number; crc: number };
  method?: 0 | 8;
  /** lie about the inflated size, in the central directory and the local header */
  declaredSize?: number;
  /** only in the central directory */
  cdDeclaredSize?: number;
};

/** A ZIP archive built byte by byte: local headers, central directory, end record. */
export function buildZip(parts: readonly ZipPart[], opts: { junkBetween?: Uint8Array } = {}): Uint8Array {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  parts.forEach((p, idx) => {
    const name = Buffer.from(p.name, 'utf8');
    const method = p.compressed ? 8 : (p.method ?? 8);
    const raw = p.compressed ? null : typeof p.data === 'string' ? Buffer.from(p.data, 'utf8') : Buffer.from(p.data ?? new Uint8Array(0));
    const body = p.compressed ? Buffer.from(p.compressed.bytes) : method === 8 ? deflateRawSync(raw!) : raw!;
    const size = p.compressed ? p.compressed.size : raw!.length;
    const crc = p.compressed ? p.compressed.crc : crc32(raw!);
    const localSize = p.declaredSize ?? size;
    const cdSize = p.cdDeclaredSize ?? localSize;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(localSize, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(cdSize, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    chunks.push(local, name, body);
    offset += local.length + name.length + body.length;
    if (idx === 0 && opts.junkBetween) {
      chunks.push(Buffer.from(opts.junkBetween));
      offset += opts.junkBetween.length;
    }
  });
  const cdBytes = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(parts.length, 8);
  eocd.writeUInt16LE(parts.length, 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...chunks, cdBytes, eocd]));
}

export const SHEET_OPEN = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
export const SHEET_CLOSE = '</sheetData></worksheet>';

/** The parts every workbook needs around one sheet, the sheet being given as a part. */
export function xlsxParts(sheet: Omit<ZipPart, 'name'>, sheetName = 'Лист1', opts: { sharedStringsFirst?: boolean } = {}): ZipPart[] {
  // With shared strings before the sheet, exceljs streams the sheet directly instead of
  // spooling it to a tmp file: both paths need testing.
  const shared: ZipPart[] = opts.sharedStringsFirst
    ? [{ name: 'xl/sharedStrings.xml', data: '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Ставрополь</t></si></sst>' }]
    : [];
  return [
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${sheetName}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    },
    ...shared,
    { name: 'xl/worksheets/sheet1.xml', ...sheet },
  ];
}

/** An inline-string row: `<row r=n>` with one `<c>` per value, columns A, B, … */
export function inlineRow(n: number, values: readonly string[]): string {
  const cells = values.map((v, i) => `<c r="${columnName(i + 1)}${n}" t="inlineStr"><is><t>${escapeXml(v)}</t></is></c>`).join('');
  return `<row r="${n}">${cells}</row>`;
}

export function columnName(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
