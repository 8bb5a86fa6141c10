/**
 * Directional (conical) Fourier shell correlation of two half maps: the engine of 1.g (Fourier
 * shell occupancy, Vilas & Tagare 2023) and 1.h (3-D FSC, Tan et al. 2017); level1A-spec.md §1.g
 * and §1.h.
 *
 * For a unit direction u and shell k (the shells of fsc.ts, k = round(|w|·N)),
 *   FSC_u(k) = Σ g·Re(F1·F2*) / √(Σ g·|F1|² · Σ g·|F2|²)
 * over the coefficients of shell k, g a weight of c = |u·v|, v the coefficient's unit direction:
 *   'hard' cone (1.h):  g = 1 where c ≥ cos α, else 0;
 *   'fso' cone (1.g):   g = exp(−4·(1 − c)²/(1 − cos α)²) where c ≥ cos α, else 0.
 * c = |u·v| makes the cone double (around u and −u), as a cone on the full grid must be: F(−v)
 * = F(v)* carries the same three products, so the half-complex grid with the Hermitian weight of
 * fsc.ts (2 off the kx = 0 and Nyquist planes) gives exactly the full-grid sums.
 *
 * Speed: a coefficient lies in the cones of only the few directions within α of ±v (6 % of a
 * quasi-uniform set for α = 20°). Unit directions are binned into the cells of a cube map folded
 * by v ~ −v (3 faces × CELLS² cells); each cell lists the directions whose cone holds all of it
 * ('sure') and those whose cone holds part of it ('edge', within α ± the cell's angular radius).
 * A coefficient tests only its cell's edge directions, with the exact dot product. The hard cone
 * adds its sure directions once per (shell, cell) at the end, from sums per (shell, cell). The FSO
 * cone weighs every direction of its cell per coefficient, the edge ones behind the test, on a
 * finer map (FINE² cells per face, each inside one coarse cell: fewer edge directions to test;
 * the hard cone's (shell, cell) table cannot be that fine, and a finer test map saved it nothing).
 * Each sum receives the same terms in the same order as a test of every direction would give it
 * (adding 0 changes no sum). The accumulators are laid out shell-major ([k][d][3]), so
 * consecutive coefficients (same shell, neighbouring cells) touch a few kB. The z planes are
 * dealt to parts with accumulators of their own, summed at the end; the parts run on the FFT pool
 * (both cores).
 */
import { parallelFor, threadsForVoxels } from '../fft/fft-pool.ts';
import { fftFreq } from '../fft/fft.ts';
import { isShared, sharedFloat32 } from '../util/shared-memory.ts';
import type { Volume } from '../volume/volume.ts';
import { firstCross, maskedSpectra, squaredFrequencies, type HalfMapSpectra } from './fsc.ts';

/** How a cone weighs the coefficients of a shell by c = |u·v|. */
export interface Cone {
  readonly shape: 'hard' | 'fso';
  /** Half-angle α, degrees. */
  readonly halfAngleDeg: number;
}

/** 1.h: the 3DFSC program's default cone, hard, 20°. */
export const FSC3D_CONE: Cone = { shape: 'hard', halfAngleDeg: 20 };
/** 1.g: Xmipp's FSO cone, 17°, weighted smoothly towards its rim. */
export const FSO_CONE: Cone = { shape: 'fso', halfAngleDeg: 17 };

/** Directional FSC curves of a set of directions, shells k = 1 … floor(N/2). */
export interface ConicalFsc {
  /** Unit directions, 3 numbers each (x, y, z). */
  readonly directions: Float64Array;
  readonly cone: Cone;
  readonly shell: Int32Array;
  /** f_k = k/(N·Ts), Å⁻¹. */
  readonly frequency: Float64Array;
  /** FSC of direction d at shell index j (shell j + 1) at [d·shells + j]; NaN where the cone holds no coefficient. */
  readonly fsc: Float64Array;
  /** The ordinary FSC of every coefficient of the shell, from the same pass (equals fsc.ts's curve). */
  readonly global: { readonly fsc: Float64Array; readonly voxels: Float64Array };
}

/** Number of directions of a result. */
export function directionCount(c: ConicalFsc): number {
  return c.directions.length / 3;
}

