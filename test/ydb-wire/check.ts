// The one YQL check the wire server makes: each parameter's YDB type against the column it is
// written to or compared with, by the migrations. It reads the statement shapes the adapters
// use (comparisons, IN, BETWEEN, row-value tuples, UPDATE ... SET, INSERT/UPSERT ... VALUES,
// ... SELECT ... FROM AS_TABLE($rows), DELETE ... ON); it does not parse or run YQL (engine.ts
// does), and a statement it does not understand passes unchecked.
import { type Type } from '@ydbjs/api/value';
import { parseType, splitTop, typeText } from './types.ts';
import { type ColumnDef, commaItems, type Schema, type Token, statements, tokenize } from './yql-text.ts';

type Source = { readonly table: string; readonly alias: string; readonly columns: Map<string, ColumnDef>; readonly param?: string };
type Operand =
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'col'; readonly source: Source; readonly col: string }
  | { readonly kind: 'tuple'; readonly items: readonly (Operand | null)[] };

const COMPARE = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>=']);
const NOT_ALIAS = new Set(
  'WHERE ON JOIN LEFT RIGHT INNER CROSS FULL ORDER GROUP LIMIT OFFSET SET VIEW UNION SELECT FROM AND OR USING HAVING WINDOW RETURNING'.split(' '),
);

const strip = (t: string): string => (t.startsWith('Optional<') && t.endsWith('>') ? strip(t.slice(9, -1)) : t);
const colText = (c: ColumnDef): string => `${c.type}${c.notNull ? ' NOT NULL' : ''}`;
const lastSegment = (name: string): string => name.slice(name.lastIndexOf('/') + 1);

/** Text of a parameter type, normalised the way `typeText` prints it, struct members by name (YDB orders them so). */
export function normaliseType(text: string): string {
  try {
    return typeText(sortMembers(parseType(text)));
  } catch {
    return text.replace(/\s+/g, '');
  }
}

function sortMembers(t: Type): Type {
  const k = t.type;
  if (k.case === 'optionalType' || k.case === 'listType') sortMembers(k.value.item!);
  if (k.case === 'structType') {
    k.value.members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const m of k.value.members) sortMembers(m.type!);
  }
  return t;
}

/** Fields of a `List<Struct<...>>` type text, or null. */
export function rowFields(type: string): Map<string, string> | null {
  const m = /^List<Struct<(.*)>>$/.exec(type);
  if (!m) return null;
  return new Map(splitTop(m[1]!).map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1)] as const));
}

/** Problem text when `type` may not be written into `column` of `table`, else null. */
export function writeProblem(what: string, type: string, table: string, column: string, def: ColumnDef | undefined): string | null {
  if (!def) return `${what} (${type}) is written to ${table}.${column}, which the migrations do not create`;
  if (type === def.type || (!def.notNull && type === `Optional<${def.type}>`)) return null;
  return `${what} is ${type} but is written to column ${table}.${column} (${colText(def)})`;
}

function compareProblem(what: string, type: string, table: string, column: string, def: ColumnDef): string | null {
  if (strip(type) === def.type) return null;
  return `${what} is ${type} but is compared with column ${table}.${column} (${colText(def)})`;
}

