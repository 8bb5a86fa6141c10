/**
 * halfMapMeanAndDifference: (h1 + h2)/2 and (h1 − h2)/2 rounded once to float32, the same bits on
 * the worker pool (shared memory, several blocks, a partial last block) as on the calling thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownFftPool } from '../fft/fft-pool.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import { halfMapMeanAndDifference } from './half-map-sum.ts';

afterAll(() => shutdownFftPool());

/** 3.5 blocks of voxels with values whose mean and half difference are exact in float32. */
function halves(shared: boolean): [Float32Array, Float32Array] {
  const n = 3.5 * 65536;
  const [h1, h2] = shared ? [sharedFloat32(n), sharedFloat32(n)] : [new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    h1[i] = (i % 1000) - 300;
    h2[i] = 0.25 * (i % 7);
  }
  return [h1, h2];
}

describe('halfMapMeanAndDifference', () => {
  it('gives the exact mean and half difference, the same bits on the pool and on this thread', async () => {
    const onPool = await halfMapMeanAndDifference(...halves(true));
    const here = await halfMapMeanAndDifference(...halves(false));
    for (const i of [0, 1, 65535, 65536, 200_000, 3.5 * 65536 - 1]) {
      expect(onPool.mean[i]).toBe(((i % 1000) - 300 + 0.25 * (i % 7)) / 2);
      expect(onPool.diff[i]).toBe(((i % 1000) - 300 - 0.25 * (i % 7)) / 2);
    }
    expect(Buffer.from(onPool.mean.buffer).equals(Buffer.from(here.mean.buffer))).toBe(true);
    expect(Buffer.from(onPool.diff.buffer).equals(Buffer.from(here.diff.buffer))).toBe(true);
  });

  it('refuses halves of different sizes', async () => {
    await expect(halfMapMeanAndDifference(new Float32Array(4), new Float32Array(5))).rejects.toThrow('half maps of 4 and 5 voxels');
  });
});
