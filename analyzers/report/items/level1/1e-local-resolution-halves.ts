/** 1.e Local resolution with MonoRes from the half maps (noise from their difference). */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, localResolutionSummary, localResolutionSummaryUnits, real, localResolutionRows } from '../../values.ts';

export const localResolutionHalvesSpec = defineItem({
  id: '1.e',
  level: '1',
  title: '1.e Local resolution (MonoRes, half maps)',
  inputs: ['map', 'halfMaps'],
  values: z.strictObject({
    ...localResolutionSummary,
    maskVoxels: count,
    /** [finest, coarsest] resolution of the sweep. */
    range: z.tuple([real, real]),
    step: real,
    /** Significance level of the noise comparison. */
    alpha: real,
    /** One row per analysed frequency. */
    frequencies: z.array(z.strictObject({ resolution: real, index: count, threshold: real, meanSignal: real, meanNoise: real, z: real, active: count })),
    stopReason: z.string(),
    ffts: count,
  }),
  units: { ...localResolutionSummaryUnits, maskVoxels: 'voxels', range: 'Å', step: 'Å' },
  explanation:
    'Local resolution with MonoRes from the two half maps: at each trial resolution the monogenic amplitude of the half-map mean (signal) is compared, voxel by voxel inside the mask, with the 95th percentile of the monogenic amplitude of the half-map difference (noise) at the mask voxels. A voxel keeps the finest resolution at which its signal stood out of the noise. Unlike 0.e it needs no noise outside the molecule, so it also measures maps that were masked before deposition.',
  criteria: 'OK if the local resolutions are not all equal (|p97.5 − p2.5| ≥ 0.01 Å) and the reported resolution is not better than 99.9% of them.',
  warnings: [
    { code: '1e.homogeneous', when: 'the local resolutions are all equal (|p97.5 − p2.5| < 0.01 Å)' },
    { code: '1e.resolution-better-than-local', when: 'the reported resolution is better than 99.9% of the local resolutions' },
  ],
  summary: { ok: null, problem: 'its local resolution from the half maps' },
  display: {
    results: [...localResolutionRows],
    details: [
      { label: 'Mask', quantity: 'count', unit: 'voxels', pick: (v) => v.maskVoxels },
      { label: 'Resolutions swept (finest, coarsest)', quantity: 'length', pick: (v) => v.range },
      { label: 'Step of the sweep', quantity: 'length', pick: (v) => v.step },
      { label: 'Significance level', quantity: 'real', pick: (v) => v.alpha },
      { label: 'Why the sweep stopped', quantity: 'real', pick: (v) => v.stopReason },
    ],
  },
  headlines: [{ column: 'halfMapLocalResolutionMedian', label: '1.e median local resolution (half maps)', unit: 'Å', pick: (v) => finite(v.median) }],
  resolutionEstimates: [{ method: 'MonoRes (half maps) median', measures: 'the median local resolution inside the mask, with the noise taken from the difference of the half maps', pick: (v) => finite(v.median) }],
  references: ['vilas2018', 'felsberg2001'],
});
