// Pure: resolves a municipality cell to an entry of the region's reference list (data, in
// data/municipalities-<code>.json). Matching ignores case, ё/е and designators («муниципальный
// округ», «МО», «ГО», «район», «р-н», «город», «г.», «город-курорт», «г.-к.», the region's
// own name …), and finds a name declined inside an authority's name («администрации
// Изобильненского муниципального округа», «… города Ставрополя»). Declined forms are
// generated from the reference names rather than stripped off the input, so only the exact
// masculine case forms of a reference name ever match: «Курская» (a stanitsa) is not
// «Курский», and a centre-city name reaches its district only through an alias an admin
// adds to the data file. An unknown name is a row error, never a new municipality.
import { z } from 'zod';
import { ConfigError, IssueCode } from '../errors.ts';
import type { CellValue } from '../cell.ts';
import { fail, ok, type Result } from '../result.ts';
import { RegionCode } from '../schemas.ts';
import { detached, foldText } from './text.ts';

export const MunicipalityReference = z
  .object({
    region: z.object({ code: RegionCode, okato_prefix: z.string().optional(), name: z.string().min(1) }),
    note: z.string().optional(),
    municipalities: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z0-9_-]+$/u, 'ids are lower-case latin slugs'),
          name: z.string().min(1),
          status: z.string().min(1),
          centre: z.string().nullable().optional(),
          /** spellings an admin approved, e.g. a centre-city name typed for its district */
          aliases: z.array(z.string().min(1)).optional(),
        }),
      )
      .min(1),
  })
  .superRefine((ref, ctx) => {
    const ids = new Set<string>();
    ref.municipalities.forEach((m, i) => {
      if (ids.has(m.id)) ctx.addIssue({ code: 'custom', path: ['municipalities', i, 'id'], message: `id ${m.id} is used twice` });
      ids.add(m.id);
    });
  });
export type MunicipalityReference = z.infer<typeof MunicipalityReference>;

export type MunicipalityMatch = { readonly id: string; readonly name: string };

/** Words that say what kind of unit a name is, in the cases they take inside authority names. */
const DESIGNATORS: ReadonlySet<string> = new Set([
  ...['муниципальный', 'муниципального', 'муниципальному', 'муниципальным', 'муниципальном', 'муниципальное', 'муниципальной'],
  ...['городской', 'городского', 'городскому', 'городским', 'городском'],
  ...['округ', 'округа', 'округу', 'округом', 'округе'],
  ...['район', 'района', 'району', 'районом', 'районе', 'р-н', 'р-на', 'р-не', 'р-он'],
  ...['образование', 'образования'],
  ...['город', 'города', 'городу', 'городом', 'городе', 'г', 'гор'],
  // «г.-к.» splits into г and к
  ...['город-курорт', 'города-курорта', 'городу-курорту', 'городом-курортом', 'городе-курорте', 'г-к', 'к'],
  ...['мо', 'го', 'мр'],
]);

/** Lower-case words; dots, quotes and brackets split (`г.Ставрополь`), hyphens inside a word stay (`р-н`). */
function words(raw: string): string[] {
  return foldText(raw)
    .split(/[^\p{L}\p{N}-]+/u)
    .map((w) => w.replace(/^-+|-+$/gu, ''))
    .filter((w) => w !== '');
}

const isDesignator = (w: string | undefined): boolean => w !== undefined && DESIGNATORS.has(w);

const VELAR = /[кгх]$/u;
const HUSHING = /[жчшщ]$/u;

/**
 * The forms a one-word name takes as the head of «администрации …», «… округа»: masculine
 * adjective cases for `-ий/-ый/-ой` (the adjective qualifies «округ»/«район»), else noun
 * cases by the final letter. A guessed form that is not Russian harms nothing: it simply
 * never occurs in input.
 */
function declensions(word: string): string[] {
  const adjective = /^(.{3,})(ий|ый|ой)$/u.exec(word);
  if (adjective) {
    const stem = adjective[1]!;
    const velar = VELAR.test(stem);
    // Soft and hushing stems in -ий decline with е (синий → синего), velar ones with о (курский → курского).
    if (adjective[2] === 'ий' && !velar) return [word, `${stem}его`, `${stem}ему`, `${stem}им`, `${stem}ем`];
    const instrumental = velar || HUSHING.test(stem) ? 'им' : 'ым';
    return [word, `${stem}ого`, `${stem}ому`, `${stem}${instrumental}`, `${stem}ом`];
  }
  const stem = word.slice(0, -1);
  switch (word.at(-1)) {
    case 'ь':
      return [word, `${stem}я`, `${stem}ю`, `${stem}ем`, `${stem}е`, `${stem}и`];
    case 'й':
      return [word, `${stem}я`, `${stem}ю`, `${stem}ем`, `${stem}е`];
    case 'а':
      return [word, VELAR.test(stem) || HUSHING.test(stem) ? `${stem}и` : `${stem}ы`, `${stem}е`, `${stem}у`, `${stem}ой`];
    case 'я':
      return [word, `${stem}и`, `${stem}е`, `${stem}ю`, `${stem}ей`];
    case 'и':
    case 'ы':
      // plural town names: Ессентуки → Ессентуков
      return [word, `${stem}ов`, `${stem}ам`, `${stem}ами`, `${stem}ах`];
    case 'о':
    case 'е':
    case 'у':
    case 'ю':
    case 'э':
      return [word];
    default:
      return /\p{L}$/u.test(word) ? [word, `${word}а`, `${word}у`, `${word}ом`, `${word}е`] : [word];
  }
}

