/** A.f EMRinger: do the map's side-chain densities peak at rotameric χ1 angles of the model's backbone (Barad et al. 2015)? */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const emringerSpec = defineItem({
  id: 'A.f',
  level: 'A',
  title: 'A.f EMRinger',
  inputs: ['map', 'model'],
  values: z.strictObject({
    /** 10 · maxZ / √(scanned residues). */
    emringerScore: real,
    /** The highest Z of the rotameric-peak count over the 20 thresholds. */
    maxZ: real,
    /** The threshold (σ-scaled map) with the highest Z. */
    optimalThreshold: real,
    /** Fraction of the peaks above the optimal threshold that are rotameric. */
    rotamerRatio: real,
    /** Residues whose χ1 was scanned (the "model length" of the score). */
    scannedResidues: count,
    /** Residues of a scanned type left out: an atom of N, CA, CB, γ missing, or the γ circle leaving the box. */
    skippedResidues: count,
  }),
  units: { optimalThreshold: 'σ' },
  explanation:
    'EMRinger (Barad et al. 2015) asks whether the map shows the side chains where the backbone of the model says they can be. For each residue with a γ atom (Arg, Asn, Asp, Cys, Gln, Glu, His, Leu, Lys, Met, Phe, Ser, Trp, Tyr and selenomethionine; Ala, Gly, Pro and the β-branched Thr, Ile, Val are left out) the γ atom is swung about the CA–CB bond through the χ1 angle N–CA–CB–γ in 5° steps and the map is read on that circle; the angle of the highest density is the peak. Side chains in real proteins sit at the three staggered rotamers (60°, 180°, 300°), so in a map that resolves them, with a correctly placed backbone, the peaks fall within 30° of those angles far more often than the 39 in 72 of chance. The count is made at 20 density thresholds between the mean density on the circles and the highest peak, keeping the residues whose peak rises above the threshold; the Z-score of the rotameric excess is maximal at the optimal threshold, and the EMRinger score is 10 · Z / √(residues scanned). The score grows with the resolution and the quality of the model; below 1 the rotameric signal is weak (the criterion used here, as in VRS). The rolling 21-residue windows along each chain point to stretches where the side chains do not follow the density.',
  criteria: 'OK if the EMRinger score is at least 1 and the highest Z is at least 1 (fewer rotameric peaks than one standard deviation above chance fails it). Does not apply above 4.5 Å, where side chains are not resolved; not evaluated when the model is not usable or not aligned with the map.',
  warnings: [
    { code: 'Af.low-score', when: 'the EMRinger score is below 1' },
    { code: 'Af.low-z', when: 'the highest Z of the rotameric-peak count is below 1: the side-chain peaks are not significantly more rotameric than chance' },
  ],
  summary: { ok: 'The side-chain density peaks at rotameric χ1 angles of the model (EMRinger).', problem: 'the rotameric side-chain density of its model (EMRinger)' },
  display: {
    results: [
      { label: 'EMRinger score', quantity: 'real', pick: (v) => v.emringerScore },
      { label: 'Rotameric share of the peaks', quantity: 'fraction', pick: (v) => v.rotamerRatio },
      { label: 'Highest Z of the rotameric count', quantity: 'real', pick: (v) => v.maxZ },
      { label: 'Threshold of that Z', quantity: 'real', unit: 'σ', pick: (v) => v.optimalThreshold },
      { label: 'Residues scanned', quantity: 'count', pick: (v) => v.scannedResidues },
    ],
    details: [{ label: 'Residues left out (atoms missing, or outside the box)', quantity: 'count', pick: (v) => v.skippedResidues }],
  },
  headlines: [
    { column: 'emringerScore', label: 'A.f EMRinger score', unit: '', pick: (v) => finite(v.emringerScore) },
    { column: 'emringerMaxZ', label: 'A.f EMRinger max Z', unit: '', pick: (v) => finite(v.maxZ) },
  ],
  references: ['barad2015', 'lang2010'],
});
