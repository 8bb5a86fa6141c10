/**
 * 0.f LocBFactor (level0-spec.md §9; Kaur et al., Nat Commun 12:1240, 2021, with the defaults of
 * the Scipion "ucm" plugin): a local B-factor per voxel from the decay of the local spiral
 * amplitude over ten Fourier shells between 15 Å and the reported resolution.
 *
 * Input: the map resized to Ts' = res/2 (cubic n³, isotropic voxel) and its resized hard mask.
 * For f_j = linspace(1/15, 1/res, 10) Å⁻¹: A_j = spiral amplitude in the normalised Gaussian shell
 * at f_j (`spiral-amplitude.ts`, δ = 4.8/(n·Ts')); q_j = 0.9-quantile (numpy linear) of A_j over the
 * background Bg = (mask = 0) ∧ (distance from voxel (n/2, n/2, n/2) < n/2); L_j = ln(C·A_j) with
 * C = A_j/(A_j + q_j); per voxel, least squares L_j ≈ α + β·f_j², local B = 4β (Å²; amplitudes
 * ∝ exp(B·s²/4), so blurrier regions have more negative B). The sums are accumulated one
 * frequency at a time: β = Σ_j (x_j − x̄)·L_j / Σ_j (x_j − x̄)², x_j = f_j², so only one float64
 * accumulator per voxel is kept. That per-voxel loop runs on the FFT worker pool with the SIMD
 * logarithm of wasm-math.ts (≈1e-11 from Math.log, far below the float32 amplitudes' precision).
 *
 * Known scale offset of the method (kept, as the spec says): the shell is normalised to Σ S = 1
 * over the grid, and Σ S grows as f² (shell area), while the band-passed amplitude of a
 * white-phase signal grows only as f·|F(f)| (the root of the shell energy). So A_j ∝ |F(f_j)|/f_j
 * and L_j carries an extra −½·ln(f_j²), whose least-squares slope over the ten points adds
 * 4·slope(−½ ln x) to B: −53 Å² at 3 Å, −83 Å² at 4 Å, −115 Å² at 5 Å for large boxes (less for
 * small boxes, where δ is not ≪ 1/15 Å⁻¹). The exact offset of the grid, from the shell sums, is
 * reported as `normalisationOffset`; the tests check it on white noise (true B = 0). A second,
 * multiplicative effect: inside a shell of width δ the weights exp(B·ρ²/2) tilt the shell, which
 * scales the fitted B by ≈ 1/(1 − B·δ²/2) (0.8 at B = −150 Å² on a 84 Å box, 0.99 on a 375 Å box).
 *
 * The item (items/level0/0f-local-bfactor.ts) reports percentiles and a histogram of B inside the
 * mask and warns on a homogeneous output or a median outside [−300, 0] Å².
 */
import { linspace, quantileInPlace } from './order-statistics.ts';
import { parallelFor, threadsForVoxels } from '../fft/fft-pool.ts';
import { accumulateWeightedLog } from '../fft/wasm-math.ts';
import { createSpiralAmplitude, shellNormalisationOffset, type ShellSums, type SpiralAmplitude } from './spiral-amplitude.ts';
import type { Volume } from '../volume/volume.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';

/** The sweep of one LocBFactor run, reported with the item's values. */
export interface LocBFactorRun {
  /** Low end of the sweep, Å. */
  readonly minRes: number;
  readonly numPoints: number;
  /** Shell centres f_j, Å⁻¹. */
  readonly frequencies: number[];
  /** Noise level q_j per shell. */
  readonly noiseLevels: number[];
  /** Shell width δ, Å⁻¹. */
  readonly shellWidth: number;
  readonly backgroundVoxels: number;
  /** The constant that the Σ S = 1 shell normalisation adds to every local B, Å². */
  readonly normalisationOffset: number;
  /** Box edge n of the (cubic) map, and its voxel size, Å. */
  readonly boxEdge: number;
  readonly voxelSizeA: number;
}

/** Options of `localBFactor` (defaults are the VRS/ucm ones). */
export interface LocalBFactorOptions {
  /** Lowest resolution of the sweep, Å. Default 15. */
  minRes?: number;
  /** Number of shells. Default 10. */
  numPoints?: number;
  /** Background quantile used as the noise level. Default 0.9. */
  noiseThreshold?: number;
  /** Shell width in Fourier voxels. Default 4.8. */
  fVoxelWidth?: number;
  /** A precomputed spectrum of the same volume and width (shared with 0.g); built when absent. */
  amplitude?: SpiralAmplitude;
}

/** Inputs of `accumulateLogs` (SharedArrayBuffer-backed arrays). */
export interface LogArgs {
  amp: Float32Array;
  acc: Float64Array;
  /** Weight x_j − x̄ of the shell and its noise level q_j. */
  w: number;
  q: number;
}