/** FSC curve of direction d (a view, shells 1 … floor(N/2)). */
export function directionalCurve(c: ConicalFsc, d: number): Float64Array {
  const n = c.shell.length;
  return c.fsc.subarray(d * n, (d + 1) * n);
}

/** How a curve meets a threshold: crosses it, stays above it up to Nyquist, or is below it from the first two shells (firstCross then reports nothing). */
export type Crossing = 'crosses' | 'above' | 'below';

/** Where `curve` (per shell, at `frequency` Å⁻¹) first falls below `threshold`: the resolution in Å (null unless it crosses) and how it meets it. */
export function resolutionAt(frequency: ArrayLike<number>, curve: ArrayLike<number>, threshold: number): { resolution: number | null; crossing: Crossing } {
  let i0 = -1;
  for (let i = 0; i < curve.length; i++) {
    if (curve[i] < threshold) {
      i0 = i;
      break;
    }
  }
  if (i0 < 0) return { resolution: null, crossing: 'above' };
  const f = firstCross(frequency, curve, threshold, 'lesser');
  return f === null || !(f > 0) ? { resolution: null, crossing: 'below' } : { resolution: 1 / f, crossing: 'crosses' };
}

/**
 * Resolution (Å) of every direction at `threshold`. Shells whose cone holds no coefficient (a few
 * of the first shells, for narrow cones) take the global FSC. A direction that stays above the
 * threshold up to Nyquist gets the resolution of the last shell (a bound: the sampling limits
 * it); one below the threshold from the first shells gets NaN.
 */
export function directionalResolutions(c: ConicalFsc, threshold: number): { resolution: Float64Array; crossing: Crossing[] } {
  const D = directionCount(c);
  const K = c.shell.length;
  const resolution = new Float64Array(D);
  const crossing: Crossing[] = [];
  const curve = new Float64Array(K);
  for (let d = 0; d < D; d++) {
    const own = directionalCurve(c, d);
    for (let j = 0; j < K; j++) curve[j] = Number.isNaN(own[j]) ? c.global.fsc[j] : own[j];
    const r = resolutionAt(c.frequency, curve, threshold);
    crossing.push(r.crossing);
    resolution[d] = r.crossing === 'above' ? 1 / c.frequency[K - 1] : (r.resolution ?? Number.NaN);
  }
  return { resolution, crossing };
}

/**
 * n quasi-uniform unit directions on the hemisphere z > 0 (a Fibonacci lattice: equal steps in z,
 * which is equal area, and the golden angle in azimuth). With the cones' u ~ −u it covers every
 * direction.
 */
export function fibonacciHemisphere(n: number): Float64Array {
  const out = new Float64Array(3 * n);
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < n; i++) {
    const z = 1 - (i + 0.5) / n;
    const s = Math.sqrt(1 - z * z);
    const phi = i * golden;
    out[3 * i] = s * Math.cos(phi);
    out[3 * i + 1] = s * Math.sin(phi);
    out[3 * i + 2] = z;
  }
  return out;
}

/**
 * The half-complex spectra of h1·mask and h2·mask (the soft mask the spec applies before 1.g and
 * 1.h), on shared memory so that the pool's workers read them without a copy.
 */
export function maskedHalfMapSpectra(h1: Volume, h2: Volume, mask: Float32Array): Promise<HalfMapSpectra> {
  return maskedSpectra(h1, h2, mask);
}

/** Cube-map cells per face edge (3 faces): finer cells leave fewer directions that need the exact test, but the hard cone's (shell, cell) table per part grows with them. */
const CELLS = 32;
/** The FSO cone's finer cube map (FINE = CELLS·2^FINE_SHIFT per face edge; 4× as fine cost more in lists than it saved in tests). */
const FINE_SHIFT = 1;
const FINE = CELLS << FINE_SHIFT;
/** Samples of the FSO weight over t = (1 − c)/(1 − cos α) ∈ [0, 1] (linear interpolation: error < 1e-7). */
const WEIGHT_SAMPLES = 4096;
/** Accumulators per (shell, direction) and per (shell, cell): Σ g·Re(F1F2*), Σ g·|F1|², Σ g·|F2|². */
const SUMS = 3;
/** Global accumulators per shell: the three sums and the Fourier voxel count. */
const GLOBAL_SUMS = 4;

