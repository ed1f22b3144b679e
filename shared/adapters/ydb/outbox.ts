// Adapter: the notification Outbox on YDB (the SQLite adapter's twin). `notify_delivery`
// holds one row per message with its state machine and lease, `notify_delivery_item`
// maps each (event id, channel id) to the delivery that carries it — its primary key makes
// a redelivered event a no-op — and `notify_channel_state` records channels disabled by a
// 410. Every state change is one serializable transaction that reads first and writes
// last, the write committing it, so a join to an open group and the claim that seals it
// cannot interleave (the loser is ABORTED and re-run from its reads). What a change writes
// is decided by the state machine in `domain/store-rules/delivery.ts`.
import { randomUUID } from 'node:crypto';
import type { NotificationEvent } from '../../domain/events.ts';
import {
  DUE_STATES,
  byDueOrder,
  chooseDue,
  claimWrite,
  deliveryLeaseFree,
  finishDelivery,
  openDelivery,
  replayDelivery,
  storedDeliveryState,
  type ClaimCandidate,
  type DeliveryMark,
  type DeliveryState,
} from '../../domain/store-rules/delivery.ts';
import type {
  ClaimedDelivery,
  DeliveryRecord,
  EnqueueRequest,
  EnqueueResult,
  MarkFailure,
  Outbox,
} from '../../ports/outbox.ts';
import { paginate, type Runner, type Tx, type YdbClient } from './client.ts';
import {
  CHANNEL_COLUMNS,
  CHANNEL_DISABLE,
  CHANNEL_ENABLE,
  CHANNEL_GET,
  DELIVERIES_BY_STATE,
  DELIVERY_CLAIM,
  DELIVERY_CLAIM_COLUMNS,
  DELIVERY_COLUMNS,
  DELIVERY_FINISH,
  DELIVERY_FINISH_COLUMNS,
  DELIVERY_GET,
  DELIVERY_OPEN,
  DELIVERY_REPLAY,
  DELIVERY_REPLAY_COLUMNS,
  DISABLED_CHANNELS,
  DUE_DELIVERIES,
  ITEM_COLUMNS,
  ITEM_GET,
  ITEM_INSERT,
  ITEM_READ_COLUMNS,
  ITEMS_OF_DELIVERY,
  OPEN_DELIVERIES,
} from './queries.ts';
import { col, decodeRows, listParam, param, pick, type RowOf } from './codec.ts';
import { parseEvent, type DeliveryRow } from './tables.ts';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const CHANNEL_ID_COLUMNS = pick(CHANNEL_COLUMNS, 'channel_id');
type Item = RowOf<typeof ITEM_READ_COLUMNS>;

/** A Utf8 column holds any text: the state is checked on every read. */
const stateOf = (r: Pick<DeliveryRow, 'delivery_id' | 'state'>): DeliveryState => storedDeliveryState(r.delivery_id, r.state);

function candidate(r: DeliveryRow): ClaimCandidate & { readonly row: DeliveryRow } {
  return { id: r.delivery_id, state: stateOf(r), nextAttemptAtMs: r.next_attempt_at_ms, leaseUntilMs: r.lease_until_ms, attempts: r.attempts, row: r };
}

function txRunner(tx: Tx): Runner {
  return (text, params, what) => tx.query(text, params, what);
}

export class YdbOutbox implements Outbox {
  readonly #db: YdbClient;

