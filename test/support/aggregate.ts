// Test helper: the seed's regional table as integer counts (the sample generator's own
// table, scripts/samples/model.ts, which the samples test holds to test/fixtures/seed-table.tsv)
// and builders of snapshot rows whose sums reproduce them, plus in-memory doubles of the
// aggregate stage's ports.
import { MUNICIPALITIES, SEED as SEED_ROWS } from '../../scripts/samples/model.ts';
import type { AlertState } from '../../shared/domain/alerts.ts';
import type { NotificationEvent } from '../../shared/domain/events.ts';
import type { AggregateRow } from '../../shared/domain/metrics.ts';
import type { Completeness, MunicipalityRow, Period, SchoolRow } from '../../shared/domain/schemas.ts';
import type { AggregateStore, TimeseriesPoint } from '../../shared/ports/aggregate-store.ts';
import type { AlertStore } from '../../shared/ports/alert-store.ts';
import type { NotificationSink } from '../../shared/ports/notification-sink.ts';

export type SeedCounts = {
  period: Period;
  schools: number;
  schoolsIn: number;
  schoolsInactive: number;
  teachers: number;
  teachersIn: number;
  students: number;
  studentsIn: number;
  mouo: number;
  mouoIn: number;
  mouoInactive: number;
  chat: number;
  msg3: number;
  msg10: number | null;
};

/** The seed's seven periods. */
export const SEED: readonly SeedCounts[] = SEED_ROWS.map((s) => ({
  period: { start: s.start, end: s.end },
  schools: s.schools,
  schoolsIn: s.inSferum,
  schoolsInactive: s.inactive,
  teachers: s.teachers,
  teachersIn: s.teachersIn,
  students: s.students,
  studentsIn: s.studentsIn,
  mouo: MUNICIPALITIES.length,
  mouoIn: s.mouoIn,
  mouoInactive: s.mouoInactive,
  chat: s.chat,
  msg3: s.msg3,
  msg10: s.msg10,
}));

/** `total` split over `n` parts as evenly as integers allow (the first parts get the remainder). */
export function split(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  const rest = total - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < rest ? 1 : 0));
}

/** Municipality ids for tests: `m01`…`mNN`. */
export function municipalityIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
}

/** School rows of one period whose sums equal the seed counts, spread over the municipalities. */
export function seedSchools(c: SeedCounts, municipalities: readonly string[], region = '26'): SchoolRow[] {
  const n = c.schools;
  const teachers = split(c.teachers, n);
  const teachersIn = split(c.teachersIn, n);
  const students = split(c.students, n);
  const studentsIn = split(c.studentsIn, n);
  const chat = split(c.chat, n);
  const msg3 = split(c.msg3, n);
  const msg10 = c.msg10 === null ? null : split(c.msg10, n);
  return Array.from({ length: n }, (_, i) => {
    const inn = `${region}${String(i + 1).padStart(8, '0')}`;
    const inSferum = i < c.schoolsIn;
    return {
      region,
      period: c.period,
      municipality_id: municipalities[i % municipalities.length]!,
      school_key: inn,
      school_inn: inn,
      school_kpp: null,
      school_name: `МБОУ СОШ № ${i + 1}`,
      in_sferum: inSferum,
      admin_active: !(inSferum && i < c.schoolsInactive),
      teachers_total: teachers[i]!,
      teachers_in_sferum: teachersIn[i]!,
      students_total: students[i]!,
      students_in_sferum: studentsIn[i]!,
      teachers_chat_creators: chat[i]!,
      teachers_msg3: msg3[i]!,
      teachers_msg10: msg10 ? msg10[i]! : null,
      teachers_calls: null,
    };
  });
}

/** Municipality rows of one period reproducing МОУО всего / в Сфере / не активно. */
export function seedMunicipalities(c: SeedCounts, municipalities: readonly string[], region = '26'): MunicipalityRow[] {
  return municipalities.slice(0, c.mouo).map((id, i) => {
    const inSferum = i < c.mouoIn;
    return { region, period: c.period, municipality_id: id, in_sferum: inSferum, admin_active: !(inSferum && i < c.mouoInactive) };
  });
}

const pk = (p: Period) => `${p.start}..${p.end}`;

export class MemoryAggregateStore implements AggregateStore {
  readonly data = new Map<string, Map<string, AggregateRow[]>>();
  readonly complete = new Map<string, Map<string, { period: Period; completeness: Completeness }>>();
  async replacePeriod(region: string, period: Period, rows: readonly AggregateRow[], completeness?: Completeness): Promise<void> {
    const r = this.data.get(region) ?? new Map<string, AggregateRow[]>();
    const c = this.complete.get(region) ?? new Map<string, { period: Period; completeness: Completeness }>();
    if (rows.length) r.set(pk(period), structuredClone([...rows]));
    else r.delete(pk(period));
    if (!rows.length) c.delete(pk(period));
    else if (completeness) c.set(pk(period), structuredClone({ period, completeness }));
    this.data.set(region, r);
    this.complete.set(region, c);
  }
  async completeness(region: string): Promise<{ period: Period; completeness: Completeness }[]> {
    return [...(this.complete.get(region)?.values() ?? [])].sort((a, b) => (pk(a.period) < pk(b.period) ? -1 : 1));
  }
  async readPeriod(region: string, period: Period): Promise<AggregateRow[]> {
    return structuredClone(this.data.get(region)?.get(pk(period)) ?? []);
  }
  async timeseries(): Promise<TimeseriesPoint[]> {
    throw new Error('not used');
  }
  async periods(region: string): Promise<Period[]> {
    return [...(this.data.get(region)?.values() ?? [])].map((rows) => rows[0]!.period).sort((a, b) => (pk(a) < pk(b) ? -1 : 1));
  }
}

export class MemoryAlertStore implements AlertStore {
  readonly states = new Map<string, AlertState>();
  async forRegion(region: string): Promise<AlertState[]> {
    return structuredClone([...this.states.values()].filter((s) => s.region === region));
  }
  async save(states: readonly AlertState[]): Promise<void> {
    for (const s of states) this.states.set(`${s.region}|${s.alert_id}|${s.scope.level}|${s.scope.id}`, structuredClone(s));
  }
}

export class CollectingSink implements NotificationSink {
  readonly events: NotificationEvent[] = [];
  async publish(events: readonly NotificationEvent[]): Promise<void> {
    this.events.push(...events);
  }
}
