/**
 * The masks every Level 0 item starts from (level0-spec.md 2.1–2.3):
 * - raw mask: V ≥ threshold;
 * - hard mask: the structure's pieces of the raw mask (its largest 26-connected component and every
 *   other large one, `largePieceVoxels`), dilated ceil(2 Å / Ts) times with the 18-neighbourhood
 *   (interior voxels only; 1 iteration without a voxel size). VRS keeps the largest component
 *   only, so a map the contour splits in two (GroEL's rings, EMD-1997) was analysed as half a map
 *   with the other half as "background";
 * - soft mask: the hard mask smoothed in Fourier space by exp(−π²σ²|w|²), σ = 2 px (a real-space
 *   Gaussian of standard deviation σ/√2 ≈ 1.41 px), negatives clipped to 0.
 */
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { label26, largestComponent, type Labelling } from '../volume/labelling.ts';
import { dilate18 } from '../volume/morphology.ts';
import { parallelFor, threadsFor } from '../fft/fft-pool.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** Fraction of exact zeros in the background from which a map counts as masked before deposition. */
export const MASKED_ZERO_FRACTION = 0.5;

export interface Level0Masks {
  /** V ≥ threshold, 0/1. */
  readonly raw: Uint8Array;
  /** 26-connected components of the raw mask. */
  readonly labelling: Labelling;
  /** Labels of the structure's pieces, largest first: the largest component and every other large one (≥ 1 when the raw mask is not empty). */
  readonly pieces: readonly number[];
  /** The structure's pieces, dilated: 0/1. */
  readonly hard: Uint8Array;
  /** Voxels of the hard mask (0 means the threshold is too high). */
  readonly hardCount: number;
  readonly dilations: number;
}

/** V ≥ t as 0/1 (values strictly below are 0; NaN is below everything). */
export function thresholdMask(data: Float32Array, threshold: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0, n = data.length; i < n; i++) if (data[i] >= threshold) out[i] = 1;
  return out;
}

/** Dilation iterations for "2 Å": ceil(2/Ts), or 1 when the voxel size is unknown. */
export function dilationsFor(voxelSizeA: number | null): number {
  return voxelSizeA !== null && voxelSizeA > 0 ? Math.ceil(2 / voxelSizeA) : 1;
}

/**
 * The volume of one resolution element, a sphere of diameter max(res, 2·Ts): (π/6)·d³ (Å³); with
 * no resolution, d = 2·Ts (Nyquist). A blob of noise in a map filtered to resolution res is about
 * that size, and no feature of the molecule can be smaller.
 */
export function resolutionElementVolume(resolution: number | null, voxelSizeA: number): number {
  const d = Math.max(resolution !== null && resolution > 0 ? resolution : 0, 2 * voxelSizeA);
  return (Math.PI / 6) * d ** 3;
}

/** A large piece holds at least this many resolution elements: far more than a noise excursion above a contour (about one element). */
export const LARGE_PIECE_ELEMENTS = 10;
/** … and at least this fraction of the raw mask: it matters to the structure as a whole (a GroEL apical domain is 2.4 % of the complex). */
export const LARGE_PIECE_FRACTION = 0.01;

/**
 * Fewest voxels of a large piece of a raw mask of `rawVoxels` voxels of `voxelVolumeA3` Å³:
 * max(10 resolution elements, 1 % of the raw mask), in voxels. A piece this large is density, not
 * noise, and a sizeable part of what the contour encloses; several of them mean that the contour
 * splits the structure (or that the box holds several bodies).
 */
export function largePieceVoxels(rawVoxels: number, voxelVolumeA3: number, resolution: number | null): number {
  const elements = (LARGE_PIECE_ELEMENTS * resolutionElementVolume(resolution, Math.cbrt(voxelVolumeA3))) / voxelVolumeA3;
  return Math.max(elements, LARGE_PIECE_FRACTION * rawVoxels);
}

/** Labels of the structure's pieces, largest first (ties: lower label first): the largest component, then every other of at least `minVoxels`. */
export function structurePieces(l: Labelling, minVoxels: number): number[] {
  const largest = largestComponent(l);
  if (largest === 0) return [];
  const out = [largest];
  for (let k = 1; k <= l.count; k++) if (k !== largest && l.sizes[k] >= minVoxels) out.push(k);
  return out.sort((a, b) => l.sizes[b] - l.sizes[a] || a - b);
}

