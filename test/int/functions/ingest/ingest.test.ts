// Integration: the ingest handler invoked with real Yandex Object Storage event JSON,
// reading from s3rver over HTTP and writing a real SQLite file. Redelivery, ACL edits and
// deletions, concurrent invocations, a crash's lease, mixed batches, newer-upload-wins and
// hostile headers, plus the contract's replacement rule and hostile inputs.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ingestHandler } from '../../../../functions/ingest/handler.ts';
import stavropol from '../../../../shared/domain/data/municipalities-26.json' with { type: 'json' };
import { buildReference } from '../../../../shared/runtime/reference.ts';
import { IssueCode, TransientError } from '../../../../shared/domain/errors.ts';
import { BatchRetryError } from '../../../../shared/runtime/batch.ts';
import { inn, P1, SCHOOLS_CSV_HEADER as HEADER, schoolsCsv as csv } from '../../../support/builders.ts';
import { functionContext, storageEvent } from '../../../support/events.ts';
import { withOverrides } from '../../../support/faults.ts';
import { startIngestEnv, type IngestEnv } from '../../../support/ingest-env.ts';
import { TEST_BUCKET } from '../../../support/s3.ts';

function row(o: { period?: string; mouo?: string; name?: string; inn?: string; teachers?: number | string }): string {
  return [o.period ?? '06.03-10.03.2023', o.mouo ?? 'Буденновский МО', o.name ?? 'МБОУ СОШ № 1', o.inn ?? inn(1), 'да', 'да', o.teachers ?? 40, 38, 500, 400].join(';');
}


async function invoke(env: IngestEnv, keys: string[], type: 'ObjectCreate' | 'ObjectUpdate' | 'ObjectDelete' = 'ObjectCreate', over = {}) {
  return ingestHandler(storageEvent(TEST_BUCKET, keys, type), functionContext(), env.deps(over));
}

function ledgerRows(env: IngestEnv) {
  return env.db.prepare('SELECT upload_id, status, report_status, lease_until_ms FROM upload_ledger ORDER BY sequence').all() as {
    upload_id: string;
    status: string;
    report_status: string | null;
    lease_until_ms: number | null;
  }[];
}

function dump(env: IngestEnv) {
  return {
    schools: env.db.prepare('SELECT * FROM school_snapshot ORDER BY batch_id, school_key').all(),
    pointers: env.db.prepare('SELECT * FROM current_batch ORDER BY municipality_id').all(),
    ledger: env.db.prepare('SELECT upload_id, status, report_json FROM upload_ledger ORDER BY sequence').all(),
  };
}

