/**
 * Histograms whose bins follow the quantisation of the data. Local resolutions take the discrete
 * values of the frequency sweep (every 0.25 Å, say) and integer maps take integers: with equal bins
 * narrower than that spacing, or not a whole number of spacings wide, some bins hold two grid
 * values and their neighbours one or none, and the plot shows a comb instead of the distribution.
 * Here the spacing is detected from the values, and each bin is a whole number of spacings wide
 * with its edges half a spacing away from the grid values.
 */
import type { ValueMask } from '../volume/value-mask.ts';
import { histogram, type Histogram } from './order-statistics.ts';

/** Values closer than this fraction of the value range are float rounding of one grid value (float32: ~1e-7). */
const SAME_VALUE = 1e-5;
/** A value is on the grid when it is within this fraction of a step of a grid point. */
const ON_GRID = 1e-3;
/** At least this fraction of the values must lie on the grid (a few stray values do not hide it). */
const ON_GRID_SHARE = 0.99;
/** Gap sizes tried as the step, smallest first (a stray value makes a gap smaller than the step). */
const CANDIDATES = 16;
/** A level: a distinct value held by at least this share of the values. */
const LEVEL_SHARE = 0.01;
/** Values are mostly on levels when the levels hold at least this share of them. */
const LEVELS_SHARE = 0.2;

/** A grid of values: origin + j·step. */
export interface QuantisationGrid {
  readonly step: number;
  /** The most frequent value: a point of the grid (a stray minimum is not). */
  readonly origin: number;
}

/**
 * The grid that ascending finite values lie on: the smallest gap between distinct values such that
 * at least 99 % of the values lie on origin + j·gap (origin the most frequent value, within 1e-3 of
 * a step), else null (continuous data, or fewer than two distinct values). Values closer than
 * 1e-5 of the range count as one (float32 rounding of a grid value). The 16 smallest gap sizes are
 * tried, so that a few stray values off the grid, whose gaps are smaller, do not hide it. Failing
 * that, values piled on uneven levels give the smallest spacing of the levels (`levelSpacing`).
 */
export function quantisationGrid(sorted: ArrayLike<number>): QuantisationGrid | null {
  const n = sorted.length;
  if (n < 2) return null;
  const span = sorted[n - 1] - sorted[0];
  if (!(span > 0) || !Number.isFinite(span)) return null;
  // Distinct values (each the first of its cluster) and how many values each stands for.
  const same = SAME_VALUE * span;
  const value: number[] = [sorted[0]];
  const count: number[] = [1];
  for (let i = 1; i < n; i++) {
    if (sorted[i] - value[value.length - 1] > same) {
      value.push(sorted[i]);
      count.push(1);
    } else count[count.length - 1]++;
  }
  if (value.length < 2) return null;
  let origin = value[0];
  let most = 0;
  for (let k = 0; k < value.length; k++) if (count[k] > most) [most, origin] = [count[k], value[k]];
  const gaps = Float64Array.from({ length: value.length - 1 }, (_, k) => value[k + 1] - value[k]).sort();
  const tried: number[] = [];
  for (const step of gaps) {
    if (tried.length >= CANDIDATES) break;
    if (tried.some((t) => Math.abs(step - t) <= ON_GRID * t)) continue;
    tried.push(step);
    let on = 0;
    for (let k = 0; k < value.length; k++) {
      const j = (value[k] - origin) / step;
      if (Math.abs(j - Math.round(j)) <= ON_GRID) on += count[k];
    }
    if (on >= ON_GRID_SHARE * n) return { step, origin };
  }
  return levelSpacing(value, count, n, origin);
}

/**
 * Values that pile up on a few levels with others in between (MonoRes: the resolutions of its
 * frequency sweep, unevenly spaced in Å, and values between them): when levels holding ≥ 1 % of
 * the values each hold ≥ 20 % together, the smallest gap between two adjacent levels, with the most
 * frequent value as origin. Narrower bins would leave empty bins between the levels.
 */
