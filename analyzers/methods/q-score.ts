/**
 * Q-score per atom (level1A-spec.md §A.e; Pintilie et al., Nat Methods 17:328, 2020): how closely
 * the map around an atom follows a Gaussian of σ = 0.6 Å centred on it.
 *
 * For each scored atom: at radii R = 0, 0.1, …, 2 Å, points on the sphere of radius R (golden
 * spiral, 8 points, then 10, 12, … up to 50 tries as MapQ does while fewer than 8 survive), minus
 * the points nearer to another atom of the model than to this one; the map value u at each point
 * (trilinear) and the reference v = A·exp(−R²/2σ²) + B (A, B from the whole map's mean, std, min
 * and max); Q = Pearson(u, v) over all the atom's points. Points outside the box are left out.
 *
 * Speed: only atoms closer than 2·R_max can own a point of the shell (the bisector plane of a
 * farther one lies beyond the sphere), so each atom first gathers those from a uniform-grid
 * spatial hash; "p = a + R·û is nearer to b" is then one dot product, û·(b − a) > |b − a|²/2R.
 * Atoms are claimed in chunks by the pool's workers; every atom's value depends only on its own
 * inputs, so the result is bit-identical for any thread count.
 */
import { fftThreads, parallelFor } from '../fft/fft-pool.ts';
import type { AtomModel } from '../io/model.ts';
import { isShared, sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** Width of the reference Gaussian (Å): MapQ's default, which the archive's Q-scores use. */
export const Q_SIGMA = 0.6;
/** Radii 0, 0.1, …, 2.0 Å. */
export const Q_RADII = Array.from({ length: 21 }, (_, k) => k / 10);
/** Points wanted on each shell, and MapQ's retries: 8, 10, 12, … points, 50 tries at most. */
export const Q_POINTS = 8;
export const Q_POINT_STEP = 2;
export const Q_TRIES = 50;
/** Atoms at most this far apart can take points from each other (twice the largest radius). */
const NEIGHBOUR_REACH = 2 * Q_RADII[Q_RADII.length - 1];
/** Cells of the spatial hash (Å): one cell and its 26 neighbours hold every atom within reach. */
const CELL = NEIGHBOUR_REACH;
/** Fewer atoms than this: the calling thread (a worker start costs more than the work). */
const PARALLEL_MIN_ATOMS = 2000;

/** A and B of the reference Gaussian from the whole map (level1A-spec.md §A.e step 1). */
export interface ReferenceGaussian {
  readonly a: number;
  readonly b: number;
}

export function referenceGaussian(data: Float32Array): ReferenceGaussian {
  let s = 0, ss = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    s += x;
    ss += x * x;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const m = s / data.length;
  const sd = Math.sqrt(Math.max(0, ss / data.length - m * m));
  const high = Math.min(m + 10 * sd, hi);
  const low = Math.max(m - sd, lo);
  return { a: high - low, b: low };
}

/**
 * `n` unit vectors on the golden spiral: z_k = 1 − (2k + 1)/n, longitude k·π(3 − √5). Written
 * to `out` from `offset` as x, y, z triples.
 */
export function goldenSpiral(n: number, out: Float64Array = new Float64Array(3 * n), offset = 0): Float64Array {
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let k = 0; k < n; k++) {
    const z = 1 - (2 * k + 1) / n;
    const r = Math.sqrt(Math.max(0, 1 - z * z));
    const phi = k * golden;
    out[offset + 3 * k] = r * Math.cos(phi);
    out[offset + 3 * k + 1] = r * Math.sin(phi);
    out[offset + 3 * k + 2] = z;
  }
  return out;
}

/** The directions of every try, concatenated (try t has Q_POINTS + t·Q_POINT_STEP points). */
function spiralTable(): { dirs: Float64Array; start: Int32Array } {
  const start = new Int32Array(Q_TRIES + 1);
  for (let t = 0; t < Q_TRIES; t++) start[t + 1] = start[t] + Q_POINTS + t * Q_POINT_STEP;
  const dirs = new Float64Array(3 * start[Q_TRIES]);
  for (let t = 0; t < Q_TRIES; t++) goldenSpiral(start[t + 1] - start[t], dirs, 3 * start[t]);
  return { dirs, start };
}

/** Atoms sorted by cell of a uniform grid (CSR: atoms of cell c are order[cellStart[c] .. cellStart[c + 1])). */
export interface SpatialHash {
  readonly lo: Vec3;
  readonly cells: Vec3;
  readonly cellStart: Int32Array;
  readonly order: Int32Array;
}

