/**
 * Trilinear interpolation of a `Volume` at positions in Å, and resampling onto another grid.
 *
 * Positions: voxel (i, j, k) sits at origin + [i, j, k]·voxelSize (Å). A position is inside when
 * 0 ≤ u ≤ n − 1 on every axis, u = (p − origin)/voxelSize (the last voxel centre is included);
 * outside gives NaN. No periodic wrap, no extrapolation.
 */
import type { Vec3, Volume } from './volume.ts';

/**
 * Trilinear value of `v` at (xA, yA, zA) Å: Σ over the 8 surrounding voxels of
 * (1−fx or fx)(1−fy or fy)(1−fz or fz)·value. NaN outside the grid (see file comment); exact
 * at voxel centres. An axis of length 1 is inside only at u = 0 exactly.
 */
export function sampleTrilinear(v: Volume, xA: number, yA: number, zA: number): number {
  const [nx, ny, nz] = v.dims;
  const ux = (xA - v.origin[0]) / v.voxelSize[0];
  const uy = (yA - v.origin[1]) / v.voxelSize[1];
  const uz = (zA - v.origin[2]) / v.voxelSize[2];
  if (!(ux >= 0 && ux <= nx - 1 && uy >= 0 && uy <= ny - 1 && uz >= 0 && uz <= nz - 1)) return NaN;
  const x0 = Math.min(Math.floor(ux), Math.max(0, nx - 2));
  const y0 = Math.min(Math.floor(uy), Math.max(0, ny - 2));
  const z0 = Math.min(Math.floor(uz), Math.max(0, nz - 2));
  const fx = ux - x0, fy = uy - y0, fz = uz - z0;
  const dx = nx > 1 ? 1 : 0, dy = ny > 1 ? nx : 0, dz = nz > 1 ? nx * ny : 0;
  const d = v.data;
  const i = x0 + nx * (y0 + ny * z0);
  const c00 = d[i] + fx * (d[i + dx] - d[i]);
  const c10 = d[i + dy] + fx * (d[i + dy + dx] - d[i + dy]);
  const c01 = d[i + dz] + fx * (d[i + dz + dx] - d[i + dz]);
  const c11 = d[i + dz + dy] + fx * (d[i + dz + dy + dx] - d[i + dz + dy]);
  const c0 = c00 + fy * (c10 - c00);
  const c1 = c01 + fy * (c11 - c01);
  return c0 + fz * (c1 - c0);
}

/**
 * `sampleTrilinear` for maps that mark "no value" with NaN: when some of the eight corners are
 * NaN, the weighted mean of the finite ones (their trilinear weights renormalised); NaN when none
 * is finite or the point lies outside the grid. Equal to `sampleTrilinear` when all are finite.
 */
export function sampleTrilinearFinite(v: Volume, xA: number, yA: number, zA: number): number {
  const p = sampleTrilinear(v, xA, yA, zA);
  if (!Number.isNaN(p)) return p;
  const [nx, ny, nz] = v.dims;
  const ux = (xA - v.origin[0]) / v.voxelSize[0];
  const uy = (yA - v.origin[1]) / v.voxelSize[1];
  const uz = (zA - v.origin[2]) / v.voxelSize[2];
  if (!(ux >= 0 && ux <= nx - 1 && uy >= 0 && uy <= ny - 1 && uz >= 0 && uz <= nz - 1)) return NaN;
  const x0 = Math.min(Math.floor(ux), Math.max(0, nx - 2));
  const y0 = Math.min(Math.floor(uy), Math.max(0, ny - 2));
  const z0 = Math.min(Math.floor(uz), Math.max(0, nz - 2));
  const f = [ux - x0, uy - y0, uz - z0];
  const step = [nx > 1 ? 1 : 0, ny > 1 ? nx : 0, nz > 1 ? nx * ny : 0];
  const i = x0 + nx * (y0 + ny * z0);
  let sum = 0, weight = 0;
  for (let c = 0; c < 8; c++) {
    let w = 1, j = i;
    for (let a = 0; a < 3; a++) {
      const up = (c >> a) & 1;
      w *= up ? f[a] : 1 - f[a];
      j += up * step[a];
    }
    const x = v.data[j];
    if (w > 0 && x === x) { sum += w * x; weight += w; }
  }
  return weight > 0 ? sum / weight : NaN;
}

/** Per target index along one axis: source lower index (−1 = outside) and fraction. */
function axisWeights(n: number, origin: number, step: number, srcN: number, srcOrigin: number, srcStep: number): { i0: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(n);
  const f = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const u = (origin + t * step - srcOrigin) / srcStep;
    if (!(u >= 0 && u <= srcN - 1)) {
      i0[t] = -1;
      continue;
    }
    const lo = Math.min(Math.floor(u), Math.max(0, srcN - 2));
    i0[t] = lo;
    f[t] = u - lo;
  }
  return { i0, f };
}

/**
 * `src` resampled onto `grid` by trilinear interpolation (same rule and NaN-outside convention as
 * `sampleTrilinear`, computed separably: the per-axis indices and fractions are precomputed).
 * No low-pass filter is applied, so downsampling aliases; meant for simulation checks (a Fourier
 * windowing resize replaces it for real maps).
 */
export function resampleOnto(src: Volume, grid: { dims: Vec3; voxelSize: Vec3; origin: Vec3 }): Volume {
  const [nx, ny, nz] = grid.dims;
  const [sx, sy, sz] = src.dims;
  const ax = axisWeights(nx, grid.origin[0], grid.voxelSize[0], sx, src.origin[0], src.voxelSize[0]);
  const ay = axisWeights(ny, grid.origin[1], grid.voxelSize[1], sy, src.origin[1], src.voxelSize[1]);
  const az = axisWeights(nz, grid.origin[2], grid.voxelSize[2], sz, src.origin[2], src.voxelSize[2]);
  const out = new Float32Array(nx * ny * nz);
  const d = src.data;
  const dx = sx > 1 ? 1 : 0, dy = sy > 1 ? sx : 0, dz = sz > 1 ? sx * sy : 0;
  let o = 0;
  for (let z = 0; z < nz; z++) {
    const z0 = az.i0[z], fz = az.f[z];
    for (let y = 0; y < ny; y++) {
      const y0 = ay.i0[y], fy = ay.f[y];
      if (z0 < 0 || y0 < 0) {
        out.fill(NaN, o, o + nx);
        o += nx;
        continue;
      }
      const rowBase = sx * (y0 + sy * z0);
      for (let x = 0; x < nx; x++, o++) {
        const x0 = ax.i0[x];
        if (x0 < 0) {
          out[o] = NaN;
          continue;
        }
        const fx = ax.f[x];
        const i = rowBase + x0;
        const c00 = d[i] + fx * (d[i + dx] - d[i]);
        const c10 = d[i + dy] + fx * (d[i + dy + dx] - d[i + dy]);
        const c01 = d[i + dz] + fx * (d[i + dz + dx] - d[i + dz]);
        const c11 = d[i + dz + dy] + fx * (d[i + dz + dy + dx] - d[i + dz + dy]);
        const c0 = c00 + fy * (c10 - c00);
        const c1 = c01 + fy * (c11 - c01);
        out[o] = c0 + fz * (c1 - c0);
      }
    }
  }
  return { dims: [nx, ny, nz], voxelSize: [...grid.voxelSize], origin: [...grid.origin], data: out };
}
