/**
 * Fourier shell correlation of two half maps and the shell statistics that go with it
 * (level1A-spec.md §0 and §1.a; the engine of the coming Level 1 items).
 *
 * F1 = FFT(h1), F2 = FFT(h2). Each coefficient with digital radius r = |w| ≤ 1/2 (w the digital
 * frequency per axis) falls in shell k = round(r·N), N = the x edge of the box. Per shell:
 *   FSC_k = Σ Re(F1·F2*) / √(Σ|F1|² · Σ|F2|²),
 *   DPR_k = √(Σ a·Δφ² / Σ a), a = |F1| + |F2|, Δφ = arg(F1·F2*) in degrees, in [−180°, 180°],
 *   n_k   = number of Fourier voxels.
 * The sums run over the half-complex grid with the weight of the Hermitian partner (2 for
 * 0 < kx < N/2, 1 on the kx = 0 and Nyquist planes), so they equal the sums over the full grid
 * (numpy's fftn): F(−k) = F(k)* leaves Re(F1 F2*), |F|² and Δφ² unchanged.
 * Shells k = 1 … floor(N/2) are returned (DC dropped) at f_k = k/(N·Ts) (Å⁻¹).
 */
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { mulberry32Next, mulberry32Skip } from '../util/random.ts';
import { isShared, sharedFloat32 } from '../util/shared-memory.ts';
import { parallelFor, threadsFor } from '../fft/fft-pool.ts';
import type { Volume } from '../volume/volume.ts';

/** Per-shell statistics of two half maps, shells k = 1 … floor(N/2). */
export interface FscCurve {
  /** Shell index k. */
  readonly shell: Int32Array;
  /** f_k = k/(N·Ts), Å⁻¹. */
  readonly frequency: Float64Array;
  readonly fsc: Float64Array;
  /** Amplitude-weighted RMS phase difference, degrees. */
  readonly dpr: Float64Array;
  /** Fourier voxels in the shell (full grid). */
  readonly voxels: Float64Array;
}

/** The half-complex spectra of two half maps on one grid (see RealFft3d for the layout). */
export interface HalfMapSpectra {
  readonly dims: readonly [number, number, number];
  /** Voxel size along x, Å (the frequency axis of every curve). */
  readonly voxelSize: number;
  readonly F1: Float32Array;
  readonly F2: Float32Array;
  /** FSC shell k = round(r·N) of each stored coefficient; −1 beyond Nyquist (r > 1/2). */
  readonly shellOf: Int16Array;
}

/**
 * The spectra of two half maps, computed once and shared by the FSC, the SSNR and the phase
 * randomisation. Throws a RangeError when the grids differ (callers check grids with a message
 * naming the files first).
 */
export async function halfMapSpectra(h1: Volume, h2: Volume, shellOf?: Int16Array): Promise<HalfMapSpectra> {
  const [nx, ny, nz] = h1.dims;
  if (h2.dims[0] !== nx || h2.dims[1] !== ny || h2.dims[2] !== nz) {
    throw new RangeError(`fscCurve: half maps of ${h1.dims.join('×')} and ${h2.dims.join('×')} voxels`);
  }
  const fft = createRealFft3d(h1.dims);
  const F1 = await fft.forward(h1.data);
  const F2 = await fft.forward(h2.data);
  return { dims: [nx, ny, nz], voxelSize: h1.voxelSize[0], F1, F2, shellOf: shellOf ?? fscShells(h1.dims) };
}

/** FSC shell of each stored coefficient of the half-complex grid: round(r·N), −1 where r > 1/2. */
export function fscShells(dims: readonly [number, number, number]): Int16Array {
  const [nx, ny, nz] = dims;
  const { hx, wx, wy, wz } = squaredFrequencies(dims);
  // On shared memory: the pool's workers read it without a copy (phase randomisation).
  const out = new Int16Array(new SharedArrayBuffer(2 * hx * ny * nz));
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const ryz = wy[y] + wz[z];
      for (let x = 0; x < hx; x++, p++) {
        const r2 = wx[x] + ryz;
        out[p] = r2 > 0.25 ? -1 : Math.round(Math.sqrt(r2) * nx);
      }
    }
  }
  return out;
}

