// Adapter: the notification Outbox on SQLite (the embedded stand-in for YDB). Two tables:
// `notify_delivery` holds one row per message with its state machine and lease, and
// `notify_delivery_item` maps each (event id, channel id) to the delivery that carries it —
// its primary key is what makes a redelivered event a no-op. `notify_channel_state` records
// channels disabled by a 410. Every state change runs in a BEGIN IMMEDIATE transaction that
// reads the rows, asks the state machine in `domain/store-rules/delivery.ts` what to write,
// and writes it, so a join to an open group and the claim that seals it cannot interleave.
import { randomUUID } from 'node:crypto';
import { NotificationEvent } from '../../domain/events.ts';
import {
  DUE_STATES,
  DeliveryState,
  chooseDue,
  claimWrite,
  finishDelivery,
  isClaimable,
  openDelivery,
  replayDelivery,
  type ClaimCandidate,
  type DeliveryMark,
} from '../../domain/store-rules/delivery.ts';
import type {
  ClaimedDelivery,
  DeliveryRecord,
  EnqueueRequest,
  EnqueueResult,
  MarkFailure,
  Outbox,
} from '../../ports/outbox.ts';
import { immediate, type Db } from './database.ts';

// the column accepts exactly the domain's states
const STATES = DeliveryState.options.map((s) => `'${s}'`).join(', ');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS notify_delivery (
  delivery_id        TEXT PRIMARY KEY,
  channel_id         TEXT NOT NULL,
  group_key          TEXT NOT NULL,
  state              TEXT NOT NULL CHECK (state IN (${STATES})),
  sealed             INTEGER NOT NULL DEFAULT 0,
  attempts           INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT,
  next_attempt_at_ms INTEGER,
  lease_until_ms     INTEGER,
  lease_token        TEXT,
  created_at_ms      INTEGER NOT NULL,
  schedule_start_ms  INTEGER NOT NULL,
  updated_at_ms      INTEGER NOT NULL,
  delivered_at_ms    INTEGER
);
CREATE INDEX IF NOT EXISTS notify_delivery_due ON notify_delivery (state, next_attempt_at_ms);
CREATE INDEX IF NOT EXISTS notify_delivery_open ON notify_delivery (channel_id, group_key) WHERE sealed = 0;

