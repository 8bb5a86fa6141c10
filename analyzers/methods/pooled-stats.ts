/**
 * `volumeStats` of a map on shared memory with the blocks' partial sums on the worker pool: the
 * partials are those a single pass computes, merged here in block order, so the numbers are the
 * same bits (volume/stats.ts). What the analysis of a 360³ map gains: ~0.4 s of its first,
 * single-threaded seconds.
 */
import { parallelFor, threadsFor, threadsForVoxels } from '../fft/fft-pool.ts';
import { blockPartial, PARTIAL_FIELDS, STATS_BLOCK, StatsMerger, type VolumeStats } from '../volume/stats.ts';

/** Arguments of `partialBlocks`. */
export interface PartialArgs {
  readonly data: Float32Array;
  /** Out: PARTIAL_FIELDS numbers per block. */
  readonly partials: Float64Array;
}

/** Blocks [a, b) of the partial sums; a `parallelFor` body. */
export function partialBlocks({ data, partials }: PartialArgs, a: number, b: number): void {
  for (let j = a; j < b; j++) blockPartial(data, j * STATS_BLOCK, Math.min(data.length, (j + 1) * STATS_BLOCK), partials, j * PARTIAL_FIELDS);
}

/** `volumeStats(data)`, the block partials on the pool when `data` is on shared memory and at least PARALLEL_MIN_VOXELS long. */
export async function pooledVolumeStats(data: Float32Array): Promise<VolumeStats> {
  const blocks = Math.ceil(data.length / STATS_BLOCK);
  const partials = new Float64Array(new SharedArrayBuffer(8 * PARTIAL_FIELDS * Math.max(1, blocks)));
  // A small map is not worth starting the pool for (its transforms run on this thread too).
  await parallelFor(import.meta.url, 'partialBlocks', partialBlocks, { data, partials }, blocks, Math.min(threadsFor(data), threadsForVoxels(data.length)));
  const merged = new StatsMerger();
  for (let j = 0; j < blocks; j++) merged.add(partials, j * PARTIAL_FIELDS);
  return merged.stats();
}
