/**
 * The whole-volume passes of the input figures: the slices of maximum variance and the sums of the
 * projections. They read every voxel of 360³ maps and masks while the report's first items are
 * measured on the main thread, so `volumeSections` runs them on the worker pool: a volume's
 * x-slice sums on one worker and its y- and z-slice sums on the other, each sum over the same
 * voxels in the same order as in one pass on the calling thread (the same bits). This module is
 * what the workers import: no image or PNG code here.
 */
import { parallelFor } from '../fft/fft-pool.ts';
import { isShared } from '../util/shared-memory.ts';
import type { Vec3 } from '../volume/volume.ts';

/**
 * Anything on a volume grid: a `Volume` (Float32Array) or a 0/1 mask (`Uint8Array`) with its dims.
 * Layout `data[x + nx * (y + ny * z)]`, x fastest.
 */
export interface VolumeLike {
  readonly dims: Vec3;
  readonly data: ArrayLike<number>;
}

export function checkGrid(g: VolumeLike): void {
  const [nx, ny, nz] = g.dims;
  if (g.data.length !== nx * ny * nz) {
    throw new RangeError(`grid data has ${g.data.length} values, dims ${nx}×${ny}×${nz} need ${nx * ny * nz}`);
  }
}

/**
 * Per axis, the slice index whose 2-D section has the largest population variance
 * `Σ(v−m)²/N` over all its pixels (first maximum on ties), as `[ix, iy, iz]`.
 *
 * One pass in memory order with float64 accumulators Σd, Σd² for every x-, y- and z-slice at once,
 * where d = v − data[0] (a shift that keeps E[d²] − E[d]² accurate for maps with a large offset);
 * variance = Σd²/N − (Σd/N)². A slice containing NaN gets a NaN variance and is never chosen;
 * if every slice is NaN the index is 0. Cost: 3 adds + 2 array updates per voxel.
 */
export function maxVarianceIndices(g: VolumeLike): Vec3 {
  return maxVarianceOf(g.dims, sliceVarianceSums(g));
}

/** The sums of `maxVarianceIndices`, in one pass on the calling thread. */
export function sliceVarianceSums(g: VolumeLike): VarianceSums {
  checkGrid(g);
  const [nx, ny, nz] = g.dims;
  const sums = varianceSums(nx, ny, nz);
  if (g.data instanceof Uint8Array) byteVarianceSums(g.dims, g.data, sums, true, true);
  else floatVarianceSums(g.dims, g.data, sums);
  return sums;
}

/** Σd and Σd² per x-, y- and z-slice (d = v − data[0]). */
export interface VarianceSums {
  readonly sx: Float64Array;
  readonly sxx: Float64Array;
  readonly sy: Float64Array;
  readonly syy: Float64Array;
  readonly sz: Float64Array;
  readonly szz: Float64Array;
}

function varianceSums(nx: number, ny: number, nz: number, make: (n: number) => Float64Array<ArrayBufferLike> = (n) => new Float64Array(n)): VarianceSums {
  return { sx: make(nx), sxx: make(nx), sy: make(ny), syy: make(ny), sz: make(nz), szz: make(nz) };
}

function maxVarianceOf(dims: Vec3, s: VarianceSums): Vec3 {
  const [nx, ny, nz] = dims;
  return [argmaxVariance(s.sx, s.sxx, ny * nz), argmaxVariance(s.sy, s.syy, nx * nz), argmaxVariance(s.sz, s.szz, nx * ny)];
}

function shift(d: ArrayLike<number>): number {
  return d.length > 0 && Number.isFinite(d[0]) ? d[0] : 0;
}

/** The sums of a float volume in one pass (the calling thread's way). */
function floatVarianceSums(dims: Vec3, d: ArrayLike<number>, s: VarianceSums): void {
  const [nx, ny, nz] = dims;
  const { sx, sxx, sy, syy, sz, szz } = s;
  const ref = shift(d);
  for (let z = 0, i = 0; z < nz; z++) {
    let zs = 0;
    let zss = 0;
    for (let y = 0; y < ny; y++) {
      let ys = 0;
      let yss = 0;
      for (let x = 0; x < nx; x++, i++) {
        const v = d[i] - ref;
        const v2 = v * v;
        sx[x] += v;
        sxx[x] += v2;
        ys += v;
        yss += v2;
      }
      sy[y] += ys;
      syy[y] += yss;
      zs += ys;
      zss += yss;
    }
    sz[z] = zs;
    szz[z] = zss;
  }
}

/** The x-slice sums of a float volume alone: each Σ over the same voxels in the same order as `floatVarianceSums`. */
function floatColumnSums(dims: Vec3, d: ArrayLike<number>, s: VarianceSums): void {
  const [nx, ny, nz] = dims;
  const { sx, sxx } = s;
  const ref = shift(d);
  for (let i = 0, n = nx * ny * nz; i < n; ) {
    for (let x = 0; x < nx; x++, i++) {
      const v = d[i] - ref;
      sx[x] += v;
      sxx[x] += v * v;
    }
  }
}

/** The y- and z-slice sums of a float volume alone: row sums added as by `floatVarianceSums`. */
function floatRowSums(dims: Vec3, d: ArrayLike<number>, s: VarianceSums): void {
  const [nx, ny, nz] = dims;
  const { sy, syy, sz, szz } = s;
  const ref = shift(d);
  for (let z = 0, i = 0; z < nz; z++) {
    let zs = 0;
    let zss = 0;
    for (let y = 0; y < ny; y++) {
      let ys = 0;
      let yss = 0;
      for (let x = 0; x < nx; x++, i++) {
        const v = d[i] - ref;
        ys += v;
        yss += v * v;
      }
      sy[y] += ys;
      syy[y] += yss;
      zs += ys;
      zss += yss;
    }
    sz[z] = zs;
    szz[z] = zss;
  }
}

