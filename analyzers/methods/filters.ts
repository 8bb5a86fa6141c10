/**
 * Fourier filters of maps and the Riesz (monogenic) components used by MonoRes and LocBFactor.
 *
 * Frequencies: the digital frequency of half-complex index (kx, ky, kz) is
 * w = (fftFreq(kx, nx), fftFreq(ky, ny), fftFreq(kz, nz)) in cycles/voxel (|w_k| ≤ 0.5; for even
 * n the index n/2 counts as +0.5). With a `voxelSize` [Tx, Ty, Tz] (Å) the physical frequency is
 * s = (wx/Tx, wy/Ty, wz/Tz) in Å⁻¹. Every filter here is a real, even gain, so it maps a
 * Hermitian spectrum to a Hermitian spectrum and a real map to a real map; all boundaries are
 * circular (the FFT's periodic extension of the box).
 *
 * Spectra are the half-complex grids of `RealFft3d` (interleaved re, im; layout in `fft.ts`).
 * For several filters of one map, transform once, then call `applyRadialFilter` /
 * `applySeparableFilter` with an `out` buffer and invert each result: the spectrum is reused.
 */
import { createRealFft3d, fftFreq, type RealFft3d } from '../fft/fft.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** A gain as a function of the frequency magnitude (cycles/voxel, or Å⁻¹ with a voxel size). */
export type RadialGain = (w: number) => number;

/** Options of the spectrum-level filters. */
export interface SpectrumFilterOptions {
  /** When given, the gain receives |s| in Å⁻¹ (s_k = w_k/T_k) instead of the digital |w|. */
  voxelSize?: Vec3;
  /** Destination spectrum (same length); default: the input spectrum is overwritten. */
  out?: Float32Array;
}

/**
 * Raised-cosine low-pass gain: 1 for w ≤ cutoff, 0.5·(1 + cos(π·(w − cutoff)/width)) for
 * cutoff < w < cutoff + width, 0 for w ≥ cutoff + width. width ≤ 0 gives a hard cut (1 for
 * w ≤ cutoff, else 0).
 */
export function raisedCosineLowPassGain(w: number, cutoff: number, width = 0.02): number {
  if (w <= cutoff) return 1;
  if (width <= 0 || w >= cutoff + width) return 0;
  return 0.5 * (1 + Math.cos((Math.PI * (w - cutoff)) / width));
}

/**
 * Raised-cosine high-pass gain (MonoRes, level0-spec.md 8.1 step 4): 0 for w ≤ cutoff − width,
 * 0.5·(1 + cos(π·(w − cutoff)/width)) for cutoff − width < w < cutoff, 1 for w ≥ cutoff. Note the
 * taper lies *below* the cutoff, so this is not 1 − raisedCosineLowPassGain(w, cutoff, width).
 */
export function raisedCosineHighPassGain(w: number, cutoff: number, width = 0.02): number {
  if (w >= cutoff) return 1;
  if (width <= 0 || w <= cutoff - width) return 0;
  return 0.5 * (1 + Math.cos((Math.PI * (w - cutoff)) / width));
}

/**
 * Band (shell) gain: raisedCosineHighPassGain(w, low, width)·raisedCosineLowPassGain(w, high,
 * width) — 1 on [low, high], raised-cosine tapers on (low − width, low) and (high, high + width),
 * 0 elsewhere. Precondition low ≤ high.
 */
export function bandShellGain(w: number, low: number, high: number, width = 0.02): number {
  return raisedCosineHighPassGain(w, low, width) * raisedCosineLowPassGain(w, high, width);
}

/** Gaussian gain exp(−2π²σ²w²): the transform of a unit-sum Gaussian of std σ (same units as 1/w). */
export function gaussianGain(w: number, sigma: number): number {
  return Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * w * w);
}

function checkSpectrum(spectrum: Float32Array, dims: Vec3, what: string): number {
  const [nx, ny, nz] = dims;
  const cx = (nx >> 1) + 1;
  const len = 2 * cx * ny * nz;
  if (spectrum.length !== len) throw new RangeError(`${what}: spectrum has ${spectrum.length} values, half-complex grid [${cx}, ${ny}, ${nz}] needs ${len}`);
  return cx;
}

