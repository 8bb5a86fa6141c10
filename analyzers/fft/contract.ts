/**
 * The contract of the 3-D FFT engines: the public `RealFft3d` object, the range methods every
 * kernel implements (`Fft3dKernel`), and the helpers that run on any kernel (zeroing touched rows,
 * folding squares, slab-wise inverse norms). Kernels (stockham.ts, fft-wasm.ts) and the worker
 * pool import this file, never fft.ts, so the engine picker can import them without a circle.
 */
import type { Vec3 } from '../volume/volume.ts';

/** Exponent sign of a transform: −1 forward, +1 backward (unnormalised). */
export type FftSign = -1 | 1;

// ---------------------------------------------------------------------------------------------
// 3-D real-to-complex transform
// ---------------------------------------------------------------------------------------------

/**
 * 3-D real-to-complex FFT of one grid shape (from `createRealFft3d`). Spectrum layout: F[kx, ky, kz]
 * for kx ≤ nx/2 at complex index kx + cx·(ky + ny·kz), cx = floor(nx/2)+1, interleaved (re, im)
 * float32; ky, kz in FFT order. Calls may overlap: pool jobs run one at a time.
 */
export interface RealFft3d {
  /** Real grid [nx, ny, nz], x fastest. */
  readonly dims: Vec3;
  /** Half-complex grid [floor(nx/2)+1, ny, nz], x fastest, interleaved (re, im). */
  readonly complexDims: Vec3;
  /** Unnormalised forward transform F(k) = Σ_x f(x)·exp(−2πi k·x/N) of a real volume.
   *  Returns `out` (allocated when absent; length 2·(floor(nx/2)+1)·ny·nz; on the worker pool the
   *  allocated array is SharedArrayBuffer-backed). Input untouched. */
  forward(input: Float32Array, out?: Float32Array): Promise<Float32Array>;
  /** Inverse with the 1/(nx·ny·nz) factor, so inverse(forward(f)) = f. May overwrite `spectrum`.
   *  Returns `out` (allocated when absent, length nx·ny·nz; SharedArrayBuffer-backed on the pool).
   *  As numpy's irfftn: inverse along z and y, then the x step ignores the imaginary parts left in
   *  columns kx = 0 and (even nx) kx = nx/2, so a non-Hermitian spectrum is projected the same way.
   *  `options` (see `InverseOptions`): a support radius that lets kernels skip zero lines, and a
   *  fold of the squared result into an accumulator, done slab by slab on the worker threads. */
  inverse(spectrum: Float32Array, out?: Float32Array, options?: InverseOptions): Promise<Float32Array>;
  /**
   * acc ← Σ_k r_k² (default) or, with `root`, √(Σ_k r_k²)·scale, r_k = inverse(spectra[k]) — the
   * pointwise norm of several inverse transforms (e.g. a monogenic amplitude) without storing the
   * r_k: on the worker pool every slab's sum is formed in a worker's scratch. Overwrites the spectra
   * (as `inverse`); `radius` as in `InverseOptions`. acc (length nx·ny·nz) and the spectra should
   * be SharedArrayBuffer-backed on the pool (otherwise one `inverse` per spectrum runs, staged).
   */
  inverseNorm<A = unknown>(spectra: readonly Float32Array[], acc: Float32Array, options?: InverseNormOptions<A>): Promise<void>;
  /**
   * A Fourier filter in place: buf ← inverse(gain(forward(buf))), with `spectrum` (length of a
   * half-complex grid) as the spectrum's storage and `gain` the body that changes its rows ky ∈
   * [y0, y1) (all kx, kz) between the forward z pass and the backward one, while they are in cache
   * (on the pool: 3 phases instead of a forward, a loop and an inverse, 5). The same bits as those
   * three calls. `options.radius`: the support bound of the filtered spectrum, as `InverseOptions.radius`.
   */
  filter<A>(buf: Float32Array, spectrum: Float32Array, gain: RowTask<A>, options?: { radius?: number }): Promise<void>;
}

/**
 * A loop body over rows ky ∈ [y0, y1) (all kx and kz) of half-complex spectra, run inside an FFT
 * phase: `body` on the calling thread, or the export named `fn` of the module at file URL `module`
 * on the workers (the same function), with `args` sent by structured clone (big arrays shared).
 * Rows of one call are disjoint from those of any other.
 */
export interface RowTask<A = unknown> {
  module: string;
  fn: string;
  body: (args: A, y0: number, y1: number) => void;
  args: A;
}

