// Adapter support: the Signature V4 computations the project makes itself — the upload
// page's POST policy signature and presigned GET (s3/upload-forms.ts), and the Message Queue
// publisher's signed request (ymq/queue-publisher.ts) — written over node:crypto.
// @smithy/signature-v4 did the same and brought ~200 KiB of @smithy/@aws-sdk code into
// bundles whose only AWS work is these HMACs, compiled and run on every cold start
// (BENCHMARKS.md, "Cold start of the api"). test/unit/adapters/sigv4.test.ts holds each equal
// to @smithy/signature-v4's output; the upload test posts a signed form to the local storage.
// Spec: docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
// docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html and
// sigv4-HTTPPOSTConstructPolicy.html.
import { createHash, createHmac } from 'node:crypto';

export type SigningKey = { readonly accessKeyId: string; readonly secretAccessKey: string };

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** `20230306T090000Z`, the SigV4 timestamp. */
export const amzDate = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** `<day>/<region>/<service>/aws4_request` for a `amzDate` timestamp. */
export const credentialScope = (date: string, region: string, service: string): string => `${date.slice(0, 8)}/${region}/${service}/aws4_request`;

/** The day's signing key: HMAC chain over the date, region, service and the terminator. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const day = createHmac('sha256', `AWS4${secretAccessKey}`).update(date.slice(0, 8)).digest();
  const reg = createHmac('sha256', day).update(region).digest();
  const svc = createHmac('sha256', reg).update(service).digest();
  return createHmac('sha256', svc).update('aws4_request').digest();
}

const hmacHex = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');

/** The hex HMAC of a base64 POST policy under the day's S3 signing key. */
export function postPolicySignature(encodedPolicy: string, creds: SigningKey, date: string, region: string): string {
  return hmacHex(signingKey(creds.secretAccessKey, date, region, 's3'), encodedPolicy);
}

/** RFC 3986 percent-encoding, as SigV4 canonicalises query keys and values. */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** SHA-256 of an empty body: a GET's payload hash. */
const EMPTY_SHA256 = sha256Hex('');

/** `AWS4-HMAC-SHA256\n<date>\n<scope>\n<hash of the canonical request>`, signed with the day's key. */
function signature(canonicalRequest: string, secretAccessKey: string, date: string, region: string, service: string): string {
  const stringToSign = [ALGORITHM, date, credentialScope(date, region, service), sha256Hex(canonicalRequest)].join('\n');
  return hmacHex(signingKey(secretAccessKey, date, region, service), stringToSign);
}

/**
 * A presigned GET of `path` (already percent-encoded, as it goes on the URL) on `url`'s host,
 * valid for `expiresInS` from `now`, signed for `host` only.
 */
export function presignGet(req: { url: URL; path: string; creds: SigningKey; region: string; now: Date; expiresInS: number }): string {
  const date = amzDate(req.now);
  const scope = credentialScope(date, req.region, 's3');
  const query: [string, string][] = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${req.creds.accessKeyId}/${scope}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(req.expiresInS)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const canonicalQuery = query
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const canonicalRequest = ['GET', req.path, canonicalQuery, `host:${req.url.host}\n`, 'host', EMPTY_SHA256].join('\n');
  const sig = signature(canonicalRequest, req.creds.secretAccessKey, date, req.region, 's3');
  return `${req.url.origin}${req.path}?${new URLSearchParams([...query, ['X-Amz-Signature', sig]]).toString()}`;
}

/**
 * The headers of a signed POST of `body` to `url` (no query string) for a non-S3 service:
 * `headers` plus host, x-amz-date, x-amz-content-sha256 (and x-amz-security-token for a
 * temporary key) and Authorization, every one of them signed. The path is escaped once more, as SigV4 wants for every service but S3.
 */
export function signedPostHeaders(req: {
  url: URL;
  headers: Readonly<Record<string, string>>;
  body: string;
  creds: SigningKey & { readonly sessionToken?: string | undefined };
  region: string;
  service: string;
  now: Date;
}): Record<string, string> {
  const date = amzDate(req.now);
  const payloadHash = sha256Hex(req.body);
  const token: Record<string, string> = req.creds.sessionToken ? { 'x-amz-security-token': req.creds.sessionToken } : {};
  const headers: Record<string, string> = { ...req.headers, host: req.url.host, 'x-amz-date': date, ...token, 'x-amz-content-sha256': payloadHash };
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const value = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)![1].trim().replace(/\s+/g, ' ');
  const segments = req.url.pathname.split('/').filter((seg) => seg !== '');
  const path = `/${segments.map(rfc3986).join('/')}${segments.length > 0 && req.url.pathname.endsWith('/') ? '/' : ''}`;
  const canonicalRequest = ['POST', path, '', ...names.map((n) => `${n}:${value(n)}`), '', names.join(';'), payloadHash].join('\n');
  const sig = signature(canonicalRequest, req.creds.secretAccessKey, date, req.region, req.service);
  return {
    ...headers,
    authorization: `${ALGORITHM} Credential=${req.creds.accessKeyId}/${credentialScope(date, req.region, req.service)}, SignedHeaders=${names.join(';')}, Signature=${sig}`,
  };
}
