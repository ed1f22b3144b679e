// The sample data model: schools and municipalities of region 26 for the seed's seven
// periods, with values whose sums reproduce the seed's table "Активность по ОО, МОУО СК в
// Сфере" exactly. Deterministic: a seeded PRNG, no clock.
import reference from '../../shared/domain/data/municipalities-26.json' with { type: 'json' };
import { innCheckDigit } from '../../shared/domain/normalise/inn.ts';

/** The seed's row per period, plus the KPI counts implied by its percentages (count / teachers_total). */
export const SEED = [
  { label: '20.02-22.02.2023', start: '2023-02-20', end: '2023-02-22', schools: 636, inSferum: 617, inactive: 50, teachers: 17218, teachersIn: 18013, students: 312014, studentsIn: 237466, mouoIn: 31, mouoInactive: 21, chat: 3666, msg3: 11, msg10: null },
  { label: '23.02-03.03.2023', start: '2023-02-23', end: '2023-03-03', schools: 626, inSferum: 617, inactive: 50, teachers: 16819, teachersIn: 18025, students: 309292, studentsIn: 237474, mouoIn: 31, mouoInactive: 21, chat: 3682, msg3: 21, msg10: 5 },
  { label: '06.03-10.03.2023', start: '2023-03-06', end: '2023-03-10', schools: 626, inSferum: 618, inactive: 50, teachers: 16819, teachersIn: 18031, students: 309292, studentsIn: 237473, mouoIn: 31, mouoInactive: 21, chat: 3700, msg3: 14, msg10: 4 },
  { label: '13.03-17.03.2023', start: '2023-03-13', end: '2023-03-17', schools: 626, inSferum: 618, inactive: 50, teachers: 16819, teachersIn: 18045, students: 309292, studentsIn: 237468, mouoIn: 31, mouoInactive: 21, chat: 3718, msg3: 25, msg10: 6 },
  { label: '20.03-24.03.2023', start: '2023-03-20', end: '2023-03-24', schools: 626, inSferum: 618, inactive: 50, teachers: 16819, teachersIn: 18043, students: 309292, studentsIn: 237470, mouoIn: 32, mouoInactive: 22, chat: 3730, msg3: 22, msg10: 5 },
  { label: '27.03-31.03.2023', start: '2023-03-27', end: '2023-03-31', schools: 626, inSferum: 618, inactive: 50, teachers: 16819, teachersIn: 18043, students: 309292, studentsIn: 237480, mouoIn: 32, mouoInactive: 22, chat: 3745, msg3: 11, msg10: 2 },
  { label: '03.04-07.04.2023', start: '2023-04-03', end: '2023-04-07', schools: 626, inSferum: 618, inactive: 50, teachers: 16819, teachersIn: 18064, students: 309292, studentsIn: 237564, mouoIn: 33, mouoInactive: 23, chat: 3745, msg3: 61, msg10: 17 },
] as const;

export const MUNICIPALITIES = reference.municipalities.map((m) => ({ id: m.id, name: m.name }));

export type School = {
  inn: string;
  kpp: string;
  name: string;
  municipality: number; // index into MUNICIPALITIES
  size: number; // relative weight for teachers and students
};

export type SchoolValues = {
  school: School;
  in_sferum: boolean;
  admin_active: boolean;
  teachers_total: number;
  teachers_in_sferum: number;
  students_total: number;
  students_in_sferum: number;
  teachers_chat_creators: number;
  teachers_msg3: number;
  teachers_msg10: number | null;
};

export type MunicipalityValues = { id: string; name: string; in_sferum: boolean; admin_active: boolean };

/** mulberry32: small, fast, and the same sequence on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = ['МБОУ СОШ', 'МКОУ СОШ', 'МБОУ лицей', 'МБОУ гимназия', 'МКОУ ООШ', 'МБОУ СОШ'];

const VILLAGES = ['с. Привольное', 'х. Восточный', 'пос. Цветочный', 'с. Казинка', 'ст-ца Воровсколесская'];

/** A branch (филиал) of the school just before it: see `makeSchools`. */
export const isBranchIndex = (i: number) => i > 1 && i % 120 === 1;

/**
 * 636 schools over the 33 municipalities; the last 10 (not in Sferum) close after the first
 * period. Five of them are branches of the school before them: the parent's INN and
 * municipality, their own KPP (reason code 43, as the tax service assigns to branches) and
 * name, so an export with a KPP column keys them by (INN, KPP) and one without by INN + name.
 */
