/** 1.b FSC permutation test (FDR-FSC): the shells whose FSC is significant at 1 % false-discovery rate. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const fdrFscSpec = defineItem({
  id: '1.b',
  level: '1',
  title: '1.b FSC permutation test (FDR-FSC)',
  inputs: ['map', 'halfMaps'],
  values: z.strictObject({
    /** 1/f of the last shell before the first one that is not significant (null: shell 1 already is not). */
    fdrFsc: real,
    /** False-discovery rate of the test. */
    fdr: real,
    /** Every shell up to Nyquist is significant (fdrFsc is then 2·Ts). */
    allSignificant: z.boolean(),
    significantShells: count,
    shells: count,
    /** Most permutations per shell. */
    maxPermutations: count,
    /** Most coefficient pairs drawn per shell. */
    maxSamples: count,
    /** Radius of the spherical mask both halves are multiplied by (voxels). */
    maskRadius: real,
    /** SPOC's B-factor of the half-map average (4 × slope of ln|F| against 1/d², VRS's sign), when the FDR resolution is finer than 8 Å. */
    bFactor: real,
  }),
  units: { fdrFsc: 'Å', maskRadius: 'voxels', bFactor: 'Å²' },
  explanation:
    'Instead of a fixed threshold, each FSC shell is tested for signal: the coefficients of one half map are paired with randomly permuted coefficients of the other, which gives the FSC that shell would have by chance, and the observed FSC is significant when no permutation reaches it. The p-values of all shells are adjusted for multiple testing (Benjamini–Yekutieli, 1 % false-discovery rate), and the resolution is the last shell before the first one without significant signal. Both halves are multiplied by a spherical mask of radius half the box minus 4 voxels, as in SPOC.',
  criteria: 'OK if the reported resolution is not better than 0.8 × the FDR-FSC resolution; not evaluated when no resolution is reported.',
  warnings: [{ code: '1b.fdr-optimistic', when: 'the reported resolution is better than 0.8 × the FDR-FSC resolution' }],
  summary: { ok: null, problem: 'its FDR-FSC resolution' },
  display: {
    results: [
      { label: 'FDR-FSC resolution', quantity: 'length', pick: (v) => v.fdrFsc },
      { label: 'Significant shells, of all shells', quantity: 'count', pick: (v) => [v.significantShells, v.shells] },
      { label: 'B-factor of the half-map average', quantity: 'area', pick: (v) => v.bFactor },
    ],
    details: [
      { label: 'False-discovery rate', quantity: 'real', pick: (v) => v.fdr },
      { label: 'Most permutations per shell', quantity: 'count', pick: (v) => v.maxPermutations },
      { label: 'Most coefficient pairs per shell', quantity: 'count', pick: (v) => v.maxSamples },
      { label: 'Radius of the spherical mask', quantity: 'real', unit: 'voxels', pick: (v) => v.maskRadius },
    ],
  },
  headlines: [{ column: 'fdrFsc', label: '1.b FDR-FSC resolution (1 % FDR)', unit: 'Å', pick: (v) => finite(v.fdrFsc) }],
  resolutionEstimates: [{ method: 'FDR-FSC (1 % false-discovery rate)', measures: 'where the FSC of the half maps stops being significantly above noise (1 % false-discovery rate)', pick: (v) => finite(v.fdrFsc) }],
  references: ['beckers2020'],
});