/** FSC, DPR and voxel counts of two half maps on the same grid. */
export async function fscCurve(h1: Volume, h2: Volume): Promise<FscCurve> {
  return fscOfSpectra(await halfMapSpectra(h1, h2));
}

/**
 * FSC, DPR and voxel counts per shell from the two spectra; `withDpr: false` leaves the DPR NaN
 * and saves an atan2 per coefficient (a third of the time on 360³) where no one reads it.
 */
export function fscOfSpectra(sp: HalfMapSpectra, withDpr = true): FscCurve {
  return shellCurve(sp, sp.F1, sp.F2, withDpr);
}

/**
 * Per-shell sums of spectra A and B on the grid of `sp` (Hermitian-weighted, = full-grid sums):
 * the FSC, and the DPR when `withDpr` (the phase needs an atan2 per coefficient: only the
 * unmasked curve reports it; otherwise DPR is NaN).
 */
function shellCurve(sp: HalfMapSpectra, A: Float32Array, B: Float32Array, withDpr: boolean): FscCurve {
  const sums = new ShellSums(sp, A, B, withDpr);
  sums.add(0, sp.dims[2]);
  return sums.curve();
}

/**
 * The running sums of `shellCurve`, added a range of z planes at a time in storage order (the
 * order of one loop over the grid, so the same numbers): a caller sums one slab while the pool
 * works on the next.
 */
class ShellSums {
  private readonly sp: HalfMapSpectra;
  private readonly A: Float32Array;
  private readonly B: Float32Array;
  private readonly withDpr: boolean;
  private readonly shells: number;
  private readonly cross: Float64Array;
  private readonly p1: Float64Array;
  private readonly p2: Float64Array;
  private readonly phase: Float64Array;
  private readonly amp: Float64Array;
  private readonly voxels: Float64Array;

  constructor(sp: HalfMapSpectra, A: Float32Array, B: Float32Array, withDpr: boolean) {
    this.sp = sp;
    this.A = A;
    this.B = B;
    this.withDpr = withDpr;
    this.shells = Math.floor(sp.dims[0] / 2);
    const n = this.shells + 1;
    this.cross = new Float64Array(n);
    this.p1 = new Float64Array(n);
    this.p2 = new Float64Array(n);
    this.phase = new Float64Array(n);
    this.amp = new Float64Array(n);
    this.voxels = new Float64Array(n);
  }

  /** Adds the coefficients of z planes [z0, z1). */
  add(z0: number, z1: number): void {
    const { A, B, withDpr, shells, cross, p1, p2, phase, amp, voxels } = this;
    const { dims, shellOf } = this.sp;
    const { hx, weight } = squaredFrequencies(dims);
    const plane = hx * dims[1];
    const DEG = 180 / Math.PI;
    for (let q = z0 * plane, end = z1 * plane, x = 0; q < end; q++, x = x + 1 === hx ? 0 : x + 1) {
      const k = shellOf[q];
      if (k < 0 || k > shells) continue;
      const p = 2 * q;
      const a = A[p], b = A[p + 1], c = B[p], d = B[p + 1];
      const re = a * c + b * d;
      const g = weight[x];
      const s1 = a * a + b * b;
      const s2 = c * c + d * d;
      cross[k] += g * re;
      p1[k] += g * s1;
      p2[k] += g * s2;
      voxels[k] += g;
      if (withDpr) {
        const w = Math.sqrt(s1) + Math.sqrt(s2);
        const dphi = Math.atan2(b * c - a * d, re) * DEG;
        phase[k] += g * w * dphi * dphi;
        amp[k] += g * w;
      }
    }
  }

  /** The curve of the planes added so far (DPR NaN without `withDpr`). */
  curve(): FscCurve {
    const { shells, cross, p1, p2, phase, amp, voxels, withDpr } = this;
    const N = this.sp.dims[0];
    const out = {
      shell: new Int32Array(shells),
      frequency: new Float64Array(shells),
      fsc: new Float64Array(shells),
      dpr: new Float64Array(shells),
      voxels: new Float64Array(shells),
    };
    for (let k = 1; k <= shells; k++) {
      const j = k - 1;
      out.shell[j] = k;
      out.frequency[j] = k / (N * this.sp.voxelSize);
      out.fsc[j] = cross[k] / Math.sqrt(p1[k] * p2[k]);
      out.dpr[j] = withDpr ? Math.sqrt(phase[k] / amp[k]) : Number.NaN;
      out.voxels[j] = voxels[k];
    }
    return out;
  }
}

