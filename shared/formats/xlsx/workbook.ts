// What a workbook says about its sheets before any row is read: the sheets in the
// workbook's own order with their names and parts, the shared strings, which cell styles
// are dates, and the date system. Read by random access from the checked parts, so a zip
// whose workbook.xml comes after the sheets still names every sheet in every message.
// Parses text it is given; no I/O of its own.
import { inflatePart, type ZipPart } from './zip-guard.ts';
import { attr, decodeUtf8, textOf, unescapeXml } from './xml.ts';

export type SheetRef = { readonly name: string; readonly part: string | null };

export type WorkbookInfo = {
  readonly sheets: readonly SheetRef[];
  readonly sharedStrings: readonly string[];
  /** per cell style index (`s`), true when its number format is a date or time */
  readonly dateStyles: readonly boolean[];
  readonly date1904: boolean;
};

const REL_OFFICE_DOCUMENT = /\/officeDocument$/u;

/** A part by name, exactly or ignoring case (some writers disagree with their own rels on case). */
export function partFinder(parts: readonly ZipPart[]): (name: string) => ZipPart | undefined {
  const exact = new Map(parts.map((p) => [p.name, p]));
  const folded = new Map(parts.map((p) => [p.name.toLowerCase(), p]));
  return (name) => exact.get(name) ?? folded.get(name.toLowerCase());
}

export async function readWhole(part: ZipPart): Promise<string> {
  const out: string[] = [];
  for await (const s of decodeUtf8(inflatePart(part))) out.push(s);
  return out.join('');
}

type Rel = { id: string; type: string; target: string };

function relsOf(xml: string): Rel[] {
  const out: Rel[] = [];
  for (const m of xml.matchAll(/<Relationship\b([^>]*)>/gu)) {
    const tag = m[1]!;
    out.push({ id: attr(tag, 'Id') ?? '', type: attr(tag, 'Type') ?? '', target: attr(tag, 'Target') ?? '' });
  }
  return out;
}

/** A rels target against the folder of the part that owns the rels (`xl/`), `..` and `/` resolved. */
function resolveTarget(base: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `${base}${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i + 1);
}

function relsPathOf(path: string): string {
  return `${folderOf(path)}_rels/${path.slice(folderOf(path).length)}.rels`;
}

export async function readWorkbook(find: (name: string) => ZipPart | undefined): Promise<WorkbookInfo> {
  const root = find('_rels/.rels');
  const office = root ? relsOf(await readWhole(root)).find((r) => REL_OFFICE_DOCUMENT.test(r.type)) : undefined;
  const workbookPath = office ? resolveTarget('', office.target) : 'xl/workbook.xml';
  const workbookPart = find(workbookPath);
  if (!workbookPart) throw new Error(`the workbook part ${workbookPath} is missing`);
  const workbookXml = await readWhole(workbookPart);
  const relsPart = find(relsPathOf(workbookPath));
  const rels = relsPart ? relsOf(await readWhole(relsPart)) : [];
  const base = folderOf(workbookPath);
  const byId = new Map(rels.map((r) => [r.id, r]));
  const target = (suffix: RegExp, fallback: string) => {
    const r = rels.find((x) => suffix.test(x.type));
    return r ? resolveTarget(base, r.target) : `${base}${fallback}`;
  };

  const sheets: SheetRef[] = [];
  for (const m of workbookXml.matchAll(/<sheet\b([^>]*)>/gu)) {
    const tag = m[1]!;
    const name = unescapeXml(attr(tag, 'name') ?? `Лист${sheets.length + 1}`);
    const rel = byId.get(attr(tag, 'r:id') ?? attr(tag, 'id') ?? '');
    // chart sheets and dialog sheets hold no cells
    if (rel && !/\/worksheet$/u.test(rel.type)) continue;
    sheets.push({ name, part: rel ? resolveTarget(base, rel.target) : null });
  }
  const date1904 = /<workbookPr\b[^>]*\bdate1904\s*=\s*["'](?:1|true)["']/u.test(workbookXml);

  const sstPart = find(target(/\/sharedStrings$/u, 'sharedStrings.xml'));
  const stylesPart = find(target(/\/styles$/u, 'styles.xml'));
  return {
    sheets,
    sharedStrings: sstPart ? await readSharedStrings(sstPart) : [],
    dateStyles: stylesPart ? dateStylesOf(await readWhole(stylesPart)) : [],
    date1904,
  };
}

/** The shared strings, streamed `<si>` by `<si>` (the part itself is never one string). */
async function readSharedStrings(part: ZipPart): Promise<string[]> {
  const out: string[] = [];
  let buf = '';
  for await (const s of decodeUtf8(inflatePart(part))) {
    buf += s;
    let pos = 0;
    for (;;) {
      const open = buf.indexOf('<si', pos);
      if (open === -1) break;
      const selfClose = buf.indexOf('/>', open);
      const gt = buf.indexOf('>', open);
      if (gt === -1) break;
      if (selfClose !== -1 && selfClose + 1 === gt) {
        out.push('');
        pos = gt + 1;
        continue;
      }
      const close = buf.indexOf('</si>', gt);
      if (close === -1) break;
      out.push(textOf(buf.slice(gt + 1, close)));
      pos = close + 5;
    }
    buf = buf.slice(pos);
  }
  return out;
}

// Built-in number formats that are dates or times (ECMA-376 §18.8.30, and the CJK ones).
const BUILTIN_DATES = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A custom format code is a date when, outside quotes, brackets and escapes, it has d, m, y, h or s. */
function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\./gu, '');
  return /[dmyhs]/iu.test(bare) && !/^[#0.,%\s]*$/u.test(bare);
}

function dateStylesOf(xml: string): boolean[] {
  const custom = new Map<number, boolean>();
  for (const m of xml.matchAll(/<numFmt\b([^>]*)>/gu)) {
    const id = Number(attr(m[1]!, 'numFmtId'));
    custom.set(id, isDateFormat(unescapeXml(attr(m[1]!, 'formatCode') ?? '')));
  }
  const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/u.exec(xml)?.[1] ?? '';
  const out: boolean[] = [];
  for (const m of xfs.matchAll(/<xf\b([^>]*)>/gu)) {
    const id = Number(attr(m[1]!, 'numFmtId') ?? 0);
    out.push(custom.get(id) ?? BUILTIN_DATES.has(id));
  }
  return out;
}
