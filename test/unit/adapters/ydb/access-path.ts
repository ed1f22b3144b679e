// Test helper: the access path of each table read in a YDB statement, derived from the
// migrations' primary keys and indexes — what YDB's planner can do with it, not what it
// might choose. A read is described by its key (the primary key, or for `VIEW idx` the
// index columns followed by the primary key, as YDB lays out an index table), the prefix of
// that key its conditions fix (`col = $p`, `col IN $list`, `a.col = w.col` in a join's ON),
// the range on the next key column (`<`, `<=`, `>`, `>=`; closed when bounded on both sides),
// the columns it filters after the prefix (residual: rows read and dropped), its ORDER BY and
// whether it is bounded by a LIMIT.
//
// A join fixes the joined table's key by its ON clause only when the other side is
// AS_TABLE($keys): keys the request sends, read one by one. Joined to another table's read,
// the planner does not know that read's rows when it plans the joined one (a hash join reads
// it whole): the joined table is read by what the statement fixes by parameters alone — for
// a period index joined to the aggregates, the region: its whole history.
//
// Not a YQL parser: it reads the shapes the adapters write (one FROM table or a join with a
// named subquery or AS_TABLE per SELECT, conditions joined by AND at the top level, ORs only
// inside parentheses as a page's continuation). A shape it does not read is reported as such,
// so a new statement cannot pass by being unreadable.
import { type Schema, type Token, statements, tokenize } from '../../../ydb-wire/yql-text.ts';

export type TableRead = {
  readonly table: string;
  readonly view: string | null;
  readonly key: readonly string[];
  /** key columns fixed by equality, in key order */
  readonly prefix: readonly string[];
  /** the key column right after the prefix, when a condition bounds it by a range */
  readonly range: string | null;
  /** the range is bounded on both sides (`>= $from AND <= $to`): its length is the caller's */
  readonly closed: boolean;
  /** conditions on columns outside the prefix and range: read, then dropped */
  readonly residual: readonly string[];
  readonly orderBy: readonly { col: string; desc: boolean }[];
  readonly limited: boolean;
  readonly distinct: boolean;
};

const CLAUSE_END = new Set(['WHERE', 'ORDER', 'LIMIT', 'GROUP', 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'CROSS', 'ON', 'UNION', 'HAVING']);
const up = (t: Token | undefined) => (t?.t === 'word' ? t.v.toUpperCase() : (t?.v ?? ''));
const bare = (col: string) => col.split('.').at(-1)!;

/** Splits tokens at top-level (depth 0) words equal to `sep`. */
function splitTop(toks: readonly Token[], sep: string): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.v === '(') depth++;
    if (t.v === ')') depth--;
    if (depth === 0 && up(t) === sep) out.push([]);
    else out.at(-1)!.push(t);
  }
  return out;
}

/** The tokens of one SELECT/DELETE/UPDATE clause from `start` until the next top-level word in `stops`. */
function until(toks: readonly Token[], start: number, stops: ReadonlySet<string>): Token[] {
  const out: Token[] = [];
  let depth = 0;
  for (let i = start; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.v === '(') depth++;
    if (t.v === ')') {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && stops.has(up(t))) break;
    out.push(t);
  }
  return out;
}

type Cond = { col: string; op: 'eq' | 'range' | 'other'; side?: 'lower' | 'upper' };

/** `a = $p`, `t.a = w.b`, `a IN $l`, `a <= $p`; anything else (ORs in parentheses) is 'other'. */
function conditions(toks: readonly Token[], alias: string | null, side: 'where' | 'on'): Cond[] {
  const out: Cond[] = [];
  for (const c of splitTop(toks, 'AND')) {
    if (c.length === 0) continue;
    if (c[0]!.v === '(') {
      // a parenthesised OR: a page's "strictly after the last key", inside the bound range
      out.push({ col: '', op: 'other' });
      continue;
    }
    const col = (t: Token[]): string | null => {
      if (t.length === 3 && t[1]!.v === '.' && t[0]!.t === 'word' && t[2]!.t === 'word') return alias === null || t[0]!.v === alias ? t[2]!.v : null;
      if (t.length === 1 && t[0]!.t === 'word' && side === 'where') return t[0]!.v;
      return null;
    };
    const opAt = c.findIndex((t) => ['=', '<', '>', '<=', '>=', 'IN', '=='].includes(up(t)) || (t.t === 'punct' && /^[<>]=?$/.test(t.v)));
    if (opAt < 0) {
      out.push({ col: '', op: 'other' });
      continue;
    }
    // `<=` may come as two punct tokens
    let rhsAt = opAt + 1;
    let op = up(c[opAt]);
    if (c[rhsAt]?.v === '=' && (op === '<' || op === '>')) {
      op += '=';
      rhsAt++;
    }
    const left = col(c.slice(0, opAt));
    const right = col(c.slice(rhsAt));
    const name = left ?? right;
    if (!name) {
      out.push({ col: '', op: 'other' });
      continue;
    }
    if (op === '=' || op === '==' || op === 'IN') out.push({ col: name, op: 'eq' });
    // `c < $p` bounds c from above; `$p < c` from below
    else out.push({ col: name, op: 'range', side: op.startsWith('<') === (left !== null) ? 'upper' : 'lower' });
  }
  return out;
}

