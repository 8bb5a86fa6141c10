/**
 * Fast Fourier transforms for maps: 1-D complex plans for any length and the 3-D real-to-complex
 * transform of a `Volume` grid.
 *
 * Conventions (same as numpy/scipy): forward F(k) = Σ_x f(x)·exp(−2πi k·x/N), unnormalised;
 * inverse f(x) = (1/N) Σ_k F(k)·exp(+2πi k·x/N).
 *
 * 1-D engine: a Stockham autosort, decimation in frequency, with hand-written butterflies for
 * radices 2, 3, 4, 5, 7, 8, 11 and 13 (11 and 13 unrolled mechanically from the odd-radix
 * formula of `pass7`); lengths with a prime factor above 13 go through Bluestein's chirp-z
 * algorithm on an inner transform of 2·3·5-smooth length. All arithmetic is in float64. Every
 * transform works on `s` interleaved lines at once (sample k of line q at complex index q + s·k),
 * so the innermost loop of every butterfly runs over lines with one twiddle; the 3-D transform
 * feeds it whole rows of the half-complex grid (s = nx/2+1).
 *
 * Hot-loop habits (measured under V8, Node 24): indices are written `(a + b) | 0` so that the JIT
 * adds without overflow checks (~10%); each butterfly stores its outputs as soon as they are
 * ready to keep fewer values live (radix 5 and 8 spill less); no allocation inside any loop.
 *
 * Plans (radix list, twiddles) are cached per length in a module-level Map; scratch belongs to each
 * 3-D kernel and is reused by every call.
 *
 * 3-D transform (`createRealFft3d`): three kernels with the same range methods (`Fft3dKernel`).
 * `autoEngine` picks `WasmKernel3d` (fft-wasm.ts: float32 SIMD butterflies generated at run time)
 * for an even x and x/2, y, z with prime factors 2, 3, 5 (250, 256, 360, 432, …; ≈3× this file's
 * kernel), else the float64 Stockham kernel below (any grid). (A PFFFT-based kernel was dropped:
 * it was slower than the generated kernel on every grid both accept.) Grids of at least 64³
 * voxels run on the worker pool of fft-pool.ts (`EMVR_THREADS`, default min(4, cores)), the x/y pass
 * over z slabs, a barrier, then the z pass over y rows.
 *
 * For callers that apply Fourier filters: `inverse` accepts a support radius (the SIMD kernel then
 * skips all-zero lines, same result) and can fold the squared output into an accumulator on the
 * workers; `inverseNorm` forms √(Σ_k r_k²) of several inverse transforms slab by slab without
 * storing them (monogenic / spiral amplitudes), and can fill the spectra row by row just before
 * their z pass (`fill`); `filter` runs forward, a gain and inverse as 3 pool phases, the gain on
 * each row between its forward and backward z pass. A body run inside a phase (`RowTask`) works on
 * rows that are in cache, and saves the pool round trips of a separate loop.
 */
import { foldSquares, SQUARES_MODES, slabsInverseNormWith, slabsInverseWithFold, zeroTouchedRows, type Fft3dKernel, type InverseNormOptions, type InverseOptions, type RealFft3d, type RowTask } from './contract.ts';
import { wasmQualifies, WasmKernel3d } from './fft-wasm.ts';
import { exclusive, runPhasesLocked, threadsForVoxels, stagingBuffer, type FftEngine, type RowTaskRef } from './fft-pool.ts';
import { StockhamKernel3d } from './stockham.ts';
import { isShared, sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3 } from '../volume/volume.ts';

export type { FftSign, InverseNormOptions, InverseOptions, RealFft3d, RowTask, SquaresMode } from './contract.ts';
export { complexFftPlan, fft1d } from './stockham.ts';
export { WasmLineFft } from './fft-wasm.ts';
/** Grids with fewer voxels run on the calling thread: starting a phase on the pool (messages,
 *  barrier) costs ~0.1–1 ms, more than the transform of a small grid. */

/**
 * The engine 'auto' picks for a grid: the generated WebAssembly SIMD kernel for an even x and
 * 2·3·5-smooth axes (≈3× the float64 engine on 250³ and 360³), else the float64 Stockham engine (any size).
 */
