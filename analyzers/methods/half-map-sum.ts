/**
 * The mean and the half difference of two half maps, voxel by voxel: MonoRes's signal and noise
 * in half-map mode (level1A-spec.md §1.e). On the worker pool, block by block; each voxel is
 * computed on its own, so the values do not depend on the threads.
 */
import { parallelFor, threadsFor } from '../fft/fft-pool.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';

/** Voxels per block of the parallel loop. */
const BLOCK = 1 << 16;

interface MeanDifferenceArgs {
  readonly h1: Float32Array;
  readonly h2: Float32Array;
  readonly mean: Float32Array;
  readonly diff: Float32Array;
}

/** Blocks [a, b): mean = (h1 + h2)/2, diff = (h1 − h2)/2; a `parallelFor` body. */
export function meanDifferenceBlocks(args: MeanDifferenceArgs, a: number, b: number): void {
  const { h1, h2, mean, diff } = args;
  for (let i = a * BLOCK, end = Math.min(h1.length, b * BLOCK); i < end; i++) {
    mean[i] = 0.5 * (h1[i] + h2[i]);
    diff[i] = 0.5 * (h1[i] - h2[i]);
  }
}

/** (h1 + h2)/2 and (h1 − h2)/2 as float32 shared memory; on the pool when the halves are shared memory too. */
export async function halfMapMeanAndDifference(h1: Float32Array, h2: Float32Array): Promise<{ mean: Float32Array; diff: Float32Array }> {
  if (h2.length !== h1.length) throw new RangeError(`halfMapMeanAndDifference: half maps of ${h1.length} and ${h2.length} voxels`);
  const args = { h1, h2, mean: sharedFloat32(h1.length), diff: sharedFloat32(h1.length) };
  const blocks = Math.ceil(h1.length / BLOCK);
  await parallelFor(import.meta.url, 'meanDifferenceBlocks', meanDifferenceBlocks, args, blocks, threadsFor(h1, h2));
  return { mean: args.mean, diff: args.diff };
}
