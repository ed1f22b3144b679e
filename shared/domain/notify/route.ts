// Pure: which channels receive an event. A region route takes every event of its region;
// a municipality route only that municipality's events. Channel type filters apply after
// matching. An event no route covers goes to the default log channel, so a missing route
// shows up in the logs instead of dropping the notification.
import type { NotificationEvent } from '../events.ts';
import { DEFAULT_LOG_CHANNEL_ID, effectiveChannels, type NotifyConfig } from './config.ts';

export function route(event: NotificationEvent, config: NotifyConfig): string[] {
  const matched = config.routes.filter(
    (r) => r.region === event.region && (r.municipality === undefined || (event.scope.level === 'municipality' && event.scope.id === r.municipality)),
  );
  if (matched.length === 0) return [DEFAULT_LOG_CHANNEL_ID];
  const channels = new Map(effectiveChannels(config).map((c) => [c.id, c]));
  const out: string[] = [];
  for (const id of matched.flatMap((r) => r.channels)) {
    const ch = channels.get(id);
    if (!ch || out.includes(id)) continue;
    if (ch.types && !ch.types.includes(event.type)) continue;
    out.push(id);
  }
  return out;
}
