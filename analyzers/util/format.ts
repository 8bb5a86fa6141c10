/** Number formatting shared by result sentences. */

/** Fixed-point number for result sentences ("NaN", "Infinity" spelled out). */
export function f(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}
