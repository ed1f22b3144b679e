// Pure: the API's route table and path matching. This table is the single list of what
// the function serves: the OpenAPI spec (infra/api/openapi.yaml) is checked against it in
// both directions, and the local HTTP adapter uses it to fill the gateway's `resource` and
// path parameters. Each API route names the roles whose keys may call it; the dashboard's
// page and assets are public (the page asks for a key before it calls anything).
import { z } from 'zod';

export const Role = z.enum(['reader', 'dashboard', 'uploader']);
export type Role = z.infer<typeof Role>;

export type RouteName =
  | 'dashboard_page'
  | 'dashboard_asset'
  | 'periods'
  | 'period'
  | 'sources'
  | 'timeseries'
  | 'report_csv'
  | 'report_xlsx'
  | 'report_pptx'
  | 'inactive_schools'
  | 'alerts'
  | 'uploads'
  | 'upload'
  | 'upload_page'
  | 'upload_create'
  | 'template_csv'
  | 'template_xlsx';

export type Route = {
  readonly name: RouteName;
  readonly method: 'GET' | 'POST';
  /** OpenAPI path template: literal segments and `{param}` segments */
  readonly path: string;
  /** 'public', or the roles allowed to call it */
  readonly access: 'public' | readonly Role[];
};

const ALL: readonly Role[] = ['reader', 'dashboard'];
const READER: readonly Role[] = ['reader'];

export const ROUTES: readonly Route[] = [
  { name: 'dashboard_page', method: 'GET', path: '/', access: 'public' },
  { name: 'dashboard_asset', method: 'GET', path: '/assets/{asset}', access: 'public' },
  { name: 'periods', method: 'GET', path: '/v1/regions/{region}/periods', access: ALL },
  { name: 'period', method: 'GET', path: '/v1/regions/{region}/periods/{period}', access: ALL },
  { name: 'sources', method: 'GET', path: '/v1/regions/{region}/periods/{period}/sources', access: ALL },
  { name: 'timeseries', method: 'GET', path: '/v1/regions/{region}/timeseries', access: ALL },
  { name: 'report_csv', method: 'GET', path: '/v1/regions/{region}/report.csv', access: ALL },
  { name: 'report_xlsx', method: 'GET', path: '/v1/regions/{region}/report.xlsx', access: ALL },
  { name: 'report_pptx', method: 'GET', path: '/v1/regions/{region}/report.pptx', access: ALL },
  { name: 'inactive_schools', method: 'GET', path: '/v1/regions/{region}/inactive-schools', access: ALL },
  { name: 'alerts', method: 'GET', path: '/v1/regions/{region}/alerts', access: READER },
  // officials (dashboard keys) see which uploads stand behind the figures, and why one was refused
  { name: 'uploads', method: 'GET', path: '/v1/uploads', access: ALL },
  { name: 'upload', method: 'GET', path: '/v1/uploads/{id}', access: ALL },
  // the admins' upload page (public like the dashboard's; it asks for an uploader key)
  { name: 'upload_page', method: 'GET', path: '/upload', access: 'public' },
  { name: 'upload_create', method: 'POST', path: '/v1/regions/{region}/uploads', access: ['uploader'] },
  // the export template: headers and one example row, no data of anyone's, so public like the pages
  { name: 'template_csv', method: 'GET', path: '/v1/regions/{region}/template.csv', access: 'public' },
  { name: 'template_xlsx', method: 'GET', path: '/v1/regions/{region}/template.xlsx', access: 'public' },
];

/**
 * The URL path of a route with its path parameters filled in (percent-encoded) and an
 * optional query, so a link anywhere in the project is built from this table, never typed.
 */
export function routeUrl(name: RouteName, params: Readonly<Record<string, string>> = {}, query: Readonly<Record<string, string>> = {}): string {
  const route = ROUTES.find((r) => r.name === name);
  if (!route) throw new RangeError(`no route named ${name}`);
  const path = route.path.replace(/\{(\w+)\}/g, (_whole, key: string) => {
    const value = params[key];
    if (value === undefined || value === '') throw new RangeError(`route ${name} needs the path parameter ${key}`);
    return encodeURIComponent(value);
  });
  const qs = new URLSearchParams(query).toString();
  return qs ? `${path}?${qs}` : path;
}

export type RouteMatch =
  | { readonly kind: 'match'; readonly route: Route; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'method_not_allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not_found' };

const segments = (path: string): string[] => (path === '' || path === '/' ? [] : path.replace(/^\//, '').split('/'));

/** A template's segments, parsed once per template: a literal, or the name of a `{param}`. */
type Segment = { readonly literal: string } | { readonly param: string };
const compiled = new Map<string, readonly Segment[]>();
function compile(template: string): readonly Segment[] {
  let c = compiled.get(template);
  if (!c) {
    c = segments(template).map((w): Segment => {
      const name = /^\{(\w+)\}$/.exec(w)?.[1];
      return name === undefined ? { literal: w } : { param: name };
    });
    compiled.set(template, c);
  }
  return c;
}

/** Matches a template against a path; null when it does not fit or a segment is badly encoded. */
export function matchTemplate(template: string, path: string): Record<string, string> | null {
  return matchSegments(compile(template), segments(path));
}

function matchSegments(want: readonly Segment[], got: readonly string[]): Record<string, string> | null {
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if ('literal' in w) {
      if (w.literal !== g) return null;
      continue;
    }
    if (g === '') return null;
    try {
      params[w.param] = decodeURIComponent(g);
    } catch {
      return null;
    }
  }
  return params;
}

/**
 * The route of a request. A literal route wins over a parameter route of the same shape
 * (none overlap today; the order of the table decides if one ever does).
 */
export function matchRoute(method: string, path: string, routes: readonly Route[] = ROUTES): RouteMatch {
  // every request passes here: the path is split once, each template parsed once per process
  const got = segments(path);
  const fitting = routes.flatMap((route) => {
    const params = matchSegments(compile(route.path), got);
    return params ? [{ route, params }] : [];
  });
  if (fitting.length === 0) return { kind: 'not_found' };
  const hit = fitting.find((f) => f.route.method === method.toUpperCase());
  if (!hit) return { kind: 'method_not_allowed', allowed: [...new Set(fitting.map((f) => f.route.method))] };
  return { kind: 'match', route: hit.route, params: hit.params };
}
