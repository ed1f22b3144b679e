// Integration: every response comes from one state of the store. Two writers run
// while the API is polled: the real aggregate function recomputing periods (delete and
// re-insert of a period's rows, deltas of the next period, alert state), and a second
// connection in a worker thread that flips every period of the region between two
// versions in one transaction, as a pointer flip does. A response that read some periods
// before a flip and some after would show both versions.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PeriodBody } from '../../../../shared/api/views.ts';
import { parseCsv } from '../../../support/csv.ts';
import { samplesApi, type SampleStore, type SamplesApi } from '../../../support/api.ts';

let api: SamplesApi;
let store: SampleStore;
const get = (path: string) => api.get(path);
const SHIFT = 100_000;

// A writer on its own connection: each transaction moves `teachers_in_sferum` of every row
// of the region, in every period, up or down by SHIFT.
const FLIPPER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const stop = new Int32Array(workerData.stop);
const shift = db.prepare("UPDATE aggregate_metrics SET teachers_in_sferum = teachers_in_sferum + ? WHERE region = '26'");
const flip = db.transaction((d) => shift.run(d));
let flips = 0;
while (Atomics.load(stop, 0) === 0) { flip(flips % 2 === 0 ? workerData.shift : -workerData.shift); flips++; }
if (flips % 2 === 1) flip(-workerData.shift);
db.close();
parentPort.postMessage(flips);
`;

beforeAll(async () => {
  api = await samplesApi();
  store = api.store;
});

afterAll(() => api?.close());

describe('consistency while writers run', () => {
  test('recomputing every period through the aggregate function never changes or breaks an answer', async () => {
    const periodPath = '/v1/regions/26/periods/2023-03-13..2023-03-17';
    const baseline = { period: (await get(periodPath)).body, csv: (await get('/v1/regions/26/report.csv')).body };
    let running = true;
    let recomputes = 0;
    const writer = (async () => {
      for (let round = 0; round < 5; round++) {
        for (const change of store.changes) {
          await store.aggregate(change, `re-${recomputes}`);
          recomputes++;
        }
      }
      running = false;
    })();
    let polls = 0;
    while (running) {
      const [p, c] = await Promise.all([get(periodPath), get('/v1/regions/26/report.csv')]);
      expect(p.statusCode).toBe(200);
      expect(p.body).toBe(baseline.period);
      expect(c.body).toBe(baseline.csv);
      polls++;
    }
    await writer;
    expect(recomputes).toBeGreaterThan(20);
    expect(polls).toBeGreaterThan(5);
  });

  test('while another connection flips every period at once, each answer shows one version', async () => {
    const base = parseCsv((await get('/v1/regions/26/report.csv')).body.slice(1)).slice(1);
    const baseValue = base.map((r) => Number(r[6]!.replace(/\s/g, '')));
    const basePeriod = PeriodBody.parse(JSON.parse((await get('/v1/regions/26/periods/2023-03-13..2023-03-17')).body));
    const stop = new SharedArrayBuffer(4);
    const worker = new Worker(FLIPPER, {
      eval: true,
      workerData: { sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), path: store.env.dbPath, stop, shift: SHIFT },
    });
    const flipped = new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const versions = { csv: new Set<number>(), period: new Set<number>() };
    try {
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        const csv = parseCsv((await get('/v1/regions/26/report.csv')).body.slice(1)).slice(1);
        const shifts = csv.map((r, i) => Number(r[6]!.replace(/\s/g, '')) - baseValue[i]!);
        // all seven periods moved together, or none did
        expect(new Set(shifts).size, `periods of one CSV answer in different versions: ${shifts.join(',')}`).toBe(1);
        expect([0, SHIFT]).toContain(shifts[0]);
        versions.csv.add(shifts[0]!);

        const p = PeriodBody.parse(JSON.parse((await get('/v1/regions/26/periods/2023-03-13..2023-03-17')).body));
        const rows = [p.regional, ...p.municipalities];
        const before = [basePeriod.regional, ...basePeriod.municipalities];
        const moved = new Set(rows.map((r, i) => r.metrics.teachers_in_sferum! - before[i]!.metrics.teachers_in_sferum!));
        expect(moved.size).toBe(1);
        versions.period.add([...moved][0]!);
      }
    } finally {
      Atomics.store(new Int32Array(stop), 0, 1);
    }
    const flips = await flipped;
    expect(flips).toBeGreaterThan(10);
    // both versions were seen, so the polling really overlapped the flips
    expect([...versions.csv].sort()).toEqual([0, SHIFT]);
    expect([...versions.period].sort()).toEqual([0, SHIFT]);
  });
});
