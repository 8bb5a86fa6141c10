/**
 * 0.e Local resolution with MonoRes in single-map mode (level0-spec.md §8 for the reporting, §8.1
 * for the algorithm; Vilas et al., Structure 26:337, 2018): the classical replacement of VRS's
 * DeepRes neural network, reported as "Local resolution (MonoRes, single map)".
 *
 * Idea: at digital frequency ω the map is high-passed above ω; the amplitude of its monogenic
 * signal (the map and its three Riesz components), smoothed to the scale 1/ω, is compared with the
 * α-quantile of the same amplitude over noise voxels (outside the mask). Going from low to high
 * frequency, a voxel's resolution is the last resolution at which it stood out of the noise,
 * allowing one isolated failure. Resolutions are in Å; digital frequencies in cycles/voxel.
 *
 * Where the spec leaves room (each choice is documented where it is made):
 * - the voxel is assumed isotropic (Ts = voxelSize[0]); frequencies are snapped to the Fourier
 *   index grid of the ORIGINAL box along x, N = nx, and a voxel gets the resolution of the snapped
 *   frequency, Ts·N/k (as MonoRes does), not the nominal r of the loop;
 * - the DC term is never part of any monogenic signal (the Riesz transform is undefined there);
 *   Riesz multipliers are 0 on an axis's Nyquist plane (even n), where −i·w_k/|w| has no real
 *   counterpart;
 * - the cliff test only relabels NOISE voxels (its purpose is to drop zeroed corners from the
 *   noise set); protein voxels are never excluded by it; for a non-cubic box N = min(dims);
 * - the z-test and the mean-amplitude test stop the loop BEFORE a frequency updates any voxel
 *   (nothing is assigned at a frequency where the signal as a whole is not above the noise);
 *   the 2.5 % rule stops it after the update;
 * - work box (`crop`, default on): all spectral work runs on a sub-box holding the protein mask
 *   plus a margin of 3·r_lo/Ts voxels (clipped to the box; edge rounded up to a multiple of 16
 *   with factors 2, 3, 5, which fft.ts's SIMD engine accepts). The noise set is then the
 *   background inside that sub-box; noise voxels within r_lo/Ts of a face where the sub-box cuts
 *   the map are excluded (the FFT wraps there). This leaves the monogenic amplitude at protein
 *   voxels unchanged (their neighbourhood is kept) and samples the same stationary noise, at a
 *   fraction of the cost for padded boxes (EMD-44046 + noise: 192³ instead of 360³, percentiles
 *   equal to the full-box run except p97.5, 6.79 vs 6.67 Å).
 * - the mask refinement's full-band amplitude uses v = V − mean(V) (no DC, as above).
 * Half-map mode (1.e, and 0.e on masked deposits; `opts.noise`): the map is the half-map mean and
 * the noise the monogenic amplitude of the half-map difference at the mask voxels, computed at
 * every frequency on a second engine that shares the first's scratch buffers (level1A-spec.md
 * §1.e): no background, cliff test, noise check or mask refinement; the work box keeps one guard
 * width around the mask (the FFT wrap only).
 * FFTs: 1 forward of the map; mask refinement 3 inverse + 2 (smoothing); per analysed frequency
 * 6 (`FFTS_PER_FREQUENCY`: inverse of v, v_x, v_y, v_z, forward and inverse of the amplitude's
 * low-pass); post-processing 2 (smoothing). 26 frequencies (res 3 Å) → 164 FFTs.
 * Per frequency and engine, 5 pool round trips: the four spectra filled row by row inside the
 * z pass of one `inverseNorm` (2 phases), the low-pass as one `RealFft3d.filter` (3 phases). The
 * main thread's statistics and per-voxel update walk index lists (the noise sample, the active
 * protein voxels), and the noise quantile is an exact two-pass radix selection: a few ms per
 * frequency, so the pool hardly waits for it.
 */
import { createRealFft3d, fftFreq, type RealFft3d, type RowTask } from '../fft/fft.ts';
import { fftThreads, parallelFor } from '../fft/fft-pool.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { valueMaskOf } from '../volume/value-mask.ts';
import { MASKED_ZERO_FRACTION } from './masks.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';
import { histogramSorted, percentileSorted, selectKth } from './order-statistics.ts';
import { normalQuantile } from './distributions.ts';
import { f } from '../util/format.ts';

/** Applicability window of the reported resolution (Å), as VRS's DeepRes item. */
export const MIN_RESOLUTION_A = 2;
export const MAX_RESOLUTION_A = 13;
/** Width (digital frequency) of every raised-cosine transition. */
export const RAISED_COSINE_WIDTH = 0.02;
/** Xmipp "real Gaussian" σ = 4 of the mask refinement, as a true standard deviation (px). */
export const REFINE_SMOOTH_STD_PX = 4 / Math.SQRT2;
/** Xmipp "real Gaussian" σ = 3 of the post-processing, as a true standard deviation (px). */
export const POST_SMOOTH_STD_PX = 3 / Math.SQRT2;
/** Quantile of the noise amplitude below which protein voxels are relabelled noise (mask refinement). */
export const REFINE_QUANTILE = 0.95;
/** Stop when fewer than this fraction of the refined protein voxels are still active. */
export const MIN_ACTIVE_FRACTION = 0.025;
/** Stop when the mean signal amplitude falls below this fraction of the largest mean seen. */
export const MEAN_AMPLITUDE_DROP = 0.001;
/** Cliff test: variance ratio of consecutive shells below which the background is cut off. */
export const CLIFF_RATIO = 0.01;
/** Fewer noise voxels than this cannot give a noise quantile. */
export const MIN_NOISE_VOXELS = 1000;
/**
 * Margin of the work box around the mask, in units of r_lo/Ts voxels: one unit is excluded from
 * the noise at cut faces (the FFT wraps there), the rest holds noise. On EMD-44046 + white noise
 * (σ = 0.1) 3 units reproduced the full-box percentiles within 0.13 Å (p97.5; the others equal);
 * 2 units were twice as fast but moved p97.5 by 0.29 Å.
 */
export const CROP_MARGIN_GUARDS = 3;
/** Percentiles reported (numpy linear interpolation). */
export const PERCENTILES = [2.5, 25, 50, 75, 97.5] as const;
/** Histogram bins (numpy: equal bins over [min, max]). */
export const HISTOGRAM_BINS = 25;
/**
 * Bytes of the three spectra (v_x, v_y, v_z) that let the four monogenic components be filled and
 * transformed together; above it (work boxes from ~280³ on) they share one spectrum and are
 * transformed one at a time (same bits, more pool round trips).
 */
