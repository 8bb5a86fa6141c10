/**
 * 0.b's mass ladder counted in blocks on the worker pool: the same thresholds and counts as the
 * one-pass count, and the counts of a designed map.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import { LADDER_STEPS, ladderCounts, ladderCountsOnPool } from './threshold-ladder.ts';

describe('ladderCountsOnPool', () => {
  it('equals the one-pass count on a map of several blocks (maximum in a late block, NaN, negatives)', async () => {
    const n = 3_300_000;
    const data = sharedFloat32(n);
    const rnd = mulberry32(12);
    for (let i = 0; i < n; i++) data[i] = rnd() * rnd() * 2 - 0.5;
    data[123] = Number.NaN;
    data[2_900_000] = 7.5;
    const pool = await ladderCountsOnPool(data);
    const one = ladderCounts(data);
    expect(pool).not.toBeNull();
    expect(pool!.thresholds).toEqual(one!.thresholds);
    expect(Array.from(pool!.counts)).toEqual(Array.from(one!.counts));
    expect(pool!.thresholds[0]).toBe(7.5 / LADDER_STEPS);
    expect(pool!.counts[pool!.counts.length - 1]).toBe(1); // only the maximum is above the top threshold
  });

  it('counts a designed map: k voxels at value k for k = 1…25', async () => {
    const data = sharedFloat32(1_200_000).fill(-1);
    let at = 0;
    for (let k = 1; k <= 25; k++) for (let j = 0; j < k; j++) data[(at++ * 47_777) % data.length] = k;
    const got = (await ladderCountsOnPool(data))!;
    // g_k = k (k = 1…24); voxels strictly above k: Σ_{j > k} j.
    expect(got.thresholds).toEqual(Array.from({ length: 24 }, (_, k) => k + 1));
    expect(Array.from(got.counts)).toEqual(Array.from({ length: 24 }, (_, k) => ((26 * 25) / 2) - ((k + 2) * (k + 1)) / 2));
  });

  it('has no ladder without a positive finite maximum', async () => {
    expect(await ladderCountsOnPool(sharedFloat32(2_500_000).fill(-2))).toBeNull();
    const inf = sharedFloat32(2_500_000);
    inf[2_400_000] = Infinity;
    expect(await ladderCountsOnPool(inf)).toBeNull();
    expect(ladderCounts(inf)).toBeNull();
  });
});
