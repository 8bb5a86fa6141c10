/** 1.a Global resolution from the two half maps: FSC (unmasked, masked and corrected), DPR, SSNR. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

/** How an FSC curve ends, in words. */
const CROSSES = { crosses: 'crosses 0.143', above: 'stays above 0.143 up to Nyquist', below: 'below 0.143 from the first shells' } as const;

export const globalResolutionSpec = defineItem({
  id: '1.a',
  level: '1',
  title: '1.a Global resolution (FSC, DPR, SSNR)',
  inputs: ['map', 'halfMaps'],
  values: z.strictObject({
    /** Where the unmasked FSC falls below 0.143 (null: it does not cross, see `fscCrosses`). */
    fsc0143: real,
    fsc05: real,
    fscHalfBit: real,
    fscOneBit: real,
    /** The masked FSC corrected by phase randomisation (Chen et al. 2013), at 0.143. */
    maskedFsc0143: real,
    /** The masked FSC before the correction, at 0.143. */
    maskedUncorrectedFsc0143: real,
    /** Where the amplitude-weighted phase residual exceeds 103.9°. */
    dpr: real,
    /** Where the mean signal-to-noise amplitude ratio falls to 2 (VRS's SSNR, correct axis). */
    ssnr: real,
    /** Where the logistic fitted to the FSC falls to 0.9. */
    logistic90: real,
    /** How the unmasked FSC ends: 'crosses' 0.143, stays 'above' it up to Nyquist, or is 'below' it from the first shells. */
    fscCrosses: z.enum(['crosses', 'above', 'below']),
    /** The same for the corrected masked FSC. */
    maskedFscCrosses: z.enum(['crosses', 'above', 'below']),
    /** Resolution of the first phase-randomised shell (where the unmasked FSC falls below 0.8). */
    randomizedFrom: real,
    /** Sum of the soft mask divided by the number of voxels of the box. */
    maskFraction: real,
    shells: count,
    nyquist: real,
  }),
  units: {
    fsc0143: 'Å', fsc05: 'Å', fscHalfBit: 'Å', fscOneBit: 'Å', maskedFsc0143: 'Å', maskedUncorrectedFsc0143: 'Å', dpr: 'Å', ssnr: 'Å',
    logistic90: 'Å', randomizedFrom: 'Å', nyquist: 'Å',
  },
  explanation:
    'The Fourier shell correlation (FSC) between the two independently refined half maps measures, shell by shell in frequency, how reproducible the signal is; the resolution is read where the FSC falls below 0.143 (full-map criterion of Rosenthal & Henderson), and below 0.5, the half-bit and the 1-bit curves for comparison. The FSC of the half maps multiplied by the soft mask is usually better, partly because the mask removes solvent noise and partly because the mask itself correlates the halves; phase randomisation beyond the point where the unmasked FSC falls below 0.8 measures that second part, and the corrected masked FSC removes it (Chen et al. 2013), as EMDB shows. The differential phase residual (DPR) is the amplitude-weighted RMS phase difference between the halves (103.9° for random phases); the spectral signal-to-noise ratio (SSNR) compares the amplitudes of the half-map sum and difference. A claimed resolution much better than these estimates is suspicious.',
  criteria: 'OK if the reported resolution is not better than 0.8 × each of the FSC (0.143), DPR (103.9°) and SSNR resolutions; not evaluated when no resolution is reported.',
  warnings: [
    { code: '1a.fsc-optimistic', when: 'the reported resolution is better than 0.8 × the FSC (0.143) resolution of the unmasked half maps' },
    { code: '1a.dpr-optimistic', when: 'the reported resolution is better than 0.8 × the DPR (103.9°) resolution' },
    { code: '1a.ssnr-optimistic', when: 'the reported resolution is better than 0.8 × the SSNR resolution (mean amplitude ratio 2)' },
  ],
  summary: { ok: 'The resolution claimed agrees with the Fourier shell correlation of its half maps.', problem: 'its global resolution' },
  display: {
    results: [
      { label: 'FSC = 0.143 (unmasked)', quantity: 'length', pick: (v) => v.fsc0143 },
      { label: 'FSC = 0.143 (masked, corrected by phase randomisation)', quantity: 'length', pick: (v) => v.maskedFsc0143 },
      { label: 'FSC = 0.5', quantity: 'length', pick: (v) => v.fsc05 },
      { label: 'Half-bit criterion', quantity: 'length', pick: (v) => v.fscHalfBit },
      { label: 'One-bit criterion', quantity: 'length', pick: (v) => v.fscOneBit },
      { label: 'Differential phase residual (103.9°)', quantity: 'length', pick: (v) => v.dpr },
      { label: 'Spectral SNR = 2', quantity: 'length', pick: (v) => v.ssnr },
    ],
    details: [
      { label: 'How the unmasked FSC ends', quantity: 'real', pick: (v) => CROSSES[v.fscCrosses] },
      { label: 'How the corrected masked FSC ends', quantity: 'real', pick: (v) => CROSSES[v.maskedFscCrosses] },
      { label: 'FSC = 0.143 (masked, before the correction)', quantity: 'length', pick: (v) => v.maskedUncorrectedFsc0143 },
      { label: 'Logistic fit of the FSC = 0.9', quantity: 'length', pick: (v) => v.logistic90 },
      { label: 'Phases randomised from', quantity: 'length', pick: (v) => v.randomizedFrom },
      { label: 'Soft mask, share of the box', quantity: 'fraction', pick: (v) => v.maskFraction },
      { label: 'Shells', quantity: 'count', pick: (v) => v.shells },
      { label: 'Nyquist limit', quantity: 'length', pick: (v) => v.nyquist },
    ],
  },
  headlines: [
    { column: 'fsc0143', label: '1.a FSC resolution (0.143, unmasked)', unit: 'Å', pick: (v) => finite(v.fsc0143), archive: { better: 'lower', ratioToReported: { better: 'lower' } } },
    { column: 'maskedFsc0143', label: '1.a corrected masked FSC resolution (0.143)', unit: 'Å', pick: (v) => finite(v.maskedFsc0143) },
  ],
  resolutionEstimates: [
    { method: 'FSC 0.143 (unmasked half maps)', measures: 'where the FSC of the two half maps, without a mask, first falls below 0.143', pick: (v) => finite(v.fsc0143) },
    { method: 'FSC 0.143 (masked, corrected)', measures: 'the same with a mask, corrected for the mask\'s own correlation by phase randomisation', pick: (v) => finite(v.maskedFsc0143) },
    { method: 'DPR 103.9°', measures: 'where the amplitude-weighted RMS phase difference of the half maps reaches 103.9°, its value for random phases', pick: (v) => finite(v.dpr) },
    { method: 'SSNR', measures: 'where the spectral signal-to-noise ratio of the half maps falls to 1', pick: (v) => finite(v.ssnr) },
  ],
  references: ['saxton1982', 'rosenthal2003', 'vanheel2005', 'chen2013', 'frank1981', 'unser1987'],
});
