// Adapter: the notification Outbox's storage on SQLite (the embedded stand-in for YDB):
// `notify_delivery` one row per message, `notify_delivery_item` the delivery that carries
// each (event id, channel id), `notify_channel_state` the channels disabled by a 410. A change
// is applied in one BEGIN IMMEDIATE transaction that reads what it would overwrite and lets
// `changeVerdict` (domain/store-rules/delivery.ts) decide; no rule of the outbox is here.
import { byEnqueueOrder, changeVerdict, DeliveryState, rowChanges, type DeliveryChange, type DeliveryItem, type StoredDelivery } from '../../domain/store-rules/delivery.ts';
import type { DeliveryQuery, ItemQuery, Outbox } from '../../ports/outbox.ts';
import { deliveryRow, itemRow, storedDelivery, storedItem, type DeliveryRow, type ItemRow } from '../delivery-rows.ts';
import { immediate, sqlite, type Db } from './database.ts';

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

// SQLite has no booleans and stores JSON as text
type Stored<R> = { [K in keyof R]: R[K] extends boolean ? number : R[K] extends string | number | null ? R[K] : string };
const delivery = (r: Stored<DeliveryRow>) => storedDelivery({ ...r, sealed: r.sealed !== 0 });
const item = (r: Stored<ItemRow>) => storedItem({ ...r, event_json: JSON.parse(r.event_json) });
// the row's columns, named once in delivery-rows.ts
const COLUMNS = Object.keys(deliveryRow({} as StoredDelivery));
const UPSERT = `INSERT INTO notify_delivery (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})
  ON CONFLICT (delivery_id) DO UPDATE SET ${COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;

export class SqliteOutbox implements Outbox {
  constructor(private readonly db: Db) {
    db.exec(SCHEMA);
  }

  async get(id: string): Promise<StoredDelivery | null> {
    return sqlite('outbox get', () => this.#get(id));
  }

  async find(q: DeliveryQuery): Promise<StoredDelivery[]> {
    return sqlite(`outbox find ${q.kind}`, () => {
      const all = (where: string, ...args: unknown[]) => (this.db.prepare(`SELECT * FROM notify_delivery ${where}`).all(...args) as Stored<DeliveryRow>[]).map(delivery);
      // `sealed = 0` narrows the read to the partial index
      if (q.kind === 'open') return all('WHERE channel_id = ? AND group_key = ? AND sealed = 0', q.channelId, q.groupKey);
      if (q.kind === 'state') return all('WHERE state = ? ORDER BY updated_at_ms, delivery_id LIMIT ?', q.state, q.limit);
      // in due order until `limit` rows are taken, so one claim reads a bounded number of rows
      const rows = this.db
        .prepare(`SELECT * FROM notify_delivery WHERE state IN (${q.states.map(() => '?').join(', ')}) AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, delivery_id`)
        .iterate(...q.states, q.nowMs) as IterableIterator<Stored<DeliveryRow>>;
      const out: StoredDelivery[] = [];
      for (const r of rows) {
        if (out.length >= q.limit) break;
        const d = delivery(r);
        if (q.take(d)) out.push(d);
      }
      return out;
    });
  }

  async items(q: ItemQuery): Promise<DeliveryItem[]> {
    return sqlite('outbox items', () => {
      const rows =
        'deliveryId' in q
          ? this.db.prepare('SELECT * FROM notify_delivery_item WHERE delivery_id = ?').all(q.deliveryId)
          : this.db.prepare('SELECT * FROM notify_delivery_item WHERE event_id = ? AND channel_id = ?').all(q.eventId, q.channelId);
      return (rows as Stored<ItemRow>[]).map(item).sort(byEnqueueOrder);
    });
  }

  async disabledChannels(): Promise<ReadonlySet<string>> {
    return sqlite('outbox disabledChannels', () => {
      const rows = this.db.prepare('SELECT channel_id FROM notify_channel_state').all() as { channel_id: string }[];
      return new Set(rows.map((r) => r.channel_id));
    });
  }

  async apply(changes: readonly DeliveryChange[]): Promise<boolean[]> {
    return sqlite('outbox apply', () =>
      immediate(this.db, () => {
        const owner = this.db.prepare('SELECT delivery_id FROM notify_delivery_item WHERE event_id = ? AND channel_id = ?').pluck();
        return changes.map((c) => {
          const itemOwners = c.items.map((i) => (owner.get(i.eventId, i.channelId) as string | undefined) ?? null);
          const verdict = changeVerdict(c, { delivery: this.#get(c.next.id), itemOwners });
          if (verdict === 'apply') this.#write(c);
          return verdict !== 'conflict';
        });
      }),
    );
  }

  #get(id: string): StoredDelivery | null {
    const r = this.db.prepare('SELECT * FROM notify_delivery WHERE delivery_id = ?').get(id) as Stored<DeliveryRow> | undefined;
    return r ? delivery(r) : null;
  }

  #write(c: DeliveryChange): void {
    const { next, items, channel } = c;
    const row = deliveryRow(next);
    if (rowChanges(c)) this.db.prepare(UPSERT).run({ ...row, sealed: row.sealed ? 1 : 0 });
    const insert = this.db.prepare('INSERT INTO notify_delivery_item (event_id, channel_id, delivery_id, event_json, enqueued_at_ms) VALUES (?, ?, ?, ?, ?)');
    for (const r of items.map(itemRow)) insert.run(r.event_id, r.channel_id, r.delivery_id, JSON.stringify(r.event_json), r.enqueued_at_ms);
    // the first disablement of a channel is the one kept
    if (channel?.kind === 'disable') this.db.prepare('INSERT INTO notify_channel_state VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(channel.channelId, channel.atMs, channel.reason);
    if (channel?.kind === 'enable') this.db.prepare('DELETE FROM notify_channel_state WHERE channel_id = ?').run(channel.channelId);
  }
}
