// Port: signed requests that let a browser talk to Object Storage directly — an HTML-form
// POST (an S3 POST policy: exact key, size range, expiry) for the upload, and a presigned
// GET for the report ingest will write. The API hands them out; it never sees the file.
export type PostForm = {
  /** where the form is posted (the bucket's URL) */
  readonly url: string;
  /** form fields to send before the file, in this order */
  readonly fields: Readonly<Record<string, string>>;
};

export interface UploadForms {
  /** `uploader`: the name of the key that asked, stored as the object's `uploader` metadata (provenance) */
  postForm(req: { readonly key: string; readonly maxBytes: number; readonly now: Date; readonly expiresAt: Date; readonly uploader?: string }): Promise<PostForm>;
  presignedGet(req: { readonly key: string; readonly now: Date; readonly expiresInS: number }): Promise<string>;
}
