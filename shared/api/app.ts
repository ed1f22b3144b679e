// The API's request handling, independent of the transport: route → key → parameters →
// one snapshot read → response. It reads only through the ReadModel port, and every read
// of one request happens inside one `snapshot`, so a response never mixes two states of
// the store (test/int/functions/api/consistency.test.ts). Lists are complete (periods, timeseries, alerts) or paged with a
// cursor (uploads). Logs carry the route, status, duration and the key's name — never
// the key, a header or a query string.
import type { AlertState } from '../domain/alerts.ts';
import { inactiveSchoolsTable } from '../domain/report.ts';
import type { Scope } from '../domain/events.ts';
import { metricAppliesTo } from '../domain/metrics.ts';
import { TREND_WINDOW } from '../domain/evaluate.ts';
import { periodKey, type UploadReport } from '../domain/schemas.ts';
import type { TargetsConfig } from '../domain/targets.ts';
import type { Logger } from '../ports/logger.ts';
import type { ReadModel, ReadView } from '../ports/read-model.ts';
import { renderCsv } from '../formats/csv/report.ts';
import { renderReportPptx } from '../formats/pptx/report.ts';
import { renderReportXlsx } from '../formats/xlsx/report.ts';
import { templateCsv, templateXlsx } from '../formats/template.ts';
import { schoolWeek } from '../domain/reporting-week.ts';
import { exampleInn, uploadTemplate, type TemplateTable } from '../domain/upload-template.ts';
import type { DashboardAssets } from './pages/assets.ts';
import { renderPage } from './pages/html.ts';
import { authenticate, decideAccess, type ApiKeyEntry, type Principal } from './auth.ts';
import type { ApiRequest, ApiResponse } from './http.ts';
import { DEFAULT_PAGE, encodeCursor, parseParams, RouteParams, type ParamError } from './params.ts';
import { apiError, asset, CONTENT_TYPE, download, json, page } from './responses.ts';
import type { ResponseCache } from './response-cache.ts';
import { documentName, readInactiveSchools, readReportDocument, resolveRequest, weeksInRange, type ApiRegion, type RequestProblem } from './report.ts';
import { matchRoute, type Route } from '../domain/routes.ts';
import { createUpload, uploadPage, type UploadDeps } from './uploads.ts';
import { completenessLookup, historyPeriods, inactiveSchoolsBody, periodBody, periodsBody, sourcesBody, timeseriesBody, uploadsPage, type AlertsBody, type CompletenessOf } from './views.ts';

export type { ApiRegion } from './report.ts';

export type ApiDeps = UploadDeps & {
  readonly read: ReadModel;
  readonly keys: readonly ApiKeyEntry[];
  readonly targets: TargetsConfig;
  readonly regions: ReadonlyMap<string, ApiRegion>;
  /** the region the dashboard shows */
  readonly defaultRegion: string;
  /** null when the assets were not built (a source run without them): `/` answers 503 */
  readonly dashboard: DashboardAssets | null;
  readonly log: Logger;
  /** responses reused while the store state is unchanged; absent: every request is rebuilt */
  readonly cache?: ResponseCache;
};

/** Earlier periods read beyond the trend's: provisional weeks among them (at most the last few before their deadline) are skipped. */
const WINDOW_SLACK = 4;

const badParam = (e: ParamError) => apiError(400, 'invalid_parameter', e.message, { parameter: e.parameter });

