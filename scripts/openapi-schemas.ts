// Writes `components.schemas` of infra/api/openapi.yaml from the API's zod schemas
// (shared/api/views.ts), keeping the rest of the file and its comments as they are.
// Run after changing a response body: `npx tsx scripts/openapi-schemas.ts`; the unit test
// test/unit/api/openapi.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { openApiSchemas } from '../shared/api/views.ts';

const file = fileURLToPath(new URL('../infra/api/openapi.yaml', import.meta.url));
const doc = parseDocument(readFileSync(file, 'utf8'));
// no YAML anchors: a shared sub-schema is written out in full where it is used
doc.setIn(['components', 'schemas'], doc.createNode(openApiSchemas(), { aliasDuplicateObjects: false }));
writeFileSync(file, doc.toString({ lineWidth: 0 }));
console.log(`wrote components.schemas of ${file}`);
