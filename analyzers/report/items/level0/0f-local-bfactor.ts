/** 0.f Local B-factor (LocBFactor) on the map resized to res/2. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, Percentiles, RangeHistogram, real, percentileList, PERCENTILES_LABEL } from '../../values.ts';

export const localBFactorSpec = defineItem({
  id: '0.f',
  level: '0',
  title: '0.f Local B-factor (LocBfactor)',
  inputs: ['map'],
  values: z.strictObject({
    percentiles: Percentiles,
    median: real,
    histogram: RangeHistogram,
    /** Mask voxels summarised (finite local B). */
    voxels: count,
    nonFiniteVoxels: count,
    /** Shell centres of the sweep. */
    frequencies: z.array(real),
    /** Noise amplitude per shell. */
    noiseLevels: z.array(real),
    shellWidth: real,
    backgroundVoxels: count,
    /** The constant that the Σ S = 1 shell normalisation adds to every local B. */
    normalisationOffset: real,
    /** Median − normalisationOffset: the value the criterion is applied to (absent in reports before it was). */
    correctedMedian: real.optional(),
  }),
  units: { percentiles: 'Å²', median: 'Å²', normalisationOffset: 'Å²', correctedMedian: 'Å²', histogram: 'Å² (edges), voxels (counts)', frequencies: 'Å⁻¹', shellWidth: 'Å⁻¹', noiseLevels: 'map units' },
  explanation: 'LocBfactor estimates a local B-factor per voxel from the fall-off of the local amplitude (spiral/Riesz transform) between 15 Å and the reported resolution. Each frequency shell is normalised to sum 1 over the grid, as the published method does; because a shell\'s area grows as f², that adds the same constant to every local B (the normalisation offset, about −37 to −53 Å² at 3–3.5 Å, more at coarser resolution), which the criterion takes away.',
  criteria: 'OK if the local B-factors are not all equal and their median, corrected for the normalisation offset (median − offset), is in [−300, 0] Å² (a positive value: over-sharpened).',
  warnings: [
    { code: '0f.homogeneous', when: 'the local B-factors are all equal' },
    { code: '0f.median-range', when: 'the median local B-factor, corrected for the normalisation offset, is outside [−300, 0] Å²' },
  ],
  summary: { ok: null, problem: 'its local B-factor' },
  display: {
    results: [
      { label: 'Median local B-factor', quantity: 'area', pick: (v) => v.median },
      { label: 'Median without the normalisation offset (judged)', quantity: 'area', pick: (v) => v.correctedMedian },
      { label: `Local B-factor, ${PERCENTILES_LABEL}`, quantity: 'area', pick: (v) => percentileList(v.percentiles) },
      { label: 'Voxels with a local B-factor', quantity: 'count', pick: (v) => v.voxels },
    ],
    details: [
      { label: 'Normalisation offset', quantity: 'area', pick: (v) => v.normalisationOffset },
      { label: 'Mask voxels without a finite value', quantity: 'count', pick: (v) => v.nonFiniteVoxels },
      { label: 'Background voxels (noise estimate)', quantity: 'count', pick: (v) => v.backgroundVoxels },
      { label: 'Width of the frequency shells', quantity: 'real', unit: 'Å⁻¹', pick: (v) => v.shellWidth },
    ],
  },
  headlines: [{ column: 'localBFactorMedian', label: '0.f median local B-factor', unit: 'Å²', pick: (v) => finite(v.median) }],
  references: ['kaur2021', 'larkin2001'],
});
