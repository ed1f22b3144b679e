// Adapter: the notification Outbox on YDB (the SQLite adapter's twin). `notify_delivery`
// holds one row per message with its state machine and lease, `notify_delivery_item`
// maps each (event id, channel id) to the delivery that carries it — its primary key makes
// a redelivered event a no-op — and `notify_channel_state` records channels disabled by a
// 410. Every state change is one serializable transaction that reads first and writes
// last, so a join to an open group and the claim that seals it cannot interleave (the
// loser is ABORTED and re-run from its reads).
import { randomUUID } from 'node:crypto';
import type { NotificationEvent } from '../../domain/events.ts';
import type {
  ClaimedDelivery,
  DeliveryRecord,
  DeliveryState,
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
import { col, decodeRows, listParam, param, parseEvent, pick, type DeliveryRow, type RowOf } from './types.ts';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const DUE_STATES: readonly DeliveryState[] = ['pending', 'retrying'];
const CHANNEL_ID_COLUMNS = pick(CHANNEL_COLUMNS, 'channel_id');
type Item = RowOf<typeof ITEM_READ_COLUMNS>;
type FinishFields = { nowMs: number; error: string | null; next: number | null; deliveredAt: number | null };

function txRunner(tx: Tx): Runner {
  return (text, params, what) => tx.query(text, params, what);
}

function byDue(a: DeliveryRow, b: DeliveryRow): number {
  return (a.next_attempt_at_ms ?? 0) - (b.next_attempt_at_ms ?? 0) || byText(a.delivery_id, b.delivery_id);
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
      const open = (
        await paginate(
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
        )
      ).sort((a, b) => a.created_at_ms - b.created_at_ms || byText(a.delivery_id, b.delivery_id))[0];
      const deliveryId = open?.delivery_id ?? req.newDeliveryId;
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
    // Re-run safe: a re-run reads again and issues fresh lease tokens.
    return this.#db.tx('serializable', 'claiming due deliveries', async (tx) => {
      const run = txRunner(tx);
      const free = (r: DeliveryRow) => r.lease_until_ms === null || r.lease_until_ms <= opts.nowMs;
      const due: DeliveryRow[] = [];
      for (const state of DUE_STATES) {
        const rows = await paginate(
          run,
          DUE_DELIVERIES,
          { $state: param(col.utf8, state), $now_ms: param(col.int64, opts.nowMs) },
          DELIVERY_COLUMNS,
          DELIVERY_COLUMNS,
          'reading due deliveries',
          undefined,
          (sofar) => sofar.filter(free).length >= opts.limit,
        );
        due.push(...rows.filter(free));
      }
      const chosen = due.sort(byDue).slice(0, opts.limit);
      const items = new Map<string, Item[]>();
      for (const d of chosen) items.set(d.delivery_id, await this.#items(run, d.delivery_id));
      const claims: RowOf<typeof DELIVERY_CLAIM_COLUMNS>[] = chosen.map((d) => ({
        delivery_id: d.delivery_id,
        sealed: true,
        attempts: d.attempts + 1,
        lease_until_ms: opts.nowMs + opts.leaseMs,
        lease_token: randomUUID(),
        updated_at_ms: opts.nowMs,
      }));
      if (claims.length) await tx.query(DELIVERY_CLAIM, { $rows: listParam(DELIVERY_CLAIM_COLUMNS, claims) }, 'sealing and leasing', { commit: true });
      return chosen.map((d, i) => ({
        id: d.delivery_id,
        channelId: d.channel_id,
        groupKey: d.group_key,
        attempt: d.attempts + 1,
        scheduleStartMs: d.schedule_start_ms,
        leaseToken: claims[i]!.lease_token!,
        events: items.get(d.delivery_id)!.map((it) => parseEvent(it.event_json) as NotificationEvent),
      }));
    });
  }

  async markDelivered(id: string, leaseToken: string, nowMs: number): Promise<boolean> {
    return this.#finish(id, leaseToken, 'delivered', { nowMs, error: null, next: null, deliveredAt: nowMs });
  }

  async markRetry(id: string, leaseToken: string, f: MarkFailure & { nextAttemptAtMs: number }): Promise<boolean> {
    return this.#finish(id, leaseToken, 'retrying', { nowMs: f.nowMs, error: f.error, next: f.nextAttemptAtMs, deliveredAt: null });
  }

  async markDead(id: string, leaseToken: string, f: MarkFailure): Promise<boolean> {
    return this.#finish(id, leaseToken, 'dead', { nowMs: f.nowMs, error: f.error, next: null, deliveredAt: null });
  }

  async markDisabled(id: string, leaseToken: string, f: MarkFailure): Promise<boolean> {
    return this.#finish(id, leaseToken, 'disabled', { nowMs: f.nowMs, error: f.error, next: null, deliveredAt: null }, async (run, row) => {
      const [rs] = await run(CHANNEL_GET, { $channel_id: param(col.utf8, row.channel_id) }, 'reading the channel state');
      const disabled = rs ? decodeRows(rs, CHANNEL_ID_COLUMNS).length > 0 : false;
      // first disablement wins, as in SQLite's ON CONFLICT DO NOTHING
      return disabled
        ? null
        : { text: CHANNEL_DISABLE, params: { $rows: listParam(CHANNEL_COLUMNS, [{ channel_id: row.channel_id, disabled_at_ms: f.nowMs, reason: f.error }]) } };
    });
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
      if (!row || (row.state !== 'dead' && row.state !== 'disabled')) return null;
      const items = await this.#items(run, id);
      if (row.state === 'disabled') await run(CHANNEL_ENABLE, { $channel_id: param(col.utf8, row.channel_id) }, 're-enabling the channel');
      // sealed stays true: a replay resends exactly the items of the original message
      const next: RowOf<typeof DELIVERY_REPLAY_COLUMNS> = {
        delivery_id: id,
        state: 'pending',
        attempts: 0,
        next_attempt_at_ms: nowMs,
        schedule_start_ms: nowMs,
        lease_until_ms: null,
        lease_token: null,
        updated_at_ms: nowMs,
      };
      await tx.query(DELIVERY_REPLAY, { $rows: listParam(DELIVERY_REPLAY_COLUMNS, [next]) }, 'resetting the delivery', { commit: true });
      return record({ ...row, ...next }, items);
    });
  }

  async #finish(
    id: string,
    token: string,
    state: DeliveryState,
    f: FinishFields,
    extra?: (run: Runner, row: DeliveryRow) => Promise<{ text: string; params: Parameters<Runner>[1] } | null>,
  ): Promise<boolean> {
    // After an ambiguous commit a re-run finds the token cleared and answers false (stale),
    // the same answer a worker whose lease was taken over gets; the state is already final.
    return this.#db.tx('serializable', `marking a delivery ${state}`, async (tx) => {
      const run = txRunner(tx);
      const row = await this.#row(run, id);
      if (!row || row.lease_token !== token) return false;
      const write = extra ? await extra(run, row) : null;
      if (write) await run(write.text, write.params, 'recording the channel state');
      const next: RowOf<typeof DELIVERY_FINISH_COLUMNS> = {
        delivery_id: id,
        state,
        last_error: f.error ?? row.last_error,
        next_attempt_at_ms: f.next,
        delivered_at_ms: f.deliveredAt ?? row.delivered_at_ms,
        lease_until_ms: null,
        lease_token: null,
        updated_at_ms: f.nowMs,
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
    state: r.state as DeliveryState,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAtMs: r.next_attempt_at_ms,
    createdAtMs: r.created_at_ms,
    updatedAtMs: r.updated_at_ms,
    eventIds: items.map((i) => i.event_id),
  };
}
