// Unit: alert state transitions (pure) with Alertmanager-like semantics: re-evaluation
// opens once, a corrected upload resolves exactly once, five breaches group into one
// message, and a missing export inhibits the scope's KPI alerts and is told once.
import { describe, expect, test } from 'vitest';
import { applyPeriod, transitionTarget, type AlertState, type ExportCheck } from '../../../shared/domain/alerts.ts';
import type { Evaluation } from '../../../shared/domain/evaluate.ts';
import { NotificationEvent, notificationId, type Scope, type TargetRef } from '../../../shared/domain/events.ts';
import { groupKey } from '../../../shared/domain/notify/grouping.ts';
import type { Period } from '../../../shared/domain/schemas.ts';
import { defaultTargets, targetsFor } from '../../../shared/domain/targets.ts';

const BUD: Scope = { level: 'municipality', id: 'budennovsky', name: 'Будённовский муниципальный округ' };
const W1: Period = { start: '2023-09-04', end: '2023-09-08' };
const W2: Period = { start: '2023-09-11', end: '2023-09-15' };
const CHAT: TargetRef = { id: 'teachers_chat_creators', metric: 'teachers_chat_creators_share', op: '>=', threshold: 0.35, due: '2023-09-01' };
const NOW = '2023-09-11T10:00:00.000Z';

function ev(over: Partial<Evaluation> = {}): Evaluation {
  return { region: '26', period: W1, scope: BUD, target: CHAT, status: 'breach', value: 0.22, previous_value: 0.21, projected: null, inhibited: false, ...over };
}

/** Runs evaluations one after another through the stored states, collecting events. */
function replay(steps: { evaluations?: Evaluation[]; exports?: ExportCheck[] }[]) {
  let states: AlertState[] = [];
  const events: NotificationEvent[] = [];
  steps.forEach((s, i) => {
    const r = applyPeriod(states, s.evaluations ?? [], s.exports ?? [], `2023-09-1${i}T00:00:00.000Z`);
    const byKey = new Map(states.map((x) => [`${x.alert_id}|${x.scope.id}`, x]));
    for (const c of r.changed) byKey.set(`${c.alert_id}|${c.scope.id}`, c);
    states = [...byKey.values()];
    events.push(...r.events);
  });
  return { states, events };
}

