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
  const lo = select(buf, i, length);
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
function select(buf: Numeric, k: number, length: number): number {
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
