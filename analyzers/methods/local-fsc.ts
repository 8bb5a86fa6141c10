/**
 * Local resolution by a local Fourier shell correlation (Blocres-like; Cardone, Heymann & Steven,
 * JSB 184:226, 2013; level1A-spec.md §1.c).
 *
 * At each node p of a coarse lattice (step s voxels) over the analysed region, the cube of b³
 * voxels p − b/2 … p + b/2 − 1 is taken from both half maps (voxels outside the box count as 0),
 * multiplied by a separable Hann window (cos²(π·t/b) along each axis, t the distance from the
 * cube centre), zero-padded to n = 2b and Fourier transformed. Shell k (k = 1 … b)
 * holds the coefficients whose integer frequency vector has round(|k|) = k (|k| ≤ b), at spatial
 * frequency k/(n·Ts); the FSC per shell is Σ Re(F1·F2*) / √(Σ|F1|²·Σ|F2|²). The local resolution
 * is n·Ts/k_c where k_c is where the FSC first falls below the cutoff, interpolated linearly
 * between the shells around it: n·Ts (the box) when shell 1 is already below, 2·Ts (Nyquist) when
 * no shell is. The node's value belongs to the centre of its cube, p − ½ along each axis; the map
 * is filled by trilinear interpolation between nodes inside the region and is 0 outside.
 *
 * Cost: one n³ complex FFT per node, both halves at once (h1 + i·h2, separated by Hermitian
 * symmetry). The transform skips what is known to be zero: the z pass runs over the b² non-zero
 * columns, the y pass over n·b lines, the x pass only over the (ky, kz) lines inside the Nyquist
 * disc; every pass is one call of the batched WebAssembly SIMD line transform (float32) over all
 * its lines. Nodes are shared among the FFT pool's workers; each worker keeps one kernel (its
 * tables and two buffers) per box size.
 */
import { WasmLineFft } from '../fft/fft.ts';
import { fftThreads, parallelFor } from '../fft/fft-pool.ts';
import { isShared, sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** Blocres's box (Scipion's default that VRS keeps), voxels. */
export const DEFAULT_BOX = 20;
/**
 * Width of the window's raised-cosine edge on each side, as a fraction of the box: 0.5 makes the
 * edges meet in the middle (a Hann window, cos² across the box). Its spectrum leaks least into
 * the shells around the crossing; a flat top with edges of b/4 made the local FSC fall below
 * 0.143 up to 4 shells beyond the designed crossing on steep curves.
 */
export const WINDOW_EDGE_FRACTION = 0.5;
/**
 * The FSC cutoff of the local curves. In the Hann window the local FSC is inflated near the
 * crossing (the window's spectrum carries the strong low-resolution shells into the ones
 * around it), so on half maps designed to cross 0.143 at a known resolution the local curves
 * cross 0.143 2–6 % finer and 0.5 10–14 % coarser than the design; 0.25 gives medians within
 * −0.3…+3.4 % of it from 2.4 to 8 Å (box by `localFscBox`; table on the methods page).
 */
export const CALIBRATED_CUTOFF = 0.25;
/**
 * Soft-mask values above this are analysed. The soft mask is an FFT Gaussian of the hard mask,
 * so round-off leaves ~1e-7 almost everywhere; 1e-3 is its Gaussian tail ≈ 3σ (6 voxels)
 * beyond the hard mask.
 */
export const REGION_FLOOR = 1e-3;

export interface LocalFscOptions {
  /** Box b, voxels (even, ≥ 8, 2b 2·3·5-smooth: `validBox`; default DEFAULT_BOX). */
  readonly box?: number;
  /** Lattice step, voxels (default `latticeStep(box)`). */
  readonly step?: number;
  /** FSC cutoff. */
  readonly cutoff: number;
  /** Threads (default: the FFT pool's). */
  readonly threads?: number;
  /** Region: voxels where `region` > this (default REGION_FLOOR). */
  readonly floor?: number;
}

/** The lattice of nodes, and which of them were computed. */
export interface LocalFscLattice {
  /** Nodes per axis; node (i, j, k) has its cube centred at (s·i − ½, s·j − ½, s·k − ½). */
  readonly dims: Vec3;
  readonly step: number;
  /** Flat indices (i + M_x·(j + M_y·k)) of the computed nodes, ascending. */
  readonly nodes: Int32Array;
  /** Local resolution per computed node, Å (same order as `nodes`). */
  readonly values: Float32Array;
}

