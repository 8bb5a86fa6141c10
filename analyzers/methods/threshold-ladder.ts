/**
 * 0.b's mass ladder: thresholds g_k = k·max/25 while g_k < max, and the number of voxels strictly
 * above each. One pass bins each voxel by the largest k with g_k < v (exact comparison against the
 * same float64 g_k); counts are then summed from the top. The maximum and the counts do not depend
 * on the order in which voxels are visited (a maximum, integer counts), so `ladderCountsOnPool`
 * splits the map into blocks on the worker pool and gets the numbers of the one-pass
 * `ladderCounts`, exactly.
 */
import { parallelFor } from '../fft/fft-pool.ts';
import { isShared } from '../util/shared-memory.ts';

/** Steps of the ladder between 0 and the map's maximum. */
export const LADDER_STEPS = 25;
/** Voxels per pool task. */
const BLOCK = 1 << 20;

/** The thresholds g_k and, for each, the voxels strictly above it. */
export interface LadderCounts {
  readonly thresholds: readonly number[];
  readonly counts: Float64Array;
}

/** Largest value of data[a…b) (NaN ignored; −∞ if none); the first of equal maxima. */
function maxOf(data: Float32Array, a: number, b: number): number {
  let max = -Infinity;
  for (let i = a; i < b; i++) if (data[i] > max) max = data[i];
  return max;
}

/** The thresholds below `max`, or null when the map has no positive finite maximum. */
function thresholdsBelow(max: number): number[] | null {
  if (!(max > 0) || !Number.isFinite(max)) return null;
  const step = max / LADDER_STEPS;
  const g: number[] = [];
  for (let k = 1; step * k < max; k++) g.push(step * k);
  return g;
}

/** Adds to bins[k + 1] the voxels of data[a…b) whose largest passed threshold is g[k]. */
function binVoxels(data: Float32Array, g: readonly number[], step: number, bins: Float64Array, a: number, b: number): void {
  const K = g.length;
  const g0 = g[0];
  for (let i = a; i < b; i++) {
    const v = data[i];
    if (!(v > g0)) continue;
    let k = Math.min(K - 1, Math.max(0, Math.ceil(v / step) - 2));
    while (k + 1 < K && v > g[k + 1]) k++;
    while (k > 0 && !(v > g[k])) k--;
    bins[k + 1]++;
  }
}

function countsOf(bins: Float64Array, K: number): Float64Array {
  const counts = new Float64Array(K);
  let above = 0;
  for (let k = K - 1; k >= 0; k--) {
    above += bins[k + 1];
    counts[k] = above;
  }
  return counts;
}

/** The ladder in one pass on the calling thread (null: no positive finite maximum). */
export function ladderCounts(data: Float32Array): LadderCounts | null {
  const g = thresholdsBelow(maxOf(data, 0, data.length));
  if (g === null) return null;
  const bins = new Float64Array(g.length + 1);
  binVoxels(data, g, g[0], bins, 0, data.length);
  return { thresholds: g, counts: countsOf(bins, g.length) };
}

/** Block maxima: maxima[j] for the blocks j ∈ [a, b); a `parallelFor` body. */
export function blockMaxima(args: { data: Float32Array; maxima: Float64Array }, a: number, b: number): void {
  for (let j = a; j < b; j++) args.maxima[j] = maxOf(args.data, j * BLOCK, Math.min(args.data.length, (j + 1) * BLOCK));
}

/** Block bins: row j of `bins` (K + 1 counts) for the blocks j ∈ [a, b); a `parallelFor` body. */
export function blockBins(args: { data: Float32Array; g: number[]; bins: Float64Array }, a: number, b: number): void {
  const width = args.g.length + 1;
  for (let j = a; j < b; j++) {
    binVoxels(args.data, args.g, args.g[0], args.bins.subarray(j * width, (j + 1) * width), j * BLOCK, Math.min(args.data.length, (j + 1) * BLOCK));
  }
}

/** `ladderCounts` with its two passes on the worker pool when `data` is shared memory: the same numbers. */
export async function ladderCountsOnPool(data: Float32Array): Promise<LadderCounts | null> {
  if (!isShared(data)) return ladderCounts(data);
  const blocks = Math.ceil(data.length / BLOCK);
  const maxima = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, blocks)));
  await parallelFor(import.meta.url, 'blockMaxima', blockMaxima, { data, maxima }, blocks);
  // Block maxima in block order, strict ">": the value and the first of equal maxima of one pass.
  let max = -Infinity;
  for (let j = 0; j < blocks; j++) if (maxima[j] > max) max = maxima[j];
  const g = thresholdsBelow(max);
  if (g === null) return null;
  const width = g.length + 1;
  const perBlock = new Float64Array(new SharedArrayBuffer(8 * width * Math.max(1, blocks)));
  await parallelFor(import.meta.url, 'blockBins', blockBins, { data, g, bins: perBlock }, blocks);
  const bins = new Float64Array(width);
  for (let j = 0; j < blocks; j++) for (let k = 0; k < width; k++) bins[k] += perBlock[j * width + k];
  return { thresholds: g, counts: countsOf(bins, g.length) };
}
