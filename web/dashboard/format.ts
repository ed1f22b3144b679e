// Browser, pure: Russian number formats of the dashboard. Digits are grouped by threes with
// a no-break space (`17 218`) and shares are shown in percent with a decimal comma and a
// no-break space before the sign (`97,01 %`), as Russian typography sets them; the
// no-break spaces keep a number on one line in narrow table cells.
export const NBSP = '\u00a0';

export function formatCount(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const sign = n < 0 ? '−' : '';
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** A share 0..1 in percent: `0.97012` → `97,01 %`. */
export function formatPercent(share: number | null, decimals = 2): string {
  if (share === null || !Number.isFinite(share)) return '—';
  // toPrecision(12) drops the binary noise of share·100 before rounding
  const pct = Number((share * 100).toPrecision(12));
  const text = Math.abs(pct).toFixed(decimals).replace('.', ',');
  const [int, frac] = text.split(',') as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  const sign = pct < 0 && Number(text.replace(',', '.')) !== 0 ? '−' : '';
  return `${sign}${grouped}${frac === undefined ? '' : `,${frac}`}${NBSP}%`;
}

/** A change in percentage points: `+0,12 п.п.`; counts: `+14`. */
export function formatDelta(delta: number | null, kind: 'share' | 'count'): string {
  if (delta === null || !Number.isFinite(delta) || delta === 0) return '';
  const sign = delta > 0 ? '+' : '−';
  if (kind === 'count') return `${sign}${formatCount(Math.abs(delta))}`;
  return `${sign}${formatPoints(delta)}`;
}

/** `2023-03-10` → `10.03.2023`. */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

/** Percentage points between two shares, unsigned: `13,71 п.п.`. */
export function formatPoints(diff: number): string {
  return `${Math.abs(Number((diff * 100).toPrecision(12))).toFixed(2).replace('.', ',')}${NBSP}п.п.`;
}

/**
 * A municipality's name as the seed's table writes it in a narrow column: «муниципальный
 * округ» / «городской округ» as «МО» / «ГО» (`Будённовский МО`); the full name stays in
 * the cell's title and everywhere there is room.
 */
export function shortName(name: string): string {
  return name.replace(/\s+муниципальный округ$/i, ' МО').replace(/\s+городской округ$/i, ' ГО').replace(/\s+муниципальный район$/i, ' МР');
}