export interface LocalFscResult {
  /** Local resolution per voxel, Å; 0 outside the region. */
  readonly resmap: Float32Array;
  readonly lattice: LocalFscLattice;
  readonly box: number;
  readonly cutoff: number;
  /** [finest, coarsest] value a node can take: [2·Ts, 2b·Ts], Å. */
  readonly range: [number, number];
  /** Voxels of the region. */
  readonly regionVoxels: number;
  /** Nodes whose FSC stayed above the cutoff up to Nyquist (value 2·Ts), and nodes below it from shell 1 (value 2b·Ts). */
  readonly atFinest: number;
  readonly atCoarsest: number;
}

/**
 * The shell of the padded box (n = 2b) at which the expected resolution should fall at least: the
 * window smooths the local FSC over a fixed number of shells, so its bias depends on where the
 * crossing falls in shells (measured on designed pairs, see the methods page); from shell 11 on
 * the bias stays within a few percent with the calibrated cutoff.
 */
export const MIN_CROSSING_SHELL = 11;

/**
 * The largest box: a 128³ transform per lattice point (and 2 × 8 MB of buffers per thread). Only
 * maps sampled more than 11.6 times finer than their resolution reach it; their crossing then
 * falls below shell 11 and reads somewhat finer (see MIN_CROSSING_SHELL).
 */
export const MAX_BOX = 64;

/**
 * The box for an expected resolution `resolution` (Å; null: unknown) at voxel size `ts`: the
 * smallest accepted box ≥ DEFAULT_BOX whose padded box puts that resolution at shell
 * ≥ MIN_CROSSING_SHELL, i.e. b ≥ 11·res/(2·Ts), at most MAX_BOX. 20 voxels (Blocres's default)
 * for res/Ts ≤ 3.6.
 */
export function localFscBox(resolution: number | null, ts: number): number {
  const need = resolution !== null && resolution > 0 ? Math.ceil((MIN_CROSSING_SHELL * resolution) / (2 * ts)) : DEFAULT_BOX;
  let b = Math.min(MAX_BOX, Math.max(DEFAULT_BOX, need + (need % 2)));
  while (!validBox(b)) b += 2;
  return b;
}

/** Lattice step for box b: b/5 (4 voxels for b = 20), at least 2. */
export function latticeStep(box: number): number {
  return Math.max(2, Math.round(box / 5));
}

/**
 * The window's profile along one axis of a box of b samples: 1 in the middle, a raised cosine over
 * the outer `edge` voxels of each side that reaches 0 half a voxel beyond the last sample.
 */
export function windowProfile(box: number, edge = WINDOW_EDGE_FRACTION * box): Float64Array {
  const flat = box / 2 - edge;
  return Float64Array.from({ length: box }, (_, i) => {
    const t = Math.abs(i - (box - 1) / 2);
    return t <= flat ? 1 : 0.5 * (1 + Math.cos((Math.PI * (t - flat)) / edge));
  });
}

/**
 * The local resolution (Å) of one local FSC curve (`fsc[k]` for shells k = 1 … b, `fsc[0]`
 * unused) of an n = 2b box: n·Ts/k_c at the first fall below `cutoff`, k_c interpolated linearly;
 * n·Ts when shell 1 is already below, 2·Ts when no shell is.
 */
export function crossingResolution(fsc: ArrayLike<number>, cutoff: number, box: number, ts: number): number {
  const n = 2 * box;
  for (let k = 1; k <= box; k++) {
    if (fsc[k] < cutoff) {
      if (k === 1) return n * ts;
      const kc = k - 1 + (fsc[k - 1] - cutoff) / (fsc[k - 1] - fsc[k]);
      return (n * ts) / kc;
    }
  }
  return 2 * ts;
}

/** True when a box of b voxels is accepted: even, ≥ 8, and 2b has no prime factor above 5 (the SIMD butterflies). */
export function validBox(box: number): boolean {
  if (!Number.isInteger(box) || box < 8 || box % 2 !== 0) return false;
  let r = 2 * box;
  for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
  return r === 1;
}

/**
 * One thread's local-FSC engine for box b: the window, the lines of the Nyquist disc, the half set
 * of coefficients ordered by shell, and two buffers in the WebAssembly memory of its batched
 * length-2b transform (float32 SIMD).
 */
