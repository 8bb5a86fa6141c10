/** 0.d B-factor analysis: the slope of the Guinier plot between 15 Å and the resolution. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const bFactorAnalysisSpec = defineItem({
  id: '0.d',
  level: '0',
  title: '0.d B-factor analysis',
  inputs: ['map'],
  values: z.strictObject({
    /** B = 4·slope. */
    bFactor: real,
    /** Slope a of ln|F| = a·(1/d²) + b. */
    slope: real,
    intercept: real,
    /** Shells in the fit. */
    fitPoints: count,
    /** [15 Å, resolution]. */
    fitRange: z.tuple([real, real]),
  }),
  units: { bFactor: 'Å²', slope: 'Å²', fitRange: 'Å' },
  explanation: 'The Guinier plot shows the logarithm of the radially averaged Fourier amplitude against 1/d². Fitted between 15 Å and the reported resolution, its slope a gives the B-factor B = 4a, which describes how fast the amplitudes fall with resolution. Deposited maps usually have a B-factor between −300 and 0 Å²; a positive value means the map was over-sharpened. The map corrected with this B-factor is also shown.',
  criteria: 'OK if the B-factor is in [−300, 0] Å².',
  warnings: [{ code: '0d.bfactor-range', when: 'the B-factor is outside [−300, 0] Å²' }],
  summary: { ok: null, problem: 'its B-factor' },
  display: {
    results: [
      { label: 'B-factor', quantity: 'area', pick: (v) => v.bFactor },
      { label: 'Fit range (low and high resolution)', quantity: 'length', pick: (v) => v.fitRange },
    ],
    details: [
      { label: 'Slope of ln|F| against 1/d²', quantity: 'area', pick: (v) => v.slope },
      { label: 'Intercept of the fit', quantity: 'real', pick: (v) => v.intercept },
      { label: 'Shells in the fit', quantity: 'count', pick: (v) => v.fitPoints },
    ],
  },
  headlines: [{ column: 'bFactor', label: '0.d B-factor', unit: 'Å²', pick: (v) => finite(v.bFactor), archive: { better: null } }],
  references: ['rosenthal2003'],
});