export function makeSchools(rand: () => number): School[] {
  const schools: School[] = [];
  for (let i = 0; i < 636; i++) {
    const type = TYPES[Math.floor(rand() * TYPES.length)]!;
    const size = 0.3 + rand() * 1.7;
    const parent = schools[i - 1];
    if (isBranchIndex(i) && parent) {
      const village = VILLAGES[schools.filter((_, k) => isBranchIndex(k)).length % VILLAGES.length]!;
      schools.push({ inn: parent.inn, kpp: `${parent.kpp.slice(0, 4)}43001`, name: `Филиал ${parent.name} в ${village}`, municipality: parent.municipality, size: size / 3 });
      continue;
    }
    const municipality = i < 33 ? i : Math.floor(rand() * MUNICIPALITIES.length);
    // region 26, the tax inspection of the municipality (two digits), a serial unique per school
    const first9 = `26${String(1 + (municipality % 34)).padStart(2, '0')}${10_000 + i * 113}`;
    const inn = `${first9}${innCheckDigit(first9)}`;
    schools.push({ inn, kpp: `${inn.slice(0, 4)}01001`, name: `${type} № ${1 + (i % 37)}${i % 5 === 0 ? ' им. А.С. Пушкина' : ''} (${i + 1})`, municipality, size });
  }
  return schools;
}

/** Splits `total` over `weights` exactly (largest remainders), so every sum is the seed's. */
export function apportion(total: number, weights: readonly number[], cap?: readonly number[]): number[] {
  const w = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((x) => (w === 0 ? 0 : (x * total) / w));
  const out = raw.map((x, i) => Math.min(Math.floor(x), cap?.[i] ?? Number.MAX_SAFE_INTEGER));
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0 && k < order.length * 4; k++) {
    const i = order[k % order.length]![1];
    if (out[i]! < (cap?.[i] ?? Number.MAX_SAFE_INTEGER)) {
      out[i]!++;
      rest--;
    }
  }
  if (rest !== 0) throw new Error(`cannot apportion ${total}: caps too tight`);
  return out;
}

/** Values of every school open in period `p` (index into SEED). */
export function schoolValues(p: number, schools: readonly School[], rand: () => number): SchoolValues[] {
  const seed = SEED[p]!;
  const open = p === 0 ? schools : schools.slice(0, 626);
  // 19 schools are out of Sferum in the first period, 9 (of the 626 still open) in the second,
  // 8 from the third on: the last ones by index, so the closing ten are among them.
  const out = open.length - seed.inSferum;
  const inSferum = open.map((_, i) => i < open.length - out);
  // 50 inactive admins among registered schools, the same schools every week
  const inactive = new Set(Array.from({ length: seed.inactive }, (_, k) => 40 + k * 11));
  const teachers = apportion(seed.teachers, open.map((s) => s.size));
  const students = apportion(seed.students, open.map((s) => s.size * 18));
  const inWeights = open.map((s, i) => (inSferum[i] ? s.size * (1.02 + ((i * 37) % 10) / 100) : 0));
  const teachersIn = apportion(seed.teachersIn, inWeights);
  const studentsIn = apportion(seed.studentsIn, open.map((_, i) => (inSferum[i] ? students[i]! : 0)), students);
  const chat = apportion(seed.chat, open.map((_, i) => (inSferum[i] ? teachers[i]! : 0)), teachers);
  const pick = (n: number, from: number[]) => {
    const counts = new Array<number>(open.length).fill(0);
    for (let k = 0; k < n; k++) counts[from[Math.floor(rand() * from.length)]!]!++;
    return counts;
  };
  const active = open.flatMap((_, i) => (inSferum[i] && !inactive.has(i) ? [i] : []));
  const msg3 = pick(seed.msg3, active);
  const withMsg3 = active.filter((i) => msg3[i]! > 0);
  const msg10 = seed.msg10 === null ? null : apportion(seed.msg10, open.map((_, i) => msg3[i]!), msg3);
  return open.map((school, i) => ({
    school,
    in_sferum: inSferum[i]!,
    admin_active: !(inSferum[i] && inactive.has(i)),
    teachers_total: teachers[i]!,
    teachers_in_sferum: teachersIn[i]!,
    students_total: students[i]!,
    students_in_sferum: studentsIn[i]!,
    teachers_chat_creators: chat[i]!,
    teachers_msg3: msg3[i]!,
    teachers_msg10: msg10 === null ? null : withMsg3.length ? msg10[i]! : 0,
  }));
}

/** The municipalities table: the first `mouoIn` are registered; of those, `mouoInactive` have an inactive admin. */
export function municipalityValues(p: number): MunicipalityValues[] {
  const seed = SEED[p]!;
  return MUNICIPALITIES.map((m, i) => ({ ...m, in_sferum: i < seed.mouoIn, admin_active: !(i < seed.mouoIn && i >= seed.mouoIn - seed.mouoInactive) }));
}