/** z planes per slab of the DPR's per-coefficient terms (two slabs of float64 pairs in memory: 33 MB on 360³). */
const DPR_SLAB_PLANES = 16;

/**
 * `fscOfSpectra(sp)` (with the DPR), the same numbers, with the atan2 and square roots of the DPR
 * on the worker pool: the pool writes each coefficient's two terms (g·w·Δφ², g·w) for a slab of
 * planes while this thread adds those of the slab before to the shell sums (all of them: the FSC's
 * too), in storage order as the plain loop does. `alongside(z0, z1)` is called after each slab's
 * sums, in plane order, for a caller's own sums over the same spectra (1.a's SSNR), which then
 * also take the pool's time. Inline when the spectra are not on shared memory.
 */
export async function fscWithDprOnPool(sp: HalfMapSpectra, alongside?: (z0: number, z1: number) => void): Promise<FscCurve> {
  const [, ny, nz] = sp.dims;
  if (!isShared(sp.F1) || !isShared(sp.F2)) {
    const inline = fscOfSpectra(sp);
    alongside?.(0, nz);
    return inline;
  }
  const sums = new ShellSums(sp, sp.F1, sp.F2, false);
  const shells = Math.floor(sp.dims[0] / 2);
  const { hx, weight } = squaredFrequencies(sp.dims);
  const plane = hx * ny;
  const slab = (): Float64Array => new Float64Array(new SharedArrayBuffer(8 * 2 * DPR_SLAB_PLANES * plane));
  const buffers = [slab(), slab()];
  const job = (z0: number, terms: Float64Array): Promise<void> =>
    parallelFor(import.meta.url, 'dprTerms', dprTerms, { F1: sp.F1, F2: sp.F2, shellOf: sp.shellOf, weight, hx, plane, z0, shells, terms }, Math.min(DPR_SLAB_PLANES, nz - z0));
  const phase = new Float64Array(shells + 1);
  const amp = new Float64Array(shells + 1);
  let pending = job(0, buffers[0]);
  for (let z0 = 0, s = 0; z0 < nz; z0 += DPR_SLAB_PLANES, s ^= 1) {
    await pending;
    if (z0 + DPR_SLAB_PLANES < nz) pending = job(z0 + DPR_SLAB_PLANES, buffers[s ^ 1]);
    const terms = buffers[s];
    const z1 = Math.min(nz, z0 + DPR_SLAB_PLANES);
    for (let q = z0 * plane, end = z1 * plane, i = 0; q < end; q++, i += 2) {
      const k = sp.shellOf[q];
      if (k < 0 || k > shells) continue;
      phase[k] += terms[i];
      amp[k] += terms[i + 1];
    }
    sums.add(z0, z1);
    alongside?.(z0, z1);
  }
  const curve = sums.curve();
  return { ...curve, dpr: curve.dpr.map((_, j) => Math.sqrt(phase[j + 1] / amp[j + 1])) };
}

/** What a slab of DPR terms needs: planes z0 + a … of the spectra, `terms` the slab's (g·w·Δφ², g·w) pairs. */
export interface DprTermArgs {
  readonly F1: Float32Array;
  readonly F2: Float32Array;
  readonly shellOf: Int16Array;
  readonly weight: Float64Array;
  readonly hx: number;
  readonly plane: number;
  readonly z0: number;
  readonly shells: number;
  readonly terms: Float64Array;
}

/** Planes z0 + [a, b) of the DPR terms (shellCurve's arithmetic); a `parallelFor` body. */
export function dprTerms({ F1: A, F2: B, shellOf, weight, hx, plane, z0, shells, terms }: DprTermArgs, a: number, b: number): void {
  const DEG = 180 / Math.PI;
  for (let q = (z0 + a) * plane, end = (z0 + b) * plane, i = 2 * a * plane, x = 0; q < end; q++, i += 2, x = x + 1 === hx ? 0 : x + 1) {
    const k = shellOf[q];
    if (k < 0 || k > shells) continue;
    const p = 2 * q;
    const ar = A[p], ai = A[p + 1], br = B[p], bi = B[p + 1];
    const re = ar * br + ai * bi;
    const g = weight[x];
    const w = Math.sqrt(ar * ar + ai * ai) + Math.sqrt(br * br + bi * bi);
    const dphi = Math.atan2(ai * br - ar * bi, re) * DEG;
    terms[i] = g * w * dphi * dphi;
    terms[i + 1] = g * w;
  }
}

