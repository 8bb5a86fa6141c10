/**
 * Model ↔ map frame: where an atom at (x, y, z) Å falls in a volume. Voxel (i, j, k) sits at
 * origin + (i, j, k)·voxelSize, so the fractional index is (position − origin)/voxelSize.
 */
import type { AtomModel } from '../io/model.ts';
import { volumeStats } from './stats.ts';
import type { Volume } from './volume.ts';

/** Nearest voxel of a position in Å, or −1 when it falls outside the box. */
export function voxelAt(v: Volume, x: number, y: number, z: number): number {
  const i = Math.round((x - v.origin[0]) / v.voxelSize[0]);
  const j = Math.round((y - v.origin[1]) / v.voxelSize[1]);
  const k = Math.round((z - v.origin[2]) / v.voxelSize[2]);
  const [nx, ny, nz] = v.dims;
  if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return -1;
  return i + nx * (j + ny * k);
}

export interface ModelPlacement {
  /** Atoms (hydrogens excluded) whose nearest voxel is inside the box. */
  readonly inside: number;
  readonly atoms: number;
  readonly fractionInside: number;
  /** Mean map value at the atoms inside. */
  readonly meanAtAtoms: number;
  /** (meanAtAtoms − map mean) / map std: how far above the average the atoms sit. */
  readonly zScore: number;
}

/** How well a model sits in a map's frame (heavy atoms only: hydrogens carry little density). */
export function modelPlacement(v: Volume, model: AtomModel): ModelPlacement {
  let inside = 0;
  let atoms = 0;
  let sum = 0;
  for (let a = 0; a < model.count; a++) {
    if (model.element[a] === 'H' || model.element[a] === 'D') continue;
    atoms++;
    const i = voxelAt(v, model.x[a], model.y[a], model.z[a]);
    if (i < 0) continue;
    inside++;
    sum += v.data[i];
  }
  const s = volumeStats(v.data);
  const meanAtAtoms = inside > 0 ? sum / inside : NaN;
  return { inside, atoms, fractionInside: atoms > 0 ? inside / atoms : 0, meanAtAtoms, zScore: (meanAtAtoms - s.mean) / s.std };
}
