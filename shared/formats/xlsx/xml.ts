// The little XML the XLSX reader needs: attributes of a tag, entity and `_xHHHH_` escapes,
// the text of a string item, and UTF-8 decoding across inflate chunks. Spreadsheet parts
// are machine-written and flat; the zip guard has already refused any DTD, so the only
// entities are the five predefined ones and character references.

/** The value of `name="…"` (or `'…'`) in a tag's attribute text, unescaped; undefined when absent. */
export function attr(tag: string, name: string): string | undefined {
  const at = tag.indexOf(`${name}=`);
  if (at === -1) return undefined;
  // a match must start the attribute (`r=` is not the end of `spans=`)
  for (let i = at; i !== -1; i = tag.indexOf(`${name}=`, i + 1)) {
    const before = i === 0 ? ' ' : tag[i - 1]!;
    if (before !== ' ' && before !== '\t' && before !== '\n' && before !== '\r') continue;
    const q = tag[i + name.length + 1];
    if (q !== '"' && q !== "'") continue;
    const end = tag.indexOf(q, i + name.length + 2);
    if (end === -1) return undefined;
    const raw = tag.slice(i + name.length + 2, end);
    return raw.includes('&') ? unescapeXml(raw) : raw;
  }
  return undefined;
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Thrown for XML the reader cannot take (an undefined entity, a broken element). */
export class XmlError extends Error {}

/** `&amp;` and friends and `&#1055;` / `&#x41F;`; any other entity is an error (none is ever defined). */
export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{0,40});/gu, (whole, name: string) => {
    const named = NAMED[name];
    if (named !== undefined) return named;
    const code = name.startsWith('#x') || name.startsWith('#X') ? Number.parseInt(name.slice(2), 16) : name.startsWith('#') ? Number.parseInt(name.slice(1), 10) : Number.NaN;
    if (Number.isInteger(code) && code >= 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    throw new XmlError(`undefined entity ${whole.slice(0, 42)}`);
  });
}

/** OOXML writes control characters in strings as `_x000D_`; `_x005F_` escapes a literal underscore. */
function unescapeOoxml(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/gu, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Cell or shared-string text: unescaped, control escapes decoded. */
export function cellString(raw: string): string {
  return unescapeOoxml(unescapeXml(raw));
}

/**
 * The text of a string item (`<si>` or `<is>`): its `<t>` elements, rich-text runs joined,
 * phonetic runs (`<rPh>`, East Asian readings) left out.
 */
export function textOf(inner: string): string {
  const body = inner.includes('<rPh') ? inner.replace(/<rPh\b[\s\S]*?<\/rPh>/gu, '') : inner;
  let out = '';
  for (let i = body.indexOf('<t'); i !== -1; i = body.indexOf('<t', i + 2)) {
    const c = body[i + 2];
    if (c !== '>' && c !== ' ' && c !== '/') continue; // <tab>, <tr> are not text
    const gt = body.indexOf('>', i);
    if (gt === -1) break;
    if (body[gt - 1] === '/') continue; // <t/>
    const close = body.indexOf('</t>', gt);
    if (close === -1) throw new XmlError('a text element is never closed');
    out += body.slice(gt + 1, close);
    i = close;
  }
  return cellString(out);
}

/** UTF-8 text from byte chunks, a character cut by a chunk edge kept whole. */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const c of chunks) {
    const s = decoder.decode(c, { stream: true });
    if (s) yield s;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}
