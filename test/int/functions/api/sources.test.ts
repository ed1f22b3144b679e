// Integration (issue 20, acceptance): the provenance of a figure. Over the samples loaded by
// the real ingest and aggregate handlers, GET /v1/regions/26/periods/{period}/sources (every
// answer checked against the OpenAPI spec) lists per municipality the upload in force; with
// `?municipality=` every school row behind a cell, with its upload and row number. The test
// checks the listing against the files themselves: each listed (upload, row) is read back
// from the sample file the upload came from, and those lines alone sum to the cell.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PeriodBody, SourcesBody } from '../../../../shared/api/views.ts';
import { KEYS, samplesApi, type SamplesApi } from '../../../support/api.ts';
import { REPO_ROOT as root } from '../../../support/paths.ts';

// the week assembled from three partial school files and a МОУО file
const WEEK = '2023-03-20..2023-03-24';
let api: SamplesApi;
const call: SamplesApi['get'] = (...args) => api.get(...args);

beforeAll(async () => {
  api = await samplesApi();
});

afterAll(() => api?.close());

describe('GET /v1/regions/{region}/periods/{period}/sources', () => {
  test("every school row of Будённовский's teacher count is listed with its upload and row, and those rows sum to the cell", async () => {
    // Act
    const r = await call(`/v1/regions/26/periods/${WEEK}/sources`, { municipality: 'budennovsky' });
    const cell = PeriodBody.parse(JSON.parse((await call(`/v1/regions/26/periods/${WEEK}`)).body)).municipalities.find((m) => m.scope.id === 'budennovsky')!;
    // Assess
    expect(r.statusCode).toBe(200);
    const body = SourcesBody.parse(JSON.parse(r.body));
    expect(body.period.completeness.state).toBe('complete');
    expect(body.schools.length).toBe(cell.metrics.schools_total);
    // each listed row, read back from the file its upload came from
    const keyOf = new Map(body.municipalities.flatMap((m) => m.tables.flatMap((t) => (t.in_force ? [[t.in_force.upload_id, t.in_force.object_key] as const] : []))));
    let teachers = 0;
    for (const s of body.schools) {
      const key = keyOf.get(s.upload_id)!;
      const file = readFileSync(`${root}events/samples/${key.replace('uploads/26/', '')}`, 'utf8').split(/\r?\n/);
      const header = file[0]!.split('\t');
      const line = file[s.row - 1]!.split('\t');
      expect(line[header.indexOf('ИНН')], `${key} row ${s.row}`).toBe(s.school_inn);
      expect(line[header.indexOf('МОУО')]).toMatch(/Буд[её]нновск/);
      teachers += Number(line[header.indexOf('Педагогов всего')]);
    }
    expect(teachers).toBe(cell.metrics.teachers_total);
    // one unit, one upload in force: the partial file holding the municipality's rows
    const schoolsTable = body.municipalities.find((m) => m.municipality_id === 'budennovsky')!.tables.find((t) => t.kind === 'schools')!;
    expect(new Set(body.schools.map((s) => s.upload_id))).toEqual(new Set([schoolsTable.in_force!.upload_id]));
    expect(schoolsTable.in_force!.object_key).toMatch(/^uploads\/26\/05a\d_schools_part_20\.03-24\.03\.2023\.csv$/);
  });

  test('without a municipality: every municipality of the reference with the upload in force per table, no school rows', async () => {
    const body = SourcesBody.parse(JSON.parse((await call(`/v1/regions/26/periods/${WEEK}/sources`)).body));
    expect(body.municipalities).toHaveLength(33);
    expect(body.schools).toEqual([]);
    for (const m of body.municipalities) {
      expect(m.tables.map((t) => t.kind)).toEqual(['schools', 'municipalities']);
      for (const t of m.tables) expect(t.in_force, `${m.municipality_id} ${t.kind}`).not.toBeNull();
    }
    const mouo = new Set(body.municipalities.map((m) => m.tables.find((t) => t.kind === 'municipalities')!.in_force!.object_key));
    expect([...mouo]).toEqual(['uploads/26/05b_mouo_20.03-24.03.2023.csv']);
  });

  test('the same auth and scope rules as the other period routes', async () => {
    expect((await call(`/v1/regions/26/periods/${WEEK}/sources`, {}, KEYS.dashboard)).statusCode).toBe(200);
    expect((await call(`/v1/regions/26/periods/${WEEK}/sources`, {}, 'nope')).statusCode).toBe(401);
    expect((await call('/v1/regions/99/periods/2023-03-20..2023-03-24/sources')).statusCode).toBe(404);
    expect((await call('/v1/regions/26/periods/2023-05-01..2023-05-05/sources')).statusCode).toBe(404);
    expect((await call(`/v1/regions/26/periods/${WEEK}/sources`, { municipality: 'atlantis' })).statusCode).toBe(404);
    expect(JSON.parse((await call(`/v1/regions/26/periods/${WEEK}/sources`, { municipality: 'NOT AN ID' })).body).error.parameter).toBe('municipality');
  });
});