export function spatialHash(x: Float64Array, y: Float64Array, z: Float64Array, cell: number = CELL): SpatialHash {
  const n = x.length;
  const lo: [number, number, number] = [Infinity, Infinity, Infinity];
  const hi: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  const cs = [x, y, z];
  for (let a = 0; a < 3; a++) for (let i = 0; i < n; i++) {
    lo[a] = Math.min(lo[a], cs[a][i]);
    hi[a] = Math.max(hi[a], cs[a][i]);
  }
  if (n === 0) lo.fill(0), hi.fill(0);
  const cells: [number, number, number] = [0, 1, 2].map((a) => Math.floor((hi[a] - lo[a]) / cell) + 1) as [number, number, number];
  const cellOf = new Int32Array(n);
  const cellStart = new Int32Array(cells[0] * cells[1] * cells[2] + 1);
  for (let i = 0; i < n; i++) {
    const c = Math.floor((x[i] - lo[0]) / cell) + cells[0] * (Math.floor((y[i] - lo[1]) / cell) + cells[1] * Math.floor((z[i] - lo[2]) / cell));
    cellOf[i] = c;
    cellStart[c + 1]++;
  }
  for (let c = 0; c < cellStart.length - 1; c++) cellStart[c + 1] += cellStart[c];
  const fill = cellStart.slice(0, -1);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[cellOf[i]]++] = i;
  return { lo, cells, cellStart, order };
}

/** What a worker needs (typed arrays on shared memory). */
export interface QScoreArgs {
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  hash: SpatialHash;
  data: Float32Array;
  dims: Vec3;
  origin: Vec3;
  voxelSize: Vec3;
  ref: ReferenceGaussian;
  sigma: number;
  /** Output: Q per atom (NaN when undefined: fewer than 2 points, or no variation). */
  q: Float64Array;
  /** Output: points used per atom. */
  points: Int32Array;
}

/** Trilinear map value at (x, y, z) Å; NaN outside the box. */
function mapAt(data: Float32Array, dims: Vec3, origin: Vec3, vs: Vec3, x: number, y: number, z: number): number {
  const nx = dims[0], ny = dims[1], nz = dims[2];
  const u = (x - origin[0]) / vs[0], w = (y - origin[1]) / vs[1], t = (z - origin[2]) / vs[2];
  if (!(u >= 0 && w >= 0 && t >= 0 && u <= nx - 1 && w <= ny - 1 && t <= nz - 1)) return Number.NaN;
  const i = Math.min(nx - 2, Math.floor(u)), j = Math.min(ny - 2, Math.floor(w)), k = Math.min(nz - 2, Math.floor(t));
  const fx = u - i, fy = w - j, fz = t - k;
  const o = i + nx * (j + ny * k), sy = nx, sz = nx * ny;
  const c00 = data[o] + fx * (data[o + 1] - data[o]);
  const c10 = data[o + sy] + fx * (data[o + sy + 1] - data[o + sy]);
  const c01 = data[o + sz] + fx * (data[o + sz + 1] - data[o + sz]);
  const c11 = data[o + sy + sz] + fx * (data[o + sy + sz + 1] - data[o + sy + sz]);
  const c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
  return c0 + fz * (c1 - c0);
}

/** `parallelFor` body: Q of atoms [a0, a1). */
export function qScoreRange(args: QScoreArgs, a0: number, a1: number): void {
  const { x, y, z, hash, data, dims, origin, voxelSize: vs, ref, sigma } = args;
  const { dirs, start } = spiralTable();
  const cap = start[Q_TRIES] - start[Q_TRIES - 1];
  const kept = new Int32Array(cap);
  const ref0 = Q_RADII.map((R) => ref.a * Math.exp(-(R * R) / (2 * sigma * sigma)) + ref.b);
  // Neighbours within reach: offset d = b − a and |d|².
  let nbCap = 64;
  let dx = new Float64Array(nbCap), dy = new Float64Array(nbCap), dz = new Float64Array(nbCap), d2 = new Float64Array(nbCap);
  const [cx, cy, cz] = hash.cells;
  for (let i = a0; i < a1; i++) {
    const ax = x[i], ay = y[i], az = z[i];
    let nb = 0;
    const gx = Math.floor((ax - hash.lo[0]) / CELL), gy = Math.floor((ay - hash.lo[1]) / CELL), gz = Math.floor((az - hash.lo[2]) / CELL);
    for (let kz = Math.max(0, gz - 1); kz <= Math.min(cz - 1, gz + 1); kz++) {
      for (let ky = Math.max(0, gy - 1); ky <= Math.min(cy - 1, gy + 1); ky++) {
        for (let kx = Math.max(0, gx - 1); kx <= Math.min(cx - 1, gx + 1); kx++) {
          const c = kx + cx * (ky + cy * kz);
          for (let s = hash.cellStart[c]; s < hash.cellStart[c + 1]; s++) {
            const j = hash.order[s];
            if (j === i) continue;
            const ex = x[j] - ax, ey = y[j] - ay, ez = z[j] - az;
            const e2 = ex * ex + ey * ey + ez * ez;
            if (e2 >= NEIGHBOUR_REACH * NEIGHBOUR_REACH) continue;
            if (nb === nbCap) {
              nbCap *= 2;
              const grow = (a: Float64Array) => { const b = new Float64Array(nbCap); b.set(a); return b; };
              dx = grow(dx); dy = grow(dy); dz = grow(dz); d2 = grow(d2);
            }
            dx[nb] = ex; dy[nb] = ey; dz[nb] = ez; d2[nb] = e2;
            nb++;
          }
        }
      }
    }
    let n = 0, su = 0, sv = 0, suu = 0, svv = 0, suv = 0;
    const add = (u: number, v: number): void => {
      if (Number.isNaN(u)) return;
      n++; su += u; sv += v; suu += u * u; svv += v * v; suv += u * v;
    };
    add(mapAt(data, dims, origin, vs, ax, ay, az), ref0[0]);
    for (let r = 1; r < Q_RADII.length; r++) {
      const R = Q_RADII[r];
      let count = 0;
      for (let t = 0; t < Q_TRIES; t++) {
        count = 0;
        for (let p = start[t]; p < start[t + 1]; p++) {
          const ux = dirs[3 * p], uy = dirs[3 * p + 1], uz = dirs[3 * p + 2];
          let free = true;
          for (let m = 0; m < nb; m++) {
            // |a + R·û − b| < R  ⇔  û·d > |d|²/2R
            if (2 * R * (ux * dx[m] + uy * dy[m] + uz * dz[m]) > d2[m]) {
              free = false;
              break;
            }
          }
          if (free) kept[count++] = p;
        }
        if (count >= Q_POINTS) break;
      }
      for (let c = 0; c < count; c++) {
        const p = kept[c];
        add(mapAt(data, dims, origin, vs, ax + R * dirs[3 * p], ay + R * dirs[3 * p + 1], az + R * dirs[3 * p + 2]), ref0[r]);
      }
    }
    args.points[i] = n;
    args.q[i] = pearson(n, su, sv, suu, svv, suv);
  }
}

