/**
 * Whole-volume statistics in float64 accumulators. NaN and ±Inf voxels are counted and skipped,
 * so one bad voxel does not poison the mean (gemmi stats.hpp habit).
 */

export interface VolumeStats {
  /** Finite voxels only. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation about the mean (not RMS about zero). */
  readonly std: number;
  /** Root mean square about zero. */
  readonly rmsAboutZero: number;
  readonly finiteCount: number;
  readonly nanCount: number;
  readonly infCount: number;
}

/** Values per block of the one-pass statistics (see `volumeStats`). */
const BLOCK = 8192;

/**
 * One pass over the data in blocks: each block sums v − K and (v − K)² about its own first finite
 * value K, which keeps precision for maps with a large offset, and the blocks are merged with the
 * pairwise update of Chan, Golub and LeVeque (count, mean, Σ(v − mean)²). NaN and ±Inf fail the
 * single test v − v === 0 and are told apart only then.
 */
export function volumeStats(a: Float32Array): VolumeStats {
  return blockedVolumeStats(a.length, (start, end) => a.subarray(start, end));
}

/**
 * `volumeStats` of `length` voxels handed over block by block: `block(start, end)` returns the
 * values of voxels [start, end) (at 0 … end − start − 1), built when asked (a map made only to be
 * written gets its header statistics before its bytes, without being held whole), or null when
 * all of them are NaN, which are then counted unread (a local-value map is NaN outside its mask,
 * ~99 % of the box). The numbers are those of `volumeStats` of the whole array.
 */
export function blockedVolumeStats(length: number, block: (start: number, end: number) => Float32Array | null): VolumeStats {
  const merged = new StatsMerger();
  const part = new Float64Array(PARTIAL_FIELDS);
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(length, start + BLOCK);
    const a = block(start, end);
    if (a === null) {
      merged.addNaN(end - start);
      continue;
    }
    blockPartial(a, 0, end - start, part, 0);
    merged.add(part, 0);
  }
  return merged.stats();
}

/** Numbers per block partial of `blockPartial`: k, count, Σ(v − k), Σ(v − k)², Σv², min, max, NaN, ±Inf. */
export const PARTIAL_FIELDS = 9;

/** Voxels per block of the statistics: partials of blocks of this size merge to `volumeStats`. */
export const STATS_BLOCK = BLOCK;

/**
 * The partial sums of values a[from … to) (one block) about its first finite value k, written at
 * out[o … o + PARTIAL_FIELDS): what `blockedVolumeStats` adds per block, computable on any thread.
 */
export function blockPartial(a: Float32Array, from: number, to: number, out: Float64Array, o: number): void {
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  let inf = 0;
  let k = NaN;
  let bn = 0;
  let s1 = 0;
  let s2 = 0;
  let sq = 0;
  for (let i = from; i < to; i++) {
    const v = a[i];
    if (v - v !== 0) {
      if (v !== v) nan++;
      else inf++;
      continue;
    }
    if (bn === 0) k = v;
    const d = v - k;
    s1 += d;
    s2 += d * d;
    sq += v * v;
    min = v < min ? v : min;
    max = v > max ? v : max;
    bn++;
  }
  out[o] = k;
  out[o + 1] = bn;
  out[o + 2] = s1;
  out[o + 3] = s2;
  out[o + 4] = sq;
  out[o + 5] = min;
  out[o + 6] = max;
  out[o + 7] = nan;
  out[o + 8] = inf;
}

/** Merges block partials in block order (Chan, Golub and LeVeque's pairwise update), the same numbers whichever thread made them. */
export class StatsMerger {
  private min = Infinity;
  private max = -Infinity;
  private sumSq = 0;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private nan = 0;
  private inf = 0;

  /** Voxels known to be NaN without being read. */
  addNaN(count: number): void {
    this.nan += count;
  }

  /** The next block's partial, at p[o …]. */
  add(p: Float64Array, o: number): void {
    this.nan += p[o + 7];
    this.inf += p[o + 8];
    const bn = p[o + 1];
    if (bn === 0) return;
    const k = p[o], s1 = p[o + 2], s2 = p[o + 3];
    this.min = p[o + 5] < this.min ? p[o + 5] : this.min;
    this.max = p[o + 6] > this.max ? p[o + 6] : this.max;
    const bMean = k + s1 / bn;
    const bM2 = Math.max(0, s2 - (s1 * s1) / bn);
    const total = this.n + bn;
    const delta = bMean - this.mean;
    this.m2 += bM2 + (delta * delta * this.n * bn) / total;
    this.mean += (delta * bn) / total;
    this.sumSq += p[o + 4];
    this.n = total;
  }

  stats(): VolumeStats {
    const { n, min, max, mean, m2, sumSq } = this;
    return {
      min: n > 0 ? min : NaN,
      max: n > 0 ? max : NaN,
      mean: n > 0 ? mean : NaN,
      std: n > 0 ? Math.sqrt(m2 / n) : NaN,
      rmsAboutZero: n > 0 ? Math.sqrt(sumSq / n) : NaN,
      finiteCount: n,
      nanCount: this.nan,
      infCount: this.inf,
    };
  }
}
