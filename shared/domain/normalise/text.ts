// Pure: text folding for matching. Exports carry the same word as `Будённовский`,
// `БУДЕННОВСКИЙ` or `Буденновский\u00a0МО`; every comparison goes through these folds.

const SPACE_RUN = /[\s\u00a0\u202f\u2007\u2009\ufeff]+/gu;

/** lower-case, ё→е, every run of white space (NBSP and narrow NBSP included) → one space, trimmed */
export function foldText(s: string): string {
  return s.toLowerCase().replace(/ё/gu, 'е').replace(SPACE_RUN, ' ').trim();
}

/**
 * Header folding: foldText, `≥` dropped (headers match with or without it), typographic
 * quotes and dashes made plain, and a trailing colon or period dropped.
 */
export function foldHeader(s: string): string {
  return foldText(
    s
      .replace(/[≥⩾]/gu, '')
      .replace(/[«»“”„"']/gu, '')
      .replace(/[–—‑]/gu, '-'),
  )
    .replace(/\s*,\s*/gu, ', ')
    .replace(/[:.]$/u, '')
    .replace(SPACE_RUN, ' ')
    .trim();
}
