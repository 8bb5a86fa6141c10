/** A.i Atom inclusion: the fraction of the model's atoms inside the recommended contour (EMDB validation analysis). */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const atomInclusionSpec = defineItem({
  id: 'A.i',
  level: 'A',
  title: 'A.i Atom inclusion',
  inputs: ['map', 'model'],
  values: z.strictObject({
    /** Fraction (0–1) of all atoms at which the map (trilinear) is ≥ the recommended contour. */
    allAtoms: real,
    /** The same for the backbone atoms N, CA, C, O. */
    backbone: real,
    /** The contour level used (the recommended one, map units). */
    contour: real,
    atoms: count,
    backboneAtoms: count,
  }),
  units: { contour: 'map units' },
  explanation:
    'Atom inclusion (EMDB validation analysis; Wang et al. 2022) is the fraction of the model\'s atoms that lie inside the map\'s surface at the recommended contour level, i.e. where the map interpolated at the atom is at least the contour; it is given for all atoms and for the backbone atoms (N, CA, C, O), and as a curve against the contour level. A low inclusion at the recommended contour means a contour set too high for the model, or parts of the model outside the density.',
  criteria: 'OK if at least half of the atoms lie inside the recommended contour; not evaluated when the model is not usable or not aligned with the map.',
  warnings: [{ code: 'Ai.low-inclusion', when: 'fewer than 50 % of the atoms lie inside the recommended contour' }],
  summary: { ok: 'Most atoms of the model lie inside the recommended contour.', problem: 'the inclusion of its atoms in the recommended contour' },
  display: {
    results: [
      { label: 'Atoms inside the contour', quantity: 'percent', pick: (v) => (v.allAtoms === null ? null : 100 * v.allAtoms) },
      { label: 'Backbone atoms inside the contour', quantity: 'percent', pick: (v) => (v.backbone === null ? null : 100 * v.backbone) },
      { label: 'Recommended contour', quantity: 'real', pick: (v) => v.contour },
      { label: 'Atoms, of which backbone', quantity: 'count', pick: (v) => [v.atoms, v.backboneAtoms] },
    ],
    details: [],
  },
  headlines: [
    { column: 'atomInclusion', label: 'A.i atom inclusion (all atoms)', unit: '', pick: (v) => finite(v.allAtoms) },
    { column: 'backboneInclusion', label: 'A.i atom inclusion (backbone)', unit: '', pick: (v) => finite(v.backbone) },
  ],
  references: ['wang2022'],
});
