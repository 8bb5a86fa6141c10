/** 1.g Fourier shell occupancy: the share of directions whose conical FSC passes 0.143, shell by shell (Vilas & Tagare 2023). */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const fsoSpec = defineItem({
  id: '1.g',
  level: '1',
  title: '1.g Fourier shell occupancy (FSO)',
  inputs: ['map', 'halfMaps'],
  values: z.strictObject({
    /** Where the FSO falls below 0.5: half of the directions still pass 0.143 (null: it does not cross, see `fsoCrosses`). */
    fsoResolution: real,
    /** How the FSO ends: 'crosses' 0.5, stays 'above' it up to Nyquist, or is 'below' it from the first shells. */
    fsoCrosses: z.enum(['crosses', 'above', 'below']),
    /** [where the FSO falls below 0.9, where it falls below 0.1]: the resolutions over which directions drop out (null where not reached). */
    fsoBand: z.tuple([real, real]),
    /** Anisotropy: the width of that band relative to the FSO resolution, (1/f90 − 1/f10)/R_FSO (narrow for an isotropic map, wider where some directions are worse resolved than others; null where the band is not reached). */
    bandWidth: real,
    /** Largest value, over the shells of the band, of Bingham's test of the directions that pass (the χ² distribution function with 5 degrees of freedom: near 1 when they crowd into some directions). */
    binghamMax: real,
    /** Where the FSC of the masked half maps (all directions) falls below 0.143. */
    globalResolution: real,
    /** Quasi-uniform directions on the hemisphere (a cone covers u and −u). */
    directions: count,
    /** Half-angle of the cones (their weight falls smoothly to the rim). */
    coneAngle: real,
    /** FSC threshold a direction must reach to occupy a shell. */
    threshold: real,
  }),
  units: { fsoResolution: 'Å', fsoBand: 'Å', bandWidth: '× FSO resolution', globalResolution: 'Å', directions: 'directions', coneAngle: '°' },
  explanation:
    'The Fourier shell occupancy (FSO) is, for each frequency shell, the share of directions in which the two half maps (both multiplied by the soft mask) still correlate: the FSC of the coefficients in a 17° cone about each of 321 quasi-uniform directions is compared with 0.143. An isotropic map loses all its directions at about the same resolution, so its FSO drops from 1 to 0 in a step, at the global FSC resolution; an anisotropic map loses them over a range of resolutions (the band between FSO 0.9 and 0.1). The FSO resolution is where half of the directions remain, and the width of the band, relative to it, measures the anisotropy. Per shell, Bingham\'s test tells whether the directions that still pass are spread evenly over the sphere or crowd into some of them.',
  criteria: 'OK if the reported resolution is not better than 0.8 × the FSO resolution (FSO = 0.5); not evaluated when no resolution is reported.',
  warnings: [{ code: '1g.fso-optimistic', when: 'the reported resolution is better than 0.8 × the FSO resolution (where half of the directions pass FSC 0.143)' }],
  summary: { ok: null, problem: 'its Fourier shell occupancy' },
  display: {
    results: [
      { label: 'FSO resolution (FSO = 0.5)', quantity: 'length', pick: (v) => v.fsoResolution },
      { label: 'Directions drop out between (FSO 0.9, 0.1)', quantity: 'length', pick: (v) => v.fsoBand },
      { label: 'Anisotropy: band width', quantity: 'real', unit: '× FSO resolution', pick: (v) => v.bandWidth },
      { label: 'Bingham test, largest over the band', quantity: 'correlation', pick: (v) => v.binghamMax },
      { label: 'Global resolution (masked FSC = 0.143)', quantity: 'length', pick: (v) => v.globalResolution },
    ],
    details: [
      { label: 'How the FSO ends', quantity: 'real', pick: (v) => ({ crosses: 'crosses 0.5', above: 'stays above 0.5 up to Nyquist', below: 'below 0.5 from the first shells' })[v.fsoCrosses] },
      { label: 'Directions', quantity: 'count', pick: (v) => v.directions },
      { label: 'Cone half-angle', quantity: 'angle', pick: (v) => v.coneAngle },
      { label: 'FSC threshold per direction', quantity: 'correlation', pick: (v) => v.threshold },
    ],
  },
  headlines: [
    { column: 'fsoResolution', label: '1.g FSO resolution (FSO = 0.5)', unit: 'Å', pick: (v) => finite(v.fsoResolution) },
    { column: 'fsoBandWidth', label: '1.g FSO band width (0.9 to 0.1, relative to the FSO resolution)', unit: '', pick: (v) => finite(v.bandWidth) },
  ],
  resolutionEstimates: [{ method: 'Fourier shell occupancy 0.5', measures: 'where the Fourier shell occupancy falls to 0.5, i.e. the resolution reached in half of the directions', pick: (v) => finite(v.fsoResolution) }],
  references: ['vilas2023', 'bingham1974'],
});
