// Unit: a digest says what its week stands on — the notes of an incomplete week and of a
// newer provisional one are lines of the message, after the open alerts.
import { expect, test } from 'vitest';
import { renderMessage } from '../../../../shared/domain/notify/render.ts';
import { breach, unitScope } from '../../../support/builders.ts';

test('the digest message ends with its completeness notes', () => {
  // Prepare
  const digest = {
    ...breach({ type: 'digest' }),
    items: [{ type: 'at_risk' as const, scope: unitScope('municipality'), target: null, value: 0.2 }],
    notes: ['неполные данные: нет выгрузок Александровский МО', '17.04-21.04.2023: предварительно: 1 из 33 МОУО'],
  };
  // Act
  const m = renderMessage('d1', [digest]);
  // Assess
  const lines = m.text.split('\n');
  expect(lines.slice(-2)).toEqual(['• неполные данные: нет выгрузок Александровский МО', '• 17.04-21.04.2023: предварительно: 1 из 33 МОУО']);
});
