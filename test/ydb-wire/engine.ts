// The executing half of the wire double: the project's YQL run against real tables, one
// in-memory SQLite per database, with the YDB behaviours the adapters depend on.
//
// - Tables come from the migrations' CREATE TABLEs (every database starts migrated) and from
//   DDL sent through the query service; DDL inside a transaction is refused as YDB refuses it.
// - Each statement is translated token by token: `$param` → a bound value, `AS_TABLE($rows)`
//   and `IN $list` → temporary tables, `VIEW idx` checked against the index and dropped,
//   UPSERT / INSERT / REPLACE / UPDATE ON / DELETE ON → row operations. Unknown tables,
//   columns and indexes, and text SQLite cannot parse, are refused with YDB's status and
//   issue text.
// - Transactions are YDB's optimistic ones: writes are buffered and applied at commit (the
//   transaction's own reads see them, as YDB's immediate effects do);
//   every read of a serializable transaction records the key range it read, and a commit
//   whose ranges another transaction wrote since is ABORTED ("Transaction locks
//   invalidated"). A snapshot read-only transaction reads the state of its first read
//   (a private copy is taken when a commit would change it) and may not write.
// - Each request counts the rows and bytes it reads (the whole key range its access path
//   scans, as YDB bills it) and writes (index rows included), turned into RU by Yandex's
//   rule for YQL (en/ydb/pricing/ru-yql.md: max(rows, ⌈bytes/4 KB⌉) reads × 1 RU +
//   max(rows, ⌈bytes/1 KB⌉) writes × 2 RU; CPU is not measured, so this is the I/O floor)
//   and for BulkUpsert (0.5 RU per started KB of each row).
import Database from 'better-sqlite3';
import { type Type, type Value } from '@ydbjs/api/value';
import { parseSchema } from './yql-text.ts';
import { type ColumnDef, commaItems, type Schema, type TableDef, type Token, statements, tokenize } from './yql-text.ts';
import { parseType, typeText } from './types.ts';

export type EngineStatus = 'SCHEME_ERROR' | 'GENERIC_ERROR' | 'PRECONDITION_FAILED' | 'ABORTED' | 'BAD_REQUEST' | 'NOT_FOUND';

/** A refusal with the status and issue text YDB answers. */
export class YqlError extends Error {
  constructor(
    readonly status: EngineStatus,
    message: string,
  ) {
    super(message);
  }
}

/** Rows and bytes a request read and wrote, and the RU Yandex would bill for that I/O. */
export type Io = { rowsRead: number; bytesRead: number; rowsWritten: number; bytesWritten: number; ru: number };
export const noIo = (): Io => ({ rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0, ru: 0 });

/** Yandex's YQL rule: reads max(rows, ⌈bytes/4096⌉) × 1 RU + writes max(rows, ⌈bytes/1024⌉) × 2 RU. */
export function yqlIoRu(io: Omit<Io, 'ru'>): number {
  const reads = Math.max(io.rowsRead, Math.ceil(io.bytesRead / 4096));
  const writes = Math.max(io.rowsWritten, Math.ceil(io.bytesWritten / 1024));
  return reads + 2 * writes;
}

/** Yandex's BulkUpsert rule ("Request cost for special APIs"): 0.5 RU per started KB of each row. */
export function bulkRu(rowBytes: readonly number[]): number {
  return rowBytes.reduce((n, b) => n + 0.5 * Math.max(1, Math.ceil(b / 1024)), 0);
}

export type Param = { readonly type: Type; readonly value: Value };
export type OutColumn = { readonly name: string; readonly type: string };
export type OutSet = { readonly columns: readonly OutColumn[]; readonly rows: readonly Record<string, unknown>[] };

type Row = Record<string, unknown>;
type Op = { kind: 'upsert' | 'insert' | 'replace' | 'update' | 'delete'; table: string; row: Row; verb: string };
type Lock = { table: string; where: string; args: unknown[]; keys: Set<string>; seq: number };
type Mode = 'serializableReadWrite' | 'snapshotReadOnly' | 'onlineReadOnly' | 'staleReadOnly' | 'implicit';

/** What a transaction carries between its statements. */
export type EngineTx = {
  readonly database: string;
  readonly mode: Mode;
  readonly ops: Op[];
  readonly locks: Lock[];
  /** the state a snapshot read-only transaction reads once a commit changed the live one */
  snapshot?: Database.Database;
  /** a snapshot transaction has read: it needs its own copy before the next commit */
  pinned: boolean;
};

const READ_ONLY = new Set<Mode>(['snapshotReadOnly', 'onlineReadOnly', 'staleReadOnly']);
const WRITE_VERBS: Record<string, string> = { UPSERT: 'Upsert', INSERT: 'Insert', REPLACE: 'Replace', UPDATE: 'Update', DELETE: 'Delete' };
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const lastSegment = (name: string) => name.slice(name.lastIndexOf('/') + 1);
const upper = (t: Token | undefined) => (t && t.t === 'word' ? t.v.toUpperCase() : '');

// ---------------------------------------------------------------------------------------
// Values: protobuf ⇄ SQLite cells ⇄ JS (as the wire's encoder takes them)

function unwrap(t: Type): Type {
  return t.type.case === 'optionalType' ? unwrap(t.type.value.item!) : t;
}

/** A parameter value as a SQLite cell (lists and structs as JS arrays and objects of cells). */
export function toCell(t: Type, v: Value): unknown {
  const k = t.type;
  if (k.case === 'optionalType') {
    if (v.value.case === 'nullFlagValue') return null;
    if (v.value.case === 'nestedValue') return toCell(k.value.item!, v.value.value);
    return toCell(k.value.item!, v);
  }
  if (k.case === 'listType') return v.items.map((x) => toCell(k.value.item!, x));
  if (k.case === 'structType') return Object.fromEntries(k.value.members.map((m, i) => [m.name, toCell(m.type!, v.items[i]!)]));
  if (k.case === 'tupleType') return k.value.elements.map((e, i) => toCell(e, v.items[i]!));
  const x = v.value;
  switch (x.case) {
    case 'boolValue':
      return x.value ? 1n : 0n;
    case 'int32Value':
    case 'uint32Value':
      return BigInt(x.value);
    case 'int64Value':
    case 'uint64Value':
      return BigInt(x.value);
    case 'floatValue':
    case 'doubleValue':
      return x.value;
    case 'textValue':
      return x.value;
    case 'bytesValue':
      return Buffer.from(x.value);
    case 'nullFlagValue':
      return null;
    default:
      throw new YqlError('BAD_REQUEST', `wire engine: unsupported parameter value ${String(x.case)} of ${typeText(t)}`);
  }
}

const DAY_MS = 86_400_000;