  constructor(db: YdbClient) {
    this.#db = db;
  }

  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    // Re-run safe: after an ambiguous commit the re-run finds the item and reports created: false.
    return this.#db.tx('serializable', 'enqueueing a notification', async (tx): Promise<EnqueueResult> => {
      const run = txRunner(tx);
      const [rs] = await run(ITEM_GET, { $event_id: param(col.utf8, req.event.id), $channel_id: param(col.utf8, req.channelId) }, 'reading the item');
      const existing = rs ? decodeRows(rs, pick(ITEM_COLUMNS, 'delivery_id'))[0] : undefined;
      if (existing) return { deliveryId: existing.delivery_id, created: false, joined: false };
      const unsealed = await paginate(
          run,
          OPEN_DELIVERIES,
          {
            $channel_id: param(col.utf8, req.channelId),
            $group_key: param(col.utf8, req.groupKey),
            $state: param(col.utf8, 'pending'),
            $sealed: param(col.bool, false),
          },
          DELIVERY_COLUMNS,
          DELIVERY_COLUMNS,
          'finding the open delivery',
        );
      const open = openDelivery(unsealed.map((r) => ({ id: r.delivery_id, state: stateOf(r), sealed: r.sealed, createdAtMs: r.created_at_ms })));
      const deliveryId = open?.id ?? req.newDeliveryId;
      const item = listParam(ITEM_COLUMNS, [
        { event_id: req.event.id, channel_id: req.channelId, delivery_id: deliveryId, event_json: req.event, enqueued_at_ms: req.nowMs },
      ]);
      if (open) {
        await tx.query(ITEM_INSERT, { $rows: item }, 'adding the item', { commit: true });
      } else {
        const row: DeliveryRow = {
          delivery_id: deliveryId,
          channel_id: req.channelId,
          group_key: req.groupKey,
          state: 'pending',
          sealed: false,
          attempts: 0,
          last_error: null,
          next_attempt_at_ms: req.readyAtMs,
          lease_until_ms: null,
          lease_token: null,
          created_at_ms: req.nowMs,
          schedule_start_ms: req.nowMs,
          updated_at_ms: req.nowMs,
          delivered_at_ms: null,
        };
        await tx.query(DELIVERY_OPEN, { $rows: listParam(DELIVERY_COLUMNS, [row]), $items: item }, 'opening a delivery', { commit: true });
      }
      return { deliveryId, created: true, joined: open !== undefined };
    });
  }

  async claimDue(opts: { nowMs: number; leaseMs: number; limit: number }): Promise<ClaimedDelivery[]> {
    if (opts.limit <= 0) return [];
    // Re-run safe, also after an ambiguous commit (UNDETERMINED, a lost answer): every lease
    // this call writes carries one claim id, chosen once, outside the retried transaction. A
    // re-run whose earlier attempt did commit finds its own leases and answers them as
    // claimed — same token, attempt already counted — instead of skipping them as "leased"
    // and stranding them until the lease expires.
    const claimId = randomUUID();
    const tokenFor = (deliveryId: string) => `${claimId}/${deliveryId}`;
    const ours = (r: DeliveryRow) => r.lease_token === tokenFor(r.delivery_id) && r.lease_until_ms !== null && r.lease_until_ms > opts.nowMs;
    return this.#db.tx('serializable', 'claiming due deliveries', async (tx) => {
      const run = txRunner(tx);
      const free = (r: DeliveryRow) => deliveryLeaseFree(r.lease_until_ms, opts.nowMs);
      const due: DeliveryRow[] = [];
      for (const state of DUE_STATES) {
        // reads in due order until `limit` free (or already ours) rows are seen; `chooseDue` decides
        const rows = await paginate(
          run,
          DUE_DELIVERIES,
          { $state: param(col.utf8, state), $now_ms: param(col.int64, opts.nowMs) },
          DELIVERY_COLUMNS,
          DELIVERY_COLUMNS,
          'reading due deliveries',
          undefined,
          (sofar) => sofar.filter((r) => free(r) || ours(r)).length >= opts.limit,
        );
        due.push(...rows);
      }
      const held = due.filter(ours).map(candidate).sort(byDueOrder).slice(0, opts.limit);
      const chosen = chooseDue(due.map(candidate), opts.nowMs, opts.limit - held.length);
      const claims = chosen.map((d) => ({ d, w: claimWrite(d, opts, tokenFor(d.id)) }));
      const rows: RowOf<typeof DELIVERY_CLAIM_COLUMNS>[] = claims.map(({ d, w }) => ({
        delivery_id: d.id,
        sealed: w.sealed,
        attempts: w.attempts,
        lease_until_ms: w.leaseUntilMs,
        lease_token: w.leaseToken,
        updated_at_ms: w.updatedAtMs,
      }));
      const all = [
        ...held.map((d) => ({ d, attempt: d.attempts, leaseToken: d.row.lease_token! })),
        ...claims.map(({ d, w }) => ({ d, attempt: w.attempts, leaseToken: w.leaseToken })),
      ].sort((a, b) => byDueOrder(a.d, b.d));
      const items = new Map<string, Item[]>();
      for (const { d } of all) items.set(d.id, await this.#items(run, d.id));
      if (rows.length) await tx.query(DELIVERY_CLAIM, { $rows: listParam(DELIVERY_CLAIM_COLUMNS, rows) }, 'sealing and leasing', { commit: true });
      return all.map(({ d, attempt, leaseToken }) => ({
        id: d.id,
        channelId: d.row.channel_id,
        groupKey: d.row.group_key,
        attempt,
        scheduleStartMs: d.row.schedule_start_ms,
        leaseToken,
        events: items.get(d.id)!.map((it) => parseEvent(it.event_json) as NotificationEvent),
      }));
    });
  }

  async markDelivered(id: string, leaseToken: string, nowMs: number): Promise<boolean> {
    return this.#finish(id, leaseToken, { state: 'delivered', nowMs });
  }

  async markRetry(id: string, leaseToken: string, f: MarkFailure & { nextAttemptAtMs: number }): Promise<boolean> {
    return this.#finish(id, leaseToken, { state: 'retrying', nowMs: f.nowMs, error: f.error, nextAttemptAtMs: f.nextAttemptAtMs });
  }

  async markDead(id: string, leaseToken: string, f: MarkFailure): Promise<boolean> {
    return this.#finish(id, leaseToken, { state: 'dead', nowMs: f.nowMs, error: f.error });
  }

  async markDisabled(id: string, leaseToken: string, f: MarkFailure): Promise<boolean> {
    return this.#finish(id, leaseToken, { state: 'disabled', nowMs: f.nowMs, error: f.error });
  }

  async disabledChannels(): Promise<ReadonlySet<string>> {
    const rows = await paginate(
      this.#db.reader,
      DISABLED_CHANNELS,
      {},
      CHANNEL_ID_COLUMNS,
      CHANNEL_ID_COLUMNS,
      'listing disabled channels',
    );
    return new Set(rows.map((r) => r.channel_id));
  }

  async get(id: string): Promise<DeliveryRecord | null> {
    return this.#db.tx('snapshot', 'reading a delivery', async (tx) => {
      const run = txRunner(tx);
      const row = await this.#row(run, id);
      return row ? record(row, await this.#items(run, id)) : null;
    });
  }

  async list(state: DeliveryState, opts: { limit?: number } = {}): Promise<DeliveryRecord[]> {
    const limit = opts.limit ?? 1000;
    if (limit <= 0) return [];
    return this.#db.tx('snapshot', 'listing deliveries', async (tx) => {
      const run = txRunner(tx);
      const rows = (
        await paginate(
          run,
          DELIVERIES_BY_STATE,
          { $state: param(col.utf8, state) },
          DELIVERY_COLUMNS,
          DELIVERY_COLUMNS,
          'listing deliveries',
          undefined,
          (sofar) => sofar.length >= limit,
        )
      ).slice(0, limit);
      const out: DeliveryRecord[] = [];
      for (const r of rows) out.push(record(r, await this.#items(run, r.delivery_id)));
      return out;
    });
  }

  async replay(id: string, nowMs: number): Promise<DeliveryRecord | null> {
    // Re-run safe: after an ambiguous commit the re-run finds the delivery pending and answers null.
    return this.#db.tx('serializable', 'replaying a delivery', async (tx) => {
      const run = txRunner(tx);
      const row = await this.#row(run, id);
      const w = replayDelivery(row && { state: stateOf(row) }, nowMs);
      if (!row || !w) return null;
      const items = await this.#items(run, id);
      if (w.enableChannel) await run(CHANNEL_ENABLE, { $channel_id: param(col.utf8, row.channel_id) }, 're-enabling the channel');
      const next: RowOf<typeof DELIVERY_REPLAY_COLUMNS> = {
        delivery_id: id,
        state: w.state,
        attempts: w.attempts,
        next_attempt_at_ms: w.nextAttemptAtMs,
        schedule_start_ms: w.scheduleStartMs,
        lease_until_ms: w.leaseUntilMs,
        lease_token: w.leaseToken,
        updated_at_ms: w.updatedAtMs,
      };
      await tx.query(DELIVERY_REPLAY, { $rows: listParam(DELIVERY_REPLAY_COLUMNS, [next]) }, 'resetting the delivery', { commit: true });
      return record({ ...row, ...next }, items);
    });
  }

  async #finish(id: string, token: string, mark: DeliveryMark): Promise<boolean> {
    // After an ambiguous commit a re-run finds the token cleared and answers false (stale),
    // the same answer a worker whose lease was taken over gets; the state is already final.
    return this.#db.tx('serializable', `marking a delivery ${mark.state}`, async (tx) => {
      const run = txRunner(tx);
      const row = await this.#row(run, id);
      const w = finishDelivery(row && { leaseToken: row.lease_token, lastError: row.last_error, deliveredAtMs: row.delivered_at_ms }, token, mark);
      if (!row || !w) return false;
      if (mark.state === 'disabled') {
        const [rs] = await run(CHANNEL_GET, { $channel_id: param(col.utf8, row.channel_id) }, 'reading the channel state');
        // the first disablement of a channel is the one recorded
        if (!(rs && decodeRows(rs, CHANNEL_ID_COLUMNS).length > 0)) {
          await run(CHANNEL_DISABLE, { $rows: listParam(CHANNEL_COLUMNS, [{ channel_id: row.channel_id, disabled_at_ms: mark.nowMs, reason: mark.error }]) }, 'recording the channel state');
        }
      }
      const next: RowOf<typeof DELIVERY_FINISH_COLUMNS> = {
        delivery_id: id,
        state: w.state,
        last_error: w.lastError,
        next_attempt_at_ms: w.nextAttemptAtMs,
        delivered_at_ms: w.deliveredAtMs,
        lease_until_ms: w.leaseUntilMs,
        lease_token: w.leaseToken,
        updated_at_ms: w.updatedAtMs,
      };
      await tx.query(DELIVERY_FINISH, { $rows: listParam(DELIVERY_FINISH_COLUMNS, [next]) }, 'finishing the attempt', { commit: true });
      return true;
    });
  }

  async #row(run: Runner, id: string): Promise<DeliveryRow | undefined> {
    const [rs] = await run(DELIVERY_GET, { $delivery_id: param(col.utf8, id) }, 'reading a delivery');
    return rs ? decodeRows(rs, DELIVERY_COLUMNS)[0] : undefined;
  }

  /** The items of a delivery in the order they were enqueued (ties by event id). */
  async #items(run: Runner, deliveryId: string): Promise<Item[]> {
    const rows = await paginate(run, ITEMS_OF_DELIVERY, { $delivery_id: param(col.utf8, deliveryId) }, ITEM_READ_COLUMNS, ITEM_READ_COLUMNS, 'reading items');
    return rows.sort((a, b) => a.enqueued_at_ms - b.enqueued_at_ms || byText(a.event_id, b.event_id));
  }
}

function record(r: DeliveryRow, items: readonly Item[]): DeliveryRecord {
  return {
    id: r.delivery_id,
    channelId: r.channel_id,
    groupKey: r.group_key,
    state: stateOf(r),
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAtMs: r.next_attempt_at_ms,
    createdAtMs: r.created_at_ms,
    updatedAtMs: r.updated_at_ms,
    eventIds: items.map((i) => i.event_id),
  };
}
