/**
 * The masks every Level 0 item starts from (level0-spec.md 2.1–2.3):
 * - raw mask: V ≥ threshold;
 * - hard mask: largest 26-connected component of the raw mask, dilated ceil(2 Å / Ts) times with
 *   the 18-neighbourhood (interior voxels only; 1 iteration without a voxel size);
 * - soft mask: the hard mask smoothed in Fourier space by exp(−π²σ²|w|²), σ = 2 px (a real-space
 *   Gaussian of standard deviation σ/√2 ≈ 1.41 px), negatives clipped to 0.
 */
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { componentMask, label26, largestComponent, type Labelling } from '../volume/labelling.ts';
import { dilate18 } from '../volume/morphology.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** Fraction of exact zeros in the background from which a map counts as masked before deposition. */
export const MASKED_ZERO_FRACTION = 0.5;

export interface Level0Masks {
  /** V ≥ threshold, 0/1. */
  readonly raw: Uint8Array;
  /** 26-connected components of the raw mask. */
  readonly labelling: Labelling;
  /** Largest component, dilated: 0/1. */
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

/** Raw mask, its components and the hard mask of `v` at `threshold`. */
export function buildMasks(v: Volume, threshold: number): Level0Masks {
  const raw = thresholdMask(v.data, threshold);
  const labelling = label26(raw, v.dims);
  const hard = componentMask(labelling, largestComponent(labelling));
  const dilations = dilationsFor(v.voxelSize[0]);
  dilate18(hard, v.dims, dilations);
  let hardCount = 0;
  for (let i = 0; i < hard.length; i++) hardCount += hard[i];
  return { raw, labelling, hard, hardCount, dilations };
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
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const gyz = gy[y] * gz[z];
      for (let x = 0; x < hx; x++, p += 2) {
        const f = gx[x] * gyz;
        spec[p] *= f;
        spec[p + 1] *= f;
      }
    }
  }
  const out = await fft.inverse(spec, real);
  for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  return out;
}