/** A SQLite cell as the JS value the wire's encoder writes into a result of type `t`. */
function fromCell(type: string, cell: unknown): unknown {
  if (cell === null || cell === undefined) return null;
  const t = type.startsWith('Optional<') ? type.slice(9, -1) : type;
  switch (t) {
    case 'Bool':
      return Number(cell) !== 0;
    case 'Date':
      return new Date(Number(cell) * DAY_MS);
    case 'Datetime':
      return new Date(Number(cell) * 1000);
    case 'Timestamp':
      return new Date(Number(BigInt(cell as bigint) / 1000n));
    case 'Double':
    case 'Float':
      return Number(cell);
    case 'Int64':
    case 'Uint64':
    case 'Interval':
      return typeof cell === 'bigint' ? cell : BigInt(Math.trunc(Number(cell)));
    // 32 bits and less: a number, as @ydbjs hands them out
    case 'Int32':
    case 'Uint32':
    case 'Int16':
    case 'Uint16':
    case 'Int8':
    case 'Uint8':
      return Number(cell);
    default:
      return typeof cell === 'bigint' || typeof cell === 'number' ? String(cell) : Buffer.isBuffer(cell) ? cell.toString('utf8') : cell;
  }
}

/** A JS value as the cell a column of this type stores (the inverse of fromCell). */
function toStored(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'Bool':
      return v ? 1n : 0n;
    case 'Date':
      return BigInt(Math.floor(new Date(v as string | Date).getTime() / DAY_MS));
    case 'Datetime':
      return BigInt(Math.floor(new Date(v as string | Date).getTime() / 1000));
    case 'Timestamp':
      return BigInt(new Date(v as string | Date).getTime()) * 1000n;
    case 'Double':
    case 'Float':
      return Number(v);
    case 'Json':
    case 'JsonDocument':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'Utf8':
    case 'String':
      return v;
    default:
      return BigInt(v as number | bigint);
  }
}

/** Bytes YDB would count for one cell of a column of this type. */
function cellBytes(type: string, cell: unknown): number {
  if (cell === null || cell === undefined) return 0;
  switch (type) {
    case 'Bool': case 'Int8': case 'Uint8':
      return 1;
    case 'Int16': case 'Uint16':
      return 2;
    case 'Int32': case 'Uint32': case 'Date': case 'Datetime': case 'Float':
      return 4;
    case 'Int64': case 'Uint64': case 'Timestamp': case 'Double': case 'Interval':
      return 8;
    default:
      return Buffer.isBuffer(cell) ? cell.length : Buffer.byteLength(String(cell));
  }
}

function rowBytes(def: TableDef, row: Row, columns: Iterable<string> = def.columns.keys()): number {
  let n = 0;
  for (const c of columns) n += cellBytes(def.columns.get(c)?.type ?? 'Utf8', row[c]);
  return n;
}

// ---------------------------------------------------------------------------------------
// One database: its schema, its SQLite, its commit log

class Db {
  readonly schema: Schema = new Map();
  readonly sql = new Database(':memory:');
  seq = 0;
  /** (commit seq, table, key) of every committed row write, for the lock check */
  readonly written: { seq: number; table: string; key: string }[] = [];
  /** open snapshot transactions that read the live state */
  readonly pinned = new Set<EngineTx>();
  /**
   * What a statement's tokens translate to under this schema (see Plan), per statement: the
   * adapters send the same few texts again and again. Forgotten when the schema changes.
   */
  plans = new WeakMap<readonly Token[], Plan>();

  constructor(ddl: readonly string[]) {
    this.sql.defaultSafeIntegers(true);
    for (const [name, def] of parseSchema(ddl)) this.create(name, def);
  }

  create(name: string, def: TableDef): void {
    this.plans = new WeakMap();
    this.schema.set(name, def);
    const cols = [...def.columns].map(([c, d]) => `${quote(c)}${d.notNull ? ' NOT NULL' : ''}`);
    this.sql.exec(`CREATE TABLE ${quote(name)} (${cols.join(', ')}, PRIMARY KEY (${def.primaryKey.map(quote).join(', ')})) WITHOUT ROWID`);
    for (const [idx, on] of def.indexes) this.sql.exec(`CREATE INDEX ${quote(`${name}__${idx}`)} ON ${quote(name)} (${on.map(quote).join(', ')})`);
  }

  table(name: string, database: string): TableDef {
    const def = this.schema.get(lastSegment(name));
    if (!def) {
      throw new YqlError(
        'SCHEME_ERROR',
        `Cannot find table 'db.[${database}/${lastSegment(name)}]' because it does not exist or you do not have access permissions. Please check correctness of table path and user permissions.`,
      );
    }
    return def;
  }
}

/** Prepared statements per connection and text: the adapters send the same few texts again and again. */
const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function prep(conn: Database.Database, sql: string): Database.Statement {
  let cache = prepared.get(conn);
  if (!cache) prepared.set(conn, (cache = new Map()));
  let st = cache.get(sql);
  if (!st) cache.set(sql, (st = conn.prepare(sql)));
  return st;
}

const keyOf = (def: TableDef, row: Row) => JSON.stringify(def.primaryKey.map((k) => (typeof row[k] === 'bigint' ? String(row[k]) : row[k])));

/** SQLite's own refusals as YDB words them. */
function sqliteError(e: unknown, database: string): YqlError {
  if (e instanceof YqlError) return e;
  const m = (e as Error).message;
  let x: RegExpExecArray | null;
  if ((x = /no such column: "?([^"\s]+)"?/.exec(m))) return new YqlError('GENERIC_ERROR', `Member not found: ${x[1]!.replace(/^.*\./, '')}`);
  if ((x = /no such table: (\S+)/.exec(m))) {
    return new YqlError('SCHEME_ERROR', `Cannot find table 'db.[${database}/${x[1]}]' because it does not exist or you do not have access permissions.`);
  }
  if ((x = /NOT NULL constraint failed: \S+\.(\S+)/.exec(m))) return new YqlError('GENERIC_ERROR', `Missing not null column in input: ${x[1]}`);
  if (/syntax error|incomplete input|unrecognized token/.test(m)) return new YqlError('GENERIC_ERROR', `Syntax error: ${m}`);
  return new YqlError('GENERIC_ERROR', m);
}

