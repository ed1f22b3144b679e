// Pure: text folding for matching, the single place where "the same word" is decided.
// Exports carry one word as `Будённовский`, `БУДЕННОВСКИЙ` or `Буденновский\u00a0МО`, and
// headers arrive with or without `≥`, with typographic quotes and dashes; every comparison
// of names and headers goes through these folds. No I/O, no locale: toLowerCase is enough
// for Cyrillic and Latin.

// `\s` already covers NBSP, narrow NBSP, figure and thin spaces and the BOM.
const SPACE_RUN = /\s+/gu;
// Soft hyphens and zero-width characters ride along when headers are copied from web pages
// or Word, and are invisible to the admin who would have to explain the mismatch.
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060]/gu;

/** Lower-case, `ё`→`е`, invisible characters dropped, every run of white space → one space, trimmed. */
export function foldText(s: string): string {
  // NFC first: text from macOS tools may carry `ё`/`й` as a letter plus a combining mark.
  return s.normalize('NFC').toLowerCase().replace(/ё/gu, 'е').replace(INVISIBLE, '').replace(SPACE_RUN, ' ').trim();
}

const AT_LEAST = /≥|⩾|>=/gu;
const QUOTES = /[«»“”„‟"'`‘’‚]/gu;
const DASHES = /[‐‑‒–—―−]/gu;
const COMMA = /\s*,\s*/gu;
// Template headers mark required columns with `*` and some end in `:` or `.`.
const TRAILING_MARKS = /[\s*:.]+$/u;

/**
 * Header folding: foldText plus `≥` (or `>=`) dropped, because the same export is seen with
 * and without it; quotes removed and dashes made plain; one space after a comma; a trailing
 * `*`, `:` or `.` dropped. The result is compared exactly, never as a substring.
 */
export function foldHeader(s: string): string {
  // NFC before the replacements: it can produce a quote (U+1FEF GREEK VARIA becomes `).
  return foldText(s.normalize('NFC').replace(AT_LEAST, ' ').replace(QUOTES, '').replace(DASHES, '-'))
    .replace(COMMA, ', ')
    .replace(TRAILING_MARKS, '');
}

/** Latin letters that look like Cyrillic ones (lower case, as after foldText), and those Cyrillic letters. */
const LOOK_ALIKES: Readonly<Record<string, string>> = { a: 'а', b: 'в', c: 'с', e: 'е', h: 'н', k: 'к', m: 'м', o: 'о', p: 'р', t: 'т', x: 'х', y: 'у' };
const LATIN_LOOK_ALIKE = /[abcehkmoptxy]/gu;

/**
 * Folded text with every Latin look-alike read as the Cyrillic letter it imitates
 * («Пeдагогов» with a Latin `e` → «педагогов»). Only a fallback for a header that matched
 * nothing as written: the caller reports the guess.
 */
export function foldHomoglyphs(folded: string): string {
  return folded.replace(LATIN_LOOK_ALIKE, (c) => LOOK_ALIKES[c]!);
}

/**
 * The same text in memory of its own. V8 represents a substring as a view into the string it
 * was cut from, so keeping a short cell in a long-lived cache keeps the whole decoded file
 * it came from; concatenating and cutting again makes a flat copy of just the cell.
 */
export function detached(s: string): string {
  return ` ${s}`.slice(1);
}
