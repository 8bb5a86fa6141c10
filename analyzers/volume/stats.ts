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
  return blockedVolumeStats(a);
}

/**
 * `volumeStats` of `a`, with `block(start, end)` called before each block [start, end) is summed:
 * it may write that block first (a map built for a file gets its header statistics while each
 * block is still in cache, without a second pass over the whole box), and it returns false when
 * every voxel of the block is NaN, which is then counted without being read (a local-value map is
 * NaN outside its mask, ~99 % of the box). The numbers are those of `volumeStats(a)` afterwards.
 */
export function blockedVolumeStats(a: Float32Array, block?: (start: number, end: number) => boolean): VolumeStats {
  let min = Infinity;
  let max = -Infinity;
  let sumSq = 0;
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let nan = 0;
  let inf = 0;
  for (let start = 0, len = a.length; start < len; start += BLOCK) {
    const end = Math.min(len, start + BLOCK);
    if (block && !block(start, end)) {
      nan += end - start;
      continue;
    }
    let k = NaN;
    let bn = 0;
    let s1 = 0;
    let s2 = 0;
    let sq = 0;
    for (let i = start; i < end; i++) {
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
    if (bn === 0) continue;
    const bMean = k + s1 / bn;
    const bM2 = Math.max(0, s2 - (s1 * s1) / bn);
    const total = n + bn;
    const delta = bMean - mean;
    m2 += bM2 + (delta * delta * n * bn) / total;
    mean += (delta * bn) / total;
    sumSq += sq;
    n = total;
  }
  return {
    min: n > 0 ? min : NaN,
    max: n > 0 ? max : NaN,
    mean: n > 0 ? mean : NaN,
    std: n > 0 ? Math.sqrt(m2 / n) : NaN,
    rmsAboutZero: n > 0 ? Math.sqrt(sumSq / n) : NaN,
    finiteCount: n,
    nanCount: nan,
    infCount: inf,
  };
}
