// Test support: what YDB refuses in one transaction, checked on the statements a client
// actually sent (recorded by the fake driver or the wire server), grouped by transaction.
// The rule from YDB's data-modification limits the adapters keep: a table is not read after
// the transaction has modified it. (A table with a secondary index modified twice in one
// transaction was refused before YDB 23.3; serverless YDB runs later versions, and
// replacePeriod relies on it — AGGREGATE_REPLACE_PERIOD deletes and upserts aggregate_metrics.) A DELETE or UPDATE with WHERE reads its table; `… ON SELECT` and
// UPSERT/INSERT do not (beyond the rows they write).
import { splitStatements } from '../../../../shared/adapters/ydb/migrate.ts';
import type { FakeCall } from '../../../support/ydb-results.ts';

type Access = { readonly table: string; readonly kind: 'read' | 'write' };

/** The tables one statement reads and writes, in the order it touches them. */
export function accesses(statement: string): Access[] {
  const s = statement.replace(/\s+/g, ' ').trim();
  const out: Access[] = [];
  const reads = (text: string) => {
    for (const m of text.matchAll(/\bFROM (\w+)/gi)) if (m[1]!.toUpperCase() !== 'AS_TABLE') out.push({ table: m[1]!, kind: 'read' });
  };
  let m: RegExpExecArray | null;
  if ((m = /^(?:UPSERT|INSERT|REPLACE) INTO (\w+) (.*)$/i.exec(s))) {
    reads(m[2]!);
    out.push({ table: m[1]!, kind: 'write' });
  } else if ((m = /^DELETE FROM (\w+) ON (.*)$/i.exec(s)) || (m = /^UPDATE (\w+) ON (.*)$/i.exec(s))) {
    reads(m[2]!);
    out.push({ table: m[1]!, kind: 'write' });
  } else if ((m = /^DELETE FROM (\w+) WHERE (.*)$/i.exec(s)) || (m = /^UPDATE (\w+) SET .* WHERE (.*)$/i.exec(s))) {
    out.push({ table: m[1]!, kind: 'read' });
    reads(m[2]!);
    out.push({ table: m[1]!, kind: 'write' });
  } else if (/^SELECT /i.test(s)) {
    for (const v of s.matchAll(/\bFROM (\w+)/gi)) out.push({ table: v[1]!, kind: 'read' });
  }
  return out;
}

/** Every violation in one transaction's statement texts, in order. */
export function violations(texts: readonly string[]): string[] {
  const modified = new Map<string, number>();
  const problems: string[] = [];
  for (const text of texts) {
    for (const st of splitStatements(text).filter((x) => !/^DECLARE /i.test(x))) {
      for (const a of accesses(st)) {
        if (a.kind === 'read' && modified.has(a.table)) problems.push(`reads ${a.table} after modifying it`);
        if (a.kind === 'write') modified.set(a.table, (modified.get(a.table) ?? 0) + 1);
      }
    }
  }
  return problems;
}

/** The statement texts of each transaction a client sent, from begin to commit. */
export function transactions(calls: readonly FakeCall[]): string[][] {
  const out: string[][] = [];
  const open = new Map<string, string[]>();
  let begun = 0;
  for (const c of calls) {
    if (c.rpc !== 'executeQuery' || !c.tx) continue;
    const [sel, commit] = c.tx.split('+');
    let texts: string[];
    if (sel!.startsWith('begin:')) {
      texts = [];
      out.push(texts);
      open.set(`tx${++begun}`, texts);
    } else texts = open.get(sel!.slice(3)) ?? [];
    texts.push(c.text!);
    void commit;
  }
  return out;
}
