// Adapter support: the flat record of an alert state, shared by every store adapter. The
// key and filter columns sit beside the whole state, which each driver stores as JSON
// (SQLite as text, YDB as a Json value).
import type { AlertState } from '../domain/alerts.ts';

export function alertRecord(s: AlertState) {
  return {
    region: s.region,
    alert_id: s.alert_id,
    level: s.scope.level,
    unit: s.scope.id,
    status: s.status,
    period_start: s.period.start,
    period_end: s.period.end,
    changed_at: s.changed_at,
    state_json: s,
  };
}