/**
 * VRS's spectral signal-to-noise ratio (level1A-spec.md §1.a), on the correct frequency axis.
 * S = FFT((h1+h2)/2) = (F1+F2)/2 and Nn = FFT((h1−h2)/2) = (F1−F2)/2, so no new transform is
 * needed. Per coefficient the amplitude ratio |S|/|Nn|; per shell k = floor(r·N) (r the digital
 * radius; VRS's integer distance on the centred grid) the mean ratio, full-grid weighted; the
 * curve is log10(mean − 1), which is 0 where the mean amplitude ratio is 2. VRS plots it against
 * k·2·Ts/N (in Å⁻¹ only when Ts = 0.707 Å); here f_k = k/(N·Ts), as for the FSC.
 */
export interface SsnrCurve {
  /** Shells k = 0 … floor(N/2) (the DC shell kept so that firstCross counts samples as VRS does). */
  readonly shell: Int32Array;
  readonly frequency: Float64Array;
  /** Mean |S|/|Nn| of the shell. */
  readonly meanRatio: Float64Array;
  /** log10(meanRatio − 1); −Infinity where the mean ratio is ≤ 1. */
  readonly log10: Float64Array;
}

export function ssnrOfSpectra(sp: HalfMapSpectra): SsnrCurve {
  const sums = new SsnrSums(sp);
  sums.add(0, sp.dims[2]);
  return sums.curve();
}

/** The running sums of `ssnrOfSpectra`, added a range of z planes at a time in storage order (same numbers as one loop). */
export class SsnrSums {
  private readonly sp: HalfMapSpectra;
  private readonly shells: number;
  private readonly sum: Float64Array;
  private readonly count: Float64Array;

  constructor(sp: HalfMapSpectra) {
    this.sp = sp;
    this.shells = Math.floor(sp.dims[0] / 2);
    this.sum = new Float64Array(this.shells + 1);
    this.count = new Float64Array(this.shells + 1);
  }

  /** Adds the coefficients of z planes [z0, z1). */
  add(z0: number, z1: number): void {
    const { dims, F1, F2 } = this.sp;
    const { shells, sum, count } = this;
    const [N, ny] = dims;
    const { hx, wx, wy, wz, weight } = squaredFrequencies(dims);
    let p = 2 * z0 * ny * hx;
    for (let z = z0; z < z1; z++) {
      for (let y = 0; y < ny; y++) {
        const ryz = wy[y] + wz[z];
        for (let x = 0; x < hx; x++, p += 2) {
          const k = Math.floor(Math.sqrt(wx[x] + ryz) * N + 1e-9);
          if (k > shells) continue;
          const sr = F1[p] + F2[p], si = F1[p + 1] + F2[p + 1];
          const nr = F1[p] - F2[p], ni = F1[p + 1] - F2[p + 1];
          const noise = Math.sqrt(nr * nr + ni * ni);
          // Identical coefficients (often the DC term) have no noise estimate: left out of the mean.
          if (noise === 0) continue;
          sum[k] += weight[x] * (Math.sqrt(sr * sr + si * si) / noise);
          count[k] += weight[x];
        }
      }
    }
  }

  /** The curve of the planes added so far. */
  curve(): SsnrCurve {
    const { shells, sum, count } = this;
    const N = this.sp.dims[0];
    const voxelSize = this.sp.voxelSize;
    const meanRatio = sum.map((s, k) => (count[k] > 0 ? s / count[k] : Number.NaN));
    return {
      shell: Int32Array.from({ length: shells + 1 }, (_, k) => k),
      frequency: Float64Array.from({ length: shells + 1 }, (_, k) => k / (N * voxelSize)),
      meanRatio,
      log10: meanRatio.map((m) => (m > 1 ? Math.log10(m - 1) : Number.isNaN(m) ? Number.NaN : -Infinity)),
    };
  }
}

