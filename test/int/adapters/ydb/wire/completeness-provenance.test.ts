// The YDB adapters of issue 20 through the executing wire double (the real driver; every
// parameter's type checked against migration 0005's columns): a period's completeness
// stored with its rows, flat counts beside the JSON, read back per region and removed with
// the rows; a school row's provenance staged beside it and joined back to the current rows
// of one municipality.
import { describe, expect, test } from 'vitest';
import type { Completeness } from '../../../../../shared/domain/schemas.ts';
import { batchCommit, commitUnit, filledAggregateRow, P1, P2, schoolRow } from '../../../../support/builders.ts';
import { useAdapterWire, day } from './harness.ts';

const h = useAdapterWire();

const provisional: Completeness = {
  complete: false,
  state: 'provisional',
  label: 'предварительно: 1 из 2 МОУО',
  schools: { expected: 2, reported: 1, missing: ['kursky'] },
  municipalities: { expected: 2, reported: 2, missing: [] },
};
const complete: Completeness = {
  complete: true,
  state: 'complete',
  label: null,
  schools: { expected: 2, reported: 2, missing: [] },
  municipalities: { expected: 2, reported: 2, missing: [] },
};

describe('period completeness on YDB', () => {
  test('stored with the rows, flat counts beside the JSON; kept by a refresh without it; removed with the rows', async () => {
    await h.stores.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region' })], provisional);
    const [stored] = h.wire.tableRows('period_completeness');
    expect(stored).toMatchObject({ region: '26', period_start: day(P1.start), period_end: day(P1.end), state: 'provisional', schools_reported: 1n, mouo_reported: 2n, expected: 2n });
    expect(JSON.parse(stored!.completeness_json as string)).toEqual(provisional);
    // a refresh of the rows that does not carry a completeness keeps the stored one
    await h.stores.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region', base: 2 })]);
    expect(h.wire.tableRows('period_completeness').map((r) => r.state)).toEqual(['provisional']);
    await h.stores.aggregates.replacePeriod('26', P1, []);
    expect(h.wire.tableRows('period_completeness')).toEqual([]);
    expect(h.wire.tableRows('aggregate_metrics')).toEqual([]);
  });

  test('read for a region, period by period', async () => {
    await h.stores.aggregates.replacePeriod('26', P2, [filledAggregateRow({ period: P2, level: 'region' })], complete);
    await h.stores.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region' })], provisional);
    expect(await h.stores.aggregates.completeness('26')).toEqual([
      { period: P1, completeness: provisional },
      { period: P2, completeness: complete },
    ]);
    expect(await h.stores.aggregates.completeness('07')).toEqual([]);
  });
});

describe('school row provenance on YDB', () => {
  test('staged beside the rows with their row and sheet; read back joined to the current rows of one municipality', async () => {
    const a = schoolRow({ municipality_id: 'kursky', school_key: 'a' });
    const b = schoolRow({ municipality_id: 'kursky', school_key: 'b' });
    await h.stores.snapshots.stageSchoolRows('u1', [a, b], [
      { row: 7, sheet: 'Школы' },
      { row: 3, sheet: 'Школы' },
    ]);
    // the wire server checked each bulk row type against the migrations' columns
    expect(h.wire.bulks().map((x) => [x.table, x.rowCount])).toEqual([
      ['school_snapshot', 2],
      ['school_source', 2],
    ]);
    expect(h.wire.tableRows('school_source').map((r) => [r.school_key, r.source_row, r.source_sheet])).toEqual([['a', 7n, 'Школы'], ['b', 3n, 'Школы']]);
    await h.stores.snapshots.commitBatch(batchCommit({ batchId: 'u1', uploadId: 'u1', units: [commitUnit('kursky')] }));
    const got = await h.stores.snapshots.schoolSources('26', P1, 'kursky');
    expect(got.map((s) => [s.school.school_key, s.uploadId, s.sheet, s.row])).toEqual([
      ['b', 'u1', 'Школы', 3],
      ['a', 'u1', 'Школы', 7],
    ]);
    expect(await h.stores.snapshots.schoolSources('26', P1, 'budennovsky')).toEqual([]);
  });
});
