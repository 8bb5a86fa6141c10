import { describe, expect, it } from 'vitest';
import { blockedVolumeStats, volumeStats } from './stats.ts';

describe('volumeStats', () => {
  it('keeps precision on a large offset, across blocks whose first voxels are NaN or ±Inf', () => {
    // 10⁴ ± 1 alternating: mean exactly 10⁴, σ exactly 1, RMS about zero √(10⁸ + 1).
    const n = 3 * 8192 + 6;
    const a = new Float32Array(n);
    let sign = 1;
    for (let i = 0; i < n; i++) {
      a[i] = 1e4 + sign;
      sign = -sign;
    }
    // Bad voxels, one pair at the start of each block so that the pairs of ±1 stay balanced.
    for (const [i, bad] of [[0, NaN], [1, NaN], [8192, Infinity], [8193, -Infinity], [16384, NaN], [16385, Infinity]] as const) a[i] = bad;
    const s = volumeStats(a);
    expect(s.finiteCount).toBe(n - 6);
    expect(s.nanCount).toBe(3);
    expect(s.infCount).toBe(3);
    expect(s.mean).toBeCloseTo(1e4, 9);
    expect(s.std).toBeCloseTo(1, 9);
    expect(s.rmsAboutZero).toBeCloseTo(Math.sqrt(1e8 + 1), 6);
    expect(s.min).toBe(1e4 - 1);
    expect(s.max).toBe(1e4 + 1);
  });

  it('matches the two-pass definition on a large offset with an outlier first voxel (a one-pass Σv² − (Σv)²/n is off by 5e-5 here)', () => {
    const a = new Float32Array(100_003);
    let x = 12345;
    for (let i = 0; i < a.length; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      a[i] = 1e4 + x / 2147483648;
    }
    a[0] = 1e4 + 50;
    let sum = 0;
    for (const v of a) sum += v;
    const mean = sum / a.length;
    let m2 = 0;
    for (const v of a) m2 += (v - mean) ** 2;
    const s = volumeStats(a);
    expect(Math.abs(s.mean / mean - 1)).toBeLessThan(1e-12);
    expect(Math.abs(s.std / Math.sqrt(m2 / a.length) - 1)).toBeLessThan(1e-10);
  });

  it('gives NaN statistics and the counts when no voxel is finite', () => {
    const s = volumeStats(new Float32Array([NaN, Infinity, -Infinity]));
    expect(s.finiteCount).toBe(0);
    expect(s.nanCount).toBe(1);
    expect(s.infCount).toBe(2);
    expect(s.mean).toBeNaN();
    expect(s.std).toBeNaN();
    expect(s.min).toBeNaN();
  });

  it('gives the numbers of volumeStats, to the bit, when its blocks are built as they are asked for, or skipped as all NaN', () => {
    // Values in a few blocks only (a local-value map: NaN outside its mask), some NaN/±Inf among them.
    const n = 10 * 8192 + 100;
    const source = new Float32Array(n).fill(NaN);
    let x = 99;
    for (const b of [1, 2, 6, 10]) {
      for (let i = b * 8192 + 17; i < Math.min(n, b * 8192 + 3000); i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        source[i] = 1e3 + x / 2147483648;
      }
    }
    source[2 * 8192 + 20] = Infinity;
    source[6 * 8192 + 30] = -Infinity;
    source[6 * 8192 + 31] = NaN;
    const plain = volumeStats(source);
    const asked: number[] = [];
    const built = blockedVolumeStats(n, (start, end) => {
      asked.push(start);
      return Float32Array.from(source.subarray(start, end));
    });
    expect(built).toEqual(plain);
    expect(asked).toEqual(Array.from({ length: 11 }, (_, b) => b * 8192));
    const hasValues = (start: number, end: number) => source.subarray(start, end).some((v) => !Number.isNaN(v));
    const skipped = blockedVolumeStats(n, (start, end) => (hasValues(start, end) ? source.subarray(start, end) : null));
    expect(skipped).toEqual(plain);
    // 3 blocks of 2983 values and 83 in the last, less two infinities and one NaN.
    expect([skipped.finiteCount, skipped.infCount, skipped.nanCount]).toEqual([3 * 2983 + 83 - 3, 2, n - (3 * 2983 + 83) + 1]);
  });
});
