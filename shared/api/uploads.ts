// The upload routes, without transport: GET /upload serves the admins' upload page, and
// POST /v1/regions/{region}/uploads hands an `uploader` key a signed form for one object
// under uploads/<region>/ (its municipality's folder for a municipality key) with a size
// limit and a short expiry, plus a presigned GET for the report ingest will write. The
// file goes from the browser to Object Storage; the API never handles it, and it holds no
// credential that could do more than such a form (docs/deploy.md).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { reportKeyOf } from '../domain/upload-report.ts';
import { uploadKeyFor } from '../domain/upload-scope.ts';
import type { Logger } from '../ports/logger.ts';
import type { UploadForms } from '../ports/upload-forms.ts';
import type { DashboardAssets } from './pages/assets.ts';
import { pageCsp, renderUploadPage } from './pages/html.ts';
import type { Principal } from './auth.ts';
import type { ApiRequest, ApiResponse } from './http.ts';
import { apiError, json, page } from './responses.ts';

export type UploadSettings = {
  readonly forms: UploadForms;
  /** origin of the Object Storage endpoint the browser posts to (for the page's CSP) */
  readonly storageOrigin: string;
  readonly uploadPrefix: string;
  readonly reportPrefix: string;
  readonly maxBytes: number;
  /** how long the form and the report URL are valid */
  readonly expiresInS: number;
  readonly now?: () => Date;
};

export type UploadDeps = {
  /** null: uploads are not configured (no signing key); the routes answer 503 */
  readonly uploads?: UploadSettings | null;
  readonly regions: ReadonlyMap<string, { readonly name: string; readonly municipalities: readonly { readonly id: string; readonly name: string }[] }>;
  readonly defaultRegion: string;
  readonly dashboard: DashboardAssets | null;
  readonly log: Logger;
};

const Body = z.object({ file_name: z.string().min(1).max(255) }).strict();

export function uploadPage(deps: UploadDeps): ApiResponse {
  if (!deps.dashboard) return apiError(503, 'unavailable', 'the dashboard is not built: run npm run build');
  const region = deps.regions.get(deps.defaultRegion);
  const html = renderUploadPage({ region: deps.defaultRegion, regionName: region?.name ?? deps.defaultRegion, assetVersion: deps.dashboard.version });
  return page(html, pageCsp(deps.uploads ? [deps.uploads.storageOrigin] : []));
}

export async function createUpload(req: ApiRequest, region: string, principal: Principal, deps: UploadDeps): Promise<ApiResponse> {
  const settings = deps.uploads;
  if (!settings) return apiError(503, 'unavailable', 'uploads are not configured: set ACCESS_KEY_SECRET_ID (or a static key) and EXPORTS_BUCKET for the api function');
  const ref = deps.regions.get(region);
  if (!ref) return apiError(404, 'region_not_found', `region: no region ${region} is configured`, { parameter: 'region' });
  const scope = principal.kind === 'key' ? principal.scope : undefined;
  if (!scope || scope.region !== region) return apiError(403, 'forbidden', `this key may upload to region ${scope?.region ?? '(none)'} only`);
  if (scope.municipality !== null && !ref.municipalities.some((m) => m.id === scope.municipality)) {
    return apiError(403, 'forbidden', `this key's municipality ${scope.municipality} is not in region ${region}'s reference list`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(req.body ?? '');
  } catch {
    return apiError(400, 'bad_request', 'send a JSON body {"file_name": "<name>.csv|.xlsx"}');
  }
  const body = Body.safeParse(raw);
  if (!body.success) return apiError(400, 'bad_request', 'send a JSON body {"file_name": "<name>.csv|.xlsx"}');
  if (!/\.(csv|xlsx)$/i.test(body.data.file_name)) return apiError(400, 'invalid_parameter', 'file_name: an export is a .csv or .xlsx file', { parameter: 'file_name' });

  const now = settings.now?.() ?? new Date();
  const expiresAt = new Date(now.getTime() + settings.expiresInS * 1000);
  const key = uploadKeyFor(settings.uploadPrefix, scope, body.data.file_name, now, randomBytes(6).toString('hex'));
  const reportKey = reportKeyOf(settings.reportPrefix, key);
  const [form, reportUrl] = await Promise.all([
    settings.forms.postForm({ key, maxBytes: settings.maxBytes, now, expiresAt, ...(principal.kind === 'key' ? { uploader: principal.name } : {}) }),
    // the report comes after the upload and its ingest: the URL outlives the form a little
    settings.forms.presignedGet({ key: reportKey, now, expiresInS: settings.expiresInS * 2 }),
  ]);
  deps.log.info('api.upload_form', { key, region, municipality: scope.municipality, max_bytes: settings.maxBytes });
  return json(201, {
    key,
    region,
    municipality: scope.municipality,
    // the page names the key's municipality in its own words, as the reference writes it
    municipality_name: scope.municipality === null ? null : (ref.municipalities.find((m) => m.id === scope.municipality)?.name ?? null),
    region_name: ref.name,
    form: { url: form.url, fields: form.fields, max_bytes: settings.maxBytes, expires_at: expiresAt.toISOString() },
    report: { key: reportKey, url: reportUrl, expires_at: new Date(now.getTime() + settings.expiresInS * 2000).toISOString() },
  });
}