function describeRead(schema: Schema, table: string, view: string | null, conds: readonly Cond[], orderBy: TableRead['orderBy'], limited: boolean, distinct: boolean): TableRead {
  const def = schema.get(table);
  if (!def) throw new Error(`table ${table} is not created by the migrations`);
  const idx = view === null ? null : def.indexes.get(view);
  if (view !== null && !idx) throw new Error(`index ${table} VIEW ${view} is not created by the migrations`);
  const key = idx ? [...idx, ...def.primaryKey.filter((k) => !idx.includes(k))] : def.primaryKey;
  const eq = new Set(conds.filter((c) => c.op === 'eq').map((c) => c.col));
  const rng = new Set(conds.filter((c) => c.op === 'range').map((c) => c.col));
  const prefix: string[] = [];
  for (const k of key) {
    if (!eq.has(k)) break;
    prefix.push(k);
  }
  const next = key[prefix.length];
  const range = next !== undefined && rng.has(next) ? next : null;
  const sides = new Set(conds.filter((c) => c.op === 'range' && c.col === range).map((c) => c.side));
  const residual = conds.filter((c) => c.col !== '' && !prefix.includes(c.col) && c.col !== range).map((c) => c.col);
  return { table, view, key, prefix, range, closed: sides.has('lower') && sides.has('upper'), residual, orderBy, limited, distinct };
}

/** Every table read of one statement text (DECLAREs and pure writes read nothing). */
export function tableReads(text: string, schema: Schema): TableRead[] {
  const reads: TableRead[] = [];
  for (const st of statements(tokenize(text))) {
    if (up(st[0]) === 'DECLARE') continue;
    const words = st.map(up);
    for (let i = 0; i < st.length; i++) {
      const w = words[i];
      if (w !== 'FROM' && w !== 'JOIN') continue;
      const name = st[i + 1];
      // AS_TABLE($rows), $named subqueries and parenthesised subqueries are not table reads
      if (!name || name.t !== 'word' || up(st[i + 2]) === '(' || up(name) === 'AS_TABLE') continue;
      if (words[i - 1] === 'DELETE' && words[i + 2] === 'ON') continue; // DELETE FROM t ON SELECT ...: a write by key
      let j = i + 2;
      let view: string | null = null;
      if (words[j] === 'VIEW') {
        view = st[j + 1]!.v;
        j += 2;
      }
      let alias: string | null = null;
      if (words[j] === 'AS') {
        alias = st[j + 1]!.v;
        j += 2;
      }
      let conds: Cond[];
      if (w === 'JOIN') {
        if (words[j] !== 'ON') throw new Error(`join of ${name.v} without ON: a shape the access-path reader does not know`);
        conds = conditions(until(st, j + 1, new Set([...CLAUSE_END].filter((k) => k !== 'ON'))), alias, 'on');
        // joined to a table's read, not to keys sent: only what parameters fix is known when it is read
        if (up(st[fromBefore(st, i) + 1]) !== 'AS_TABLE') {
          const known = fixedByParameters(st);
          conds = conds.map((c) => (c.op === 'eq' && known.has(c.col) ? c : { col: '', op: 'other' }));
        }
      } else {
        // the WHERE of this FROM: skip joins between them
        let k = j;
        let depth = 0;
        while (k < st.length && !(depth === 0 && ['WHERE', 'ORDER', 'LIMIT', 'GROUP'].includes(words[k]!))) {
          if (st[k]!.v === '(') depth++;
          if (st[k]!.v === ')') {
            if (depth === 0) break;
            depth--;
          }
          k++;
        }
        conds = words[k] === 'WHERE' ? conditions(until(st, k + 1, new Set(['ORDER', 'LIMIT', 'GROUP', 'UNION'])), alias, 'where') : [];
      }
      // ORDER BY and LIMIT of the SELECT this read belongs to (the end of its clause)
      const tail = until(st, j, new Set(['UNION']));
      const tw = tail.map(up);
      const ob = tw.lastIndexOf('ORDER');
      const orderBy: { col: string; desc: boolean }[] = [];
      if (ob >= 0) {
        for (const part of splitComma(until(tail, ob + 2, new Set(['LIMIT'])))) {
          const parts = part.filter((t) => t.v !== '.');
          const colTok = parts.filter((t) => t.t === 'word' && !['ASC', 'DESC'].includes(up(t))).at(-1);
          if (colTok) orderBy.push({ col: bare(colTok.v), desc: parts.some((t) => up(t) === 'DESC') });
        }
      }
      // DISTINCT of the SELECT this FROM closes: between the nearest SELECT before it and it
      const sel = words.lastIndexOf('SELECT', i);
      const distinct = sel >= 0 && words.slice(sel, i).includes('DISTINCT');
      reads.push(describeRead(schema, name.v, view, conds, orderBy, tw.includes('LIMIT'), distinct));
    }
    // DELETE FROM t WHERE / UPDATE t SET ... WHERE: reads what it filters
    if (words[0] === 'UPDATE' && words[2] === 'SET') {
      const k = words.indexOf('WHERE');
      const conds = k >= 0 ? conditions(until(st, k + 1, new Set()), null, 'where') : [];
      reads.push(describeRead(schema, st[1]!.v, null, conds, [], false, false));
    }
  }
  return reads;
}

