// YQL text as tokens and statements, and the tables the migrations create: what the wire
// server reads to type-check each query's parameters, shared with the schema-drift check.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Token = { readonly t: 'word' | 'param' | 'string' | 'number' | 'punct'; readonly v: string; readonly at: number };

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new SyntaxError('unclosed comment');
      i = end + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new SyntaxError('unclosed string');
      out.push({ t: 'string', v: text.slice(i, j + 1), at: i });
      i = j + 1;
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new SyntaxError('unclosed quoted identifier');
      out.push({ t: 'word', v: text.slice(i + 1, end), at: i });
      i = end + 1;
    } else if (c === '$') {
      const m = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (!m) throw new SyntaxError(`bad parameter at ${i}`);
      out.push({ t: 'param', v: m[0], at: i });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9a-zA-Z_.]*/.exec(text.slice(i))!;
      out.push({ t: 'number', v: m[0], at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      out.push({ t: 'word', v: m[0], at: i });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      const p = ['<=', '>=', '<>', '!=', '=='].includes(two) ? two : c;
      out.push({ t: 'punct', v: p, at: i });
      i += p.length;
    }
  }
  return out;
}

/** Splits tokens into statements at `;`. */
export function statements(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const tok of tokens) {
    if (tok.t === 'punct' && tok.v === ';') {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(tok);
  }
  if (cur.length) out.push(cur);
  return out;
}

export type ColumnDef = { readonly type: string; readonly notNull: boolean };
export type TableDef = {
  readonly columns: Map<string, ColumnDef>;
  readonly primaryKey: string[];
  readonly indexes: Map<string, string[]>;
};
export type Schema = Map<string, TableDef>;

function expectWord(toks: Token[], i: number, v: string): void {
  const t = toks[i];
  if (!t || t.t !== 'word' || t.v.toUpperCase() !== v) throw new SyntaxError(`expected ${v} at token ${i}, got ${t?.v}`);
}

/** Reads the `CREATE TABLE` statements among `texts`: `CREATE TABLE [IF NOT EXISTS] name (col Type [NOT NULL], ..., PRIMARY KEY (...), INDEX n GLOBAL [SYNC|ASYNC] ON (...))`. */
export function parseSchema(texts: readonly string[]): Schema {
  const schema: Schema = new Map();
  for (const text of texts) {
    for (const st of statements(tokenize(text))) {
      // other DDL (ALTER TABLE ... SET partitioning, CREATE TOPIC) does not change column types
      if (st[0]?.v.toUpperCase() !== 'CREATE' || st[1]?.v.toUpperCase() !== 'TABLE') continue;
      let i = 2;
      if (st[i]?.v.toUpperCase() === 'IF') {
        expectWord(st, i++, 'IF');
        expectWord(st, i++, 'NOT');
        expectWord(st, i++, 'EXISTS');
      }
      const name = st[i++]!.v;
      if (schema.has(name)) throw new SyntaxError(`table ${name} is created twice`);
      const def: TableDef = { columns: new Map(), primaryKey: [], indexes: new Map() };
      schema.set(name, def);
      if (st[i++]?.v !== '(') throw new SyntaxError(`expected ( after ${name}`);
      const list = (): string[] => {
        if (st[i++]?.v !== '(') throw new SyntaxError('expected (');
        const names: string[] = [];
        while (st[i] && st[i]!.v !== ')') {
          if (st[i]!.v !== ',') names.push(st[i]!.v);
          i++;
        }
        i++;
        return names;
      };
      while (i < st.length && st[i]!.v !== ')') {
        const head = st[i]!.v.toUpperCase();
        if (head === ',') {
          i++;
        } else if (head === 'PRIMARY') {
          i += 2;
          def.primaryKey.push(...list());
        } else if (head === 'INDEX') {
          const idx = st[i + 1]!.v;
          i += 2;
          while (st[i] && st[i]!.v.toUpperCase() !== 'ON') i++;
          i++;
          def.indexes.set(idx, list());
        } else {
          const col = st[i++]!.v;
          let type = '';
          while (st[i] && st[i]!.v !== ',' && st[i]!.v !== ')' && st[i]!.v.toUpperCase() !== 'NOT') type += st[i++]!.v;
          let notNull = false;
          if (st[i]?.v.toUpperCase() === 'NOT') {
            expectWord(st, i + 1, 'NULL');
            notNull = true;
            i += 2;
          }
          def.columns.set(col, { type, notNull });
        }
      }
    }
  }
  return schema;
}

/** The DDL texts a database starts with: any extra DDL, then every `NNNN_*.yql` of `dir`, in order. */
export function migrationTexts(dir: string, extraDdl: readonly string[] = []): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yql')).sort();
  return [...extraDdl, ...files.map((f) => readFileSync(join(dir, f), 'utf8'))];
}

/** The migrations' tables (every `NNNN_*.yql` of `dir`, in order) plus any extra DDL. */
export function loadSchema(dir: string, extraDdl: readonly string[] = []): Schema {
  return parseSchema(migrationTexts(dir, extraDdl));
}

/** [first, last] token indexes of the comma-separated items in [from, to). */
export function commaItems(st: readonly Token[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const v = st[i]!.v;
    if (v === '(') depth++;
    if (v === ')') depth--;
    if (v === ',' && depth === 0) {
      if (i > start) out.push([start, i - 1]);
      start = i + 1;
    }
  }
  if (to > start) out.push([start, to - 1]);
  return out;
}