export const MONOGENIC_SPECTRA_BYTES = 256 * 2 ** 20;
/** FFTs per analysed frequency: inverse of v, v_x, v_y, v_z; forward and inverse of the amplitude low-pass. */
export const FFTS_PER_FREQUENCY = 6;

/** Options of `localResolution`. */
export interface LocalResolutionOptions {
  /** Step Δ of the resolution loop (Å). Default 0.5 (Xmipp floor 0.25). */
  step?: number;
  /** Significance α: noise threshold = α-quantile of the noise amplitudes. Default 0.95. */
  alpha?: number;
  /** Work on a sub-box around the mask (see the file comment). Default true. */
  crop?: boolean;
  /**
   * Half-map mode (level1A-spec.md §1.e): the noise volume, the half-map difference (h1 − h2)/2 on
   * the map's grid, whose monogenic amplitude at the mask's voxels is the noise sample at every
   * frequency; `v` is then the half-map mean (h1 + h2)/2. The background is not used: no cliff
   * test, no noise check, no mask refinement (every mask voxel is analysed).
   */
  noise?: Float32Array;
}

/** One analysed frequency (diagnostics, kept in the item's values). */
export interface MonoResStep {
  /** Resolution of the snapped frequency, Å. */
  resolution: number;
  /** Fourier index k of the snapped frequency (ω = k/N). */
  index: number;
  /** Noise threshold T (α-quantile of noise amplitudes). */
  threshold: number;
  meanSignal: number;
  meanNoise: number;
  z: number;
  /** Protein voxels still active after this frequency. */
  active: number;
}

export interface LocalResolutionOutput {
  /** Local resolution per voxel of the input grid (Å), x fastest; 0 outside the final mask. */
  resmap: Float32Array;
  /** How the run went: the sweep, its stop, the masks, the noise, the work box. */
  run: MonoResRun;
}

// ------------------------------------------------------------------------------------------
// Small numerical helpers (private; a shared filters module is being written separately).
// ------------------------------------------------------------------------------------------

/**
 * Raised-cosine high-pass gain at |w| for cut-off ω: 0 below ω − 0.02, 0.5(1 + cos(π(|w| − ω)/0.02))
 * on [ω − 0.02, ω], 1 above. ω = 0 means "all frequencies" (gain 1). DC is handled by the caller.
 */
function highPassGain(w: number, omega: number): number {
  if (w >= omega) return 1;
  if (w <= omega - RAISED_COSINE_WIDTH) return 0;
  return 0.5 * (1 + Math.cos((Math.PI * (w - omega)) / RAISED_COSINE_WIDTH));
}

/** Raised-cosine low-pass gain: 1 below ω, 0.5(1 + cos(π(|w| − ω)/0.02)) on [ω, ω + 0.02], 0 above. */
function lowPassGain(w: number, omega: number): number {
  if (w <= omega) return 1;
  if (w >= omega + RAISED_COSINE_WIDTH) return 0;
  return 0.5 * (1 + Math.cos((Math.PI * (w - omega)) / RAISED_COSINE_WIDTH));
}







// ------------------------------------------------------------------------------------------
// Step 1: labels and the cliff test.
// ------------------------------------------------------------------------------------------

/** Label codes: protein ≥ 1 (1 = passed last frequency, 2 = failed once), noise 0, excluded/frozen −1. */
const NOISE = 0;
const EXCLUDED = -1;

export interface CliffResult {
  labels: Int8Array;
  /** Max radius of protein voxels from the box centre (px). */
  proteinRadius: number;
  /** Radius from which background voxels are excluded (px). */
  cutRadius: number;
  /** True when a variance cliff was found (else the cut is at N/2). */
  cliff: boolean;
}

/**
 * Labels 1 (mask) / 0 (background) / −1, with background voxels at radius ≥ r_lim from the box
 * centre (floor(n/2) per axis) excluded. r_lim: for integer r from floor(R_p) to N/2 − 1 (N =
 * min dims), shell variances var(r) of V over radius ∈ [r, r+1); the first r with var(r)/var(r−1)
 * < 0.01 gives r_lim = r − 1, else r_lim = N/2.
 *
 * Only the shells the test reads are summed: R_p comes first, then shells are summed a band of
 * `CLIFF_BAND` at a time from floor(R_p) − 1 outwards until the cliff is found (on a padded box it
 * is found just outside the protein, and no voxel beyond is read). Each row meets a band in at most
 * two runs of x, visited in memory order: every shell is summed over its voxels in the same order
 * as in one pass over the box, so its variance has the same bits. The labels are written a run of
 * a row at a time (−1 beyond r_lim, 0 within), then 1 on the rows that hold mask voxels.
 */
export function cliffLabels(v: Volume, mask: Uint8Array): CliffResult {
  const [nx, ny, nz] = v.dims;
  const cx = Math.floor(nx / 2), cy = Math.floor(ny / 2), cz = Math.floor(nz / 2);
  const N = Math.min(nx, ny, nz);
  const maxShell = Math.ceil(Math.hypot(nx, ny, nz)) + 1;
  const sum = new Float64Array(maxShell);
  const sum2 = new Float64Array(maxShell);
  const count = new Float64Array(maxShell);
  const d = v.data;
  // R_p, and which rows hold mask voxels.
  const maskRows = new Uint8Array(ny * nz);
  let rp2 = 0;
  for (let row = 0; row < ny * nz; row++) {
    const y = row % ny, z = (row - y) / ny;
    const dyz2 = (z - cz) * (z - cz) + (y - cy) * (y - cy);
    for (let x = 0, i = nx * row; x < nx; x++, i++) {
      if (mask[i] === 0) continue;
      maskRows[row] = 1;
      const r2 = dyz2 + (x - cx) * (x - cx);
      if (r2 > rp2) rp2 = r2;
    }
  }
  /** Σ, Σ² and counts of the shells [s0, s1): the voxels with s0² ≤ r² < s1², in memory order. */
  const sumShells = (s0: number, s1: number) => {
    const lo2 = s0 * s0, hi2 = s1 * s1;
    for (let z = 0; z < nz; z++) {
      const dz2 = (z - cz) * (z - cz);
      for (let y = 0; y < ny; y++) {
        const dyz2 = dz2 + (y - cy) * (y - cy);
        const outer = halfSpan(hi2 - dyz2); // |x − cx| ≤ outer: r² < hi2
        if (outer < 0) continue;
        const inner = halfSpan(lo2 - dyz2); // |x − cx| ≤ inner: r² < lo2 (−1: none)
        const row = nx * (y + ny * z);
        const runs = inner < 0 ? [cx - outer, cx + outer] : [cx - outer, cx - inner - 1, cx + inner + 1, cx + outer];
        for (let k = 0; k < runs.length; k += 2) {
          for (let x = Math.max(0, runs[k]), xEnd = Math.min(nx - 1, runs[k + 1]); x <= xEnd; x++) {
            const sh = Math.floor(Math.sqrt(dyz2 + (x - cx) * (x - cx)));
            const val = d[row + x];
            sum[sh] += val;
            sum2[sh] += val * val;
            count[sh]++;
          }
        }
      }
    }
  };
  const variance = (s: number) => (count[s] > 0 ? sum2[s] / count[s] - (sum[s] / count[s]) ** 2 : NaN);
  const proteinRadius = Math.sqrt(rp2);
  const sEnd = Math.floor(N / 2 - 1) + 1;
  let cutRadius = N / 2;
  let cliff = false;
  let summedTo = Math.max(1, Math.floor(proteinRadius)) - 1;
  for (let r = summedTo + 1; r <= N / 2 - 1; r++) {
    if (r >= summedTo) {
      const to = Math.min(sEnd, Math.max(r + 1, summedTo + CLIFF_BAND));
      sumShells(summedTo, to);
      summedTo = to;
    }
    if (variance(r) / variance(r - 1) < CLIFF_RATIO) {
      cutRadius = r - 1;
      cliff = true;
      break;
    }
  }
  const cut2 = cutRadius * cutRadius;
  const labels = new Int8Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) {
    const dz2 = (z - cz) * (z - cz);
    for (let y = 0; y < ny; y++) {
      const dyz2 = dz2 + (y - cy) * (y - cy);
      const row = nx * (y + ny * z);
      const h = halfSpan(cut2 - dyz2); // |x − cx| ≤ h: r² < cut2, background stays 0
      const a = Math.max(0, cx - h), b = Math.min(nx - 1, cx + h);
      if (a > b) labels.fill(EXCLUDED, row, row + nx);
      else {
        labels.fill(EXCLUDED, row, row + a);
        labels.fill(EXCLUDED, row + b + 1, row + nx);
      }
      if (maskRows[y + ny * z] === 0) continue;
      for (let i = row; i < row + nx; i++) if (mask[i] !== 0) labels[i] = 1;
    }
  }
  return { labels, proteinRadius, cutRadius, cliff };
}

