// The repository's root, for tests that spawn the CLI, build bundles or read project files:
// one definition, so moving a test to another folder cannot change what it reads.
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