export class LocalFscKernel {
  readonly box: number;
  private readonly n: number;
  private readonly fft: WasmLineFft;
  private readonly heap: Float32Array;
  /** The same memory seen as complex pairs (8 bytes) for the transposition. */
  private readonly pairs: Float64Array;
  private readonly win: Float64Array;
  /** Lines (ky, kz) of the x pass: complex offset of each in the [ky][kz][x] layout. */
  private readonly lineSrc: Int32Array;
  /** Lines of the x pass rounded up to even (a zero line pads an odd count). */
  private readonly lines: number;
  /** Half set of coefficients in the final [kx][line] layout, sorted by shell: float offsets of k and −k, weight. */
  private readonly halfAt: Int32Array;
  private readonly mirrorAt: Int32Array;
  private readonly weight: Float64Array;
  /** First entry of each shell k = 1 … b + 1 in the half set. */
  private readonly shellStart: Int32Array;
  /** FSC per shell (index 0 unused), valid up to the last shell computed. */
  readonly fsc: Float64Array;

  constructor(box: number) {
    if (!validBox(box)) throw new RangeError(`local FSC: the box must be even, ≥ 8 and 2·box 2·3·5-smooth, got ${box}`);
    this.box = box;
    const n = 2 * box;
    this.n = n;
    this.win = windowProfile(box);
    const half = n / 2;
    const freq = (i: number) => (i <= half ? i : i - n);
    const disc: number[] = [];
    const lineOf = new Int32Array(n * n).fill(-1);
    for (let ky = 0; ky < n; ky++) {
      for (let kz = 0; kz < n; kz++) {
        if (freq(ky) ** 2 + freq(kz) ** 2 > half * half) continue;
        lineOf[ky * n + kz] = disc.length;
        disc.push(ky * n + kz);
      }
    }
    this.lineSrc = Int32Array.from(disc, (q) => q * box);
    const L = disc.length + (disc.length % 2);
    this.lines = L;
    const entries: { at: number; mirror: number; shell: number; weight: number }[] = [];
    for (let kx = 0; kx < n; kx++) {
      for (let l = 0; l < disc.length; l++) {
        const ky = Math.floor(disc[l] / n);
        const kz = disc[l] % n;
        const r2 = freq(kx) ** 2 + freq(ky) ** 2 + freq(kz) ** 2;
        if (r2 === 0 || r2 > half * half) continue;
        const me = kx * L + l;
        const mirror = ((n - kx) % n) * L + lineOf[((n - ky) % n) * n + ((n - kz) % n)];
        if (mirror < me) continue;
        entries.push({ at: 2 * me, mirror: 2 * mirror, shell: Math.round(Math.sqrt(r2)), weight: mirror === me ? 1 : 2 });
      }
    }
    entries.sort((a, b) => a.shell - b.shell || a.at - b.at);
    this.halfAt = Int32Array.from(entries, (e) => e.at);
    this.mirrorAt = Int32Array.from(entries, (e) => e.mirror);
    this.weight = Float64Array.from(entries, (e) => e.weight);
    this.shellStart = new Int32Array(box + 2);
    for (let k = 1, i = 0; k <= box + 1; k++) {
      while (i < entries.length && entries[i].shell < k) i++;
      this.shellStart[k] = i;
    }
    const bytes = 8 * Math.max(n * box * box, n * n * box, n * L);
    this.fft = new WasmLineFft(n, [bytes, bytes]);
    this.heap = this.fft.heap;
    this.pairs = new Float64Array(this.heap.buffer);
    this.fsc = new Float64Array(box + 1);
  }

  /** The local FSC over every shell of the cube whose first voxel is (x0, y0, z0), into `this.fsc`. */
  curve(h1: Float32Array, h2: Float32Array, dims: Vec3, x0: number, y0: number, z0: number): Float64Array {
    const z = this.spectrum(h1, h2, dims, x0, y0, z0);
    for (let k = 1; k <= this.box; k++) this.shellFsc(z, k);
    return this.fsc;
  }

  /** The local resolution (Å) of the cube whose first voxel is (x0, y0, z0): shells are summed only up to the first below the cutoff. */
  resolution(h1: Float32Array, h2: Float32Array, dims: Vec3, x0: number, y0: number, z0: number, cutoff: number, ts: number): number {
    const z = this.spectrum(h1, h2, dims, x0, y0, z0);
    const fsc = this.fsc;
    for (let k = 1; k <= this.box; k++) {
      if (this.shellFsc(z, k) < cutoff) return crossingResolution(fsc, cutoff, this.box, ts);
    }
    return 2 * ts;
  }