export async function handleApiRequest(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const started = performance.now();
  const match = matchRoute(req.method, req.path);
  let principal: Principal = { kind: 'missing' };
  let response: ApiResponse;
  let routeName = '-';
  try {
    if (match.kind === 'not_found') response = apiError(404, 'not_found', 'no such route');
    else if (match.kind === 'method_not_allowed') {
      response = apiError(405, 'method_not_allowed', `use ${match.allowed.join(', ')}`, { headers: { Allow: match.allowed.join(', ') } });
    } else {
      routeName = match.route.name;
      principal = match.route.access === 'public' ? principal : authenticate(req.headers, deps.keys);
      const access = decideAccess(match.route, principal);
      if (access.kind === 'unauthenticated') {
        response = apiError(401, 'unauthenticated', access.reason === 'missing' ? 'send an API key in X-API-Key or Authorization: Bearer' : 'unknown API key', {
          headers: { 'WWW-Authenticate': 'Bearer realm="sferum-pulse"' },
        });
      } else if (access.kind === 'forbidden') {
        response = apiError(403, 'forbidden', `a "${access.role}" key may not call ${match.route.method} ${match.route.path}`);
      } else {
        response = await dispatch(match.route, match.params, req, deps, principal);
      }
    }
  } catch (err) {
    // A store failure: the client gets no detail, the log gets the error's class and code.
    deps.log.error('api.failed', { route: routeName, request_id: req.requestId, error: err instanceof Error ? err : String(err) });
    response = apiError(500, 'internal', 'the request failed; try again');
  }
  deps.log.info('api.request', {
    method: req.method,
    route: routeName,
    status: response.statusCode,
    ms: Math.round(performance.now() - started),
    key: principal.kind === 'key' ? principal.name : null,
    request_id: req.requestId,
  });
  return response;
}

