// Pure: the API's responses in the function response shape (the gateway's, `http.ts`):
// JSON with `{error: {code, message}}` for every failure, CSV as text, XLSX and PPTX base64. Every
// response carries nosniff and no-referrer; API data is `no-store`, since it is behind a key.
import type { ApiResponse } from './http.ts';
import { pageCsp } from './pages/html.ts';
import type { ErrorBody } from './views.ts';

const BASE: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export const CONTENT_TYPE = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
} as const;

export function json(statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): ApiResponse {
  return {
    statusCode,
    headers: { ...BASE, 'Content-Type': CONTENT_TYPE.json, 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

export type ErrorCode =
  | 'bad_request'
  | 'invalid_parameter'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'region_not_found'
  | 'period_not_found'
  | 'scope_not_found'
  | 'upload_not_found'
  | 'unavailable'
  | 'internal';

export function apiError(statusCode: number, code: ErrorCode, message: string, opts: { parameter?: string; headers?: Readonly<Record<string, string>> } = {}): ApiResponse {
  const body: ErrorBody = { error: { code, message, ...(opts.parameter ? { parameter: opts.parameter } : {}) } };
  return json(statusCode, body, opts.headers);
}

/** A download: `Content-Disposition: attachment` with an ASCII file name the caller built. */
export function download(filename: string, contentType: string, body: string | Uint8Array): ApiResponse {
  if (!/^[\w.-]+$/.test(filename)) throw new RangeError(`unsafe download file name ${JSON.stringify(filename)}`);
  const binary = typeof body !== 'string';
  return {
    statusCode: 200,
    headers: { ...BASE, 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${filename}"` },
    body: binary ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: binary,
  };
}

/** An HTML page under its Content-Security-Policy (`pageCsp`). */
export function page(html: string, csp: string = pageCsp()): ApiResponse {
  return {
    statusCode: 200,
    headers: { ...BASE, 'Content-Type': CONTENT_TYPE.html, 'Cache-Control': 'no-cache', 'Content-Security-Policy': csp, 'X-Frame-Options': 'DENY' },
    body: html,
    isBase64Encoded: false,
  };
}

export function asset(contentType: string, body: string, etag: string, ifNoneMatch: string | undefined): ApiResponse {
  const headers = { ...BASE, 'Content-Type': contentType, 'Cache-Control': 'public, max-age=300', ETag: etag };
  if (ifNoneMatch === etag) return { statusCode: 304, headers, body: '', isBase64Encoded: false };
  return { statusCode: 200, headers, body, isBase64Encoded: false };
}