/**
 * The directions a cell of the cube map needs: `sure` ones, whose cone holds the whole cell, and
 * `edge` ones, whose cone holds part of it. List c is entries start[c] … start[c + 1] − 1 of `u`
 * (3 numbers each, the unit direction) and `at` (d·SUMS, the direction's offset within a shell).
 */
export interface CellLists {
  readonly start: Int32Array;
  readonly u: Float64Array;
  readonly at: Int32Array;
}

/** What each part of the pass needs (the big arrays on shared memory). */
export interface ConicalArgs {
  readonly F1: Float32Array;
  readonly F2: Float32Array;
  readonly dims: readonly [number, number, number];
  readonly directions: number;
  readonly shells: number;
  readonly parts: number;
  readonly cosAlpha: number;
  /** FSO weight samples; null for the hard cone, whose `sure` directions are added per (shell, cell) at the end instead of per coefficient. */
  readonly weight: Float64Array | null;
  /** The cells' lists: of the coarse cells for the hard cone, of the fine cells for the FSO cone. */
  readonly sure: CellLists;
  readonly edge: CellLists;
  /** Per part (`partLength` numbers): directional sums [k][d][SUMS], global sums [k][GLOBAL_SUMS], then for the hard cone the (shell, cell) sums [k][cell][SUMS]. */
  readonly out: Float64Array;
  readonly partLength: number;
}

/**
 * The conical FSC of every direction (3 numbers each in `directions`) on the spectra of `sp`.
 * `threads` defaults to the FFT pool's for grids of ≥ 64³ voxels, else 1.
 */
/** Parts the z planes are dealt to (see `conicalFsc`): 4 keeps 2 threads busy and their tables small. */
export const CONICAL_PARTS = 4;

export async function conicalFsc(sp: HalfMapSpectra, directions: Float64Array, cone: Cone, opts: { threads?: number } = {}): Promise<ConicalFsc> {
  const [nx, ny, nz] = sp.dims;
  const D = directions.length / 3;
  if (!Number.isInteger(D) || D < 1) throw new RangeError(`conicalFsc: ${directions.length} numbers are not whole directions`);
  if (!(cone.halfAngleDeg > 0 && cone.halfAngleDeg < 60)) throw new RangeError(`conicalFsc: cone half-angle ${cone.halfAngleDeg}° outside (0°, 60°)`);
  const shells = Math.floor(nx / 2);
  const S = shells + 1;
  const threads = opts.threads ?? threadsForVoxels(nx * ny * nz);
  // A fixed number of parts, whatever the threads: the parts' sums are added in part order, so
  // the curves are bit-identical on 1, 2 or 4 threads (a Slurm task and a local worker publish the
  // same bytes). Interleaved planes balance the work; each part's (shell, cell) table costs memory.
  const parts = CONICAL_PARTS;
  const alpha = (cone.halfAngleDeg * Math.PI) / 180;
  const unit = unitRows(directions);
  const hard = cone.shape === 'hard';
  const lists = hard ? cellLists(unit, alpha, CELLS) : fsoConeLists(unit, alpha);
  const partLength = S * D * SUMS + S * GLOBAL_SUMS + (hard ? S * CELL_COUNT * SUMS : 0);
  const args: ConicalArgs = {
    F1: shared(sp.F1),
    F2: shared(sp.F2),
    dims: sp.dims,
    directions: D,
    shells,
    parts,
    cosAlpha: Math.cos(alpha),
    weight: hard ? null : fsoWeightTable(),
    ...lists,
    out: new Float64Array(new SharedArrayBuffer(8 * parts * partLength)),
    partLength,
  };
  await parallelFor(import.meta.url, 'conicalSums', conicalSums, args, parts, threads);
  return finish(args, sp, directions, cone);
}

/** The array itself when it is on shared memory, else a shared copy (the workers would each get a copy otherwise). */
function shared(a: Float32Array): Float32Array {
  if (isShared(a)) return a;
  const s = sharedFloat32(a.length);
  s.set(a);
  return s;
}

/** The directions normalised to unit length (callers may pass rounded ones). */
function unitRows(directions: Float64Array): Float64Array {
  const out = new Float64Array(directions.length);
  for (let i = 0; i < directions.length; i += 3) {
    const r = Math.hypot(directions[i], directions[i + 1], directions[i + 2]);
    if (!(r > 0)) throw new RangeError(`conicalFsc: direction ${i / 3} has length 0`);
    out[i] = directions[i] / r;
    out[i + 1] = directions[i + 1] / r;
    out[i + 2] = directions[i + 2] / r;
  }
  return out;
}

