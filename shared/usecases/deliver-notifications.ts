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
import type { DeliveryMark, DeliveryRecord, DeliveryState } from '../domain/store-rules/delivery.ts';
import type { Outbox } from '../ports/outbox.ts';
import { claimDue, enqueue, finish, readDeliveries, replay, type ClaimedDelivery } from './outbox.ts';

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
    /** the end of the invocation less this is the sends' deadline: the time to record their outcomes */
    readonly finishMarginMs?: number;
    /** no new claim when less than this is left before the sends' deadline */
    readonly minSendMs?: number;
  };
};

export type AcceptSummary = { readonly enqueued: number; readonly duplicates: number; readonly joined: number };
export type SendSummary = { readonly attempted: number; readonly delivered: number; readonly retrying: number; readonly dead: number; readonly disabled: number };

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_BATCH = 25;
const DEFAULT_ROUNDS = 8;
const DEFAULT_FINISH_MARGIN_MS = 2_000;
const DEFAULT_MIN_SEND_MS = 1_000;

export async function acceptEvents(deps: NotifyDeps, events: readonly NotificationEvent[]): Promise<AcceptSummary> {
  let enqueued = 0;
  let duplicates = 0;
  let joined = 0;
  for (const event of events) {
    const channels = route(event, deps.config);
    if (channels.length === 0) deps.log.info('notify.filtered', { event_id: event.id, type: event.type });
    for (const channelId of channels) {
      const nowMs = deps.clock.nowMs();
      const res = await enqueue(deps.outbox, {
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

/** What is left of the invocation that sends: the sends and their marks must end inside it. */
export type SendBudget = { readonly remainingMs?: number | undefined };

/**
 * Claims due deliveries and sends them: channels concurrently (one slow receiver holds back
 * only its own channel), a channel's deliveries in order, each send bounded by the
 * invocation's deadline less the time to record the outcomes. Claiming stops while there is
 * still time to finish; a claimed delivery the deadline leaves unsent is released for the
 * next invocation, never left leased.
 */
export async function sendDue(deps: NotifyDeps, budget: SendBudget = {}): Promise<SendSummary> {
  const leaseMs = deps.settings?.leaseMs ?? DEFAULT_LEASE_MS;
  const limit = deps.settings?.batchLimit ?? DEFAULT_BATCH;
  const rounds = deps.settings?.maxRounds ?? DEFAULT_ROUNDS;
  const finishMs = deps.settings?.finishMarginMs ?? DEFAULT_FINISH_MARGIN_MS;
  const minSendMs = deps.settings?.minSendMs ?? DEFAULT_MIN_SEND_MS;
  const remaining = budget.remainingMs;
  // sends must end by `sendBy`; the marks after them take the margin
  const sendBy = remaining === undefined || !Number.isFinite(remaining) ? Infinity : deps.clock.nowMs() + remaining - finishMs;
  const sum = { attempted: 0, delivered: 0, retrying: 0, dead: 0, disabled: 0, released: 0 };
  for (let round = 0; round < rounds; round++) {
    if (sendBy - deps.clock.nowMs() < minSendMs) {
      deps.log.info('notify.claiming_stopped', { round, remaining_ms: Math.max(0, Math.round(sendBy - deps.clock.nowMs())) });
      break;
    }
    const claimed = await claimDue(deps.outbox, { nowMs: deps.clock.nowMs(), leaseMs, limit });
    if (claimed.length === 0) break;
    const disabled = await deps.outbox.disabledChannels();
    const byChannel = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) {
      const list = byChannel.get(d.channelId);
      if (list) list.push(d);
      else byChannel.set(d.channelId, [d]);
    }
    const channels = await Promise.allSettled(
      [...byChannel.values()].map(async (list) => {
        for (const d of list) {
          const state = await attempt(deps, d, disabled, sendBy);
          if (state !== 'released') sum.attempted++;
          sum[state]++;
        }
      }),
    );
    // every channel finished its marks; an outbox failure of one is the invocation's to retry
    const failed = channels.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason;
    if (claimed.length < limit) break;
  }
  const { released, ...rest } = sum;
  if (released > 0) deps.log.warn('notify.released', { released });
  return rest;
}

/** A send that has not answered by the deadline: retried later, like a timeout. */
const DEADLINE = Symbol('deadline');

function within<T>(p: Promise<T>, ms: number): Promise<T | typeof DEADLINE> {
  if (!Number.isFinite(ms)) return p;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof DEADLINE>((resolve) => (timer = setTimeout(() => resolve(DEADLINE), Math.max(0, ms))));
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

async function attempt(deps: NotifyDeps, d: ClaimedDelivery, disabled: ReadonlySet<string>, sendBy: number): Promise<'delivered' | 'retrying' | 'dead' | 'disabled' | 'released'> {
  const fields = { delivery_id: d.id, channel_id: d.channelId, attempt: d.attempt, items: d.events.length };
  const sender = deps.senders.get(d.channelId);
  // a stale lease (taken over after it ran out) records nothing: the newer attempt's outcome stands
  const mark = (m: DeliveryMark) => finish(deps.outbox, d.id, d.leaseToken, m, d.claimed);
  const budgetMs = sendBy - deps.clock.nowMs();
  let outcome: SendOutcome;
  if (disabled.has(d.channelId)) outcome = { kind: 'disabled', error: 'channel.disabled' };
  else if (!sender) outcome = { kind: 'dead', error: 'channel.unknown' };
  else if (budgetMs <= 0) {
    // no time left to send it (a slow delivery before it on its channel used it up): due
    // again at once for the next invocation, no backoff, nothing was sent
    await mark({ state: 'retrying', nowMs: deps.clock.nowMs(), error: 'notify.deadline', nextAttemptAtMs: deps.clock.nowMs() });
    return 'released';
  } else {
    try {
      const message = renderMessage(d.id, d.events, { apiBaseUrl: deps.config.apiBaseUrl, ...(deps.templates ? { templates: deps.templates } : {}) });
      const timeoutMs = Number.isFinite(budgetMs) ? Math.max(1, Math.floor(budgetMs)) : undefined;
      const sent = await within(sender.send({ deliveryId: d.id, channelId: d.channelId, attempt: d.attempt, message, ...(timeoutMs === undefined ? {} : { timeoutMs }) }), budgetMs);
      // the request may still complete after this; the receiver dedups the retry by its id
      outcome = sent === DEADLINE ? { kind: 'retry', error: 'notify.deadline', retryAfterMs: null } : sent;
    } catch (e) {
      // a sender should not throw; if one does, this attempt failed in an unknown way and
      // only this delivery is retried: the other channels' sends go on
      outcome = { kind: 'retry', error: `error.${e instanceof Error ? e.name : 'unknown'}`, retryAfterMs: null };
    }
  }
  const nowMs = deps.clock.nowMs();
  switch (outcome.kind) {
    case 'delivered':
      await mark({ state: 'delivered', nowMs });
      deps.log.info('notify.delivered', fields);
      return 'delivered';
    case 'disabled':
      await mark({ state: 'disabled', nowMs, error: outcome.error });
      deps.log.warn('notify.channel_disabled', { ...fields, error: outcome.error });
      return 'disabled';
    case 'dead':
      await mark({ state: 'dead', nowMs, error: outcome.error });
      deps.log.error('notify.dead', { ...fields, error: outcome.error, reason: 'refused' });
      return 'dead';
    case 'retry': {
      const policy: BackoffPolicy = deps.config.retry;
      const next = nextAttempt({ attempt: d.attempt, nowMs, createdAtMs: d.scheduleStartMs, retryAfterMs: outcome.retryAfterMs }, policy, deps.random);
      if (next.kind === 'dead') {
        await mark({ state: 'dead', nowMs, error: outcome.error });
        deps.log.error('notify.dead', { ...fields, error: outcome.error, reason: next.reason });
        return 'dead';
      }
      await mark({ state: 'retrying', nowMs, error: outcome.error, nextAttemptAtMs: next.atMs });
      deps.log.warn('notify.retrying', { ...fields, error: outcome.error, next_attempt_at_ms: next.atMs });
      return 'retrying';
    }
  }
}

/** Resend a dead (or disabled) delivery under its original id; it goes out on the next send. */
export async function replayDelivery(deps: Pick<NotifyDeps, 'outbox' | 'clock' | 'log'>, deliveryId: string): Promise<DeliveryRecord | null> {
  const rec = await replay(deps.outbox, deliveryId, deps.clock.nowMs());
  if (rec) deps.log.info('notify.replayed', { delivery_id: rec.id, channel_id: rec.channelId });
  else deps.log.warn('notify.replay_refused', { delivery_id: deliveryId });
  return rec;
}

export async function listDeliveries(deps: Pick<NotifyDeps, 'outbox'>, state: DeliveryState, limit?: number): Promise<DeliveryRecord[]> {
  return readDeliveries(deps.outbox, state, limit);
}
