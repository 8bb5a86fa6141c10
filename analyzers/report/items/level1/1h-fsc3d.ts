/** 1.h 3-D FSC: the FSC of the masked half maps in 20° cones about 500 directions (Tan et al. 2017). */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const fsc3dSpec = defineItem({
  id: '1.h',
  level: '1',
  title: '1.h 3-D FSC (directional resolution)',
  inputs: ['map', 'halfMaps'],
  values: z.strictObject({
    /** Where the FSC of the masked half maps falls below 0.143 (null: it does not cross, see `globalCrosses`). */
    globalResolution: real,
    /** How that FSC ends: 'crosses' 0.143, stays 'above' it up to Nyquist, or is 'below' it from the first shells. */
    globalCrosses: z.enum(['crosses', 'above', 'below']),
    /** Resolution of the directions (where each cone's FSC falls below 0.143): best, worst and median over the quasi-uniform set. */
    directional: z.strictObject({ min: real, max: real, median: real }),
    /** The same along the x, y and z axes of the map. */
    axes: z.strictObject({ x: real, y: real, z: real }),
    /** Wadell's sphericity of the surface whose radius along each direction is 1/resolution, averaged over the cone about that direction (1 for an isotropic map; null when a direction has no resolution). */
    sphericity: real,
    /** Quasi-uniform directions on the hemisphere (a cone covers u and −u). */
    directions: count,
    /** Directions whose FSC stays above 0.143 up to Nyquist (their resolution counts as the Nyquist limit). */
    directionsAtNyquist: count,
    /** Directions whose FSC is below 0.143 from the first shells (no resolution). */
    directionsUnresolved: count,
    /** Half-angle of the cones. */
    coneAngle: real,
    /** FSC threshold of every resolution here. */
    threshold: real,
    /** Resolution of the last shell (2 × voxel size for an even box). */
    nyquist: real,
  }),
  units: { globalResolution: 'Å', directional: 'Å', axes: 'Å', directions: 'directions', directionsAtNyquist: 'directions', directionsUnresolved: 'directions', coneAngle: '°', nyquist: 'Å' },
  explanation:
    'A map can be better resolved in some directions than in others, typically when the particles preferred a few orientations on the grid. The 3-D FSC correlates the two half maps (both multiplied by the soft mask) in cones of Fourier space: for each of 500 quasi-uniform directions, the FSC of the coefficients within 20° of that direction, shell by shell, and the resolution where it falls below 0.143. The spread of these directional resolutions, and the sphericity of the surface they draw (1 for a map resolved equally in every direction), measure the anisotropy of the map.',
  criteria: 'OK if the FSC of the masked half maps crosses 0.143 and the reported resolution is not better than 0.8 × that resolution; the comparison is not evaluated when no resolution is reported.',
  warnings: [
    { code: '1h.fsc3d-optimistic', when: 'the reported resolution is better than 0.8 × the 0.143 resolution of the masked half maps' },
    { code: '1h.not-estimated', when: 'the FSC of the masked half maps does not cross 0.143 (it stays above it up to Nyquist, or is below it from the first shells), so no 3-D FSC resolution can be estimated' },
  ],
  summary: { ok: null, problem: 'its 3-D FSC' },
  display: {
    results: [
      { label: 'Global resolution (masked FSC = 0.143)', quantity: 'length', pick: (v) => v.globalResolution },
      { label: 'Directional resolution: best, median, worst', quantity: 'length', pick: (v) => [v.directional.min, v.directional.median, v.directional.max] },
      { label: 'Resolution along x, y, z', quantity: 'length', pick: (v) => [v.axes.x, v.axes.y, v.axes.z] },
      { label: 'Sphericity (1 isotropic)', quantity: 'fraction', pick: (v) => v.sphericity },
    ],
    details: [
      { label: 'Directions', quantity: 'count', pick: (v) => v.directions },
      { label: 'Directions above 0.143 up to Nyquist, never above it', quantity: 'count', pick: (v) => [v.directionsAtNyquist, v.directionsUnresolved] },
      { label: 'Cone half-angle', quantity: 'angle', pick: (v) => v.coneAngle },
      { label: 'FSC threshold', quantity: 'correlation', pick: (v) => v.threshold },
      { label: 'Nyquist limit', quantity: 'length', pick: (v) => v.nyquist },
    ],
  },
  headlines: [
    { column: 'fsc3dWorst', label: '1.h worst directional resolution (3-D FSC)', unit: 'Å', pick: (v) => finite(v.directional.max) },
    { column: 'fsc3dSphericity', label: '1.h sphericity of the 3-D FSC', unit: '', pick: (v) => finite(v.sphericity) },
  ],
  resolutionEstimates: [{ method: '3-D FSC, global FSC 0.143 (masked half maps)', measures: 'where the FSC of the masked half maps over all directions first falls below 0.143', pick: (v) => finite(v.globalResolution) }],
  references: ['tan2017', 'wadell1935'],
});