/** exp(−4t²) at t = i/WEIGHT_SAMPLES, with one sample past t = 1 for the interpolation at the rim. */
function fsoWeightTable(): Float64Array {
  return Float64Array.from({ length: WEIGHT_SAMPLES + 2 }, (_, i) => Math.exp(-4 * (i / WEIGHT_SAMPLES) ** 2));
}

/** Number of cube-map cells. */
const CELL_COUNT = 3 * CELLS * CELLS;

/**
 * Cube-map cell of the unit vector (vx, vy, vz), folded so that v and −v share a cell: the face of
 * the largest component, and the other two components divided by it (in [−1, 1], the same for −v)
 * binned into CELLS.
 */
export function cellOf(vx: number, vy: number, vz: number, n = CELLS): number {
  const ax = Math.abs(vx), ay = Math.abs(vy), az = Math.abs(vz);
  let face: number, s: number, t: number;
  if (az >= ax && az >= ay) {
    face = 0; s = vx / vz; t = vy / vz;
  } else if (ay >= ax) {
    face = 1; s = vx / vy; t = vz / vy;
  } else {
    face = 2; s = vy / vx; t = vz / vx;
  }
  const i = Math.min(n - 1, ((s + 1) * 0.5 * n) | 0);
  const j = Math.min(n - 1, ((t + 1) * 0.5 * n) | 0);
  return (face * n + j) * n + i;
}

/** Unit vector of face coordinates (s, t) of `face` (the inverse of cellOf's projection). */
function faceVector(face: number, s: number, t: number): [number, number, number] {
  const v: [number, number, number] = face === 0 ? [s, t, 1] : face === 1 ? [s, 1, t] : [1, s, t];
  const r = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / r, v[1] / r, v[2] / r];
}

/** Centre of cell c and its angular radius ρ (the largest angle from the centre to a corner). */
function cellCap(c: number, n: number): { centre: [number, number, number]; rho: number } {
  const face = Math.floor(c / (n * n));
  const j = Math.floor(c / n) % n;
  const i = c % n;
  const s0 = -1 + (2 * i) / n, s1 = s0 + 2 / n;
  const t0 = -1 + (2 * j) / n, t1 = t0 + 2 / n;
  const centre = faceVector(face, (s0 + s1) / 2, (t0 + t1) / 2);
  let cosRho = 1;
  for (const [s, t] of [[s0, t0], [s1, t0], [s0, t1], [s1, t1]]) {
    const q = faceVector(face, s, t);
    cosRho = Math.min(cosRho, q[0] * centre[0] + q[1] * centre[1] + q[2] * centre[2]);
  }
  return { centre, rho: Math.acos(Math.min(1, cosRho)) };
}

/**
 * The sure and edge directions of every cell. Cells are bounded by great circles, so the cap of
 * radius ρ about the centre holds the whole cell: a cone within α − ρ of the centre holds all of
 * it (sure), one beyond α + ρ none of it, one in between part of it (edge: each coefficient is
 * tested). Both bounds are widened by 1e-9 rad, so that rounding never misfiles a direction.
 */
function cellLists(dirs: Float64Array, alpha: number, n: number, candidates?: (c: number) => Iterable<number>): { sure: CellLists; edge: CellLists } {
  const D = dirs.length / 3;
  const count = 3 * n * n;
  const all = Array.from({ length: D }, (_, d) => d);
  const lists = { sure: { start: new Int32Array(count + 1), u: [] as number[], at: [] as number[] }, edge: { start: new Int32Array(count + 1), u: [] as number[], at: [] as number[] } };
  for (let c = 0; c < count; c++) {
    const { centre, rho } = cellCap(c, n);
    const inner = alpha - rho - 1e-9 > 0 ? Math.cos(alpha - rho - 1e-9) : 2;
    const outer = Math.cos(Math.min(Math.PI / 2, alpha + rho + 1e-9));
    lists.sure.start[c] = lists.sure.at.length;
    lists.edge.start[c] = lists.edge.at.length;
    for (const d of candidates ? candidates(c) : all) {
      const ux = dirs[3 * d], uy = dirs[3 * d + 1], uz = dirs[3 * d + 2];
      const c0 = Math.abs(ux * centre[0] + uy * centre[1] + uz * centre[2]);
      const list = c0 >= inner ? lists.sure : c0 >= outer ? lists.edge : null;
      if (!list) continue;
      list.u.push(ux, uy, uz);
      list.at.push(d * SUMS);
    }
  }
  lists.sure.start[count] = lists.sure.at.length;
  lists.edge.start[count] = lists.edge.at.length;
  const pack = (l: typeof lists.sure): CellLists => ({ start: l.start, u: Float64Array.from(l.u), at: Int32Array.from(l.at) });
  return { sure: pack(lists.sure), edge: pack(lists.edge) };
}

