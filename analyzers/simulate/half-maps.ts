/**
 * Two half maps with a designed FSC curve, for tests and the demo: every Level 1 number then has
 * a known answer.
 *
 * Each half is h_i = G·S + N_i, as real half maps are: S the given map (the signal both halves
 * share) times a Fourier filter G ≤ 1, and N_i independent white noise of power σ² per Fourier
 * voxel. For a coefficient at spatial frequency f in direction u the designed FSC is a logistic
 * fall-off F(f, u) = 1/(1 + exp((f − f_m(u))/w)), capped at 0.999, placed so that F = 0.143 at
 * the design resolution along u. With P_S(k) the mean signal power of shell k,
 *
 *   FSC = G²P_S / (G²P_S + σ²) = F   ⇒   G² = σ²·F / ((1 − F)·P_S(k)),
 *
 * and σ² is the largest noise power for which G ≤ 1 in every shell up to the design resolution
 * (so the curve is followed exactly up to and through the 0.143 crossing; beyond it, where the
 * map itself has too little power for the design, G = 1 and the FSC falls faster). The noise is
 * white and rescaled to exactly σ² shell by shell, so the realised FSC departs from F only by
 * the signal–noise and noise–noise cross terms, ~1/√(voxels in the shell). Signal beyond the
 * design resolution is damped as a B-factor would, and the halves look like a map, not like
 * noise. An anisotropic design crosses 0.143 at `resolution` in the xy plane and at
 * `resolutionZ` along z, ellipsoidally in between.
 */
import { createRealFft3d, fftFreq, type RealFft3d } from '../fft/fft.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';
import type { Volume } from '../volume/volume.ts';

/** Ceiling of the designed FSC: real curves start near 0.99–0.999, and a logistic's 1 − 1e-5 would force the noise to nothing. */
export const FSC_CEILING = 0.999;

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
 * gives the same bytes. Throws a RangeError when the design resolution is finer than Nyquist or
 * the signal has no power up to it.
 */
export async function simulateHalfMaps(signal: Volume, design: FscDesign, seed = 1): Promise<SimulatedHalfMaps> {
  const grid = await spectralGrid(signal);
  const sigma2 = noisePowerFor(grid, design);
  const shared = await filteredSignal(grid, design, sigma2);
  return addNoise(grid, shared, sigma2, seed);
}

/**
 * Real-space σ of the white noise that turns `signal` into the full map of two half maps whose
 * FSC crosses `fsc` (default 0.143) at `resolution` (Å): the single-map equivalent of
 * `simulateHalfMaps` that keeps the signal as it is (G = 1), so its B-factor stays its own.
 *
 * Halves h_i = S + N_i with independent white noise of power σ_h² per Fourier voxel have the
 * expected FSC P_S(k)/(P_S(k) + σ_h²) in shell k (P_S the mean |S|² of the shell), which equals
 * `fsc` at the resolution shell when σ_h² = P_S(k_res)·(1 − fsc)/fsc. Their mean S + (N₁ + N₂)/2
 * carries noise of power σ_h²/2, and white noise of real-space variance s² has power N_vox·s² per
 * coefficient of the unnormalised transform (Parseval), so
 *
 *   s² = P_S(k_res)·(1 − fsc) / (2·fsc·N_vox)   (≈ 3.0·P_S(k_res)/N_vox at 0.143).
 *
 * P_S at 1/resolution is interpolated log-linearly between the two shells around it. The crossing
 * is where the design puts it when P_S falls through that shell (a blurred map's does); a map
 * whose P_S rises again beyond it would cross a second time further out.
 */
export async function fullMapNoiseSigma(signal: Volume, resolution: number, fsc = 0.143): Promise<number> {
  const { sigPower, shells } = await spectralGrid(signal);
  const nx = signal.dims[0];
  const kr = (nx * signal.voxelSize[0]) / resolution;
  const k0 = Math.floor(kr);
  if (!(resolution >= 2 * signal.voxelSize[0]) || k0 + 1 >= shells) throw new RangeError(`fullMapNoiseSigma: resolution ${resolution} Å is finer than Nyquist (${2 * signal.voxelSize[0]} Å)`);
  const p0 = sigPower[k0], p1 = sigPower[k0 + 1];
  if (!(p0 > 0 && p1 > 0)) throw new RangeError(`fullMapNoiseSigma: the signal has no power at ${resolution} Å`);
  const lnP = (1 - (kr - k0)) * Math.log(p0) + (kr - k0) * Math.log(p1);
  return Math.sqrt((Math.exp(lnP) * (1 - fsc)) / (2 * fsc * signal.data.length));
}