async function dispatch(route: Route, path: Readonly<Record<string, string>>, req: ApiRequest, deps: ApiDeps, principal: Principal): Promise<ApiResponse> {
  const q = req.query;
  switch (route.name) {
    case 'upload_page':
      return uploadPage(deps);
    case 'upload_create':
      return createUpload(req, path['region'] ?? '', principal, deps);
    case 'template_csv':
    case 'template_xlsx': {
      const code = path['region'] ?? '';
      const region = deps.regions.get(code);
      if (!region) return regionNotFound(code);
      const tables = templateFor(code, region, new Date());
      const name = `sferum-template-${code}`;
      if (route.name === 'template_csv') return download(`${name}.csv`, CONTENT_TYPE.csv, templateCsv(tables));
      return download(`${name}.xlsx`, CONTENT_TYPE.xlsx, await templateXlsx(tables));
    }
    case 'dashboard_page': {
      if (!deps.dashboard) return apiError(503, 'unavailable', 'the dashboard is not built: run npm run build');
      const region = deps.regions.get(deps.defaultRegion);
      return page(renderPage({ region: deps.defaultRegion, regionName: region?.name ?? deps.defaultRegion, assetVersion: deps.dashboard.version }));
    }
    case 'dashboard_asset': {
      const file = deps.dashboard?.files.get(path['asset'] ?? '');
      if (!file) return apiError(404, 'not_found', 'no such asset');
      return asset(file.contentType, file.body, file.etag, req.headers['if-none-match']);
    }
    case 'periods': {
      const p = parseParams(RouteParams.periods, path, q);
      if (!p.ok) return badParam(p.error);
      if (!deps.regions.has(p.value.region)) return regionNotFound(p.value.region);
      return readResponse(deps, req, p.value.region, async (v) => {
        return json(200, periodsBody(p.value.region, await v.periods(p.value.region), await completenessOf(v, deps, p.value.region)));
      });
    }
    case 'period': {
      const p = parseParams(RouteParams.period, path, q);
      if (!p.ok) return badParam(p.error);
      const { region, period } = p.value;
      if (!deps.regions.has(region)) return regionNotFound(region);
      return readResponse(deps, req, region, async (v) => {
        // the period and its trend window in one read, without listing the region's periods;
        // a few periods more than the trend uses, since provisional weeks are not judged
        const window = await v.periodWindow(region, period, TREND_WINDOW - 1 + WINDOW_SLACK);
        if (window.rows.length === 0) return apiError(404, 'period_not_found', `no aggregates for period ${periodKey(period)} in region ${region}`);
        // the window's own completeness: the period and its history are all it is asked about
        const completeness = completenessLookup(window.completeness, deps.regions.get(region)?.municipalities ?? []);
        const judged = new Set(historyPeriods(window.history.map((h) => h.period), period, completeness).map(periodKey));
        const history = window.history.filter((h) => judged.has(periodKey(h.period)));
        return json(200, periodBody({ region, period, rows: window.rows, history, alerts: await v.alerts(region), targets: deps.targets, completeness }));
      });
    }
    case 'sources': {
      const p = parseParams(RouteParams.sources, path, q);
      if (!p.ok) return badParam(p.error);
      const { region, period, municipality } = p.value;
      const ref = deps.regions.get(region);
      if (!ref) return regionNotFound(region);
      if (municipality !== undefined && !ref.municipalities.some((m) => m.id === municipality)) {
        return apiError(404, 'scope_not_found', `municipality: no municipality "${municipality}" in region ${region}`, { parameter: 'municipality' });
      }
      return readResponse(deps, req, region, async (v) => {
        const inForce = await v.inForce(region, period);
        if (inForce.length === 0) return apiError(404, 'period_not_found', `no data for period ${periodKey(period)} in region ${region}`);
        // the uploads in force, then back through each report's replacements of the period
        const reports = new Map<string, UploadReport>();
        let wanted = [...new Set(inForce.map((u) => u.uploadId))];
        while (wanted.length > 0) {
          const next: string[] = [];
          for (const id of wanted) {
            const r = await v.report(id);
            if (!r) continue;
            reports.set(id, r);
            for (const x of r.replacements) if (periodKey(x.period) === periodKey(period) && !reports.has(x.replaced_upload_id)) next.push(x.replaced_upload_id);
          }
          wanted = [...new Set(next)].filter((id) => !reports.has(id));
        }
        const schools = municipality === undefined ? [] : await v.schoolSources(region, period, municipality);
        return json(200, sourcesBody({ region, period, completeness: await completenessOf(v, deps, region), reference: ref.municipalities, inForce, reports, schools }));
      });
    }
    case 'timeseries': {
      const p = parseParams(RouteParams.timeseries, path, q);
      if (!p.ok) return badParam(p.error);
      const { region, metric } = p.value;
      const ref = deps.regions.get(region);
      if (!ref) return regionNotFound(region);
      const scope: Scope | null =
        p.value.scope === 'region'
          ? { level: 'region', id: region, name: ref.name }
          : ((m) => (m ? { level: 'municipality' as const, id: m.id, name: m.name } : null))(ref.municipalities.find((m) => m.id === p.value.scope));
      if (!scope) return apiError(404, 'scope_not_found', `scope: no municipality "${p.value.scope}" in region ${region}`, { parameter: 'scope' });
      if (!metricAppliesTo(metric, scope.level)) return badParam({ parameter: 'metric', message: `metric: ${metric} exists for the region only` });
      return readResponse(deps, req, region, async (v) =>
        json(200, timeseriesBody({ region, metric, scope, points: await v.timeseries(region, metric, scope), targets: deps.targets, completeness: await completenessOf(v, deps, region) })),
      );
    }
    case 'report_csv':
    case 'report_xlsx':
    case 'report_pptx': {
      const r = resolveRequest(RouteParams.report, path, q, deps.regions);
      if (!r.ok) return requestProblem(r.error);
      const { region, value } = r;
      return readResponse(deps, req, region.code, async (v) => {
        const doc = await readReportDocument(v, region, value, deps.targets, new Date(), route.name === 'report_csv' ? 'regional' : 'all');
        const name = documentName(region.code, doc.weeks, value);
        if (route.name === 'report_csv') return download(`${name}.csv`, CONTENT_TYPE.csv, renderCsv(doc.regional));
        if (route.name === 'report_xlsx') return download(`${name}.xlsx`, CONTENT_TYPE.xlsx, await renderReportXlsx(doc));
        return download(`${name}.pptx`, CONTENT_TYPE.pptx, await renderReportPptx(doc));
      });
    }
    case 'inactive_schools': {
      const r = resolveRequest(RouteParams.inactiveSchools, path, q, deps.regions);
      if (!r.ok) return requestProblem(r.error);
      const { region, value } = r;
      return readResponse(deps, req, region.code, async (v) => {
        const week = (await weeksInRange(v, region.code, value)).at(-1);
        if (!week) return apiError(404, 'period_not_found', `no aggregated week starts between ${value.from ?? 'the first'} and ${value.to ?? 'the last'} in region ${region.code}`);
        const list = await readInactiveSchools(v, region, week);
        // the week's completeness alone, not every period's
        const completeness = completenessLookup(await v.completeness(region.code, { from: week.start, to: week.start }), region.municipalities);
        if (value.format === 'json') return json(200, inactiveSchoolsBody(region.code, list, completeness));
        return download(`${documentName(region.code, [week], value, 'inactive-schools')}.csv`, CONTENT_TYPE.csv, renderCsv(inactiveSchoolsTable(list)));
      });
    }
    case 'alerts': {
      const p = parseParams(RouteParams.alerts, path, q);
      if (!p.ok) return badParam(p.error);
      const { region, state } = p.value;
      if (!deps.regions.has(region)) return regionNotFound(region);
      return readResponse(deps, req, region, async (v) => {
        const alerts: AlertState[] = await v.alerts(region);
        const body: AlertsBody = { region, alerts: state ? alerts.filter((a) => a.status === state) : alerts };
        return json(200, body);
      });
    }
    case 'uploads': {
      const p = parseParams(RouteParams.uploads, path, q);
      if (!p.ok) return badParam(p.error);
      const limit = p.value.limit ?? DEFAULT_PAGE;
      const before = p.value.cursor?.before;
      // one item more than the page says whether another page exists
      return readResponse(deps, req, null, async (v) => {
        const fetched = await v.reports(before === undefined ? { limit: limit + 1 } : { limit: limit + 1, before });
        const regions = [...new Set(fetched.map((r) => r.report.region ?? deps.defaultRegion))];
        const lookups = new Map(await Promise.all(regions.map(async (code) => [code, await completenessOf(v, deps, code)] as const)));
        const completeness = (region: string | null): CompletenessOf => lookups.get(region ?? deps.defaultRegion)!;
        return json(200, uploadsPage(fetched, limit, (b) => encodeCursor({ v: 1, before: b }), completeness));
      });
    }
    case 'upload': {
      const p = parseParams(RouteParams.upload, path, q);
      if (!p.ok) return badParam(p.error);
      return readResponse(deps, req, null, async (v) => {
        const report = await v.report(p.value.id);
        return report ? json(200, report) : apiError(404, 'upload_not_found', `no completed upload ${p.value.id}`);
      });
    }
  }
}

