/**
 * Binary dilation with the 18-neighbourhood (6 faces + 12 edges, no corners), as Xmipp's
 * create-mask post-processing does it: each iteration turns every *interior* 0-voxel with a
 * 1-neighbour into 1 (synchronous update). The outermost one-voxel shell of the box is never
 * written and keeps its value (it still counts as a neighbour). Equivalent to
 * scipy.ndimage.binary_dilation(m, structure=18-cross, iterations=s, mask=interior).
 *
 * Frontier-based: iteration k only visits the voxels that became 1 in iteration k−1, so the cost
 * is proportional to the mask surface times the iterations, not to the box.
 */
import type { Vec3 } from './volume.ts';

const OFFSETS_18: Array<[number, number, number]> = [];
for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
  const nonzero = (dx !== 0 ? 1 : 0) + (dy !== 0 ? 1 : 0) + (dz !== 0 ? 1 : 0);
  if (nonzero === 1 || nonzero === 2) OFFSETS_18.push([dx, dy, dz]);
}

/** Dilates `mask` in place `iterations` times; returns it. Values are 0/1. */
export function dilate18(mask: Uint8Array, dims: Vec3, iterations: number): Uint8Array {
  const [nx, ny, nz] = dims;
  if (iterations <= 0 || nx < 3 || ny < 3 || nz < 3) return mask;
  const nxy = nx * ny;
  const offsets = OFFSETS_18.map(([dx, dy, dz]) => dx + nx * (dy + ny * dz));
  // Initial frontier: every 1-voxel (shell voxels included: they are sources, never targets).
  let frontier = new Int32Array(1024);
  let size = 0;
  const push = (i: number) => {
    if (size === frontier.length) {
      const grown = new Int32Array(frontier.length * 2);
      grown.set(frontier);
      frontier = grown;
    }
    frontier[size++] = i;
  };
  for (let i = 0, n = mask.length; i < n; i++) if (mask[i] !== 0) push(i);
  for (let it = 0; it < iterations && size > 0; it++) {
    const current = frontier.slice(0, size);
    size = 0;
    for (let f = 0; f < current.length; f++) {
      const i = current[f];
      const z = (i / nxy) | 0;
      const r = i - z * nxy;
      const y = (r / nx) | 0;
      const x = r - y * nx;
      for (let k = 0; k < 18; k++) {
        const o = OFFSETS_18[k];
        const xx = x + o[0];
        const yy = y + o[1];
        const zz = z + o[2];
        // Targets must be interior: 1 ≤ coordinate ≤ n − 2.
        if (xx < 1 || xx > nx - 2 || yy < 1 || yy > ny - 2 || zz < 1 || zz > nz - 2) continue;
        const j = i + offsets[k];
        if (mask[j] === 0) {
          // Sources of this iteration are `current` only, so setting 1 now keeps the update synchronous.
          mask[j] = 1;
          push(j);
        }
      }
    }
  }
  return mask;
}
