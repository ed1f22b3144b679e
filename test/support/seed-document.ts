// Test fixture: the seed's regional table (the verbatim fixture and metric values built from
// the seed's integer counts) and a report document over it, with a last week of three
// municipalities and four schools, for the workbook's and the deck's unit tests.
import { readFileSync } from 'node:fs';
import { emptyMetricValues, type AggregateRow, type MetricValues } from '../../shared/domain/metrics.ts';
import { reportDocument, type ReportDocument } from '../../shared/domain/report.ts';
import type { SchoolRow } from '../../shared/domain/schemas.ts';
import { defaultTargets } from '../../shared/domain/targets.ts';
import { SEED } from './aggregate.ts';
import { aggregateRow, schoolRow } from './builders.ts';

/** The seed's table as the fixture holds it: header line + 7 rows, tab-separated, verbatim. */
export function seedTable(): string[][] {
  const text = readFileSync(new URL('../fixtures/seed-table.tsv', import.meta.url), 'utf8').replace(/^\uFEFF/, '');
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}


/** Per-period metric values from the seed's integer counts; shares are the counts' ratios. */
export function seedValues(): { period: AggregateRow['period']; values: MetricValues }[] {
  return SEED.map((c) => ({
    period: c.period,
    values: {
      ...emptyMetricValues(),
      schools_total: c.schools,
      schools_in_sferum: c.schoolsIn,
      schools_inactive: c.schoolsInactive,
      schools_in_sferum_share: c.schoolsIn / c.schools,
      teachers_total: c.teachers,
      teachers_in_sferum: c.teachersIn,
      teachers_in_sferum_share: c.teachersIn / c.teachers,
      students_total: c.students,
      students_in_sferum: c.studentsIn,
      students_in_sferum_share: c.studentsIn / c.students,
      mouo_total: c.mouo,
      mouo_in_sferum: c.mouoIn,
      mouo_inactive: c.mouoInactive,
      mouo_in_sferum_share: c.mouoIn / c.mouo,
      teachers_chat_creators: c.chat,
      teachers_msg3: c.msg3,
      teachers_msg10: c.msg10,
      teachers_chat_creators_share: c.chat / c.teachers,
      teachers_msg3_share: c.msg3 / c.teachers,
      teachers_msg10_share: c.msg10 === null ? null : c.msg10 / c.teachers,
    },
  }));
}

export const MUNICIPALITIES = [
  { id: 'aleksandrovsky', name: 'Александровский муниципальный округ' },
  { id: 'budennovsky', name: 'Будённовский муниципальный округ' },
  { id: 'kursky', name: 'Курский муниципальный округ' },
];

const LAST = SEED.at(-1)!.period;

function municipalRow(id: string, name: string, chat: number | null, schoolsShare: number, hasExport = true): AggregateRow {
  const values = { ...emptyMetricValues(), teachers_total: 500, schools_total: 20, schools_in_sferum_share: schoolsShare, teachers_chat_creators_share: chat, teachers_msg3_share: chat === null ? null : chat / 10 };
  return aggregateRow({ period: LAST, scope: { level: 'municipality', id, name }, has_export: hasExport, values });
}

function school(municipality_id: string, name: string, inn: string, in_sferum: boolean, admin_active: boolean): SchoolRow {
  return schoolRow({
    period: LAST, municipality_id, school_key: inn, school_inn: inn, school_name: name, in_sferum, admin_active,
    teachers_total: 30, teachers_in_sferum: 30, students_total: 300, students_in_sferum: 250, teachers_chat_creators: 5, teachers_msg3: 1, teachers_msg10: 0,
  });
}

/** The seed's seven weeks as a document made at a fixed instant (2023-04-10 09:00 UTC, 12:00 МСК). */
export function seedDocument(): ReportDocument {
  const regionRows = seedValues().map(({ period, values }) => aggregateRow({ period, values }));
  const lastRegion = regionRows.at(-1)!;
  return reportDocument({
    region: { code: '26', name: 'Ставропольский край', municipalities: MUNICIPALITIES },
    regionRows,
    last: {
      period: LAST,
      rows: [lastRegion, municipalRow('kursky', MUNICIPALITIES[2]!.name, 0.3, 1), municipalRow('aleksandrovsky', MUNICIPALITIES[0]!.name, 0.1, 0.9), municipalRow('budennovsky', MUNICIPALITIES[1]!.name, null, 0.95, false)],
      history: regionRows.slice(0, -1).map((r) => ({ period: r.period, rows: [r] })),
      schools: [
        school('kursky', 'МБОУ СОШ № 1', '2614000001', true, true),
        school('kursky', 'МБОУ СОШ № 2', '0614000002', true, false),
        school('aleksandrovsky', '=МКОУ СОШ № 3', '2601000003', false, false),
        school('budennovsky', 'МКОУ СОШ № 4', '2624000004', true, false),
      ],
    },
    targets: defaultTargets().config,
    generatedAt: new Date('2023-04-10T09:00:00Z'),
  });
}
