// Local runtime: a fix for s3rver 3.7.1's ListObjects with a delimiter. Its filesystem store
// walks the bucket and, to skip what a common prefix rolls up, never enters a directory
// whose path below the prefix holds the delimiter — before it has seen any object there.
// So `uploads/26/file.csv` yields no `uploads/` prefix: `aws s3 ls s3://bucket/`, s3cmd
// and rclone show an empty bucket although `uploads/` and `reports/` exist. The wrapper
// keeps s3rver's answer and adds the prefix of every skipped directory that holds an
// object after StartAfter. Listing one level at a time stays as cheap as it was: below a
// prefix it stops at the first object file.
import { readdirSync } from 'node:fs';
import type S3rver from 's3rver';

/** s3rver's object files: `<last key segment>._S3rver_object` in a directory per segment. */
const OBJECT_SUFFIX = '._S3rver_object';

type ListOptions = { delimiter?: string; prefix?: string; startAfter?: string; maxKeys?: number };
type ListResult = { objects: unknown[]; commonPrefixes: string[]; isTruncated: boolean };
type Store = {
  getBucketPath(bucket: string): string;
  listObjects(bucket: string, options: ListOptions): Promise<ListResult>;
  constructor: { decodeKeyPath(path: string): string };
};

/** The key prefix a bucket directory stands for: `<bucket dir>/uploads/26` → `uploads/26/`. */
const dirKey = (store: Store, root: string, dir: string) => `${store.constructor.decodeKeyPath(dir.slice(root.length + 1))}/`;

function hasObjectAfter(store: Store, root: string, dir: string, startAfter: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (hasObjectAfter(store, root, path, startAfter)) return true;
    } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
      const key = dirKey(store, root, dir) + store.constructor.decodeKeyPath(entry.name.slice(0, -OBJECT_SUFFIX.length));
      if (key > startAfter) return true;
    }
  }
  return false;
}

/** The common prefixes s3rver skipped: one per directory rolled up below `prefix` that holds an object. */
function deepPrefixes(store: Store, bucket: string, options: ListOptions): Set<string> {
  const delimiter = options.delimiter ?? '';
  const prefix = options.prefix ?? '';
  const startAfter = options.startAfter ?? '';
  const root = store.getBucketPath(bucket).replace(/\\/g, '/');
  const found = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = `${dir}/${entry.name}`;
      const key = dirKey(store, root, path);
      if (!key.startsWith(prefix)) {
        // a directory above the prefix: go on down only along the prefix
        if (prefix.startsWith(key)) visit(path);
        continue;
      }
      const idx = key.slice(prefix.length).indexOf(delimiter);
      if (idx === -1) {
        visit(path);
        continue;
      }
      const common = key.slice(0, prefix.length + idx + delimiter.length);
      if (!found.has(common) && hasObjectAfter(store, root, path, startAfter)) found.add(common);
    }
  };
  visit(root);
  return found;
}

/** Makes the server's ListObjects (v1 and v2) report common prefixes at any depth. */
export function fixCommonPrefixes(server: S3rver): void {
  const store = (server as unknown as { store: Store }).store;
  const list = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const result = await list(bucket, options);
    if (!options.delimiter) return result;
    const all = new Set([...result.commonPrefixes, ...deepPrefixes(store, bucket, options)]);
    return { ...result, commonPrefixes: [...all].sort() };
  };
}