/** Shells summed at a time by `cliffLabels` while it looks for the cliff. */
const CLIFF_BAND = 8;

/** The largest integer m ≥ 0 with m² < c, or −1 when there is none (c ≤ 0). */
function halfSpan(c: number): number {
  if (!(c > 0)) return -1;
  let m = Math.floor(Math.sqrt(c));
  while (m * m >= c) m--;
  while ((m + 1) * (m + 1) < c) m++;
  return m;
}

/** Throws NotMeasurable when the background voxels (label 0) cannot model the noise. */
function checkNoise(data: Float32Array, labels: Int8Array, where: string): number {
  let n = 0;
  let zeros = 0;
  let first = NaN;
  let constant = true;
  for (let i = 0; i < data.length; i++) {
    if (labels[i] !== NOISE) continue;
    const val = data[i];
    n++;
    if (val === 0) zeros++;
    if (n === 1) first = val;
    else if (val !== first) constant = false;
  }
  if (n < MIN_NOISE_VOXELS) {
    throw new NotMeasurable(`only ${n} background voxels ${where} are left to model the noise (at least ${MIN_NOISE_VOXELS} are needed): MonoRes compares the map with the noise outside the mask`);
  }
  if (constant) {
    throw new NotMeasurable(`the background ${where} is constant (all ${n} voxels equal ${first}): the map was masked before deposition, and MonoRes needs the noise outside the mask`);
  }
  if (zeros >= MASKED_ZERO_FRACTION * n) {
    throw new NotMeasurable(`${f((100 * zeros) / n)}% of the ${n} background voxels ${where} are exactly 0: the map was masked before deposition, and MonoRes needs the noise outside the mask`);
  }
  return n;
}

// ------------------------------------------------------------------------------------------
// Work box.
// ------------------------------------------------------------------------------------------

interface WorkBox {
  lo: Vec3;
  dims: Vec3;
  /** Per axis: the work box is smaller than the map (the FFT wraps across a cut). */
  cut: [boolean, boolean, boolean];
}

/**
 * Smallest m ≥ n that is a multiple of 16 with no prime factor above 5: the axis lengths the SIMD
 * engine of fft.ts accepts (other lengths fall back to its slower float64 engine).
 */