function levelSpacing(value: readonly number[], count: readonly number[], n: number, origin: number): QuantisationGrid | null {
  const levels: number[] = [];
  let held = 0;
  for (let k = 0; k < value.length; k++) {
    if (count[k] >= LEVEL_SHARE * n) {
      levels.push(value[k]);
      held += count[k];
    }
  }
  if (levels.length < 2 || held < LEVELS_SHARE * n) return null;
  let step = Infinity;
  for (let k = 1; k < levels.length; k++) step = Math.min(step, levels[k] - levels[k - 1]);
  return { step, origin };
}

/** The quantisation step of ascending finite values (`quantisationGrid`), or null. */
export function quantisationStep(sorted: ArrayLike<number>): number | null {
  return quantisationGrid(sorted)?.step ?? null;
}

/**
 * Histogram of ascending finite `sorted` values over `range` (default [min, max]) with about `bins`
 * bins. When the values lie on a grid of step s (`quantisationGrid`), each bin is k·s wide (k ≥ 1,
 * the whole number of steps nearest the equal width (hi − lo)/bins) and its edges lie half a step
 * from the grid values, so every bin holds exactly k grid values and none falls on an edge; the
 * range is widened to whole bins. Otherwise: numpy's `bins` equal bins over the range (`histogram`).
 * Values outside the range are counted in below/above.
 */
export function quantisedHistogram(sorted: ArrayLike<number>, bins: number, range?: readonly [number, number]): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`quantisedHistogram: bins must be an integer ≥ 1, got ${bins}`);
  const n = sorted.length;
  let lo = range ? range[0] : n > 0 ? sorted[0] : 0;
  let hi = range ? range[1] : n > 0 ? sorted[n - 1] : 1;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) throw new RangeError(`quantisedHistogram: bad range [${lo}, ${hi}]`);
  const grid = quantisationGrid(sorted);
  if (grid === null) return histogram(sorted, bins, [lo, hi]);
  const { step, origin } = grid;
  const k = Math.max(1, Math.round((hi - lo) / bins / step));
  const width = k * step;
  // The first edge half a step below the grid value nearest lo, the last past the one nearest hi.
  const first = origin + (Math.round((lo - origin) / step) - 0.5) * step;
  const top = origin + (Math.round((hi - origin) / step) + 0.5) * step;
  const count = Math.max(1, Math.ceil((top - first) / width - 1e-9));
  const edges = Array.from({ length: count + 1 }, (_, i) => first + i * width);
  lo = edges[0];
  hi = edges[edges.length - 1];
  const nb = edges.length - 1;
  const counts = new Array<number>(nb).fill(0);
  let below = 0;
  let above = 0;
  const scale = nb / (hi - lo);
  for (let i = 0; i < n; i++) {
    const v = sorted[i];
    if (v < lo) below++;
    else if (v > hi) above++;
    else {
      let b = Math.min(nb - 1, Math.floor((v - lo) * scale));
      // Rounding near an edge: the half-open bin [e_b, e_b+1) that holds the value (the last closed).
      while (b > 0 && v < edges[b]) b--;
      while (b < nb - 1 && v >= edges[b + 1]) b++;
      counts[b]++;
    }
  }
  return { edges, counts, below, above };
}

/** The finite values of `map` at the voxels that have a value (`inside`), ascending: what a histogram of a local-value map counts. */
export function sortedValuesWhere(map: Float32Array, inside: ValueMask): Float64Array {
  const idx = inside.indices();
  let n = 0;
  for (let j = 0; j < idx.length; j++) if (map[idx[j]] - map[idx[j]] === 0) n++;
  const out = new Float64Array(n);
  for (let j = 0, k = 0; j < idx.length; j++) {
    const v = map[idx[j]];
    if (v - v === 0) out[k++] = v;
  }
  return out.sort();
}
