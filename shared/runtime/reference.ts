// Runtime: the reference data the ingest needs (header aliases, each region's municipality
// list), loaded from the project's data files and validated once per warm instance.
import aliasesJson from '../domain/data/header-aliases.json' with { type: 'json' };
import stavropol from '../domain/data/municipalities-26.json' with { type: 'json' };
import { createHeaderMapper, HeaderAliases, type HeaderMapping } from '../domain/normalise/headers.ts';
import { createMunicipalityMatcher, MunicipalityReference } from '../domain/normalise/municipality.ts';
import type { MunicipalityMatcher } from '../domain/table-mapper.ts';

export type ReferenceData = {
  readonly mapHeaders: (headers: readonly string[]) => HeaderMapping;
  readonly matchers: ReadonlyMap<string, MunicipalityMatcher>;
  readonly knownRegions: readonly { code: string; name: string }[];
  readonly municipalities: ReadonlyMap<string, MunicipalityReference>;
};

/** Builds reference data from validated files; extra regions can be passed (benchmarks, tests). */
export function buildReference(references: readonly unknown[] = [stavropol], aliases: unknown = aliasesJson): ReferenceData {
  const refs = references.map((r) => MunicipalityReference.parse(r));
  return {
    mapHeaders: createHeaderMapper(HeaderAliases.parse(aliases)),
    matchers: new Map(refs.map((r) => [r.region.code, createMunicipalityMatcher(r)])),
    knownRegions: refs.map((r) => ({ code: r.region.code, name: r.region.name })),
    municipalities: new Map(refs.map((r) => [r.region.code, r])),
  };
}