/** Per-axis frequency tables: squared frequency per index (digital or physical). */
function axisFreqs(n: number, count: number, step: number): Float64Array {
  const f = new Float64Array(count);
  for (let i = 0; i < count; i++) f[i] = fftFreq(i, n) / step;
  return f;
}

/**
 * Multiplies every coefficient of a half-complex spectrum by gain(|w|) (digital) or gain(|s|)
 * (Å⁻¹, when `opts.voxelSize` is given), writing into `opts.out` (default: in place). Returns the
 * destination. On a cube with isotropic voxels the gain is tabulated exactly on the integer
 * n²|w|² = kx² + ky² + kz², so it is called only ~0.75·n² times.
 */
export function applyRadialFilter(spectrum: Float32Array, dims: Vec3, gain: RadialGain, opts: SpectrumFilterOptions = {}): Float32Array {
  const cx = checkSpectrum(spectrum, dims, 'applyRadialFilter');
  const out = opts.out ?? spectrum;
  if (out.length !== spectrum.length) throw new RangeError(`applyRadialFilter: out has ${out.length} values, spectrum ${spectrum.length}`);
  const [nx, ny, nz] = dims;
  const T: Vec3 = opts.voxelSize ?? [1, 1, 1];
  const isoT = T[0] === T[1] && T[1] === T[2];
  if (nx === ny && ny === nz && isoT) {
    // Signed index per axis, |w|² = r2 / (n·T)² with r2 an integer < 3·(n/2 + 1)².
    const n = nx;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i <= n / 2 ? i : i - n;
    const h = n >> 1;
    const table = new Float64Array(3 * (h + 1) * (h + 1));
    const scale = 1 / (n * T[0]);
    for (let r2 = 0; r2 < table.length; r2++) table[r2] = gain(Math.sqrt(r2) * scale);
    let p = 0;
    for (let z = 0; z < nz; z++) {
      const z2 = idx[z] * idx[z];
      for (let y = 0; y < ny; y++) {
        const yz2 = idx[y] * idx[y] + z2;
        for (let x = 0; x < cx; x++, p += 2) {
          const g = table[x * x + yz2];
          out[p] = g * spectrum[p];
          out[p + 1] = g * spectrum[p + 1];
        }
      }
    }
    return out;
  }
  const fx = axisFreqs(nx, cx, T[0]), fy = axisFreqs(ny, ny, T[1]), fz = axisFreqs(nz, nz, T[2]);
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const yz2 = fy[y] * fy[y] + fz[z] * fz[z];
      for (let x = 0; x < cx; x++, p += 2) {
        const g = gain(Math.sqrt(fx[x] * fx[x] + yz2));
        out[p] = g * spectrum[p];
        out[p + 1] = g * spectrum[p + 1];
      }
    }
  }
  return out;
}

/**
 * Multiplies coefficient (kx, ky, kz) by gx[kx]·gy[ky]·gz[kz] (a separable real gain; gx has
 * floor(nx/2)+1 entries, gy ny, gz nz, indexed like the spectrum), into `out` (default: in place).
 * Returns the destination.
 */
export function applySeparableFilter(spectrum: Float32Array, dims: Vec3, gx: Float64Array, gy: Float64Array, gz: Float64Array, out: Float32Array = spectrum): Float32Array {
  const cx = checkSpectrum(spectrum, dims, 'applySeparableFilter');
  const [, ny, nz] = dims;
  if (gx.length !== cx || gy.length !== ny || gz.length !== nz) {
    throw new RangeError(`applySeparableFilter: gains have ${gx.length}, ${gy.length}, ${gz.length} entries, need ${cx}, ${ny}, ${nz}`);
  }
  if (out.length !== spectrum.length) throw new RangeError(`applySeparableFilter: out has ${out.length} values, spectrum ${spectrum.length}`);
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const gyz = gy[y] * gz[z];
      for (let x = 0; x < cx; x++, p += 2) {
        const g = gx[x] * gyz;
        out[p] = g * spectrum[p];
        out[p + 1] = g * spectrum[p + 1];
      }
    }
  }
  return out;
}

/** Options of the volume-level filters. */
export interface VolumeFilterOptions {
  /** Output data (length nx·ny·nz); default a new array. May be `v.data` (in-place filtering). */
  out?: Float32Array;
  /** FFT object for v.dims, to reuse its plans and staging buffers across calls. */
  fft?: RealFft3d;
}

