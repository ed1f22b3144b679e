// Adapter: SnapshotStore on serverless YDB (the SQLite adapter's twin;
// test/contract/snapshot-store.contract.ts holds both to the same promises).
//
// Snapshot replacement is atomic although BulkUpsert is not: rows are bulk-upserted under
// the upload's batch id, which no reader follows, and `commitBatch` then switches the
// current-batch pointer of each (region, period, kind, municipality) in ONE serializable
// transaction — read the pointers, let the domain's `planCommit` decide the flips ("newer
// upload wins"), upsert them with the statement that commits. Readers read the pointers and then the rows of the
// batches they name inside one snapshot read-only transaction, so they see the old or the
// new rows of a municipality, never a mix. Superseded batches stay until `discardBatch`.
//
// `snapshot_batch_unit` records every (region, period, kind, municipality) a batch staged
// or committed, written before the rows themselves: it is how a discard or a retraction
// finds a batch's rows by primary-key prefix without a secondary index on the bulk tables.
import type { MunicipalityRow, Period, SchoolRow, TableKind } from '../../domain/schemas.ts';
import { decideCommit, unitKey, type UnitPointer } from '../../domain/store-rules/commit-plan.ts';
import type { BatchCommit, BatchId, CommitOutcome, RowSource, SchoolSource, SnapshotStore, UnitInForce } from '../../ports/snapshot-store.ts';
import { heldPointer, pointerRecord, summaryRecords } from '../snapshot-rows.ts';
import { paginate, readRows, type Params, type Runner, type Tx, type YdbClient } from './client.ts';
import {
  BATCH_PERIOD_COLUMNS,
  BATCH_REFERENCES,
  BATCH_UNITS,
  COMMIT_READ,
  COMMIT_READ_UNITS,
  CURRENT_PERIODS,
  DISCARD_BATCH,
  DELETE_SCHOOLS_BY_KEY,
  MUNICIPALITIES_OF_BATCH,
  MUNICIPALITY_COLUMNS,
  PERIOD_COLUMNS,
  POINTER_COLUMNS,
  POINTERS,
  SCHOOL_COLUMNS,
  SCHOOL_KEY_COLUMNS,
  SCHOOLS_OF_BATCH,
  SCHOOL_SOURCE_COLUMNS,
  SOURCES_OF_BATCH,
  STAGE_UNITS,
  SUMMARY_COLUMNS,
  UNIT_COLUMNS,
  UNIT_KEY_COLUMNS,
  UNITS_NAMING_BATCH,
  COMMIT_POINTERS,
} from './queries.ts';
import { byText, col, decodeRows, listParam, param, type RowOf } from './codec.ts';
import { T, versionRow, municipalityToRow, rowPeriod, rowToMunicipality, rowToSchool, schoolToRow, unitRow, type BatchUnitRow } from './tables.ts';

/** A pointer's or summary's unit key, as commit-plan's `unitKey` spells it. */
const rowUnitKey = (r: { period_start: string; period_end: string; kind: string; municipality_id: string }) => `${r.period_start}|${r.period_end}|${r.kind}|${r.municipality_id}`;

function txRunner(tx: Tx): Runner {
  return (text, params, what) => tx.query(text, params, what);
}

function distinctUnits(batchId: string, kind: TableKind, rows: readonly { region: string; period: Period; municipality_id: string }[]): BatchUnitRow[] {
  const seen = new Map<string, BatchUnitRow>();
  for (const r of rows) {
    const k = `${r.region}|${r.period.start}|${r.period.end}|${r.municipality_id}`;
    if (!seen.has(k)) seen.set(k, unitRow(batchId, r.region, r.period, kind, r.municipality_id));
  }
  return [...seen.values()];
}

export class YdbSnapshotStore implements SnapshotStore {
  readonly #db: YdbClient;
  readonly #read: Runner;

  constructor(db: YdbClient) {
    this.#db = db;
    this.#read = db.reader;
  }

