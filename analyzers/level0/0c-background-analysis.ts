/**
 * 0.c Background analysis (level0-spec.md §6): is the background (outside the hard mask) zero-mean
 * noise without excess outliers?
 *
 * b = V where the hard mask is 0 (n voxels). One-sample two-sided Student t-test of mean 0:
 * t = mean/(s/√n) with the sample std s (n−1), p from t(n−1). σ = population std of b;
 * outlier fraction = #{|b| > 5σ}/n (absolute raw values, as VRS); ratio = fraction / 2Φ(−5).
 * Warnings: p < 0.001; ratio > 20. A background that was masked before deposition (constant, or
 * at least half of it exactly 0, like EMD-44046) has no noise to test: "could not be measured"
 * rather than VRS's false OK (σ = 0) or false alarms (a spike at 0 deflates σ and inflates the
 * 5σ outliers).
 */
import { GAUSSIAN_TAIL_5SIGMA, studentTwoSidedP } from '../volume/distributions.ts';
import type { Volume } from '../volume/volume.ts';
import { f, NotMeasurable, type ItemResult } from './item-result.ts';

/** Fraction of exact zeros in the background from which a map counts as masked before deposition. */
export const MASKED_ZERO_FRACTION = 0.5;

export interface BackgroundResult extends ItemResult {
  /** σ of the background, for the outlier figure. */
  readonly sigma: number;
}

export function backgroundAnalysis(v: Volume, hard: Uint8Array): BackgroundResult {
  const d = v.data;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    if (hard[i] === 0 && d[i] === d[i]) {
      sum += d[i];
      n++;
    }
  }
  if (n < 2) throw new NotMeasurable(`the background (outside the hard mask) has only ${n} voxels`);
  const mean = sum / n;
  let ss = 0;
  let zeros = 0;
  let first = NaN;
  let constant = true;
  for (let i = 0; i < d.length; i++) {
    if (hard[i] === 0 && d[i] === d[i]) {
      const e = d[i] - mean;
      ss += e * e;
      if (d[i] === 0) zeros++;
      if (first !== first) first = d[i];
      else if (d[i] !== first) constant = false;
    }
  }
  if (constant || ss === 0) {
    throw new NotMeasurable(`the background is constant (all ${n} voxels outside the mask equal ${first}): the map was masked before deposition, so its noise cannot be tested`);
  }
  if (zeros >= MASKED_ZERO_FRACTION * n) {
    throw new NotMeasurable(`${f((100 * zeros) / n)}% of the ${n} background voxels are exactly 0: the map was masked before deposition, so its noise cannot be tested`);
  }
  const sigma = Math.sqrt(ss / n);
  const sampleStd = Math.sqrt(ss / (n - 1));
  const t = mean / (sampleStd / Math.sqrt(n));
  const p = studentTwoSidedP(t, n - 1);
  const limit = 5 * sigma;
  let outliers = 0;
  for (let i = 0; i < d.length; i++) if (hard[i] === 0 && Math.abs(d[i]) > limit) outliers++;
  const outlierFraction = outliers / n;
  const outlierRatio = outlierFraction / GAUSSIAN_TAIL_5SIGMA;

  const warnings: ItemResult['warnings'] = [];
  if (p < 0.001) warnings.push({ code: '0c.mean-not-zero', text: `The null hypothesis that the background mean is 0 has been rejected: the p-value of the t-test is ${p.toExponential(2)} (criterion: at least 0.001).` });
  if (outlierRatio > 20) warnings.push({ code: '0c.outliers', text: `There is a significant proportion of outlier values in the background: ${f(outlierRatio)} times as many voxels beyond 5σ as a Gaussian would have (criterion: at most 20).` });
  return {
    sigma,
    warnings,
    values: { n, mean, std: sigma, t, p, outlierFraction, outlierRatio },
    units: { n: 'voxels', outlierFraction: 'fraction' },
    results: [
      `The null hypothesis that the background mean is 0 was tested with a one-sample Student's t-test on ${n} background voxels: t = ${f(t)}, p = ${p < 1e-6 ? p.toExponential(2) : f(p, 6)}.`,
      `The mean and standard deviation (σ) of the background are ${mean.toPrecision(6)} and ${sigma.toPrecision(6)}. ${f(outlierFraction * 100, 6)}% of the background voxels have an absolute value above 5σ; a Gaussian would have ${f(GAUSSIAN_TAIL_5SIGMA * 100, 6)}% (ratio ${f(outlierRatio)}).`,
    ],
    tables: [],
  };
}
