/**
 * Text formatting for pages: numbers, values with units, statuses. Pure functions of report data,
 * so .astro files stay free of arithmetic and every page formats the same way.
 */
import { formatBare as bare, significant, type Quantity } from '../../../analyzers/report/format-number.ts';
import type { ItemStatus } from '../../../analyzers/report/schema.ts';

/**
 * A number for reading when nothing better is known of it: the one formatter's generic real (4
 * significant digits, integers whole and grouped, scientific notation far from 1).
 */
export function formatNumber(v: number): string {
  return bare(v, 'real');
}

/** Quantities whose unit says what they are: a table column in Å³ reads like every other volume. */
const UNIT_QUANTITIES: Readonly<Record<string, Quantity>> = { 'Å': 'length', 'Å²': 'area', 'Å³': 'volume', '%': 'percent', '°': 'angle' };

/** The quantity of a table column from its unit, or null (then cells keep up to 6 significant digits). */
export function quantityOfUnit(unit: string | undefined): Quantity | null {
  return (unit && UNIT_QUANTITIES[unit]) || null;
}

/**
 * A table cell: a number of a known quantity as everywhere else, other exact counts whole and
 * grouped, other numbers to 6 significant digits (tables are for reading values off), null as an em dash.
 */
export function formatCell(v: number | string | null, quantity: Quantity | null = null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (quantity) return bare(v, quantity);
  if (Number.isInteger(v)) return bare(v, 'count');
  if (!Number.isFinite(v)) return bare(v, 'real');
  return significant(v, 6).replace(/^-/u, '−');
}

/** Values up to this many scalars are printed inline; longer ones point to the JSON download. */
const MAX_INLINE = 12;

/**
 * One machine-readable value (`items[k].values[key]`) as text: scalars formatted, short lists
 * "a, b, c", objects "key: value; …" (one level), anything larger summarised by its shape
 * ("25 × 4 values"). The unit, when given, is appended once.
 */
export function formatValue(v: unknown, unit?: string): string {
  const body = formatBare(v, 0);
  return unit && body !== '—' && !/values$/u.test(body) ? `${body} ${unit}` : body;
}

function formatBare(v: unknown, depth: number): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (v.length === 0) return '(none)';
    if (v.every((x) => Array.isArray(x))) return `${v.length} × ${(v[0] as unknown[]).length} values`;
    if (v.length > MAX_INLINE || v.some((x) => typeof x === 'object' && x !== null)) return `${v.length} values`;
    return v.map((x) => formatBare(x, depth + 1)).join(', ');
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (depth > 0 || entries.length > MAX_INLINE) return `${entries.length} values`;
    return entries.map(([k, x]) => `${k}: ${formatBare(x, depth + 1)}`).join('; ');
  }
  return String(v);
}

/** Readable names for keys the analyzer writes today; other keys are split from camelCase. */
const KEY_LABELS: Record<string, string> = {
  bFactor: 'B-factor',
  comDecentering: 'centre-of-mass decentring',
  centerOfMass: 'centre of mass',
  centerOfMassA: 'centre of mass (map frame)',
  decentering: 'decentring',
  components95: 'components holding 95% of the mass',
  remainingAvgVolume: 'average volume of the remaining blobs',
  sampleMassKDa: 'molecular weight of the sample (EMDB)',
  massRatio: 'enclosed mass / sample molecular weight',
  sampleMassContour: 'contour enclosing the sample molecular weight',
  expectedForMethod: 'warnings expected for the method (not raised)',
  outlierFraction: 'fraction beyond 5σ',
  outlierRatio: 'ratio to a Gaussian',
  n: 'voxels',
  t: 't-statistic',
  p: 'p-value',
  std: 'standard deviation',
  averageQ: 'average Q',
  expectedQ: 'expected Q',
  medianQ: 'median Q',
  qRelativeAll: 'Q_relative_all',
  qRelativeResolution: 'Q_relative_resolution',
  qRelativePopulations: 'Q_relative populations',
  referenceA: 'reference Gaussian A',
  referenceB: 'reference Gaussian B',
};

/** "remainingMaxVoxels" → "Remaining max voxels"; known keys get their proper name. */
export function labelForKey(key: string): string {
  const words = KEY_LABELS[key] ?? key.replace(/([a-z0-9])([A-Z])/gu, '$1 $2').replace(/[_-]+/gu, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Status as shown: a symbol (never colour alone), a short word for table cells and a full phrase. */
export interface StatusLabel {
  status: ItemStatus;
  /** CSS class of the pill: the status, or `not-judged` for an item measured without criteria to apply. */
  cls: string;
  /** One character, shown beside the text, hidden from screen readers. */
  icon: string;
  /** Full label: "OK", "2 warnings", "Does not apply", "Could not be measured". */
  text: string;
  /** Short cell text for the archive table. */
  short: string;
}

/**
 * The label of an item status, with the warning count for "warnings". An item measured but not
 * evaluable (nothing to judge it against, e.g. no reported resolution) is not shown as "OK": its
 * numbers are there, its verdict is not.
 */
export function statusLabel(status: ItemStatus, warnings: number, evaluable = true): StatusLabel {
  switch (status) {
    case 'ok':
      return evaluable ? { status, cls: status, icon: '✓', text: 'OK', short: 'OK' } : { status, cls: 'not-judged', icon: '○', text: 'Measured, not judged', short: 'measured' };
    case 'warnings':
      return { status, cls: status, icon: '!', text: `${warnings} warning${warnings === 1 ? '' : 's'}`, short: `${warnings} warn.` };
    case 'not-applicable':
      return { status, cls: status, icon: '–', text: 'Does not apply', short: 'n/a' };
    case 'failed':
      // "failed" stays the JSON status; readers see "not measured", which is what it means for a
      // masked map or a refused input (an analyzer bug says so in the item's reason).
      return { status, cls: status, icon: '⊘', text: 'Could not be measured', short: 'not measured' };
    default:
      return assertNever(status);
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown status ${String(x)}`);
}

/** Bytes as "3.54 MB" (decimal units, as file sizes are usually quoted). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))} ${units[i]}`;
}

/** A vector of three as "a × b × c" when all equal-ish dimensions matter, else "a, b, c". */
export function formatVec3(v: readonly [number, number, number], sep = ', '): string {
  return v.map(formatNumber).join(sep);
}

/** Text for HTML or SVG markup built as a string (glance panel, statistics plots, the PDF header with EMDB titles). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/gu, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
