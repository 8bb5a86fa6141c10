/**
 * The one in-memory map type of the analyzers.
 *
 * Layout: `data[x + nx * (y + ny * z)]`, x fastest, whatever axis order the file had
 * (only `from-mrc.ts` knows about MAPC/MAPR/MAPS). Positions in Å of voxel (i, j, k) are
 * `origin + [i, j, k] * voxelSize` (per axis; anisotropic voxels allowed).
 */
import { sharedFloat32 } from '../util/shared-memory.ts';

export type Vec3 = readonly [number, number, number];

export interface Volume {
  /** [nx, ny, nz], x fastest. */
  readonly dims: Vec3;
  /** Voxel edge lengths in Å along x, y, z. */
  readonly voxelSize: Vec3;
  /** Position in Å of voxel (0, 0, 0). */
  readonly origin: Vec3;
  readonly data: Float32Array;
}

/** Number of voxels of a grid. */
export function voxelCount(dims: Vec3): number {
  return dims[0] * dims[1] * dims[2];
}

/** A zero-filled volume on the given grid (data on a SharedArrayBuffer, as all map data). */
export function createVolume(dims: Vec3, voxelSize: Vec3, origin: Vec3 = [0, 0, 0]): Volume {
  return { dims, voxelSize, origin, data: sharedFloat32(voxelCount(dims)) };
}

/** Same grid as `v`, new data (zero-filled unless given). */
export function likeVolume(v: Volume, data: Float32Array = sharedFloat32(v.data.length)): Volume {
  if (data.length !== v.data.length) {
    throw new RangeError(`likeVolume: data has ${data.length} values, grid needs ${v.data.length}`);
  }
  return { dims: v.dims, voxelSize: v.voxelSize, origin: v.origin, data };
}

/** Flat index of (x, y, z); no bounds check. */
export function idx(dims: Vec3, x: number, y: number, z: number): number {
  return x + dims[0] * (y + dims[1] * z);
}
