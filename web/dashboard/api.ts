// Browser: the dashboard's calls to the read API, with the key in `X-API-Key`. The key
// lives in sessionStorage only (gone when the tab closes) and never in a URL the page
// keeps: a `?key=` the page was opened with is moved to storage and removed from the
// address bar at once.
import type { InactiveSchoolsBody, PeriodBody, PeriodsBody, SourcesBody, TimeseriesBody, UploadsBody } from '../../shared/api/views.ts';
import type { MetricId, UploadReport } from '../../shared/domain/schemas.ts';

const STORAGE_KEY = 'sferum-pulse.api-key';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export function takeKeyFromUrl(): void {
  const url = new URL(window.location.href);
  const key = url.searchParams.get('key');
  if (key === null) return;
  if (key.trim() !== '') sessionStorage.setItem(STORAGE_KEY, key.trim());
  url.searchParams.delete('key');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

export const storedKey = (): string | null => sessionStorage.getItem(STORAGE_KEY);
export const storeKey = (key: string): void => sessionStorage.setItem(STORAGE_KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(STORAGE_KEY);

async function call(path: string): Promise<Response> {
  const key = storedKey();
  const res = await fetch(path, { headers: key ? { 'X-API-Key': key } : {}, cache: 'no-store', credentials: 'omit' });
  if (res.ok) return res;
  let code = 'http_error';
  let message = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiFailure(res.status, code, message);
}

const getJson = async <T>(path: string): Promise<T> => (await (await call(path)).json()) as T;
const enc = encodeURIComponent;

/**
 * Answers kept for the current view: the week selector, the table, the ranking and the
 * municipality view all read the same period body, and each chart the same series, so a
 * view asks the API for each at most once. A failed answer is dropped, so a retry asks again.
 * `resetView` starts a new view (a new login, a reload of the page).
 */
const memo = new Map<string, Promise<unknown>>();
function viewJson<T>(path: string): Promise<T> {
  let hit = memo.get(path) as Promise<T> | undefined;
  if (!hit) {
    hit = getJson<T>(path);
    memo.set(path, hit);
    hit.catch(() => memo.delete(path));
  }
  return hit;
}
export const resetView = (): void => memo.clear();

export type DocumentFormat = 'csv' | 'xlsx' | 'pptx';

export const api = {
  periods: (region: string) => viewJson<PeriodsBody>(`v1/regions/${enc(region)}/periods`),
  period: (region: string, key: string) => viewJson<PeriodBody>(`v1/regions/${enc(region)}/periods/${enc(key)}`),
  timeseries: (region: string, metric: MetricId, scope = 'region') =>
    viewJson<TimeseriesBody>(`v1/regions/${enc(region)}/timeseries?metric=${enc(metric)}&scope=${enc(scope)}`),
  /** the action list of the week starting on `start` */
  inactiveSchools: (region: string, start: string) => viewJson<InactiveSchoolsBody>(`v1/regions/${enc(region)}/inactive-schools?from=${enc(start)}&to=${enc(start)}`),
  /** where a week's figures come from; with a municipality, its school rows with upload and row */
  sources: (region: string, key: string, municipality: string | null) =>
    viewJson<SourcesBody>(`v1/regions/${enc(region)}/periods/${enc(key)}/sources${municipality ? `?municipality=${enc(municipality)}` : ''}`),
  uploads: (cursor: string | null, limit = 20) => getJson<UploadsBody>(`v1/uploads?limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  upload: (id: string) => viewJson<UploadReport>(`v1/uploads/${enc(id)}`),
  /** A document of the weeks up to the one starting on `to`, as a Blob (a link cannot send the key header). */
  report: async (region: string, format: DocumentFormat, to: string) => (await call(`v1/regions/${enc(region)}/report.${format}?to=${enc(to)}`)).blob(),
};