/** One row operation on the live tables (inside the caller's SQLite transaction or savepoint). */
function applyOp(db: Db, op: Op): { def: TableDef; key: string; wrote: boolean } {
  const def = db.schema.get(op.table)!;
  for (const k of def.primaryKey) {
    if (op.row[k] === undefined) throw new YqlError('GENERIC_ERROR', `Missing key column in input: ${k} for table: /${op.table}`);
  }
  for (const c of Object.keys(op.row)) {
    if (!def.columns.has(c)) throw new YqlError('GENERIC_ERROR', `Member not found: ${c}. Table: /${op.table}`);
  }
  const key = keyOf(def, op.row);
  const where = def.primaryKey.map((k) => `${quote(k)} = ?`).join(' AND ');
  const keyArgs = def.primaryKey.map((k) => op.row[k]);
  const exists = () => prep(db.sql, `SELECT 1 FROM ${quote(op.table)} WHERE ${where}`).get(...keyArgs) !== undefined;
  const given = Object.keys(op.row).filter((c) => !def.primaryKey.includes(c));
  const insert = (cols: string[]) =>
    prep(db.sql, `INSERT INTO ${quote(op.table)} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => op.row[c]));
  const update = () => {
    if (given.length) prep(db.sql, `UPDATE ${quote(op.table)} SET ${given.map((c) => `${quote(c)} = ?`).join(', ')} WHERE ${where}`).run(...given.map((c) => op.row[c]), ...keyArgs);
  };
  const remove = () => prep(db.sql, `DELETE FROM ${quote(op.table)} WHERE ${where}`).run(...keyArgs);
  switch (op.kind) {
    case 'insert':
      if (exists()) throw new YqlError('PRECONDITION_FAILED', 'Conflict with existing key.');
      insert(Object.keys(op.row));
      return { def, key, wrote: true };
    case 'upsert':
      if (exists()) update();
      else insert(Object.keys(op.row));
      return { def, key, wrote: true };
    case 'replace':
      remove();
      insert(Object.keys(op.row));
      return { def, key, wrote: true };
    case 'update':
      if (!exists()) return { def, key, wrote: false };
      update();
      return { def, key, wrote: true };
    case 'delete':
      remove();
      return { def, key, wrote: true };
  }
}

// ---------------------------------------------------------------------------------------
// The engine: every database of one wire server

export type ExecResult = { sets: OutSet[]; io: Io };

export class YqlEngine {
  readonly #ddl: readonly string[];
  readonly #dbs = new Map<string, Db>();
  /** a text's statements (DECLARE and PRAGMA left out), tokenised once per text; never mutated */
  readonly #parsed = new Map<string, Token[][]>();

  constructor(ddl: readonly string[]) {
    this.#ddl = ddl;
  }

  #db(database: string): Db {
    let db = this.#dbs.get(database);
    if (!db) this.#dbs.set(database, (db = new Db(this.#ddl)));
    return db;
  }

  /** The tables a database holds now (for a test's setup and its assertions on stored rows). */
  rows(database: string, table: string): Row[] {
    const db = this.#db(database);
    const def = db.table(table, database);
    const rows = prep(db.sql, `SELECT * FROM ${quote(lastSegment(table))}`).all() as Row[];
    return rows.map((r) => Object.fromEntries([...def.columns].map(([c, d]) => [c, fromCell(d.type, r[c])])));
  }

  /** Writes rows straight into a table (a test's setup): JS values as `rows()` returns them, or ISO dates. */
  seed(database: string, table: string, rows: readonly Row[]): void {
    const db = this.#db(database);
    const def = db.table(table, database);
    const cells = rows.map((r) => Object.fromEntries(Object.entries(r).map(([c, v]) => [c, toStored(def.columns.get(c)?.type ?? 'Utf8', v)])));
    this.#apply(db, database, cells.map((row) => ({ kind: 'upsert', table: lastSegment(table), row, verb: 'Upsert' })), noIo());
  }

  begin(database: string, mode: Mode): EngineTx {
    return { database, mode, ops: [], locks: [], pinned: false };
  }

  /** Ends a transaction without applying it (rollback, abort, a dropped session). */
  discard(tx: EngineTx): void {
    this.#db(tx.database).pinned.delete(tx);
    tx.snapshot?.close();
    tx.snapshot = undefined;
    tx.ops.length = 0;
  }

  /** Applies a transaction's writes after checking its locks: ABORTED if another commit broke one. */
  commit(tx: EngineTx, io: Io = noIo()): Io {
    const db = this.#db(tx.database);
    try {
      for (const lock of tx.locks) this.#check(db, tx.database, lock);
      if (tx.ops.length) this.#apply(db, tx.database, tx.ops, io);
      io.ru = yqlIoRu(io);
      return io;
    } finally {
      this.discard(tx);
    }
  }

  /** @internal ABORTED if a commit since broke one of the transaction's locks. */
  checkLocks(tx: EngineTx): void {
    const db = this.#db(tx.database);
    for (const lock of tx.locks) this.#check(db, tx.database, lock);
  }

  #check(db: Db, database: string, lock: Lock): void {
    const broken = () => new YqlError('ABORTED', `Transaction locks invalidated. Table: \`${database}/${lock.table}\`.`);
    const def = db.schema.get(lock.table)!;
    for (const w of db.written) if (w.seq > lock.seq && w.table === lock.table && lock.keys.has(w.key)) throw broken();
    const now = prep(db.sql, `SELECT ${def.primaryKey.map(quote).join(', ')} FROM ${quote(lock.table)} WHERE ${lock.where}`).all(...lock.args) as Row[];
    const keys = new Set(now.map((r) => keyOf(def, r)));
    if (keys.size !== lock.keys.size || [...keys].some((k) => !lock.keys.has(k))) throw broken();
    for (const w of db.written) if (w.seq > lock.seq && w.table === lock.table && keys.has(w.key)) throw broken();
  }

  #apply(db: Db, database: string, ops: readonly Op[], io: Io): void {
    // a snapshot transaction that has read keeps the state it read
    if (db.pinned.size) {
      const image = db.sql.serialize();
      for (const t of db.pinned) {
        t.snapshot = new Database(image);
        t.snapshot.defaultSafeIntegers(true);
      }
      db.pinned.clear();
    }
    const seq = db.seq + 1;
    const written: { seq: number; table: string; key: string }[] = [];
    const run = db.sql.transaction(() => {
      for (const op of ops) {
        const { def, key, wrote } = applyOp(db, op);
        // YDB reads the row before a write that needs it (INSERT's check, an indexed table's index update)
        if (op.kind === 'insert' || op.kind === 'update' || def.indexes.size > 0) io.rowsRead += 1;
        if (!wrote) continue;
        written.push({ seq, table: op.table, key });
        // the row and one row of each synchronous index (deletes are billed by count)
        const n = 1 + def.indexes.size;
        io.rowsWritten += n;
        if (op.kind !== 'delete') io.bytesWritten += rowBytes(def, op.row, Object.keys(op.row)) * n;
      }
    });
    try {
      run();
    } catch (e) {
      throw sqliteError(e, database);
    }
    db.seq = seq;
    db.written.push(...written);
  }

  /** BulkUpsert: rows written straight away (it is not transactional), with its own RU rule. */
  bulkUpsert(database: string, table: string, rows: readonly Row[]): Io {
    const db = this.#db(database);
    const def = db.table(table, database);
    const io = noIo();
    const name = lastSegment(table);
    this.#apply(db, database, rows.map((row) => ({ kind: 'upsert', table: name, row, verb: 'Upsert' })), io);
    io.ru = bulkRu(rows.map((r) => rowBytes(def, r, Object.keys(r))));
    return io;
  }

  /**
   * Runs one ExecuteQuery's text in `tx` (or, with none, in an implicit transaction of its
   * own: writes applied at once). `commit` commits the transaction after the text.
   */
  execute(database: string, text: string, params: Readonly<Record<string, Param>>, tx: EngineTx | null, commit: boolean): ExecResult {
    const db = this.#db(database);
    let sts = this.#parsed.get(text);
    if (!sts) {
      let toks: Token[];
      try {
        toks = tokenize(text);
      } catch (e) {
        throw new YqlError('GENERIC_ERROR', `Syntax error: ${(e as Error).message}`);
      }
      sts = statements(toks).filter((st) => !['DECLARE', 'PRAGMA'].includes(upper(st[0])));
      // the adapters' texts are a few constants; a test's ad-hoc texts are bounded by the test
      if (this.#parsed.size > 10_000) this.#parsed.clear();
      this.#parsed.set(text, sts);
    }
    const ddl = sts.filter((st) => ['CREATE', 'ALTER', 'DROP'].includes(upper(st[0])));
    if (ddl.length) {
      if (tx && tx.mode !== 'implicit') throw new YqlError('PRECONDITION_FAILED', 'Scheme operations cannot be executed inside transaction');
      if (ddl.length !== sts.length) throw new YqlError('GENERIC_ERROR', 'Queries with mixed data and scheme operations are not supported. Use separate queries for different types of operations.');
      for (const st of ddl) this.#ddlStatement(db, database, st);
      return { sets: [], io: noIo() };
    }
    const own = tx ?? this.begin(database, 'implicit');
    const io = noIo();
    const sets: OutSet[] = [];
    const x = new Exec(this, db, database, params, own, io);
    try {
      for (const st of sts) {
        const out = x.statement(st);
        if (out) sets.push(out);
      }
    } catch (e) {
      x.cleanup();
      throw sqliteError(e, database);
    }
    x.cleanup();
    if (!tx || commit) this.commit(own, io);
    io.ru = yqlIoRu(io);
    return { sets, io };
  }

  /** @internal the state a transaction reads */
  reader(db: Db, tx: EngineTx): Database.Database {
    if (tx.snapshot) return tx.snapshot;
    if (READ_ONLY.has(tx.mode)) {
      tx.pinned = true;
      db.pinned.add(tx);
    }
    return db.sql;
  }

  #ddlStatement(db: Db, database: string, st: Token[]): void {
    const head = upper(st[0]);
    const text = st.map((t) => (t.t === 'word' && /[^A-Za-z0-9_]/.test(t.v) ? `\`${t.v}\`` : t.v)).join(' ');
    if (head === 'CREATE' && upper(st[1]) === 'TABLE') {
      const ifNot = upper(st[2]) === 'IF';
      const name = lastSegment(st[ifNot ? 5 : 2]?.v ?? '');
      if (db.schema.has(name)) {
        if (ifNot) return;
        throw new YqlError('SCHEME_ERROR', `Check failed: path: '${database}/${name}', error: path exist`);
      }
      let parsed: Schema;
      try {
        parsed = parseSchema([text.replace(/`[^`]*\//g, '`')]);
      } catch (e) {
        throw new YqlError('GENERIC_ERROR', `Syntax error: ${(e as Error).message}`);
      }
      for (const [n, def] of parsed) db.create(n, def);
      return;
    }
    if (head === 'ALTER' && upper(st[1]) === 'TABLE') {
      db.table(st[2]?.v ?? '', database);
      return;
    }
    if (head === 'DROP' && upper(st[1]) === 'TABLE') {
      const ifExists = upper(st[2]) === 'IF';
      const name = lastSegment(st[ifExists ? 4 : 2]?.v ?? '');
      if (!db.schema.has(name)) {
        if (ifExists) return;
        db.table(name, database);
      }
      db.schema.delete(name);
      db.plans = new WeakMap();
      db.sql.exec(`DROP TABLE ${quote(name)}`);
      return;
    }
    throw new YqlError('GENERIC_ERROR', `wire engine: unsupported scheme statement ${head} ${upper(st[1])}`);
  }
}

// ---------------------------------------------------------------------------------------
// One request's statements

type Sql = { sql: string; args: unknown[] };
type Source = { table: string; alias: string; def: TableDef; index: string | null };
/** A parameter in translated text: bound as a value, inlined as a list, or read from its temporary table. */
type Piece = string | { readonly param: string; readonly as: 'value' | 'inline' | 'in' | 'as_table' };
/** The access path #account reads for one source of a statement (everything but the values). */
type AccessPlan = { key: readonly string[]; used: readonly [number, number][]; residual: number; limit: [number, number] | undefined; continues: boolean; desc: boolean };
/**
 * What a statement translates to under one schema, computed on its first run: its sources,
 * its SQLite text in pieces per token range, the access path of each source and the result
 * types per prepared statement. Only the values are bound per request.
 */
type Plan = {
  sources?: Source[];
  readonly pieces: Map<string, { readonly pieces: readonly Piece[]; sql?: string }>;
  readonly access: Map<string, AccessPlan>;
  readonly types: WeakMap<Database.Statement, OutColumn[]>;
};

class Exec {
  readonly #temps: { conn: Database.Database; name: string }[] = [];
  readonly #asTables = new Map<string, { name: string; fields: Map<string, string> }>();

  constructor(
    readonly engine: YqlEngine,
    readonly db: Db,
    readonly database: string,
    readonly params: Readonly<Record<string, Param>>,
    readonly tx: EngineTx,
    readonly io: Io,
  ) {}

  cleanup(): void {
    for (const t of this.#temps) t.conn.exec(`DROP TABLE IF EXISTS temp.${quote(t.name)}`);
    this.#temps.length = 0;
    this.#asTables.clear();
  }

  get #read(): Database.Database {
    return this.engine.reader(this.db, this.tx);
  }

  /**
   * Runs a read that must see this transaction's own earlier writes (YDB's immediate
   * effects): they are applied inside a savepoint and rolled back after the read, so they
   * still reach the tables only at commit. List parameters are materialised first (a
   * temporary table created inside the savepoint would be rolled back with it).
   */
  #own<R>(st: readonly Token[], from: number, fn: () => R): R {
    if (!this.tx.ops.length || this.#read !== this.db.sql) return fn();
    for (let i = from; i < st.length; i++) {
      if (st[i]!.t === 'param' && (upper(st[i - 1]) === 'IN' || (st[i - 1]?.v === '(' && upper(st[i - 2]) === 'AS_TABLE'))) this.#listTable(st[i]!.v);
    }
    this.db.sql.exec('SAVEPOINT wire_own');
    try {
      for (const op of this.tx.ops) applyOp(this.db, op);
      return fn();
    } finally {
      this.db.sql.exec('ROLLBACK TO wire_own; RELEASE wire_own');
    }
  }

  #param(name: string): Param {
    const p = this.params[name];
    if (!p) throw new YqlError('BAD_REQUEST', `Missing value for parameter: ${name}`);
    return p;
  }

  /** A list parameter as a temporary table (one `value` column, or the struct's fields). */
  #listTable(name: string): { name: string; fields: Map<string, string> } {
    const known = this.#asTables.get(name);
    if (known) return known;
    const p = this.#param(name);
    const t = unwrap(p.type);
    if (t.type.case !== 'listType') throw new YqlError('GENERIC_ERROR', `Expected list type, but got: ${typeText(p.type)} (${name})`);
    const item = unwrap(t.type.value.item!);
    const fields = new Map<string, string>(
      item.type.case === 'structType' ? item.type.value.members.map((m) => [m.name, typeText(m.type)]) : [['value', typeText(item)]],
    );
    const cells = toCell(p.type, p.value) as unknown[] | null;
    // one request runs at a time on a database (the engine is synchronous): a stable name per parameter
    const temp = `__wire_${name.slice(1)}`;
    const cols = [...fields.keys()];
    const conn = this.#read;
    conn.exec(`DROP TABLE IF EXISTS temp.${quote(temp)}; CREATE TEMP TABLE ${quote(temp)} (${cols.map(quote).join(', ')})`);
    this.#temps.push({ conn, name: temp });
    const ins = conn.prepare(`INSERT INTO temp.${quote(temp)} VALUES (${cols.map(() => '?').join(', ')})`);
    for (const c of cells ?? []) ins.run(...(item.type.case === 'structType' ? cols.map((f) => (c as Row)[f]) : [c]));
    const out = { name: temp, fields };
    this.#asTables.set(name, out);
    return out;
  }

  /** The statement's plan under this database's schema (created empty on its first run). */
  #plan(st: readonly Token[]): Plan {
    let p = this.db.plans.get(st);
    if (!p) this.db.plans.set(st, (p = { pieces: new Map(), access: new Map(), types: new WeakMap() }));
    return p;
  }

  /** Tokens → SQLite text with bound arguments (`inline`: IN lists as `(?, ?)`, for a lock that outlives the request). */
  #emit(st: readonly Token[], from = 0, to = st.length, inline = false): Sql {
    const plan = this.#plan(st);
    const k = `${from}:${to}:${inline}`;
    let c = plan.pieces.get(k);
    if (!c) plan.pieces.set(k, (c = { pieces: this.#translate(st, from, to, inline) }));
    const out: string[] = [];
    const args: unknown[] = [];
    let fixed = true;
    for (const x of c.pieces) {
      if (typeof x === 'string') out.push(x);
      else if (x.as === 'value') {
        const p = this.#param(x.param);
        args.push(toCell(p.type, p.value));
        out.push('?');
      } else if (x.as === 'inline') {
        const p = this.#param(x.param);
        const items = (toCell(p.type, p.value) as unknown[] | null) ?? [];
        args.push(...items);
        out.push(`(${items.map(() => '?').join(', ')})`);
        fixed = false;
      } else {
        // materialised per request; its name is the parameter's, so the text stays the same
        const name = quote(this.#listTable(x.param).name);
        out.push(x.as === 'in' ? `(SELECT value FROM temp.${name})` : `temp.${name}`);
      }
    }
    if (c.sql !== undefined) return { sql: c.sql, args };
    const sql = out.join(' ').replace(/ \. /g, '.');
    if (fixed) c.sql = sql;
    return { sql, args };
  }

  /** The SQLite text of tokens [from, to) in pieces: literal text, and the parameters to bind there. */
  #translate(st: readonly Token[], from: number, to: number, inline: boolean): Piece[] {
    const out: Piece[] = [];
    for (let i = from; i < to; i++) {
      const t = st[i]!;
      const w = upper(t);
      if (t.t === 'param') {
        const inList = upper(st[i - 1]) === 'IN';
        out.push({ param: t.v, as: inList ? (inline ? 'inline' : 'in') : 'value' });
      } else if (w === 'AS_TABLE' && st[i + 1]?.v === '(' && st[i + 2]?.t === 'param' && st[i + 3]?.v === ')') {
        out.push({ param: st[i + 2]!.v, as: 'as_table' });
        i += 3;
      } else if (w === 'VIEW' && st[i + 1]?.t === 'word') {
        i += 1; // the index was checked with the source
      } else if (t.t === 'string') {
        out.push(`'${t.v.slice(1, -1).replace(/\\(.)/g, '$1').replace(/'/g, "''")}'`);
      } else if (t.t === 'number') {
        out.push(t.v.replace(/[a-zA-Z]+$/, ''));
      } else if (t.t === 'punct' && t.v === '==') {
        out.push('=');
      } else if (t.t === 'word' && (/[^A-Za-z0-9_]/.test(t.v) || this.db.schema.has(lastSegment(t.v)))) {
        out.push(quote(lastSegment(t.v)));
      } else {
        out.push(t.v);
      }
    }
    return out;
  }

  /** Tables a statement reads (FROM / JOIN), their aliases and indexes, checked against the schema. */
  #sources(st: readonly Token[]): Source[] {
    const plan = this.#plan(st);
    return (plan.sources ??= this.#findSources(st));
  }

  #findSources(st: readonly Token[]): Source[] {
    const out: Source[] = [];
    for (let i = 0; i < st.length; i++) {
      const w = upper(st[i]);
      if (!(w === 'FROM' || w === 'JOIN')) continue;
      const n = st[i + 1];
      if (n?.t !== 'word' || upper(n) === 'AS_TABLE' || st[i + 2]?.v === '(' || upper(n) === 'SELECT') continue;
      const def = this.db.table(n.v, this.database);
      const table = lastSegment(n.v);
      let j = i + 2;
      let index: string | null = null;
      if (upper(st[j]) === 'VIEW') {
        index = st[j + 1]?.v ?? '';
        if (!def.indexes.has(index)) throw new YqlError('SCHEME_ERROR', `Required global index not found, index name: ${index}`);
        j += 2;
      }
      if (upper(st[j]) === 'AS') j++;
      const a = st[j];
      const alias = a?.t === 'word' && !CLAUSE.has(upper(a)) ? a.v : table;
      out.push({ table, alias, def, index });
    }
    return out;
  }

  statement(st: Token[]): OutSet | null {
    const head = upper(st[0]);
    if (head === 'SELECT') return this.#select(st);
    if (head in WRITE_VERBS) {
      if (READ_ONLY.has(this.tx.mode)) {
        const verb = head === 'UPDATE' || head === 'DELETE' ? (upper(st[head === 'DELETE' ? 3 : 2]) === 'ON' ? `${WRITE_VERBS[head]}On` : WRITE_VERBS[head]!) : WRITE_VERBS[head]!;
        throw new YqlError('GENERIC_ERROR', `Operation '${verb}' can't be performed in read only transaction`);
      }
      this.#write(st, head);
      return null;
    }
    throw new YqlError('GENERIC_ERROR', `Syntax error: unexpected token '${st[0]?.v ?? ''}' at the start of a statement`);
  }

  // SELECT: run on the state the transaction reads; count the key range its access path scans
  #select(st: Token[]): OutSet {
    const sources = this.#sources(st);
    const { sql, args } = this.#emit(st);
    let stmt: Database.Statement;
    try {
      stmt = prep(this.#read, sql);
    } catch (e) {
      throw sqliteError(e, this.database);
    }
    const rows = this.#own(st, 0, () => stmt.all(...args) as Row[]);
    const columns = this.#types(stmt, st, sources, rows);
    for (const s of sources) this.#account(st, s, sources.length === 1);
    return { columns, rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, fromCell(c.type, r[c.name])]))) };
  }

  /** The YDB type of each result column: its table column, an AS_TABLE field, COUNT's Uint64, or what the values are. */
  #types(stmt: Database.Statement, st: readonly Token[], sources: readonly Source[], rows: readonly Row[]): OutColumn[] {
    const plan = this.#plan(st);
    const known = plan.types.get(stmt);
    if (known) return known;
    // typed by the statement alone (not by an AS_TABLE parameter or the values): kept for the next run
    let stable = true;
    const types = stmt.columns().map((c) => {
      const def = c.table ? this.db.schema.get(c.table) : undefined;
      const col = def && c.column ? def.columns.get(c.column) : undefined;
      if (col) return { name: c.name, type: col.notNull ? col.type : `Optional<${col.type}>` };
      for (const t of this.#asTables.values()) {
        if (c.table === t.name && c.column && t.fields.has(c.column)) {
          stable = false;
          return { name: c.name, type: t.fields.get(c.column)! };
        }
      }
      const expr = (c.name ?? '').toUpperCase();
      if (/^COUNT\s*\(/.test(expr) || this.#aliasIsCount(st, c.name)) return { name: c.name, type: 'Uint64' };
      // an aggregate of a column (MAX(x), MIN(x)): the column's type, optional
      const m = /^\w+\s*\(\s*(?:\w+\.)?(\w+)\s*\)$/.exec(c.name ?? '') ?? this.#aliasOf(st, c.name);
      const src = m ? sources.map((s) => s.def.columns.get(m[1]!)).find(Boolean) : undefined;
      if (src) return { name: c.name, type: `Optional<${src.type}>` };
      stable = false;
      const v = rows.map((r) => r[c.name]).find((x) => x !== null && x !== undefined);
      const type = typeof v === 'bigint' ? 'Int64' : typeof v === 'number' ? 'Double' : 'Utf8';
      return { name: c.name, type: rows.every((r) => r[c.name] !== null) && rows.length > 0 ? type : `Optional<${type}>` };
    });
    if (stable) plan.types.set(stmt, types);
    return types;
  }

  #aliasIsCount(st: readonly Token[], name: string): boolean {
    for (let i = 2; i < st.length; i++) {
      if (upper(st[i - 1]) === 'AS' && st[i]!.v === name) {
        let j = i - 2;
        if (st[j]?.v === ')') {
          let depth = 0;
          for (; j >= 0; j--) {
            if (st[j]!.v === ')') depth++;
            if (st[j]!.v === '(' && --depth === 0) break;
          }
          return upper(st[j - 1]) === 'COUNT';
        }
      }
    }
    return false;
  }

  #aliasOf(st: readonly Token[], name: string): RegExpExecArray | null {
    for (let i = 2; i < st.length; i++) {
      if (upper(st[i - 1]) === 'AS' && st[i]!.v === name && st[i - 2]?.v === ')' && st[i - 3]?.t === 'word' && st[i - 4]?.v === '(') {
        return /^(.*)$/.exec(st[i - 3]!.v);
      }
    }
    return null;
  }

  /**
   * Rows and bytes the read of `s` scans: the key range its WHERE bounds (an equality
   * prefix of the key — the index's when read through VIEW — then one range), cut at LIMIT
   * only when the order continues that key and nothing else filters. A serializable
   * transaction locks that range.
   */
  #account(st: readonly Token[], s: Source, single: boolean): void {
    const plan = this.#plan(st);
    const k = `${s.table}|${s.alias}|${s.index}|${single}`;
    let a = plan.access.get(k);
    if (!a) plan.access.set(k, (a = accessPlan(st, s, single)));
    const { key, used, residual, continues, desc } = a;
    const emitted = used.map(([a, b]) => this.#emit(st, a, b + 1, true));
    const where = emitted.length ? emitted.map((e) => `(${e.sql})`).join(' AND ') : '1';
    const args = emitted.flatMap((e) => e.args);
    const alias = s.alias !== s.table ? ` AS ${quote(s.alias)}` : '';
    // LIMIT stops the scan early when the rows come in key order and every row read is kept
    const limit = a.limit ? this.#limit(st, a.limit) : null;
    const limited = limit !== null && residual === 0 && continues ? ` ORDER BY ${key.map((k) => `${quote(k)}${desc ? ' DESC' : ''}`).join(', ')} LIMIT ${limit}` : '';
    const rows = prep(this.#read, `SELECT * FROM ${quote(s.table)}${alias} WHERE ${where}${limited}`).all(...args) as Row[];
    const n = rows.length;
    const mainBytes = rows.reduce((b, r) => b + rowBytes(s.def, r), 0);
    this.io.rowsRead += s.index ? 2 * n : n;
    this.io.bytesRead += s.index ? mainBytes + rows.reduce((b, r) => b + rowBytes(s.def, r, key), 0) : mainBytes;
    if (this.tx.mode === 'serializableReadWrite' || this.tx.mode === 'implicit') {
      this.tx.locks.push({
        table: s.table,
        where: where.replace(new RegExp(`${quote(s.alias)}\\.`, 'g'), '') + limited,
        args,
        keys: new Set(rows.map((r) => keyOf(s.def, r))),
        seq: this.db.seq,
      });
    }
  }

  #limit(st: readonly Token[], [a, b]: [number, number]): number | null {
    if (a !== b) return null;
    const t = st[a]!;
    if (t.t === 'number') return Number(t.v.replace(/[a-zA-Z]+$/, ''));
    if (t.t === 'param') {
      const p = this.#param(t.v);
      return Number(toCell(p.type, p.value));
    }
    return null;
  }

  // Writes: the rows each statement writes, computed now, applied when the transaction commits
  #write(st: Token[], head: string): void {
    const verb = WRITE_VERBS[head]!;
    if (head === 'UPDATE' || head === 'DELETE') {
      const name = st[head === 'DELETE' ? 2 : 1]!;
      const def = this.db.table(name.v, this.database);
      const table = lastSegment(name.v);
      const at = head === 'DELETE' ? 3 : 2;
      if (upper(st[at]) === 'ON') {
        for (const row of this.#rowsOf(st, at + 1, def)) this.tx.ops.push({ kind: head === 'DELETE' ? 'delete' : 'update', table, row, verb });
        return;
      }
      // UPDATE t SET c = expr, ... WHERE ... / DELETE FROM t WHERE ...: the rows the WHERE finds
      const whereAt = st.findIndex((t, i) => i >= at && upper(t) === 'WHERE' && depthAt(st, i) === 0);
      const where = whereAt >= 0 ? this.#emit(st, whereAt + 1) : { sql: '1', args: [] };
      const keys = def.primaryKey.map(quote).join(', ');
      let sets: { col: string; sql: Sql }[] = [];
      if (head === 'UPDATE') {
        if (upper(st[at]) !== 'SET') throw new YqlError('GENERIC_ERROR', `Syntax error: expected SET or ON after UPDATE ${table}`);
        sets = commaItems(st, at + 1, whereAt >= 0 ? whereAt : st.length).map(([a, b]) => {
          if (st[a + 1]?.v !== '=') throw new YqlError('GENERIC_ERROR', `Syntax error near ${st[a]!.v}`);
          const col = st[a]!.v;
          if (!def.columns.has(col)) throw new YqlError('GENERIC_ERROR', `Member not found: ${col}`);
          if (def.primaryKey.includes(col)) throw new YqlError('GENERIC_ERROR', `Cannot update primary key column: ${col}`);
          return { col, sql: this.#emit(st, a + 2, b + 1) };
        });
      }
      const select = `SELECT ${keys}${sets.map((s, i) => `, (${s.sql.sql}) AS __set_${i}`).join('')} FROM ${quote(table)} WHERE ${where.sql}`;
      let rows: Row[];
      try {
        rows = this.#own(st, 0, () => prep(this.#read, select).all(...sets.flatMap((s) => s.sql.args), ...where.args) as Row[]);
      } catch (e) {
        throw sqliteError(e, this.database);
      }
      this.#account([...st.slice(0, 0), { t: 'word', v: 'SELECT', at: 0 }, { t: 'punct', v: '*', at: 0 }, { t: 'word', v: 'FROM', at: 0 }, name, ...st.slice(whereAt >= 0 ? whereAt : st.length)], { table, alias: table, def, index: null }, true);
      for (const r of rows) {
        const row: Row = Object.fromEntries(def.primaryKey.map((k) => [k, r[k]]));
        sets.forEach((s, i) => (row[s.col] = r[`__set_${i}`]));
        this.tx.ops.push({ kind: head === 'DELETE' ? 'delete' : 'update', table, row, verb });
      }
      return;
    }
    // UPSERT / INSERT / REPLACE INTO t [(cols)] SELECT ... | VALUES (...), ...
    if (upper(st[1]) !== 'INTO') throw new YqlError('GENERIC_ERROR', `Syntax error: expected INTO after ${head}`);
    const def = this.db.table(st[2]?.v ?? '', this.database);
    const table = lastSegment(st[2]!.v);
    let k = 3;
    let cols: string[] | null = null;
    if (st[k]?.v === '(') {
      const close = matching(st, k);
      cols = commaItems(st, k + 1, close).map(([a]) => st[a]!.v);
      k = close + 1;
    }
    const kind = head === 'UPSERT' ? 'upsert' : head === 'INSERT' ? 'insert' : 'replace';
    let rows: Row[];
    if (upper(st[k]) === 'VALUES') {
      if (!cols) throw new YqlError('GENERIC_ERROR', 'Syntax error: VALUES needs a column list');
      rows = [];
      for (let i = k + 1; st[i]?.v === '('; ) {
        const close = matching(st, i);
        const items = commaItems(st, i + 1, close);
        const e = items.map(([a, b]) => this.#emit(st, a, b + 1));
        const r = this.#own(st, 0, () => prep(this.#read, `SELECT ${e.map((x, n) => `(${x.sql}) AS c${n}`).join(', ')}`).get(...e.flatMap((x) => x.args)) as Row);
        rows.push(Object.fromEntries(cols.map((c, n) => [c, r[`c${n}`]])));
        i = close + 1;
        if (st[i]?.v === ',') i++;
        else break;
      }
    } else {
      rows = this.#rowsOf(st, k, def);
      if (cols) rows = rows.map((r) => Object.fromEntries(cols!.map((c, n) => [c, Object.values(r)[n]])));
    }
    for (const c of rows[0] ? Object.keys(rows[0]) : []) {
      if (!def.columns.has(c)) throw new YqlError('GENERIC_ERROR', `Member not found: ${c}. Table: ${this.database}/${table}`);
    }
    const ops: Op[] = rows.map((row) => ({ kind, table, row, verb }));
    // an INSERT meets an existing key (committed, or written earlier in this transaction) now, as YDB's does
    // (a transaction whose reads another commit changed since is ABORTED first, as at its commit)
    if (kind === 'insert') {
      this.engine.checkLocks(this.tx);
      this.#own(st, 0, () => {
        this.db.sql.exec('SAVEPOINT wire_insert');
        try {
          for (const op of ops) applyOp(this.db, op);
        } finally {
          this.db.sql.exec('ROLLBACK TO wire_insert; RELEASE wire_insert');
        }
      });
    }
    this.tx.ops.push(...ops);
  }

  /** The rows of the SELECT at `from` (AS_TABLE's rows directly when it is `SELECT * FROM AS_TABLE($p)`). */
  #rowsOf(st: readonly Token[], from: number, def: TableDef): Row[] {
    if (upper(st[from]) !== 'SELECT') throw new YqlError('GENERIC_ERROR', `Syntax error: expected SELECT at '${st[from]?.v ?? 'end of query'}'`);
    const rest = st.slice(from);
    const sources = this.#sources(rest);
    const { sql, args } = this.#emit(st, from);
    let stmt: Database.Statement;
    try {
      stmt = prep(this.#read, sql);
    } catch (e) {
      throw sqliteError(e, this.database);
    }
    const rows = this.#own(st, from, () => stmt.all(...args) as Row[]);
    for (const s of sources) this.#account(rest, s, sources.length === 1);
    // cells of an AS_TABLE row are already in the table's storage form (days, 0/1, bigints)
    void def;
    return rows.map((r) => ({ ...r }));
  }
}