/**
 * The lists of the fine cells. A direction outside every list of a coarse cell holds none of it,
 * so none of its fine cells: only the coarse cell's directions need the fine test (the same lists
 * as testing every direction, a small part of the work).
 */
function fineCellLists(dirs: Float64Array, alpha: number, coarse: { sure: CellLists; edge: CellLists }, coarseOf: Int32Array): { sure: CellLists; edge: CellLists } {
  const near = Array.from({ length: CELL_COUNT }, (_, c) => {
    const ds: number[] = [];
    for (const l of [coarse.sure, coarse.edge]) for (let e = l.start[c]; e < l.start[c + 1]; e++) ds.push(l.at[e] / SUMS);
    return ds.sort((a, b) => a - b);
  });
  return cellLists(dirs, alpha, FINE, (f) => near[coarseOf[f]]);
}

/** Coarse cell (CELLS per face edge) of every fine cell (FINE per face edge): the fine grid splits each coarse cell exactly (a power-of-two scale of the same face coordinates). */
function coarseCells(): Int32Array {
  return Int32Array.from({ length: 3 * FINE * FINE }, (_, f) => {
    const face = Math.floor(f / (FINE * FINE));
    const j = Math.floor(f / FINE) % FINE >> FINE_SHIFT;
    const i = (f % FINE) >> FINE_SHIFT;
    return (face * CELLS + j) * CELLS + i;
  });
}

/** The FSO cone's lists on the fine cells (the weight is computed per coefficient either way: the cells only spare the directions outside the cone). */
function fsoConeLists(dirs: Float64Array, alpha: number): { sure: CellLists; edge: CellLists } {
  return fineCellLists(dirs, alpha, cellLists(dirs, alpha, CELLS), coarseCells());
}

/**
 * Sums of parts [a, b); a `parallelFor` body. Part p takes the z planes p, p + parts, … (planes
 * near |wz| = 1/2 hold few coefficients of the ball: interleaving balances the parts) and writes
 * only its own slice of `out`. Shells as fsc.ts: k = round(√(wx² + (wy² + wz²))·N), same
 * arithmetic, coefficients past |w| = 1/2 and the DC term left out.
 *
 * The hard cone adds its tested directions times (c ≥ cos α) as a number, not behind a branch:
 * which side of the rim a coefficient falls is unpredictable, and mispredictions cost more than
 * three adds. The FSO cone branches: a weight costs more than a misprediction. The hard cone's
 * sure directions get the (shell, cell) sums at the end.
 */
export function conicalSums(args: ConicalArgs, a: number, b: number): void {
  for (let part = a; part < b; part++) {
    const sums = args.weight === null ? hardPart(args, part) : fsoPart(args, part, args.weight);
    let o = part * args.partLength;
    for (const s of sums) {
      args.out.set(s, o);
      o += s.length;
    }
  }
}

/** The frequency tables of a part's loop: fsc.ts's w² per axis and Hermitian weight, and w per axis. */
function gridTables(dims: readonly [number, number, number]) {
  const [nx, ny, nz] = dims;
  return {
    ...squaredFrequencies(dims),
    fx: Float64Array.from({ length: (nx >> 1) + 1 }, (_, i) => fftFreq(i, nx)),
    fy: Float64Array.from({ length: ny }, (_, i) => fftFreq(i, ny)),
    fz: Float64Array.from({ length: nz }, (_, i) => fftFreq(i, nz)),
  };
}