  /**
   * The windowed, zero-padded cube of both halves (re = half 1, im = half 2) transformed along z,
   * y, then x over the Nyquist disc; returns the float offset in `heap` of the [kx][line] result.
   */
  private spectrum(h1: Float32Array, h2: Float32Array, dims: Vec3, x0: number, y0: number, z0: number): number {
    const { box: b, n, fft, heap, lines: L } = this;
    const [X, Y] = fft.buffers;
    this.gather(h1, h2, dims, x0, y0, z0, X >> 2);
    heap.fill(0, (X >> 2) + 2 * b * b * b, (X >> 2) + 2 * n * b * b);
    const ra = fft.transform(X, Y, b * b, -1);
    // [kz][y][x] → [y][kz][x]: one strided copy per y; y ≥ b is the padding.
    const B = ra === X ? Y : X;
    for (let y = 0; y < b; y++) fft.copyRows(ra + 8 * y * b, 8 * b * b, B + 8 * y * n * b, 8 * b, 8 * b, n);
    heap.fill(0, (B >> 2) + 2 * b * n * b, (B >> 2) + 2 * n * n * b);
    const rb = fft.transform(B, ra, n * b, -1);
    // [ky][kz][x] → [x][line] for the lines of the disc; x ≥ b and the pad line are zero.
    const C = rb === B ? ra : B;
    // One float64 move per complex float32 pair (finite values: no NaN bit pattern to alter).
    const pairs = this.pairs, src = rb >> 3, dst = C >> 3, lineSrc = this.lineSrc;
    const D = lineSrc.length;
    for (let l = 0; l < D; l++) {
      const s0 = src + lineSrc[l];
      for (let x = 0, d = dst + l; x < b; x++, d += L) pairs[d] = pairs[s0 + x];
    }
    if (D < L) for (let x = 0, d = dst + D; x < b; x++, d += L) pairs[d] = 0;
    pairs.fill(0, dst + b * L, dst + n * L);
    return fft.transform(C, rb, L, -1) >> 2;
  }

  /** Windowed cube into the [z][y][x] layout at float offset `out`; voxels outside the box are 0. */
  private gather(h1: Float32Array, h2: Float32Array, [nx, ny, nz]: Vec3, x0: number, y0: number, z0: number, out: number): void {
    const b = this.box;
    const w = this.win;
    const H = this.heap;
    const xa = Math.max(0, -x0), xb = Math.min(b, nx - x0);
    H.fill(0, out, out + 2 * b * b * b);
    if (xa >= xb) return;
    for (let z = 0; z < b; z++) {
      const zz = z0 + z;
      if (zz < 0 || zz >= nz) continue;
      for (let y = 0; y < b; y++) {
        const yy = y0 + y;
        if (yy < 0 || yy >= ny) continue;
        const wyz = w[z] * w[y];
        const src = x0 + nx * (yy + ny * zz);
        let d = out + 2 * (z * b * b + y * b + xa);
        for (let x = xa; x < xb; x++, d += 2) {
          const g = wyz * w[x];
          H[d] = g * h1[src + x];
          H[d + 1] = g * h2[src + x];
        }
      }
    }
  }

  /**
   * FSC of shell k from the transform at float offset `z`, over the half set (weight 2 where the
   * partner −k is another coefficient). With A = Z(k) = (a, b) and Z(−k) = (c, d),
   * F1 = (A + conj Z(−k))/2 and F2 = (A − conj Z(−k))/(2i), so 4·Re(F1·F2*) = 2(ad + bc),
   * 4|F1|² = (a+c)² + (b−d)² and 4|F2|² = (a−c)² + (b+d)² (the common factor cancels).
   */
  private shellFsc(z: number, k: number): number {
    const H = this.heap, at = this.halfAt, mirror = this.mirrorAt, g = this.weight;
    let cross = 0, p1 = 0, p2 = 0;
    for (let i = this.shellStart[k], end = this.shellStart[k + 1]; i < end; i++) {
      const p = z + at[i], q = z + mirror[i];
      const a = H[p], b = H[p + 1], c = H[q], d = H[q + 1];
      const u = a + c, v = b - d, r = a - c, t = b + d;
      cross += g[i] * 2 * (a * d + b * c);
      p1 += g[i] * (u * u + v * v);
      p2 += g[i] * (r * r + t * t);
    }
    const den = Math.sqrt(p1 * p2);
    const f = den > 0 ? cross / den : 0;
    this.fsc[k] = f;
    return f;
  }
}