/**
 * The sums of a byte volume (a mask), x-slice sums when `columns`, y and z when `rows`: integers
 * below 2^53 here, so exact in any order; voxels equal to data[0] add 0 and are skipped (most of a mask).
 */
function byteVarianceSums(dims: Vec3, d: Uint8Array, s: VarianceSums, columns: boolean, rows: boolean): void {
  const [nx, ny, nz] = dims;
  const { sx, sxx, sy, syy, sz, szz } = s;
  const ref = d.length > 0 ? d[0] : 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      let ys = 0;
      let yss = 0;
      for (let x = 0; x < nx; x++, i++) {
        if (d[i] === ref) continue;
        const v = d[i] - ref;
        if (columns) {
          sx[x] += v;
          sxx[x] += v * v;
        }
        ys += v;
        yss += v * v;
      }
      if (rows) {
        sy[y] += ys;
        syy[y] += yss;
        sz[z] += ys;
        szz[z] += yss;
      }
    }
  }
}

function argmaxVariance(s: Float64Array, ss: Float64Array, n: number): number {
  let best = 0;
  let bestVar = -Infinity;
  for (let i = 0; i < s.length; i++) {
    const m = s[i] / n;
    const variance = ss[i] / n - m * m;
    if (variance > bestVar) {
      bestVar = variance;
      best = i;
    }
  }
  return best;
}

/** Projection sums in natural plane order: x[y + ny·z] = Σ over x, y[x + nx·z] = Σ over y, z[x + nx·y] = Σ over z. */
export interface ProjectionSums {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
}

/**
 * Adds the three projections of `g` to `sums` (zero-filled) in one pass: Σ over x per row, and
 * over y and z in memory order, the order of one projection at a time.
 */
export function projectionSums(g: VolumeLike, sums: ProjectionSums): void {
  checkGrid(g);
  const [nx, ny, nz] = g.dims;
  const d = g.data;
  const { x: accX, y: accY, z: accZ } = sums;
  for (let z = 0, i = 0, j = 0; z < nz; z++) {
    const rowY = nx * z;
    for (let y = 0; y < ny; y++, j++) {
      const rowZ = nx * y;
      let s = 0;
      for (let x = 0; x < nx; x++, i++) {
        const v = d[i];
        s += v;
        accY[rowY + x] += v;
        accZ[rowZ + x] += v;
      }
      accX[j] = s;
    }
  }
}

/**
 * What `sectionTasks` computes: task 2k the x-slice sums of `volumes[k]`, task 2k + 1 its y- and
 * z-slice sums (two workers read the volume at once, each sum in the one-pass order); task
 * 2·volumes.length the projection sums of `projected`.
 */
export interface SectionArgs {
  readonly dims: Vec3;
  readonly volumes: readonly (Float32Array | Uint8Array)[];
  readonly sums: readonly VarianceSums[];
  readonly projected: Float32Array | null;
  readonly projection: ProjectionSums | null;
}

/** Tasks [a, b) of `volumeSections`; a `parallelFor` body (each task writes its own outputs). */
export function sectionTasks(args: SectionArgs, a: number, b: number): void {
  const { dims, volumes, sums } = args;
  for (let t = a; t < b; t++) {
    const k = t >> 1;
    if (k < volumes.length) {
      const d = volumes[k];
      const columns = (t & 1) === 0;
      if (d instanceof Uint8Array) byteVarianceSums(dims, d, sums[k], columns, !columns);
      else if (columns) floatColumnSums(dims, d, sums[k]);
      else floatRowSums(dims, d, sums[k]);
    } else if (args.projected && args.projection) {
      projectionSums({ dims, data: args.projected }, args.projection);
    }
  }
}

/**
 * The max-variance indices of each of `volumes` and, when `projected` is given, its projection
 * sums, on the worker pool (two tasks per volume). Arrays that are not shared memory are copied
 * into shared memory first (a mask: one byte per voxel).
 */
export async function volumeSections(dims: Vec3, volumes: readonly (Float32Array | Uint8Array)[], projected: Float32Array | null = null): Promise<{ indices: Vec3[]; sums: ProjectionSums | null }> {
  const [nx, ny, nz] = dims;
  for (const v of [...volumes, ...(projected ? [projected] : [])]) checkGrid({ dims, data: v });
  const shared64 = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));
  const args: SectionArgs = {
    dims,
    volumes: volumes.map(toShared),
    sums: volumes.map(() => varianceSums(nx, ny, nz, shared64)),
    projected: projected ? toShared(projected) : null,
    projection: projected ? { x: shared64(ny * nz), y: shared64(nx * nz), z: shared64(nx * ny) } : null,
  };
  await parallelFor(import.meta.url, 'sectionTasks', sectionTasks, args, 2 * volumes.length + (projected ? 1 : 0));
  return { indices: args.sums.map((s) => maxVarianceOf(dims, s)), sums: args.projection };
}

function toShared<T extends Float32Array | Uint8Array>(a: T): T {
  if (isShared(a)) return a;
  const copy = (a instanceof Uint8Array ? new Uint8Array(new SharedArrayBuffer(a.length)) : new Float32Array(new SharedArrayBuffer(4 * a.length))) as T;
  copy.set(a);
  return copy;
}
