// Integration: the acceptance end to end. The bundled sample exports of the seed's
// seven periods are ingested in order through the ingest handler (s3rver, SQLite); each
// PeriodChanged it publishes goes to the aggregate handler as a YMQ message; the regional
// table rendered from the stored aggregates equals the seed's table cell for cell.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { aggregateHandler } from '../../../../functions/aggregate/handler.ts';
import { ingestHandler } from '../../../../functions/ingest/handler.ts';
import { SqliteAggregateStore } from '../../../../shared/adapters/sqlite/aggregate-store.ts';
import { SqliteAlertStore } from '../../../../shared/adapters/sqlite/alert-store.ts';
import { formatCell, regionalTable } from '../../../../shared/domain/report.ts';
import { evaluatePeriod } from '../../../../shared/domain/evaluate.ts';
import { defaultTargets, targetsFor } from '../../../../shared/domain/targets.ts';
import { buildReference } from '../../../../shared/runtime/reference.ts';
import { renderCsv } from '../../../../shared/formats/csv/report.ts';
import { CollectingSink } from '../../../support/aggregate.ts';
import { parseCsv } from '../../../support/csv.ts';
import { seedTable } from '../../../support/seed-document.ts';
import { functionContext, loadEvent } from '../../../support/events.ts';
import { startIngestEnv } from '../../../support/ingest-env.ts';

type Manifest = { prefix: string; files: { name: string }[] };
const samplesDir = fileURLToPath(new URL('../../../../events/samples/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${samplesDir}manifest.json`, 'utf8')) as Manifest;

describe('samples through ingest and aggregate', () => {
  test('the rendered regional table equals the seed table, and the chat target is at risk from the third week', async () => {
    // Prepare
    await using env = await startIngestEnv();
    const aggregates = new SqliteAggregateStore(env.db);
    const sink = new CollectingSink();
    const deps = {
      snapshots: env.snapshots,
      aggregates,
      alerts: new SqliteAlertStore(env.db),
      sink,
      targets: defaultTargets().config,
      municipalities: buildReference().municipalities,
      clock: { nowMs: () => Date.parse('2023-04-10T09:00:00Z') },
      log: env.logs.log,
    };
    // Act: ingest each file, then hand its PeriodChanged events to the aggregate function
    for (const f of manifest.files) {
      await env.upload(`${manifest.prefix}${f.name}`, readFileSync(`${samplesDir}${f.name}`));
      const from = env.published.length;
      await ingestHandler(loadEvent(`samples/events/${f.name}.json`), functionContext(), env.deps());
      const bodies = env.published.slice(from).map((e) => JSON.stringify(e));
      if (bodies.length === 0) continue;
      await aggregateHandler(
        {
          messages: bodies.map((body, i) => ({
            event_metadata: { event_id: `${f.name}-${i}`, event_type: 'yandex.cloud.events.messagequeue.QueueMessage', created_at: '2023-04-10T09:00:00Z' },
            details: { queue_id: 'yrn:yc:ymq:ru-central1:b1g:period-changed', message: { message_id: `${f.name}-${i}`, body } },
          })),
        },
        functionContext(),
        deps,
      );
    }
    const periods = await aggregates.periods('26');
    const regionRows = await Promise.all(periods.map(async (p) => (await aggregates.readPeriod('26', p))[0]!));
    const table = regionalTable(regionRows);
    // Assess
    expect(periods).toHaveLength(7);
    // every sample week has all 33 municipalities in both tables, whatever mix of files supplied them
    const completeness = await aggregates.completeness('26');
    expect(completeness.map((c) => [c.period, c.completeness.state, c.completeness.schools.reported, c.completeness.municipalities.reported])).toEqual(
      periods.map((p) => [p, 'complete', 33, 33]),
    );
    expect([table.headers.slice(), ...table.rows.map((r) => r.map(formatCell))]).toEqual(seedTable());
    expect(parseCsv(renderCsv(table).slice(1))).toEqual(seedTable());
    const chat = sink.events.filter((e) => e.scope.level === 'region' && e.target?.id === 'teachers_chat_creators');
    expect(chat.map((e) => [e.type, e.period.label])).toEqual([['at_risk', '06.03-10.03.2023']]);

    // Plausibility on the ministry's own figures: teachers in Sferum above teachers (18 013 of
    // 17 218) stays a warning, in the region and in its schools; nothing else is above its
    // total, and no evaluation of any scope in any week is held for review.
    const all = await Promise.all(periods.map((p) => aggregates.readPeriod('26', p)));
    const codes = new Set(all.flat().flatMap((r) => r.warnings.map((w) => `${w.level}:${w.code}`)));
    expect(codes).toContain('scope:warn.teachers_in_sferum_above_total');
    expect(codes).toContain('school:warn.teachers_in_sferum_above_total');
    expect([...codes].filter((c) => c.endsWith('count_above_total'))).toEqual([]);
    expect(regionRows.every((r) => r.values.teachers_in_sferum_share! > 1)).toBe(true);
    const statuses = all.flatMap((rows, i) =>
      evaluatePeriod({ current: rows, history: all.slice(0, i).map((h, k) => ({ period: periods[k]!, rows: h })), targetsFor: (s) => targetsFor(defaultTargets().config, '26', s) }),
    );
    expect(statuses.length).toBeGreaterThan(7 * 6);
    expect(statuses.filter((e) => e.status === 'needs_review')).toEqual([]);
    // the regional registration targets stay breached (617 of 636 schools, 31 of 33 МОУО, due 2022)
    const first = statuses.filter((e) => e.scope.level === 'region' && e.period.start === '2023-02-20');
    expect(Object.fromEntries(first.map((e) => [e.target.id, e.status]))).toMatchObject({ schools_registered: 'breach', mouo_registered: 'breach', teachers_chat_creators: 'pending' });
  });
});
