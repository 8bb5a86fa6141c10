/**
 * THE number formatter of everything a reader sees: result sentences written by the analyzer, the
 * entry page, the PDF (printed from the page) and the labels of the curated result lists. The
 * precision follows the quantity, not the value, so the same quantity reads the same everywhere
 * (a volume is "23 050 Å³" in the sentence, the list and the PDF). Never more than 6 significant
 * digits, except exact counts. report.json and CSV cells keep full precision: they are for machines.
 */

/** What a number measures; it fixes its precision and its unit. */
export type Quantity =
  /** Å, 2 decimals (resolutions, distances, voxel sizes). */
  | 'length'
  /** Å², 1 decimal (B-factors). */
  | 'area'
  /** Å³, whole ångström³. */
  | 'volume'
  /** Correlations and other values in [−1, 1], 3 decimals. */
  | 'correlation'
  /** Fractions in [0, 1] (overlap, occupancy), 3 decimals. */
  | 'fraction'
  /** %, 1 decimal (2 significant digits below 0.1 %). */
  | 'percent'
  /** Exact integer counts, grouped by thin spaces from 10 000 up. */
  | 'count'
  /** p-values: 2 significant digits, scientific notation below 0.01. */
  | 'pValue'
  /** Degrees, 1 decimal. */
  | 'angle'
  /** Map values (densities, contour levels, statistics) and other reals: 4 significant digits. */
  | 'real';

/** Unit printed after a quantity ('' for none). */
export const QUANTITY_UNITS: Readonly<Record<Quantity, string>> = {
  length: 'Å',
  area: 'Å²',
  volume: 'Å³',
  correlation: '',
  fraction: '',
  percent: '%',
  count: '',
  pValue: '',
  angle: '°',
  real: '',
};

const MAX_SIGNIFICANT = 6;
/** Narrow no-break space (U+202F): the SI digit-group separator, which never breaks a line. */
export const THIN_SPACE = '\u202f';

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** Typographic minus for reading (CSV and JSON keep ASCII). */
function minus(s: string): string {
  return s.replace(/^-/u, '−');
}

/** Groups the integer part by thin spaces when it has 5 digits or more ("23 050"; "4000" stays whole, as SI allows). */
function group(s: string): string {
  const m = /^(-?)(\d+)(.*)$/u.exec(s);
  if (!m || m[2].length < 5) return s;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/gu, THIN_SPACE) + m[3];
}

/** "3.52 × 10⁻⁶" with `digits` significant digits, trailing zeros dropped. */
export function scientific(x: number, digits = 2): string {
  const [mant, exp] = x.toExponential(digits - 1).split('e');
  const m = mant.includes('.') ? mant.replace(/\.?0+$/u, '') : mant;
  const e = String(Number(exp)).replace(/./gu, (c) => SUPERSCRIPT[c] ?? c);
  return `${minus(m)} × 10${e}`;
}

/**
 * `x` with `decimals` decimals but at most 6 significant digits, trailing zeros dropped
 * ("3.5", "23049.8" → "23049.8" has 6), magnitudes beyond a million in scientific notation.
 */
export function fixedDecimals(x: number, decimals: number): string {
  const a = Math.abs(x);
  if (a >= 1e6) return scientific(x, 4);
  const intDigits = a < 1 ? 1 : Math.floor(Math.log10(a)) + 1;
  const d = Math.max(0, Math.min(decimals, MAX_SIGNIFICANT - intDigits));
  const s = x.toFixed(d);
  const trimmed = s.includes('.') ? s.replace(/\.?0+$/u, '') : s;
  return trimmed === '-0' ? '0' : trimmed;
}

/** `x` with `digits` significant digits; below 10⁻³ and from 10⁶ up in scientific notation. */
export function significant(x: number, digits = 4): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return scientific(x, Math.min(digits, 3));
  return String(Number(x.toPrecision(digits)));
}

function body(x: number, q: Quantity): string {
  switch (q) {
    case 'length':
      return group(fixedDecimals(x, 2));
    case 'area':
    case 'angle':
      return group(fixedDecimals(x, 1));
    case 'volume':
      return group(fixedDecimals(x, 0));
    case 'correlation':
    case 'fraction':
      return fixedDecimals(x, 3);
    case 'percent':
      return Math.abs(x) >= 0.1 || x === 0 ? group(fixedDecimals(x, 1)) : significant(x, 2);
    case 'count':
      return Number.isInteger(x) ? group(String(x)) : group(fixedDecimals(x, 1));
    case 'pValue':
      if (x === 0) return '0';
      return x >= 0.01 ? String(Number(x.toPrecision(2))) : scientific(x, 2);
    case 'real':
      return Number.isInteger(x) && Math.abs(x) < 1e6 ? group(String(x)) : group(significant(x, 4));
    default:
      return assertNever(q);
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown quantity ${String(x)}`);
}

/**
 * A number as a reader sees it, without its unit: precision by quantity, typographic minus,
 * thin-space groups; NaN and ±∞ spelled "NaN", "∞", "−∞"; null or undefined "—".
 */
export function formatBare(x: number | null | undefined, q: Quantity): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  return minus(body(x, q));
}

/** A number with its unit: "3.5 Å", "−87.3 Å²", "12.5 %", "0.874"; `unit` overrides the quantity's. */
export function formatQuantity(x: number | null | undefined, q: Quantity, unit: string = QUANTITY_UNITS[q]): string {
  const b = formatBare(x, q);
  return unit && b !== '—' ? `${b} ${unit}` : b;
}

/** Several numbers of one quantity with the unit once: "112.97, 126.87, 90.38 Å". */
export function formatQuantities(xs: readonly (number | null)[], q: Quantity, unit: string = QUANTITY_UNITS[q], sep = ', '): string {
  const b = xs.map((x) => formatBare(x, q)).join(sep);
  return unit ? `${b} ${unit}` : b;
}

/** "1 connected component", "137 connected components": a count and its noun, grouped. */
export function countNoun(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatBare(n, 'count')} ${n === 1 ? singular : plural}`;
}

/** An exact count, grouped by thin spaces from 10 000 up ("1 067 713"). */
export function formatCount(n: number): string {
  return formatBare(n, 'count');
}
