// Local runtime: browser uploads (S3 POST Object with a Signature V4 POST policy) checked
// the way Object Storage checks them, in front of s3rver, which accepts such a form without
// looking at its policy. A form passes when its signature is the policy's HMAC under the
// local key, the policy has not expired, every condition holds (exact fields, `eq`,
// `starts-with`, `content-length-range`) and every form field is covered by a condition;
// then the file is stored through s3rver's own PUT, so the ingest trigger fires as usual.
// Anything else is s3rver's to answer. The signature is checked with the AWS SDK's own
// signing key (@smithy/signature-v4), not with the api's signer (shared/adapters/sigv4.ts),
// so a form this accepts is one a second implementation agrees with.
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSigningKey } from '@smithy/signature-v4';

/** Bodies beyond this are refused before parsing (the policy's own limit applies after). */
const MAX_FORM_BYTES = 256 * 1024 * 1024;

type Koa = { method: string; path: string; req: IncomingMessage; status: number; body: unknown; set(k: string, v: string): void; get(k: string): string };

/** Checks a posted form against its policy; the key and the file when it passes. */
export async function checkPostForm(
  form: FormData,
  opts: { bucket: string; now: Date; accessKeyId: string; secretAccessKey: string },
): Promise<{ ok: true; key: string; file: File; metadata: Record<string, string> } | { ok: false; status: number; code: string; message: string }> {
  const deny = (code: string, message: string, status = 403) => ({ ok: false as const, status, code, message });
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v : null;
  };
  const file = form.get('file');
  const policyB64 = field('policy');
  const signature = field('x-amz-signature');
  const credential = field('x-amz-credential');
  const date = field('x-amz-date');
  if (!(file instanceof File) || !policyB64 || !signature || !credential || !date || field('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') {
    return deny('InvalidArgument', 'a POST upload needs policy, x-amz-algorithm AWS4-HMAC-SHA256, x-amz-credential, x-amz-date, x-amz-signature and file', 400);
  }
  const [keyId, day, region, service, terminator] = credential.split('/');
  if (keyId !== opts.accessKeyId || service !== 's3' || terminator !== 'aws4_request' || !region || day !== date.slice(0, 8)) return deny('InvalidAccessKeyId', 'unknown credential');
  const signingKey = await getSigningKey(Sha256, { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }, date.slice(0, 8), region, 's3');
  const expected = createHmac('sha256', signingKey).update(policyB64, 'utf8').digest('hex');
  if (expected !== signature) return deny('SignatureDoesNotMatch', 'the policy signature does not match');
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyB64, 'base64').toString('utf8')) as typeof policy;
  } catch {
    return deny('InvalidPolicyDocument', 'the policy is not JSON', 400);
  }
  if (typeof policy.expiration !== 'string' || !(Date.parse(policy.expiration) > opts.now.getTime())) return deny('AccessDenied', 'Invalid according to Policy: Policy expired.');
  if (!Array.isArray(policy.conditions)) return deny('InvalidPolicyDocument', 'the policy has no conditions', 400);
  const values = (name: string) => (name === 'bucket' ? opts.bucket : field(name));
  const covered = new Set<string>(['bucket']);
  for (const c of policy.conditions as unknown[]) {
    if (Array.isArray(c) && c[0] === 'content-length-range') {
      const [, min, max] = c as [string, number, number];
      if (file.size < min) return deny('EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size ${min}`, 400);
      if (file.size > max) return deny('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size ${max}`, 400);
      continue;
    }
    const [op, name, want] = Array.isArray(c) ? (c as [string, string, string]) : (['eq', `$${Object.keys(c as object)[0]}`, Object.values(c as object)[0]] as [string, string, string]);
    const f = name.replace(/^\$/, '').toLowerCase();
    covered.add(f);
    const got = values(f);
    const holds = op === 'eq' ? got === want : op === 'starts-with' ? got !== null && got.startsWith(want) : false;
    if (!holds) return deny('AccessDenied', `Invalid according to Policy: Policy Condition failed: ["${op}", "$${f}", "${want}"]`);
  }
  for (const name of new Set([...(form as unknown as { keys(): IterableIterator<string> }).keys()].map((k) => k.toLowerCase()))) {
    if (['policy', 'x-amz-signature', 'file'].includes(name) || name.startsWith('x-ignore-') || covered.has(name)) continue;
    return deny('AccessDenied', `Invalid according to Policy: Extra input fields: ${name}`);
  }
  // x-amz-meta-* fields become the object's metadata, as Object Storage stores them
  const metadata = Object.fromEntries(
    [...new Set([...(form as unknown as { keys(): IterableIterator<string> }).keys()].map((k) => k.toLowerCase()))].filter((k) => k.startsWith('x-amz-meta-')).map((k) => [k.slice('x-amz-meta-'.length), field(k)!]),
  );
  return { ok: true, key: field('key')!, file, metadata: metadata as Record<string, string> };
}

/** A Koa middleware for s3rver: POST /<bucket> forms are checked here, the rest passes on. */
export function postFormMiddleware(opts: { buckets: readonly string[]; client: () => S3Client; accessKeyId: string; secretAccessKey: string }) {
  return async (ctx: Koa, next: () => Promise<void>) => {
    const bucket = ctx.path.replace(/^\/+|\/+$/g, '');
    const cors = () => ctx.set('Access-Control-Allow-Origin', '*');
    if (ctx.method === 'OPTIONS' && opts.buckets.includes(bucket)) {
      cors();
      ctx.set('Access-Control-Allow-Methods', 'POST, GET');
      ctx.set('Access-Control-Allow-Headers', '*');
      ctx.status = 204;
      return;
    }
    if (ctx.method !== 'POST' || !opts.buckets.includes(bucket) || !ctx.get('content-type').startsWith('multipart/form-data')) return next();
    cors();
    const reply = (status: number, code: string, message: string) => {
      ctx.status = status;
      ctx.set('Content-Type', 'application/xml');
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[<&]/g, '')}</Message></Error>`;
    };
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > MAX_FORM_BYTES) return reply(400, 'EntityTooLarge', 'the form is larger than the local limit');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of ctx.req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_FORM_BYTES) return reply(400, 'EntityTooLarge', 'the form is larger than the local limit');
      chunks.push(c);
    }
    let form: FormData;
    try {
      form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': ctx.get('content-type') }, body: Buffer.concat(chunks) }).formData();
    } catch {
      return reply(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
    }
    const checked = await checkPostForm(form, { bucket, now: new Date(), accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey });
    if (!checked.ok) return reply(checked.status, checked.code, checked.message);
    await opts.client().send(
      new PutObjectCommand({ Bucket: bucket, Key: checked.key, Body: Buffer.from(await checked.file.arrayBuffer()), ContentType: checked.file.type || 'application/octet-stream', Metadata: checked.metadata }),
    );
    ctx.status = 204;
    ctx.body = null;
  };
}
