import { afterAll, describe, expect, it } from 'vitest';
import { pooledVolumeStats } from './pooled-stats.ts';
import { volumeStats } from '../volume/stats.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import { shutdownFftPool } from '../fft/fft-pool.ts';
import { mulberry32 } from '../util/random.ts';

afterAll(() => shutdownFftPool());

describe('pooledVolumeStats', () => {
  it('gives the bits of volumeStats, on the pool and inline, with NaN, ±Inf, an offset and a ragged last block', async () => {
    const n = 70 * 70 * 70 + 13; // not a multiple of the block
    const rnd = mulberry32(5);
    const data = sharedFloat32(n);
    for (let i = 0; i < n; i++) data[i] = 1000 + 3 * rnd() - (i % 97 === 0 ? 2000 : 0);
    data[17] = NaN;
    data[9000] = Infinity;
    data[n - 1] = -Infinity;
    data.fill(NaN, 20000, 40000); // whole NaN blocks
    const want = volumeStats(data);
    const pooled = await pooledVolumeStats(data);
    expect(pooled).toEqual(want);
    expect(await pooledVolumeStats(Float32Array.from(data))).toEqual(want);
    expect(want.nanCount).toBe(20001);
    expect(want.infCount).toBe(2);
    expect(want.finiteCount).toBe(n - 20003);
    // Against a plain two-pass float64 computation: the numbers themselves, not only their agreement.
    let sum = 0, cnt = 0, min = Infinity, max = -Infinity;
    for (const v of data) if (Number.isFinite(v)) { sum += v; cnt++; min = Math.min(min, v); max = Math.max(max, v); }
    const mean = sum / cnt;
    let ss = 0;
    for (const v of data) if (Number.isFinite(v)) ss += (v - mean) ** 2;
    expect(pooled.mean).toBeCloseTo(mean, 9);
    expect(pooled.std).toBeCloseTo(Math.sqrt(ss / cnt), 9);
    expect([pooled.min, pooled.max]).toEqual([min, max]);
  });

  it('counts an all-NaN map as having no finite value', async () => {
    const data = sharedFloat32(20000).fill(NaN);
    const s = await pooledVolumeStats(data);
    expect(s.finiteCount).toBe(0);
    expect(s.nanCount).toBe(20000);
    expect(Number.isNaN(s.mean)).toBe(true);
  });
});
