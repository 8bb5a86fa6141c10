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
import { MASKED_ZERO_FRACTION } from '../../methods/masks.ts';
import { GAUSSIAN_TAIL_5SIGMA, studentTwoSidedP } from '../../methods/distributions.ts';
import type { Volume } from '../../volume/volume.ts';
import { NotMeasurable } from '../../util/errors.ts';
import { f } from '../../util/format.ts';
import { countNoun, formatBare, formatQuantity } from '../../report/format-number.ts';
import { backgroundAnalysisSpec } from '../../report/items/level0/0c-background-analysis.ts';
import { implementItem, type ItemResult } from '../item.ts';


export interface BackgroundResult extends ItemResult {
  /** σ of the background, for the outlier figure. */
  readonly sigma: number;
}

export function backgroundAnalysis(v: Volume, hard: Uint8Array): BackgroundResult {
  const { n, mean, ss, zeros, min, max } = backgroundMoments(v.data, hard);
  if (n < 2) throw new NotMeasurable(`the background (outside the hard mask) has only ${n} voxels`);
  if (min === max || ss === 0) {
    throw new NotMeasurable(`the background is constant (all ${n} voxels outside the mask equal ${min}): the map was masked before deposition, so its noise cannot be tested`);
  }
  if (zeros >= MASKED_ZERO_FRACTION * n) {
    throw new NotMeasurable(`${f((100 * zeros) / n)}% of the ${n} background voxels are exactly 0: the map was masked before deposition, so its noise cannot be tested`);
  }
  const sigma = Math.sqrt(ss / n);
  const sampleStd = Math.sqrt(ss / (n - 1));
  const t = mean / (sampleStd / Math.sqrt(n));
  const p = studentTwoSidedP(t, n - 1);
  const outliers = countBeyond(v.data, hard, 5 * sigma);
  const outlierFraction = outliers / n;
  const outlierRatio = outlierFraction / GAUSSIAN_TAIL_5SIGMA;

  const warnings: ItemResult['warnings'] = [];
  if (p < 0.001) warnings.push({ code: '0c.mean-not-zero', text: `The null hypothesis that the background mean is 0 has been rejected: the p-value of the t-test is ${p.toExponential(2)} (criterion: at least 0.001).` });
  if (outlierRatio > 20) warnings.push({ code: '0c.outliers', text: `There is a significant proportion of outlier values in the background: ${formatBare(outlierRatio, 'real')} times as many voxels beyond 5σ as a Gaussian would have (criterion: at most 20).` });
  return {
    sigma,
    warnings,
    values: { n, mean, std: sigma, t, p, outlierFraction, outlierRatio },
    results: [
      `The null hypothesis that the background mean is 0 was tested with a one-sample Student's t-test on ${countNoun(n, 'background voxel')}: t = ${formatBare(t, 'real')}, p = ${formatBare(p, 'pValue')}.`,
      `The mean and standard deviation (σ) of the background are ${formatBare(mean, 'real')} and ${formatBare(sigma, 'real')}. ${formatQuantity(outlierFraction * 100, 'percent')} of the background voxels have an absolute value above 5σ; a Gaussian would have ${formatQuantity(GAUSSIAN_TAIL_5SIGMA * 100, 'percent')} (ratio ${formatBare(outlierRatio, 'real')}).`,
    ],
    tables: [],
  };
}

interface Moments { n: number; mean: number; ss: number; zeros: number; min: number; max: number }

/**
 * Count, mean, Σ(b − mean)², exact zeros and range of the finite background in one pass. The sums
 * are taken about the first background value so that Σb² − (Σb)²/n does not cancel catastrophically
 * when the mean is far from 0 compared with σ.
 */
function backgroundMoments(d: Float32Array, hard: Uint8Array): Moments {
  let i = 0;
  while (i < d.length && (hard[i] !== 0 || d[i] !== d[i])) i++;
  if (i === d.length) return { n: 0, mean: NaN, ss: 0, zeros: 0, min: NaN, max: NaN };
  const shift = d[i];
  let n = 0;
  let s1 = 0;
  let s2 = 0;
  let zeros = 0;
  let min = Infinity;
  let max = -Infinity;
  const len = d.length;
  for (; i < len; i++) {
    if (hard[i] !== 0) continue;
    const x = d[i];
    // Exact zeros (most of a background masked before deposition) take the shortest path.
    if (x === 0) {
      zeros++;
      continue;
    }
    if (x !== x) continue;
    const e = x - shift;
    s1 += e;
    s2 += e * e;
    n++;
    min = x < min ? x : min;
    max = x > max ? x : max;
  }
  if (zeros > 0) {
    n += zeros;
    s1 -= zeros * shift;
    s2 += zeros * shift * shift;
    min = Math.min(min, 0);
    max = Math.max(max, 0);
  }
  return { n, mean: shift + s1 / n, ss: Math.max(0, s2 - (s1 * s1) / n), zeros, min, max };
}

/** Background voxels with |b| > limit. */
function countBeyond(d: Float32Array, hard: Uint8Array, limit: number): number {
  let count = 0;
  for (let i = 0; i < d.length; i++) if (hard[i] === 0 && (d[i] > limit || d[i] < -limit)) count++;
  return count;
}

export const backgroundAnalysisItem = implementItem({
  spec: backgroundAnalysisSpec,
  compute: async (ctx) => {
    const r = backgroundAnalysis(ctx.map, ctx.masks.hard);
    return { ...r, extra: r.sigma };
  },
  outputs: async (ctx, m) => ({ figures: await ctx.figures.backgroundFigures(ctx.map, ctx.masks.hard, m.extra), files: [] }),
});