  async stageSchoolRows(batchId: BatchId, rows: readonly SchoolRow[], sources?: readonly RowSource[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#registerUnits(distinctUnits(batchId, 'schools', rows));
    await this.#db.bulkUpsert(T.schoolSnapshot.name, SCHOOL_COLUMNS, rows.map((r) => schoolToRow(batchId, r)), 'staging school rows');
    if (!sources) return;
    // provenance beside the rows, same key; a retracted or discarded row's entry is never read (reads start from the rows)
    const origin = rows.flatMap((r, i) => {
      const src = sources[i];
      if (!src) return [];
      return [{ region: r.region, period_start: r.period.start, period_end: r.period.end, batch_id: batchId, municipality_id: r.municipality_id, school_key: r.school_key, source_row: src.row, source_sheet: src.sheet }];
    });
    if (origin.length > 0) await this.#db.bulkUpsert(T.schoolSource.name, SCHOOL_SOURCE_COLUMNS, origin, 'staging school row sources');
  }

  schoolSources(region: string, period: Period, municipalityId: string): Promise<SchoolSource[]> {
    return this.#db.tx('snapshot', 'reading school sources', (tx) => schoolSourcesOn(txRunner(tx), region, period, municipalityId));
  }

  async stageMunicipalityRows(batchId: BatchId, rows: readonly MunicipalityRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#registerUnits(distinctUnits(batchId, 'municipalities', rows));
    await this.#db.bulkUpsert(
      T.municipalitySnapshot.name,
      MUNICIPALITY_COLUMNS,
      rows.map((r) => municipalityToRow(batchId, r)),
      'staging municipality rows',
    );
  }

