// Unit: route parameters; a bad value is an error naming its parameter.
import { describe, expect, test } from 'vitest';
import { encodeCursor, parseParams, RouteParams } from '../../../shared/api/params.ts';

const fail = (r: { ok: boolean; error?: { parameter: string; message: string } }) => (r.ok ? null : r.error!);

describe('period parameters', () => {
  test('a period key parses into start and end', () => {
    const r = parseParams(RouteParams.period, { region: '26', period: '2023-03-06..2023-03-10' }, {});
    expect(r).toEqual({ ok: true, value: { region: '26', period: { start: '2023-03-06', end: '2023-03-10' } } });
  });

  test.each(['2023-03-06', '2023-03-06..', '2023-03-10..2023-03-06', '2023-02-30..2023-03-03', '06.03-10.03.2023', '2023-03-06...2023-03-10'])('period %s is a 400 naming period', (period) => {
    const e = fail(parseParams(RouteParams.period, { region: '26', period }, {}));
    expect(e?.parameter).toBe('period');
    expect(e?.message).toMatch(/^period: /);
  });

  test('a region that is not two digits names region', () => {
    expect(fail(parseParams(RouteParams.periods, { region: 'stavropol' }, {}))?.parameter).toBe('region');
  });
});

describe('timeseries parameters', () => {
  test('scope defaults to region', () => {
    const r = parseParams(RouteParams.timeseries, { region: '26' }, { metric: 'teachers_msg3_share' });
    expect(r.ok && r.value.scope).toBe('region');
  });

  test('an unknown metric names metric and lists the ids', () => {
    const e = fail(parseParams(RouteParams.timeseries, { region: '26' }, { metric: 'teachers_msg5' }));
    expect(e?.parameter).toBe('metric');
    expect(e?.message).toContain('teachers_msg3_share');
  });

  test('a missing metric names metric', () => {
    expect(fail(parseParams(RouteParams.timeseries, { region: '26' }, {}))?.parameter).toBe('metric');
  });

  test('a scope with characters outside an id names scope', () => {
    expect(fail(parseParams(RouteParams.timeseries, { region: '26' }, { metric: 'teachers_total', scope: '../x' }))?.parameter).toBe('scope');
  });

  test('a path parameter is not overridden by a query parameter of the same name', () => {
    const r = parseParams(RouteParams.timeseries, { region: '26' }, { region: '77', metric: 'teachers_total' });
    expect(r.ok && r.value.region).toBe('26');
  });
});

describe('report parameters', () => {
  test('from and to are optional calendar dates', () => {
    expect(parseParams(RouteParams.report, { region: '26' }, {}).ok).toBe(true);
    expect(parseParams(RouteParams.report, { region: '26' }, { from: '2023-03-01', to: '2023-03-31' }).ok).toBe(true);
    expect(fail(parseParams(RouteParams.report, { region: '26' }, { from: '2023-13-01' }))?.parameter).toBe('from');
  });

  test('to before from names to', () => {
    expect(fail(parseParams(RouteParams.report, { region: '26' }, { from: '2023-03-10', to: '2023-03-01' }))?.parameter).toBe('to');
  });
});

describe('alerts parameters', () => {
  test('state is one of the alert statuses', () => {
    expect(parseParams(RouteParams.alerts, { region: '26' }, { state: 'breach' }).ok).toBe(true);
    expect(fail(parseParams(RouteParams.alerts, { region: '26' }, { state: 'open' }))?.parameter).toBe('state');
  });
});

describe('uploads parameters', () => {
  test('limit is 1..100', () => {
    expect(parseParams(RouteParams.uploads, {}, { limit: '100' })).toEqual({ ok: true, value: { limit: 100 } });
    for (const limit of ['0', '101', '-1', '1.5', 'ten', '']) expect(fail(parseParams(RouteParams.uploads, {}, { limit }))?.parameter).toBe('limit');
  });

  test('a cursor this API encoded parses back', () => {
    const cursor = encodeCursor({ v: 1, before: 1234 });
    expect(parseParams(RouteParams.uploads, {}, { cursor })).toEqual({ ok: true, value: { cursor: { v: 1, before: 1234 } } });
  });

  test.each(['abc', '!!!', Buffer.from('{"v":2,"before":3}').toString('base64url'), Buffer.from('{"v":1,"before":-3}').toString('base64url')])('cursor %s is a 400 naming cursor', (cursor) => {
    expect(fail(parseParams(RouteParams.uploads, {}, { cursor }))?.parameter).toBe('cursor');
  });
});