/** The signal's spectrum with its shell table and mean power per shell. */
interface SpectralGrid {
  readonly signal: Volume;
  readonly fft: RealFft3d;
  readonly S: Float32Array;
  /** FSC shell (round(r·N)) of each stored coefficient. */
  readonly shellOf: Int32Array;
  readonly shells: number;
  readonly sigPower: Float64Array;
}

async function spectralGrid(signal: Volume): Promise<SpectralGrid> {
  const [nx, ny, nz] = signal.dims;
  const fft = createRealFft3d(signal.dims);
  const S = Float32Array.from(await fft.forward(signal.data));
  const hx = (nx >> 1) + 1;
  const shellOf = new Int32Array(hx * ny * nz);
  let shells = 0;
  for (let z = 0, q = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < hx; x++, q++) {
        const k = Math.round(Math.hypot(fftFreq(x, nx), fftFreq(y, ny), fftFreq(z, nz)) * nx);
        shellOf[q] = k;
        if (k + 1 > shells) shells = k + 1;
      }
    }
  }
  return { signal, fft, S, shellOf, shells, sigPower: shellMeans(S, signal.dims, shells, shellOf) };
}

/**
 * σ²: the largest white-noise power for which the design needs no amplification of the signal
 * (G ≤ 1) in any shell up to its finest design resolution.
 */
function noisePowerFor({ signal, sigPower }: SpectralGrid, design: FscDesign): number {
  const resZ = design.resolutionZ ?? design.resolution;
  if (!(design.resolution > 0) || !(resZ > 0)) throw new RangeError(`simulateHalfMaps: design resolutions must be > 0, got ${design.resolution}, ${design.resolutionZ}`);
  const nx = signal.dims[0];
  const tx = signal.voxelSize[0];
  const finest = Math.min(design.resolution, resZ);
  if (finest < 2 * tx) throw new RangeError(`simulateHalfMaps: design resolution ${finest} Å is finer than Nyquist (${2 * tx} Å)`);
  const lastShell = Math.round((nx * tx) / finest);
  let sigma2 = Infinity;
  for (let k = 1; k <= lastShell; k++) {
    const F = Math.min(designedFsc(k / (nx * tx), 1 / finest, design.width), FSC_CEILING);
    sigma2 = Math.min(sigma2, (sigPower[k] * (1 - F)) / F);
  }
  if (!(sigma2 > 0 && Number.isFinite(sigma2))) throw new RangeError('simulateHalfMaps: the signal has no power in some shell up to the design resolution');
  return sigma2;
}

/** G·S in real space: the signal filtered so that, with white noise of power σ², its FSC follows the design (G ≤ 1; the DC term kept). */
async function filteredSignal({ signal, fft, S, shellOf, sigPower }: SpectralGrid, design: FscDesign, sigma2: number): Promise<Float32Array> {
  const [nx, ny, nz] = signal.dims;
  const [tx, ty, tz] = signal.voxelSize;
  const hx = (nx >> 1) + 1;
  const W = new Float32Array(S.length);
  for (let z = 0, q = 0; z < nz; z++) {
    const fz = fftFreq(z, nz) / tz;
    for (let y = 0; y < ny; y++) {
      const fy = fftFreq(y, ny) / ty;
      for (let x = 0; x < hx; x++, q++) {
        const f = Math.hypot(fftFreq(x, nx) / tx, fy, fz);
        const ps = sigPower[shellOf[q]];
        let g = 1;
        if (f > 0 && ps > 0) {
          const F = Math.min(designedFsc(f, designedF143(design, fz / f), design.width), FSC_CEILING);
          g = Math.sqrt(Math.min(1, (sigma2 * F) / ((1 - F) * ps)));
        }
        W[2 * q] = g * S[2 * q];
        W[2 * q + 1] = g * S[2 * q + 1];
      }
    }
  }
  return Float32Array.from(await fft.inverse(W));
}

