import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { deliveryIdFor, groupKey, vkRandomId } from '../../../../shared/domain/notify/grouping.ts';
import { formatNumber, renderMessage } from '../../../../shared/domain/notify/render.ts';
import { breach, MUNI } from '../../../support/builders.ts';

describe('grouping identities', () => {
  test('events of one scope and period share a key; another period or scope does not', () => {
    const a = breach({ municipality: MUNI, metric: 'teachers_msg3_share' });
    const b = breach({ municipality: MUNI, metric: 'teachers_msg10_share', type: 'at_risk' });
    expect(groupKey(a)).toBe(groupKey(b));
    expect(groupKey(a)).not.toBe(groupKey(breach({ metric: 'teachers_msg3_share' })));
    expect(groupKey(a)).not.toBe(groupKey(breach({ municipality: MUNI, metric: 'teachers_msg3_share', period: { start: '2023-03-13', end: '2023-03-17', label: '13.03-17.03.2023' } })));
  });

  test('delivery ids differ per channel and are stable', () => {
    expect(deliveryIdFor('evt_1', 'a')).toBe(deliveryIdFor('evt_1', 'a'));
    expect(deliveryIdFor('evt_1', 'a')).not.toBe(deliveryIdFor('evt_1', 'b'));
    expect(deliveryIdFor('evt_1', 'a')).toMatch(/^dlv_[0-9a-f]{32}$/);
  });

  test('the VK random_id is a positive 31-bit int from the first 4 bytes of sha256(id)', () => {
    const id = 'dlv_0123';
    const expected = createHash('sha256').update(id).digest().readUInt32BE(0) & 0x7fffffff;
    expect(vkRandomId(id)).toBe(expected || 1);
    expect(vkRandomId(id)).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});

describe('renderMessage', () => {
  test('formats percentages with a decimal comma and drops trailing zeros', () => {
    expect(formatNumber(21.292)).toBe('21,292');
    expect(formatNumber(35)).toBe('35');
    expect(formatNumber(0.0304)).toBe('0,03');
    expect(formatNumber(17218)).toBe('17\u00a0218');
  });

  test('one breach: what, where, value against target, period; no link without an API base URL', () => {
    const e = breach({ municipality: MUNI, metric: 'teachers_chat_creators_share', value: 3666 / 17218, threshold: 0.35 });
    const m = renderMessage('dlv_x', [e]);
    expect(m.text).toBe(
      'Муниципалитет «Изобильненский муниципальный округ», период 06.03-10.03.2023\n' +
        'Цель не выполнена: доля педагогов, создавших чат — 21,292 % при цели ≥ 35 % к 01.09.2023',
    );
    expect(m.subject).toBe('Сферум: Изобильненский муниципальный округ, 06.03-10.03.2023');
    expect(m.payload.link).toBeNull();
    expect(m.payload.items).toHaveLength(1);
  });

  test('a group lists every item as a bullet and links to the dashboard on its scope and period', () => {
    const events = (['teachers_msg3_share', 'teachers_msg10_share', 'teachers_calls_share'] as const).map((metric) => breach({ municipality: MUNI, metric, value: 0.015 }));
    const m = renderMessage('dlv_x', events, { apiBaseUrl: 'https://api.example.ru/' });
    const lines = m.text.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.slice(1, 4).every((l) => l.startsWith('• Цель не выполнена: '))).toBe(true);
    expect(lines[4]).toBe(
      'Открыть на панели: https://api.example.ru/?region=26&period=2023-03-06..2023-03-10&scope=m_26_izobilnensky',
    );
    expect(m.payload.items.map((i) => i.event_id).sort()).toEqual(events.map((e) => e.id).sort());
  });

  test('item order does not depend on arrival order', () => {
    const a = breach({ municipality: MUNI, metric: 'teachers_msg3_share' });
    const b = breach({ municipality: MUNI, metric: 'teachers_msg10_share' });
    expect(renderMessage('d', [a, b]).text).toBe(renderMessage('d', [b, a]).text);
  });

  test('a missing value reads "нет данных" and export_missing names the period', () => {
    expect(renderMessage('d', [breach({ value: null })]).text).toContain('— нет данных при цели ≥ 35 %');
    expect(renderMessage('d', [breach({ type: 'export_missing', value: null })]).text.split('\n')[1]).toBe('Нет выгрузки за период 06.03-10.03.2023');
  });
});
