// Adapter: S3 browser uploads signed with Signature V4. The POST policy pins the bucket,
// the exact key, a size range (`content-length-range`, which Object Storage enforces before
// storing anything) and an expiry; the presigned GET lets the page read that upload's report
// and nothing else. The signatures are computed over node:crypto (../sigv4.ts), so the api
// function carries no S3 SDK.
import type { AccessKey } from '../secrets/access-key.ts';
import type { PostForm, UploadForms } from '../../ports/upload-forms.ts';
import { ALGORITHM, amzDate, credentialScope, postPolicySignature, presignGet } from '../sigv4.ts';

export type UploadFormSettings = {
  /** the Object Storage endpoint as a browser reaches it */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: () => Promise<AccessKey>;
};

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
      'x-amz-algorithm': ALGORITHM,
      'x-amz-credential': `${creds.accessKeyId}/${credentialScope(date, this.s.region, 's3')}`,
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
    const signature = postPolicySignature(encoded, creds, date, this.s.region);
    return { url: `${this.s.endpoint.replace(/\/+$/, '')}/${this.s.bucket}`, fields: { ...fields, policy: encoded, 'x-amz-signature': signature } };
  }

  async presignedGet(req: { key: string; now: Date; expiresInS: number }): Promise<string> {
    const path = `/${this.s.bucket}/${req.key.split('/').map(encodeURIComponent).join('/')}`;
    return presignGet({ url: new URL(this.s.endpoint), path, creds: await this.s.credentials(), region: this.s.region, now: req.now, expiresInS: req.expiresInS });
  }
}