/** Options of `RealFft3d.inverseNorm`. */
export interface InverseNormOptions<A = unknown> {
  /** Support bound of every spectrum, as `InverseOptions.radius`. */
  radius?: number;
  /** √ of the sum, times `scale` (default 1). */
  root?: boolean;
  scale?: number;
  /**
   * Leave every spectrum all 0 (each slab is cleared by the workers right after its last use, in
   * the rows |ky'| ≤ radius + 3 that the transforms can have touched, or all rows without a
   * radius), so that a caller that next fills a sparse support needs no clearing pass of its own.
   */
  zeroSpectra?: boolean;
  /**
   * Fills the spectra row by row just before their z pass (every element of rows ky ∈ [y0, y1),
   * all kz), so that a filled row is transformed while in cache: the same bits as filling them
   * first. Without it the spectra are transformed as they are.
   */
  fill?: RowTask<A>;
}

/**
 * Zeroes, in slabs kz ∈ [z0, z1) of a half-complex spectrum of `dims`, the rows |ky'| ≤ radius + 3
 * (every row without a radius): where an inverse transform told that radius can leave non-zeros.
 */
export function zeroTouchedRows(spec: Float32Array, dims: Vec3, z0: number, z1: number, radius: number | undefined): void {
  const [nx, ny] = dims;
  const row = 2 * ((nx >> 1) + 1);
  const slab = row * ny;
  if (radius === undefined || radius + 3 >= ny / 2) {
    spec.fill(0, z0 * slab, z1 * slab);
    return;
  }
  const r = Math.floor(radius) + 3;
  for (let z = z0; z < z1; z++) {
    const p = z * slab;
    spec.fill(0, p, p + row * (r + 1));
    spec.fill(0, p + row * (ny - r), p + slab);
  }
}

/** How `InverseOptions.squares` folds the real result r into its accumulator. */
export type SquaresMode = 'set' | 'add' | 'sqrt';

/** Options of `RealFft3d.inverse`. */
export interface InverseOptions {
  /**
   * Support bound in index units: the caller guarantees that the spectrum is 0 at every element
   * with kx² + ky'² + kz'² > radius², ky', kz' the signed indices (i ≤ n/2 ? i : i − n). Kernels
   * may then skip all-zero lines (the SIMD kernel does); the result is the same as without it.
   * Every engine leaves 0 in the lines (kx, ky') with kx > √(radius² − ky'²) + 2 (all kz) of
   * `spectrum` (zero lines transform to zero), so a caller that fills only the support can
   * reuse the array after clearing the lines inside that bound.
   */
  radius?: number;
  /**
   * acc (length nx·ny·nz, same layout as the output) ← 'set': r², 'add': acc + r², 'sqrt':
   * √(acc + r²)·scale (scale default 1), r the real result. `out` is then scratch: whether it
   * receives r depends on the engine. On the worker pool acc should be SharedArrayBuffer-backed
   * (otherwise the fold runs afterwards on the calling thread, from r in `out`).
   */
  squares?: { acc: Float32Array; mode: SquaresMode; scale?: number };
}

/** Mode codes of `foldSquares` (as sent to the workers). */
export const SQUARES_MODES: Record<SquaresMode, 1 | 2 | 3> = { set: 1, add: 2, sqrt: 3 };

/**
 * acc[i] ← r[i]² (mode 1), acc[i] + r[i]² (2), √(acc[i] + r[i]²)·scale (3) for i in [from, to).
 */
export function foldSquares(real: Float32Array, acc: Float32Array, from: number, to: number, mode: 1 | 2 | 3, scale: number): void {
  if (mode === 1) {
    for (let i = from; i < to; i++) acc[i] = real[i] * real[i];
  } else if (mode === 2) {
    for (let i = from; i < to; i++) acc[i] += real[i] * real[i];
  } else {
    for (let i = from; i < to; i++) acc[i] = Math.sqrt(acc[i] + real[i] * real[i]) * scale;
  }
}

/**
 * The synchronous work of a 3-D real FFT on one grid, split in ranges so that threads can share it.
 * A forward transform is `slabsForward(input, spec, 0, nz)` then `rowsZ(spec, 0, ny, −1)`; an
 * inverse is `rowsZ(spec, 0, ny, +1)` then `slabsInverse(spec, real, 0, nz)`. Ranges of one phase
 * touch disjoint parts of the arrays, so any split of [0, nz) or [0, ny) over threads is valid, with
 * a barrier between the two phases. Each kernel owns its scratch: one kernel per thread.
 */
