// Windows-1251 encoding for the samples (Node has a CP1251 decoder but no encoder, and
// iconv-lite is not a dependency): the Cyrillic block and the few symbols exports use.
const EXTRA: Record<string, number> = { Ё: 0xa8, ё: 0xb8, '\u00a0': 0xa0, '«': 0xab, '»': 0xbb, '№': 0xb9, '—': 0x97, '–': 0x96 };

export function encodeCp1251(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out[n++] = c;
    else if (c >= 0x410 && c <= 0x44f) out[n++] = c - 0x410 + 0xc0;
    else if (EXTRA[ch] !== undefined) out[n++] = EXTRA[ch];
    else throw new Error(`no Windows-1251 byte for U+${c.toString(16)}`);
  }
  return out.subarray(0, n);
}
