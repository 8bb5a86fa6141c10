/** Number formatting shared by result sentences. */

/**
 * Fixed-point number for result sentences ("NaN", "Infinity" spelled out), with at most 6
 * significant digits: decimals are dropped from large numbers rather than printing "23049.79".
 * Sentences that show a quantity of an item's curated list use report/format-number.ts instead.
 */
export function f(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const intDigits = a < 1 ? 1 : Math.floor(Math.log10(a)) + 1;
  return x.toFixed(Math.max(0, Math.min(digits, 6 - intDigits)));
}