/** The access path of source `s` in a statement: what #account reads, less the values bound per request. */
function accessPlan(st: readonly Token[], s: Source, single: boolean): AccessPlan {
  const key = s.index ? [...s.def.indexes.get(s.index)!, ...s.def.primaryKey] : s.def.primaryKey;
  const clause = single ? clauses(st) : null;
  const terms = clause?.where ? splitAnd(st, clause.where[0], clause.where[1]) : [];
  const used: [number, number][] = [];
  // the key after the equality prefix: the order a range over its first column comes in
  let rest = key;
  const colOf = (a: number, b: number) => termColumn(st, a, b, s);
  for (const k of key) {
    const eq = terms.find(([a, b]) => colOf(a, b)?.col === k && colOf(a, b)?.op === 'eq');
    if (eq) {
      used.push(eq);
      rest = rest.slice(1);
      continue;
    }
    used.push(...terms.filter(([a, b]) => colOf(a, b)?.col === k && colOf(a, b)?.op === 'range'));
    break;
  }
  const order = clause?.order ? st.slice(clause.order[0], clause.order[1] + 1).filter((t) => t.t === 'word' && !['DESC', 'ASC'].includes(upper(t))).map((t) => t.v) : [];
  const desc = clause?.order ? st.slice(clause.order[0], clause.order[1] + 1).some((t) => upper(t) === 'DESC') : false;
  const continues = order.every((c, i) => c === rest[i]) || order.every((c, i) => c === key[i]);
  return { key, used, residual: terms.length - used.length, limit: clause?.limit, continues, desc };
}