/**
 * firstCross of level1A-spec.md §0: the first index i0 where y < y0 ('lesser') or y > y0
 * ('greater'); null when there is none or i0 ≤ 1 (a crossing at the first two samples counts as
 * "does not cross"); otherwise x at y0 by linear interpolation between samples i0 − 1 and i0.
 */
export function firstCross(x: ArrayLike<number>, y: ArrayLike<number>, y0: number, mode: 'lesser' | 'greater'): number | null {
  let i0 = -1;
  for (let i = 0; i < y.length; i++) {
    if (mode === 'lesser' ? y[i] < y0 : y[i] > y0) {
      i0 = i;
      break;
    }
  }
  if (i0 <= 1) return null;
  const ya = y[i0 - 1];
  const yb = y[i0];
  const t = (y0 - ya) / (yb - ya);
  return x[i0 - 1] + t * (x[i0] - x[i0 - 1]);
}

/**
 * firstCross against a threshold that varies per sample (half-bit, 1-bit): the first index i0
 * where y < t; null when none or i0 ≤ 1; otherwise x where y − t crosses 0, interpolated linearly.
 */
export function firstCrossCurve(x: ArrayLike<number>, y: ArrayLike<number>, t: ArrayLike<number>): number | null {
  const d = Float64Array.from(y, (v, i) => v - t[i]);
  return firstCross(x, d, 0, 'lesser');
}

/** Half-bit threshold of a shell of n Fourier voxels (van Heel & Schatz 2005). */
export function halfBitThreshold(n: number): number {
  const s = Math.sqrt(n);
  return (0.2071 + 1.9102 / s) / (1.2071 + 0.9102 / s);
}

/** One-bit threshold of a shell of n Fourier voxels (van Heel & Schatz 2005). */
export function oneBitThreshold(n: number): number {
  const s = Math.sqrt(n);
  return (0.5 + 2.4142 / s) / (1.5 + 1.4142 / s);
}

/** Masked FSC with the phase-randomisation correction of Chen et al. (Ultramicroscopy 135:24, 2013). */
export interface CorrectedFsc {
  /** FSC of the half maps as they are. */
  readonly unmasked: FscCurve;
  /** FSC of the half maps times the mask. */
  readonly masked: FscCurve;
  /** FSC of the masked half maps whose phases beyond `randomizedFromShell` were randomised. */
  readonly randomized: FscCurve;
  /** FSC_true: the masked FSC up to the randomisation shell, (FSC_m − FSC_r)/(1 − FSC_r) beyond. */
  readonly corrected: Float64Array;
  /** First shell whose phases were randomised: the first shell where the unmasked FSC falls below 0.8. */
  readonly randomizedFromShell: number;
}

/** The unmasked FSC below which phases are randomised (RELION's choice, after Chen et al. 2013). */
export const RANDOMIZE_BELOW_FSC = 0.8;

/** Spectra a caller already has for `correctedMaskedFsc` (each computed there when absent). */
export interface CorrectedFscInputs {
  /** The spectra of the half maps. */
  readonly spectra?: HalfMapSpectra;
  /** The spectra of the half maps times the mask (read only: shared with other curves). */
  readonly masked?: HalfMapSpectra;
  /** The randomised spectra may be written over `spectra` (the caller needs them no more): saves two spectra of memory. */
  readonly overwriteSpectra?: boolean;
  /** Called on each slab of planes of the unmasked spectra while they are summed (`fscWithDprOnPool`), before anything is written over them. */
  readonly alongsideUnmasked?: (z0: number, z1: number) => void;
}

/**
 * FSC of h1·mask and h2·mask corrected for the correlation the mask itself creates. Phases of both
 * half maps are replaced by independent random phases (seeded, amplitudes kept) in every shell
 * from the first where the unmasked FSC drops below 0.8; the randomised maps are masked and their
 * FSC measures what the mask alone correlates. The inverse transform keeps the real part (numpy's
 * irfftn), which makes the randomised kx = 0 and Nyquist planes Hermitian.
 */
