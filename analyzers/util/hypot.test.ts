import { describe, expect, it } from 'vitest';
import { hypot2 } from './hypot.ts';
import { mulberry32 } from './random.ts';

describe('hypot2', () => {
  it('gives the bits of Math.hypot on float32 and float64 pairs over 80 binary orders of magnitude', () => {
    const rand = mulberry32(17);
    const f = new Float32Array(2);
    let differ = 0;
    for (let i = 0; i < 200_000; i++) {
      const e1 = Math.floor(rand() * 80) - 40;
      const e2 = Math.floor(rand() * 80) - 40;
      f[0] = (rand() - 0.5) * 2 ** e1;
      f[1] = i % 7 === 0 ? 0 : (rand() - 0.5) * 2 ** e2;
      if (!Object.is(hypot2(f[0], f[1]), Math.hypot(f[0], f[1]))) differ++;
      const u = (rand() - 0.5) * 2 ** e1;
      const v = (rand() - 0.5) * 2 ** e2;
      if (!Object.is(hypot2(u, v), Math.hypot(u, v))) differ++;
    }
    expect(differ).toBe(0);
  });

  it('treats zeros, infinities, NaN and subnormals as Math.hypot does', () => {
    const cases: [number, number][] = [[0, 0], [-0, 0], [-0, -0], [NaN, 1], [1, NaN], [Infinity, NaN], [NaN, -Infinity], [1e-310, 3e-310], [1e308, 1e308], [3, 4], [-3, 4]];
    for (const [a, b] of cases) expect(Object.is(hypot2(a, b), Math.hypot(a, b)), `${a}, ${b}`).toBe(true);
    expect(hypot2(3, 4)).toBe(5);
  });
});
