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

/** Two passes: mean first, then Σ(v−mean)², which keeps precision for maps with a large offset. */
export function volumeStats(a: Float32Array): VolumeStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  let nan = 0;
  let inf = 0;
  for (let i = 0, len = a.length; i < len; i++) {
    const v = a[i];
    if (v !== v) {
      nan++;
      continue;
    }
    if (v === Infinity || v === -Infinity) {
      inf++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSq += v * v;
    n++;
  }
  const mean = n > 0 ? sum / n : NaN;
  let acc = 0;
  for (let i = 0, len = a.length; i < len; i++) {
    const d = a[i] - mean;
    if (d - d === 0) acc += d * d; // false for NaN and ±Inf
  }
  return {
    min: n > 0 ? min : NaN,
    max: n > 0 ? max : NaN,
    mean,
    std: n > 0 ? Math.sqrt(acc / n) : NaN,
    rmsAboutZero: n > 0 ? Math.sqrt(sumSq / n) : NaN,
    finiteCount: n,
    nanCount: nan,
    infCount: inf,
  };
}
