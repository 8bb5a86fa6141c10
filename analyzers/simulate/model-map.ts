/**
 * The model map of Level A (level1A-spec.md §A.0.3) and the door check on the model it comes from.
 *
 * The model map is always computed on the MAP's grid (never on a grid fitted round the model: a
 * 2-atom model spanning 1500 Å would otherwise ask for gigabytes), with the five-Gaussian electron
 * scattering factors (Peng 1996) blurred to the map's resolution (simulate/, σ = 0.225·d). Atoms
 * farther than a margin outside the box cannot put density into it and are dropped before the
 * simulation, with their count reported.
 */
import type { AtomModel } from '../io/model.ts';
import { simulateMap, type Grid } from './simulate.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** Atoms this far outside the box (Å) still reach it (4σ of a 5 Å blur plus the widest Peng term). */
export const OUTSIDE_MARGIN_A = 6;
/**
 * Densest packing accepted, Å³ per atom: protein packs one non-hydrogen atom per ≈ 17 Å³, so a model
 * with one atom per 2 Å³ of the whole box cannot be the content of this map.
 */
export const MIN_VOLUME_PER_ATOM_A3 = 2;
/** A model whose extent exceeds this many box diagonals (plus 100 Å) is not a model of this map. */
export const MAX_EXTENT_DIAGONALS = 4;
/** Below this fraction of atoms inside the box (+ margin) the model does not describe the map. */
export const MIN_INSIDE_FRACTION = 0.5;

/** Outcome of the door check. */
export type ModelUsability =
  | { readonly usable: true; readonly inside: number; readonly outside: number }
  | { readonly usable: false; readonly reason: string };

/** Position of voxel index i along each axis: origin + i·voxel (Å). */
function boxBounds(grid: Grid, margin: number): { lo: Vec3; hi: Vec3 } {
  const lo = grid.origin.map((o) => o - margin) as unknown as Vec3;
  const hi = grid.origin.map((o, a) => o + (grid.dims[a] - 1) * grid.voxelSize[a] + margin) as unknown as Vec3;
  return { lo, hi };
}

/** Whether atom j lies inside the box widened by `margin` Å. */
function insideBox(model: AtomModel, j: number, lo: Vec3, hi: Vec3): boolean {
  const x = model.x[j], y = model.y[j], z = model.z[j];
  return x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1] && z >= lo[2] && z <= hi[2];
}

/**
 * Checks a model before anything is allocated for it: atoms present, coordinates finite, not more
 * atoms than the box can hold, an extent comparable with the box, and most atoms inside the box.
 */
export function checkModel(model: AtomModel, grid: Grid): ModelUsability {
  if (model.count === 0) return { usable: false, reason: 'the model has no atoms' };
  const boxVolume = grid.dims[0] * grid.dims[1] * grid.dims[2] * grid.voxelSize[0] * grid.voxelSize[1] * grid.voxelSize[2];
  if (model.count > boxVolume / MIN_VOLUME_PER_ATOM_A3) {
    return { usable: false, reason: `the model has ${model.count} atoms, more than the map's box (${Math.round(boxVolume)} Å³) can hold at one atom per ${MIN_VOLUME_PER_ATOM_A3} Å³` };
  }
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const coords = [model.x, model.y, model.z];
  for (let a = 0; a < 3; a++) {
    const c = coords[a];
    for (let j = 0; j < model.count; j++) {
      if (!Number.isFinite(c[j])) return { usable: false, reason: `atom ${j + 1} has a non-finite coordinate` };
      if (c[j] < lo[a]) lo[a] = c[j];
      if (c[j] > hi[a]) hi[a] = c[j];
    }
  }
  const diagonal = Math.hypot(...grid.dims.map((n, a) => n * grid.voxelSize[a]));
  const extent = Math.max(...hi.map((h, a) => h - lo[a]));
  if (extent > MAX_EXTENT_DIAGONALS * diagonal + 100) {
    return { usable: false, reason: `the model spans ${extent.toPrecision(3)} Å, far more than the map's box (diagonal ${diagonal.toPrecision(3)} Å)` };
  }
  const inside = countInside(model, grid);
  if (inside < MIN_INSIDE_FRACTION * model.count) {
    return { usable: false, reason: `${model.count - inside} of the model's ${model.count} atoms lie outside the map's box (beyond a ${OUTSIDE_MARGIN_A} Å margin)` };
  }
  return { usable: true, inside, outside: model.count - inside };
}

/** Atoms inside the box widened by the margin. */
export function countInside(model: AtomModel, grid: Grid): number {
  const { lo, hi } = boxBounds(grid, OUTSIDE_MARGIN_A);
  let n = 0;
  for (let j = 0; j < model.count; j++) if (insideBox(model, j, lo, hi)) n++;
  return n;
}

/** The atoms of `model` at the given indices (a structure of arrays again). */
export function selectAtoms(model: AtomModel, keep: ArrayLike<number>): AtomModel {
  const pick = <T>(a: ArrayLike<T>): T[] => Array.from({ length: keep.length }, (_, k) => a[keep[k]]);
  const f32 = (a: Float32Array) => Float32Array.from({ length: keep.length }, (_, k) => a[keep[k]]);
  return {
    count: keep.length,
    x: f32(model.x), y: f32(model.y), z: f32(model.z),
    bFactor: f32(model.bFactor), occupancy: f32(model.occupancy),
    element: pick(model.element), atomName: pick(model.atomName), altLoc: pick(model.altLoc),
    resName: pick(model.resName), chainId: pick(model.chainId),
    resSeq: Int32Array.from({ length: keep.length }, (_, k) => model.resSeq[keep[k]]),
    insCode: pick(model.insCode),
    isHetero: Uint8Array.from({ length: keep.length }, (_, k) => model.isHetero[keep[k]]),
  };
}

/** The atoms inside the box (+ margin): the only ones that can put density into it. */
export function atomsInBox(model: AtomModel, grid: Grid): AtomModel {
  const { lo, hi } = boxBounds(grid, OUTSIDE_MARGIN_A);
  const keep: number[] = [];
  for (let j = 0; j < model.count; j++) if (insideBox(model, j, lo, hi)) keep.push(j);
  return keep.length === model.count ? model : selectAtoms(model, keep);
}

/** The model moved by `shift` (Å). */
export function translateModel(model: AtomModel, shift: Vec3): AtomModel {
  return {
    ...model,
    x: model.x.map((v) => v + shift[0]),
    y: model.y.map((v) => v + shift[1]),
    z: model.z.map((v) => v + shift[2]),
  };
}

/** Mean of the atom positions (Å). */
export function geometricCentre(model: AtomModel): Vec3 {
  let x = 0, y = 0, z = 0;
  for (let j = 0; j < model.count; j++) {
    x += model.x[j];
    y += model.y[j];
    z += model.z[j];
  }
  return [x / model.count, y / model.count, z / model.count];
}

/**
 * The model map on the map's grid at resolution `resolution` (Å): Peng five-Gaussian atoms,
 * occupancy-weighted, no atom B (deposited B-factors are too often refinement artefacts to blur by).
 * Only atoms inside the box (+ margin) are drawn; the caller has the count from `checkModel`.
 */
export function modelMapOnGrid(model: AtomModel, grid: Grid, resolution: number): Promise<Volume> {
  return simulateMap(atomsInBox(model, grid), { dims: grid.dims, voxelSize: grid.voxelSize, origin: grid.origin }, { resolution, weights: 'peng', warn: () => undefined });
}