/** Two halves: `shared` plus independent white noise of power σ² per Fourier voxel (exact per shell; none on the DC term). */
async function addNoise({ signal, fft, shellOf, shells }: SpectralGrid, shared: Float32Array, sigma2: number, seed: number): Promise<SimulatedHalfMaps> {
  const random = gaussianSource(mulberry32(seed));
  const halves: Volume[] = [];
  for (let h = 0; h < 2; h++) {
    const noise = new Float32Array(signal.data.length);
    for (let i = 0; i < noise.length; i++) noise[i] = random();
    const N = Float32Array.from(await fft.forward(noise));
    const noisePower = shellMeans(N, signal.dims, shells, shellOf);
    for (let q = 0; q < shellOf.length; q++) {
      const pn = noisePower[shellOf[q]];
      const scale = pn > 0 && q > 0 ? Math.sqrt(sigma2 / pn) : 0;
      N[2 * q] *= scale;
      N[2 * q + 1] *= scale;
    }
    const data = Float32Array.from(await fft.inverse(N));
    for (let i = 0; i < data.length; i++) data[i] += shared[i];
    halves.push({ dims: signal.dims, voxelSize: signal.voxelSize, origin: signal.origin, data });
  }
  return { half1: halves[0], half2: halves[1] };
}

/** Mean |F|² per shell over the full grid, from a half-complex spectrum. */
function shellMeans(F: Float32Array, [nx, ny, nz]: readonly [number, number, number], shells: number, shellOf: Int32Array): Float64Array {
  const hx = (nx >> 1) + 1;
  const sum = new Float64Array(shells);
  const count = new Float64Array(shells);
  for (let yz = 0, q = 0; yz < ny * nz; yz++) {
    for (let x = 0; x < hx; x++, q++) {
      const g = x === 0 || (nx % 2 === 0 && x === nx / 2) ? 1 : 2;
      const k = shellOf[q];
      sum[k] += g * (F[2 * q] * F[2 * q] + F[2 * q + 1] * F[2 * q + 1]);
      count[k] += g;
    }
  }
  return sum.map((v, k) => (count[k] > 0 ? v / count[k] : 0));
}

/** One region of a local-resolution layout: where (a weight per voxel in [0, 1]) and at what design. */
export interface LocalRegion {
  readonly weight: Float32Array;
  readonly design: FscDesign;
}

/**
 * Half maps with a known local-resolution layout, as real maps vary: one noise level for the whole
 * box, and the signal of each region filtered to its own design. σ² is the smallest of the
 * regions' noise powers (so no region needs amplification); each region's filtered signal G_r·S
 * is weighted voxel by voxel with its region weight (weights should sum to 1 where the map has
 * signal; a smooth edge of a few voxels keeps the blend from creating sharp features); the same
 * white noise is added as in `simulateHalfMaps`. Inside a region, far from its edge, the halves
 * are that region's design: a local FSC or a local MonoRes there should find its resolution.
 */
export async function simulateLocalHalfMaps(signal: Volume, regions: readonly LocalRegion[], seed = 1): Promise<SimulatedHalfMaps> {
  const n = signal.data.length;
  for (const r of regions) if (r.weight.length !== n) throw new RangeError(`simulateLocalHalfMaps: a region weight has ${r.weight.length} voxels, the map ${n}`);
  const grid = await spectralGrid(signal);
  const sigma2 = Math.min(...regions.map((r) => noisePowerFor(grid, r.design)));
  const shared = new Float32Array(n);
  for (const r of regions) {
    const part = await filteredSignal(grid, r.design, sigma2);
    for (let i = 0; i < n; i++) shared[i] += r.weight[i] * part[i];
  }
  return addNoise(grid, shared, sigma2, seed);
}

/**
 * Two complementary weights splitting the box at the plane x = `x0` (voxels) with a logistic edge
 * of `edge` voxels: [weight of x < x0, weight of x > x0].
 */
export function splitAlongX(dims: readonly [number, number, number], x0: number, edge = 2): [Float32Array, Float32Array] {
  const [nx, ny, nz] = dims;
  const a = new Float32Array(nx * ny * nz);
  const b = new Float32Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const w = 1 / (1 + Math.exp((x - x0) / edge));
        a[i] = w;
        b[i] = 1 - w;
      }
    }
  }
  return [a, b];
}