/** Nodes per axis for `n` voxels at step s: node i sits at s·i − ½, and every voxel centre lies between two nodes. */
export function latticeSize(n: number, step: number): number {
  return Math.floor((n - 0.5) / step) + 2;
}

/**
 * The nodes needed to interpolate every voxel of the region: the 8 corners of every lattice cell
 * holding a region voxel (voxel v lies in cell floor((v + ½)/s) along each axis). Returns the
 * lattice size and the flat node indices, ascending, and the region's voxel count.
 */
export function regionNodes(region: Float32Array, dims: Vec3, step: number, floor: number): { lattice: Vec3; nodes: Int32Array; voxels: number } {
  const [nx, ny, nz] = dims;
  const M: Vec3 = [latticeSize(nx, step), latticeSize(ny, step), latticeSize(nz, step)];
  const [mx, my] = M;
  const cells = new Uint8Array(M[0] * M[1] * M[2]);
  const cellOf = (n: number) => Int32Array.from({ length: n }, (_, v) => Math.floor((v + 0.5) / step));
  const cx = cellOf(nx), cy = cellOf(ny), cz = cellOf(nz);
  let voxels = 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = mx * (cy[y] + my * cz[z]);
      for (let x = 0; x < nx; x++, i++) {
        if (!(region[i] > floor)) continue;
        voxels++;
        cells[cx[x] + row] = 1;
      }
    }
  }
  const list: number[] = [];
  for (let k = 0; k < M[2]; k++) {
    for (let j = 0; j < my; j++) {
      for (let i = 0; i < mx; i++) {
        if (cornerOfMarkedCell(cells, M, i, j, k)) list.push(i + mx * (j + my * k));
      }
    }
  }
  return { lattice: M, nodes: Int32Array.from(list), voxels };
}

/** True when node (i, j, k) is a corner of a marked cell, i.e. one of the cells (i − δ, j − δ′, k − δ″), δ ∈ {0, 1}, is marked. */
function cornerOfMarkedCell(cells: Uint8Array, [mx, my]: Vec3, i: number, j: number, k: number): boolean {
  for (let c = Math.max(0, k - 1); c <= k; c++) {
    for (let b = Math.max(0, j - 1); b <= j; b++) {
      for (let a = Math.max(0, i - 1); a <= i; a++) if (cells[a + mx * (b + my * c)]) return true;
    }
  }
  return false;
}

/** Inputs of `localFscNodes` (the maps and the output on shared memory). */
export interface NodeArgs {
  h1: Float32Array;
  h2: Float32Array;
  dims: Vec3;
  lattice: Vec3;
  box: number;
  step: number;
  cutoff: number;
  ts: number;
  nodes: Int32Array;
  /** Out: the local resolution of each node of `nodes`, Å. */
  values: Float32Array;
}

/** This thread's kernel per box size (its WebAssembly memory and tables are built once). */
const kernels = new Map<number, LocalFscKernel>();

function kernelFor(box: number): LocalFscKernel {
  let k = kernels.get(box);
  if (!k) {
    k = new LocalFscKernel(box);
    kernels.set(box, k);
  }
  return k;
}

/**
 * Local resolutions of nodes [a, b) of `args.nodes`; a `parallelFor` body. Each node depends on
 * the maps only, so the result does not depend on the threads.
 */
export function localFscNodes(args: NodeArgs, a: number, b: number): void {
  const { h1, h2, dims, lattice, box, step, cutoff, ts, nodes, values } = args;
  const kernel = kernelFor(box);
  const corner: [number, number, number] = [0, 0, 0];
  for (let q = a; q < b; q++) {
    nodeCorner(nodes[q], lattice, step, box, corner);
    values[q] = kernel.resolution(h1, h2, dims, corner[0], corner[1], corner[2], cutoff, ts);
  }
}

/** The first voxel (x0, y0, z0) of the cube of lattice node `node` (flat index), into `out`. */
export function nodeCorner(node: number, [mx, my]: Vec3, step: number, box: number, out: [number, number, number] = [0, 0, 0]): [number, number, number] {
  out[0] = step * (node % mx) - box / 2;
  out[1] = step * (Math.floor(node / mx) % my) - box / 2;
  out[2] = step * Math.floor(node / (mx * my)) - box / 2;
  return out;
}

