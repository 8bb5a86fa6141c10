/**
 * 0.g LocOccupancy (level0-spec.md §10; Kaur et al., Nat Commun 12:1240, 2021, ucm plugin
 * defaults): the fraction of Fourier shells between 15 Å and the reported resolution in which a
 * voxel's local spiral amplitude reaches the in-mask 25th percentile.
 *
 * Input: the map resized to Ts' = res/2 (cubic n³) and its resized hard mask. δ = 4.8/(n·Ts');
 * m = max(1, trunc((1/res − 1/15)/δ)) shells at linspace(1/15, 1/res, m) Å⁻¹ (m = 1 at 1/15 when
 * res ≥ 15). For each: A = spiral amplitude (`spiral-amplitude.ts`), q = 0.25-quantile (numpy
 * linear) of A over mask voxels, O += [A ≥ q]; finally O /= m ∈ [0, 1], every voxel. By
 * construction about 75 % of the mask passes each shell; lower values mark density that is weak
 * in most bands (partial occupancy, flexible parts).
 *
 * The item (items/level0/0g-local-occupancy.ts) reports percentiles and a histogram of O over
 * [0, 1] inside the mask and warns on a homogeneous output or a median below 0.5.
 */
import { linspace, quantileInPlace } from './order-statistics.ts';
import { createSpiralAmplitude, type SpiralAmplitude } from './spiral-amplitude.ts';
import type { Volume } from '../volume/volume.ts';
import { parallelFor, threadsForVoxels } from '../fft/fft-pool.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';

/** The sweep of one LocOccupancy run, reported with the item's values. */
export interface LocOccupancyRun {
  /** Low end of the sweep, Å. */
  readonly minRes: number;
  /** Number of shells m. */
  readonly shells: number;
  /** Shell centres, Å⁻¹. */
  readonly frequencies: number[];
  /** In-mask amplitude level q per shell. */
  readonly amplitudeLevels: number[];
  /** Shell width δ, Å⁻¹. */
  readonly shellWidth: number;
  /** Box edge n of the (cubic) map, and its voxel size, Å. */
  readonly boxEdge: number;
  readonly voxelSizeA: number;
}

/** Options of `localOccupancy` (defaults are the VRS/ucm ones). */
export interface LocalOccupancyOptions {
  /** Lowest resolution of the sweep, Å. Default 15. */
  minRes?: number;
  /** In-mask quantile of the amplitude that counts as "protein". Default 0.25. */
  proteinThreshold?: number;
  /** Shell width in Fourier voxels. Default 4.8. */
  fVoxelWidth?: number;
  /** A precomputed spectrum of the same volume and width (shared with 0.f); built when absent. */
  amplitude?: SpiralAmplitude;
}


/** Inputs of `countAbove` (SharedArrayBuffer-backed arrays). */
export interface CountArgs {
  amp: Float32Array;
  count: Uint16Array;
  q: number;
}

/** count[i] += 1 where amp[i] ≥ q, for voxels i in [i0, i1); a `parallelFor` body. */
export function countAbove(a: CountArgs, i0: number, i1: number): void {
  const { amp, count, q } = a;
  for (let i = i0; i < i1; i++) if (amp[i] >= q) count[i]++;
}

/** Number of shells: max(1, trunc((1/res − 1/minRes)/δ)) (numpy's int() truncates toward zero). */
export function occupancyShellCount(resolution: number, minRes: number, delta: number): number {
  return Math.max(1, Math.trunc((1 / resolution - 1 / minRes) / delta));
}

/**
 * Local occupancy map (fraction in [0, 1], float32, every voxel) and the sweep that made it.
 * `v`: cubic n³ map at Ts' = res/2; `mask`: its hard mask (0/1). Throws NotApplicable without a
 * resolution (null or 0) and NotMeasurable when the mask is empty.
 */
export async function localOccupancy(
  v: Volume,
  mask: Uint8Array,
  resolution: number | null,
  opts: LocalOccupancyOptions = {},
): Promise<{ omap: Float32Array; run: LocOccupancyRun }> {
  if (!resolution) throw new NotApplicable('no resolution reported');
  const minRes = opts.minRes ?? 15;
  const threshold = opts.proteinThreshold ?? 0.25;
  const width = opts.fVoxelWidth ?? 4.8;
  const N = v.data.length;
  if (mask.length !== N) throw new RangeError(`localOccupancy: mask has ${mask.length} voxels, map ${N}`);
  let inMask = 0;
  for (let i = 0; i < N; i++) if (mask[i] !== 0) inMask++;
  if (inMask === 0) throw new NotMeasurable('the mask is empty');
  const idx = new Uint32Array(inMask);
  for (let i = 0, k = 0; i < N; i++) if (mask[i] !== 0) idx[k++] = i;

  const spiral = opts.amplitude ?? (await createSpiralAmplitude(v, width));
  const m = occupancyShellCount(resolution, minRes, spiral.delta);
  const freqs = linspace(1 / minRes, 1 / resolution, m);
  // Shared memory: the FFT workers fold the amplitude into it directly.
  const amp = new Float32Array(new SharedArrayBuffer(4 * N));
  const count = new Uint16Array(new SharedArrayBuffer(2 * N));
  const threads = threadsForVoxels(N);
  const scratch = new Float32Array(inMask);
  const levels: number[] = [];
  for (const fr of freqs) {
    await spiral.amplitude(fr, amp);
    for (let k = 0; k < inMask; k++) scratch[k] = amp[idx[k]];
    const q = quantileInPlace(scratch, threshold);
    levels.push(q);
    await parallelFor(import.meta.url, 'countAbove', countAbove, { amp, count, q }, N, threads);
  }
  const omap = new Float32Array(N);
  for (let i = 0; i < N; i++) omap[i] = count[i] / m;

  return { omap, run: { minRes, shells: m, frequencies: freqs, amplitudeLevels: levels, shellWidth: spiral.delta, boxEdge: v.dims[0], voxelSizeA: v.voxelSize[0] } };
}
