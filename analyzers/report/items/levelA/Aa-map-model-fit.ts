/** A.a Map–model fit: the fit check of Level A, real-space correlations, map–model FSC and d99. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, perAxis, real } from '../../values.ts';

export const mapModelFitSpec = defineItem({
  id: 'A.a',
  level: 'A',
  title: 'A.a Map-model fit (CC, map-model FSC)',
  inputs: ['map', 'model'],
  values: z.strictObject({
    /** Whether the model sits in the map's frame (CC_mask ≥ 0.4), possibly after moving its centre to a candidate origin. */
    fit: z.strictObject({
      status: z.enum(['aligned', 'aligned-after-origin-change', 'not-aligned']),
      ccMask: real,
      /** CC_mask of the model as deposited (before any origin change). */
      ccMaskOriginal: real,
      /** The candidate origin (Å) the model's geometric centre was moved to. */
      origin: perAxis.optional(),
    }),
    /** Pearson CC inside the atom mask (voxels within the mask radius of an atom). */
    ccMask: real,
    /** CC over the whole box. */
    ccBox: real,
    /** CC over the N highest model-map voxels, N = atom-mask size. */
    ccVolume: real,
    /** CC over the union of the N highest voxels of the map and of the model map. */
    ccPeaks: real,
    /** CC over the mask voxels closest to a backbone atom (N, CA, C, O), and to any other atom. */
    ccMainChain: real,
    ccSideChain: real,
    residues: count,
    chains: count,
    /** Percentage of residues with CC < 0.5. */
    residuesBelow05: real,
    /** Map–model FSC with both maps times the soft atom mask: 1/f where it falls below 0, 0.143, 0.5. */
    dFscModel0: real,
    dFscModel0143: real,
    dFscModel05: real,
    /** The same without the mask. */
    unmaskedDFscModel0143: real,
    unmaskedDFscModel05: real,
    /** Finest d at which the map correlates ≥ 0.99 with its own low-pass at d: of the whole box, and of the masked map. */
    d99: real,
    d99Masked: real,
    /** d maximising CC(map, model map blurred to d) over the soft-masked box (absent in reports before it). */
    dModel: real.optional(),
    /** Resolution at which the model map was computed, and the atom-mask radius. */
    modelMapResolution: real,
    maskRadius: real,
    /** Atoms of the model left out because they lie outside the map's box (beyond a 6 Å margin). */
    atomsOutside: count,
  }),
  units: {
    residuesBelow05: '%', dFscModel0: 'Å', dFscModel0143: 'Å', dFscModel05: 'Å', unmaskedDFscModel0143: 'Å', unmaskedDFscModel05: 'Å',
    d99: 'Å', d99Masked: 'Å', dModel: 'Å', modelMapResolution: 'Å', maskRadius: 'Å',
  },
  explanation:
    'A map computed from the atomic model (five-Gaussian electron scattering factors of each atom, blurred to the reported resolution, on the grid of the map) is compared with the map, following the definitions of Phenix validation_cryoem (Afonine et al. 2018). First the fit check: the correlation inside the atom mask (CC_mask) tells whether the model is placed in the map at all; when it is low, the model is moved onto a few candidate origins (header origin, its negative, 0, the box centre) in case it was deposited in another frame; a model that fits nowhere is reported as not aligned and the other model items are skipped. CC_mask, CC_box (whole box), CC_volume (the strongest model-map voxels) and CC_peaks (the strongest voxels of either map) measure the global agreement; the CC per chain and per residue show where the model and the map disagree. The map-model FSC (both maps multiplied by a soft mask round the atoms) says up to which resolution the model explains the map: a reported resolution much finer than where it falls below 0.5 is suspicious. d99 is the resolution beyond which the map holds less than 2 % of its power; d_model is the resolution at which the model map correlates best with the map.',
  criteria: 'OK if at most 10 % of the residues have CC < 0.5 and the reported resolution is not better than 0.8 × the resolution where the masked map-model FSC falls below 0.5; not evaluated when the model is not aligned with the map.',
  warnings: [
    { code: 'Aa.not-aligned', when: 'CC_mask is below 0.4 for the deposited model and for every candidate origin: the model does not sit in the map' },
    { code: 'Aa.low-residue-cc', when: 'more than 10 % of the residues have a CC below 0.5' },
    { code: 'Aa.fsc-optimistic', when: 'the reported resolution is better than 0.8 × the resolution where the masked map-model FSC falls below 0.5' },
  ],
  summary: { ok: 'The atomic model fits the map.', problem: 'the fit of its atomic model' },
  display: {
    results: [
      { label: 'Model in the map frame', quantity: 'real', pick: (v) => ({ aligned: 'yes', 'aligned-after-origin-change': 'yes, after moving it to another origin', 'not-aligned': 'no' })[v.fit.status] },
      { label: 'CC inside the atom mask (CC_mask)', quantity: 'correlation', pick: (v) => v.ccMask },
      { label: 'CC over the box (CC_box)', quantity: 'correlation', pick: (v) => v.ccBox },
      { label: 'CC over the model volume (CC_volume)', quantity: 'correlation', pick: (v) => v.ccVolume },
      { label: 'CC over the peaks (CC_peaks)', quantity: 'correlation', pick: (v) => v.ccPeaks },
      { label: 'CC of the main chain and of the side chains', quantity: 'correlation', pick: (v) => [v.ccMainChain, v.ccSideChain] },
      { label: 'Residues with CC < 0.5', quantity: 'percent', pick: (v) => v.residuesBelow05 },
      { label: 'Map–model FSC = 0.5 (masked)', quantity: 'length', pick: (v) => v.dFscModel05 },
      { label: 'Map–model FSC = 0.143 (masked)', quantity: 'length', pick: (v) => v.dFscModel0143 },
      { label: 'd_model (best-fitting model-map resolution)', quantity: 'length', pick: (v) => v.dModel },
      { label: 'd99 of the map', quantity: 'length', pick: (v) => v.d99 },
    ],
    details: [
      { label: 'CC_mask of the model as deposited', quantity: 'correlation', pick: (v) => v.fit.ccMaskOriginal },
      { label: 'Origin the model was moved to', quantity: 'length', pick: (v) => v.fit.origin },
      { label: 'Residues and chains', quantity: 'count', pick: (v) => [v.residues, v.chains] },
      { label: 'Map–model FSC = 0 (masked)', quantity: 'length', pick: (v) => v.dFscModel0 },
      { label: 'Map–model FSC = 0.143 and 0.5 (unmasked)', quantity: 'length', pick: (v) => [v.unmaskedDFscModel0143, v.unmaskedDFscModel05] },
      { label: 'd99 of the masked map', quantity: 'length', pick: (v) => v.d99Masked },
      { label: 'Model map computed at', quantity: 'length', pick: (v) => v.modelMapResolution },
      { label: 'Atom-mask radius', quantity: 'length', pick: (v) => v.maskRadius },
      { label: 'Atoms outside the box', quantity: 'count', pick: (v) => v.atomsOutside },
    ],
  },
  headlines: [
    { column: 'ccMask', label: 'A.a CC_mask', unit: '', quantity: 'correlation', pick: (v) => finite(v.ccMask), archive: { better: 'higher' } },
    { column: 'dFscModel05', label: 'A.a map-model FSC resolution (0.5, masked)', unit: 'Å', pick: (v) => finite(v.dFscModel05) },
  ],
  resolutionEstimates: [
    { method: 'd99 (masked)', measures: 'the resolution beyond which the masked map holds less than 2 % of its power', pick: (v) => finite(v.d99Masked) },
    { method: 'd_model (masked)', measures: 'the resolution at which a map computed from the model correlates best with the map', pick: (v) => finite(v.dModel) },
    { method: 'map-model FSC 0 (masked)', measures: 'where the FSC between the map and the model map first falls to 0', pick: (v) => finite(v.dFscModel0) },
    { method: 'map-model FSC 0.143 (masked)', measures: 'where the FSC between the map and the model map first falls below 0.143', pick: (v) => finite(v.dFscModel0143) },
    { method: 'map-model FSC 0.5 (masked)', measures: 'where the FSC between the map and the model map first falls below 0.5', pick: (v) => finite(v.dFscModel05) },
  ],
  references: ['afonine2018', 'peng1996'],
});
