/**
 * The Guinier plot of a map (level0-spec.md §7, as xmipp_volume_correct_bfactor --auto) and its
 * B-factor: the slope of ln(mean |F|) against 1/d² between 15 Å and the resolution.
 *
 * F = FFT(V)/(X·Y·Z) on the half-complex grid. Radial average of amplitudes |F| (not |F|²) in
 * shells k = round(|w|·N), N = X size, w the digital frequency per axis, |w|² ≤ 1/4. Points
 * d_k = N·Ts/k ≥ res: x = 1/d², y = ln(mean |F|); least squares y = a·x + b over res ≤ d ≤ 15 Å.
 * B = 4a (Å²; negative for decaying amplitudes: |F| ∝ exp(B·s²/4)). Corrected map: coefficients
 * with resolution ≥ res multiplied by exp(−B·R²/4) (R in Å⁻¹), finer ones untouched.
 */
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';
import type { Volume } from '../volume/volume.ts';
import { hypot2 } from '../util/hypot.ts';

export interface GuinierCurve {
  /** Shell index k. */
  shell: Int32Array;
  /** Resolution of the shell, Å. */
  d: Float64Array;
  /** 1/d², Å⁻². */
  x: Float64Array;
  /** ln(mean |F|), NaN for empty shells. */
  lnF: Float64Array;
  /** 1 when the point is in the fit range. */
  weight: Uint8Array;
}

/** The Guinier fit of a map, with the B-corrected map and its curve. */
export interface GuinierFit {
  readonly curve: GuinierCurve;
  /** ln(mean |F|) of the corrected map on the same shells. */
  readonly correctedLnF: Float64Array;
  /** The B-corrected ("sharpened") map. */
  readonly corrected: Float32Array;
  readonly slope: number;
  readonly intercept: number;
  /** Shells in the fit. */
  readonly points: number;
  /** B = 4·slope, Å². */
  readonly bFactor: number;
}

export const FIT_LOW_RESOLUTION_A = 15;

/** Digital frequency² per index along each axis of the half-complex grid. */
function freq2(n: number, count: number): Float64Array {
  return new Float64Array(count).map((_, i) => fftFreq(i, n) ** 2);
}

/**
 * Radial mean of |F| in shells round(|w|·N) over the half-complex spectrum (normalised by
 * 1/voxels), for the shells k ≤ `maxShell` (default: every shell, N − 1); shells beyond it are
 * left at 0. The Guinier fit reads only the shells with d ≥ res, so it passes their last index:
 * along a row |w| grows with x, so a row stops at the first coefficient past that shell, and the
 * coefficients of the finer shells (most of the spectrum at a fine resolution) are never read.
 * The kept shells are summed in the same order as over the whole spectrum: the same bits.
 */
export function radialAmplitudes(spec: Float32Array, dims: readonly [number, number, number], maxShell = dims[0] - 1): { sum: Float64Array; count: Float64Array } {
  const [nx, ny, nz] = dims;
  const hx = Math.floor(nx / 2) + 1;
  const N = nx;
  const sum = new Float64Array(N);
  const count = new Float64Array(N);
  const gx = freq2(nx, hx);
  const gy = freq2(ny, ny);
  const gz = freq2(nz, nz);
  const scale = 1 / (nx * ny * nz);
  const kMax = Math.min(N - 1, maxShell);
  // Past this |w|², round(|w|·N) > kMax for certain (the half shell plus a margin for rounding); nearer, k decides.
  const w2Stop = Math.min(0.25, ((kMax + 1) / N) ** 2);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const wyz = gy[y] + gz[z];
      for (let x = 0, p = 2 * hx * (y + ny * z); x < hx; x++, p += 2) {
        const w2 = gx[x] + wyz;
        if (w2 > w2Stop) break;
        const k = Math.round(Math.sqrt(w2) * N);
        if (k > kMax) continue;
        sum[k] += hypot2(spec[p], spec[p + 1]) * scale;
        count[k]++;
      }
    }
  }
  return { sum, count };
}

/** The last shell index k whose resolution N·Ts/k is ≥ res (as `guinierCurve` tests it): the shells of the curve are 0…k. */
export function lastCurveShell(N: number, Ts: number, res: number): number {
  let k = 0;
  while (k + 1 < N && (N * Ts) / (k + 1) >= res) k++;
  return k;
}

