// Unit: the route table and path matching.
import { describe, expect, test } from 'vitest';
import { matchRoute, matchTemplate, ROUTES, routeUrl } from '../../../shared/domain/routes.ts';

describe('matchRoute', () => {
  test.each([
    ['/', 'dashboard_page', {}],
    ['/assets/app.js', 'dashboard_asset', { asset: 'app.js' }],
    ['/v1/regions/26/periods', 'periods', { region: '26' }],
    ['/v1/regions/26/periods/2023-03-06..2023-03-10', 'period', { region: '26', period: '2023-03-06..2023-03-10' }],
    ['/v1/regions/26/timeseries', 'timeseries', { region: '26' }],
    ['/v1/regions/26/report.csv', 'report_csv', { region: '26' }],
    ['/v1/regions/26/report.xlsx', 'report_xlsx', { region: '26' }],
    ['/v1/regions/26/report.pptx', 'report_pptx', { region: '26' }],
    ['/v1/regions/26/inactive-schools', 'inactive_schools', { region: '26' }],
    ['/v1/regions/26/alerts', 'alerts', { region: '26' }],
    ['/v1/uploads', 'uploads', {}],
    ['/v1/uploads/up_0123abcd', 'upload', { id: 'up_0123abcd' }],
  ])('GET %s is route %s with its path parameters', (path, name, params) => {
    const m = matchRoute('GET', path);
    expect(m.kind === 'match' && m.route.name).toBe(name);
    expect(m.kind === 'match' && m.params).toEqual(params);
  });

  test('a path parameter is percent-decoded', () => {
    const m = matchRoute('GET', '/v1/uploads/a%3Ab');
    expect(m.kind === 'match' && m.params['id']).toBe('a:b');
  });

  test('a known path with another method is 405 listing GET', () => {
    expect(matchRoute('POST', '/v1/regions/26/periods')).toEqual({ kind: 'method_not_allowed', allowed: ['GET'] });
    expect(matchRoute('DELETE', '/v1/uploads/x')).toEqual({ kind: 'method_not_allowed', allowed: ['GET'] });
  });

  test('the method is compared case-insensitively', () => {
    expect(matchRoute('get', '/v1/uploads').kind).toBe('match');
  });

  test.each(['/v1/regions/26', '/v1/regions/26/periods/', '/v1/uploads/a/b', '/v2/uploads', '/assets', '/v1/regions//periods', '/v1/uploads/%E0%A4%A'])('%s is not found', (path) => {
    expect(matchRoute('GET', path).kind).toBe('not_found');
  });
});

describe('matchTemplate', () => {
  test('literal segments must be equal, parameter segments non-empty', () => {
    expect(matchTemplate('/a/{x}/c', '/a/b/c')).toEqual({ x: 'b' });
    expect(matchTemplate('/a/{x}/c', '/a/b/d')).toBeNull();
    expect(matchTemplate('/a/{x}', '/a/')).toBeNull();
  });
});

describe('ROUTES', () => {
  test('names and (method, path) pairs are unique, and only the pages and the export template are public', () => {
    expect(new Set(ROUTES.map((r) => r.name)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(ROUTES.length);
    expect(ROUTES.filter((r) => r.access === 'public').map((r) => r.name)).toEqual(['dashboard_page', 'dashboard_asset', 'upload_page', 'template_csv', 'template_xlsx']);
  });

  // officials see the uploads behind the figures (issue 23); the alert states stay the integrators'
  test('a dashboard key reads periods, their sources, timeseries, the report, the inactive schools and the uploads, not alerts', () => {
    const allowed = ROUTES.filter((r) => r.access !== 'public' && r.access.includes('dashboard')).map((r) => r.name);
    expect(allowed).toEqual(['periods', 'period', 'sources', 'timeseries', 'report_csv', 'report_xlsx', 'report_pptx', 'inactive_schools', 'uploads', 'upload']);
  });
});

describe('routeUrl', () => {
  test('every route built with parameters matches back to itself with the same parameters', () => {
    for (const r of ROUTES) {
      const names = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const params = Object.fromEntries(names.map((n) => [n, `${n} 1/ü`]));
      const url = routeUrl(r.name, params, { q: 'a b&c' });
      const [path, query] = url.split('?');
      const m = matchRoute(r.method, path!);
      expect(m, url).toMatchObject({ kind: 'match', route: { name: r.name }, params });
      expect(new URLSearchParams(query).get('q')).toBe('a b&c');
    }
  });

  test('a missing path parameter is an error, not a broken link', () => {
    expect(() => routeUrl('period', { region: '26' })).toThrow(/needs the path parameter period/);
    expect(routeUrl('dashboard_page')).toBe('/');
  });
});
