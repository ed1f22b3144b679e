// Pure: the targets as configuration. The data file (`data/targets.json`) holds the seed's
// six targets as defaults for every region; a region may override a target (threshold, due
// date, disabled) and so may one municipality. Parsed and validated once at start-up:
// a bad file is a ConfigError whose lines name the entry (`defaults[2] "teachers_msg3"`),
// and a logically inconsistent pair (a subset's target above its superset's) is a warning.
import { z } from 'zod';
import targetsJson from './data/targets.json' with { type: 'json' };
import { ConfigError } from './errors.ts';
import { TargetOp, type Scope, type TargetRef } from './events.ts';
import { metricInfo } from './metric-catalog.ts';
import { metricAppliesTo } from './metrics.ts';
import { IsoDate, MetricId, RegionCode } from './schemas.ts';

const RealDate = IsoDate.refine((d) => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
}, 'not a calendar date');

const TargetId = z.string().regex(/^[a-z0-9_]+$/, 'target ids are lower-case latin slugs');

export const TargetDefinition = z.object({
  id: TargetId,
  title: z.string().min(1),
  // thresholds are shares, so a target can only be on a share metric of the catalog
  metric: MetricId.refine((m) => metricInfo(m).kind === 'share', 'a target is on a share metric (an id ending in _share)'),
  op: TargetOp,
  /** a share: 0.35 is 35 % */
  threshold: z.number().min(0).max(1, 'a threshold is a share between 0 and 1 (0.35 = 35 %)'),
  due: RealDate,
});
export type TargetDefinition = z.infer<typeof TargetDefinition>;

export const TargetOverride = z.strictObject({
  threshold: z.number().min(0).max(1, 'a threshold is a share between 0 and 1 (0.35 = 35 %)').optional(),
  due: RealDate.optional(),
  /** true switches the target off for this region or municipality */
  disabled: z.boolean().optional(),
});
export type TargetOverride = z.infer<typeof TargetOverride>;

export const TargetsConfig = z
  .object({
    note: z.string().optional(),
    defaults: z.array(TargetDefinition).min(1),
    regions: z
      .record(
        RegionCode,
        z.strictObject({
          targets: z.record(TargetId, TargetOverride).default({}),
          municipalities: z.record(z.string().min(1), z.record(TargetId, TargetOverride)).default({}),
        }),
      )
      .default({}),
  })
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    cfg.defaults.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['defaults', i, 'id'], message: `duplicate target id "${t.id}"` });
      ids.add(t.id);
    });
    for (const [code, r] of Object.entries(cfg.regions)) {
      for (const id of Object.keys(r.targets)) {
        if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['regions', code, 'targets', id], message: `unknown target id "${id}"` });
      }
      for (const [m, overrides] of Object.entries(r.municipalities)) {
        for (const id of Object.keys(overrides)) {
          if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['regions', code, 'municipalities', m, id], message: `unknown target id "${id}"` });
        }
      }
    }
  });
export type TargetsConfig = z.infer<typeof TargetsConfig>;

export const TargetWarning = z.object({
  code: z.literal('targets.inconsistent_pair'),
  region: z.string().nullable(),
  municipality_id: z.string().nullable(),
  message: z.string(),
});
export type TargetWarning = z.infer<typeof TargetWarning>;

/**
 * Pairs (subset, superset): every teacher counted in the first is counted in the second,
 * so the subset's share can never exceed the superset's and its target should not either.
 */
export const SUBSET_METRICS: readonly (readonly [MetricId, MetricId])[] = [['teachers_msg10_share', 'teachers_msg3_share']];

/** `defaults[2] "teachers_msg3".threshold`: a zod path with each array entry named by its id. */
function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  let node: unknown = raw;
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      const id = node && typeof node === 'object' && 'id' in node ? (node as { id: unknown }).id : undefined;
      if (typeof id === 'string') out += ` "${id}"`;
    } else {
      out += out ? `.${String(key)}` : String(key);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(key)] : undefined;
    }
  }
  return out || '(file)';
}

export type LoadedTargets = { readonly config: TargetsConfig; readonly warnings: readonly TargetWarning[] };

/**
 * Validates a targets file. `known` (region code → municipality ids) lets start-up reject an
 * override for a municipality that does not exist. Throws ConfigError naming every bad entry.
 */