/** Forward FFT of v, `modify` on the spectrum, inverse into a volume on v's grid. */
async function filterWith(v: Volume, opts: VolumeFilterOptions, modify: (spec: Float32Array) => void): Promise<Volume> {
  const fft = opts.fft ?? createRealFft3d(v.dims);
  if (fft.dims[0] !== v.dims[0] || fft.dims[1] !== v.dims[1] || fft.dims[2] !== v.dims[2]) {
    throw new RangeError(`filter: fft is for [${fft.dims.join(', ')}], volume is [${v.dims.join(', ')}]`);
  }
  const spec = await fft.forward(v.data);
  modify(spec);
  const data = await fft.inverse(spec, opts.out);
  return { dims: v.dims, voxelSize: v.voxelSize, origin: v.origin, data };
}

/**
 * Gaussian smoothing with std `sigmaVoxels` voxels (one value, or one per axis), circular
 * boundary: transfer exp(−2π²·Σ_k σ_k²·w_k²) on the digital frequency w. This is the circular
 * convolution with a unit-sum Gaussian band-limited to the grid; scipy.ndimage.gaussian_filter
 * (mode='wrap') samples the Gaussian instead, which differs by aliasing of relative size
 * ~exp(−π²σ²/2) (< 1e-4 for σ ≥ 1.4 voxels) plus its truncation. Same grid, origin and voxel
 * size as `v`.
 */
export function gaussianFilter(v: Volume, sigmaVoxels: number | Vec3, opts: VolumeFilterOptions = {}): Promise<Volume> {
  const s: Vec3 = typeof sigmaVoxels === 'number' ? [sigmaVoxels, sigmaVoxels, sigmaVoxels] : sigmaVoxels;
  if (!s.every((x) => x >= 0)) throw new RangeError(`gaussianFilter: sigma must be ≥ 0, got [${s.join(', ')}]`);
  const [nx, ny, nz] = v.dims;
  const table = (n: number, count: number, sigma: number): Float64Array => {
    const g = new Float64Array(count);
    for (let i = 0; i < count; i++) g[i] = gaussianGain(fftFreq(i, n), sigma);
    return g;
  };
  const gx = table(nx, (nx >> 1) + 1, s[0]), gy = table(ny, ny, s[1]), gz = table(nz, nz, s[2]);
  return filterWith(v, opts, (spec) => applySeparableFilter(spec, v.dims, gx, gy, gz));
}

/**
 * Raised-cosine low-pass on the digital |w| (`raisedCosineLowPassGain`: 1 up to `cutoff`, cosine
 * taper to 0 at cutoff + width, cycles/voxel). Same grid as `v`.
 */
export function raisedCosineLowPass(v: Volume, cutoff: number, width = 0.02, opts: VolumeFilterOptions = {}): Promise<Volume> {
  return filterWith(v, opts, (spec) => applyRadialFilter(spec, v.dims, (w) => raisedCosineLowPassGain(w, cutoff, width)));
}

/**
 * Raised-cosine high-pass on the digital |w| (`raisedCosineHighPassGain`: 0 up to cutoff − width,
 * cosine taper to 1 at `cutoff`, cycles/voxel). Same grid as `v`.
 */
export function raisedCosineHighPass(v: Volume, cutoff: number, width = 0.02, opts: VolumeFilterOptions = {}): Promise<Volume> {
  return filterWith(v, opts, (spec) => applyRadialFilter(spec, v.dims, (w) => raisedCosineHighPassGain(w, cutoff, width)));
}

/** Band-pass shell on the digital |w| (`bandShellGain`: 1 on [low, high], raised-cosine tapers of
 *  `width` outside it, cycles/voxel). Same grid as `v`. */
export function bandShell(v: Volume, low: number, high: number, width = 0.02, opts: VolumeFilterOptions = {}): Promise<Volume> {
  if (!(low <= high)) throw new RangeError(`bandShell: need low ≤ high, got ${low}, ${high}`);
  return filterWith(v, opts, (spec) => applyRadialFilter(spec, v.dims, (w) => bandShellGain(w, low, high, width)));
}

/** Options of the Riesz helpers. */
export interface RieszOptions {
  /** Direction cosines use s_k = w_k/T_k (physical); default digital w (same for isotropic voxels). */
  voxelSize?: Vec3;
  /** FFT object for `dims` (reuses plans and staging); default a new one. */
  fft?: RealFft3d;
  /** Scratch spectrum (same length as the spectrum), overwritten; default allocated per call. */
  work?: Float32Array;
}