export async function correctedMaskedFsc(h1: Volume, h2: Volume, mask: Float32Array, seed = 1, given: CorrectedFscInputs = {}): Promise<CorrectedFsc> {
  const n = h1.data.length;
  if (mask.length !== n) throw new RangeError(`correctedMaskedFsc: mask has ${mask.length} voxels, half maps ${n}`);
  const sp = given.spectra ?? (await halfMapSpectra(h1, h2));
  const unmasked = await fscWithDprOnPool(sp, given.alongsideUnmasked);
  let from = unmasked.fsc.findIndex((x) => x < RANDOMIZE_BELOW_FSC) + 1;
  if (from === 0) from = unmasked.shell.length + 1; // never below 0.8: nothing to randomise
  const fft = createRealFft3d(h1.dims);
  const scratch = sharedFloat32(n);
  const maskedSpectrum = async (data: Float32Array, out?: Float32Array) => {
    await multiplyInto(scratch, data, mask);
    return fft.forward(scratch, out);
  };
  const { F1: M1, F2: M2 } = given.masked ?? (await maskedSpectra(h1, h2, mask, sp.shellOf));
  // The randomised spectra: written over the half maps' own (when the caller allows it), else over the masked ones when no one else reads them, else new.
  const own = given.spectra === undefined || given.overwriteSpectra === true;
  const [R1, R2] = own ? [sp.F1, sp.F2] : given.masked ? [sharedFloat32(M1.length), sharedFloat32(M2.length)] : [M1, M2];
  const state = new Int32Array([seed | 0]);
  const randomize = (F: Float32Array, R: Float32Array): Promise<void> => {
    if (R !== F) R.set(F);
    return randomizePhases(R, sp, from, state);
  };
  // irfftn-style inverse: the randomised kx = 0 and Nyquist planes are made Hermitian by keeping the real part.
  const remask = async (R: Float32Array) => maskedSpectrum(await fft.inverse(R, scratch), R);
  // The masked curve is summed while the pool randomises the first half's phases, unless those are written over it.
  const maskedFirst = R1 === M1 ? shellCurve(sp, M1, M2, false) : null;
  const randomizing = randomize(sp.F1, R1);
  const masked = maskedFirst ?? shellCurve(sp, M1, M2, false);
  await randomizing;
  await remask(R1);
  await randomize(sp.F2, R2);
  await remask(R2);
  const randomized = shellCurve(sp, R1, R2, false);
  const corrected = masked.fsc.map((m, j) => {
    if (masked.shell[j] < from) return m;
    const r = randomized.fsc[j];
    return (m - r) / (1 - r);
  });
  return { unmasked, masked, randomized, corrected, randomizedFromShell: from };
}

/** Voxels per block of `multiplyInto`'s parallel loop. */
const MULTIPLY_BLOCK = 1 << 16;

/** Blocks [a, b) of out[i] = data[i]·mask[i]; a `parallelFor` body. */
export function multiplyBlocks(args: { out: Float32Array; data: Float32Array; mask: Float32Array }, a: number, b: number): void {
  const { out, data, mask } = args;
  for (let i = a * MULTIPLY_BLOCK, end = Math.min(out.length, b * MULTIPLY_BLOCK); i < end; i++) out[i] = data[i] * mask[i];
}

/** out[i] = data[i]·mask[i] (float32), on the worker pool when every array is shared memory (each product on its own: same values). */
async function multiplyInto(out: Float32Array, data: Float32Array, mask: Float32Array): Promise<void> {
  const args = { out, data, mask };
  const blocks = Math.ceil(out.length / MULTIPLY_BLOCK);
  await parallelFor(import.meta.url, 'multiplyBlocks', multiplyBlocks, args, blocks, threadsFor(out, data, mask));
}

/**
 * The spectra of h1·mask and h2·mask (the masked FSC of 1.a, and the conical FSCs of 1.g and 1.h,
 * which share them through the entry context). `shellOf` is the shell table when the caller has it.
 */
export async function maskedSpectra(h1: Volume, h2: Volume, mask: Float32Array, shellOf?: Int16Array): Promise<HalfMapSpectra> {
  const n = h1.data.length;
  if (mask.length !== n || h2.data.length !== n) throw new RangeError(`maskedSpectra: mask ${mask.length}, half maps ${n} and ${h2.data.length} voxels`);
  const fft = createRealFft3d(h1.dims);
  const scratch = sharedFloat32(n);
  await multiplyInto(scratch, h1.data, mask);
  const F1 = await fft.forward(scratch);
  await multiplyInto(scratch, h2.data, mask);
  const F2 = await fft.forward(scratch);
  const [nx, ny, nz] = h1.dims;
  return { dims: [nx, ny, nz], voxelSize: h1.voxelSize[0], F1, F2, shellOf: shellOf ?? fscShells(h1.dims) };
}