/** Part `part` of the hard cone: directional sums of the edge directions, global sums, (shell, cell) sums. */
function hardPart(args: ConicalArgs, part: number): Float64Array[] {
  const { F1, F2, dims, directions: D, shells, parts, cosAlpha, edge } = args;
  const [nx, ny, nz] = dims;
  const S = shells + 1;
  const { hx, wx, wy, wz, weight: hermitian, fx, fy, fz } = gridTables(dims);
  const { start: es, u: eu, at: ea } = edge;
  const acc = new Float64Array(S * D * SUMS);
  const glob = new Float64Array(S * GLOBAL_SUMS);
  const cells = new Float64Array(S * CELL_COUNT * SUMS);
  for (let z = part; z < nz; z += parts) {
    for (let y = 0; y < ny; y++) {
      const ryz = wy[y] + wz[z];
      if (ryz > 0.25) continue;
      const vy0 = fy[y], vz0 = fz[z];
      let q = (z * ny + y) * hx;
      for (let x = 0; x < hx; x++, q++) {
        const r2 = wx[x] + ryz;
        if (r2 > 0.25) break; // wx grows with x: the rest of the row lies outside too
        const r = Math.sqrt(r2);
        const k = Math.round(r * nx);
        if (k === 0 || k > shells) continue;
        const p = 2 * q;
        const f1r = F1[p], f1i = F1[p + 1], f2r = F2[p], f2i = F2[p + 1];
        const h = hermitian[x];
        const re = h * (f1r * f2r + f1i * f2i);
        const s1 = h * (f1r * f1r + f1i * f1i);
        const s2 = h * (f2r * f2r + f2i * f2i);
        const go = k * GLOBAL_SUMS;
        glob[go] += re;
        glob[go + 1] += s1;
        glob[go + 2] += s2;
        glob[go + 3] += h;
        const vx = fx[x] / r, vy = vy0 / r, vz = vz0 / r;
        const cell = cellOf(vx, vy, vz);
        const co = (k * CELL_COUNT + cell) * SUMS;
        cells[co] += re;
        cells[co + 1] += s1;
        cells[co + 2] += s2;
        const base = k * D * SUMS;
        for (let e = es[cell], end = es[cell + 1]; e < end; e++) {
          const e3 = 3 * e;
          const m = +(Math.abs(vx * eu[e3] + vy * eu[e3 + 1] + vz * eu[e3 + 2]) >= cosAlpha);
          const o = base + ea[e];
          acc[o] += m * re;
          acc[o + 1] += m * s1;
          acc[o + 2] += m * s2;
        }
      }
    }
  }
  return [acc, glob, cells];
}

