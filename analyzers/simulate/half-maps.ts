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
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
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
  const resZ = design.resolutionZ ?? design.resolution;
  if (!(design.resolution > 0) || !(resZ > 0)) throw new RangeError(`simulateHalfMaps: design resolutions must be > 0, got ${design.resolution}, ${design.resolutionZ}`);
  const [nx, ny, nz] = signal.dims;
  const [tx, ty, tz] = signal.voxelSize;
  const finest = Math.min(design.resolution, resZ);
  if (finest < 2 * tx) throw new RangeError(`simulateHalfMaps: design resolution ${finest} Å is finer than Nyquist (${2 * tx} Å)`);
  const fft = createRealFft3d(signal.dims);
  const S = Float32Array.from(await fft.forward(signal.data));
  const hx = (nx >> 1) + 1;
  const shellOf = (x: number, y: number, z: number) => Math.round(Math.hypot(fftFreq(x, nx), fftFreq(y, ny), fftFreq(z, nz)) * nx);
  const shells = shellOf(hx - 1, ny >> 1, nz >> 1) + 1;
  const sigPower = shellMeans(S, signal.dims, shells, shellOf);
  const fscAt = (f: number, uz: number) => Math.min(designedFsc(f, designedF143(design, uz), design.width), FSC_CEILING);
  // σ²: the largest noise power that needs no amplification (G ≤ 1) up to the design resolution, in the finest direction.
  const lastShell = Math.round((nx * tx) / finest);
  let sigma2 = Infinity;
  for (let k = 1; k <= lastShell; k++) {
    const F = Math.min(designedFsc(k / (nx * tx), 1 / finest, design.width), FSC_CEILING);
    sigma2 = Math.min(sigma2, (sigPower[k] * (1 - F)) / F);
  }
  if (!(sigma2 > 0 && Number.isFinite(sigma2))) throw new RangeError('simulateHalfMaps: the signal has no power in some shell up to the design resolution');
  // The signal filter G of each stored coefficient (the DC term is kept: F = 1 there).
  const gain = new Float32Array(S.length / 2);
  let p = 0;
  for (let z = 0; z < nz; z++) {
    const fz = fftFreq(z, nz) / tz;
    for (let y = 0; y < ny; y++) {
      const fy = fftFreq(y, ny) / ty;
      for (let x = 0; x < hx; x++, p++) {
        const f = Math.hypot(fftFreq(x, nx) / tx, fy, fz);
        const ps = sigPower[shellOf(x, y, z)];
        if (f === 0 || !(ps > 0)) {
          gain[p] = 1;
          continue;
        }
        const F = fscAt(f, fz / f);
        gain[p] = Math.sqrt(Math.min(1, (sigma2 * F) / ((1 - F) * ps)));
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
          // No noise on the DC term: both halves keep the map's mean.
          const scale = pn > 0 && p > 0 ? Math.sqrt(sigma2 / pn) : 0;
          N[2 * p] = gain[p] * S[2 * p] + scale * N[2 * p];
          N[2 * p + 1] = gain[p] * S[2 * p + 1] + scale * N[2 * p + 1];
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

/** One region of a local-resolution layout: where (a weight per voxel in [0, 1]) and at what design. */
export interface LocalRegion {
  readonly weight: Float32Array;
  readonly design: FscDesign;
}

/**
 * Half maps with a known local-resolution layout: one designed pair per region (simulateHalfMaps
 * of the same signal, its own noise) blended voxel by voxel with the region weights, which should
 * sum to 1 where the map has signal (a smooth edge of a few voxels keeps the blend from creating
 * sharp features). Inside a region, far from its edge, the halves are that region's designed pair:
 * a local FSC or a local MonoRes there should find the region's design resolution.
 */
export async function simulateLocalHalfMaps(signal: Volume, regions: readonly LocalRegion[], seed = 1): Promise<SimulatedHalfMaps> {
  const n = signal.data.length;
  for (const r of regions) if (r.weight.length !== n) throw new RangeError(`simulateLocalHalfMaps: a region weight has ${r.weight.length} voxels, the map ${n}`);
  const h1 = new Float32Array(n);
  const h2 = new Float32Array(n);
  for (let k = 0; k < regions.length; k++) {
    const { half1, half2 } = await simulateHalfMaps(signal, regions[k].design, seed + 1000 * k);
    const w = regions[k].weight;
    for (let i = 0; i < n; i++) {
      h1[i] += w[i] * half1.data[i];
      h2[i] += w[i] * half2.data[i];
    }
  }
  const like = (data: Float32Array): Volume => ({ dims: signal.dims, voxelSize: signal.voxelSize, origin: signal.origin, data });
  return { half1: like(h1), half2: like(h2) };
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