/** Random phases are drawn from PHASES equally spaced values (2π/65536 apart: as good as continuous for a randomisation, and a table lookup instead of cos and sin per coefficient). */
const PHASES = 65536;
const PHASE_COS = Float32Array.from({ length: PHASES }, (_, j) => Math.cos((2 * Math.PI * j) / PHASES));
const PHASE_SIN = Float32Array.from({ length: PHASES }, (_, j) => Math.sin((2 * Math.PI * j) / PHASES));

/**
 * Replaces, in place, the phase of every coefficient of spectrum `F` in shells ≥ `fromShell` by a
 * uniform random phase (amplitude kept; mulberry32 with its state in `state`). Coefficients
 * beyond Nyquist (shell −1) lie past every shell and are randomised too.
 *
 * The draws follow the coefficients in storage order, as one sequential loop would make them.
 * mulberry32's state moves by a constant per draw, so the state at the start of each z plane is
 * known from the number of draws before it: the planes run on the worker pool, same numbers.
 */
export async function randomizePhases(F: Float32Array, { dims, shellOf }: HalfMapSpectra, fromShell: number, state: Int32Array): Promise<void> {
  const nz = dims[2];
  const plane = shellOf.length / nz;
  const start = new Int32Array(nz);
  let draws = 0;
  for (let z = 0, q = 0; z < nz; z++) {
    start[z] = mulberry32Skip(state[0], draws);
    for (const end = q + plane; q < end; q++) {
      const k = shellOf[q];
      if (k < 0 || k >= fromShell) draws++;
    }
  }
  state[0] = mulberry32Skip(state[0], draws);
  const args: RandomizeArgs = { F, shellOf, fromShell, start };
  await parallelFor(import.meta.url, 'randomizePlanes', randomizePlanes, args, nz, threadsFor(F, shellOf));
}

/** What the parallel phase randomisation needs: `start[z]`, mulberry32's state before plane z's first draw. */
export interface RandomizeArgs {
  readonly F: Float32Array;
  readonly shellOf: Int16Array;
  readonly fromShell: number;
  readonly start: Int32Array;
}

/** Planes [a, b) of `randomizePhases`; a `parallelFor` body. */
export function randomizePlanes({ F, shellOf, fromShell, start }: RandomizeArgs, a: number, b: number): void {
  const plane = shellOf.length / start.length;
  const state = new Int32Array(1);
  for (let z = a; z < b; z++) {
    state[0] = start[z];
    for (let q = z * plane, end = q + plane; q < end; q++) {
      const k = shellOf[q];
      if (k >= 0 && k < fromShell) continue;
      const p = 2 * q;
      const amp = Math.sqrt(F[p] * F[p] + F[p + 1] * F[p + 1]);
      const j = (mulberry32Next(state) * PHASES) | 0;
      F[p] = amp * PHASE_COS[j];
      F[p + 1] = amp * PHASE_SIN[j];
    }
  }
}

/**
 * w² per index along each axis of the half-complex grid (x: 0 … floor(nx/2)), its x length, and
 * the Hermitian weight of each column kx: its partner −kx is not stored unless kx is 0 or the
 * Nyquist column, so sums weighted by it equal full-grid sums.
 */
export function squaredFrequencies([nx, ny, nz]: readonly [number, number, number]): { hx: number; wx: Float64Array; wy: Float64Array; wz: Float64Array; weight: Float64Array } {
  const hx = (nx >> 1) + 1;
  return {
    hx,
    weight: new Float64Array(hx).map((_, i) => (i === 0 || (nx % 2 === 0 && i === nx / 2) ? 1 : 2)),
    wx: new Float64Array(hx).map((_, i) => fftFreq(i, nx) ** 2),
    wy: new Float64Array(ny).map((_, i) => fftFreq(i, ny) ** 2),
    wz: new Float64Array(nz).map((_, i) => fftFreq(i, nz) ** 2),
  };
}
