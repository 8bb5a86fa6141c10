/** 0.b Mask analysis: connectivity at the threshold, noise blobs, raw vs constructed mask. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const maskAnalysisSpec = defineItem({
  id: '0.b',
  level: '0',
  title: '0.b Mask analysis',
  inputs: ['map'],
  values: z.strictObject({
    /** Voxels at or above the threshold (raw mask). */
    rawVoxels: count,
    rawVolume: real,
    /** 26-connected components of the raw mask. */
    components: count,
    /** Largest components needed to hold 95% of the raw mask. */
    components95: count,
    remainingComponents: count,
    remainingVoxels: count,
    /** Mean volume of the components outside the 95% set. */
    remainingAvgVolume: real,
    /** Volume of one resolution element, (π/6)·max(res, 2·Ts)³: the criterion's limit for remainingAvgVolume (absent in reports before it was). */
    remainingBlobLimit: real.optional(),
    remainingMaxVoxels: count,
    remainingMinVoxels: count,
    /** Voxels of the hard mask (largest component, dilated 2 Å). */
    constructedVoxels: count,
    constructedVolume: real,
    /** |raw ∧ constructed| / |raw|. */
    overlap: real,
    /** Rows [threshold, voxels, kDa, amino acids] of the mass enclosed at a ladder of thresholds. */
    thresholdTable: z.array(z.tuple([real, count, real, real])),
    /** [threshold, voxels, kDa, amino acids] at the recommended contour itself (voxels of the raw mask, V ≥ t); absent in reports before it was. */
    contourRow: z.tuple([real, count, real, real]).optional(),
  }),
  units: { rawVolume: 'Å³', remainingAvgVolume: 'Å³', remainingBlobLimit: 'Å³', constructedVolume: 'Å³', thresholdTable: 'threshold, voxels, kDa, amino acids', contourRow: 'threshold, voxels, kDa, amino acids' },
  explanation: 'At the recommended threshold most of the mass should lie in a single connected piece. A few thousand tiny disconnected noise blobs are normal, but together they should hold little mass. The raw mask (plain thresholding) and the mask built for the analysis (thresholding, largest connected component, 2 Å dilation) should overlap well; the overlap is size(raw AND constructed)/size(raw), between 0 and 1.',
  criteria: 'OK if 1) at most 5 connected components hold 95% of the mass at the threshold, 2) the blobs outside those components are on average no larger than one resolution element (a sphere whose diameter is the reported resolution, or 2 voxels without one), and 3) the overlap between the raw and the constructed mask is at least 0.75.',
  warnings: [
    { code: '0b.components95', when: 'more than 5 components are needed for 95% of the mass' },
    { code: '0b.remaining-blobs', when: 'the components outside the 95% set average more than one resolution element' },
    { code: '0b.overlap', when: 'the raw/constructed mask overlap is below 0.75' },
  ],
  summary: { ok: 'There is no problem with the suggested threshold.', problem: 'the suggested threshold' },
  headlines: [
    { column: 'components95', label: '0.b components holding 95% of the mass', unit: '', pick: (v) => v.components95, archive: { better: 'lower' } },
    { column: 'maskOverlap', label: '0.b raw/constructed mask overlap', unit: '', pick: (v) => finite(v.overlap), archive: { better: 'higher' } },
  ],
  references: [],
});
