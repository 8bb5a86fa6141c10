import { describe, expect, it } from 'vitest';
import { chiSquareCdf, GAUSSIAN_TAIL_5SIGMA, incompleteBeta, logGamma, lowerGammaP, studentTwoSidedP } from './distributions.ts';

describe('distributions', () => {
  it('log Γ matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });
  it('I_x(1, 1) = x and I_x(a, b) = 1 − I_{1−x}(b, a)', () => {
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(incompleteBeta(0.2, 2.5, 7) + incompleteBeta(0.8, 7, 2.5)).toBeCloseTo(1, 13);
  });
  // Known values from scipy.stats.t.sf(|t|, ν)·2 (Debian python3-scipy 1.10).
  it.each([
    [2.5, 10, 0.031446844236608776],
    [0.5, 3, 0.651447964848151],
    [3.3, 1e6, 0.0009668820793400032],
  ])('two-sided p of t = %f with ν = %d', (t, nu, p) => {
    expect(studentTwoSidedP(t, nu)).toBeCloseTo(p, 10);
    expect(studentTwoSidedP(-t, nu)).toBeCloseTo(p, 10);
  });
  it('a huge t gives p = 0, NaN stays NaN', () => {
    expect(studentTwoSidedP(1364.45, 1e6)).toBe(0);
    expect(studentTwoSidedP(NaN, 10)).toBeNaN();
  });
  it('the 5σ Gaussian tail constant equals 2∫_5^∞ φ by numerical integration', () => {
    let s = 0;
    const h = 1e-4;
    for (let x = 5; x < 12; x += h) {
      const f = (u: number) => Math.exp(-u * u / 2) / Math.sqrt(2 * Math.PI);
      s += (h / 6) * (f(x) + 4 * f(x + h / 2) + f(x + h));
    }
    expect(2 * s / GAUSSIAN_TAIL_5SIGMA).toBeCloseTo(1, 8);
  });

  it('χ² with 5 degrees of freedom matches scipy.stats.chi2.cdf (values written from scipy 1.10) to 1e-12; P(a, x) at both of its branches', () => {
    const scipy: [number, number][] = [[0.1, 0.0001623166119226152], [1, 0.03743422675270361], [2.5, 0.22350492887667728], [5, 0.584119813004492], [11.07, 0.9499903813775946], [15.09, 0.9900153750419396], [20, 0.9987502694369687], [40, 0.99999985066321]];
    for (const [x, p] of scipy) expect(Math.abs(chiSquareCdf(x, 5) - p), `x = ${x}`).toBeLessThan(1e-12);
    expect(lowerGammaP(5, 3)).toBeCloseTo(0.18473675547622787, 12);
    expect(lowerGammaP(0.5, 0.01)).toBeCloseTo(0.11246291601828491, 12);
    expect(lowerGammaP(2.5, 30)).toBeCloseTo(0.9999999999878454, 12);
    expect(chiSquareCdf(0, 5)).toBe(0);
    // χ² with 2 degrees of freedom is exponential: 1 − e^(−x/2).
    for (const x of [0.3, 2, 7]) expect(chiSquareCdf(x, 2)).toBeCloseTo(1 - Math.exp(-x / 2), 13);
  });
});
