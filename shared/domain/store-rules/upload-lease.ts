// Pure: the content lease of the upload ledger. One (bucket, key, sha256) is ingested by one
// invocation at a time: a completed upload is answered from its report and never run again,
// a live lease refuses a second invocation, and a lease that has passed (its holder died
// without releasing) is taken over with the upload's original ingest sequence, so the
// takeover's batch stays ordered where the first attempt's was.

/** What the ledger holds for an upload: its status, its lease end (null once released or completed), its ingest sequence. */
export type LedgerLease = {
  readonly status: 'in_progress' | 'completed';
  readonly leaseUntilMs: number | null;
  readonly sequence: number;
};

export type AcquireDecision =
  /** answer with the stored report */
  | { readonly kind: 'completed' }
  /** another invocation holds the lease until `leaseUntilMs` */
  | { readonly kind: 'in_progress'; readonly leaseUntilMs: number }
  /** rewrite the entry's lease; the upload keeps `sequence` */
  | { readonly kind: 'take_over'; readonly leaseUntilMs: number; readonly sequence: number }
  /** first sight of this content: insert an entry with the next ingest sequence */
  | { readonly kind: 'insert'; readonly leaseUntilMs: number };

/** A lease is live up to and including its expiry instant, so a holder that checks at exactly `leaseUntilMs` still owns it. */
export function uploadLeaseLive(leaseUntilMs: number | null, nowMs: number): boolean {
  return leaseUntilMs !== null && nowMs <= leaseUntilMs;
}

/** Decides an acquisition from the entry read in the same transaction (undefined when there is none). */
export function decideAcquire(existing: LedgerLease | undefined, nowMs: number, leaseMs: number): AcquireDecision {
  if (existing?.status === 'completed') return { kind: 'completed' };
  if (existing && existing.leaseUntilMs !== null && uploadLeaseLive(existing.leaseUntilMs, nowMs)) {
    return { kind: 'in_progress', leaseUntilMs: existing.leaseUntilMs };
  }
  const leaseUntilMs = nowMs + leaseMs;
  return existing ? { kind: 'take_over', leaseUntilMs, sequence: existing.sequence } : { kind: 'insert', leaseUntilMs };
}

export type LeaseBounds = { readonly minLeaseMs: number; readonly maxLeaseMs: number };

/** Lease safety margin: the holder must be able to give the lease back before its invocation is cut off. */
const LEASE_MARGIN_MS = 1_000;

/**
 * Lease length: the invocation's remaining time less a margin, clamped to [min, max]. Zero or
 * negative time still gets `minLeaseMs` (a crash then blocks retries only briefly), and an
 * unknown (non-finite) remaining time gets `maxLeaseMs`.
 */
export function leaseLengthMs(bounds: LeaseBounds, remainingMs: number): number {
  const wanted = Number.isFinite(remainingMs) ? remainingMs - LEASE_MARGIN_MS : bounds.maxLeaseMs;
  return Math.min(bounds.maxLeaseMs, Math.max(bounds.minLeaseMs, wanted));
}
