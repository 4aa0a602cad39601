/** Formatting of integer kopecks; no floating point (DESIGN.md §3 rule 9). */

/** 12345 → "123.45". */
export function rublesText(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const k = Math.abs(kopecks);
  return `${sign}${Math.floor(k / 100)}.${String(k % 100).padStart(2, '0')}`;
}
