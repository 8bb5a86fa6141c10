/**
 * Resizing a map to a coarser or finer sampling Ts' (level0-spec.md 2.4, "resizeMap", Ts' = res/2):
 *
 *   f = Ts/Ts' per axis; N' = floor(N·f) resampled voxels per axis; W = 2·floor(nx·f_x/2).
 *   1. When downsampling (f < 1 on an axis): low-pass with the raised cosine of cutoff f/2 and
 *      width 0.02 (digital, original grid; `raisedCosineLowPassGain`). No filter when upsampling.
 *   2. Cubic B-spline interpolation (interpolating cubic spline: B-spline coefficients prefiltered
 *      so that the spline passes through the samples), periodic boundary, scaling about the box
 *      centre: resampled index i' ↦ original coordinate u = floor(N/2) + (i' − floor(N'/2))·N/N'.
 *   3. Window to W×W×W: resampled index i' = j − floor(W/2) + floor(N'/2) for output j < W,
 *      zero where i' is outside [0, N') (centred crop or zero pad keeping the centre voxel).
 *
 * How: one forward FFT carries both the low-pass and the spline prefilter, the exact periodic
 * inverse of the sampled cubic B-spline (gain 1/Π_k B(w_k), B(w) = (2 + cos 2πw)/3); one inverse
 * FFT gives the spline coefficients c; the spline Σ c[m]·β³(u − m) is then evaluated separably,
 * one axis after the other, only at the W output positions of each axis.
 *
 * Anisotropic voxels: factors are per axis (f_k = T_k/Ts') and the low-pass is applied on the
 * physical frequency |s| with cutoff 1/(2·Ts') Å⁻¹ and width 0.02/T_x Å⁻¹, which is the digital
 * rule above when the voxel is isotropic.
 */
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { parallelFor, threadsForVoxels } from '../fft/fft-pool.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import { applyRadialFilter, applySeparableFilter, raisedCosineLowPassGain } from './filters.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** Result of a resize. */
export interface ResizeResult {
  /** The W×W×W map; voxelSize is the declared Ts' on every axis; origin puts output voxel
   *  floor(W/2) at the position of original voxel floor(N/2) on each axis. */
  volume: Volume;
  /** f = T/Ts' per axis. */
  factor: Vec3;
  /** N' = floor(N·f) per axis (the resampled grid before windowing). */
  resampledDims: Vec3;
  /** The true spacing T·N/N' per axis (Å); the declared one is Ts'. */
  exactVoxelSize: Vec3;
  /** Window edge W = 2·floor(nx·f_x/2). */
  window: number;
  /** True when the low-pass was applied (some f < 1). */
  lowPassed: boolean;
}

/** Options of `resizeToSampling`. */
export interface ResizeOptions {
  /** Raised-cosine width of the anti-alias filter, digital (default 0.02). */
  width?: number;
}

/** Cubic B-spline β³(t): 2/3 − t² + |t|³/2 for |t| < 1, (2 − |t|)³/6 for 1 ≤ |t| < 2, else 0. */
export function cubicBSpline(t: number): number {
  const a = Math.abs(t);
  if (a < 1) return 2 / 3 - a * a + (a * a * a) / 2;
  if (a < 2) {
    const b = 2 - a;
    return (b * b * b) / 6;
  }
  return 0;
}

/** Per output index along one axis: 4 source indices (periodic) and weights; weights 0 = outside. */
export interface AxisTaps {
  idx: Int32Array;
  w: Float64Array;
}

/** Taps of output j < W on an axis of N original and N' resampled voxels (see file comment). */
function axisTaps(N: number, Np: number, W: number): AxisTaps {
  const idx = new Int32Array(4 * W);
  const w = new Float64Array(4 * W);
  const step = N / Np;
  for (let j = 0; j < W; j++) {
    const ip = j - (W >> 1) + (Np >> 1);
    if (ip < 0 || ip >= Np) continue; // zero pad
    const u = (N >> 1) + (ip - (Np >> 1)) * step;
    const m0 = Math.floor(u) - 1;
    for (let t = 0; t < 4; t++) {
      const m = m0 + t;
      idx[4 * j + t] = ((m % N) + N) % N;
      w[4 * j + t] = cubicBSpline(u - m);
    }
  }
  return { idx, w };
}