/**
 * acc[i] += w·ln(C·A) = w·ln(A²/(A + q)) for voxels i in [i0, i1) (C = A/(A + q)), with the
 * SIMD logarithm of wasm-math.ts (≈1e-11 from Math.log); a `parallelFor` body.
 */
export function accumulateLogs(a: LogArgs, i0: number, i1: number): void {
  accumulateWeightedLog(a.amp, a.acc, a.w, a.q, i0, i1);
}

/** Voxel indices of the background set: mask = 0 and |(i, j, k) − n/2| < n/2 (voxels). */
export function backgroundIndices(mask: Uint8Array, n: number): Uint32Array {
  const c = n / 2;
  const r2max = c * c;
  let count = 0;
  const pass = (write: Uint32Array | null) => {
    let k = 0;
    for (let z = 0, i = 0; z < n; z++) {
      const dz2 = (z - c) * (z - c);
      for (let y = 0; y < n; y++) {
        const dyz2 = dz2 + (y - c) * (y - c);
        for (let x = 0; x < n; x++, i++) {
          if (mask[i] !== 0) continue;
          if (dyz2 + (x - c) * (x - c) < r2max) {
            if (write) write[k] = i;
            k++;
          }
        }
      }
    }
    return k;
  };
  count = pass(null);
  const out = new Uint32Array(count);
  pass(out);
  return out;
}

/**
 * Local B-factor map (Å², float32, every voxel, same layout as `v`) and the 0.f item result.
 * `v`: cubic n³ map at Ts' = res/2 (isotropic voxel); `mask`: its hard mask (0/1, n³).
 * Throws NotApplicable without a resolution (null or 0), NotMeasurable when the fit is degenerate
 * (res = minRes), the background set is empty, or no finite value falls inside the mask.
 */
export async function localBFactor(
  v: Volume,
  mask: Uint8Array,
  resolution: number | null,
  opts: LocalBFactorOptions = {},
): Promise<{ bmap: Float32Array; run: LocBFactorRun }> {
  if (!resolution) throw new NotApplicable('no resolution reported');
  const minRes = opts.minRes ?? 15;
  const numPoints = opts.numPoints ?? 10;
  const noiseThreshold = opts.noiseThreshold ?? 0.9;
  const width = opts.fVoxelWidth ?? 4.8;
  const n = v.dims[0];
  if (mask.length !== v.data.length) throw new RangeError(`localBFactor: mask has ${mask.length} voxels, map ${v.data.length}`);

  const freqs = linspace(1 / minRes, 1 / resolution, numPoints);
  const x = freqs.map((fj) => fj * fj);
  const xMean = x.reduce((a, b) => a + b, 0) / numPoints;
  const sxx = x.reduce((a, b) => a + (b - xMean) * (b - xMean), 0);
  if (!(sxx > 0)) throw new NotMeasurable(`the resolution ${resolution} Å equals the low end of the sweep (${minRes} Å): all ${numPoints} shells coincide and the local slope is undefined`);

  const bg = backgroundIndices(mask, n);
  if (bg.length === 0) throw new NotMeasurable('no background voxel (outside the mask, inside the inscribed sphere) to estimate the noise level');

  const spiral = opts.amplitude ?? (await createSpiralAmplitude(v, width));
  const N = v.data.length;
  const threads = threadsForVoxels(N);
  // Shared memory: the FFT workers fold the amplitude into it directly.
  const amp = new Float32Array(new SharedArrayBuffer(4 * N));
  const acc = new Float64Array(new SharedArrayBuffer(8 * N));
  const scratch = new Float32Array(bg.length);
  const noise: number[] = [];
  const sums: ShellSums[] = [];
  for (let j = 0; j < numPoints; j++) {
    sums.push(await spiral.amplitude(freqs[j], amp));
    for (let k = 0; k < bg.length; k++) scratch[k] = amp[bg[k]];
    const q = quantileInPlace(scratch, noiseThreshold);
    noise.push(q);
    await parallelFor(import.meta.url, 'accumulateLogs', accumulateLogs, { amp, acc, w: x[j] - xMean, q }, N, threads);
  }
  const bmap = new Float32Array(N);
  const scale = 4 / sxx;
  // A voxel with zero amplitude in some shell has ln 0 = −∞ in its sum: it has no local B, written NaN
  // (not ±Inf, which map viewers take as a value) and left out of the summary.
  for (let i = 0; i < N; i++) {
    const b = acc[i] * scale;
    bmap[i] = Number.isFinite(b) ? b : NaN;
  }

  return {
    bmap,
    run: {
      minRes,
      numPoints,
      frequencies: freqs,
      noiseLevels: noise,
      shellWidth: spiral.delta,
      backgroundVoxels: bg.length,
      normalisationOffset: shellNormalisationOffset(freqs, sums),
      boxEdge: n,
      voxelSizeA: v.voxelSize[0],
    },
  };
}