export function autoEngine(dims: Vec3): FftEngine {
  return wasmQualifies(dims) ? 'wasm' : 'stockham';
}

/** Options of `createRealFft3d` (all optional; callers normally pass none). */
export interface RealFft3dOptions {
  /** Threads: 1 = the calling thread only. Default: `fftThreads()` (env EMVR_THREADS, else
   *  min(4, cores)) for grids of at least 64³ voxels, 1 for smaller ones. */
  threads?: number;
  /** 'auto' (default): `autoEngine(dims)`. 'wasm' on a grid that the engine does not
   *  accept throws a RangeError. */
  engine?: 'auto' | FftEngine;
}

/**
 * Public 3-D FFT object: validates buffers, picks the engine and runs its kernel on the calling
 * thread or on the worker pool. With the pool, arrays must be SharedArrayBuffer-backed: caller
 * arrays that are not are copied into the pool's staging buffers (one per role for the whole
 * process, reused), which costs one memcpy per array (~35 ms for 432³).
 */
class RealFft3dImpl implements RealFft3d {
  readonly dims: Vec3;
  readonly complexDims: Vec3;
  private readonly engine: FftEngine;
  private readonly threads: number;
  private local: Fft3dKernel | null = null;

  constructor(dims: Vec3, options: RealFft3dOptions) {
    for (const d of dims) {
      if (!Number.isInteger(d) || d < 1) throw new RangeError(`createRealFft3d: dims must be integers ≥ 1, got [${dims.join(', ')}]`);
    }
    this.dims = [dims[0], dims[1], dims[2]];
    this.complexDims = [(dims[0] >> 1) + 1, dims[1], dims[2]];
    const want = options.engine ?? 'auto';
    if (want === 'wasm' && !wasmQualifies(this.dims)) {
      throw new RangeError(`createRealFft3d: the WebAssembly SIMD kernel cannot transform a [${dims.join(', ')}] grid (needs an even x, and x/2, y, z with prime factors 2, 3, 5)`);
    }
    this.engine = want === 'auto' ? autoEngine(this.dims) : want;
    const voxels = dims[0] * dims[1] * dims[2];
    const threads = options.threads ?? threadsForVoxels(voxels);
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`createRealFft3d: threads must be an integer ≥ 1, got ${threads}`);
    this.threads = threads;
  }

  async forward(input: Float32Array, out?: Float32Array): Promise<Float32Array> {
    const [nx, ny, nz] = this.dims;
    const specLen = 2 * this.complexDims[0] * ny * nz;
    if (input.length !== nx * ny * nz) {
      throw new RangeError(`RealFft3d.forward: input has ${input.length} values, grid [${nx}, ${ny}, ${nz}] needs ${nx * ny * nz}`);
    }
    if (out && out.length !== specLen) {
      throw new RangeError(`RealFft3d.forward: out has ${out.length} values, half-complex grid needs ${specLen}`);
    }
    if (this.threads === 1) {
      const k = await this.kernel();
      const spec = out && this.usable(out, false) ? out : new Float32Array(specLen);
      k.slabsForward(input, spec, 0, nz);
      k.rowsZ(spec, 0, ny, -1);
      if (out && out !== spec) out.set(spec);
      return out ?? spec;
    }
    return exclusive(async () => {
      const real = isShared(input) ? input : stagingBuffer('real', input.length, input);
      const spec = out ? (this.usable(out, true) ? out : stagingBuffer('spec', specLen)) : sharedFloat32(specLen);
      const base = { engine: this.engine, dims: this.dims, real, spec, sign: -1 as const };
      await runPhasesLocked(this.threads, [
        { ...base, kind: 'slabsForward', count: nz },
        { ...base, kind: 'rowsZ', count: ny },
      ]);
      if (out && out !== spec) out.set(spec);
      return out ?? spec;
    });
  }

  async inverse(spectrum: Float32Array, out?: Float32Array, options: InverseOptions = {}): Promise<Float32Array> {
    const [nx, ny, nz] = this.dims;
    const cx = this.complexDims[0];
    if (spectrum.length !== 2 * cx * ny * nz) {
      throw new RangeError(`RealFft3d.inverse: spectrum has ${spectrum.length} values, half-complex grid [${cx}, ${ny}, ${nz}] needs ${2 * cx * ny * nz}`);
    }
    if (out && out.length !== nx * ny * nz) {
      throw new RangeError(`RealFft3d.inverse: out has ${out.length} values, grid needs ${nx * ny * nz}`);
    }
    const sq = options.squares;
    if (sq && sq.acc.length !== nx * ny * nz) {
      throw new RangeError(`RealFft3d.inverse: squares.acc has ${sq.acc.length} values, grid needs ${nx * ny * nz}`);
    }
    const radius = options.radius;
    const mode = sq ? SQUARES_MODES[sq.mode] : 0;
    const scale = sq?.scale ?? 1;
    if (this.threads === 1) {
      const real = out ?? new Float32Array(nx * ny * nz);
      const k = await this.kernel();
      const spec = this.usable(spectrum, false) ? spectrum : spectrum.slice();
      k.rowsZ(spec, 0, ny, 1, radius);
      slabsInverseWithFold(k, this.dims, spec, real, sq?.acc, 0, nz, radius, mode, scale);
      return real;
    }
    return exclusive(async () => {
      const spec = this.usable(spectrum, true) ? spectrum : stagingBuffer('spec', spectrum.length, spectrum);
      const real = out ? (isShared(out) ? out : stagingBuffer('real', nx * ny * nz)) : sharedFloat32(nx * ny * nz);
      const onPool = sq !== undefined && isShared(sq.acc);
      const base = { engine: this.engine, dims: this.dims, real, spec, sign: 1 as const, radius };
      await runPhasesLocked(this.threads, [
        { ...base, kind: 'rowsZ', count: ny },
        { ...base, kind: 'slabsInverse', count: nz, ...(onPool && mode ? { acc: sq.acc, accMode: mode, accScale: scale } : {}) },
      ]);
      if (sq && !onPool && mode) foldSquares(real, sq.acc, 0, real.length, mode, scale);
      if (out && out !== real) out.set(real);
      return out ?? real;
    });
  }

  async inverseNorm<A>(spectra: readonly Float32Array[], acc: Float32Array, options: InverseNormOptions<A> = {}): Promise<void> {
    const [nx, ny, nz] = this.dims;
    const specLen = 2 * this.complexDims[0] * ny * nz;
    if (spectra.length === 0) throw new RangeError('RealFft3d.inverseNorm: no spectrum');
    for (const sp of spectra) {
      if (sp.length !== specLen) throw new RangeError(`RealFft3d.inverseNorm: a spectrum has ${sp.length} values, half-complex grid needs ${specLen}`);
    }
    if (acc.length !== nx * ny * nz) throw new RangeError(`RealFft3d.inverseNorm: acc has ${acc.length} values, grid needs ${nx * ny * nz}`);
    const { radius, root = false, scale = 1, zeroSpectra = false, fill } = options;
    const direct = this.threads === 1 || (isShared(acc) && spectra.every((sp) => this.usable(sp, true)));
    // Off the pool the spectra are filled first, on the calling thread.
    if (fill && (this.threads === 1 || !direct)) fill.body(fill.args, 0, ny);
    if (!direct) {
      const last = spectra.length - 1;
      for (let j = 0; j <= last; j++) {
        await this.inverse(spectra[j], undefined, { radius, squares: { acc, mode: j === 0 ? 'set' : j === last && root ? 'sqrt' : 'add', scale } });
        if (zeroSpectra) spectra[j].fill(0);
      }
      if (last === 0 && root) for (let i = 0; i < acc.length; i++) acc[i] = Math.sqrt(acc[i]) * scale;
      return;
    }
    if (this.threads === 1) {
      const k = await this.kernel();
      const specs = spectra.map((sp) => (this.usable(sp, false) ? sp : sp.slice()));
      for (const sp of specs) k.rowsZ(sp, 0, ny, 1, radius);
      const real = k.slabsInverseNorm ? acc : new Float32Array(nx * ny * nz);
      slabsInverseNormWith(k, this.dims, specs, real, acc, 0, nz, radius, root, scale);
      if (zeroSpectra) for (const sp of spectra) zeroTouchedRows(sp, this.dims, 0, nz, radius);
      return;
    }
    await exclusive(async () => {
      // Scratch for kernels that fold spectrum by spectrum; the SIMD kernel sums in its own memory.
      const real = this.engine === 'wasm' ? sharedFloat32(1) : stagingBuffer('real', nx * ny * nz);
      const base = { engine: this.engine, dims: this.dims, real, spec: spectra[0], specs: [...spectra], sign: 1 as const, radius };
      await runPhasesLocked(this.threads, [
        { ...base, kind: 'rowsZ', count: ny, ...(fill ? { rowTask: taskRef(fill) } : {}) },
        { ...base, kind: 'slabsInverse', count: nz, acc, normRoot: root, accScale: scale, zeroSpecs: zeroSpectra },
      ]);
    });
  }

  async filter<A>(buf: Float32Array, spectrum: Float32Array, gain: RowTask<A>, options: { radius?: number } = {}): Promise<void> {
    const [nx, ny, nz] = this.dims;
    const specLen = 2 * this.complexDims[0] * ny * nz;
    if (buf.length !== nx * ny * nz) throw new RangeError(`RealFft3d.filter: buf has ${buf.length} values, grid needs ${nx * ny * nz}`);
    if (spectrum.length !== specLen) throw new RangeError(`RealFft3d.filter: spectrum has ${spectrum.length} values, half-complex grid needs ${specLen}`);
    const { radius } = options;
    if (this.threads === 1) {
      const k = await this.kernel();
      k.slabsForward(buf, spectrum, 0, nz);
      k.rowsZ(spectrum, 0, ny, -1);
      gain.body(gain.args, 0, ny);
      k.rowsZ(spectrum, 0, ny, 1, radius);
      k.slabsInverse(spectrum, buf, 0, nz, radius);
      return;
    }
    if (!isShared(buf) || !isShared(spectrum)) {
      await this.forward(buf, spectrum);
      gain.body(gain.args, 0, ny);
      await this.inverse(spectrum, buf, { radius });
      return;
    }
    await exclusive(async () => {
      const base = { engine: this.engine, dims: this.dims, real: buf, spec: spectrum };
      await runPhasesLocked(this.threads, [
        { ...base, kind: 'slabsForward', count: nz, sign: -1 },
        { ...base, kind: 'rowsZ', count: ny, sign: 1, radius, rowTask: taskRef(gain), roundTrip: true },
        { ...base, kind: 'slabsInverse', count: nz, sign: 1, radius },
      ]);
    });
  }

  /** True when the kernel can work on spectrum `a` in place: shared when `shared`. */
  private usable(a: Float32Array, shared: boolean): boolean {
    return !shared || isShared(a);
  }

  /** The kernel for the calling thread, built on first use. */
  private async kernel(): Promise<Fft3dKernel> {
    if (!this.local) {
      this.local = this.engine === 'wasm' ? new WasmKernel3d(this.dims) : new StockhamKernel3d(this.dims);
    }
    return this.local;
  }
}

/** What the workers need of a row task: its module and export, and its arguments (no function). */
function taskRef<A>(t: RowTask<A>): RowTaskRef {
  return { module: t.module, fn: t.fn, args: t.args };
}

/**
 * A real 3-D FFT for one grid shape (see `RealFft3d` for the transform and layout). Grids of at
 * least 64³ voxels run on the worker pool (`fft-pool.ts`; `options.threads` or env EMVR_THREADS
 * set the thread count); grids with an even x and 2·3·5-smooth axes use the generated SIMD
 * kernel (float32, ~3e-7 relative error), others the float64 Stockham engine (`autoEngine`;
 * `options.engine` overrides). When `out` is absent and the pool is used, results
 * are backed by a SharedArrayBuffer (passing those back in avoids staging copies).
 */
export function createRealFft3d(dims: Vec3, options: RealFft3dOptions = {}): RealFft3d {
  return new RealFft3dImpl(dims, options);
}

export { fftFreq, goodFftSize } from './contract.ts';
