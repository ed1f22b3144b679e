// Unit: the text folds every name and header comparison goes through.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { detached, foldHeader, foldText } from '../../../../shared/domain/normalise/text.ts';

describe('foldText', () => {
  test('lower-cases Cyrillic and Latin and turns ё and Ё into е', () => {
    // Prepare
    const raw = 'БУДЁННОВСКИЙ Грачёвский Ёлки ABC';
    // Act
    const folded = foldText(raw);
    // Assess
    expect(folded).toBe('буденновский грачевский елки abc');
  });

  test('NBSP, narrow NBSP, tabs, newlines and runs of spaces become one space, ends trimmed', () => {
    const folded = foldText('\t Буденновский\u00a0\u00a0МО\u202fСК \r\n  ');
    expect(folded).toBe('буденновский мо ск');
  });

  test('a decomposed ё (е + combining diaeresis) folds like the composed one', () => {
    const decomposed = 'Буде\u0308нновский';
    expect(foldText(decomposed)).toBe(foldText('Будённовский'));
  });

  test('soft hyphens and zero-width characters copied from web pages disappear', () => {
    expect(foldText('Буден\u00adнов\u200bский')).toBe('буденновский');
  });

  test('is idempotent on any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => foldText(foldText(s)) === foldText(s)));
  });
});

describe('foldHeader', () => {
  test('≥ may be present or absent, with or without a space after it, or written >=', () => {
    const variants = ['Педагогов, создавших ≥1 чат', 'Педагогов, создавших ≥ 1 чат', 'Педагогов, создавших 1 чат', 'Педагогов, создавших >=1 чат'];
    const folded = new Set(variants.map(foldHeader));
    expect([...folded]).toEqual(['педагогов, создавших 1 чат']);
  });

  test('case, ё and NBSP do not matter', () => {
    expect(foldHeader('ОТЧЁТНЫЙ\u00a0ПЕРИОД')).toBe(foldHeader('Отчетный период'));
  });

  test('en and em dashes and the non-breaking hyphen read as a hyphen', () => {
    const folded = ['Кол–во педагогов', 'Кол—во педагогов', 'Кол\u2011во педагогов'].map(foldHeader);
    expect(folded).toEqual(['кол-во педагогов', 'кол-во педагогов', 'кол-во педагогов']);
  });

  test('quotes are dropped and a comma is followed by exactly one space', () => {
    expect(foldHeader('«Педагогов» ,создавших 1 чат')).toBe('педагогов, создавших 1 чат');
  });

  test('a trailing required-marker *, colon or period is dropped', () => {
    expect(['ИНН*', 'ИНН:', 'ИНН.', 'ИНН *'].map(foldHeader)).toEqual(['инн', 'инн', 'инн', 'инн']);
  });

  test('different headers stay different: the fold never shortens words', () => {
    expect(foldHeader('Педагогов в Сфере')).not.toBe(foldHeader('В Сфере'));
  });

  test('is idempotent on any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => foldHeader(foldHeader(s)) === foldHeader(s)));
  });

  test('a character that NFC turns into a quote is dropped like the quote (found by the property above)', () => {
    expect(foldHeader('\u1fefИНН\u1fef')).toBe('инн');
  });
});

describe('detached', () => {
  test('is the same text, whatever it was cut from', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(), fc.nat(), (s, a, b) => {
        const cut = s.slice(Math.min(a, b) % (s.length + 1), Math.max(a, b) % (s.length + 1));
        expect(detached(cut)).toBe(cut);
        expect(detached(s)).toBe(s);
      }),
    );
  });
});