/** 0/1 mask of the voxels whose label is one of `labels`. */
export function piecesMask(l: Labelling, labels: readonly number[]): Uint8Array {
  const keep = new Uint8Array(l.count + 1);
  for (const k of labels) keep[k] = 1;
  const out = new Uint8Array(l.labels.length);
  const lab = l.labels;
  for (let i = 0, n = lab.length; i < n; i++) out[i] = keep[lab[i]];
  return out;
}

/** Raw mask, its components, the structure's pieces and the hard mask of `v` at `threshold` (`resolution` in Å sets how large a piece must be). */
export function buildMasks(v: Volume, threshold: number, resolution: number | null = null): Level0Masks {
  const raw = thresholdMask(v.data, threshold);
  const labelling = label26(raw, v.dims);
  const rawVoxels = labelling.labels.length - labelling.sizes[0];
  const pieces = structurePieces(labelling, largePieceVoxels(rawVoxels, v.voxelSize[0] * v.voxelSize[1] * v.voxelSize[2], resolution));
  const hard = piecesMask(labelling, pieces);
  const dilations = dilationsFor(v.voxelSize[0]);
  dilate18(hard, v.dims, dilations);
  let hardCount = 0;
  for (let i = 0; i < hard.length; i++) hardCount += hard[i];
  return { raw, labelling, pieces, hard, hardCount, dilations };
}

/**
 * Soft mask of a 0/1 mask: Fourier multiplier exp(−π²σ²|w|²) with σ in pixels and w the digital
 * frequency (circular boundary, DC gain 1), then negatives clipped to 0.
 */
export async function softMask(mask: Uint8Array, dims: Vec3, sigmaPx = 2): Promise<Float32Array> {
  const fft = createRealFft3d(dims);
  const real = sharedFloat32(mask.length);
  real.set(mask);
  const spec = await fft.forward(real);
  const [hx, ny, nz] = fft.complexDims;
  const k = Math.PI * Math.PI * sigmaPx * sigmaPx;
  // The multiplier is separable, exp(−k|w|²) = gx·gy·gz: three small tables instead of one exp per coefficient.
  const gx = new Float64Array(hx).map((_, i) => Math.exp(-k * fftFreq(i, dims[0]) ** 2));
  const gy = new Float64Array(ny).map((_, i) => Math.exp(-k * fftFreq(i, ny) ** 2));
  const gz = new Float64Array(nz).map((_, i) => Math.exp(-k * fftFreq(i, nz) ** 2));
  // Coefficient by coefficient and voxel by voxel: the workers' planes and blocks give the same bits as one loop.
  // (On the pool only when the arrays are shared memory: a worker would change a copy of any other.)
  await parallelFor(import.meta.url, 'gaussianPlanes', gaussianPlanes, { spec, gx, gy, gz }, nz, threadsFor(spec));
  const out = await fft.inverse(spec, real);
  const blocks = Math.ceil(out.length / CLIP_BLOCK);
  await parallelFor(import.meta.url, 'clipBlocks', clipBlocks, { out }, blocks, threadsFor(out));
  return out;
}

/** Voxels per task of `clipBlocks`. */
const CLIP_BLOCK = 1 << 20;

/** Multiplies the planes z ∈ [z0, z1) of a half-complex spectrum by gx[x]·(gy[y]·gz[z]); a `parallelFor` body. */
export function gaussianPlanes(args: { spec: Float32Array; gx: Float64Array; gy: Float64Array; gz: Float64Array }, z0: number, z1: number): void {
  const { spec, gx, gy, gz } = args;
  const hx = gx.length;
  const ny = gy.length;
  for (let z = z0; z < z1; z++) {
    for (let y = 0, p = 2 * hx * ny * z; y < ny; y++) {
      const gyz = gy[y] * gz[z];
      for (let x = 0; x < hx; x++, p += 2) {
        const f = gx[x] * gyz;
        spec[p] *= f;
        spec[p + 1] *= f;
      }
    }
  }
}

/** Negative values of the blocks [a, b) of `CLIP_BLOCK` voxels set to 0; a `parallelFor` body. */
export function clipBlocks(args: { out: Float32Array }, a: number, b: number): void {
  const out = args.out;
  for (let i = a * CLIP_BLOCK, end = Math.min(out.length, b * CLIP_BLOCK); i < end; i++) if (out[i] < 0) out[i] = 0;
}
