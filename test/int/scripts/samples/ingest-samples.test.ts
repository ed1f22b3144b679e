// Integration: every bundled sample export, uploaded to s3rver through the S3 API and
// ingested by the handler with its own Yandex event JSON. The accepted snapshots of each
// period sum to the seed's table, and each report lists exactly the planted bad rows.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ingestHandler } from '../../../../functions/ingest/handler.ts';
import { UploadReport } from '../../../../shared/domain/schemas.ts';
import { functionContext, loadEvent } from '../../../support/events.ts';
import { startIngestEnv } from '../../../support/ingest-env.ts';
import { TEST_BUCKET } from '../../../support/s3.ts';
import { municipalitySums, schoolSums } from '../../../support/sums.ts';

type Manifest = { bucket: string; prefix: string; files: { name: string; period: string; tables: string[]; bad_rows: { row: number; column: string; value: string; code: string }[] }[] };
const samplesDir = fileURLToPath(new URL('../../../../events/samples/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${samplesDir}manifest.json`, 'utf8')) as Manifest;

/** The seed's table, parsed here independently of the pipeline's renderer. */
function seedRows() {
  const lines = readFileSync(fileURLToPath(new URL('../../../fixtures/seed-table.tsv', import.meta.url)), 'utf8').trim().split('\n').slice(1);
  const n = (s: string) => Number(s.replace(/\s/g, ''));
  return lines.map((l) => {
    const c = l.split('\t');
    return { label: c[0]!, schools: n(c[1]!), inSferum: n(c[2]!), inactive: n(c[3]!), teachers: n(c[5]!), teachersIn: n(c[6]!), students: n(c[7]!), studentsIn: n(c[8]!), mouo: n(c[10]!), mouoIn: n(c[11]!), mouoInactive: n(c[12]!) };
  });
}

describe('the bundled samples', () => {
  test('ingested in order, each period sums to the seed and each report lists exactly its planted bad rows', async () => {
    await using env = await startIngestEnv();
    expect(manifest.bucket).toBe(TEST_BUCKET);
    for (const f of manifest.files) {
      const key = `${manifest.prefix}${f.name}`;
      await env.upload(key, readFileSync(`${samplesDir}${f.name}`));
      const reply = await ingestHandler(loadEvent(`samples/events/${f.name}.json`), functionContext(), env.deps());
      const [outcome] = JSON.parse(reply.body) as { kind: string; upload_id: string }[];
      expect(outcome?.kind, f.name).toBe('ingested');
      const report = UploadReport.parse(await env.ledger.getReport(outcome!.upload_id));
      expect(report.file_error, f.name).toBeNull();
      expect(report.tables.map((t) => t.kind).sort(), f.name).toEqual([...f.tables].sort());
      expect(report.errors.map((e) => ({ row: e.row, column: e.column, value: e.value, code: e.code })), f.name).toEqual(f.bad_rows);
      expect(report.status, f.name).toBe(f.bad_rows.length ? 'partial' : 'accepted');
    }

    const periods = await env.snapshots.periods('26');
    expect(periods).toHaveLength(7);
    for (const [i, seed] of seedRows().entries()) {
      const p = periods[i]!;
      const schools = await env.snapshots.currentSchools('26', p);
      const mouo = await env.snapshots.currentMunicipalities('26', p);
      const s = schoolSums(schools);
      const m = municipalitySums(mouo);
      expect(
        {
          label: seed.label,
          schools: s.schools_total,
          inSferum: s.schools_in_sferum,
          inactive: s.schools_inactive,
          teachers: s.teachers_total,
          teachersIn: s.teachers_in_sferum,
          students: s.students_total,
          studentsIn: s.students_in_sferum,
          mouo: m.mouo_total,
          mouoIn: m.mouo_in_sferum,
          mouoInactive: m.mouo_inactive,
        },
        seed.label,
      ).toEqual(seed);
    }
  });
});