/** The FROM of the SELECT a JOIN at `at` belongs to: the nearest FROM before it at the same depth. */
function fromBefore(st: readonly Token[], at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (st[i]!.v === ')') depth++;
    if (st[i]!.v === '(') depth--;
    if (depth === 0 && up(st[i]) === 'FROM') return i;
  }
  throw new Error('a JOIN without a FROM: a shape the access-path reader does not know');
}

/** Columns some condition of the statement fixes to a parameter (`c = $p`, `t.c = $p`). */
function fixedByParameters(st: readonly Token[]): Set<string> {
  const out = new Set<string>();
  for (let i = 1; i + 1 < st.length; i++) {
    if (st[i]!.v !== '=' || st[i + 1]!.t !== 'param' || st[i - 1]!.t !== 'word') continue;
    out.add(st[i - 1]!.v);
  }
  return out;
}

function splitComma(toks: readonly Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.v === '(') depth++;
    if (t.v === ')') depth--;
    if (depth === 0 && t.v === ',') out.push([]);
    else out.at(-1)!.push(t);
  }
  return out.filter((p) => p.length > 0);
}

const PERIOD_COLUMNS = new Set(['period_start', 'period_end']);

/**
 * What is wrong with a read, or [] when it reads a key or index prefix and sorts along it.
 * `listsPeriods`: tables with one row per period of a region, whose region prefix IS the period list.
 */
export function accessProblems(r: TableRead, o: { readonly smallTables: ReadonlySet<string>; readonly listsPeriods: ReadonlySet<string> }): string[] {
  const out: string[] = [];
  const at = `${r.table}${r.view ? ` VIEW ${r.view}` : ''} (key ${r.key.join(', ')})`;
  if (r.distinct) out.push(`${at}: DISTINCT over the rows read`);
  if (r.prefix.length === 0 && r.range === null && !o.smallTables.has(r.table)) out.push(`${at}: a full scan (no key prefix fixed)`);
  const nextKey = r.key[r.prefix.length];
  const periodOpen = nextKey !== undefined && PERIOD_COLUMNS.has(nextKey) && r.prefix.length > 0;
  if (periodOpen && r.prefix.length === 1 && r.prefix[0] === 'region' && !o.listsPeriods.has(r.table)) {
    // a range read along the key and cut at LIMIT, or closed on both sides by the caller's bounds
    const bounded = r.range !== null && ((r.limited && r.orderBy[0]?.col === r.range) || r.closed);
    if (!bounded) out.push(`${at}: a scan of the region's whole history (only region fixed; ${nextKey} open)`);
  }
  if (r.residual.length > 0 && (r.range !== null && PERIOD_COLUMNS.has(r.range))) {
    out.push(`${at}: filters ${r.residual.join(', ')} over a range of periods: reads every row of the range to keep some`);
  }
  if (r.residual.length > 0 && r.prefix.length === 1 && r.prefix[0] === 'region' && periodOpen) {
    out.push(`${at}: filters ${r.residual.join(', ')} over the region's history`);
  }
  if (r.orderBy.length > 0) {
    const cont = r.key.slice(r.prefix.length, r.prefix.length + r.orderBy.length);
    const along = r.orderBy.every((c, i) => c.col === cont[i]) && r.orderBy.every((c) => c.desc === r.orderBy[0]!.desc);
    if (!along) out.push(`${at}: ORDER BY ${r.orderBy.map((c) => c.col + (c.desc ? ' DESC' : '')).join(', ')} is not a continuation of the fixed prefix (${r.prefix.join(', ') || 'none'}) → expected ${cont.join(', ')}`);
  }
  return out;
}