/**
 * Trilinear interpolation of the node values onto the voxels of the region (0 elsewhere): voxel
 * v lies at u = (v + ½)/s in lattice units between nodes floor(u) and floor(u) + 1.
 */
export function interpolateNodes(lat: LocalFscLattice, region: Float32Array, dims: Vec3, floor: number): Float32Array {
  const [nx, ny, nz] = dims;
  const [mx, my, mz] = lat.dims;
  const dense = new Float32Array(mx * my * mz);
  lat.nodes.forEach((node, q) => {
    dense[node] = lat.values[q];
  });
  const s = lat.step;
  const axis = (n: number) => {
    const c = new Int32Array(n);
    const f = new Float64Array(n);
    for (let v = 0; v < n; v++) {
      const u = (v + 0.5) / s;
      c[v] = Math.floor(u);
      f[v] = u - c[v];
    }
    return { c, f };
  };
  const X = axis(nx), Y = axis(ny), Z = axis(nz);
  const out = sharedFloat32(region.length);
  const sy = mx, sz = mx * my;
  for (let z = 0, i = 0; z < nz; z++) {
    const fz = Z.f[z];
    for (let y = 0; y < ny; y++) {
      const fy = Y.f[y];
      const base = sy * Y.c[y] + sz * Z.c[z];
      for (let x = 0; x < nx; x++, i++) {
        if (!(region[i] > floor)) continue;
        const fx = X.f[x];
        const p = base + X.c[x];
        const c00 = dense[p] + fx * (dense[p + 1] - dense[p]);
        const c10 = dense[p + sy] + fx * (dense[p + sy + 1] - dense[p + sy]);
        const c01 = dense[p + sz] + fx * (dense[p + sz + 1] - dense[p + sz]);
        const c11 = dense[p + sy + sz] + fx * (dense[p + sy + sz + 1] - dense[p + sy + sz]);
        const c0 = c00 + fy * (c10 - c00);
        const c1 = c01 + fy * (c11 - c01);
        out[i] = c0 + fz * (c1 - c0);
      }
    }
  }
  return out;
}

/** The data of `v` on a SharedArrayBuffer (workers read it in place), copied only when needed. */
function shared(v: Volume): Float32Array {
  if (isShared(v.data)) return v.data;
  const s = sharedFloat32(v.data.length);
  s.set(v.data);
  return s;
}

/**
 * Local resolution of the half maps inside `region` (voxels where region > floor; the soft mask):
 * the local FSC at every node of the lattice that the region's voxels need, then trilinear
 * interpolation. Throws a RangeError when the grids differ or the box is not accepted.
 */
export async function localFsc(h1: Volume, h2: Volume, region: Float32Array, opts: LocalFscOptions): Promise<LocalFscResult> {
  const dims = h1.dims;
  if (h2.dims.some((d, i) => d !== dims[i]) || region.length !== h1.data.length) {
    throw new RangeError(`localFsc: half maps of ${h1.dims.join('×')} and ${h2.dims.join('×')} voxels, region of ${region.length}`);
  }
  const box = opts.box ?? DEFAULT_BOX;
  if (!validBox(box)) throw new RangeError(`localFsc: the box must be even, ≥ 8 and 2·box 2·3·5-smooth, got ${box}`);
  const step = opts.step ?? latticeStep(box);
  const floor = opts.floor ?? REGION_FLOOR;
  const ts = h1.voxelSize[0];
  const { lattice, nodes, voxels } = regionNodes(region, dims, step, floor);
  const values = sharedFloat32(nodes.length);
  const args: NodeArgs = { h1: shared(h1), h2: shared(h2), dims, lattice, box, step, cutoff: opts.cutoff, ts, nodes, values };
  await parallelFor(import.meta.url, 'localFscNodes', localFscNodes, args, nodes.length, opts.threads ?? fftThreads());
  const lat: LocalFscLattice = { dims: lattice, step, nodes, values };
  const finest = 2 * ts, coarsest = 2 * box * ts;
  let atFinest = 0, atCoarsest = 0;
  for (const v of values) {
    if (v === Math.fround(finest)) atFinest++;
    else if (v === Math.fround(coarsest)) atCoarsest++;
  }
  return {
    resmap: interpolateNodes(lat, region, dims, floor),
    lattice: lat,
    box,
    cutoff: opts.cutoff,
    range: [finest, coarsest],
    regionVoxels: voxels,
    atFinest,
    atCoarsest,
  };
}