CREATE TABLE IF NOT EXISTS notify_delivery_item (
  event_id       TEXT NOT NULL,
  channel_id     TEXT NOT NULL,
  delivery_id    TEXT NOT NULL REFERENCES notify_delivery (delivery_id),
  event_json     TEXT NOT NULL,
  enqueued_at_ms INTEGER NOT NULL,
  PRIMARY KEY (event_id, channel_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS notify_delivery_item_by_delivery ON notify_delivery_item (delivery_id);

CREATE TABLE IF NOT EXISTS notify_channel_state (
  channel_id     TEXT PRIMARY KEY,
  disabled_at_ms INTEGER NOT NULL,
  reason         TEXT NOT NULL
) WITHOUT ROWID;
`;

type Row = {
  delivery_id: string;
  channel_id: string;
  group_key: string;
  state: DeliveryState;
  sealed: number;
  attempts: number;
  last_error: string | null;
  next_attempt_at_ms: number | null;
  lease_until_ms: number | null;
  lease_token: string | null;
  created_at_ms: number;
  schedule_start_ms: number;
  updated_at_ms: number;
  delivered_at_ms: number | null;
};

const candidate = (r: Row): ClaimCandidate & { row: Row } => ({
  id: r.delivery_id,
  state: r.state,
  nextAttemptAtMs: r.next_attempt_at_ms,
  leaseUntilMs: r.lease_until_ms,
  attempts: r.attempts,
  row: r,
});

export class SqliteOutbox implements Outbox {
  constructor(private readonly db: Db) {
    db.exec(SCHEMA);
  }

  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    return immediate(this.db, () => {
      const existing = this.db
        .prepare('SELECT delivery_id FROM notify_delivery_item WHERE event_id = ? AND channel_id = ?')
        .get(req.event.id, req.channelId) as { delivery_id: string } | undefined;
      if (existing) return { deliveryId: existing.delivery_id, created: false, joined: false };
      // `sealed = 0` narrows the read to the partial index; `openDelivery` decides
      const unsealed = this.db
        .prepare('SELECT delivery_id, state, sealed, created_at_ms FROM notify_delivery WHERE channel_id = ? AND group_key = ? AND sealed = 0')
        .all(req.channelId, req.groupKey) as Pick<Row, 'delivery_id' | 'state' | 'sealed' | 'created_at_ms'>[];
      const open = openDelivery(unsealed.map((r) => ({ id: r.delivery_id, state: r.state, sealed: r.sealed !== 0, createdAtMs: r.created_at_ms })));
      let deliveryId = open?.id;
      if (!deliveryId) {
        deliveryId = req.newDeliveryId;
        this.db
          .prepare(
            `INSERT INTO notify_delivery (delivery_id, channel_id, group_key, state, next_attempt_at_ms,
               created_at_ms, schedule_start_ms, updated_at_ms)
             VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`,
          )
          .run(deliveryId, req.channelId, req.groupKey, req.readyAtMs, req.nowMs, req.nowMs, req.nowMs);
      }
      this.db
        .prepare('INSERT INTO notify_delivery_item (event_id, channel_id, delivery_id, event_json, enqueued_at_ms) VALUES (?, ?, ?, ?, ?)')
        .run(req.event.id, req.channelId, deliveryId, JSON.stringify(req.event), req.nowMs);
      return { deliveryId, created: true, joined: open !== undefined };
    });
  }

  async claimDue(opts: { nowMs: number; leaseMs: number; limit: number }): Promise<ClaimedDelivery[]> {
    return immediate(this.db, () => {
      // Reads in claim order until `limit` claimable rows are seen (leased ones are skipped
      // by the rule, not the query), so one claim reads a bounded number of rows.
      const rows = this.db
        .prepare(
          `SELECT * FROM notify_delivery
           WHERE state IN (${DUE_STATES.map(() => '?').join(', ')}) AND next_attempt_at_ms <= ?
           ORDER BY next_attempt_at_ms, delivery_id`,
        )
        .iterate(...DUE_STATES, opts.nowMs) as IterableIterator<Row>;
      const candidates: ReturnType<typeof candidate>[] = [];
      let claimable = 0;
      for (const r of rows) {
        if (claimable >= opts.limit) break;
        const c = candidate(r);
        candidates.push(c);
        if (isClaimable(c, opts.nowMs)) claimable++;
      }
      const claim = this.db.prepare(
        `UPDATE notify_delivery SET sealed = 1, attempts = ?, lease_until_ms = ?, lease_token = ?, updated_at_ms = ?
         WHERE delivery_id = ?`,
      );
      return chooseDue(candidates, opts.nowMs, opts.limit).map((c) => {
        const w = claimWrite(c, opts, randomUUID());
        claim.run(w.attempts, w.leaseUntilMs, w.leaseToken, w.updatedAtMs, c.id);
        return {
          id: c.id,
          channelId: c.row.channel_id,
          groupKey: c.row.group_key,
          attempt: w.attempts,
          scheduleStartMs: c.row.schedule_start_ms,
          leaseToken: w.leaseToken,
          events: this.events(c.id),
        };
      });
    });
  }

  async markDelivered(id: string, leaseToken: string, nowMs: number): Promise<boolean> {
    return this.finish(id, leaseToken, { state: 'delivered', nowMs });
  }

  async markRetry(id: string, leaseToken: string, f: MarkFailure & { nextAttemptAtMs: number }): Promise<boolean> {
    return this.finish(id, leaseToken, { state: 'retrying', nowMs: f.nowMs, error: f.error, nextAttemptAtMs: f.nextAttemptAtMs });
  }

  async markDead(id: string, leaseToken: string, f: MarkFailure): Promise<boolean> {
    return this.finish(id, leaseToken, { state: 'dead', nowMs: f.nowMs, error: f.error });
  }

  async markDisabled(id: string, leaseToken: string, f: MarkFailure): Promise<boolean> {
    return this.finish(id, leaseToken, { state: 'disabled', nowMs: f.nowMs, error: f.error });
  }

  async disabledChannels(): Promise<ReadonlySet<string>> {
    const rows = this.db.prepare('SELECT channel_id FROM notify_channel_state').all() as { channel_id: string }[];
    return new Set(rows.map((r) => r.channel_id));
  }

  async get(id: string): Promise<DeliveryRecord | null> {
    const row = this.row(id);
    return row ? this.record(row) : null;
  }

  async list(state: DeliveryState, opts: { limit?: number } = {}): Promise<DeliveryRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM notify_delivery WHERE state = ? ORDER BY updated_at_ms, delivery_id LIMIT ?')
      .all(state, opts.limit ?? 1000) as Row[];
    return rows.map((r) => this.record(r));
  }

  async replay(id: string, nowMs: number): Promise<DeliveryRecord | null> {
    return immediate(this.db, () => {
      const row = this.row(id);
      const w = replayDelivery(row, nowMs);
      if (!row || !w) return null;
      if (w.enableChannel) this.db.prepare('DELETE FROM notify_channel_state WHERE channel_id = ?').run(row.channel_id);
      this.db
        .prepare(
          `UPDATE notify_delivery SET state = ?, attempts = ?, next_attempt_at_ms = ?, schedule_start_ms = ?,
             lease_until_ms = ?, lease_token = ?, updated_at_ms = ?
           WHERE delivery_id = ?`,
        )
        .run(w.state, w.attempts, w.nextAttemptAtMs, w.scheduleStartMs, w.leaseUntilMs, w.leaseToken, w.updatedAtMs, id);
      return this.record(this.row(id)!);
    });
  }

  private finish(id: string, token: string, mark: DeliveryMark): boolean {
    return immediate(this.db, () => {
      const row = this.row(id);
      const w = finishDelivery(row && { leaseToken: row.lease_token, lastError: row.last_error, deliveredAtMs: row.delivered_at_ms }, token, mark);
      if (!row || !w) return false;
      // the first disablement of a channel is the one recorded
      if (mark.state === 'disabled') {
        this.db
          .prepare('INSERT INTO notify_channel_state (channel_id, disabled_at_ms, reason) VALUES (?, ?, ?) ON CONFLICT (channel_id) DO NOTHING')
          .run(row.channel_id, mark.nowMs, mark.error);
      }
      this.db
        .prepare(
          `UPDATE notify_delivery SET state = ?, last_error = ?, next_attempt_at_ms = ?, delivered_at_ms = ?,
             lease_until_ms = ?, lease_token = ?, updated_at_ms = ?
           WHERE delivery_id = ?`,
        )
        .run(w.state, w.lastError, w.nextAttemptAtMs, w.deliveredAtMs, w.leaseUntilMs, w.leaseToken, w.updatedAtMs, id);
      return true;
    });
  }

  private row(id: string): Row | undefined {
    return this.db.prepare('SELECT * FROM notify_delivery WHERE delivery_id = ?').get(id) as Row | undefined;
  }

  private events(deliveryId: string): NotificationEvent[] {
    const rows = this.db
      .prepare('SELECT event_json FROM notify_delivery_item WHERE delivery_id = ? ORDER BY enqueued_at_ms, event_id')
      .all(deliveryId) as { event_json: string }[];
    return rows.map((r) => NotificationEvent.parse(JSON.parse(r.event_json)));
  }

  private record(r: Row): DeliveryRecord {
    const ids = this.db
      .prepare('SELECT event_id FROM notify_delivery_item WHERE delivery_id = ? ORDER BY enqueued_at_ms, event_id')
      .all(r.delivery_id) as { event_id: string }[];
    return {
      id: r.delivery_id,
      channelId: r.channel_id,
      groupKey: r.group_key,
      state: r.state,
      attempts: r.attempts,
      lastError: r.last_error,
      nextAttemptAtMs: r.next_attempt_at_ms,
      createdAtMs: r.created_at_ms,
      updatedAtMs: r.updated_at_ms,
      eventIds: ids.map((i) => i.event_id),
    };
  }
}