describe('ingest handler', () => {
  test('a valid export is staged, committed, reported and handed to aggregate', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/schools.csv';
    await env.upload(key, csv([row({}), row({ inn: inn(2), name: 'МБОУ СОШ № 2', mouo: 'Курский район', teachers: '1 200' })]));

    const reply = await invoke(env, [key]);

    expect(JSON.parse(reply.body)).toEqual([expect.objectContaining({ kind: 'ingested', status: 'accepted' })]);
    const rows = await env.snapshots.currentSchools('26', P1);
    expect(rows.map((r) => [r.municipality_id, r.teachers_total])).toEqual([
      ['budennovsky', 40],
      ['kursky', 1200],
    ]);
    const report = await env.report(key);
    expect(report).toMatchObject({ status: 'accepted', encoding: 'utf-8', delimiter: ';', region: '26', rows: { accepted: 2, rejected: 0 }, periods: [P1] });
    expect(await env.ledger.getReport(report!.upload_id)).toEqual(report);
    expect(env.published).toEqual([{ type: 'period_changed', region: '26', period: P1, upload_id: report!.upload_id, changed_at: report!.completed_at }]);
  });

  test('a bad row is rejected with file, row, column and value; the rest is ingested', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/with-bad-row.csv';
    const badInn = `${inn(3).slice(0, 9)}${(Number(inn(3)[9]) + 1) % 10}`;
    await env.upload(key, csv([row({}), row({ inn: badInn, name: 'Школа с ошибкой' }), row({ inn: inn(4), name: 'Ещё школа', teachers: '-5' })]));

    await invoke(env, [key]);

    const report = await env.report(key);
    expect(report?.status).toBe('partial');
    expect(report?.rows).toEqual({ accepted: 1, rejected: 2 });
    expect(report?.errors.map((e) => [e.file, e.row, e.column, e.value, e.code])).toEqual([
      [key, 3, 'ИНН', badInn, IssueCode.BadInn],
      [key, 4, 'Педагогов всего', '-5', IssueCode.BadCount],
    ]);
    expect(await env.snapshots.currentSchools('26', P1)).toHaveLength(1);
  });

  test('the same event delivered twice does the work once', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/dup.csv';
    await env.upload(key, csv([row({})]));
    await invoke(env, [key]);
    const before = dump(env);

    const second = await invoke(env, [key]);

    expect(JSON.parse(second.body)[0].kind).toBe('duplicate');
    expect(dump(env)).toEqual(before);
    expect(ledgerRows(env).map((r) => r.status)).toEqual(['completed']);
    expect(env.published).toHaveLength(1);
  });

  test('a re-upload of identical bytes leaves the store unchanged', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/same.csv';
    const body = csv([row({})]);
    await env.upload(key, body);
    await invoke(env, [key]);
    const before = dump(env);

    await env.upload(key, body);
    await invoke(env, [key]);

    expect(dump(env)).toEqual(before);
    expect(env.published).toHaveLength(1);
  });

  test('an ACL edit (ObjectUpdate) and a deletion do nothing', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/acl.csv';
    await env.upload(key, csv([row({})]));

    const update = await invoke(env, [key], 'ObjectUpdate');
    const del = await invoke(env, [key], 'ObjectDelete');

    expect(JSON.parse(update.body)[0]).toEqual({ kind: 'ignored', event_type: 'yandex.cloud.events.storage.ObjectUpdate' });
    expect(JSON.parse(del.body)[0].kind).toBe('ignored');
    expect(ledgerRows(env)).toEqual([]);
    expect(await env.snapshots.periods('26')).toEqual([]);
    expect(env.published).toEqual([]);
  });

  test('keys outside the upload prefix are skipped', async () => {
    await using env = await startIngestEnv();
    await env.upload('reports/x.csv', csv([row({})]));
    const reply = await invoke(env, ['reports/x.csv']);
    expect(JSON.parse(reply.body)[0]).toEqual({ kind: 'skipped', reason: 'outside_prefix' });
    expect(ledgerRows(env)).toEqual([]);
  });

  test('two concurrent invocations for one object: exactly one ingests', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/race.csv';
    await env.upload(key, csv([row({})]));

    const settled = await Promise.allSettled([invoke(env, [key]), invoke(env, [key])]);

    const kinds = settled.map((s) => (s.status === 'fulfilled' ? JSON.parse(s.value.body)[0].kind : 'retry'));
    expect(kinds.filter((k) => k === 'ingested')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'ingested' || k === 'duplicate' || k === 'retry')).toHaveLength(2);
    const rejected = settled.find((s) => s.status === 'rejected');
    if (rejected?.status === 'rejected') expect(rejected.reason).toBeInstanceOf(BatchRetryError);
    expect(ledgerRows(env).map((r) => r.status)).toEqual(['completed']);
    expect(env.published).toHaveLength(1);
  });

  test('a crash with zero remaining time leaves a minimum lease that expires', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/crash.csv';
    await env.upload(key, csv([row({})]));
    const t0 = env.clock.nowMs();
    // The process "dies" mid-ingest: staging throws and the lease is never given back.
    const dying = withOverrides(env.ledger, { release: async () => undefined });
    const crash = withOverrides(env.snapshots, { stageSchoolRows: async () => Promise.reject(new TransientError('killed')) });
    await expect(
      ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(0), env.deps({ ledger: dying, snapshots: crash })),
    ).rejects.toBeInstanceOf(BatchRetryError);
    expect(ledgerRows(env)[0]?.lease_until_ms).toBe(t0 + 30_000);

    env.clock.set(t0 + 30_000 - 1);
    await expect(ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(0), env.deps())).rejects.toBeInstanceOf(BatchRetryError);
    env.clock.set(t0 + 30_000 + 1);
    const reply = await ingestHandler(storageEvent(TEST_BUCKET, [key]), functionContext(0), env.deps());

    expect(JSON.parse(reply.body)[0].kind).toBe('ingested');
    expect(await env.snapshots.currentSchools('26', P1)).toHaveLength(1);
  });

  test('a batch of good, bad and transiently failing objects', async () => {
    await using env = await startIngestEnv();
    await env.upload('uploads/26/a-good.csv', csv([row({})]));
    await env.upload('uploads/26/b-bad.csv', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x10]));
    await env.upload('uploads/26/c-flaky.csv', csv([row({ inn: inn(9), name: 'Третья', mouo: 'Курский МО' })]));
    let failures = 1;
    const objects = env.s3.store;
    const flaky = withOverrides(objects, {
      get: async (b: string, k: string) => {
        if (k.includes('c-flaky') && failures-- > 0) throw new TransientError('object storage 503');
        return objects.get(b, k);
      },
    });
    const keys = ['uploads/26/a-good.csv', 'uploads/26/b-bad.csv', 'uploads/26/c-flaky.csv'];

    await expect(invoke(env, keys, 'ObjectCreate', { objects: flaky })).rejects.toBeInstanceOf(BatchRetryError);
    expect((await env.report('uploads/26/a-good.csv'))?.status).toBe('accepted');
    expect((await env.report('uploads/26/b-bad.csv'))?.file_error?.code).toBe(IssueCode.UnsupportedFormat);
    expect(await env.report('uploads/26/c-flaky.csv')).toBeNull();

    const redelivery = await invoke(env, keys, 'ObjectCreate', { objects: flaky });

    expect(JSON.parse(redelivery.body).map((r: { kind: string }) => r.kind)).toEqual(['duplicate', 'duplicate', 'ingested']);
    expect((await env.snapshots.currentSchools('26', P1)).map((r) => r.municipality_id).sort()).toEqual(['budennovsky', 'kursky']);
  });

  test('a newer upload processed before an older one wins; the older is superseded', async () => {
    await using env = await startIngestEnv();
    await env.upload('uploads/26/older.csv', csv([row({ teachers: 10 })]));
    await new Promise((r) => setTimeout(r, 1100)); // s3rver's LastModified has one-second resolution
    await env.upload('uploads/26/newer.csv', csv([row({ teachers: 20 })]));

    await invoke(env, ['uploads/26/newer.csv']);
    const published = env.published.length;
    await invoke(env, ['uploads/26/older.csv']);

    expect((await env.snapshots.currentSchools('26', P1))[0]?.teachers_total).toBe(20);
    expect((await env.report('uploads/26/older.csv'))?.status).toBe('superseded');
    expect(env.published).toHaveLength(published);
  });

  test('a corrected upload for one municipality replaces only its rows', async () => {
    await using env = await startIngestEnv();
    await env.upload('uploads/26/full.csv', csv([row({}), row({ inn: inn(2), name: 'Курская школа', mouo: 'Курский МО', teachers: 30 })]));
    await invoke(env, ['uploads/26/full.csv']);
    await new Promise((r) => setTimeout(r, 1100));
    await env.upload('uploads/26/kursky-fix.csv', csv([row({ inn: inn(2), name: 'Курская школа', mouo: 'Курский муниципальный округ', teachers: 33 })]));

    await invoke(env, ['uploads/26/kursky-fix.csv']);

    const rows = await env.snapshots.currentSchools('26', P1);
    expect(rows.map((r) => [r.municipality_id, r.teachers_total])).toEqual([
      ['budennovsky', 40],
      ['kursky', 33],
    ]);
  });
});

