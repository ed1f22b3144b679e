// Integration: the ministry's documents over the bundled samples, loaded into a SQLite file
// by the real ingest and aggregate handlers and read through the API's SqliteReadModel —
// the inactive-schools list of the last week against the sample export itself.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { handleApiRequest } from '../../../shared/api/app.ts';
import { InactiveSchoolsBody } from '../../../shared/api/views.ts';
import { parseCsv } from '../../helpers/aggregate.ts';
import { apiDeps, KEYS, loadSamples, type SampleStore } from '../../helpers/api.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

let store: SampleStore;
let deps: ReturnType<typeof apiDeps>;

beforeAll(async () => {
  store = await loadSamples();
  deps = apiDeps(store.env.dbPath);
}, 120_000);

afterAll(async () => {
  deps?.read.close();
  await store?.env[Symbol.asyncDispose]();
});

const get = (path: string, query: Record<string, string> = {}) =>
  handleApiRequest({ method: 'GET', path, query, headers: { 'x-api-key': KEYS.reader }, requestId: null }, deps);

const LAST_WEEK = '07a_schools_03.04-07.04.2023.csv';

/**
 * The last week's schools export as its bytes say (municipality, name, INN, the two flags),
 * without the rows the manifest plants as bad (file row numbers, the header is row 1).
 */
function lastWeekExport() {
  const manifest = JSON.parse(readFileSync(`${root}events/samples/manifest.json`, 'utf8')) as { files: { name: string; bad_rows: { row: number }[] }[] };
  const bad = new Set(manifest.files.find((f) => f.name === LAST_WEEK)!.bad_rows.map((b) => b.row));
  const [header, ...rows] = parseCsv(readFileSync(`${root}events/samples/${LAST_WEEK}`, 'utf8').replace(/^\uFEFF/, ''));
  const col = (name: string) => header!.indexOf(name);
  const [mo, name, inn, inSferum, active] = ['МОУО', 'Наименование ОО', 'ИНН', 'В Сфере', 'Администратор активен'].map(col);
  return rows
    .filter((r, i) => r.length > 1 && !bad.has(i + 2))
    .map((r) => ({ mo: r[mo!]!, name: r[name!]!, inn: r[inn!]!, inSferum: r[inSferum!] === 'да', active: r[active!] === 'да' }));
}

describe('inactive schools over the samples', () => {
  test('the last week lists exactly the export\'s schools not in Sferum or with an inactive administrator', async () => {
    const r = await get('/v1/regions/26/inactive-schools');
    expect(r.statusCode).toBe(200);
    const body = InactiveSchoolsBody.parse(JSON.parse(r.body));
    expect(body.period.label).toBe('03.04-07.04.2023');
    const exported = lastWeekExport();
    const expected = exported
      .filter((s) => !s.inSferum || !s.active)
      .map((s) => `${s.mo}|${s.name}|${s.inn}|${s.inSferum ? 'admin_inactive' : 'not_in_sferum'}`)
      .sort();
    expect(body.schools.map((s) => `${s.municipality.name}|${s.school_name}|${s.school_inn}|${s.reason}`).sort()).toEqual(expected);
    // the seed's figures for that week: 618 of 626 in Sferum, 50 of them inactive
    expect(body.schools.filter((s) => s.reason === 'admin_inactive')).toHaveLength(50);
    expect(body.schools.filter((s) => s.reason === 'not_in_sferum')).toHaveLength(626 - 618);
    expect(body.municipalities.reduce((n, m) => n + m.admin_inactive + m.not_in_sferum, 0)).toBe(body.schools.length);
  });

  test('an earlier week is picked by its start date; the CSV holds the same schools', async () => {
    const json = InactiveSchoolsBody.parse(JSON.parse((await get('/v1/regions/26/inactive-schools', { from: '2023-03-06', to: '2023-03-06' })).body));
    expect(json.period.label).toBe('06.03-10.03.2023');
    const csv = await get('/v1/regions/26/inactive-schools', { from: '2023-03-06', to: '2023-03-06', format: 'csv' });
    const rows = parseCsv(csv.body.replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
    expect(rows[0]).toEqual(['МОУО', 'Наименование ОО', 'ИНН', 'КПП', 'Причина']);
    expect(rows.slice(1).map((r) => r[2])).toEqual(json.schools.map((s) => s.school_inn));
  });
});
