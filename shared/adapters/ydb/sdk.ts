// Adapter support: the one place that loads `ydb-sdk` at run time.
//
// ydb-sdk 5.x ships CommonJS under its "import" condition. Node's ESM loader detects only
// some of its named exports (`Driver`, re-exported through an __importDefault getter, is
// not among them), so `import { Driver } from 'ydb-sdk'` throws under plain Node while it
// works in bundlers; a default import, conversely, is undefined under CommonJS interop
// (the package sets __esModule). The namespace import below works in all three places
// the code runs — Node ESM (vitest, tsx), the esbuild CommonJS bundle, and CJS loaders —
// by taking whichever object actually carries the exports. Types come from the .d.ts.
import * as ns from 'ydb-sdk';
import type * as SdkTypes from 'ydb-sdk';

type Sdk = typeof SdkTypes;
const loaded = ns as unknown as Sdk & { default?: Sdk };

export const sdk: Sdk = typeof loaded.Driver === 'function' ? loaded : (loaded.default as Sdk);

export type { Driver, IAuthService, Ydb } from 'ydb-sdk';