/**
 * Builds a response from one snapshot read. With a cache, a 200 built earlier from the
 * same store state of `region` (null: a response about no one region) for the same request
 * (method, path, query) is returned instead.
 */
function readResponse(deps: ApiDeps, req: ApiRequest, region: string | null, build: (view: ReadView) => Promise<ApiResponse>): Promise<ApiResponse> {
  const cache = deps.cache;
  return deps.read.snapshot(async (view) => {
    const version = cache ? await view.version(region) : null;
    const key = version === null ? null : `${version} ${req.method} ${req.path}?${new URLSearchParams(Object.entries(req.query).sort()).toString()}`;
    const hit = key === null ? undefined : cache!.get(key);
    if (hit) return hit;
    const response = await build(view);
    if (key !== null && response.statusCode === 200) cache!.set(key, response);
    return response;
  });
}

/** The template of a region: last school week, the reference's first municipality, a valid INN of the region. */
function templateFor(code: string, region: Pick<ApiRegion, 'municipalities'>, now: Date): readonly TemplateTable[] {
  const municipality = region.municipalities[0]?.name ?? 'Наименование МОУО';
  return uploadTemplate({ period: schoolWeek(now.getTime(), 'previous'), municipality, inn: exampleInn(code) });
}

/** The stored completeness of a region's periods, read once per response. */
async function completenessOf(view: ReadView, deps: ApiDeps, region: string): Promise<CompletenessOf> {
  return completenessLookup(await view.completeness(region), deps.regions.get(region)?.municipalities ?? []);
}

function requestProblem(e: RequestProblem): ApiResponse {
  return apiError(e.status, e.code, e.message, { parameter: e.parameter });
}

function regionNotFound(region: string): ApiResponse {
  return apiError(404, 'region_not_found', `region: no region ${region} is configured`, { parameter: 'region' });
}