export function parseTargets(raw: unknown, opts: { source?: string; known?: ReadonlyMap<string, ReadonlySet<string>> } = {}): LoadedTargets {
  const source = opts.source ?? 'targets';
  const r = TargetsConfig.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${describePath(raw, i.path)}: ${i.message}`);
    throw new ConfigError(`invalid ${source}:\n  ${lines.join('\n  ')}`);
  }
  const config = r.data;
  if (opts.known) {
    const lines: string[] = [];
    for (const [code, region] of Object.entries(config.regions)) {
      const ids = opts.known.get(code);
      for (const m of Object.keys(region.municipalities)) {
        if (ids && !ids.has(m)) lines.push(`regions.${code}.municipalities.${m}: unknown municipality id "${m}" for region ${code}`);
      }
    }
    if (lines.length) throw new ConfigError(`invalid ${source}:\n  ${lines.join('\n  ')}`);
  }
  return { config, warnings: targetWarnings(config) };
}

/** The project's default targets file, validated. */
export function defaultTargets(): LoadedTargets {
  return parseTargets(targetsJson, { source: 'shared/domain/data/targets.json' });
}

function apply(t: TargetDefinition, o: TargetOverride | undefined): (TargetDefinition & { disabled: boolean }) {
  return { ...t, threshold: o?.threshold ?? t.threshold, due: o?.due ?? t.due, disabled: o?.disabled ?? false };
}

/** Every target definition after the region's and (optionally) a municipality's overrides. */
function resolvedDefinitions(cfg: TargetsConfig, region: string, municipalityId: string | null): (TargetDefinition & { disabled: boolean })[] {
  const r = cfg.regions[region];
  return cfg.defaults.map((t) => {
    const regional = apply(t, r?.targets[t.id]);
    if (municipalityId === null) return regional;
    const o = r?.municipalities[municipalityId]?.[t.id];
    return o ? { ...apply(regional, o), disabled: o.disabled ?? regional.disabled } : regional;
  });
}

/** The targets that apply to a scope: overrides applied, disabled and inapplicable ones dropped. */
export function targetsFor(cfg: TargetsConfig, region: string, scope: Pick<Scope, 'level' | 'id'>): TargetRef[] {
  return resolvedDefinitions(cfg, region, scope.level === 'municipality' ? scope.id : null)
    .filter((t) => !t.disabled && metricAppliesTo(t.metric, scope.level))
    .map(({ id, metric, op, threshold, due }) => ({ id, metric, op, threshold, due }));
}

/** The title of a target id (for reports), or the id itself. */
export function targetTitle(cfg: TargetsConfig, id: string): string {
  return cfg.defaults.find((t) => t.id === id)?.title ?? id;
}

function pairWarnings(defs: readonly (TargetDefinition & { disabled: boolean })[], region: string | null, municipalityId: string | null): TargetWarning[] {
  const out: TargetWarning[] = [];
  for (const [sub, sup] of SUBSET_METRICS) {
    for (const a of defs.filter((t) => t.metric === sub && !t.disabled && t.op === '>=')) {
      for (const b of defs.filter((t) => t.metric === sup && !t.disabled && t.op === '>=')) {
        if (a.threshold > b.threshold) {
          const where = municipalityId ? `region ${region}, municipality ${municipalityId}` : region ? `region ${region}` : 'defaults';
          out.push({
            code: 'targets.inconsistent_pair',
            region,
            municipality_id: municipalityId,
            message:
              `${where}: target "${a.id}" (${a.metric} ≥ ${a.threshold}) is above target "${b.id}" (${b.metric} ≥ ${b.threshold}), ` +
              `although every teacher counted in ${a.metric} is counted in ${b.metric}`,
          });
        }
      }
    }
  }
  return out;
}

/** Inconsistent pairs in the defaults, in each region and in each municipality override. */
export function targetWarnings(cfg: TargetsConfig): TargetWarning[] {
  const defaults = cfg.defaults.map((t) => ({ ...t, disabled: false }));
  const out = pairWarnings(defaults, null, null);
  const seen = new Set(out.map((w) => w.message.replace(/^[^:]*: /, '')));
  const add = (ws: TargetWarning[]) => {
    for (const w of ws) {
      const what = w.message.replace(/^[^:]*: /, '');
      // a region that inherits the same inconsistent pair adds nothing new
      if (!seen.has(what)) {
        seen.add(what);
        out.push(w);
      }
    }
  };
  for (const [code, r] of Object.entries(cfg.regions)) {
    add(pairWarnings(resolvedDefinitions(cfg, code, null), code, null));
    for (const m of Object.keys(r.municipalities)) add(pairWarnings(resolvedDefinitions(cfg, code, m), code, m));
  }
  return out;
}
