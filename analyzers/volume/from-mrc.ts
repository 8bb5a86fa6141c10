/**
 * MRC file → Volume: the one place that applies MAPC/MAPR/MAPS, the voxel size and the origin.
 * After this, x is fastest everywhere.
 *
 * Frame: voxel (i, j, k) of the volume sits at `ORIGIN + (nstart + [i, j, k]) · voxelSize` Å,
 * with nstart permuted to x, y, z like the axes. Archive maps set nstart (ORIGIN = 0); Chimera
 * crops set ORIGIN (nstart = 0); the sum serves both (checked on EMD-5168 and EMD-20026 models).
 */
import type { MrcFile } from '../io/mrc.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from './volume.ts';

export interface MapFrame {
  /** Which file dimension (0 = columns, 1 = rows, 2 = sections) runs along x, y, z. */
  readonly fileAxisOf: Vec3;
  /** nxstart/nystart/nzstart moved to x, y, z. */
  readonly nstart: Vec3;
  /** The ORIGIN field (words 50–52), Å. */
  readonly originField: Vec3;
}

/** Voxel size along x, y, z in Å: cell length / sampling (0 when unknown, as mrcfile). */
export function voxelSizeOf(file: MrcFile): Vec3 {
  const { cella, mx, my, mz } = file.header;
  const size = (len: number, m: number) => (m > 0 && Number.isFinite(len) && len > 0 ? len / m : 0);
  return [size(cella[0], mx), size(cella[1], my), size(cella[2], mz)];
}

/**
 * Builds the x-fastest volume of a file. The data array is reused when the file is already in
 * x, y, z order, else copied once into the new order.
 */
export function toVolume(file: MrcFile): { volume: Volume; frame: MapFrame } {
  const h = file.header;
  // Axis numbers 1..3 of columns, rows, sections; a non-permutation (only in permissive mode) reads as 1,2,3.
  const axes = [h.mapc, h.mapr, h.maps].sort().join() === '1,2,3' ? [h.mapc - 1, h.mapr - 1, h.maps - 1] : [0, 1, 2];
  const fileAxisOf = [0, 0, 0];
  axes.forEach((axis, fileDim) => (fileAxisOf[axis] = fileDim));
  const dims = [0, 1, 2].map((a) => file.fileDims[fileAxisOf[a]]) as unknown as Vec3;
  const startsFile = [h.nxstart, h.nystart, h.nzstart];
  const nstart = [0, 1, 2].map((a) => startsFile[fileAxisOf[a]]) as unknown as Vec3;
  const voxelSize = voxelSizeOf(file);
  const originField = [h.origin[0], h.origin[1], h.origin[2]] as const;
  const origin = [0, 1, 2].map((a) => originField[a] + nstart[a] * voxelSize[a]) as unknown as Vec3;
  const data = axes[0] === 0 && axes[1] === 1 ? file.data : permute(file.data, file.fileDims, axes, dims);
  return {
    volume: { dims, voxelSize, origin, data },
    frame: { fileAxisOf: fileAxisOf as unknown as Vec3, nstart, originField },
  };
}

/** Copies file-order values (columns fastest) into x-fastest order; `axes[d]` is the axis of file dim d. */
function permute(src: Float32Array, fileDims: readonly number[], axes: number[], dims: Vec3): Float32Array {
  const stride = [1, dims[0], dims[0] * dims[1]];
  const sc = stride[axes[0]];
  const sr = stride[axes[1]];
  const ss = stride[axes[2]];
  const [nc, nr, ns] = fileDims;
  const out = sharedFloat32(src.length);
  let i = 0;
  for (let s = 0; s < ns; s++) {
    for (let r = 0; r < nr; r++) {
      let o = s * ss + r * sr;
      for (let c = 0; c < nc; c++, o += sc) out[o] = src[i++];
    }
  }
  return out;
}
