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
import { mulberry32 } from '../util/random.ts';
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

/**
 * FSC, DPR and voxel counts of two half maps on the same grid. Throws a RangeError when the grids
 * differ (callers check grids with a message naming the files first).
 */
export async function fscCurve(h1: Volume, h2: Volume): Promise<FscCurve> {
  const [nx, ny, nz] = h1.dims;
  if (h2.dims[0] !== nx || h2.dims[1] !== ny || h2.dims[2] !== nz) {
    throw new RangeError(`fscCurve: half maps of ${h1.dims.join('×')} and ${h2.dims.join('×')} voxels`);
  }
  const fft = createRealFft3d(h1.dims);
  const F1 = await fft.forward(h1.data);
  const F2 = await fft.forward(h2.data);
  const N = nx;
  const shells = Math.floor(N / 2);
  const cross = new Float64Array(shells + 1);
  const p1 = new Float64Array(shells + 1);
  const p2 = new Float64Array(shells + 1);
  const phase = new Float64Array(shells + 1);
  const amp = new Float64Array(shells + 1);
  const voxels = new Float64Array(shells + 1);
  const { hx, wx, wy, wz } = squaredFrequencies(h1.dims);
  // Hermitian weight of column kx: its partner −kx is not stored unless kx is 0 or the Nyquist column.
  const weight = new Float64Array(hx).map((_, i) => (i === 0 || (nx % 2 === 0 && i === nx / 2) ? 1 : 2));
  const DEG = 180 / Math.PI;
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const ryz = wy[y] + wz[z];
      for (let x = 0; x < hx; x++, p += 2) {
        const r2 = wx[x] + ryz;
        if (r2 > 0.25) continue;
        const k = Math.round(Math.sqrt(r2) * N);
        if (k > shells) continue;
        const a = F1[p], b = F1[p + 1], c = F2[p], d = F2[p + 1];
        const re = a * c + b * d;
        const im = b * c - a * d;
        const g = weight[x];
        cross[k] += g * re;
        p1[k] += g * (a * a + b * b);
        p2[k] += g * (c * c + d * d);
        const w = Math.hypot(a, b) + Math.hypot(c, d);
        const dphi = Math.atan2(im, re) * DEG;
        phase[k] += g * w * dphi * dphi;
        amp[k] += g * w;
        voxels[k] += g;
      }
    }
  }
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
    out.frequency[j] = k / (N * h1.voxelSize[0]);
    out.fsc[j] = cross[k] / Math.sqrt(p1[k] * p2[k]);
    out.dpr[j] = Math.sqrt(phase[k] / amp[k]);
    out.voxels[j] = voxels[k];
  }
  return out;
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

/**
 * FSC of h1·mask and h2·mask corrected for the correlation the mask itself creates. Phases of both
 * half maps are replaced by independent random phases (seeded, amplitudes kept) in every shell
 * from the first where the unmasked FSC drops below 0.8; the randomised maps are masked and their
 * FSC measures what the mask alone correlates. The inverse transform keeps the real part (numpy's
 * irfftn), which makes the randomised kx = 0 and Nyquist planes Hermitian.
 */
export async function correctedMaskedFsc(h1: Volume, h2: Volume, mask: Float32Array, seed = 1): Promise<CorrectedFsc> {
  const n = h1.data.length;
  if (mask.length !== n) throw new RangeError(`correctedMaskedFsc: mask has ${mask.length} voxels, half maps ${n}`);
  const unmasked = await fscCurve(h1, h2);
  let from = unmasked.fsc.findIndex((x) => x < RANDOMIZE_BELOW_FSC) + 1;
  if (from === 0) from = unmasked.shell.length + 1; // never below 0.8: nothing to randomise
  const times = (v: Volume, data: Float32Array): Volume => ({ ...v, data: data.map((x, i) => x * mask[i]) });
  const masked = await fscCurve(times(h1, h1.data), times(h2, h2.data));
  const random = mulberry32(seed);
  const r1 = await randomizePhases(h1, from, random);
  const r2 = await randomizePhases(h2, from, random);
  const randomized = await fscCurve(times(h1, r1), times(h2, r2));
  const corrected = masked.fsc.map((m, j) => {
    if (masked.shell[j] < from) return m;
    const r = randomized.fsc[j];
    return (m - r) / (1 - r);
  });
  return { unmasked, masked, randomized, corrected, randomizedFromShell: from };
}

/** `v` with the phases of every coefficient in shells ≥ `fromShell` replaced by uniform random phases. */
async function randomizePhases(v: Volume, fromShell: number, random: () => number): Promise<Float32Array> {
  const [nx, ny, nz] = v.dims;
  const fft = createRealFft3d(v.dims);
  const F = await fft.forward(v.data);
  const { hx, wx, wy, wz } = squaredFrequencies(v.dims);
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < hx; x++, p += 2) {
        if (Math.round(Math.sqrt(wx[x] + wy[y] + wz[z]) * nx) < fromShell) continue;
        const a = Math.hypot(F[p], F[p + 1]);
        const phi = 2 * Math.PI * random();
        F[p] = a * Math.cos(phi);
        F[p + 1] = a * Math.sin(phi);
      }
    }
  }
  return Float32Array.from(await fft.inverse(F));
}

/** w² per index along each axis of the half-complex grid (x: 0 … floor(nx/2)), and its x length. */
export function squaredFrequencies([nx, ny, nz]: readonly [number, number, number]): { hx: number; wx: Float64Array; wy: Float64Array; wz: Float64Array } {
  const hx = (nx >> 1) + 1;
  return {
    hx,
    wx: new Float64Array(hx).map((_, i) => fftFreq(i, nx) ** 2),
    wy: new Float64Array(ny).map((_, i) => fftFreq(i, ny) ** 2),
    wz: new Float64Array(nz).map((_, i) => fftFreq(i, nz) ** 2),
  };
}
