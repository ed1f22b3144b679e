// Use case: deliver notification events to their channels, each exactly once as far as a
// receiver can tell (at-least-once sends, with a stable id the receiver dedups on).
//
// Primary course:
//  1. Accept: route each event to its channels and enqueue (event id, channel id) in the
//     outbox. A redelivered event is a no-op; an event joins the open delivery of its
//     (region, scope, period) group, or opens one that becomes due after the window.
//  2. Send due: claim due deliveries under a lease, render one message per delivery from
//     its events, send it, and record the classified outcome: delivered; retrying at
//     now + full jitter (never before Retry-After); dead after the attempt cap or the
//     maximum age, or at once for a permanent refusal; disabled (with its channel) on 410.
//  3. Replay: a dead or disabled delivery is sent again later under its original id.
// Logs carry delivery ids, channel ids, attempts and error codes — never message text,
// URLs, recipients or secrets.
import { nextAttempt, type BackoffPolicy } from '../domain/notify/backoff.ts';
import type { NotifyConfig } from '../domain/notify/config.ts';
import { deliveryIdFor, groupKey, groupReadyAt } from '../domain/notify/grouping.ts';
import { renderMessage, type NotifyTemplates } from '../domain/notify/render.ts';
import { route } from '../domain/notify/route.ts';
import type { NotificationEvent } from '../domain/events.ts';
import type { ChannelSender, SendOutcome } from '../ports/channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { DeliveryState } from '../domain/store-rules/delivery.ts';
import type { ClaimedDelivery, DeliveryRecord, Outbox } from '../ports/outbox.ts';

export type NotifyLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export type NotifyDeps = {
  readonly outbox: Outbox;
  readonly senders: ReadonlyMap<string, ChannelSender>;
  readonly config: NotifyConfig;
  readonly clock: Clock;
  /** [0, 1): the jitter source, injected so tests know each delay */
  readonly random: () => number;
  readonly log: NotifyLog;
  readonly templates?: NotifyTemplates;
  readonly settings?: {
    /** how long a claimed delivery is ours; longer than the slowest send (timeout) */
    readonly leaseMs?: number;
    /** deliveries claimed per round */
    readonly batchLimit?: number;
    /** claim rounds per invocation, a bound on the work of one call */
    readonly maxRounds?: number;
  };
};

export type AcceptSummary = { readonly enqueued: number; readonly duplicates: number; readonly joined: number };
export type SendSummary = { readonly attempted: number; readonly delivered: number; readonly retrying: number; readonly dead: number; readonly disabled: number };

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_BATCH = 25;
const DEFAULT_ROUNDS = 8;

export async function acceptEvents(deps: NotifyDeps, events: readonly NotificationEvent[]): Promise<AcceptSummary> {
  let enqueued = 0;
  let duplicates = 0;
  let joined = 0;
  for (const event of events) {
    const channels = route(event, deps.config);
    if (channels.length === 0) deps.log.info('notify.filtered', { event_id: event.id, type: event.type });
    for (const channelId of channels) {
      const nowMs = deps.clock.nowMs();
      const res = await deps.outbox.enqueue({
        event,
        channelId,
        groupKey: groupKey(event),
        newDeliveryId: deliveryIdFor(event.id, channelId),
        nowMs,
        readyAtMs: groupReadyAt(nowMs, deps.config.grouping.windowMs),
      });
      if (!res.created) duplicates++;
      else {
        enqueued++;
        if (res.joined) joined++;
      }
      deps.log.info(res.created ? 'notify.enqueued' : 'notify.duplicate', {
        event_id: event.id,
        channel_id: channelId,
        delivery_id: res.deliveryId,
        joined: res.joined,
      });
    }
  }
  return { enqueued, duplicates, joined };
}

export async function sendDue(deps: NotifyDeps): Promise<SendSummary> {
  const leaseMs = deps.settings?.leaseMs ?? DEFAULT_LEASE_MS;
  const limit = deps.settings?.batchLimit ?? DEFAULT_BATCH;
  const rounds = deps.settings?.maxRounds ?? DEFAULT_ROUNDS;
  const sum = { attempted: 0, delivered: 0, retrying: 0, dead: 0, disabled: 0 };
  for (let round = 0; round < rounds; round++) {
    const claimed = await deps.outbox.claimDue({ nowMs: deps.clock.nowMs(), leaseMs, limit });
    if (claimed.length === 0) break;
    const disabled = await deps.outbox.disabledChannels();
    for (const d of claimed) {
      sum.attempted++;
      const state = await attempt(deps, d, disabled);
      sum[state]++;
    }
    if (claimed.length < limit) break;
  }
  return sum;
}