/**
 * Resizes `v` to the sampling `targetVoxel` (Ts', Å) following level0-spec.md 2.4 (see the file
 * comment). Input untouched. Preconditions: targetVoxel > 0, every floor(N·f) ≥ 1 and W ≥ 2.
 */
export async function resizeToSampling(v: Volume, targetVoxel: number, opts: ResizeOptions = {}): Promise<ResizeResult> {
  if (!(targetVoxel > 0)) throw new RangeError(`resizeToSampling: target voxel must be > 0, got ${targetVoxel}`);
  const width = opts.width ?? 0.02;
  const dims = v.dims;
  const T = v.voxelSize;
  const factor: Vec3 = [T[0] / targetVoxel, T[1] / targetVoxel, T[2] / targetVoxel];
  const Np: Vec3 = [Math.floor(dims[0] * factor[0]), Math.floor(dims[1] * factor[1]), Math.floor(dims[2] * factor[2])];
  const W = 2 * Math.floor((dims[0] * factor[0]) / 2);
  if (Np.some((n) => n < 1) || W < 2) {
    throw new RangeError(`resizeToSampling: [${dims.join(', ')}] at ${T.join('×')} Å to ${targetVoxel} Å leaves too few voxels (N' = [${Np.join(', ')}], W = ${W})`);
  }
  const lowPassed = factor.some((f) => f < 1);

  // Spline coefficients c = IFFT(F · lowpass · 1/ΠB).
  const fft = createRealFft3d(dims);
  const spec = await fft.forward(v.data);
  if (lowPassed) {
    const iso = T[0] === T[1] && T[1] === T[2];
    if (iso) applyRadialFilter(spec, dims, (w) => raisedCosineLowPassGain(w, factor[0] / 2, width));
    else applyRadialFilter(spec, dims, (s) => raisedCosineLowPassGain(s, 1 / (2 * targetVoxel), width / T[0]), { voxelSize: T });
  }
  const inv = (n: number, count: number): Float64Array => {
    const g = new Float64Array(count);
    for (let i = 0; i < count; i++) g[i] = 3 / (2 + Math.cos(2 * Math.PI * fftFreq(i, n)));
    return g;
  };
  applySeparableFilter(spec, dims, inv(dims[0], (dims[0] >> 1) + 1), inv(dims[1], dims[1]), inv(dims[2], dims[2]));
  const coef = await fft.inverse(spec);

  const data = await evaluateSpline(coef, dims, [axisTaps(dims[0], Np[0], W), axisTaps(dims[1], Np[1], W), axisTaps(dims[2], Np[2], W)], W);
  const centre = (k: 0 | 1 | 2): number => v.origin[k] + (dims[k] >> 1) * T[k] - (W >> 1) * targetVoxel;
  const origin: Vec3 = [centre(0), centre(1), centre(2)];
  return {
    volume: { dims: [W, W, W], voxelSize: [targetVoxel, targetVoxel, targetVoxel], origin, data },
    factor,
    resampledDims: Np,
    exactVoxelSize: [(T[0] * dims[0]) / Np[0], (T[1] * dims[1]) / Np[1], (T[2] * dims[2]) / Np[2]],
    window: W,
    lowPassed,
  };
}

/**
 * Separable evaluation: x, then y, then z, each axis from its taps (float32 intermediates, sums
 * in float64 registers: ~1e-7 relative, half the memory of float64 for large boxes). Each pass
 * writes disjoint rows or planes, so the passes run on the worker pool with the same result.
 */
async function evaluateSpline(c: Float32Array, dims: Vec3, taps: [AxisTaps, AxisTaps, AxisTaps], W: number): Promise<Float32Array> {
  const [nx, ny, nz] = dims;
  const threads = threadsForVoxels(nx * ny * nz);
  const args: SplineArgs = { c, dims, taps, W, a: sharedFloat32(W * ny * nz), b: sharedFloat32(W * W * nz), out: sharedFloat32(W * W * W) };
  await parallelFor(import.meta.url, 'splineAlongX', splineAlongX, args, ny * nz, threads);
  await parallelFor(import.meta.url, 'splineAlongY', splineAlongY, args, nz, threads);
  await parallelFor(import.meta.url, 'splineAlongZ', splineAlongZ, args, W, threads);
  return args.out;
}

