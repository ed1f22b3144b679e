// Minimal typing of s3rver (the embedded S3 server of local runs and tests); the package ships none.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  type Options = {
    port?: number;
    address?: string;
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  };
  export default class S3rver extends EventEmitter {
    constructor(options: Options);
    run(): Promise<{ address: string; port: number; family: string }>;
    close(): Promise<void>;
  }
}