describe('ingest handler on hostile input', () => {
  const cases: [string, string | Uint8Array, string][] = [
    ['empty.csv', '', IssueCode.EmptyFile],
    ['header-only.csv', `${HEADER}\r\n`, IssueCode.NoDataRows],
    ['binary.csv', Buffer.from([0x00, 0x13, 0x37, 0x00, 0xff, 0xfe, 0x00]), IssueCode.UnsupportedFormat],
    ['wide.csv', `${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(';')}\r\n${'1;'.repeat(9_999)}1\r\n`, IssueCode.TooManyColumns],
    ['no-inn.csv', csv(['06.03-10.03.2023;Буденновский МО;Школа;да;да;1;1;1;1'], HEADER.replace(';ИНН', '')), IssueCode.MissingColumn],
    ['no-period.csv', csv(['Буденновский МО;Школа;2634000001;да;да;1;1;1;1'], HEADER.replace('Период;', '')), IssueCode.NoPeriod],
  ];
  for (const [name, body, code] of cases) {
    test(`${name} is one file-level error with nothing written`, async () => {
      await using env = await startIngestEnv();
      const key = `uploads/26/${name}`;
      await env.upload(key, body);

      const reply = await invoke(env, [key]);

      expect(JSON.parse(reply.body)[0].status).toBe('rejected');
      const report = await env.report(key);
      expect(report?.file_error).toMatchObject({ code, file: key });
      expect(report?.errors).toHaveLength(1);
      expect(env.db.prepare('SELECT COUNT(*) AS n FROM school_snapshot').get()).toEqual({ n: 0 });
      expect(env.db.prepare('SELECT COUNT(*) AS n FROM current_batch').get()).toEqual({ n: 0 });
      expect(env.published).toEqual([]);
    });
  }

  test('a file mixing regions is rejected at the first row of the second region, nothing written', async () => {
    await using env = await startIngestEnv();
    const ref = buildReference([
      stavropol,
      { region: { code: '07', name: 'Кабардино-Балкарская Республика' }, municipalities: [{ id: 'nalchik', name: 'город Нальчик', status: 'городской округ' }] },
    ]);
    const key = 'uploads/national.csv';
    const rows = [`26;${row({})}`, `26;${row({ inn: inn(2), name: 'Школа 2' })}`, `07;${row({ inn: inn(3), name: 'Школа 3', mouo: 'город Нальчик' })}`, `26;${row({ inn: inn(4), name: 'Школа 4' })}`];
    await env.upload(key, csv(rows, `Регион;${HEADER}`));

    await invoke(env, [key], 'ObjectCreate', { matchers: ref.matchers, knownRegions: ref.knownRegions, settings: { ...env.deps().settings, defaultRegion: null, stageBatchRows: 1 } });

    const report = await env.report(key);
    expect(report?.status).toBe('rejected');
    expect(report?.file_error).toMatchObject({ code: IssueCode.UnknownRegion, file: key, row: 4, column: 'Регион', value: '07' });
    expect(report?.file_error?.message).toContain('26');
    expect(env.db.prepare('SELECT COUNT(*) AS n FROM school_snapshot').get()).toEqual({ n: 0 });
    expect(env.published).toEqual([]);
  });

  test('more rows than the limit is a file-level error naming it', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/long.csv';
    await env.upload(key, csv(Array.from({ length: 30 }, (_, i) => row({ inn: inn(i + 1), name: `Школа ${i}` }))));

    await invoke(env, [key], 'ObjectCreate', { settings: { ...env.deps().settings, stageBatchRows: 5, limits: { maxRows: 20 } } });

    const report = await env.report(key);
    expect(report?.file_error?.code).toBe(IssueCode.TooManyRows);
    expect(report?.file_error?.message).toContain('20');
    expect(env.db.prepare('SELECT COUNT(*) AS n FROM school_snapshot').get()).toEqual({ n: 0 });
    expect(await env.snapshots.periods('26')).toEqual([]);
  });

  test('a workbook over the XLSX byte limit is rejected before it is parsed', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/big.xlsx';
    await env.upload(key, readFileSync(new URL('../../../../events/samples/01_sferum_20.02-22.02.2023.xlsx', import.meta.url)));

    await invoke(env, [key], 'ObjectCreate', { settings: { ...env.deps().settings, limits: { xlsx: { maxBytes: 10_000 } } } });

    const report = await env.report(key);
    expect(report?.file_error).toMatchObject({ code: IssueCode.TooLarge, file: key });
    expect(report?.file_error?.message).toContain('10000');
    expect(report?.format).toBe('xlsx');
    expect(env.db.prepare('SELECT COUNT(*) AS n FROM school_snapshot').get()).toEqual({ n: 0 });
  });

  test('hostile and personal-data headers are warnings; their values are stored nowhere', async () => {
    await using env = await startIngestEnv();
    const key = 'uploads/26/hostile-headers.csv';
    const secret = 'Иванова Мария Петровна SECRET-4711';
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    await env.upload(key, csv([`${row({})};polluted;ctor;${secret}`], `${HEADER};__proto__;constructor;ФИО`));

    await invoke(env, [key]);

    const report = await env.report(key);
    expect(report?.status).toBe('accepted');
    expect(report?.warnings.filter((w) => w.code === IssueCode.UnknownColumn).map((w) => w.column)).toEqual(['__proto__', 'constructor', 'ФИО']);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(await env.snapshots.currentSchools('26', P1)).toHaveLength(1);
    env.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(env.dbPath).includes(Buffer.from('SECRET-4711'))).toBe(false);
    expect(JSON.stringify(report)).not.toContain('SECRET-4711');
    expect(env.logs.lines.join('\n')).not.toContain('SECRET-4711');
  });
});
