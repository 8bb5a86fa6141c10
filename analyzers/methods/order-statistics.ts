/**
 * Quantiles and histograms with numpy's definitions, on typed arrays.
 *
 * Quantile (numpy.quantile / numpy.percentile, default method "linear"): for N values sorted
 * a_0 ≤ … ≤ a_(N−1) and q ∈ [0, 1], h = (N − 1)·q, i = floor(h), Q = a_i + (h − i)·(a_(i+1) − a_i)
 * (Q = a_(N−1) when i = N − 1). A NaN anywhere makes the quantile NaN, as in numpy.
 *
 * Histogram (numpy.histogram with `bins` equal bins over `range`): edges = linspace(lo, hi, bins+1),
 * bins half-open [e_k, e_(k+1)) except the last, which is closed; lo = hi widens to lo − 0.5,
 * hi + 0.5. numpy drops values outside the range; here they are counted in `below`/`above`
 * (NaN in neither).
 */

type Numeric = Float32Array | Float64Array;

/** numpy 'linear' quantile of an ascending array (no NaN check; q ∈ [0, 1]). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantileSorted: empty array');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const i = Math.floor(h);
  if (i >= n - 1) return sorted[n - 1];
  const lo = sorted[i];
  return lo + (h - i) * (sorted[i + 1] - lo);
}

/**
 * numpy 'linear' quantile of the first `length` values of `buf`, found by selection in O(N).
 * Reorders those values in place (buf is scratch). Precondition: q ∈ [0, 1].
 */
export function quantileInPlace(buf: Numeric, q: number, length = buf.length): number {
  if (length === 0) throw new RangeError('quantileInPlace: no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileInPlace: q must be in [0, 1], got ${q}`);
  for (let i = 0; i < length; i++) if (buf[i] !== buf[i]) return NaN;
  const h = (length - 1) * q;
  const i = Math.floor(h);
  const lo = selectKth(buf, i, length);
  if (i >= length - 1 || h === i) return lo;
  // After selection every value right of i is ≥ a_i: the next order statistic is their minimum.
  let next = Infinity;
  for (let k = i + 1; k < length; k++) if (buf[k] < next) next = buf[k];
  return lo + (h - i) * (next - lo);
}

/** numpy 'linear' quantile of `values` (left untouched; copied into float64 scratch). */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileInPlace(Float64Array.from(values), q);
}

/** Several numpy 'linear' quantiles of `values` (one sort of a float64 copy; untouched input). */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const sorted = Float64Array.from(values);
  for (let i = 0; i < sorted.length; i++) if (sorted[i] !== sorted[i]) return qs.map(() => NaN);
  sorted.sort();
  return qs.map((q) => quantileSorted(sorted, q));
}

/**
 * Places the k-th smallest of buf[0..length) at index k, smaller-or-equal values before it and
 * greater-or-equal after (Hoare partition, median-of-three pivot; falls back to a sort of the
 * remaining range when the partitions keep coming out unbalanced). Returns buf[k].
 */
export function selectKth(buf: Numeric, k: number, length: number): number {
  let left = 0;
  let right = length - 1;
  let budget = 2 * Math.ceil(Math.log2(length + 1)) + 16;
  while (right > left) {
    if (budget-- === 0 || right - left < 16) {
      const part = buf.subarray(left, right + 1);
      part.sort();
      return buf[k];
    }
    const mid = (left + right) >>> 1;
    // Median of three into buf[mid].
    if (buf[mid] < buf[left]) swap(buf, mid, left);
    if (buf[right] < buf[left]) swap(buf, right, left);
    if (buf[right] < buf[mid]) swap(buf, right, mid);
    const pivot = buf[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (buf[i] < pivot) i++;
      while (buf[j] > pivot) j--;
      if (i <= j) {
        const t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
        i++;
        j--;
      }
    }
    // Now [left, j] ≤ pivot ≤ [i, right] and (j, i) == pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return buf[k];
  }
  return buf[k];
}

