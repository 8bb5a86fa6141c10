import { afterAll, describe, expect, it } from 'vitest';
import { parallelFor, shutdownFftPool } from '../fft/fft-pool.ts';
import { fillRange } from '../fft/parallel-task-fixture.ts';
import { sharedFloat32 } from './shared-memory.ts';

afterAll(() => shutdownFftPool());

const MB = 2 ** 20;

describe('sharedFloat32', () => {
  it('returns zero-filled SharedArrayBuffer-backed arrays', () => {
    const a = sharedFloat32(1000);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.length).toBe(1000);
    expect(a.every((x) => x === 0)).toBe(true);
  });

  it('frees dead shared arrays, also those that pool workers touched (V8 alone would keep them all)', async () => {
    const url = new URL('../fft/parallel-task-fixture.ts', import.meta.url).href;
    const n = (100 * MB) / 4;
    const rounds = 24;
    const start = process.memoryUsage().rss;
    let peak = start;
    for (let r = 0; r < rounds; r++) {
      const data = sharedFloat32(n);
      await parallelFor(url, 'fillRange', fillRange, { data, value: r + 1 }, n, 2);
      expect(data[n - 1]).toBe(r + 1);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    // 2400 MB were touched; without the forced collections the process keeps every one of them.
    // With them, at most the 512 MiB between collections plus the arrays the workers saw last.
    expect((peak - start) / MB).toBeLessThan(1200);
  });
});