const CLAUSE = new Set('WHERE ON JOIN LEFT RIGHT INNER CROSS FULL ORDER GROUP LIMIT OFFSET SET VIEW UNION SELECT FROM AND OR USING HAVING WINDOW RETURNING'.split(' '));

function depthAt(st: readonly Token[], at: number): number {
  let d = 0;
  for (let i = 0; i < at; i++) {
    if (st[i]!.v === '(') d++;
    if (st[i]!.v === ')') d--;
  }
  return d;
}

function matching(st: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < st.length; i++) {
    if (st[i]!.v === '(') depth++;
    if (st[i]!.v === ')' && --depth === 0) return i;
  }
  throw new YqlError('GENERIC_ERROR', 'Syntax error: unbalanced parentheses');
}


/** Token ranges of a single-table SELECT's clauses (top level only). */
function clauses(st: readonly Token[]): { where?: [number, number]; order?: [number, number]; limit?: [number, number] } {
  const at: Record<string, number> = {};
  let depth = 0;
  for (let i = 0; i < st.length; i++) {
    const v = st[i]!.v;
    if (v === '(') depth++;
    if (v === ')') depth--;
    if (depth !== 0 || st[i]!.t !== 'word') continue;
    const w = v.toUpperCase();
    if (w === 'WHERE' || w === 'LIMIT' || w === 'OFFSET' || w === 'HAVING') at[w] ??= i;
    if ((w === 'ORDER' || w === 'GROUP') && upper(st[i + 1]) === 'BY') at[w] ??= i;
  }
  const ends = Object.values(at).sort((a, b) => a - b);
  const span = (start: number | undefined, skip: number): [number, number] | undefined => {
    if (start === undefined) return undefined;
    const end = ends.find((e) => e > start) ?? st.length;
    return [start + skip, end - 1];
  };
  return { where: span(at.WHERE, 1), order: span(at.ORDER, 2), limit: span(at.LIMIT, 1) };
}