async function attempt(deps: NotifyDeps, d: ClaimedDelivery, disabled: ReadonlySet<string>): Promise<'delivered' | 'retrying' | 'dead' | 'disabled'> {
  const fields = { delivery_id: d.id, channel_id: d.channelId, attempt: d.attempt, items: d.events.length };
  const sender = deps.senders.get(d.channelId);
  let outcome: SendOutcome;
  if (disabled.has(d.channelId)) outcome = { kind: 'disabled', error: 'channel.disabled' };
  else if (!sender) outcome = { kind: 'dead', error: 'channel.unknown' };
  else {
    const message = renderMessage(d.id, d.events, { apiBaseUrl: deps.config.apiBaseUrl, ...(deps.templates ? { templates: deps.templates } : {}) });
    try {
      outcome = await sender.send({ deliveryId: d.id, channelId: d.channelId, attempt: d.attempt, message });
    } catch (e) {
      // a sender should not throw; if one does, the attempt failed in an unknown way
      outcome = { kind: 'retry', error: `error.${e instanceof Error ? e.name : 'unknown'}`, retryAfterMs: null };
    }
  }
  const nowMs = deps.clock.nowMs();
  switch (outcome.kind) {
    case 'delivered':
      await deps.outbox.markDelivered(d.id, d.leaseToken, nowMs);
      deps.log.info('notify.delivered', fields);
      return 'delivered';
    case 'disabled':
      await deps.outbox.markDisabled(d.id, d.leaseToken, { nowMs, error: outcome.error });
      deps.log.warn('notify.channel_disabled', { ...fields, error: outcome.error });
      return 'disabled';
    case 'dead':
      await deps.outbox.markDead(d.id, d.leaseToken, { nowMs, error: outcome.error });
      deps.log.error('notify.dead', { ...fields, error: outcome.error, reason: 'refused' });
      return 'dead';
    case 'retry': {
      const policy: BackoffPolicy = deps.config.retry;
      const next = nextAttempt({ attempt: d.attempt, nowMs, createdAtMs: d.scheduleStartMs, retryAfterMs: outcome.retryAfterMs }, policy, deps.random);
      if (next.kind === 'dead') {
        await deps.outbox.markDead(d.id, d.leaseToken, { nowMs, error: outcome.error });
        deps.log.error('notify.dead', { ...fields, error: outcome.error, reason: next.reason });
        return 'dead';
      }
      await deps.outbox.markRetry(d.id, d.leaseToken, { nowMs, error: outcome.error, nextAttemptAtMs: next.atMs });
      deps.log.warn('notify.retrying', { ...fields, error: outcome.error, next_attempt_at_ms: next.atMs });
      return 'retrying';
    }
  }
}

/** Accept the events, then send whatever is due (their own group may still be waiting). */
export async function deliverNotifications(
  deps: NotifyDeps,
  events: readonly NotificationEvent[],
): Promise<{ readonly accepted: AcceptSummary; readonly sent: SendSummary }> {
  const accepted = await acceptEvents(deps, events);
  const sent = await sendDue(deps);
  return { accepted, sent };
}

/** Resend a dead (or disabled) delivery under its original id; it goes out on the next send. */
export async function replayDelivery(deps: Pick<NotifyDeps, 'outbox' | 'clock' | 'log'>, deliveryId: string): Promise<DeliveryRecord | null> {
  const rec = await deps.outbox.replay(deliveryId, deps.clock.nowMs());
  if (rec) deps.log.info('notify.replayed', { delivery_id: rec.id, channel_id: rec.channelId });
  else deps.log.warn('notify.replay_refused', { delivery_id: deliveryId });
  return rec;
}

export async function listDeliveries(deps: Pick<NotifyDeps, 'outbox'>, state: DeliveryState, limit?: number): Promise<DeliveryRecord[]> {
  return deps.outbox.list(state, limit === undefined ? {} : { limit });
}