/** Arguments of the three passes of `evaluateSpline` (big arrays on shared memory). */
export interface SplineArgs {
  c: Float32Array;
  dims: Vec3;
  taps: [AxisTaps, AxisTaps, AxisTaps];
  W: number;
  /** After x: [W, ny, nz]; after y: [W, W, nz]; after z: [W, W, W]. */
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
}

/** Along x, rows [r0, r1) of [nx, ny, nz] → [W, ny, nz]; a `parallelFor` body. */
export function splineAlongX({ c, dims, taps, W, a }: SplineArgs, r0: number, r1: number): void {
  const nx = dims[0];
  const { idx, w } = taps[0];
  for (let row = r0; row < r1; row++) {
    const s = row * nx, d = row * W;
    for (let j = 0; j < W; j++) {
      const t = 4 * j;
      a[d + j] = w[t] * c[s + idx[t]] + w[t + 1] * c[s + idx[t + 1]] + w[t + 2] * c[s + idx[t + 2]] + w[t + 3] * c[s + idx[t + 3]];
    }
  }
}

/** Along y, planes z ∈ [z0, z1) of [W, ny, nz] → [W, W, nz], whole x rows at a time; a `parallelFor` body. */
export function splineAlongY({ dims, taps, W, a, b }: SplineArgs, z0: number, z1: number): void {
  const ny = dims[1];
  const { idx, w } = taps[1];
  for (let z = z0; z < z1; z++) {
    for (let j = 0; j < W; j++) {
      const t = 4 * j;
      const w0 = w[t], w1 = w[t + 1], w2 = w[t + 2], w3 = w[t + 3];
      const d = W * (j + W * z);
      if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
      const r0 = W * (idx[t] + ny * z), r1 = W * (idx[t + 1] + ny * z), r2 = W * (idx[t + 2] + ny * z), r3 = W * (idx[t + 3] + ny * z);
      for (let x = 0; x < W; x++) b[d + x] = w0 * a[r0 + x] + w1 * a[r1 + x] + w2 * a[r2 + x] + w3 * a[r3 + x];
    }
  }
}

/** Along z, output planes [j0, j1) of [W, W, nz] → [W, W, W], whole xy planes at a time; a `parallelFor` body. */
export function splineAlongZ({ taps, W, b, out }: SplineArgs, j0: number, j1: number): void {
  const { idx, w } = taps[2];
  const plane = W * W;
  for (let j = j0; j < j1; j++) {
    const t = 4 * j;
    const w0 = w[t], w1 = w[t + 1], w2 = w[t + 2], w3 = w[t + 3];
    if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
    const d = plane * j;
    const p0 = plane * idx[t], p1 = plane * idx[t + 1], p2 = plane * idx[t + 2], p3 = plane * idx[t + 3];
    for (let q = 0; q < plane; q++) out[d + q] = w0 * b[p0 + q] + w1 * b[p1 + q] + w2 * b[p2 + q] + w3 * b[p3 + q];
  }
}

/**
 * The "resized map" of level0-spec.md 2.4: `resizeToSampling(v, res/2)` (declared Ts' = res/2).
 * Precondition res > 0.
 */
export function resizeToResolution(v: Volume, res: number, opts: ResizeOptions = {}): Promise<ResizeResult> {
  if (!(res > 0)) throw new RangeError(`resizeToResolution: resolution must be > 0 Å, got ${res}`);
  return resizeToSampling(v, res / 2, opts);
}

/**
 * A mask (0/1 or fractional values, on the grid of `like`) through exactly the same steps as a map
 * (low-pass when downsampling, cubic B-spline, window). The result holds interpolated values,
 * roughly the local mask fraction, with small ringing outside [0, 1] next to edges; the caller
 * thresholds it (e.g. ≥ 0.5 for a hard mask, ≥ 0.15 as DeepRes does). Same geometry as
 * `resizeToSampling(like, targetVoxel)`.
 */
export function resizeMask(mask: Uint8Array | Float32Array, like: Volume, targetVoxel: number, opts: ResizeOptions = {}): Promise<ResizeResult> {
  const n = like.dims[0] * like.dims[1] * like.dims[2];
  if (mask.length !== n) throw new RangeError(`resizeMask: mask has ${mask.length} values, grid [${like.dims.join(', ')}] needs ${n}`);
  const data = mask instanceof Float32Array ? mask : Float32Array.from(mask);
  return resizeToSampling({ dims: like.dims, voxelSize: like.voxelSize, origin: like.origin, data }, targetVoxel, opts);
}