function swap(buf: Numeric, a: number, b: number): void {
  const t = buf[a];
  buf[a] = buf[b];
  buf[b] = t;
}

/** Equal-width histogram: `edges` (bins + 1), `counts` (bins), values below/above the range. */
export interface Histogram {
  readonly edges: number[];
  readonly counts: number[];
  readonly below: number;
  readonly above: number;
}

/**
 * numpy.histogram(values, bins, range=[lo, hi]) (range defaults to [min, max] of the finite
 * values; lo = hi becomes [lo − 0.5, hi + 0.5]). Edges are numpy.linspace(lo, hi, bins + 1); a
 * value goes to bin floor((x − lo)·bins/(hi − lo)), then moved one bin down or up if it falls on
 * the other side of the computed edge, as numpy does; x = hi goes to the last bin. Out-of-range
 * values are counted in below/above, NaN nowhere. Only the first `length` values are read.
 */
export function histogram(values: ArrayLike<number>, bins: number, range?: readonly [number, number], length = values.length): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogram: bins must be an integer ≥ 1, got ${bins}`);
  let lo: number;
  let hi: number;
  if (range) {
    [lo, hi] = range;
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo > hi) {
      lo = 0;
      hi = 1;
    }
  }
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) throw new RangeError(`histogram: bad range [${lo}, ${hi}]`);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = linspace(lo, hi, bins + 1);
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  const norm = bins / (hi - lo);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v !== v) continue;
    if (v < lo) {
      below++;
      continue;
    }
    if (v > hi) {
      above++;
      continue;
    }
    let k = Math.floor((v - lo) * norm);
    if (k >= bins) k = bins - 1;
    if (v < edges[k]) k--;
    else if (k < bins - 1 && v >= edges[k + 1]) k++;
    counts[k]++;
  }
  return { edges, counts, below, above };
}

/** numpy.linspace(start, stop, num) (num ≥ 1; the last value is exactly `stop` when num > 1). */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  out[num - 1] = stop;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Percent-form statistics of 0.e (MonoRes): kept in their validated arithmetic.
// ---------------------------------------------------------------------------------------------

/** numpy-style percentile (linear interpolation) of an ascending array, p in [0, 100]. */
export function percentileSorted(s: Float32Array | Float64Array, p: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/**
 * numpy.histogram(values, bins) of an ascending array: equal bins over [min, max] (min ± 0.5 when
 * all values are equal), the last bin closed. Returns bins + 1 edges and bins counts.
 */
export function histogramSorted(s: Float32Array, bins: number): { edges: number[]; counts: number[] } {
  const n = s.length;
  let lo = n ? s[0] : 0;
  let hi = n ? s[n - 1] : 1;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (hi - lo);
  for (let i = 0; i < n; i++) {
    let b = Math.floor((s[i] - lo) * scale);
    if (b >= bins) b = bins - 1;
    if (b < 0) b = 0;
    // Floating-point rounding near an edge: move to the bin whose half-open range holds the value.
    while (b > 0 && s[i] < edges[b]) b--;
    while (b < bins - 1 && s[i] >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts };
}

// ---------------------------------------------------------------------------------------------
// Order statistics without a full sort.
// ---------------------------------------------------------------------------------------------

/**
 * The k-th largest non-NaN value of `a` (k clamped to 1…count), exact: a 4096-bin histogram
 * over [min, max] finds the bin holding it, then the values of that bin are sorted. Three passes,
 * no copy of the array (a sort of a 64-Mvoxel map would cost 256 MB and seconds).
 */
export function kthLargest(a: Float32Array, k: number): number {
  let min = Infinity, max = -Infinity, n = 0;
  for (let i = 0, len = a.length; i < len; i++) {
    const x = a[i];
    if (x !== x) continue;
    n++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0) return NaN;
  k = Math.max(1, Math.min(n, Math.round(k)));
  if (!(max > min)) return max;
  const bins = 4096;
  const scale = bins / (max - min);
  const hist = new Uint32Array(bins + 1);
  for (let i = 0, len = a.length; i < len; i++) {
    const x = a[i];
    if (x === x) hist[((x - min) * scale) | 0]++;
  }
  hist[bins - 1] += hist[bins]; // x = max lands in the extra bin
  let above = 0, b = bins - 1;
  for (; b > 0 && above + hist[b] < k; b--) above += hist[b];
  // Bin b holds values with ((x − min)·scale | 0) === b; compare in that same arithmetic.
  const vals = new Float32Array(hist[b]);
  let w = 0;
  for (let i = 0, len = a.length; i < len; i++) {
    const x = a[i];
    if (x === x) {
      const j = ((x - min) * scale) | 0;
      if (j === b || (j === bins && b === bins - 1)) vals[w++] = x;
    }
  }
  vals.sort();
  return vals[vals.length - (k - above)];
}

/**
 * The `q`-quantiles (0..1, linear interpolation between order statistics, numpy's default) of the
 * finite values of `values`.
 */
export function finiteQuantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  if (finite.length === 0) return qs.map(() => NaN);
  const sorted = Float64Array.from(finite).sort();
  return qs.map((q) => {
    const h = (sorted.length - 1) * q;
    const i = Math.floor(h);
    return i + 1 < sorted.length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
  });
}

// ---------------------------------------------------------------------------------------------
// Summaries of a local-value map inside a mask (0.f, 0.g).
// ---------------------------------------------------------------------------------------------

/** Percentiles reported by 0.f and 0.g (keys p2_5 … p97_5). */
export interface PercentileSummary {
  p2_5: number;
  p25: number;
  p50: number;
  p75: number;
  p97_5: number;
}

/** The reported percentiles: key in `PercentileSummary`, quantile level, table label. */
export const PERCENTILE_LEVELS: ReadonlyArray<readonly [keyof PercentileSummary, number, string]> = [
  ['p2_5', 0.025, '2.5%'],
  ['p25', 0.25, '25%'],
  ['p50', 0.5, '50%'],
  ['p75', 0.75, '75%'],
  ['p97_5', 0.975, '97.5%'],
];

/** Summary statistics of a map's values inside a mask (mask value > 0.5, finite values only). */
export interface MaskedSummary {
  percentiles: PercentileSummary;
  median: number;
  histogram: Histogram;
  /** Voxels counted (finite values inside the mask). */
  count: number;
  /** Voxels inside the mask whose value is NaN or ±∞ (left out of the statistics). */
  nonFinite: number;
}

/**
 * Percentiles (numpy linear) and a 25-bin histogram of `map` over mask > 0.5. The histogram range
 * is `range` or, when absent, [p0.5, p99.5] of the values. Returns null when no finite value is
 * inside the mask.
 */
export function maskedSummary(map: Float32Array, mask: Uint8Array, range?: readonly [number, number]): MaskedSummary | null {
  let count = 0;
  let nonFinite = 0;
  for (let i = 0; i < map.length; i++) {
    if (mask[i] > 0.5) {
      if (Number.isFinite(map[i])) count++;
      else nonFinite++;
    }
  }
  if (count === 0) return null;
  const sorted = new Float64Array(count);
  for (let i = 0, k = 0; i < map.length; i++) if (mask[i] > 0.5 && Number.isFinite(map[i])) sorted[k++] = map[i];
  sorted.sort();
  const percentiles = {} as PercentileSummary;
  for (const [key, q] of PERCENTILE_LEVELS) percentiles[key] = quantileSorted(sorted, q);
  const hRange = range ?? ([quantileSorted(sorted, 0.005), quantileSorted(sorted, 0.995)] as const);
  return { percentiles, median: percentiles.p50, histogram: histogram(sorted, 25, hRange), count, nonFinite };
}
