// Pure: resolves a municipality cell to the region's reference entry. Matching ignores
// case, ё/е, designators (муниципальный округ, МО, ГО, район, р-н, город, г., город-курорт,
// г.-к. …) and the grammatical case the name stands in (`Изобильненского муниципального
// округа` inside an authority's name), by comparing stems. A centre-city name is matched
// only through an alias an admin adds to the data file: that mapping is a decision.
import { z } from 'zod';
import { IssueCode } from '../errors.ts';
import { fail, ok, type CellValue, type Result } from '../result.ts';
import { foldText } from './text.ts';

export const MunicipalityReference = z.object({
  region: z.object({ code: z.string().regex(/^\d{2}$/), okato_prefix: z.string().optional(), name: z.string().min(1) }),
  note: z.string().optional(),
  municipalities: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9_-]+$/, 'ids are lower-case latin slugs'),
        name: z.string().min(1),
        status: z.string(),
        centre: z.string().nullable().optional(),
        aliases: z.array(z.string().min(1)).optional(),
      }),
    )
    .min(1),
});
export type MunicipalityReference = z.infer<typeof MunicipalityReference>;

export type MunicipalityMatch = { id: string; name: string };

// Phrases removed before the core name is taken. Longer phrases first.
const PHRASES = [
  'ставропольского края',
  'ставропольский край',
  'управление образования',
  'комитет образования',
  'отдел образования',
  'управления образования',
  'муниципального образования',
  'муниципальное образование',
  'муниципальный округ',
  'муниципального округа',
  'муниципальный район',
  'муниципального района',
  'городской округ',
  'городского округа',
  'города-курорта',
  'город-курорт',
  'г.-к.',
  'г-к',
];
const TOKENS = new Set(['мо', 'го', 'мр', 'ск', 'район', 'района', 'р-н', 'р-на', 'город', 'города', 'г.', 'г', 'администрации', 'администрация', 'округ', 'округа', 'край', 'края']);
const ENDINGS = ['ского', 'скому', 'ским', 'ском', 'ский', 'ская', 'ское', 'ого', 'ому', 'ими', 'ий', 'ый', 'ой', 'ая', 'ое', 'ом', 'ым', 'ов', 'ев', 'ам', 'ах', 'я', 'а', 'у', 'е', 'и', 'ь', 'ы'];
const ADJECTIVE = /(ский|ского|ском|скому|ским|ская|ское)$/u;

/** The name without designators and punctuation, e.g. `буденновский`, `ставрополь`. */
export function municipalityCore(raw: string): string {
  let s = ` ${foldText(raw).replace(/[«»"'(),;]/gu, ' ')} `;
  for (const p of PHRASES) s = s.split(` ${p} `).join(' ');
  const tokens = s
    .split(' ')
    .map((t) => t.trim())
    .filter((t) => t !== '' && !TOKENS.has(t) && !TOKENS.has(t.replace(/\.$/u, '')));
  return tokens.join(' ').replace(/^г\.\s*/u, '');
}

/** Strips case endings twice (`лермонтова` → `лермонтов` → `лермонт`), keeping at least 4 letters. */
export function stem(word: string): string {
  let w = word;
  for (let pass = 0; pass < 2; pass++) {
    const e = ENDINGS.find((x) => w.endsWith(x) && w.length - x.length >= 4);
    if (!e) break;
    w = w.slice(0, -e.length);
  }
  return w;
}

export function createMunicipalityMatcher(ref: MunicipalityReference): (raw: CellValue) => Result<MunicipalityMatch> {
  const byStem = new Map<string, { m: MunicipalityMatch; city: boolean }>();
  const byAlias = new Map<string, MunicipalityMatch>();
  for (const e of ref.municipalities) {
    const m = { id: e.id, name: e.name };
    const core = municipalityCore(e.name);
    byStem.set(core.split(' ').map(stem).join(' '), { m, city: !ADJECTIVE.test(core) });
    byAlias.set(foldText(e.name), m);
    for (const a of e.aliases ?? []) {
      byAlias.set(foldText(a), m);
      byAlias.set(municipalityCore(a), m);
    }
  }
  return (raw) => {
    if (raw === null || raw === '') return fail(IssueCode.MissingValue, 'municipality is empty');
    if (typeof raw !== 'string') return fail(IssueCode.UnknownMunicipality, 'municipality must be a name');
    const alias = byAlias.get(foldText(raw));
    if (alias) return ok(alias);
    const core = municipalityCore(raw);
    const aliasCore = byAlias.get(core);
    if (aliasCore) return ok(aliasCore);
    const hit = core === '' ? undefined : byStem.get(core.split(' ').map(stem).join(' '));
    // `Ставропольский …` is an adjective and never the city of Stavropol.
    if (hit && !(hit.city && ADJECTIVE.test(core))) return ok(hit.m);
    return fail(IssueCode.UnknownMunicipality, `unknown municipality of region ${ref.region.code}; add an alias to the reference file if it is a spelling of a known one`);
  };
}
