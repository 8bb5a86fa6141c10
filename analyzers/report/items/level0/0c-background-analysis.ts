/** 0.c Background analysis: zero mean and 5σ outliers of the background outside the hard mask. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const backgroundAnalysisSpec = defineItem({
  id: '0.c',
  level: '0',
  title: '0.c Background analysis',
  inputs: ['map'],
  values: z.strictObject({
    /** Background voxels (outside the hard mask). */
    n: count,
    mean: real,
    /** Population standard deviation σ of the background. */
    std: real,
    /** Student t of a zero mean, and its two-sided p-value. */
    t: real,
    p: real,
    /** Share of background voxels with |value| > 5σ, and its ratio to a Gaussian's. */
    outlierFraction: real,
    outlierRatio: real,
  }),
  units: { n: 'voxels', outlierFraction: 'fraction' },
  explanation: 'The background is the region outside the hard mask. Its mean should be zero, and very few voxels should lie beyond 5 standard deviations of the noise; those that do should be scattered without structure (symmetric structures may show some).',
  criteria: 'OK if 1) the p-value of the t-test of a zero background mean is at least 0.001, and 2) the background has at most 20 times as many voxels beyond ±5σ as a Gaussian of the same σ.',
  warnings: [
    { code: '0c.mean-not-zero', when: 'the t-test rejects a zero background mean (p < 0.001)' },
    { code: '0c.outliers', when: 'more than 20 times as many voxels beyond 5σ as a Gaussian' },
  ],
  summary: { ok: 'The background of the map seems to be correct.', problem: "the map's background" },
  display: {
    results: [
      { label: 'Background mean', quantity: 'real', pick: (v) => v.mean },
      { label: 'Background standard deviation σ', quantity: 'real', pick: (v) => v.std },
      { label: 'Student t of a zero mean', quantity: 'real', pick: (v) => v.t },
      { label: 'p-value of a zero mean', quantity: 'pValue', pick: (v) => v.p },
      { label: 'Background voxels beyond 5σ', quantity: 'percent', pick: (v) => (v.outlierFraction === null ? null : 100 * v.outlierFraction) },
      { label: 'Ratio to a Gaussian of the same σ', quantity: 'real', pick: (v) => v.outlierRatio },
    ],
    details: [{ label: 'Background voxels', quantity: 'count', pick: (v) => v.n }],
  },
  headlines: [
    { column: 'backgroundP', label: '0.c p-value of a zero background mean', unit: '', pick: (v) => finite(v.p) },
    { column: 'outlierRatio', label: '0.c ratio of 5σ outliers to a Gaussian', unit: '', pick: (v) => finite(v.outlierRatio), archive: { better: 'lower' } },
  ],
  references: [],
});
