// Adapter support: the two Signature V4 computations the upload page needs — a POST policy's
// signature and a presigned GET — written over node:crypto. @smithy/signature-v4 did the
// same and brought ~200 KiB of @smithy/@aws-sdk code into the api bundle, compiled and run
// on every cold start of a function whose only S3 work is these two HMACs
// (BENCHMARKS.md, "Cold start"). test/unit/adapters/sigv4.test.ts holds them equal to
// @smithy/signature-v4's output; the upload test posts a signed form to the local storage.
// Spec: docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html and
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

/** SHA-256 of an empty body: a GET's payload hash. */
const EMPTY_SHA256 = createHash('sha256').digest('hex');

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
  const stringToSign = [ALGORITHM, date, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  const signature = hmacHex(signingKey(req.creds.secretAccessKey, date, req.region, 's3'), stringToSign);
  return `${req.url.origin}${req.path}?${new URLSearchParams([...query, ['X-Amz-Signature', signature]]).toString()}`;
}
