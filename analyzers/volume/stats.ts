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
  let min = Infinity;
  let max = -Infinity;
  let sumSq = 0;
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let nan = 0;
  let inf = 0;
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(length, start + BLOCK);
    const a = block(start, end);
    if (a === null) {
      nan += end - start;
      continue;
    }
    let k = NaN;
    let bn = 0;
    let s1 = 0;
    let s2 = 0;
    let sq = 0;
    for (let i = 0, m = end - start; i < m; i++) {
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
