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
    /** Voxels of the hard mask (the structure's pieces, dilated 2 Å). */
    constructedVoxels: count,
    constructedVolume: real,
    /** |raw ∧ constructed| / |raw|. */
    overlap: real,
    /** Rows [threshold, voxels, kDa, amino acids] of the mass enclosed at a ladder of thresholds. */
    thresholdTable: z.array(z.tuple([real, count, real, real])),
    /** [threshold, voxels, kDa, amino acids] at the recommended contour itself (voxels of the raw mask, V ≥ t); absent in reports before it was. */
    contourRow: z.tuple([real, count, real, real]).optional(),
    /** The structure's pieces: the largest component and every other large one (≥ 10 resolution elements and ≥ 1 % of the raw mask); absent in reports before it was. */
    largePieces: count.optional(),
    /** The smallest volume of a large piece, max(10 resolution elements, 1 % of the raw mask). */
    largePieceMinVolume: real.optional(),
    /** Voxels of the raw mask in the large pieces. */
    largePiecesVoxels: count.optional(),
    /** Molecular weight of the sample from the EMDB metadata (present when the metadata gives one). */
    sampleMassKDa: real.optional(),
    /** Mass enclosed at the recommended contour (contourRow, 1.207 Å³/Da) over sampleMassKDa. */
    massRatio: real.optional(),
    /** The contour that would enclose sampleMassKDa (the k-th largest voxel value, k = sample volume / Ts³); null when no contour encloses it (fewer voxels in the box, or above a masked flat background). */
    sampleMassContour: real.optional(),
    /** Codes of the warnings not raised because the entry's method makes them expected (present when the method is known). */
    expectedForMethod: z.array(z.string()).optional(),
  }),
  units: { rawVolume: 'Å³', remainingAvgVolume: 'Å³', remainingBlobLimit: 'Å³', constructedVolume: 'Å³', largePieceMinVolume: 'Å³', sampleMassKDa: 'kDa', thresholdTable: 'threshold, voxels, kDa, amino acids', contourRow: 'threshold, voxels, kDa, amino acids' },
  explanation: 'At the recommended threshold most of the mass should lie in a single connected piece. A few thousand tiny disconnected noise blobs are normal, but together they should hold little mass. Pieces of at least 10 resolution elements and 1% of the thresholded volume are too large to be noise: they are all treated as the structure. The raw mask (plain thresholding) and the mask built for the analysis (thresholding, the large pieces, 2 Å dilation) should overlap well; the overlap is size(raw AND constructed)/size(raw), between 0 and 1. When the EMDB metadata gives the molecular weight of the sample, the mass enclosed at the contour (1.207 Å³ per dalton) is compared with it.',
  criteria: 'OK if 1) at most 5 connected components hold 95% of the mass at the threshold, 2) the blobs outside those components and the large pieces are on average no larger than one resolution element (a sphere whose diameter is the reported resolution, or 2 voxels without one), 3) the overlap between the raw and the constructed mask is at least 0.75, 4) the density is in one large piece (several are expected for subtomogram averages, tomograms and electron-crystallography maps), and 5) the enclosed mass is between 0.5 and 2 times the sample\'s molecular weight (judged for single particles only, when the weight is known).',
  warnings: [
    { code: '0b.components95', when: 'more than 5 components are needed for 95% of the mass' },
    { code: '0b.remaining-blobs', when: 'the components outside the 95% set average more than one resolution element' },
    { code: '0b.overlap', when: 'the raw/constructed mask overlap is below 0.75' },
    { code: '0b.large-pieces', when: 'the contour splits the density into several large pieces (each ≥ 10 resolution elements and ≥ 1% of the thresholded volume), unless the method expects several bodies in the box' },
    { code: '0b.mass-vs-sample', when: 'the mass enclosed at the contour is below 0.5 or above 2 times the sample\'s molecular weight in the EMDB metadata (single particles, or no method given)' },
  ],
  summary: { ok: 'There is no problem with the suggested threshold.', problem: 'the suggested threshold' },
  display: {
    results: [
      { label: 'Raw mask (voxels at or above the contour)', quantity: 'count', unit: 'voxels', pick: (v) => v.rawVoxels },
      { label: 'Raw mask volume', quantity: 'volume', pick: (v) => v.rawVolume },
      { label: 'Connected components of the raw mask', quantity: 'count', pick: (v) => v.components },
      { label: 'Components holding 95% of the mass', quantity: 'count', pick: (v) => v.components95 },
      { label: 'Average volume of the other components', quantity: 'volume', pick: (v) => (v.remainingComponents > 0 ? v.remainingAvgVolume : null) },
      { label: 'Limit: volume of one resolution element', quantity: 'volume', pick: (v) => v.remainingBlobLimit },
      { label: 'Constructed mask volume', quantity: 'volume', pick: (v) => v.constructedVolume },
      { label: 'Overlap of the raw and constructed masks', quantity: 'fraction', pick: (v) => v.overlap },
      { label: 'Mass at the recommended contour', quantity: 'real', unit: 'kDa', pick: (v) => v.contourRow?.[2] },
      { label: 'Amino acids at the recommended contour', quantity: 'count', pick: (v) => (v.contourRow ? Math.round(v.contourRow[3] ?? Number.NaN) : null) },
      { label: 'Large pieces of the structure at the contour', quantity: 'count', pick: (v) => v.largePieces },
      { label: 'Molecular weight of the sample (EMDB metadata)', quantity: 'real', unit: 'kDa', pick: (v) => v.sampleMassKDa },
      { label: 'Enclosed mass / sample molecular weight', quantity: 'real', pick: (v) => v.massRatio },
      { label: 'Contour that would enclose the sample molecular weight', quantity: 'real', pick: (v) => v.sampleMassContour },
    ],
    details: [
      { label: 'Components outside the 95% set', quantity: 'count', pick: (v) => v.remainingComponents },
      { label: 'Voxels outside the 95% set', quantity: 'count', pick: (v) => v.remainingVoxels },
      { label: 'Largest and smallest of those components', quantity: 'count', unit: 'voxels', pick: (v) => [v.remainingMaxVoxels, v.remainingMinVoxels] },
      { label: 'Constructed mask', quantity: 'count', unit: 'voxels', pick: (v) => v.constructedVoxels },
      { label: 'Smallest volume of a large piece', quantity: 'volume', pick: (v) => v.largePieceMinVolume },
      { label: 'Voxels in the large pieces', quantity: 'count', pick: (v) => v.largePiecesVoxels },
    ],
  },
  headlines: [
    { column: 'components95', label: '0.b components holding 95% of the mass', unit: '', quantity: 'count', pick: (v) => v.components95, archive: { better: 'lower' } },
    { column: 'maskOverlap', label: '0.b raw/constructed mask overlap', unit: '', quantity: 'fraction', pick: (v) => finite(v.overlap), archive: { better: 'higher' } },
  ],
  references: [],
});
