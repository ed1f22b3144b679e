// Adapter: S3 browser uploads signed with Signature V4. The POST policy pins the bucket,
// the exact key, a size range (`content-length-range`, which Object Storage enforces before
// storing anything) and an expiry; the presigned GET lets the page read that upload's report
// and nothing else. Key derivation and query presigning are @smithy/signature-v4's.
import { createHmac } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import type { AccessKey } from '../secrets/access-key.ts';
import type { PostForm, UploadForms } from '../../ports/upload-forms.ts';

export type UploadFormSettings = {
  /** the Object Storage endpoint as a browser reaches it */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: () => Promise<AccessKey>;
};

/** `20230306T090000Z`, the SigV4 timestamp. */
export const amzDate = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export class S3UploadForms implements UploadForms {
  constructor(private readonly s: UploadFormSettings) {}

  async postForm(req: { key: string; maxBytes: number; now: Date; expiresAt: Date; uploader?: string }): Promise<PostForm> {
    const creds = await this.s.credentials();
    const date = amzDate(req.now);
    // S3 metadata is ASCII: a key name is percent-encoded into it
    const uploader: Record<string, string> = req.uploader === undefined ? {} : { 'x-amz-meta-uploader': encodeURIComponent(req.uploader) };
    const fields = {
      key: req.key,
      ...uploader,
      'x-amz-algorithm': 'AWS4-HMAC-SHA256',
      'x-amz-credential': `${creds.accessKeyId}/${date.slice(0, 8)}/${this.s.region}/s3/aws4_request`,
      'x-amz-date': date,
    };
    const policy = {
      expiration: req.expiresAt.toISOString(),
      conditions: [
        { bucket: this.s.bucket },
        ['eq', '$key', req.key],
        ['content-length-range', 1, req.maxBytes],
        ...Object.entries(uploader).map(([k, v]) => ({ [k]: v })),
        { 'x-amz-algorithm': fields['x-amz-algorithm'] },
        { 'x-amz-credential': fields['x-amz-credential'] },
        { 'x-amz-date': date },
      ],
    };
    const encoded = Buffer.from(JSON.stringify(policy), 'utf8').toString('base64');
    const signature = await postPolicySignature(encoded, creds, date, this.s.region);
    return { url: `${this.s.endpoint.replace(/\/+$/, '')}/${this.s.bucket}`, fields: { ...fields, policy: encoded, 'x-amz-signature': signature } };
  }

  async presignedGet(req: { key: string; now: Date; expiresInS: number }): Promise<string> {
    const url = new URL(this.s.endpoint);
    const signer = new SignatureV4({ credentials: this.s.credentials, region: this.s.region, service: 's3', sha256: Sha256, uriEscapePath: false });
    const path = `/${this.s.bucket}/${req.key.split('/').map(encodeURIComponent).join('/')}`;
    const signed = await signer.presign(
      { method: 'GET', protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path, headers: { host: url.host }, query: {} },
      { expiresIn: req.expiresInS, signingDate: req.now },
    );
    const query = new URLSearchParams(Object.entries(signed.query ?? {}).map(([k, v]) => [k, String(v)]));
    return `${url.origin}${path}?${query.toString()}`;
  }
}

/** The hex HMAC of the base64 policy under the day's SigV4 signing key. */
export async function postPolicySignature(encodedPolicy: string, creds: AccessKey, date: string, region: string): Promise<string> {
  const key = await getSigningKey(Sha256, creds, date.slice(0, 8), region, 's3');
  return createHmac('sha256', key).update(encodedPolicy, 'utf8').digest('hex');
}
