/** 0.e Local resolution with MonoRes from the map alone (noise from outside the mask). */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, localResolutionSummary, localResolutionSummaryUnits, real, localResolutionRows } from '../../values.ts';

export const localResolutionSpec = defineItem({
  id: '0.e',
  level: '0',
  title: '0.e Local resolution (MonoRes, single map)',
  inputs: ['map'],
  values: z.strictObject({
    ...localResolutionSummary,
    /** [finest, coarsest] resolution of the sweep. */
    range: z.tuple([real, real]),
    step: real,
    /** Significance level of the noise comparison. */
    alpha: real,
    /** One row per analysed frequency. */
    frequencies: z.array(z.strictObject({ resolution: real, index: count, threshold: real, meanSignal: real, meanNoise: real, z: real, active: count })),
    stopReason: z.string(),
    /**
     * Where the noise model came from: the map's background, or (masked deposits with half maps) the
     * half-map difference. Optional: reports written before it existed lack it (background).
     */
    noiseSource: z.enum(['background', 'half-maps']).optional(),
    maskVoxels: count,
    refinedMaskVoxels: count,
    /**
     * Mask voxels without a local resolution (absent from the map and the statistics), by reason:
     * relabelled noise by the mask refinement, or never above the noise at any analysed frequency.
     * Optional: reports written before it existed lack it.
     */
    unassignedVoxels: z.strictObject({ noiseLike: count, neverAbove: count }).optional(),
    noiseVoxels: count,
    refineThreshold: real,
    cliff: z.strictObject({ proteinRadiusPx: real, cutRadiusPx: real, found: z.boolean() }),
    workBox: z.strictObject({ origin: z.tuple([count, count, count]), dims: z.tuple([count, count, count]), cropped: z.boolean() }),
    ffts: count,
    fftsPerFrequency: count,
  }),
  units: {
    ...localResolutionSummaryUnits,
    range: 'Å', step: 'Å', maskVoxels: 'voxels', refinedMaskVoxels: 'voxels', unassignedVoxels: 'voxels', noiseVoxels: 'voxels',
  },
  explanation: 'Local resolution measured from the map alone with MonoRes (monogenic signal amplitude compared with the noise outside the mask), the classical replacement of the DeepRes neural network used by VRS. When the deposited map was masked (its background is zero and holds no noise) and the entry has half maps, MonoRes runs on the half-map mean with the noise of the half-map difference instead, and says so.',
  criteria: 'OK if the local resolutions are not all equal (|p97.5 − p2.5| ≥ 0.01 Å) and the reported resolution is not better than 99.9% of them.',
  warnings: [
    { code: '0e.homogeneous', when: 'the local resolutions are all equal (|p97.5 − p2.5| < 0.01 Å)' },
    { code: '0e.resolution-better-than-local', when: 'the reported resolution is better than 99.9% of the local resolutions' },
  ],
  summary: { ok: null, problem: 'its local resolution' },
  display: {
    results: [
      ...localResolutionRows,
      { label: 'Noise taken from', quantity: 'real', pick: (v) => (v.noiseSource === 'half-maps' ? 'the half-map difference' : 'the map background') },
    ],
    details: [
      { label: 'Resolutions swept (finest, coarsest)', quantity: 'length', pick: (v) => v.range },
      { label: 'Step of the sweep', quantity: 'length', pick: (v) => v.step },
      { label: 'Significance level', quantity: 'real', pick: (v) => v.alpha },
      { label: 'Why the sweep stopped', quantity: 'real', pick: (v) => v.stopReason },
      { label: 'Mask, before and after refinement', quantity: 'count', unit: 'voxels', pick: (v) => [v.maskVoxels, v.refinedMaskVoxels] },
      { label: 'Mask voxels without a value: noise-like, never above the noise', quantity: 'count', unit: 'voxels', pick: (v) => (v.unassignedVoxels ? [v.unassignedVoxels.noiseLike, v.unassignedVoxels.neverAbove] : null) },
      { label: 'Noise voxels', quantity: 'count', pick: (v) => v.noiseVoxels },
    ],
  },
  headlines: [{ column: 'localResolutionMedian', label: '0.e median local resolution', unit: 'Å', pick: (v) => finite(v.median), archive: { better: 'lower', ratioToReported: { better: 'lower' } } }],
  resolutionEstimates: [{ method: 'MonoRes (single map) median', measures: 'the median local resolution inside the mask, estimated from the map alone with the noise taken outside the mask', pick: (v) => finite(v.median) }],
  references: ['vilas2018', 'ramirez2019', 'felsberg2001', 'kucukelbir2014'],
});
