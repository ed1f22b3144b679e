// Adapter: the notification Outbox's storage on YDB (the SQLite adapter's twin):
// `notify_delivery` one row per message, `notify_delivery_item` the delivery that carries
// each (event id, channel id), `notify_channel_state` the channels disabled by a 410. Changes
// are applied in one serializable transaction that reads what they would overwrite, lets
// `changeVerdict` (domain/store-rules/delivery.ts) decide, and commits with its one write;
// no rule of the outbox is here. Re-run safe, also after an ambiguous commit: a re-run finds
// its own write and the verdict is `done`, not a conflict.
import { byDueOrder, byEnqueueOrder, changeVerdict, rowChanges, type DeliveryChange, type DeliveryItem, type StoredDelivery } from '../../domain/store-rules/delivery.ts';
import type { DeliveryQuery, ItemQuery, Outbox } from '../../ports/outbox.ts';
import { deliveryRow, itemRow, storedDelivery, storedItem } from '../delivery-rows.ts';
import { paginate, readRows, type Params, type Runner, type YdbClient } from './client.ts';
import { col, decodeRows, listParam, param, pick, scalarListParam } from './codec.ts';
import {
  CHANNEL_COLUMNS,
  CHANNEL_GET,
  CHANGE_TARGETS,
  CHANNEL_KEY,
  DELIVERIES_BY_STATE,
  DELIVERY_COLUMNS,
  DELIVERY_GET,
  DISABLED_CHANNELS,
  DUE_DELIVERIES,
  ITEM_COLUMNS,
  ITEM_GET,
  ITEMS_OF_DELIVERY,
  OPEN_DELIVERIES,
  OUTBOX_WRITE,
  type Paged,
} from './queries.ts';

const ITEM_KEY = pick(ITEM_COLUMNS, 'event_id', 'channel_id', 'delivery_id');

export class YdbOutbox implements Outbox {
  readonly #db: YdbClient;

  constructor(db: YdbClient) {
    this.#db = db;
  }

  async get(id: string): Promise<StoredDelivery | null> {
    const [r] = await readRows(this.#db.reader, DELIVERY_GET, { $delivery_id: param(col.utf8, id) }, DELIVERY_COLUMNS, 'reading a delivery');
    return r ? storedDelivery(r) : null;
  }

  async find(q: DeliveryQuery): Promise<StoredDelivery[]> {
    // pages in the index's order until `enough` of them are read
    const read = async (query: Paged, params: Params, enough?: (rows: StoredDelivery[]) => boolean) => {
      const rows = await paginate(this.#db.reader, query, params, DELIVERY_COLUMNS, DELIVERY_COLUMNS, `reading ${q.kind} deliveries`, undefined, enough && ((r) => enough(r.map(storedDelivery))));
      return rows.map(storedDelivery);
    };
    if (q.kind === 'open') {
      return read(OPEN_DELIVERIES, { $channel_id: param(col.utf8, q.channelId), $group_key: param(col.utf8, q.groupKey), $sealed: param(col.bool, false) });
    }
    if (q.kind === 'state') return (await read(DELIVERIES_BY_STATE, { $state: param(col.utf8, q.state) }, (rows) => rows.length >= q.limit)).slice(0, q.limit);
    // each state in due order until `limit` rows are taken; the states merged in due order
    const taken: StoredDelivery[] = [];
    for (const state of q.states) {
      const rows = await read(DUE_DELIVERIES, { $state: param(col.utf8, state), $now_ms: param(col.int64, q.nowMs) }, (rows) => rows.filter(q.take).length >= q.limit);
      taken.push(...rows.filter(q.take));
    }
    return taken.sort(byDueOrder).slice(0, q.limit);
  }

  async items(q: ItemQuery): Promise<DeliveryItem[]> {
    const rows =
      'deliveryId' in q
        ? await paginate(this.#db.reader, ITEMS_OF_DELIVERY, { $delivery_id: param(col.utf8, q.deliveryId) }, ITEM_COLUMNS, ITEM_COLUMNS, 'reading items')
        : await readRows(this.#db.reader, ITEM_GET, { $event_id: param(col.utf8, q.eventId), $channel_id: param(col.utf8, q.channelId) }, ITEM_COLUMNS, 'reading an item');
    return rows.map(storedItem).sort(byEnqueueOrder);
  }

  async disabledChannels(): Promise<ReadonlySet<string>> {
    const rows = await paginate(this.#db.reader, DISABLED_CHANNELS, {}, CHANNEL_KEY, CHANNEL_KEY, 'listing disabled channels');
    return new Set(rows.map((r) => r.channel_id));
  }

  async apply(changes: readonly DeliveryChange[]): Promise<boolean[]> {
    if (changes.length === 0) return [];
    return this.#db.tx('serializable', 'applying outbox changes', async (tx) => {
      const run: Runner = (text, params, what) => tx.query(text, params, what);
      const ids = changes.map((c) => c.next.id);
      const events = changes.flatMap((c) => c.items.map((i) => i.eventId));
      const [rows, items] = await run(CHANGE_TARGETS, { $delivery_ids: scalarListParam(col.utf8, ids), $event_ids: scalarListParam(col.utf8, events) }, 'reading what the changes overwrite');
      const current = new Map((rows ? decodeRows(rows, DELIVERY_COLUMNS) : []).map((r) => [r.delivery_id, storedDelivery(r)]));
      const owners = new Map((items ? decodeRows(items, ITEM_KEY) : []).map((r) => [`${r.event_id}/${r.channel_id}`, r.delivery_id]));
      const verdicts = changes.map((c) =>
        changeVerdict(c, { delivery: current.get(c.next.id) ?? null, itemOwners: c.items.map((i) => owners.get(`${i.eventId}/${i.channelId}`) ?? null) }),
      );
      const applied = changes.filter((_, i) => verdicts[i] === 'apply');
      const disable: { channel_id: string; disabled_at_ms: number; reason: string }[] = [];
      for (const { channel: ch } of applied) {
        if (ch?.kind !== 'disable' || disable.some((d) => d.channel_id === ch.channelId)) continue;
        // the first disablement of a channel is the one kept
        const [rs] = await run(CHANNEL_GET, { $channel_id: param(col.utf8, ch.channelId) }, 'reading the channel state');
        if (!rs?.rows.length) disable.push({ channel_id: ch.channelId, disabled_at_ms: ch.atMs, reason: ch.reason });
      }
      if (applied.length > 0) {
        const params = {
          $rows: listParam(DELIVERY_COLUMNS, applied.filter(rowChanges).map((c) => deliveryRow(c.next))),
          $items: listParam(ITEM_COLUMNS, applied.flatMap((c) => c.items.map(itemRow))),
          $disable: listParam(CHANNEL_COLUMNS, disable),
          $enable: listParam(CHANNEL_KEY, applied.flatMap((c) => (c.channel?.kind === 'enable' ? [{ channel_id: c.channel.channelId }] : []))),
        };
        await tx.query(OUTBOX_WRITE, params, 'writing the changes', { commit: true });
      }
      return verdicts.map((v) => v !== 'conflict');
    });
  }
}
