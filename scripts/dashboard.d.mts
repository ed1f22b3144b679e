// Types of scripts/dashboard.mjs for the TypeScript callers (tests).
import type { DashboardSources } from '../shared/api/pages/assets.ts';

export function buildDashboard(opts: { root: string; minify?: boolean }): Promise<DashboardSources>;
