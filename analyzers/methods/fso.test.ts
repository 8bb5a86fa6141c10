/**
 * The FSO and Bingham's statistic on directional FSC curves written by hand: the share of
 * passing directions, the forced first shells, the statistic of known axis sets, and its χ²₅
 * distribution function near 0 for an even spread and near 1 for a girdle.
 */
import { describe, expect, it } from 'vitest';
import { fibonacciHemisphere, type ConicalFsc } from './conical-fsc.ts';
import { chiSquareCdf } from './distributions.ts';
import { binghamStatistic, FSO_FORCED_SHELLS, fsoCurve } from './fso.ts';

/** A conical FSC whose direction d has FSC value(d, shell) in every shell. */
function handMade(directions: Float64Array, shells: number, value: (d: number, k: number) => number): ConicalFsc {
  const D = directions.length / 3;
  const fsc = new Float64Array(D * shells);
  for (let d = 0; d < D; d++) for (let j = 0; j < shells; j++) fsc[d * shells + j] = value(d, j + 1);
  return {
    directions,
    cone: { shape: 'fso', halfAngleDeg: 17 },
    shell: Int32Array.from({ length: shells }, (_, j) => j + 1),
    frequency: Float64Array.from({ length: shells }, (_, j) => (j + 1) / 100),
    fsc,
    global: { fsc: new Float64Array(shells), voxels: new Float64Array(shells) },
  };
}

describe('binghamStatistic', () => {
  it('the three axes once each: T = I/3, statistic 0; x and y: 7.5·2·(1/2 − 1/3) = 2.5; one axis n times: 7.5·n·(1 − 1/3) = 5n', () => {
    expect(binghamStatistic([1, 1, 1, 0, 0, 0], 3)).toBeCloseTo(0, 14);
    expect(binghamStatistic([1, 1, 0, 0, 0, 0], 2)).toBeCloseTo(2.5, 14);
    expect(binghamStatistic([0, 0, 7, 0, 0, 0], 7)).toBeCloseTo(35, 12);
  });
});

describe('fsoCurve', () => {
  const u = fibonacciHemisphere(321);
  const D = 321;

  it('FSO = share of directions with FSC ≥ 0.143, the first 5 shells forced to 1', () => {
    // Direction d passes up to shell 6 + (d mod 10): 10 % drop out per shell from shell 7 on.
    const c = fsoCurve(handMade(u, 20, (d, k) => (k <= 6 + (d % 10) ? 0.5 : 0.1)));
    for (let k = 1; k <= FSO_FORCED_SHELLS; k++) expect(c.fso[k - 1]).toBe(1);
    expect(c.passing[5]).toBe(D);
    for (let k = 7; k <= 16; k++) expect(c.passing[k - 1]).toBe(Array.from({ length: D }, (_, d) => d).filter((d) => k <= 6 + (d % 10)).length);
    expect(c.fso[16]).toBe(0);
    c.fso.forEach((x, j) => expect(x).toBe(j < FSO_FORCED_SHELLS ? 1 : c.passing[j] / D));
  });

  it('every direction passing: anisotropy near 0; only a girdle (|u_z| < 0.3) passing: anisotropy 1; a thinned even spread: below 0.5', () => {
    const girdle = (d: number) => Math.abs(u[3 * d + 2]) < 0.3;
    const c = fsoCurve(handMade(u, 10, (d, k) => (k <= 6 || (k === 7 && girdle(d)) || (k === 8 && d % 3 === 0) ? 0.9 : 0)));
    console.log(`all ${c.anisotropy[5].toExponential(2)}, girdle ${c.anisotropy[6].toFixed(4)} (B ${c.bingham[6].toFixed(1)}, n ${c.passing[6]}), every third ${c.anisotropy[7].toFixed(3)} (B ${c.bingham[7].toFixed(2)})`);
    expect(c.anisotropy[5]).toBeLessThan(0.01);
    expect(c.anisotropy[6]).toBeGreaterThan(0.999);
    expect(c.anisotropy[7]).toBeLessThan(0.5);
    expect(c.anisotropy[6]).toBeCloseTo(chiSquareCdf(c.bingham[6], 5), 14);
    expect(c.anisotropy[9]).toBeNaN(); // nobody passes
  });
});