/** Problems of one ExecuteQuery: `params` maps `$name` to its sent YDB type text. */
export function checkQuery(text: string, params: ReadonlyMap<string, string>, schema: Schema): string[] {
  let toks: Token[];
  try {
    toks = tokenize(text);
  } catch (e) {
    return [`query text does not tokenise: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  const named = new Set<string>();
  for (const st of statements(toks)) {
    if (st[0]?.t === 'param' && st[1]?.v === '=') named.add(st[0].v);
  }
  for (const st of statements(toks)) {
    const head = st[0]?.v.toUpperCase();
    if (head === 'DECLARE') {
      const p = st[1]?.v ?? '';
      const sent = params.get(p);
      const declared = normaliseType(st.slice(3).map((t) => t.v).join(''));
      if (sent === undefined) problems.push(`${p} is DECLAREd as ${declared} but no value was sent`);
      else if (normaliseType(sent) !== declared) problems.push(`${p} is DECLAREd as ${declared} but sent as ${sent}`);
      continue;
    }
    if (head === 'CREATE' || head === 'ALTER' || head === 'DROP' || head === 'PRAGMA') continue;
    for (const t of st) {
      if (t.t === 'param' && !named.has(t.v) && !params.has(t.v)) problems.push(`${t.v} is used but no value was sent`);
    }
    checkStatement(st, params, schema, problems);
  }
  return [...new Set(problems)];
}

function checkStatement(st: Token[], params: ReadonlyMap<string, string>, schema: Schema, problems: string[]): void {
  const sources: Source[] = [];
  for (let i = 0; i < st.length; i++) {
    const w = st[i]!.v.toUpperCase();
    if (st[i]!.t !== 'word' || !(w === 'FROM' || w === 'JOIN' || w === 'INTO' || (w === 'UPDATE' && i === 0))) continue;
    let j = i + 1;
    const n = st[j];
    if (!n) continue;
    let source: Source | undefined;
    if (n.t === 'word' && n.v.toUpperCase() === 'AS_TABLE' && st[j + 1]?.v === '(' && st[j + 2]?.t === 'param') {
      const p = st[j + 2]!.v;
      const fields = rowFields(params.get(p) ?? '') ?? new Map<string, string>();
      const columns = new Map([...fields].map(([f, t]) => [f, { type: t, notNull: true }] as const));
      source = { table: p, alias: p, columns, param: p };
      j += 4;
    } else if (n.t === 'word') {
      const table = lastSegment(n.v);
      const def = schema.get(table);
      // a table the migrations do not create: the executing engine refuses it as YDB does
      // (SCHEME_ERROR), or knows it from DDL sent since; FROM f(...) is a table function
      if (!def) continue;
      source = { table, alias: table, columns: def.columns };
      j += 1;
      if (st[j]?.v.toUpperCase() === 'VIEW') j += 2;
    } else continue;
    if (st[j]?.v.toUpperCase() === 'AS') j++;
    const a = st[j];
    if (a?.t === 'word' && !NOT_ALIAS.has(a.v.toUpperCase())) source = { ...source, alias: a.v };
    sources.push(source);
  }
  const real = sources.filter((s) => !s.param);

  const column = (i: number): { op: Operand; start: number; end: number } | null => {
    const t = st[i];
    if (t?.t !== 'word') return null;
    if (st[i + 1]?.v === '.' && st[i + 2]?.t === 'word') {
      const s = sources.find((x) => x.alias === t.v || x.table === t.v);
      const c = st[i + 2]!.v;
      return s && s.columns.has(c) ? { op: { kind: 'col', source: s, col: c }, start: i, end: i + 2 } : null;
    }
    const s = real.find((x) => x.columns.has(t.v));
    return s ? { op: { kind: 'col', source: s, col: t.v }, start: i, end: i } : null;
  };
  // an operand that starts at i: a parameter, a column, or a parenthesised row of them
  const forward = (i: number): { op: Operand; end: number } | null => {
    const t = st[i];
    if (t?.t === 'param') return { op: { kind: 'param', name: t.v }, end: i };
    if (t?.v === '(') {
      const close = matching(st, i);
      const items = commaItems(st, i + 1, close).map(([a, b]) => (a === b || column(a)?.end === b ? single(a) : null));
      return { op: { kind: 'tuple', items }, end: close };
    }
    const c = column(i);
    return c ? { op: c.op, end: c.end } : null;
  };
  const single = (i: number): Operand | null => forward(i)?.op ?? null;
  // the operand that ends at i
  const backward = (i: number): Operand | null => {
    const t = st[i];
    if (t?.t === 'param') return { kind: 'param', name: t.v };
    if (t?.v === ')') {
      const open = matchingBack(st, i);
      const before = st[open - 1];
      if (before?.t === 'word' && !NOT_ALIAS.has(before.v.toUpperCase()) && !['NOT', 'IN'].includes(before.v.toUpperCase())) return null;
      return forward(open)?.op ?? null;
    }
    if (t?.t === 'word' && st[i - 1]?.v === '.') return column(i - 2)?.op ?? null;
    return column(i)?.op ?? null;
  };

  const setAt = st.findIndex((t) => t.t === 'word' && t.v.toUpperCase() === 'SET');
  const whereAt = st.findIndex((t, k) => k > setAt && t.t === 'word' && t.v.toUpperCase() === 'WHERE');
  const isWrite = (k: number): boolean => st[0]?.v.toUpperCase() === 'UPDATE' && setAt >= 0 && k > setAt && (whereAt < 0 || k < whereAt);

  const pair = (left: Operand | null, right: Operand | null, write: boolean, list = false): void => {
    if (!left || !right) return;
    if (left.kind === 'tuple' && right.kind === 'tuple') {
      const items = right.items;
      left.items.forEach((x, n) => pair(x, items[n] ?? null, write));
      return;
    }
    if (left.kind === 'tuple' && right.kind === 'param' && list) {
      const m = /^List<Tuple<(.*)>>$/.exec(params.get(right.name) ?? '');
      const items = left.items;
      if (m) splitTop(m[1]!).forEach((t, n) => typed(items[n] ?? null, `${right.name}[${n}]`, t, false));
      return;
    }
    let [l, r] = left.kind === 'param' ? [right, left] : [left, right];
    if (r.kind === 'tuple') {
      for (const x of r.items) pair(l, x, write);
      return;
    }
    if (l.kind === 'col' && r.kind === 'param') {
      const sent = params.get(r.name);
      if (sent === undefined) return;
      typed(l, r.name, list ? (/^List<(.*)>$/.exec(sent)?.[1] ?? sent) : sent, write);
    } else if (l.kind === 'col' && r.kind === 'col' && l.source.param !== r.source.param) {
      const [v, c] = l.source.param ? [l, r] : [r, l];
      if (!v.source.param || c.source.param) return;
      typed(c, `${v.source.param} field ${v.col}`, v.source.columns.get(v.col)!.type, write);
    }
  };
  const typed = (c: Operand | null, what: string, type: string, write: boolean): void => {
    if (c?.kind !== 'col' || c.source.param) return;
    const def = c.source.columns.get(c.col)!;
    const p = write ? writeProblem(`parameter ${what}`, type, c.source.table, c.col, def) : compareProblem(`parameter ${what}`, type, c.source.table, c.col, def);
    if (p) problems.push(p);
  };

  for (let k = 0; k < st.length; k++) {
    const t = st[k]!;
    const w = t.v.toUpperCase();
    if (t.t === 'punct' && COMPARE.has(t.v)) pair(backward(k - 1), forward(k + 1)?.op ?? null, isWrite(k));
    else if (t.t === 'word' && w === 'IN') pair(backward(st[k - 1]?.v.toUpperCase() === 'NOT' ? k - 2 : k - 1), forward(k + 1)?.op ?? null, false, st[k + 1]?.t === 'param');
    else if (t.t === 'word' && w === 'BETWEEN') {
      const l = backward(k - 1);
      const lo = forward(k + 1);
      pair(l, lo?.op ?? null, false);
      if (lo && st[lo.end + 1]?.v.toUpperCase() === 'AND') pair(l, forward(lo.end + 2)?.op ?? null, false);
    }
  }
  checkWrites(st, sources, params, problems);
}

// INSERT/UPSERT/REPLACE INTO t (cols) VALUES (...), INTO t SELECT ... [FROM AS_TABLE($rows)],
// DELETE FROM t ON SELECT ...: what each written column receives
function checkWrites(st: Token[], sources: Source[], params: ReadonlyMap<string, string>, problems: string[]): void {
  const into = st.findIndex((t) => t.t === 'word' && t.v.toUpperCase() === 'INTO');
  // DELETE FROM t ON SELECT ... / UPDATE t ON SELECT ...
  const head = st[0]?.v.toUpperCase();
  const onAt = head === 'DELETE' ? 3 : head === 'UPDATE' ? 2 : -1;
  const on = onAt > 0 && st[onAt]?.v.toUpperCase() === 'ON' ? onAt : -1;
  const at = into >= 0 ? into : on - 2;
  if (into < 0 && on < 0) return;
  const target = sources.find((s) => !s.param && s.table === lastSegment(st[at + 1]?.v ?? ''));
  if (!target) return;
  const write = (what: string, type: string | undefined, col: string): void => {
    if (type === undefined) return;
    const p = writeProblem(what, type, target.table, col, target.columns.get(col));
    if (p) problems.push(p);
  };
  let k = into >= 0 ? at + 2 : on + 1;
  if (st[k]?.v === '(') {
    const close = matching(st, k);
    const cols = commaItems(st, k + 1, close).map(([a]) => st[a]!.v);
    k = close + 1;
    if (st[k]?.v.toUpperCase() === 'VALUES') {
      for (k++; st[k]?.v === '('; k = matching(st, k) + 2) {
        commaItems(st, k + 1, matching(st, k)).forEach(([a, b], n) => {
          if (a === b && st[a]!.t === 'param' && cols[n]) write(`parameter ${st[a]!.v}`, params.get(st[a]!.v), cols[n]);
        });
        if (st[matching(st, k) + 1]?.v !== ',') break;
      }
    }
    return;
  }
  if (st[k]?.v.toUpperCase() !== 'SELECT') return;
  const from = st.findIndex((t, n) => n > k && t.t === 'word' && t.v.toUpperCase() === 'FROM');
  const rows = sources.find((s) => s.param && from >= 0 && st[from + 3]?.v === s.param);
  const fieldWrite = (field: string, col: string): void => {
    if (rows) write(`parameter ${rows.param} field ${field}`, rows.columns.get(field)?.type, col);
  };
  const end = from >= 0 ? from : st.length;
  if (st[k + 1]?.v === '*' && k + 2 === end) {
    for (const f of rows?.columns.keys() ?? []) fieldWrite(f, f);
    return;
  }
  for (const [a, b] of commaItems(st, k + 1, end)) {
    const alias = st[b - 1]?.v.toUpperCase() === 'AS' ? st[b]!.v : null;
    const exprEnd = alias ? b - 2 : b;
    const name = alias ?? st[b]!.v;
    if (a === exprEnd && st[a]!.t === 'param') write(`parameter ${st[a]!.v}`, params.get(st[a]!.v), name);
    else if (a === exprEnd && st[a]!.t === 'word') fieldWrite(st[a]!.v, name);
    else if (a + 2 === exprEnd && st[a + 1]!.v === '.') fieldWrite(st[exprEnd]!.v, name);
  }
}

function matching(st: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < st.length; i++) {
    if (st[i]!.v === '(') depth++;
    if (st[i]!.v === ')' && --depth === 0) return i;
  }
  return st.length - 1;
}

function matchingBack(st: readonly Token[], close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (st[i]!.v === ')') depth++;
    if (st[i]!.v === '(' && --depth === 0) return i;
  }
  return 0;
}


/** Problems of one BulkUpsert: the row struct against the table it writes. */
export function checkBulkRows(table: string, rowType: Type | undefined, schema: Schema): string[] {
  const def = schema.get(table);
  if (!def) return [`unknown table ${table}`];
  const text = typeText(rowType);
  const fields = rowFields(text);
  if (!fields) return [`rows are ${text}, not a List<Struct<...>>`];
  const problems: string[] = [];
  for (const [f, t] of fields) {
    const p = writeProblem(`row field ${f}`, t, table, f, def.columns.get(f));
    if (p) problems.push(p);
  }
  for (const k of def.primaryKey) if (!fields.has(k)) problems.push(`rows lack key column ${table}.${k}`);
  return problems;
}

/**
 * The result columns of each statement of `text` that starts with SELECT, typed from the
 * migrations, so an unscripted read answers like a YDB with empty tables. A select item
 * other than `*`, a column, `alias.column`, `COUNT(*)`, each optionally `AS name`, leaves
 * that result set without columns.
 */
export type SelectColumn = { readonly name: string; readonly type: string; /** the table column it reads, when it reads one */ readonly source?: string };

export function selectColumns(text: string, schema: Schema): SelectColumn[][] {
  let toks: Token[];
  try {
    toks = tokenize(text);
  } catch {
    return [];
  }
  const out: SelectColumn[][] = [];
  for (const st of statements(toks)) {
    if (st[0]?.t !== 'word' || st[0].v.toUpperCase() !== 'SELECT') continue;
    out.push(columnsOf(st, schema) ?? []);
  }
  return out;
}

function columnsOf(st: Token[], schema: Schema): SelectColumn[] | null {
  let depth = 0;
  let from = -1;
  for (let i = 0; i < st.length && from < 0; i++) {
    if (st[i]!.v === '(') depth++;
    if (st[i]!.v === ')') depth--;
    if (depth === 0 && st[i]!.t === 'word' && st[i]!.v.toUpperCase() === 'FROM') from = i;
  }
  const def = from >= 0 ? schema.get(lastSegment(st[from + 1]?.v ?? '')) : undefined;
  if (!def) return null;
  const typeOf = (c: string): string | null => {
    const d = def.columns.get(c);
    return d ? (d.notNull ? d.type : `Optional<${d.type}>`) : null;
  };
  const start = st[1]?.v.toUpperCase() === 'DISTINCT' ? 2 : 1;
  const cols: SelectColumn[] = [];
  for (const [a, b] of commaItems(st, start, from)) {
    const alias = b - 1 > a && st[b - 1]!.v.toUpperCase() === 'AS' ? st[b]!.v : null;
    const end = alias ? b - 2 : b;
    const item = st.slice(a, end + 1).map((t) => t.v);
    if (item.length === 1 && item[0] === '*') {
      for (const c of def.columns.keys()) cols.push({ name: c, type: typeOf(c)!, source: c });
      continue;
    }
    const column = item.length === 1 ? item[0]! : item.length === 3 && item[1] === '.' ? item[2]! : null;
    const type = column ? typeOf(column) : item.join('').toUpperCase() === 'COUNT(*)' ? 'Uint64' : null;
    if (!type) return null;
    cols.push({ name: alias ?? column!, type, ...(column ? { source: column } : {}) });
  }
  return cols;
}