/**
 * Writes into `work` the spectrum −i·(s_axis/|s|)·G (0 at DC and, for even n_axis, on the Nyquist
 * plane k_axis = n_axis/2: there the multiplier is not Hermitian and numpy's complex result has an
 * imaginary part; this real version drops it).
 */
function rieszSpectrum(G: Float32Array, dims: Vec3, axis: 0 | 1 | 2, T: Vec3, work: Float32Array): void {
  const [nx, ny, nz] = dims;
  const cx = (nx >> 1) + 1;
  const fx = axisFreqs(nx, cx, T[0]), fy = axisFreqs(ny, ny, T[1]), fz = axisFreqs(nz, nz, T[2]);
  const nyqX = nx % 2 === 0 ? nx >> 1 : -1;
  const nyqY = ny % 2 === 0 ? ny >> 1 : -1;
  const nyqZ = nz % 2 === 0 ? nz >> 1 : -1;
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const yz2 = fy[y] * fy[y] + fz[z] * fz[z];
      const rowZero = (axis === 1 && y === nyqY) || (axis === 2 && z === nyqZ);
      const fa = axis === 1 ? fy[y] : fz[z];
      for (let x = 0; x < cx; x++, p += 2) {
        const r2 = fx[x] * fx[x] + yz2;
        if (rowZero || r2 === 0 || (axis === 0 && x === nyqX)) {
          work[p] = 0;
          work[p + 1] = 0;
          continue;
        }
        const h = (axis === 0 ? fx[x] : fa) / Math.sqrt(r2);
        const re = G[p], im = G[p + 1];
        // (−i·h)·(re + i·im) = h·im − i·h·re
        work[p] = h * im;
        work[p + 1] = -h * re;
      }
    }
  }
}

/**
 * Riesz components of a (filtered) spectrum G on grid `dims`: out[k] = IFFT(−i·(s_k/|s|)·G) for
 * k = x, y, z (real volumes, x fastest, 1/N included), with the DC term and each component's own
 * Nyquist plane set to 0 (see `rieszSpectrum`). `G` is not modified; `out` arrays (length
 * nx·ny·nz) are overwritten. Cost: three inverse FFTs; memory: one scratch spectrum.
 */
export async function rieszComponents(G: Float32Array, dims: Vec3, out: [Float32Array, Float32Array, Float32Array], opts: RieszOptions = {}): Promise<void> {
  checkSpectrum(G, dims, 'rieszComponents');
  const fft = opts.fft ?? createRealFft3d(dims);
  const work = opts.work ?? sharedFloat32(G.length);
  const T = opts.voxelSize ?? [1, 1, 1];
  for (const axis of [0, 1, 2] as const) {
    rieszSpectrum(G, dims, axis, T, work);
    await fft.inverse(work, out[axis]);
  }
}

/**
 * Monogenic amplitude A = √(v² + v_x² + v_y² + v_z²) with v = IFFT(G) and v_k the Riesz components
 * of `rieszComponents`, written into `out` (length nx·ny·nz, overwritten; returned). `G` is not
 * modified. Memory: one scratch spectrum (`opts.work`) and one real scratch volume (`real`).
 */
export async function monogenicAmplitude(G: Float32Array, dims: Vec3, out: Float32Array, opts: RieszOptions & { real?: Float32Array } = {}): Promise<Float32Array> {
  checkSpectrum(G, dims, 'monogenicAmplitude');
  const fft = opts.fft ?? createRealFft3d(dims);
  const work = opts.work ?? sharedFloat32(G.length);
  const real = opts.real ?? sharedFloat32(out.length);
  const T = opts.voxelSize ?? [1, 1, 1];
  work.set(G);
  await fft.inverse(work, real);
  for (let i = 0, n = out.length; i < n; i++) out[i] = real[i] * real[i];
  for (const axis of [0, 1, 2] as const) {
    rieszSpectrum(G, dims, axis, T, work);
    await fft.inverse(work, real);
    for (let i = 0, n = out.length; i < n; i++) out[i] += real[i] * real[i];
  }
  for (let i = 0, n = out.length; i < n; i++) out[i] = Math.sqrt(out[i]);
  return out;
}