function workBoxSize(n: number): number {
  for (let m = Math.max(16, 16 * Math.ceil(n / 16)); ; m += 16) {
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/** The mask's bounding box (`maskExtent`), grown by `margin` voxels, FFT-friendly, clipped to the map. */
function workBox(extent: { lo: Vec3; hi: Vec3 }, dims: Vec3, margin: number): WorkBox {
  const { lo, hi } = extent;
  const outLo: number[] = [];
  const outDims: number[] = [];
  const cut: boolean[] = [];
  for (let a = 0; a < 3; a++) {
    const n = dims[a];
    const want = hi[a] - lo[a] + 1 + 2 * margin;
    const size = want >= n ? n : Math.min(n, workBoxSize(want));
    // Centre the grown box on the mask's box, then slide it inside the map.
    let start = Math.floor((lo[a] + hi[a] + 1 - size) / 2);
    start = Math.max(0, Math.min(n - size, start));
    outLo.push(start);
    outDims.push(size);
    cut.push(size < n);
  }
  return { lo: [outLo[0], outLo[1], outLo[2]], dims: [outDims[0], outDims[1], outDims[2]], cut: [cut[0], cut[1], cut[2]] };
}

/** Copies the work box of a full-grid array into a new array of the box's size. */
function extract<T extends Float32Array | Int8Array | Uint8Array>(src: T, dims: Vec3, box: WorkBox, make: (n: number) => T): T {
  const [nx, ny] = dims;
  const [bx, by, bz] = box.dims;
  const out = make(bx * by * bz);
  for (let z = 0; z < bz; z++) {
    for (let y = 0; y < by; y++) {
      const s = box.lo[0] + nx * (box.lo[1] + y + ny * (box.lo[2] + z));
      out.set(src.subarray(s, s + bx), bx * (y + by * z));
    }
  }
  return out;
}

/** Excludes noise voxels within `guard` voxels of every face where the work box cuts the map. */
function guardCutFaces(labels: Int8Array, box: WorkBox, guard: number): void {
  const [bx, by, bz] = box.dims;
  const near = (c: number, n: number, cut: boolean) => cut && (c < guard || c >= n - guard);
  for (let z = 0, i = 0; z < bz; z++) {
    const nzf = near(z, bz, box.cut[2]);
    for (let y = 0; y < by; y++) {
      const nyf = nzf || near(y, by, box.cut[1]);
      for (let x = 0; x < bx; x++, i++) {
        if (labels[i] === NOISE && (nyf || near(x, bx, box.cut[0]))) labels[i] = EXCLUDED;
      }
    }
  }
}

// ------------------------------------------------------------------------------------------
// Spectral engine: one spectrum of the map, reused buffers.
// ------------------------------------------------------------------------------------------

/**
 * Buffers of the work box: F = spectrum of the map (computed once, never overwritten), W = the
 * four work spectra of the monogenic components v, v_x, v_y, v_z (overwritten by every inverse;
 * W[0] is also the scratch of the real-space filters), R = real scratch, A = amplitude. Axis
 * tables hold the signed digital frequency of each index; the Riesz tables are the same with the
 * Nyquist index of an even axis set to 0; invW = 1/|w| per half-complex element (0 at DC), so that
 * the Riesz multipliers need no square root or division in the per-frequency loops.
 */
interface Engine {
  dims: Vec3;
  fft: RealFft3d;
  F: Float32Array;
  W: [Float32Array, Float32Array, Float32Array, Float32Array];
  R: Float32Array;
  A: Float32Array;
  invW: Float32Array;
  t: [Float64Array, Float64Array, Float64Array];
  riesz: [Float64Array, Float64Array, Float64Array];
  ffts: number;
}

/** An engine for `data`; `scratch` lends the work spectra and real buffer of another engine on the same box (half-map mode runs two engines one after the other at each frequency). */
async function createEngine(data: Float32Array, dims: Vec3, scratch?: Pick<Engine, 'W' | 'R'>): Promise<Engine> {
  const fft = createRealFft3d(dims);
  const [cx, ny, nz] = fft.complexDims;
  const axis = (count: number, n: number) => new Float64Array(count).map((_, i) => fftFreq(i, n));
  const t: Engine['t'] = [axis(cx, dims[0]), axis(ny, ny), axis(nz, nz)];
  const riesz = t.map((tab, a) => {
    const r = tab.slice();
    if (dims[a] % 2 === 0) r[dims[a] / 2] = 0;
    return r;
  }) as Engine['riesz'];
  const invW = sharedFloat32(cx * ny * nz);
  for (let z = 0, q = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const wyz2 = t[1][y] * t[1][y] + t[2][z] * t[2][z];
      for (let x = 0; x < cx; x++, q++) {
        const w2 = t[0][x] * t[0][x] + wyz2;
        invW[q] = w2 > 0 ? 1 / Math.sqrt(w2) : 0;
      }
    }
  }
  const F = await fft.forward(data, sharedFloat32(2 * cx * ny * nz));
  let W = scratch?.W;
  if (!W) {
    const w = sharedFloat32(F.length);
    W = 3 * w.byteLength <= MONOGENIC_SPECTRA_BYTES ? [w, sharedFloat32(F.length), sharedFloat32(F.length), sharedFloat32(F.length)] : [w, w, w, w];
  }
  return { dims, fft, F, W, R: scratch?.R ?? sharedFloat32(data.length), A: sharedFloat32(data.length), invW, t, riesz, ffts: 1 };
}

/** Arguments of `fillComponentsRows`: the big arrays are shared, the per-axis tables are small. */
interface FillArgs {
  F: Float32Array;
  /** W[0] receives component 0 (the map), W[k] the Riesz component k = 1, 2, 3. */
  W: Engine['W'];
  invW: Float32Array;
  t: [Float64Array, Float64Array, Float64Array];
  riesz: [Float64Array, Float64Array, Float64Array];
  cx: number;
  ny: number;
  nz: number;
  omega: number;
  /** Only this component (else all four). */
  only?: 0 | 1 | 2 | 3;
}

/**
 * W[k] = F·H_ω(|w|)·m_k(w), with m_0 = 1 (the high-passed map) and m_k = −i·w_k/|w| (Riesz
 * component k = 1, 2, 3 for x, y, z), on the rows ky ∈ [y0, y1) (all kx, kz): the four components,
 * with one read of F and one gain, or only component `only`. DC is always 0. ω = 0: no high-pass.
 * The Riesz factor is (g·w_k)·(1/|w|), w_k from the axis's Riesz table (invW is 0 at DC).
 * A `parallelFor` / `RowTask` body: rows are disjoint.
 */
export function fillComponentsRows(a: FillArgs, y0: number, y1: number): void {
  if (a.only === undefined) fillAllRows(a, y0, y1);
  else fillOneRows(a, a.only, y0, y1);
}

/** High-pass gain bounds of `fillComponentsRows` at ω: g = 0 for |w|² ≤ lo2 (DC included), 1 for |w|² ≥ hi2. */
function highPassBounds(omega: number): { lo2: number; hi2: number } {
  const lo = omega > RAISED_COSINE_WIDTH ? omega - RAISED_COSINE_WIDTH : 0;
  return { lo2: lo * lo, hi2: omega * omega };
}

/** The four components (`fillComponentsRows`); no test inside the loop (a third faster than one per component). */
function fillAllRows(a: FillArgs, y0: number, y1: number): void {
  const { F, invW, cx, ny, nz, omega } = a;
  const [W0, W1, W2, W3] = a.W;
  const [tx, ty, tz] = a.t;
  const [rx, ry, rz] = a.riesz;
  const { lo2, hi2 } = highPassBounds(omega);
  for (let z = 0; z < nz; z++) {
    const wz2 = tz[z] * tz[z];
    const fz = rz[z];
    for (let y = y0; y < y1; y++) {
      const wyz2 = ty[y] * ty[y] + wz2;
      const fy = ry[y];
      for (let x = 0, q = cx * (y + ny * z), p = 2 * q; x < cx; x++, p += 2, q++) {
        const w2 = tx[x] * tx[x] + wyz2;
        const g = w2 <= lo2 ? 0 : w2 >= hi2 ? 1 : highPassGain(Math.sqrt(w2), omega);
        const re = F[p];
        const im = F[p + 1];
        W0[p] = re * g;
        W0[p + 1] = im * g;
        // (a + ib)·(−i·c) = c·b − i·c·a
        const iw = invW[q];
        const c1 = g * rx[x] * iw;
        W1[p] = c1 * im;
        W1[p + 1] = -c1 * re;
        const c2 = g * fy * iw;
        W2[p] = c2 * im;
        W2[p + 1] = -c2 * re;
        const c3 = g * fz * iw;
        W3[p] = c3 * im;
        W3[p + 1] = -c3 * re;
      }
    }
  }
}

/** Component k alone into W[k] (`fillComponentsRows`), with the same arithmetic as `fillAllRows`. */
function fillOneRows(a: FillArgs, k: 0 | 1 | 2 | 3, y0: number, y1: number): void {
  const { F, invW, cx, ny, nz, omega } = a;
  const Wk = a.W[k];
  const [tx, ty, tz] = a.t;
  const [rx, ry, rz] = a.riesz;
  const { lo2, hi2 } = highPassBounds(omega);
  for (let z = 0; z < nz; z++) {
    const wz2 = tz[z] * tz[z];
    for (let y = y0; y < y1; y++) {
      const wyz2 = ty[y] * ty[y] + wz2;
      const fyz = k === 2 ? ry[y] : rz[z];
      for (let x = 0, q = cx * (y + ny * z), p = 2 * q; x < cx; x++, p += 2, q++) {
        const w2 = tx[x] * tx[x] + wyz2;
        const g = w2 <= lo2 ? 0 : w2 >= hi2 ? 1 : highPassGain(Math.sqrt(w2), omega);
        const re = F[p];
        const im = F[p + 1];
        if (k === 0) {
          Wk[p] = re * g;
          Wk[p + 1] = im * g;
        } else {
          const c = g * (k === 1 ? rx[x] : fyz) * invW[q];
          Wk[p] = c * im;
          Wk[p + 1] = -c * re;
        }
      }
    }
  }
}

/** The fill of the monogenic spectra at ω as a row task of the FFT (`fillComponentsRows`). */
function fillTask(e: Engine, omega: number, only?: 0 | 1 | 2 | 3): RowTask<FillArgs> {
  const [cx, ny, nz] = e.fft.complexDims;
  const args: FillArgs = { F: e.F, W: e.W, invW: e.invW, t: e.t, riesz: e.riesz, cx, ny, nz, omega, only };
  return { module: import.meta.url, fn: 'fillComponentsRows', body: fillComponentsRows, args };
}

/**
 * A = √(v² + v_x² + v_y² + v_z²) of the map high-passed at ω: one `inverseNorm` fills the four
 * spectra row by row just before their z pass, transforms them and forms the root of the sum of
 * squares slab by slab on the workers (float32 sums in the order v, v_x, v_y, v_z, then the root:
 * the bits of a plain loop). With one spectrum for the four (a large work box), the components
 * are filled and folded into A one at a time, with the same bits.
 */
async function monogenicAmplitude(e: Engine, omega: number): Promise<void> {
  if (e.W[0] !== e.W[1]) {
    await e.fft.inverseNorm(e.W, e.A, { root: true, fill: fillTask(e, omega) });
    e.ffts += 4;
  } else {
    await foldComponents(e, omega, [0, 1, 2, 3], e.A);
  }
}

/**
 * acc ← acc + r_k² for the components k of `comps` (r_k = the inverse transform of component k at
 * ω), set by the first when it is component 0, and the root taken at the last: each component
 * filled and transformed on its own, its square folded into acc on the workers.
 */
async function foldComponents(e: Engine, omega: number, comps: (0 | 1 | 2 | 3)[], acc: Float32Array): Promise<void> {
  for (const [j, k] of comps.entries()) {
    const fill = fillTask(e, omega, k);
    await parallelFor(fill.module, fill.fn, fill.body, fill.args, fill.args.ny, fftThreads());
    const mode = j === comps.length - 1 ? 'sqrt' : k === 0 ? 'set' : 'add';
    await e.fft.inverse(e.W[k], e.R, { squares: { acc, mode } });
    e.ffts++;
  }
}

/** Arguments of `filterRows`. */
interface FilterArgs {
  W: Float32Array;
  t: Engine['t'];
  cx: number;
  ny: number;
  nz: number;
  kind: 'lowpass' | 'gaussian';
  param: number;
}

/**
 * buf ← IFFT(FFT(buf)·gain) (2 FFTs, W[0] as the spectrum; one `RealFft3d.filter`, the gain
 * applied to each row between the forward and the backward z pass). `kind` "lowpass": raised-cosine
 * low-pass at `param` = ω; "gaussian": exp(−2π²·param²·|w|²), a Gaussian of standard deviation
 * `param` px (circular convolution, DC gain 1).
 */
async function filterReal(e: Engine, buf: Float32Array, kind: 'lowpass' | 'gaussian', param: number): Promise<void> {
  const [cx, ny, nz] = e.fft.complexDims;
  const args: FilterArgs = { W: e.W[0], t: e.t, cx, ny, nz, kind, param };
  // The low-pass is 0 from |w| = ω + 0.02 on, i.e. beyond that many times the longest axis in index
  // units: the inverse may skip the lines outside (same bits, fft.ts).
  const radius = kind === 'lowpass' ? (param + RAISED_COSINE_WIDTH) * Math.max(...e.dims) : undefined;
  await e.fft.filter(buf, e.W[0], { module: import.meta.url, fn: 'filterRows', body: filterRows, args }, { radius });
  e.ffts += 2;
}

/** The gain of `filterReal` applied to the rows ky ∈ [y0, y1) (all kx, kz) of W; a `RowTask` body. */
export function filterRows(a: FilterArgs, y0: number, y1: number): void {
  if (a.kind === 'gaussian') gaussianRows(a, y0, y1);
  else lowPassRows(a, y0, y1);
}

/** `filterRows` for the raised-cosine low-pass at ω = param: rows below ω untouched, 0 from ω + 0.02 on. */
function lowPassRows(a: FilterArgs, y0: number, y1: number): void {
  const { W, cx, ny, nz, param } = a;
  const [tx, ty, tz] = a.t;
  const lo2 = param * param;
  const hi2 = (param + RAISED_COSINE_WIDTH) ** 2;
  for (let z = 0; z < nz; z++) {
    const wz2 = tz[z] * tz[z];
    for (let y = y0; y < y1; y++) {
      const wyz2 = ty[y] * ty[y] + wz2;
      for (let x = 0, p = 2 * cx * (y + ny * z); x < cx; x++, p += 2) {
        const w2 = tx[x] * tx[x] + wyz2;
        if (w2 <= lo2) continue;
        const g = w2 >= hi2 ? 0 : lowPassGain(Math.sqrt(w2), param);
        W[p] *= g;
        W[p + 1] *= g;
      }
    }
  }
}

/** `filterRows` for the Gaussian of standard deviation param px: exp(−2π²·param²·|w|²). */
function gaussianRows(a: FilterArgs, y0: number, y1: number): void {
  const { W, cx, ny, nz, param } = a;
  const [tx, ty, tz] = a.t;
  const k = 2 * Math.PI * Math.PI * param * param;
  for (let z = 0; z < nz; z++) {
    const wz2 = tz[z] * tz[z];
    for (let y = y0; y < y1; y++) {
      const wyz2 = ty[y] * ty[y] + wz2;
      for (let x = 0, p = 2 * cx * (y + ny * z); x < cx; x++, p += 2) {
        const g = Math.exp(-k * (tx[x] * tx[x] + wyz2));
        W[p] *= g;
        W[p + 1] *= g;
      }
    }
  }
}

/** Gaussian smoothing of standard deviation `std` px (Fourier multiplier, circular boundary). */
function gaussianSmooth(e: Engine, buf: Float32Array, std: number): Promise<void> {
  return filterReal(e, buf, 'gaussian', std);
}

// ------------------------------------------------------------------------------------------
// The item.
// ------------------------------------------------------------------------------------------

/**
 * Local resolution map of `v` inside `hardMask` (0/1, same grid) with MonoRes single-map mode,
 * and the 0.e item built from it. Range [r_hi, r_lo] = [2·Ts, max(10, 5·res)] Å, step Δ, α.
 * Per analysed frequency: 6 FFTs of the work box (`FFTS_PER_FREQUENCY`); plus 1 forward FFT of
 * the map, 3 inverse + 2 for the mask refinement and 2 for the final smoothing.
 * Not applicable without a resolution or outside [2, 13] Å; "could not be measured" when the
 * background has no usable noise (masked deposits) or no voxel stands out of it.
 * Does not modify its inputs.
 */
export async function localResolution(
  v: Volume,
  hardMask: Uint8Array,
  resolution: number | null,
  opts: LocalResolutionOptions = {},
): Promise<LocalResolutionOutput> {
  if (!resolution) throw new NotApplicable('no resolution reported');
  if (resolution < MIN_RESOLUTION_A) throw new NotApplicable(`resolution better than ${MIN_RESOLUTION_A} Å`);
  if (resolution > MAX_RESOLUTION_A) throw new NotApplicable(`resolution worse than ${MAX_RESOLUTION_A} Å`);
  const step = opts.step ?? 0.5;
  const alpha = opts.alpha ?? 0.95;
  if (!(step > 0)) throw new RangeError(`localResolution: step must be > 0 Å, got ${step}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`localResolution: alpha must be in (0, 1), got ${alpha}`);
  const full = v.dims;
  const nFull = full[0] * full[1] * full[2];
  if (hardMask.length !== nFull) throw new RangeError(`localResolution: mask has ${hardMask.length} voxels, map ${nFull}`);
  const Ts = v.voxelSize[0];
  const rHi = 2 * Ts;
  const rLo = Math.max(10, 5 * resolution);

  const halves = opts.noise;
  if (halves && halves.length !== nFull) throw new RangeError(`localResolution: noise volume has ${halves.length} voxels, map ${nFull}`);

  // 1. Labels, cliff test, noise check on the whole map (cheap, before any FFT). In half-map mode
  // the mask is the protein and everything else is excluded: the noise comes from the halves.
  const extent = maskExtent(hardMask, full);
  const proteinCount = extent.count;
  if (proteinCount === 0) throw new NotMeasurable('the mask is empty');
  const cliff: CliffResult | null = halves ? null : cliffLabels(v, hardMask);
  if (cliff) checkNoise(v.data, cliff.labels, 'outside the mask');

  // Work box: the mask's bounding box plus CROP_MARGIN_GUARDS guard widths (r_lo in voxels); in
  // half-map mode one guard width (no background noise is sampled, only the FFT wrap is kept away).
  const guard = Math.ceil(rLo / Ts);
  const box: WorkBox = opts.crop === false
    ? { lo: [0, 0, 0], dims: [full[0], full[1], full[2]], cut: [false, false, false] }
    : workBox(extent, full, (halves ? 1 : CROP_MARGIN_GUARDS) * guard);
  const cropped = box.cut.some((c) => c);
  const data = cropped ? extract(v.data, full, box, sharedFloat32) : v.data;
  const labels = !cliff ? maskLabels(hardMask, full, box) : cropped ? extract(cliff.labels, full, box, (n) => new Int8Array(n)) : cliff.labels;
  if (cropped && !halves) {
    guardCutFaces(labels, box, guard);
    checkNoise(data, labels, 'in the work box around the mask');
  }
  const n = data.length;
  const e = await createEngine(data, box.dims);
  const { A, R } = e;
  // Half-map mode: the noise engine (the difference map), sampled at every mask voxel at every frequency.
  const noiseEngine = halves ? await createEngine(cropped ? extract(halves, full, box, sharedFloat32) : halves, box.dims, e) : null;

  // 2. Mask refinement: full-band amplitude (v = map minus its mean: the DC term is dropped),
  // smoothed; protein voxels below the 95th percentile of the noise become noise (not in
  // half-map mode, where no background voxel is noise).
  if (!halves) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i];
    mean /= n;
    for (let i = 0; i < n; i++) A[i] = (data[i] - mean) * (data[i] - mean);
    await foldComponents(e, 0, [1, 2, 3], A);
    await gaussianSmooth(e, A, REFINE_SMOOTH_STD_PX);
  }
  // Room for every voxel that is or may become noise (refinement relabels protein as noise).
  let noiseCount = 0;
  let maxNoise = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === NOISE) noiseCount++;
    if (labels[i] >= 0) maxNoise++;
  }
  const noise = new Float32Array(halves ? proteinCount : maxNoise);
  let refineThreshold = Number.NaN;
  let N0 = 0;
  if (halves) {
    N0 = proteinCount;
    noiseCount = proteinCount;
  } else {
    refineThreshold = noiseQuantile(A, indicesOf(labels, (l) => l === NOISE), noise, REFINE_QUANTILE).threshold;
    for (let i = 0; i < n; i++) {
      if (labels[i] < 1) continue;
      if (A[i] < refineThreshold) labels[i] = NOISE;
      else N0++;
    }
    if (N0 === 0) throw new NotMeasurable('no voxel of the mask has a full-band monogenic amplitude above the 95th percentile of the noise');
    noiseCount = 0;
    for (let i = 0; i < n; i++) if (labels[i] === NOISE) noiseCount++;
  }

  // 3–7. Frequency loop. The statistics and the per-voxel update visit the voxels through index
  // lists in ascending order (the sums keep the order, and so the bits, of a pass over the box):
  // the noise sample (fixed from here on) and the protein voxels still active.
  const noiseAt = indicesOf(labels, halves ? (l) => l >= 1 : (l) => l === NOISE);
  const activeAt = indicesOf(labels, (l) => l >= 1);
  let activeCount = activeAt.length;
  const res = new Float32Array(n);
  const zAlpha = normalQuantile(alpha);
  const Nsnap = full[0];
  const steps: MonoResStep[] = [];
  let stop = `the finest resolution of the range (2·Ts = ${f(rHi)} Å) was reached`;
  let lastK = -1;
  let maxMeanS = 0;
  for (let it = 0; ; it++) {
    const rNominal = rLo - it * step;
    if (rNominal < rHi - 1e-9) break;
    const k = Math.min(Math.round((Ts / rNominal) * Nsnap), Math.floor(Nsnap / 2));
    if (k < 1 || k === lastK) continue;
    lastK = k;
    const omega = k / Nsnap;
    const r = Ts / omega;
    await monogenicAmplitude(e, omega);
    await filterReal(e, A, 'lowpass', omega);
    if (noiseEngine) {
      await monogenicAmplitude(noiseEngine, omega);
      await filterReal(noiseEngine, noiseEngine.A, 'lowpass', omega);
    }

    const q = { ...noiseQuantile(noiseEngine ? noiseEngine.A : A, noiseAt, noise, alpha), ...signalSums(A, activeAt, activeCount) };
    const sS = q.signalSum;
    const sS2 = q.signalSum2;
    const nS = q.signalCount;
    const meanS = sS / nS;
    const varS = nS > 1 ? (sS2 - nS * meanS * meanS) / (nS - 1) : 0;
    const z = (meanS - q.mean) / Math.sqrt(varS / nS + q.variance / q.count);
    if (meanS > maxMeanS) maxMeanS = meanS;
    if (meanS < MEAN_AMPLITUDE_DROP * maxMeanS) {
      stop = `mean signal amplitude below ${MEAN_AMPLITUDE_DROP} of its maximum at ${f(r)} Å`;
      break;
    }
    if (!(z >= zAlpha)) {
      stop = `signal not significantly above the noise at ${f(r)} Å (z = ${f(z)} < ${f(zAlpha, 3)})`;
      break;
    }
    // 6. Per-voxel state: pass → resolution r; two consecutive failures freeze the voxel at its
    // last passing resolution (r from two frequencies earlier).
    const T = q.threshold;
    let active = 0;
    for (let j = 0; j < activeCount; j++) {
      const i = activeAt[j];
      if (A[i] > T) {
        res[i] = r;
        labels[i] = 1;
      } else if (labels[i] >= 2) {
        labels[i] = EXCLUDED;
        continue;
      } else {
        labels[i] = 2;
      }
      activeAt[active++] = i;
    }
    activeCount = active;
    steps.push({ resolution: r, index: k, threshold: T, meanSignal: meanS, meanNoise: q.mean, z, active });
    if (active < MIN_ACTIVE_FRACTION * N0) {
      stop = `fewer than ${MIN_ACTIVE_FRACTION * 100}% of the mask voxels were still above the noise at ${f(r)} Å`;
      break;
    }
    if (k >= Nsnap / 2) {
      stop = 'the Nyquist frequency was reached';
      break;
    }
  }

  // 8. Post-processing: never-assigned voxels leave the mask; for the smoothing only, they hold
  // the median; final = min(smoothed, raw) (raw where the smoothed value is below 2·Ts), clamped.
  let assigned = 0;
  for (let i = 0; i < n; i++) if (res[i] > 0) assigned++;
  if (assigned === 0) {
    throw new NotMeasurable(`no voxel of the mask stands out of the noise even at ${f(rLo)} Å (${stop})`);
  }
  const vals = new Float32Array(assigned);
  for (let i = 0, j = 0; i < n; i++) if (res[i] > 0) vals[j++] = res[i];
  const rawMedian = selectKth(vals, Math.floor(assigned / 2), assigned);
  for (let i = 0; i < n; i++) R[i] = res[i] > 0 ? res[i] : rawMedian;
  await gaussianSmooth(e, R, POST_SMOOTH_STD_PX);
  // NaN, not 0, where there is no value (outside the mask, or a mask voxel never assigned): 0 Å
  // would read as a resolution in the downloaded map and in the colouring.
  const resmap = new Float32Array(nFull).fill(Number.NaN);
  const [bx, by, bz] = box.dims;
  for (let z = 0, i = 0; z < bz; z++) {
    for (let y = 0; y < by; y++) {
      const o = box.lo[0] + full[0] * (box.lo[1] + y + full[1] * (box.lo[2] + z));
      for (let x = 0; x < bx; x++, i++) {
        const raw = res[i];
        if (!(raw > 0)) continue;
        const sm = R[i];
        let out = sm < rHi ? raw : Math.min(sm, raw);
        if (out < rHi) out = rHi;
        if (out > rLo) out = rLo;
        resmap[o + x] = out;
      }
    }
  }

  const unassigned = { noiseLike: proteinCount - N0, neverAbove: N0 - assigned };
  return { resmap, run: { mode: halves ? 'half-maps' : 'single-map', step, alpha, rHi, rLo, steps, stop, N0, proteinCount, noiseCount, cliff: cliffSummary(cliff), box, cropped, ffts: e.ffts + (noiseEngine?.ffts ?? 0), refineThreshold, unassigned } };
}

/** The numbers of a cliff test, for the run's bookkeeping; NaN radii and no cliff without one. */
function cliffSummary(c: CliffResult | null): Omit<CliffResult, 'labels'> {
  return c ? { proteinRadius: c.proteinRadius, cutRadius: c.cutRadius, cliff: c.cliff } : { proteinRadius: Number.NaN, cutRadius: Number.NaN, cliff: false };
}

/** Half-map mode labels of the work box: mask voxels protein (1), every other voxel excluded. */
function maskLabels(mask: Uint8Array, dims: Vec3, box: WorkBox): Int8Array {
  const m = extract(mask, dims, box, (n) => new Uint8Array(n));
  const labels = new Int8Array(m.length);
  for (let i = 0; i < m.length; i++) labels[i] = m[i] !== 0 ? 1 : EXCLUDED;
  return labels;
}

/** The number of voxels of the mask (≠ 0) and their bounding box (lo, hi inclusive; lo > hi when empty). */
function maskExtent(mask: Uint8Array, dims: Vec3): { count: number; lo: Vec3; hi: Vec3 } {
  const [nx, ny, nz] = dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  let count = 0;
  // Rows without a mask voxel (most of a padded box) are skipped four bytes at a time.
  const words = mask.byteOffset % 4 === 0 && nx % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : null;
  const emptyRow = (row: number): boolean => {
    if (!words) return false;
    for (let w = row >> 2, end = (row + nx) >> 2; w < end; w++) if (words[w] !== 0) return false;
    return true;
  };
  for (let z = 0, row = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++, row += nx) {
      if (emptyRow(row)) continue;
      let first = -1;
      let last = -1;
      let inRow = 0;
      for (let x = 0; x < nx; x++) {
        if (mask[row + x] === 0) continue;
        if (first < 0) first = x;
        last = x;
        inRow++;
      }
      if (inRow === 0) continue;
      count += inRow;
      if (first < lo[0]) lo[0] = first;
      if (last > hi[0]) hi[0] = last;
      if (y < lo[1]) lo[1] = y;
      if (y > hi[1]) hi[1] = y;
      if (z < lo[2]) lo[2] = z;
      if (z > hi[2]) hi[2] = z;
    }
  }
  return { count, lo: [lo[0], lo[1], lo[2]], hi: [hi[0], hi[1], hi[2]] };
}

/** Indices of the labels that pass `keep`, ascending. */
function indicesOf(labels: Int8Array, keep: (l: number) => boolean): Int32Array {
  let count = 0;
  for (let i = 0; i < labels.length; i++) if (keep(labels[i])) count++;
  const at = new Int32Array(count);
  for (let i = 0, j = 0; i < labels.length; i++) if (keep(labels[i])) at[j++] = i;
  return at;
}

/** Σa, Σa² and the count of A at the first `count` indices of `at`, summed in that order. */
function signalSums(A: Float32Array, at: Int32Array, count: number): { signalSum: number; signalSum2: number; signalCount: number } {
  let signalSum = 0;
  let signalSum2 = 0;
  for (let j = 0; j < count; j++) {
    const a = A[at[j]];
    signalSum += a;
    signalSum2 += a * a;
  }
  return { signalSum, signalSum2, signalCount: count };
}

/** Bins of the radix pre-selection of `noiseQuantile`: the top 16 bits of a float32. */
const RADIX_BINS = 65536;
/** Top-16-bit value from which a float32 is +Inf/NaN (0x7f80) or has its sign bit set (0x8000). */
const FIRST_NON_FINITE_BIN = 0x7f80;

/**
 * α-quantile (index floor(α·n) of the ascending amplitudes) of the noise sample A[noiseAt[j]], with
 * its mean and sample variance (summed in the order of `noiseAt`). Overwrites buf[0..n).
 *
 * Amplitudes are finite and ≥ +0, and the bit patterns of such float32 values sort like the values
 * (equal bits, equal values). So the pass also histograms the top 16 bits of the noise amplitudes;
 * the bin that holds the k-th value is found from the counts, then a second pass histograms the
 * low 16 bits of that bin's values, and the sub-bin that holds it gives all 32 bits of the k-th
 * smallest value: exact, without moving or sorting values at every frequency. Should any noise
 * amplitude be negative, −0, NaN or infinite, the noise is gathered whole and quickselected.
 */
export function noiseQuantile(A: Float32Array, noiseAt: Int32Array, buf: Float32Array, alpha: number) {
  const bits = new Uint32Array(A.buffer, A.byteOffset, A.length);
  const hist = new Uint32Array(RADIX_BINS);
  const m = noiseAt.length;
  let s = 0;
  let s2 = 0;
  for (let j = 0; j < m; j++) {
    const i = noiseAt[j];
    const a = A[i];
    hist[bits[i] >>> 16]++;
    s += a;
    s2 += a * a;
  }
  const mean = s / m;
  const variance = m > 1 ? (s2 - m * mean * mean) / (m - 1) : 0;
  const k = Math.min(m - 1, Math.floor(alpha * m));
  let ordered = true;
  for (let b = FIRST_NON_FINITE_BIN; b < RADIX_BINS && ordered; b++) if (hist[b] !== 0) ordered = false;
  if (!ordered) {
    for (let j = 0; j < m; j++) buf[j] = A[noiseAt[j]];
    return { threshold: selectKth(buf, k, m), mean, variance, count: m };
  }
  let bin = 0;
  let below = 0;
  for (; below + hist[bin] <= k; bin++) below += hist[bin];
  hist.fill(0);
  for (let j = 0; j < m; j++) {
    const b = bits[noiseAt[j]];
    if (b >>> 16 === bin) hist[b & 0xffff]++;
  }
  let sub = 0;
  for (; below + hist[sub] <= k; sub++) below += hist[sub];
  const threshold = new Float32Array(new Uint32Array([((bin << 16) | sub) >>> 0]).buffer)[0];
  return { threshold, mean, variance, count: m };
}

/** The bookkeeping of one MonoRes run, reported with the item's values. */
export interface MonoResRun {
  /** Where the noise came from: the background of the map, or the half-map difference. */
  mode: 'single-map' | 'half-maps';
  step: number;
  alpha: number;
  rHi: number;
  rLo: number;
  steps: MonoResStep[];
  stop: string;
  N0: number;
  proteinCount: number;
  noiseCount: number;
  /** The cliff test (single-map mode; NaN radii and no cliff in half-map mode). */
  cliff: Omit<CliffResult, 'labels'>;
  box: WorkBox;
  cropped: boolean;
  ffts: number;
  refineThreshold: number;
  /**
   * Mask voxels that received no local resolution (NaN in the map, left out of the statistics):
   * `noiseLike` were relabelled noise by the mask refinement (full-band amplitude below the 95th
   * percentile of the noise: nothing there stands out of the noise at any frequency);
   * `neverAbove` stayed in the mask but were never above the noise threshold at any analysed
   * frequency (their resolution is worse than r_lo, or the loop stopped before they passed).
   */
  unassigned: { noiseLike: number; neverAbove: number };
}

/** The reporting numbers of level0-spec.md §8 for a local-resolution map. */
export interface LocalResolutionStatistics {
  /** numpy-style percentiles of R = {values > 0}, Å. */
  percentiles: { p2_5: number; p25: number; p50: number; p75: number; p97_5: number };
  /** numpy.histogram(R, 25): 26 edges (Å), 25 counts. */
  histogram: { edges: number[]; counts: number[] };
  /** |R|. */
  count: number;
  /** P = 100·#{R < res}/|R| (%): the percentile of the reported resolution. */
  reportedResolutionPercentile: number;
}

/**
 * Statistics of §8 over the voxels of `resmap` with a value > 0 (Å; NaN and 0 mean no value), for
 * the reported resolution `resolution` (Å). Throws NotMeasurable when no voxel has a value.
 */
export function localResolutionStatistics(resmap: Float32Array, resolution: number): LocalResolutionStatistics {
  // One pass finds the voxels with a value (~1 % of the box), then only they are read.
  const inside = valueMaskOf(resmap, 0).indices();
  const count = inside.length;
  if (count === 0) throw new NotMeasurable('no voxel of the mask received a local resolution');
  const sorted = new Float32Array(count);
  for (let j = 0; j < count; j++) sorted[j] = resmap[inside[j]];
  sorted.sort();
  const [p2_5, p25, p50, p75, p97_5] = PERCENTILES.map((p) => percentileSorted(sorted, p));
  const histogram = histogramSorted(sorted, HISTOGRAM_BINS);
  // #{R < res} by binary search on the sorted values.
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < resolution) lo = mid + 1;
    else hi = mid;
  }
  const P = (100 * lo) / count;
  return { percentiles: { p2_5, p25, p50, p75, p97_5 }, histogram, count, reportedResolutionPercentile: P };
}