/** Removes the region's own name in any case (`Ставропольского края`) and its initials (`СК`). */
function regionRemover(regionName: string): (ws: readonly string[]) => string[] {
  const phrase = words(regionName).map((w) => new Set(declensions(w)));
  const initials = phrase.length > 1 ? words(regionName).map((w) => w[0]).join('') : null;
  return (ws) => {
    const out: string[] = [];
    for (let i = 0; i < ws.length; i++) {
      if (phrase.length > 0 && phrase.every((forms, k) => forms.has(ws[i + k] ?? ''))) {
        i += phrase.length - 1;
      } else if (ws[i] !== initials) {
        out.push(ws[i]!);
      }
    }
    return out;
  };
}

// A declined form shared by two municipalities matches neither.
const AMBIGUOUS = Symbol('ambiguous');
type Slot = MunicipalityMatch | typeof AMBIGUOUS;

// Exports repeat one municipality on thousands of rows; remembering recent answers keeps a
// million-row file to a Map lookup per row. Cleared when full, so memory stays bounded.
const MEMO_LIMIT = 4096;

/**
 * Builds the index once per reference list. Throws ConfigError when the list contradicts
 * itself (one name or alias for two municipalities, a name made only of designators).
 */
export function createMunicipalityMatcher(ref: MunicipalityReference): (raw: CellValue) => Result<MunicipalityMatch> {
  const withoutRegion = regionRemover(ref.region.name);
  const exact = new Map<string, MunicipalityMatch>();
  const declined = new Map<string, Slot>();

  for (const m of ref.municipalities) {
    const entry: MunicipalityMatch = Object.freeze({ id: m.id, name: m.name });
    for (const spelling of [m.name, ...(m.aliases ?? [])]) {
      const core = withoutRegion(words(spelling)).filter((w) => !DESIGNATORS.has(w));
      if (core.length === 0) throw new ConfigError(`municipality ${m.id}: "${spelling}" has no name besides designators`);
      const key = core.join(' ');
      const other = exact.get(key);
      if (other && other.id !== m.id) throw new ConfigError(`municipalities ${other.id} and ${m.id} are both spelled "${spelling}"`);
      exact.set(key, entry);
      // Only one-word names decline here; a longer alias is matched as written.
      if (core.length === 1) {
        for (const form of declensions(core[0]!)) {
          const prev = declined.get(form);
          declined.set(form, prev === undefined || (prev !== AMBIGUOUS && prev.id === m.id) ? entry : AMBIGUOUS);
        }
      }
    }
  }

  const region = `${ref.region.code} (${ref.region.name})`;

  function resolve(raw: string): Result<MunicipalityMatch> {
    if (foldText(raw) === '') return fail(IssueCode.MissingValue, 'municipality is empty');
    const all = withoutRegion(words(raw));
    const core = all.filter((w) => !DESIGNATORS.has(w));
    const whole = exact.get(core.join(' ')) ?? (core.length === 1 ? declined.get(core[0]!) : undefined);
    if (whole !== undefined && whole !== AMBIGUOUS) return ok(whole);
    // Inside a longer name («Управление образования администрации Изобильненского
    // муниципального округа») a form counts only beside a designator, so a stray word
    // elsewhere in the text cannot pick a municipality.
    const found = new Map<string, MunicipalityMatch>();
    all.forEach((w, i) => {
      const slot = declined.get(w);
      if (slot !== undefined && slot !== AMBIGUOUS && (isDesignator(all[i - 1]) || isDesignator(all[i + 1]))) found.set(slot.id, slot);
    });
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
    if (found.size === 1) return ok([...found.values()][0]!);
    if (found.size > 1) {
      return fail(IssueCode.UnknownMunicipality, `"${shown}" names more than one municipality of region ${region}: ${[...found.values()].map((m) => m.name).join(', ')}`);
    }
    return fail(IssueCode.UnknownMunicipality, `unknown municipality "${shown}" in region ${region}; if it is another spelling of a known one, add it to that municipality's aliases in the reference file`);
  }

  const memo = new Map<string, Result<MunicipalityMatch>>();
  return (raw) => {
    if (raw === null) return fail(IssueCode.MissingValue, 'municipality is empty');
    if (typeof raw !== 'string') {
      return fail(IssueCode.UnknownMunicipality, `${raw instanceof Date ? 'a date' : String(raw)} is not a municipality name`);
    }
    const known = memo.get(raw);
    if (known) return known;
    // The cell is usually a slice of the reader's whole decoded text; a memo entry keyed by
    // it (or a message quoting it) would keep that text alive as long as the matcher lives,
    // one file's text per region in a warm function (bench: 20 MiB of heap after 89 uploads).
    const key = detached(raw);
    const result = resolve(key);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, result);
    return result;
  };
}
