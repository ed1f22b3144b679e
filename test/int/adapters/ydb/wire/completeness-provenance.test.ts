// The YDB adapters of issue 20 through the wire server (the real driver; every parameter's
// type checked against migration 0005's columns): a period's completeness written after its
// rows and read back, and a school row's provenance staged beside it and joined back to the
// current rows of one municipality.
import { describe, expect, test } from 'vitest';
import { AGGREGATE_WRITE_PERIOD, COMPLETENESS_DELETE, COMPLETENESS_FOR_REGION, COMPLETENESS_SAVE, POINTERS, SCHOOLS_OF_BATCH, SOURCES_OF_BATCH } from '../../../../../shared/adapters/ydb/queries.ts';
import { schoolToRow } from '../../../../../shared/adapters/ydb/tables.ts';
import type { Completeness } from '../../../../../shared/domain/schemas.ts';
import { filledAggregateRow, P1, schoolRow } from '../../../../support/builders.ts';
import { useAdapterWire, day, sent, value } from './harness.ts';

const h = useAdapterWire();

const provisional: Completeness = {
  complete: false,
  state: 'provisional',
  label: 'предварительно: 1 из 2 МОУО',
  schools: { expected: 2, reported: 1, missing: ['kursky'] },
  municipalities: { expected: 2, reported: 2, missing: [] },
};

describe('period completeness on YDB', () => {
  test('written after the rows, flat counts beside the JSON; removed with the rows', async () => {
    await h.stores.aggregates.replacePeriod('26', P1, [filledAggregateRow({ level: 'region' })], provisional);
    const order = h.wire.queries().map((q) => q.text);
    expect(order.indexOf(COMPLETENESS_SAVE)).toBeGreaterThan(order.indexOf(AGGREGATE_WRITE_PERIOD));
    const [w] = sent(h.wire, COMPLETENESS_SAVE);
    expect(value(w, '$rows')).toEqual([
      { region: '26', period_start: day(P1.start), period_end: day(P1.end), state: 'provisional', schools_reported: 1n, mouo_reported: 2n, expected: 2n, completeness_json: provisional },
    ]);
    await h.stores.aggregates.replacePeriod('26', P1, []);
    expect(value(sent(h.wire, COMPLETENESS_DELETE)[0], '$region')).toBe('26');
  });

  test('read for a region in pages, period by period', async () => {
    h.wire.script((q) => q.text === COMPLETENESS_FOR_REGION.first, [
      h.wire.rows('period_completeness', [{ period_start: P1.start, period_end: P1.end, completeness_json: provisional }], ['period_start', 'period_end', 'completeness_json']),
    ]);
    expect(await h.stores.aggregates.completeness('26')).toEqual([{ period: P1, completeness: provisional }]);
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
    expect(h.wire.bulks().map((b) => [b.table, b.rowCount])).toEqual([
      ['school_snapshot', 2],
      ['school_source', 2],
    ]);
    h.wire.script((q) => q.text === POINTERS.first, [
      h.wire.rows('current_batch', [{ region: '26', period_start: P1.start, period_end: P1.end, kind: 'schools', municipality_id: 'kursky', batch_id: 'u1', upload_id: 'u1', source_modified_ms: 1, source_sequence: 1n, version: 1n }]),
    ]);
    h.wire.script((q) => q.text === SCHOOLS_OF_BATCH.first, [h.wire.rows('school_snapshot', [schoolToRow('u1', a), schoolToRow('u1', b)])]);
    h.wire.script((q) => q.text === SOURCES_OF_BATCH.first, [
      h.wire.rows('school_source', [
        { region: '26', period_start: P1.start, period_end: P1.end, batch_id: 'u1', municipality_id: 'kursky', school_key: 'a', source_row: 7, source_sheet: 'Школы' },
        { region: '26', period_start: P1.start, period_end: P1.end, batch_id: 'u1', municipality_id: 'kursky', school_key: 'b', source_row: 3, source_sheet: 'Школы' },
      ]),
    ]);
    const got = await h.stores.snapshots.schoolSources('26', P1, 'kursky');
    expect(got.map((s) => [s.school.school_key, s.uploadId, s.sheet, s.row])).toEqual([
      ['b', 'u1', 'Школы', 3],
      ['a', 'u1', 'Школы', 7],
    ]);
    expect(value(sent(h.wire, SOURCES_OF_BATCH.first)[0], '$municipality_id')).toBe('kursky');
  });
});