export interface Fft3dKernel {
  /** Forward along x (real → half-complex) then y for z slabs [z0, z1); writes those slabs of `spec`. */
  slabsForward(input: Float32Array, spec: Float32Array, z0: number, z1: number): void;
  /** Complex transform along z (sign −1 forward, +1 unnormalised backward), in place in `spec`,
   *  for the rows ky in [y0, y1) (all kx of each row). `radius` (backward only): the support
   *  bound of `InverseOptions.radius`; a kernel may skip lines outside it (they stay 0). */
  rowsZ(spec: Float32Array, y0: number, y1: number, sign: FftSign, radius?: number): void;
  /** Inverse along y then x (half-complex → real, times 1/(nx·ny·nz)) for z slabs [z0, z1);
   *  writes those slabs of `real` and may overwrite those slabs of `spec`. `radius`: as for
   *  rowsZ, after the z pass (so it bounds kx only). */
  slabsInverse(spec: Float32Array, real: Float32Array, z0: number, z1: number, radius?: number): void;
  /** Optional: `slabsInverse` folding the result into acc (`foldSquares` mode and scale) instead
   *  of writing `real`, while each slab is in the kernel's scratch. */
  slabsInverseFold?(spec: Float32Array, real: Float32Array, acc: Float32Array, z0: number, z1: number, radius: number | undefined, mode: 1 | 2 | 3, scale: number): void;
  /** Optional: acc ← Σ_k r_k² or √(Σ_k r_k²)·scale (root) over slabs [z0, z1), r_k the inverse
   *  y/x step of specs[k], summed in the kernel's scratch. */
  slabsInverseNorm?(specs: readonly Float32Array[], acc: Float32Array, z0: number, z1: number, radius: number | undefined, root: boolean, scale: number): void;
}

/**
 * Inverse y/x step of slabs [z0, z1) of several spectra with acc ← Σ_k r_k² (root false) or
 * √(Σ_k r_k²)·scale (root true): the kernel's own `slabsInverseNorm` when it has one, else one
 * `slabsInverseWithFold` per spectrum with `real` as scratch.
 */
export function slabsInverseNormWith(k: Fft3dKernel, dims: Vec3, specs: readonly Float32Array[], real: Float32Array, acc: Float32Array, z0: number, z1: number, radius: number | undefined, root: boolean, scale: number): void {
  if (k.slabsInverseNorm) {
    k.slabsInverseNorm(specs, acc, z0, z1, radius, root, scale);
    return;
  }
  const last = specs.length - 1;
  for (let j = 0; j <= last; j++) {
    const mode = j === 0 ? 1 : j === last && root ? 3 : 2;
    slabsInverseWithFold(k, dims, specs[j], real, acc, z0, z1, radius, mode, scale);
  }
  if (last === 0 && root) {
    const slab = dims[0] * dims[1];
    for (let i = z0 * slab; i < z1 * slab; i++) acc[i] = Math.sqrt(acc[i]) * scale;
  }
}

/**
 * Inverse y/x step of slabs [z0, z1) with an optional fold into acc (mode 0: none): the kernel's
 * own fold when it has one, else `slabsInverse` then `foldSquares` on those slabs.
 */
export function slabsInverseWithFold(k: Fft3dKernel, dims: Vec3, spec: Float32Array, real: Float32Array, acc: Float32Array | undefined, z0: number, z1: number, radius: number | undefined, mode: 0 | 1 | 2 | 3, scale: number): void {
  if (!acc || mode === 0) {
    k.slabsInverse(spec, real, z0, z1, radius);
  } else if (k.slabsInverseFold) {
    k.slabsInverseFold(spec, real, acc, z0, z1, radius, mode, scale);
  } else {
    k.slabsInverse(spec, real, z0, z1, radius);
    const slab = dims[0] * dims[1];
    foldSquares(real, acc, z0 * slab, z1 * slab, mode, scale);
  }
}

/**
 * Smallest m ≥ n whose prime factors are all in {2, 3, 5} (or {2, 3, 5, 7} with `allow7`), for
 * padding a box before an FFT. n ≤ 1 gives 1.
 */
export function goodFftSize(n: number, opt: { allow7?: boolean } = {}): number {
  if (!Number.isFinite(n)) throw new RangeError(`goodFftSize: n must be finite, got ${n}`);
  const primes = opt.allow7 ? [2, 3, 5, 7] : [2, 3, 5];
  for (let m = Math.max(1, Math.ceil(n)); ; m++) {
    let r = m;
    for (const p of primes) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/**
 * Digital frequency in cycles/voxel of FFT index i on an axis of n samples:
 * i ≤ n/2 ? i/n : (i − n)/n. Note: for even n, i = n/2 gives +0.5 (numpy's fftfreq gives −0.5).
 */
export function fftFreq(i: number, n: number): number {
  return i <= n / 2 ? i / n : (i - n) / n;
}
