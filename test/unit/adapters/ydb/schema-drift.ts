// Test helper: a schema-drift check for the YDB adapters' statements, and only that. It
// tokenises the statement text and reports: parameters used but not DECLAREd or DECLAREd but
// unused, literal values that are not whitelisted, tables, indexes and columns the migrations
// do not create, a parameter whose DECLAREd type differs from the column it is named after,
// and AS_TABLE row structs that do not fit the table they write to.
//
// It is not a YQL check: it does not parse YQL, so unbalanced parentheses, ORDER without BY,
// missing commas and a parameter compared with a column of another type (unless named after
// it) all pass. Whether YDB accepts a statement only a YDB can tell; parameter types against
// the columns they meet are checked on the wire by test/ydb-wire.

import { type ColumnDef, type Schema, type Token, statements, tokenize } from '../../../ydb-wire/yql-text.ts';

export { parseSchema, tokenize } from '../../../ydb-wire/yql-text.ts';

/** Keywords the statements may use; any other bare word is an identifier. */
export const KNOWN_KEYWORDS = new Set(
  [
    'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'ORDER', 'BY', 'LIMIT', 'DESC', 'ASC', 'DECLARE', 'AS', 'UPSERT', 'INSERT',
    'INTO', 'UPDATE', 'SET', 'ON', 'DELETE', 'DISTINCT', 'VIEW', 'NULL', 'TRUE', 'FALSE', 'IN', 'IS', 'CREATE', 'TABLE', 'IF',
    'EXISTS', 'PRIMARY', 'KEY', 'INDEX', 'GLOBAL', 'SYNC', 'ASYNC', 'JOIN', 'LEFT', 'ONLY',
  ].map((k) => k.toUpperCase()),
);

/** Functions a statement may call (the word before `(`). */
export const KNOWN_FUNCTIONS = new Set(['COUNT', 'AS_TABLE']);

/**
 * YQL keywords that must not be used as table or column names. A name on this list may
 * parse in one position and not in another (ORDER BY, UPDATE SET ...), so we avoid them all.
 */
export const YQL_KEYWORDS = new Set(
  (
    'ALL ALTER AND ANY AS ASC ASSUME ASYNC AT BETWEEN BY CASE CAST COLUMN COLUMNS COMPACT CREATE CROSS CUBE CURRENT DATA ' +
    'DATABASE DECLARE DEFAULT DELETE DESC DICT DISTINCT DROP ELSE END ENUM ERASE EXCEPT EXISTS FALSE FLATTEN FLOW FOR FROM ' +
    'FULL GLOBAL GROUP GROUPS HAVING IF IN INDEX INNER INSERT INTERSECT INTO IS JOIN KEY LEFT LIKE LIMIT LIST NOT NULL OFFSET ' +
    'ON OPTIONAL OR ORDER OUTER PRIMARY RANGE REPLACE RESOURCE RETURN RETURNING RIGHT ROW ROWS SCHEMA SELECT SEQUENCE SET ' +
    'STREAM STRUCT SYNC TABLE TAGGED THEN TRUE TUPLE TYPE UNION UPDATE UPSERT USER USING VALUES VARIANT VIEW WHEN WHERE ' +
    'WINDOW WITH WITHOUT'
  ).split(' '),
);


/** `List<Struct<a: Utf8, b: Optional<Int64>>>` → fields, or null for a non-struct type. */
export function structFields(type: string): Map<string, string> | null {
  const m = /^List<Struct<(.*)>>$/.exec(type.replace(/\s+/g, ''));
  if (!m) return null;
  const fields = new Map<string, string>();
  let depth = 0;
  let cur = '';
  for (const ch of `${m[1]},`) {
    if (ch === '<') depth++;
    if (ch === '>') depth--;
    if (ch === ',' && depth === 0) {
      const [n, t] = cur.split(':');
      fields.set(n!, t!);
      cur = '';
    } else cur += ch;
  }
  return fields;
}

function columnType(c: ColumnDef): string {
  return c.notNull ? c.type : `Optional<${c.type}>`;
}

/** Problems of one query text (possibly several statements); [] when it is clean. */
export function lintQuery(text: string, schema: Schema, allowedLiterals: readonly string[]): string[] {
  const problems: string[] = [];
  const declared = new Map<string, string>();
  const used = new Set<string>();
  /** `$name = (SELECT ...)`: named subqueries, not parameters */
  const named = new Set<string>();
  for (const st of statements(tokenize(text))) {
    if (st[0]?.t === 'param' && st[1]?.v === '=') {
      named.add(st[0].v);
      lintStatement(st.slice(2), schema, allowedLiterals, declared, used, problems, named);
      continue;
    }
    if (st[0]?.t === 'word' && st[0].v.toUpperCase() === 'DECLARE') {
      const p = st[1];
      if (p?.t !== 'param' || st[2]?.v.toUpperCase() !== 'AS') {
        problems.push('malformed DECLARE');
        continue;
      }
      if (declared.has(p.v)) problems.push(`${p.v} is declared twice`);
      declared.set(p.v, st.slice(3).map((t) => t.v).join(''));
      continue;
    }
    lintStatement(st, schema, allowedLiterals, declared, used, problems, named);
  }
  for (const d of declared.keys()) if (!used.has(d)) problems.push(`${d} is declared but never used`);
  return problems;
}