/** Top-level AND terms of [from, to] (BETWEEN's AND stays inside its term). */
function splitAnd(st: readonly Token[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = from;
  let between = false;
  for (let i = from; i <= to; i++) {
    const w = upper(st[i]);
    if (st[i]!.v === '(') depth++;
    if (st[i]!.v === ')') depth--;
    if (depth !== 0) continue;
    if (w === 'BETWEEN') between = true;
    else if (w === 'AND') {
      if (between) between = false;
      else {
        out.push([start, i - 1]);
        start = i + 1;
      }
    } else if (w === 'OR') return [[from, to]]; // a disjunction at the top bounds nothing alone
  }
  out.push([start, to]);
  return out;
}

/**
 * The key column a WHERE term bounds and how: `c = $p` / `c IN $l` (eq), `c < $p` and the
 * like, BETWEEN, or a continuation `(c > $a) OR (c = $a AND d > $b)` (range); else null.
 */
function termColumn(st: readonly Token[], a: number, b: number, s: Source): { col: string; op: 'eq' | 'range' } | null {
  const colAt = (i: number): { col: string; next: number } | null => {
    const t = st[i];
    if (t?.t !== 'word') return null;
    if (st[i + 1]?.v === '.' && st[i + 2]?.t === 'word') return t.v === s.alias || t.v === s.table ? { col: st[i + 2]!.v, next: i + 3 } : null;
    return s.def.columns.has(t.v) ? { col: t.v, next: i + 1 } : null;
  };
  const isValue = (i: number, end: number) => i === end && (st[i]!.t === 'param' || st[i]!.t === 'number' || st[i]!.t === 'string');
  if (st[a]?.v === '(' && matching(st, a) === b) return termColumn(st, a + 1, b - 1, s);
  // (c > $a) OR (c = $a AND d > $b): a range on c
  if (st[a]?.v === '(' && matching(st, a) < b) {
    const close = matching(st, a);
    if (upper(st[close + 1]) === 'OR') {
      const first = termColumn(st, a + 1, close - 1, s);
      return first?.op === 'range' ? first : null;
    }
    return null;
  }
  const c = colAt(a);
  if (!c) return null;
  const op = st[c.next];
  if (!op) return null;
  if (op.v === '=' || op.v === '==') return isValue(c.next + 1, b) ? { col: c.col, op: 'eq' } : null;
  if (upper(op) === 'IN') return c.next + 1 === b && st[b]!.t === 'param' ? { col: c.col, op: 'eq' } : st[c.next + 1]?.v === '(' ? { col: c.col, op: 'eq' } : null;
  if (['<', '<=', '>', '>='].includes(op.v)) return isValue(c.next + 1, b) ? { col: c.col, op: 'range' } : null;
  if (upper(op) === 'BETWEEN') return { col: c.col, op: 'range' };
  return null;
}

export type { ColumnDef };
export { parseType };