/** Part `part` of the FSO cone: directional sums of every direction (sure ones weighed without a test), global sums. */
function fsoPart(args: ConicalArgs, part: number, weight: Float64Array): Float64Array[] {
  const { F1, F2, dims, directions: D, shells, parts, cosAlpha, sure, edge } = args;
  const [nx, ny, nz] = dims;
  const S = shells + 1;
  const { hx, wx, wy, wz, weight: hermitian, fx, fy, fz } = gridTables(dims);
  const scale = WEIGHT_SAMPLES / (1 - cosAlpha);
  const { start: es, u: eu, at: ea } = edge;
  const { start: ss, u: su, at: sa } = sure;
  const acc = new Float64Array(S * D * SUMS);
  const glob = new Float64Array(S * GLOBAL_SUMS);
  // (w[i], w[i + 1] − w[i]) pairs: the interpolation's two numbers from one place, the difference computed once.
  const wd = new Float64Array(2 * (WEIGHT_SAMPLES + 1));
  for (let i = 0; i <= WEIGHT_SAMPLES; i++) {
    wd[2 * i] = weight[i];
    wd[2 * i + 1] = weight[i + 1] - weight[i];
  }
  for (let z = part; z < nz; z += parts) {
    for (let y = 0; y < ny; y++) {
      const ryz = wy[y] + wz[z];
      if (ryz > 0.25) continue;
      const vy0 = fy[y], vz0 = fz[z];
      let q = (z * ny + y) * hx;
      for (let x = 0; x < hx; x++, q++) {
        const r2 = wx[x] + ryz;
        if (r2 > 0.25) break;
        const r = Math.sqrt(r2);
        const k = Math.round(r * nx);
        if (k === 0 || k > shells) continue;
        const p = 2 * q;
        const f1r = F1[p], f1i = F1[p + 1], f2r = F2[p], f2i = F2[p + 1];
        const h = hermitian[x];
        const re = h * (f1r * f2r + f1i * f2i);
        const s1 = h * (f1r * f1r + f1i * f1i);
        const s2 = h * (f2r * f2r + f2i * f2i);
        const go = k * GLOBAL_SUMS;
        glob[go] += re;
        glob[go + 1] += s1;
        glob[go + 2] += s2;
        glob[go + 3] += h;
        const vx = fx[x] / r, vy = vy0 / r, vz = vz0 / r;
        const cell = cellOf(vx, vy, vz, FINE);
        const base = k * D * SUMS;
        for (let e = ss[cell], end = ss[cell + 1]; e < end; e++) {
          const e3 = 3 * e;
          const t = (1 - Math.abs(vx * su[e3] + vy * su[e3 + 1] + vz * su[e3 + 2])) * scale;
          const i = t | 0;
          const g = wd[2 * i] + (t - i) * wd[2 * i + 1];
          const o = base + sa[e];
          acc[o] += g * re;
          acc[o + 1] += g * s1;
          acc[o + 2] += g * s2;
        }
        for (let e = es[cell], end = es[cell + 1]; e < end; e++) {
          const e3 = 3 * e;
          const c = Math.abs(vx * eu[e3] + vy * eu[e3 + 1] + vz * eu[e3 + 2]);
          if (c < cosAlpha) continue;
          const t = Math.min((1 - c) * scale, WEIGHT_SAMPLES);
          const i = t | 0;
          const g = wd[2 * i] + (t - i) * wd[2 * i + 1];
          const o = base + ea[e];
          acc[o] += g * re;
          acc[o + 1] += g * s1;
          acc[o + 2] += g * s2;
        }
      }
    }
  }
  return [acc, glob];
}

/** Sums the parts, adds the hard cone's (shell, cell) sums to the cell's sure directions, and turns the sums into curves. */
function finish(args: ConicalArgs, sp: HalfMapSpectra, directions: Float64Array, cone: Cone): ConicalFsc {
  const { directions: D, shells, parts, out, partLength, sure } = args;
  const S = shells + 1;
  const total = new Float64Array(partLength);
  for (let part = 0; part < parts; part++) {
    const o = part * partLength;
    for (let i = 0; i < partLength; i++) total[i] += out[o + i];
  }
  const g0 = S * D * SUMS;
  if (args.weight === null) {
    const c0 = g0 + S * GLOBAL_SUMS;
    for (let k = 1; k <= shells; k++) {
      for (let cell = 0; cell < CELL_COUNT; cell++) {
        const co = c0 + (k * CELL_COUNT + cell) * SUMS;
        const re = total[co], s1 = total[co + 1], s2 = total[co + 2];
        if (s1 === 0 && s2 === 0) continue;
        for (let e = sure.start[cell], end = sure.start[cell + 1]; e < end; e++) {
          const o = k * D * SUMS + sure.at[e];
          total[o] += re;
          total[o + 1] += s1;
          total[o + 2] += s2;
        }
      }
    }
  }
  const fsc = new Float64Array(D * shells);
  for (let k = 1; k <= shells; k++) {
    for (let d = 0; d < D; d++) {
      const o = (k * D + d) * SUMS;
      const den = Math.sqrt(total[o + 1] * total[o + 2]);
      fsc[d * shells + k - 1] = den > 0 ? total[o] / den : Number.NaN;
    }
  }
  const global = { fsc: new Float64Array(shells), voxels: new Float64Array(shells) };
  for (let k = 1; k <= shells; k++) {
    const o = g0 + k * GLOBAL_SUMS;
    global.fsc[k - 1] = total[o] / Math.sqrt(total[o + 1] * total[o + 2]);
    global.voxels[k - 1] = total[o + 3];
  }
  return {
    directions: Float64Array.from(directions),
    cone,
    shell: Int32Array.from({ length: shells }, (_, j) => j + 1),
    frequency: Float64Array.from({ length: shells }, (_, j) => (j + 1) / (sp.dims[0] * sp.voxelSize)),
    fsc,
    global,
  };
}