function lintStatement(
  st: Token[],
  schema: Schema,
  allowed: readonly string[],
  declared: Map<string, string>,
  used: Set<string>,
  problems: string[],
  named: ReadonlySet<string> = new Set(),
): void {
  // tables (and the indexes read through VIEW) this statement names
  const tables: string[] = [];
  const skip = new Set<number>();
  for (let i = 0; i < st.length; i++) {
    const w = st[i]!.v.toUpperCase();
    if (st[i]!.t !== 'word') continue;
    if (w === 'FROM' || w === 'INTO' || w === 'JOIN' || (w === 'UPDATE' && i === 0)) {
      const n = st[i + 1];
      if (n?.t === 'word' && !KNOWN_FUNCTIONS.has(n.v.toUpperCase())) {
        skip.add(i + 1);
        if (!schema.has(n.v)) problems.push(`unknown table ${n.v}`);
        else tables.push(n.v);
        if (st[i + 2]?.v.toUpperCase() === 'VIEW') {
          const idx = st[i + 3]!;
          skip.add(i + 3);
          if (!schema.get(n.v)?.indexes.has(idx.v)) problems.push(`unknown index ${idx.v} on ${n.v}`);
        }
      }
    }
  }
  const columns = new Map<string, ColumnDef>();
  for (const t of tables) for (const [c, d] of schema.get(t)!.columns) if (!columns.has(c)) columns.set(c, d);

  for (let i = 0; i < st.length; i++) {
    const tok = st[i]!;
    if (skip.has(i)) continue;
    if (tok.t === 'param') {
      if (named.has(tok.v)) continue;
      used.add(tok.v);
      if (!declared.has(tok.v)) problems.push(`${tok.v} is used but not DECLAREd`);
      continue;
    }
    if (tok.t === 'string' || tok.t === 'number') {
      if (!allowed.includes(tok.v)) problems.push(`literal ${tok.v} is not a parameter`);
      continue;
    }
    if (tok.t !== 'word') continue;
    const upper = tok.v.toUpperCase();
    if (KNOWN_KEYWORDS.has(upper)) continue;
    if (st[i + 1]?.v === '(' && KNOWN_FUNCTIONS.has(upper)) continue;
    if (st[i - 1]?.t === 'word' && st[i - 1]!.v.toUpperCase() === 'AS') continue; // an alias
    if (st[i + 1]?.v === '.') continue; // an alias qualifying the column after it
    if (!columns.has(tok.v)) problems.push(`unknown column ${tok.v}${tables.length ? ` in ${tables.join(', ')}` : ''}`);
  }

  // a parameter named after a column (or after_<column>) must have the column's type
  for (const [p, type] of declared) {
    const name = p.slice(1).replace(/^after_/, '');
    const c = columns.get(name);
    if (c && st.some((t) => t.v === p) && type !== columnType(c)) {
      problems.push(`${p} is declared ${type} but column ${name} is ${columnType(c)}`);
    }
  }

  // AS_TABLE($rows) writes: the struct must fit the target table
  const head = st[0]?.v.toUpperCase();
  // the rows written: `SELECT * FROM AS_TABLE($p)` (an AS_TABLE joined or filtered against is an input, not rows written)
  const asTable = st.findIndex((t, i) => t.v.toUpperCase() === 'AS_TABLE' && st[i - 1]?.v.toUpperCase() === 'FROM' && st[i - 2]?.v === '*');
  const joins = st.some((t) => t.t === 'word' && t.v.toUpperCase() === 'JOIN');
  if (asTable >= 0 && tables[0] && !joins && (head === 'UPSERT' || head === 'INSERT' || head === 'UPDATE' || head === 'DELETE')) {
    const p = st[asTable + 2]!.v;
    const fields = structFields(declared.get(p) ?? '');
    const def = schema.get(tables[0])!;
    if (!fields) {
      problems.push(`${p} is not a List<Struct<...>>`);
      return;
    }
    for (const [f, t] of fields) {
      const c = def.columns.get(f);
      if (!c) problems.push(`${p} field ${f} is not a column of ${tables[0]}`);
      else if (t !== columnType(c)) problems.push(`${p} field ${f} is ${t} but column ${f} is ${columnType(c)}`);
    }
    for (const k of def.primaryKey) if (!fields.has(k)) problems.push(`${p} lacks key column ${k} of ${tables[0]}`);
    if (head === 'INSERT') {
      for (const [c, d] of def.columns) if (d.notNull && !fields.has(c)) problems.push(`${p} lacks NOT NULL column ${c} of ${tables[0]}`);
    }
    if (head === 'DELETE') {
      for (const f of fields.keys()) if (!def.primaryKey.includes(f)) problems.push(`${p} field ${f} is not a key column of ${tables[0]}`);
    }
  }
}
