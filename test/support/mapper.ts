// Test helper: a table mapper over a CSV's headers as ingest builds one — the bundled
// reference, the headers mapped through the alias data, a fallback period — for the unit
// tests that feed it raw cells.
import { createTableMapper, type MapperContext } from '../../shared/domain/table-mapper.ts';
import { buildReference } from '../../shared/runtime/reference.ts';
import { P1 } from './builders.ts';

const ref = buildReference();

export function tableMapper(headers: readonly string[], opts: { readonly fallbackPeriod?: MapperContext['fallbackPeriod'] } & Partial<Omit<MapperContext, 'fallbackPeriod'>> = {}) {
  const mapping = ref.mapHeaders(headers);
  if (mapping.kind === null) throw new Error('test headers must map');
  const { fallbackPeriod = P1, ...extra } = opts;
  return createTableMapper({
    file: 'uploads/26/t.csv',
    sheet: null,
    headers,
    mapping: { ...mapping, kind: mapping.kind },
    fallbackPeriod,
    objectKey: 'uploads/26/t.csv',
    defaultRegion: null,
    knownRegions: ref.knownRegions,
    matchers: ref.matchers,
    ...extra,
  });
}
