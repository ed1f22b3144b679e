// Pure: which current-batch pointers a batch commit flips. A commit names the
// (period, kind, municipality) units of one region it replaces; each unit's pointer moves to
// the batch unless a newer upload holds it ("newer upload wins"). A pointer that already
// names the batch counts as applied and is not rewritten, so re-running a commit (after an
// abort or an ambiguous result) yields the result and the state of one commit.
import type { Period, TableKind } from '../schemas.ts';
import { isNewer, type SourceVersion } from './newer-upload.ts';

/** One unit a batch replaces: the rows of one (period, kind, municipality) of its region. */
export type CommitUnit = { readonly period: Period; readonly kind: TableKind; readonly municipalityId: string };

/** What a store holds for a unit today: the batch it names, that batch's upload version, its write count. */
export type UnitPointer = { readonly batchId: string; readonly source: SourceVersion; readonly version: number };

export type CommitRequest = { readonly batchId: string; readonly source: SourceVersion; readonly units: readonly CommitUnit[] };

export type CommitResult = {
  /** units whose pointer now references this batch */
  readonly applied: number;
  /** units kept by a newer upload */
  readonly superseded: number;
  readonly periods: readonly Period[];
};

/** A pointer the store must write: the unit now names the batch, at this version. */
export type PointerFlip = { readonly unit: CommitUnit; readonly version: number };

export type CommitPlan = { readonly flips: readonly PointerFlip[]; readonly result: CommitResult };

/** The identity of a unit within one region, so a store indexes the pointers it read by the key the plan looks up. */
export function unitKey(u: CommitUnit): string {
  return `${u.period.start}|${u.period.end}|${u.kind}|${u.municipalityId}`;
}

/** The distinct (period, kind) pairs of a commit, in first-seen order: a store reads the pointers of each pair once. */
export function pointerGroups(units: readonly CommitUnit[]): { period: Period; kind: TableKind }[] {
  const groups = new Map<string, { period: Period; kind: TableKind }>();
  for (const u of units) groups.set(`${u.period.start}|${u.period.end}|${u.kind}`, { period: u.period, kind: u.kind });
  return [...groups.values()];
}

/**
 * Decides every unit of a commit from the pointers as read in the commit's transaction
 * (`pointerOf` answers undefined for a unit with no pointer yet). A unit listed twice is
 * decided against the plan's own earlier flip, as if the first write were already visible.
 */
export function planCommit(commit: CommitRequest, pointerOf: (unit: CommitUnit) => UnitPointer | undefined): CommitPlan {
  let applied = 0;
  let superseded = 0;
  const periods = new Map<string, Period>();
  const flips = new Map<string, PointerFlip>();
  for (const u of commit.units) {
    const key = unitKey(u);
    const planned = flips.get(key);
    const current: UnitPointer | undefined = planned ? { batchId: commit.batchId, source: commit.source, version: planned.version } : pointerOf(u);
    if (current && current.batchId !== commit.batchId && !isNewer(commit.source, current.source)) {
      superseded++;
      continue;
    }
    if (!current || current.batchId !== commit.batchId) flips.set(key, { unit: u, version: current ? current.version + 1 : 1 });
    applied++;
    periods.set(`${u.period.start}|${u.period.end}`, u.period);
  }
  return { flips: [...flips.values()], result: { applied, superseded, periods: [...periods.values()] } };
}