describe('alert transitions', () => {
  test('a breach re-evaluated three times in one period opens once', () => {
    const { events, states } = replay([{ evaluations: [ev()] }, { evaluations: [ev()] }, { evaluations: [ev()] }]);
    expect(events.map((e) => e.type)).toEqual(['breach_opened']);
    expect(states[0]).toMatchObject({ status: 'breach', since: W1 });
  });

  test('a re-evaluation that changes nothing leaves nothing to save', () => {
    const first = applyPeriod([], [ev()], [], NOW);
    const second = applyPeriod(first.changed, [ev()], [], '2023-09-12T00:00:00.000Z');
    expect(second).toEqual({ changed: [], events: [] });
  });

  test('a breach that continues into the next period is not repeated', () => {
    const { events } = replay([{ evaluations: [ev()] }, { evaluations: [ev({ period: W2, value: 0.23 })] }]);
    expect(events.map((e) => e.type)).toEqual(['breach_opened']);
  });

  test('a corrected upload that meets the target resolves exactly once', () => {
    const { events, states } = replay([
      { evaluations: [ev()] },
      { evaluations: [ev({ status: 'met', value: 0.36 })] },
      { evaluations: [ev({ status: 'met', value: 0.36 })] },
    ]);
    expect(events.map((e) => e.type)).toEqual(['breach_opened', 'breach_resolved']);
    expect(events[1]).toMatchObject({ value: 0.36, period: { ...W1, label: '04.09-08.09.2023' } });
    expect(states[0]).toMatchObject({ status: 'inactive', since: null });
  });

  test('at risk is told once and escalates to a breach', () => {
    const risk = ev({ period: { start: '2023-03-06', end: '2023-03-10' }, status: 'at_risk' });
    const { events } = replay([
      { evaluations: [risk] },
      { evaluations: [{ ...risk, period: { start: '2023-03-13', end: '2023-03-17' } }] },
      { evaluations: [ev()] },
    ]);
    expect(events.map((e) => e.type)).toEqual(['at_risk', 'breach_opened']);
  });

  test('an evaluation of an older period does not move the state', () => {
    const { events, states } = replay([{ evaluations: [ev({ period: W2 })] }, { evaluations: [ev({ status: 'met', value: 0.4 })] }]);
    expect(events.map((e) => e.type)).toEqual(['breach_opened']);
    expect(states[0]).toMatchObject({ status: 'breach', period: W2 });
  });

  test('no data neither opens nor resolves', () => {
    const { events, states } = replay([{ evaluations: [ev()] }, { evaluations: [ev({ period: W2, status: 'no_data', value: null })] }]);
    expect(events.map((e) => e.type)).toEqual(['breach_opened']);
    expect(states[0]!.status).toBe('breach');
  });

  test('event ids depend on type, target, scope and period only', () => {
    const a = transitionTarget(null, ev(), NOW).events[0]!;
    const b = transitionTarget(null, ev({ value: 0.1 }), '2030-01-01T00:00:00.000Z').events[0]!;
    expect(a.id).toBe(b.id);
    expect(a.id).toBe(notificationId('breach_opened', CHAT.id, BUD, W1, '26'));
    expect(NotificationEvent.parse(a)).toEqual(a);
  });

  test('five breaches of one municipality carry one notifier group key and five items', () => {
    // Prepare: every municipal target of the defaults, all missed after the due date
    const targets = targetsFor(defaultTargets().config, '26', BUD);
    const evaluations = targets.map((t) => ev({ target: t, value: t.threshold / 2 }));
    // Act
    const { events } = applyPeriod([], evaluations, [], NOW);
    // Assess
    expect(events).toHaveLength(5);
    expect(new Set(events.map(groupKey)).size).toBe(1);
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    expect(events.map((e) => e.target!.id).sort()).toEqual(targets.map((t) => t.id).sort());
    for (const e of events) expect(e).toMatchObject({ type: 'breach_opened', region: '26', scope: BUD, period: { label: '04.09-08.09.2023' } });
  });
});

describe('missing export', () => {
  const missing = (period: Period, isMissing = true): ExportCheck => ({ region: '26', scope: BUD, period, missing: isMissing });

  test('a missing export inhibits the KPI alerts of its scope and is told once per period', () => {
    // Prepare: a breach open in W1; in W2 the export is missing (evaluated twice)
    const inhibited = ev({ period: W2, status: 'no_data', value: null, inhibited: true });
    // Act
    const { events, states } = replay([
      { evaluations: [ev()], exports: [missing(W1, false)] },
      { evaluations: [inhibited], exports: [missing(W2)] },
      { evaluations: [inhibited], exports: [missing(W2)] },
    ]);
    // Assess
    expect(events.map((e) => e.type)).toEqual(['breach_opened', 'export_missing']);
    expect(events[1]).toMatchObject({ target: null, scope: BUD, period: { start: W2.start } });
    expect(states.find((s) => s.alert_id === CHAT.id)).toMatchObject({ status: 'breach', inhibited: true });
  });

  test('KPI breaches of a scope first seen without its export are sent once after the export arrives', () => {
    const { events } = replay([
      { evaluations: [ev({ status: 'no_data', value: null, inhibited: true })], exports: [missing(W1)] },
      { evaluations: [ev()], exports: [missing(W1, false)] },
      { evaluations: [ev()], exports: [missing(W1, false)] },
    ]);
    expect(events.map((e) => e.type)).toEqual(['export_missing', 'breach_opened']);
  });

  test('a missing export in a later period is told again', () => {
    const { events } = replay([{ exports: [missing(W1)] }, { exports: [missing(W2)] }]);
    expect(events.map((e) => [e.type, e.period.start])).toEqual([
      ['export_missing', W1.start],
      ['export_missing', W2.start],
    ]);
  });
});