  async #registerUnits(units: readonly BatchUnitRow[]): Promise<void> {
    await this.#db.run(STAGE_UNITS, { $rows: listParam(UNIT_COLUMNS, units) }, { what: 'registering staged units', idempotent: true });
  }

  async dropStagedSchools(batchId: BatchId, keys: readonly { period: Period; schoolKey: string }[]): Promise<void> {
    if (keys.length === 0) return;
    // Re-running is harmless: it deletes the same keys again.
    await this.#db.tx('serializable', 'dropping staged schools', async (tx) => {
      const units = (await this.#units(txRunner(tx), batchId)).filter((u) => u.kind === 'schools');
      const targets: RowOf<typeof SCHOOL_KEY_COLUMNS>[] = [];
      for (const k of keys) {
        for (const u of units) {
          if (u.period_start !== k.period.start || u.period_end !== k.period.end) continue;
          targets.push({
            region: u.region,
            period_start: u.period_start,
            period_end: u.period_end,
            batch_id: batchId,
            municipality_id: u.municipality_id,
            school_key: k.schoolKey,
          });
        }
      }
      if (targets.length) await tx.query(DELETE_SCHOOLS_BY_KEY, { $keys: listParam(SCHOOL_KEY_COLUMNS, targets) }, 'deleting staged schools', { commit: true });
    });
  }

  async commitBatch(commit: BatchCommit): Promise<CommitOutcome> {
    // A re-run (after ABORTED, or an ambiguous commit) derives everything from the pointers
    // it reads: pointers already naming this batch count as applied and are not rewritten,
    // so the result and the state equal those of one commit. Two round trips: the pointers
    // with their summaries, then the flips — or, when nothing changes, the discard of the
    // staged batch — committing.
    return this.#db.tx('serializable', `committing batch ${commit.batchId}`, async (tx) => {
      const run = txRunner(tx);
      const pointers = new Map<string, UnitPointer>();
      const keys = [...new Map(commit.units.map((u) => [unitKey(u), u])).values()];
      for (let i = 0; i < keys.length; i += COMMIT_READ_UNITS) {
        const $units = listParam(
          UNIT_KEY_COLUMNS,
          keys.slice(i, i + COMMIT_READ_UNITS).map((u) => ({ region: commit.region, period_start: u.period.start, period_end: u.period.end, kind: u.kind, municipality_id: u.municipalityId })),
        );
        const [ps, ss] = await run(COMMIT_READ, { $units }, 'reading pointers and unit summaries');
        const summaries = new Map((ss ? decodeRows(ss, SUMMARY_COLUMNS) : []).map((r) => [rowUnitKey(r), r]));
        for (const p of ps ? decodeRows(ps, POINTER_COLUMNS) : []) pointers.set(rowUnitKey(p), heldPointer(p, summaries.get(rowUnitKey(p))));
      }
      const { plan, outcome } = decideCommit(commit, (u) => pointers.get(unitKey(u)));
      if (outcome.unchanged) {
        // nothing names the staged batch (every unit is another batch's): its rows go now
        const periods = new Map(commit.units.map((u) => [`${u.period.start}|${u.period.end}`, { region: commit.region, period_start: u.period.start, period_end: u.period.end, batch_id: commit.batchId }]));
        await tx.query(DISCARD_BATCH, { $periods: listParam(BATCH_PERIOD_COLUMNS, [...periods.values()]), $batch_id: param(col.utf8, commit.batchId) }, 'discarding an unchanged batch', { commit: true });
      } else if (plan.flips.length > 0) {
        const flips = plan.flips.map((f) => pointerRecord(commit, f));
        // the committed units join the registry, so a later discard sees these references
        const units = plan.flips.map((f) => unitRow(commit.batchId, commit.region, f.unit.period, f.unit.kind, f.unit.municipalityId));
        const periods = new Map(plan.flips.map((f) => [`${f.unit.period.start}|${f.unit.period.end}`, { region: commit.region, period_start: f.unit.period.start, period_end: f.unit.period.end }]));
        await tx.query(
          COMMIT_POINTERS,
          {
            $pointers: listParam(POINTER_COLUMNS, flips),
            $summaries: listParam(SUMMARY_COLUMNS, summaryRecords(commit, plan.flips)),
            $units: listParam(UNIT_COLUMNS, units),
            $periods: listParam(T.snapshotPeriod.columns, [...periods.values()]),
            $read_token: listParam(T.readVersion.columns, [versionRow(commit.region, Date.now())]),
          },
          'flipping pointers',
          { commit: true },
        );
      }
      return outcome;
    });
  }

  async discardBatch(batchId: BatchId): Promise<void> {
    // One serializable transaction: a commit racing to reference this batch invalidates
    // our read of its pointers, so rows are never deleted under a live pointer.
    await this.#db.tx('serializable', `discarding batch ${batchId}`, async (tx) => {
      const run = txRunner(tx);
      const units = await this.#units(run, batchId);
      if (units.length === 0) return;
      const periods = new Map<string, { region: string; start: string; end: string }>();
      for (const u of units) periods.set(`${u.region}|${u.period_start}|${u.period_end}`, { region: u.region, start: u.period_start, end: u.period_end });
      for (const p of periods.values()) {
        const [rs] = await run(
          BATCH_REFERENCES,
          {
            $region: param(col.utf8, p.region),
            $period_start: param(col.date, p.start),
            $period_end: param(col.date, p.end),
            $batch_id: param(col.utf8, batchId),
          },
          'checking batch references',
        );
        const refs = rs ? decodeRows(rs, { refs: col.uint64 })[0]?.refs ?? 0 : 0;
        if (refs > 0) return;
      }
      await tx.query(
        DISCARD_BATCH,
        {
          $periods: listParam(
            BATCH_PERIOD_COLUMNS,
            [...periods.values()].map((p) => ({ region: p.region, period_start: p.start, period_end: p.end, batch_id: batchId })),
          ),
          $batch_id: param(col.utf8, batchId),
        },
        'deleting the batch',
        { commit: true },
      );
    });
  }

  currentSchools(region: string, period: Period): Promise<SchoolRow[]> {
    return this.#db.tx('snapshot', 'reading current schools', (tx) => currentSchoolsOn(txRunner(tx), region, period));
  }

  async currentMunicipalities(region: string, period: Period): Promise<MunicipalityRow[]> {
    return this.#db.tx('snapshot', 'reading current municipalities', async (tx) => {
      const run = txRunner(tx);
      const byBatch = await currentBatches(run, region, period, 'municipalities');
      const out: MunicipalityRow[] = [];
      for (const [batchId, municipalities] of byBatch) {
        const rows = await readRows(run, MUNICIPALITIES_OF_BATCH, batchParams(region, period, batchId), MUNICIPALITY_COLUMNS, 'reading municipality rows');
        for (const r of rows) if (municipalities.has(r.municipality_id)) out.push(rowToMunicipality(r));
      }
      return out.sort((a, b) => byText(a.municipality_id, b.municipality_id));
    });
  }

  async periods(region: string): Promise<Period[]> {
    return (await readRows(this.#read, CURRENT_PERIODS, { $region: param(col.utf8, region) }, PERIOD_COLUMNS, 'listing periods')).map(rowPeriod);
  }

  inForce(region: string, period: Period): Promise<UnitInForce[]> {
    return inForceOn(this.#read, region, period);
  }

  async batchRows(batchId: BatchId, region: string, period: Period): Promise<{ schools: SchoolRow[]; municipalities: MunicipalityRow[] }> {
    const params = batchParams(region, period, batchId);
    const schools = await paginate(this.#read, SCHOOLS_OF_BATCH, params, SCHOOL_COLUMNS, SCHOOL_COLUMNS, 'reading a batch\'s school rows');
    const municipalities = await readRows(this.#read, MUNICIPALITIES_OF_BATCH, params, MUNICIPALITY_COLUMNS, 'reading a batch\'s municipality rows');
    return { schools: schools.map(rowToSchool), municipalities: municipalities.map(rowToMunicipality) };
  }

  async batchInForce(batchId: BatchId, region: string): Promise<boolean> {
    // two reads, each a key prefix or full keys: a join from the registry to the pointers
    // would fix only the region of the pointer table for a planner that does not look up
    const units = (await this.#units(this.#read, batchId)).filter((u) => u.region === region);
    for (let i = 0; i < units.length; i += COMMIT_READ_UNITS) {
      const $units = listParam(UNIT_KEY_COLUMNS, units.slice(i, i + COMMIT_READ_UNITS).map(({ region, period_start, period_end, kind, municipality_id }) => ({ region, period_start, period_end, kind, municipality_id })));
      const [rs] = await this.#read(UNITS_NAMING_BATCH, { $units, $batch_id: param(col.utf8, batchId) }, 'checking whether a batch is in force');
      if ((rs ? (decodeRows(rs, { refs: col.uint64 })[0]?.refs ?? 0) : 0) > 0) return true;
    }
    return false;
  }

  async #units(run: Runner, batchId: string): Promise<BatchUnitRow[]> {
    return paginate(run, BATCH_UNITS, { $batch_id: param(col.utf8, batchId) }, UNIT_COLUMNS, UNIT_COLUMNS, 'reading batch units');
  }
}

/**
 * The current school rows of a (region, period) over any runner (a store's snapshot
 * transaction or the read model's): each current batch read in pages, kept where the
 * pointer of the row's municipality names that batch.
 */
export async function currentSchoolsOn(run: Runner, region: string, period: Period): Promise<SchoolRow[]> {
  const byBatch = await currentBatches(run, region, period, 'schools');
  const out: SchoolRow[] = [];
  for (const [batchId, municipalities] of byBatch) {
    const rows = await paginate(run, SCHOOLS_OF_BATCH, batchParams(region, period, batchId), SCHOOL_COLUMNS, SCHOOL_COLUMNS, 'reading school rows');
    for (const r of rows) if (municipalities.has(r.municipality_id)) out.push(rowToSchool(r));
  }
  return out.sort((a, b) => byText(a.municipality_id, b.municipality_id) || byText(a.school_key, b.school_key));
}

/** batch id → the municipalities whose pointer names it */
async function currentBatches(run: Runner, region: string, period: Period, kind: TableKind): Promise<Map<string, Set<string>>> {
  const pointers = await readRows(
    run,
    POINTERS,
    {
      $region: param(col.utf8, region),
      $period_start: param(col.date, period.start),
      $period_end: param(col.date, period.end),
      $kind: param(col.utf8, kind),
    },
    POINTER_COLUMNS,
    'reading pointers',
  );
  const byBatch = new Map<string, Set<string>>();
  for (const p of pointers) {
    let s = byBatch.get(p.batch_id);
    if (!s) byBatch.set(p.batch_id, (s = new Set()));
    s.add(p.municipality_id);
  }
  return byBatch;
}

function batchParams(region: string, period: Period, batchId: string): Params {
  return {
    $region: param(col.utf8, region),
    $period_start: param(col.date, period.start),
    $period_end: param(col.date, period.end),
    $batch_id: param(col.utf8, batchId),
  };
}

/** Every pointer of a (region, period), over any runner. */
export async function inForceOn(run: Runner, region: string, period: Period): Promise<UnitInForce[]> {
  const out: UnitInForce[] = [];
  for (const kind of ['municipalities', 'schools'] as const) {
    const pointers = await readRows(
      run,
      POINTERS,
      { $region: param(col.utf8, region), $period_start: param(col.date, period.start), $period_end: param(col.date, period.end), $kind: param(col.utf8, kind) },
      POINTER_COLUMNS,
      'reading pointers',
    );
    for (const p of pointers) out.push({ kind, municipalityId: p.municipality_id, batchId: p.batch_id, uploadId: p.upload_id });
  }
  return out;
}

/** One municipality's current school rows with their upload and row, over any runner. */
export async function schoolSourcesOn(run: Runner, region: string, period: Period, municipalityId: string): Promise<SchoolSource[]> {
  const batchId = [...(await currentBatches(run, region, period, 'schools'))].find(([, ms]) => ms.has(municipalityId))?.[0];
  if (!batchId) return [];
  const rows = (await paginate(run, SCHOOLS_OF_BATCH, batchParams(region, period, batchId), SCHOOL_COLUMNS, SCHOOL_COLUMNS, 'reading school rows')).filter(
    (r) => r.municipality_id === municipalityId,
  );
  const origin = await paginate(
    run,
    SOURCES_OF_BATCH,
    { ...batchParams(region, period, batchId), $municipality_id: param(col.utf8, municipalityId) },
    SCHOOL_SOURCE_COLUMNS,
    { school_key: col.utf8 },
    'reading school sources',
  );
  const bySchool = new Map(origin.map((o) => [o.school_key, o]));
  return rows
    .map((r): SchoolSource => ({ school: rowToSchool(r), uploadId: batchId, row: bySchool.get(r.school_key)?.source_row ?? null, sheet: bySchool.get(r.school_key)?.source_sheet ?? null }))
    .sort((a, b) => byText(a.sheet ?? '', b.sheet ?? '') || (a.row ?? 0) - (b.row ?? 0) || byText(a.school.school_key, b.school.school_key));
}
