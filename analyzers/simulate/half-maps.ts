/**
 * Two half maps with a designed FSC curve, for tests and the demo: every Level 1 number then has
 * a known answer.
 *
 * Each half is h_i = S + N_i: S the given map (the signal both halves share), N_i independent
 * Gaussian noise shaped in Fourier space. For a coefficient at spatial frequency f in direction u
 * the designed FSC is a logistic fall-off F(f, u) = 1/(1 + exp((f − f_m(u))/w)), placed so that
 * F = 0.143 at the design resolution along u, and the noise gets the power that makes the
 * expected FSC of the shell equal F:
 *
 *   FSC = P_S / (P_S + P_N)   ⇒   P_N(k) = P_S(k)·(1 − F)/F,
 *
 * with P_S(k) the mean signal power of shell k and the white noise rescaled to exactly that power
 * shell by shell (so the realised FSC departs from F only by the signal–noise and noise–noise
 * cross terms, ~1/√(voxels in the shell)). An anisotropic design crosses 0.143 at `resolution`
 * in the xy plane and at `resolutionZ` along z, ellipsoidally in between.
 */
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';
import type { Volume } from '../volume/volume.ts';

/**
 * Floor of the designed FSC where the noise power is set: far beyond the design resolution a
 * logistic FSC of 1e-9 would ask for noise 10⁹ times the signal, and that noise would swamp the
 * map in real space; at 0.001 the halves carry noise ≤ 1000× the signal power there, and the
 * measured FSC (≈ 0.001 ± 1/√n) is indistinguishable from 0.
 */
export const FSC_FLOOR = 1e-3;

/** ln(1/0.143 − 1): a logistic 1/(1 + e^t) equals 0.143 at t = this. */
const LOGIT_0143 = Math.log(1 / 0.143 - 1);

export interface FscDesign {
  /** Resolution (Å) at which the designed FSC falls to 0.143 (in the xy plane when `resolutionZ` is given). */
  readonly resolution: number;
  /** Resolution (Å) of the 0.143 crossing along z (anisotropic design); default = `resolution`. */
  readonly resolutionZ?: number;
  /** Width w of the logistic fall-off as a fraction of the 0.143 frequency (default 0.08). */
  readonly width?: number;
}

/** The designed FSC at spatial frequency f (Å⁻¹) for a design whose 0.143 frequency in that direction is f143. */
export function designedFsc(f: number, f143: number, widthFraction = 0.08): number {
  const w = widthFraction * f143;
  const fm = f143 - LOGIT_0143 * w;
  return 1 / (1 + Math.exp((f - fm) / w));
}

/** The 0.143 frequency (Å⁻¹) of a design in the direction of the unit vector whose z component is `uz`. */
export function designedF143(design: FscDesign, uz: number): number {
  const fxy = 1 / design.resolution;
  const fz = 1 / (design.resolutionZ ?? design.resolution);
  return Math.sqrt((1 - uz * uz) * fxy * fxy + uz * uz * fz * fz);
}

export interface SimulatedHalfMaps {
  readonly half1: Volume;
  readonly half2: Volume;
}

/**
 * Two half maps of `signal` whose FSC follows `design`. Seeded: the same (signal, design, seed)
 * gives the same bytes. The DC term carries no noise (F = 1 there).
 */
export async function simulateHalfMaps(signal: Volume, design: FscDesign, seed = 1): Promise<SimulatedHalfMaps> {
  if (!(design.resolution > 0) || !((design.resolutionZ ?? design.resolution) > 0)) throw new RangeError(`simulateHalfMaps: design resolutions must be > 0, got ${design.resolution}, ${design.resolutionZ}`);
  const [nx, ny, nz] = signal.dims;
  const [tx, ty, tz] = signal.voxelSize;
  const fft = createRealFft3d(signal.dims);
  const S = Float32Array.from(await fft.forward(signal.data));
  const hx = (nx >> 1) + 1;
  const shellOf = (x: number, y: number, z: number) => Math.round(Math.hypot(fftFreq(x, nx), fftFreq(y, ny), fftFreq(z, nz)) * nx);
  const shells = shellOf(hx - 1, ny >> 1, nz >> 1) + 1;
  // Mean signal power per shell (Hermitian weights: the sums equal full-grid sums).
  const sigPower = shellMeans(S, signal.dims, shells, shellOf);
  // Designed FSC and target noise power of each stored coefficient.
  const target = new Float32Array(S.length / 2);
  let p = 0;
  for (let z = 0; z < nz; z++) {
    const fz = fftFreq(z, nz) / tz;
    for (let y = 0; y < ny; y++) {
      const fy = fftFreq(y, ny) / ty;
      for (let x = 0; x < hx; x++, p++) {
        const fxv = fftFreq(x, nx) / tx;
        const f = Math.hypot(fxv, fy, fz);
        if (f === 0) continue;
        const F = Math.max(designedFsc(f, designedF143(design, fz / f), design.width), FSC_FLOOR);
        target[p] = (sigPower[shellOf(x, y, z)] * (1 - F)) / F;
      }
    }
  }
  const random = gaussianSource(mulberry32(seed));
  const halves: Volume[] = [];
  for (let h = 0; h < 2; h++) {
    const noise = new Float32Array(signal.data.length);
    for (let i = 0; i < noise.length; i++) noise[i] = random();
    const N = Float32Array.from(await fft.forward(noise));
    const noisePower = shellMeans(N, signal.dims, shells, shellOf);
    p = 0;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < hx; x++, p++) {
          const pn = noisePower[shellOf(x, y, z)];
          const g = pn > 0 ? Math.sqrt(target[p] / pn) : 0;
          N[2 * p] = S[2 * p] + g * N[2 * p];
          N[2 * p + 1] = S[2 * p + 1] + g * N[2 * p + 1];
        }
      }
    }
    const data = Float32Array.from(await fft.inverse(N));
    halves.push({ dims: signal.dims, voxelSize: signal.voxelSize, origin: signal.origin, data });
  }
  return { half1: halves[0], half2: halves[1] };
}

/** Mean |F|² per shell over the full grid, from a half-complex spectrum. */
function shellMeans(F: Float32Array, [nx, ny, nz]: readonly [number, number, number], shells: number, shellOf: (x: number, y: number, z: number) => number): Float64Array {
  const hx = (nx >> 1) + 1;
  const sum = new Float64Array(shells);
  const count = new Float64Array(shells);
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < hx; x++, p += 2) {
        const g = x === 0 || (nx % 2 === 0 && x === nx / 2) ? 1 : 2;
        const k = shellOf(x, y, z);
        sum[k] += g * (F[p] * F[p] + F[p + 1] * F[p + 1]);
        count[k] += g;
      }
    }
  }
  return sum.map((s, k) => (count[k] > 0 ? s / count[k] : 0));
}