/** Pearson correlation from sums; NaN with fewer than 2 points or no variation. */
function pearson(n: number, a: number, b: number, aa: number, bb: number, ab: number): number {
  if (n < 2) return Number.NaN;
  const va = aa - (a * a) / n, vb = bb - (b * b) / n;
  if (!(va > 0 && vb > 0)) return Number.NaN;
  return (ab - (a * b) / n) / Math.sqrt(va * vb);
}

/** Which atoms of a model are scored: not hydrogen, and of the first alternate location only. */
export function scoredAtoms(model: AtomModel): Int32Array {
  let firstAlt = '';
  for (let j = 0; j < model.count && firstAlt === ''; j++) firstAlt = model.altLoc[j];
  const keep: number[] = [];
  for (let j = 0; j < model.count; j++) {
    const el = model.element[j];
    if (el === 'H' || el === 'D') continue;
    if (model.altLoc[j] !== '' && model.altLoc[j] !== firstAlt) continue;
    keep.push(j);
  }
  return Int32Array.from(keep);
}

/** Q per atom of the model (NaN for atoms not scored: hydrogens, other alternate locations, no points). */
export interface QScores {
  readonly q: Float64Array;
  /** Points used per atom (0 for atoms not scored). */
  readonly points: Int32Array;
  /** Indices of the scored atoms in the model. */
  readonly scored: Int32Array;
  readonly reference: ReferenceGaussian;
  readonly sigma: number;
}

/** The map on shared memory (workers read it in place), copied only when it is not. */
function sharedData(a: Float32Array): Float32Array {
  if (isShared(a)) return a;
  const s = sharedFloat32(a.length);
  s.set(a);
  return s;
}

const sharedF64 = (n: number) => new Float64Array(new SharedArrayBuffer(8 * Math.max(1, n))).subarray(0, n);

/** Q-score of every scored atom of `model` in `map` (sigma in Å; threads: the pool's by default). */
export async function qScores(map: Volume, model: AtomModel, opts: { sigma?: number; threads?: number } = {}): Promise<QScores> {
  const sigma = opts.sigma ?? Q_SIGMA;
  const scored = scoredAtoms(model);
  const n = scored.length;
  const x = sharedF64(n), y = sharedF64(n), z = sharedF64(n);
  for (let k = 0; k < n; k++) {
    x[k] = model.x[scored[k]];
    y[k] = model.y[scored[k]];
    z[k] = model.z[scored[k]];
  }
  const reference = referenceGaussian(map.data);
  const q = sharedF64(n);
  const points = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n))).subarray(0, n);
  const h = spatialHash(x, y, z);
  const share = (a: Int32Array) => {
    const s = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, a.length))).subarray(0, a.length);
    s.set(a);
    return s;
  };
  const hash: SpatialHash = { lo: h.lo, cells: h.cells, cellStart: share(h.cellStart), order: share(h.order) };
  const args: QScoreArgs = { x, y, z, hash, data: sharedData(map.data), dims: map.dims, origin: map.origin, voxelSize: map.voxelSize, ref: reference, sigma, q, points };
  const threads = opts.threads ?? (n >= PARALLEL_MIN_ATOMS ? fftThreads() : 1);
  await parallelFor(import.meta.url, 'qScoreRange', qScoreRange, args, n, threads);
  const qAll = new Float64Array(model.count).fill(Number.NaN);
  const pAll = new Int32Array(model.count);
  for (let k = 0; k < n; k++) {
    qAll[scored[k]] = q[k];
    pAll[scored[k]] = points[k];
  }
  return { q: qAll, points: pAll, scored, reference, sigma };
}
