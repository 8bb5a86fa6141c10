/** 0.a Mass analysis: empty space around the hard mask, decentring, centre of mass. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { perAxis } from '../../values.ts';

const axisCodes = (stem: string) => ['x', 'y', 'z'].map((a) => `0a.${stem}.${a}`);

export const massAnalysisSpec = defineItem({
  id: '0.a',
  level: '0',
  title: '0.a Mass analysis',
  inputs: ['map'],
  values: z.strictObject({
    /** Empty margin before the hard mask along x, y, z. */
    leftSpace: perAxis,
    /** Empty margin after the hard mask, (N − 1 − last)·Ts. */
    rightSpace: perAxis,
    /** |right − left| / box size. */
    decentering: perAxis,
    /** Centre of mass of the map inside the hard mask, voxel indices. */
    centerOfMass: perAxis,
    /** The same in the map frame (origin + index·Ts). */
    centerOfMassA: perAxis,
    /** |centre of mass − N/2| / N. */
    comDecentering: perAxis,
    /** Codes of the warnings not raised because the entry's method makes them expected (present when the method is known; absent in reports before it was). */
    expectedForMethod: z.array(z.string()).optional(),
  }),
  units: { leftSpace: 'Å', rightSpace: 'Å', decentering: '%', centerOfMass: 'voxel', centerOfMassA: 'Å', comDecentering: '%' },
  explanation: 'The reconstructed map should be reasonably well centred in its box, with enough empty space on every side (at least about 20–30 Å, depending on the CTF) for the CTF to be corrected properly. The empty space is measured from the hard mask (the map thresholded at the recommended contour, its largest connected piece and every other large one, dilated by 2 Å); the centre of mass is that of the map inside the same mask.',
  criteria: 'OK if, along every axis, 1) the decentring |high − low| / box size is at most 20%, 2) the empty space on each side is at least 20 Å, and 3) the centre of mass is at most 20% of the box away from the box centre. For local reconstructions and focused refinements warnings are expected. The EMDB method is taken into account: along an axis where the density runs through the box, a helical reconstruction (its filament) or a subtomogram average (its membrane or lattice context) has no empty space by construction, so the space and decentring criteria of that axis do not apply; for a tomogram or an electron-crystallography map, whose density fills the box, none of them applies. What is not raised for that reason is said in the results.',
  warnings: [
    ...axisCodes('decentering').map((code) => ({ code, when: 'the decentring along that axis exceeds 20%' })),
    ...axisCodes('left-space').map((code) => ({ code, when: 'less than 20 Å of empty space on the low side of that axis' })),
    ...axisCodes('right-space').map((code) => ({ code, when: 'less than 20 Å of empty space on the high side of that axis' })),
    ...axisCodes('center-of-mass').map((code) => ({ code, when: 'the centre of mass is more than 20% of the box from its centre along that axis' })),
  ],
  summary: { ok: 'The map seems to be well centred.', problem: 'its centring or the empty space around it' },
  display: {
    results: [
      { label: 'Empty space on the low side (x, y, z)', quantity: 'length', pick: (v) => v.leftSpace },
      { label: 'Empty space on the high side (x, y, z)', quantity: 'length', pick: (v) => v.rightSpace },
      { label: 'Decentring, |high − low| / box size (x, y, z)', quantity: 'percent', pick: (v) => v.decentering },
      { label: 'Centre of mass in the map frame (x, y, z)', quantity: 'length', pick: (v) => v.centerOfMassA },
      { label: 'Centre of mass from the box centre, / box size (x, y, z)', quantity: 'percent', pick: (v) => v.comDecentering },
    ],
    details: [{ label: 'Centre of mass, voxel indices (x, y, z)', quantity: 'length', unit: '', pick: (v) => v.centerOfMass }],
  },
  headlines: [
    { column: 'maxDecentering', label: '0.a largest decentring', unit: '%', pick: (v) => maxFinite(v.decentering), archive: { better: 'lower' } },
  ],
  references: [],
});

function maxFinite(xs: readonly (number | null)[]): number | null {
  const ok = xs.map(finite).filter((x): x is number => x !== null);
  return ok.length === xs.length && ok.length > 0 ? Math.max(...ok) : null;
}
