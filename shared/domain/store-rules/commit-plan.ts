// Pure: which current-batch pointers a batch commit flips. A commit names the
// (period, kind, municipality) units of one region it replaces; each unit's pointer moves to
// the batch unless a newer upload holds it ("newer upload wins"). A pointer that already
// names the batch counts as applied and is not rewritten, so re-running a commit (after an
// abort or an ambiguous result) yields the result and the state of one commit.
//
// A commit may carry what each of its units holds (row count, totals, fingerprint: folded
// while staging, replacement.ts), stored beside the unit's pointer. The next commit of the
// unit then learns what it replaces from that one short row instead of reading the rows
// in force, and a commit that asks for it (`unlessUnchanged`) commits nothing when every
// unit equals the unit in force of another upload: the duplicate check, decided on the
// pointers the commit's own transaction read.
import type { Period, TableKind, UnitFigures } from '../schemas.ts';
import { isNewer, type SourceVersion } from './newer-upload.ts';

/** One unit a batch replaces: the rows of one (period, kind, municipality) of its region. */
export type CommitUnit = { readonly period: Period; readonly kind: TableKind; readonly municipalityId: string };

/** What one batch's rows of a unit add up to: figures, and a fingerprint equal exactly for the same rows (replacement.ts). */
export type UnitContent = { readonly unit: CommitUnit; readonly figures: UnitFigures; readonly fingerprint: string };

/** What a store keeps beside a pointer of what its batch holds, and when that upload was received. */
export type HeldContent = { readonly figures: UnitFigures; readonly fingerprint: string; readonly receivedAtMs: number };

/**
 * What a store holds for a unit today: the batch it names, that batch's upload version, its
 * write count; with the upload and its content where the store read them (content null: the
 * pointer was written without one).
 */
export type UnitPointer = {
  readonly batchId: string;
  readonly source: SourceVersion;
  readonly version: number;
  readonly uploadId?: string;
  readonly content?: HeldContent | null;
};

export type CommitRequest = { readonly batchId: string; readonly source: SourceVersion; readonly units: readonly CommitUnit[] };

/** A commit with what its units hold: stored with the flips, compared with what is in force. */
export type ContentCommit = CommitRequest & {
  readonly contents?: { readonly receivedAtMs: number; readonly units: readonly UnitContent[] };
  /** commit nothing when every unit equals the unit in force of another upload */
  readonly unlessUnchanged?: boolean;
};

/** A unit a commit took from another upload's batch, with what that batch held (null: not known). */
export type ReplacedUnit = { readonly unit: CommitUnit; readonly uploadId: string; readonly batchId: string; readonly content: HeldContent | null };

export type CommitOutcome = CommitResult & {
  /** the units whose pointer moved from another upload's batch to this one */
  readonly replaced: readonly ReplacedUnit[];
  /** every unit equals the unit in force (`unlessUnchanged`): nothing was committed; the upload in force (of the first unit) and when it came */
  readonly unchanged: { readonly uploadId: string; readonly receivedAtMs: number } | null;
};

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

/** The content a commit carries for a unit, keyed for lookups by unitKey. */
export function contentsByUnit(commit: ContentCommit): Map<string, UnitContent> {
  return new Map((commit.contents?.units ?? []).map((c) => [unitKey(c.unit), c]));
}

/**
 * `planCommit` with what the commit changes in content: the units it takes from another
 * upload (with what they held), or — when the commit asks for it — that it changes nothing,
 * when every unit is held by another batch whose content has the commit's fingerprint. An
 * unchanged commit flips nothing: the store discards the staged batch instead.
 */
export function decideCommit(commit: ContentCommit, pointerOf: (unit: CommitUnit) => UnitPointer | undefined): { plan: CommitPlan; outcome: CommitOutcome } {
  const mine = contentsByUnit(commit);
  const held = commit.units.map((u) => ({ u, p: pointerOf(u) }));
  const first = held[0]?.p;
  const unchanged =
    commit.unlessUnchanged === true &&
    first?.content != null &&
    first.uploadId !== undefined &&
    held.every(({ u, p }) => p !== undefined && p.batchId !== commit.batchId && p.content != null && p.content.fingerprint === mine.get(unitKey(u))?.fingerprint);
  if (unchanged) {
    const plan: CommitPlan = { flips: [], result: { applied: 0, superseded: 0, periods: [] } };
    return { plan, outcome: { ...plan.result, replaced: [], unchanged: { uploadId: first.uploadId!, receivedAtMs: first.content!.receivedAtMs } } };
  }
  const plan = planCommit(commit, pointerOf);
  const replaced: ReplacedUnit[] = [];
  for (const f of plan.flips) {
    const p = pointerOf(f.unit);
    if (p && p.uploadId !== undefined) replaced.push({ unit: f.unit, uploadId: p.uploadId, batchId: p.batchId, content: p.content ?? null });
  }
  return { plan, outcome: { ...plan.result, replaced, unchanged: null } };
}