/** Guinier points for shells with d ≥ res, weights on res ≤ d ≤ 15 Å. */
export function guinierCurve(sum: Float64Array, count: Float64Array, N: number, Ts: number, res: number): GuinierCurve {
  const rows: number[] = [];
  for (let k = 0; k < N; k++) {
    const d = k === 0 ? Infinity : (N * Ts) / k;
    if (d >= res) rows.push(k);
  }
  const curve: GuinierCurve = {
    shell: Int32Array.from(rows),
    d: new Float64Array(rows.length),
    x: new Float64Array(rows.length),
    lnF: new Float64Array(rows.length),
    weight: new Uint8Array(rows.length),
  };
  rows.forEach((k, j) => {
    const d = k === 0 ? Infinity : (N * Ts) / k;
    curve.d[j] = d;
    curve.x[j] = k === 0 ? 0 : 1 / (d * d);
    curve.lnF[j] = sum[k] > 0 ? Math.log(sum[k] / count[k]) : NaN;
    curve.weight[j] = sum[k] > 0 && d >= res && d <= FIT_LOW_RESOLUTION_A ? 1 : 0;
  });
  return curve;
}

/** Ordinary least squares y = a·x + b over the weighted points. */
export function fitLine(x: Float64Array, y: Float64Array, w: Uint8Array): { slope: number; intercept: number; points: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!w[i]) continue;
    n++;
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const den = n * sxx - sx * sx;
  const slope = (n * sxy - sx * sy) / den;
  return { slope, intercept: (sy - slope * sx) / n, points: n };
}

/**
 * Fits the Guinier line between 15 Å and `resolution` and applies the correction exp(−B·R²/4)
 * up to the resolution. Throws NotApplicable without a resolution or above 15 Å, NotMeasurable
 * with fewer than 2 points.
 */
export async function guinierFit(v: Volume, resolution: number | null): Promise<GuinierFit> {
  if (resolution === null) throw new NotApplicable('no resolution reported');
  if (resolution > FIT_LOW_RESOLUTION_A) throw new NotApplicable(`resolution worse than ${FIT_LOW_RESOLUTION_A} Å (the fit runs from ${FIT_LOW_RESOLUTION_A} Å to the resolution)`);
  const [nx, ny, nz] = v.dims;
  const Ts = v.voxelSize;
  const fft = createRealFft3d(v.dims);
  const spec = await fft.forward(v.data);
  const lastShell = lastCurveShell(nx, Ts[0], resolution);
  const before = radialAmplitudes(spec, v.dims, lastShell);
  const curve = guinierCurve(before.sum, before.count, nx, Ts[0], resolution);
  const fit = fitLine(curve.x, curve.lnF, curve.weight);
  if (fit.points < 2 || !Number.isFinite(fit.slope)) {
    throw new NotMeasurable(`only ${fit.points} Guinier point(s) between ${FIT_LOW_RESOLUTION_A} Å and ${resolution} Å: the B-factor cannot be fitted`);
  }
  const B = 4 * fit.slope;

  // Correction: exp(−B·R²/4) for R ≤ 1/res (R in Å⁻¹ with each axis's own voxel size).
  const hx = Math.floor(nx / 2) + 1;
  const rx = new Float64Array(hx).map((_, i) => (fftFreq(i, nx) / Ts[0]) ** 2);
  const ry = new Float64Array(ny).map((_, i) => (fftFreq(i, ny) / Ts[1]) ** 2);
  const rz = new Float64Array(nz).map((_, i) => (fftFreq(i, nz) / Ts[2]) ** 2);
  const rMax2 = 1 / (resolution * resolution);
  // R grows with x along a row (x < hx): a row ends at its first coefficient finer than the resolution.
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const ryz = ry[y] + rz[z];
      for (let x = 0, p = 2 * hx * (y + ny * z); x < hx; x++, p += 2) {
        const R2 = rx[x] + ryz;
        if (R2 > rMax2) break;
        const g = Math.exp(-0.25 * B * R2);
        spec[p] *= g;
        spec[p + 1] *= g;
      }
    }
  }
  const after = radialAmplitudes(spec, v.dims, lastShell);
  const afterCurve = guinierCurve(after.sum, after.count, nx, Ts[0], resolution);
  const corrected = await fft.inverse(spec);
  return { curve, correctedLnF: afterCurve.lnF, corrected, slope: fit.slope, intercept: fit.intercept, points: fit.points, bFactor: B };
}
