/** The logistic fit recovers known parameters and its 0.9 crossing; curves without a fall-off give no f90. */
import { describe, expect, it } from 'vitest';
import { fitFscLogistic, logisticFsc } from './fsc-logistic.ts';

const f = Array.from({ length: 60 }, (_, i) => (i + 1) / (120 * 1.1));

describe('fitFscLogistic', () => {
  it('recovers (a, b, f0, c) of a noiseless logistic and its exact 0.9 crossing', () => {
    const truth = { a: 0.97, b: 40, f0: 0.22, c: 0.01 };
    const y = f.map((x) => logisticFsc(truth, x));
    const fit = fitFscLogistic(f, y, 0.22) as NonNullable<ReturnType<typeof fitFscLogistic>>;
    expect(fit.a).toBeCloseTo(truth.a, 4);
    expect(fit.b).toBeCloseTo(truth.b, 2);
    expect(fit.f0).toBeCloseTo(truth.f0, 5);
    expect(fit.c).toBeCloseTo(truth.c, 4);
    expect(fit.rms).toBeLessThan(1e-6);
    // 1 − (0.97·s + 0.01) = 0.9 ⇔ s = 0.09/0.97.
    const s = 0.09 / 0.97;
    expect(fit.f90 as number).toBeCloseTo(0.22 - Math.log(1 / s - 1) / 40, 5);
    expect(logisticFsc(fit, fit.f90 as number)).toBeCloseTo(0.9, 6);
  });

  it('with shell noise of ±0.02 the 0.9 crossing stays within 3 % of the truth', () => {
    const truth = { a: 1, b: 60, f0: 0.3, c: 0 };
    const y = f.map((x, i) => logisticFsc(truth, x) + 0.02 * Math.sin(i * 7.3));
    const fit = fitFscLogistic(f, y, 0.3) as NonNullable<ReturnType<typeof fitFscLogistic>>;
    const exact = 0.3 - Math.log(1 / 0.1 - 1) / 60;
    expect(Math.abs((fit.f90 as number) - exact) / exact).toBeLessThan(0.03);
  });

  it('a curve that starts below 0.9 has no 0.9 crossing', () => {
    const y = f.map((x) => logisticFsc({ a: 1, b: 30, f0: 0.02, c: 0 }, x));
    const fit = fitFscLogistic(f, y, 0.02);
    expect(fit?.f90 ?? null).toBeNull();
  });
});
