/**
 * The voxel values of a local-value map as it is offered for download (`maps/<stem>.mrc.gz`):
 * NaN outside the item's mask and float32 rounded to MANTISSA_BITS bits of mantissa, so that the
 * gzip of a plain float32 MRC (mode 2, read as-is by mrcfile, Mol*, ChimeraX) shrinks several-fold.
 *
 * Why NaN and not 0 outside the mask: 0 is a valid value of several properties (a local B-factor
 * or a Q-score of 0), so 0 cannot mean "no value"; NaN can, numpy and Mol* carry it through, the
 * header statistics skip it, and a run of identical NaNs costs gzip almost nothing.
 * Why rounded float32 and not int16 with a scale: a scale in the header is applied by no reader;
 * rounding the mantissa keeps the file a float32 map that every reader reads without a step.
 */
import { blockedVolumeStats, type VolumeStats } from '../volume/stats.ts';
import type { ValueMask } from '../volume/value-mask.ts';

/**
 * Bits of the float32 mantissa kept (of 23). The rounding error is at most 2^-(MANTISSA_BITS+1)
 * of the value (1.2e-4 relative: 0.0004 Å at 3 Å local resolution, 0.012 Å² at 100 Å² local
 * B-factor, 0.0001 of a Q-score of 1), far below what any local value is known to.
 */
export const MANTISSA_BITS = 12;

/** Largest relative error |rounded − x| / |x| of roundMantissa with `bits` bits kept. */
export function mantissaRelativeError(bits: number): number {
  return 2 ** -(bits + 1);
}

/**
 * `x` rounded to nearest (ties away from zero) with `bits` bits of mantissa, on its float32 bit
 * pattern; NaN and ±Infinity are kept. A carry out of the mantissa raises the exponent, which is
 * the correctly rounded result (e.g. 1.99999 → 2).
 */
export function roundMantissa(data: Float32Array, bits: number): Float32Array {
  const out = new Float32Array(data.length);
  roundMantissaInto(data, out, bits, 0, data.length);
  return out;
}

/** out[start, end) ← data[start, end) rounded as `roundMantissa` does (one block of a download, say). */
export function roundMantissaInto(data: Float32Array, out: Float32Array, bits: number, start: number, end: number): void {
  const { src, dst, half, keep } = rounding(data, out, bits);
  for (let i = start; i < end; i++) dst[i] = rounded(src[i], half, keep);
}

/** out[i] ← data[i] rounded as `roundMantissa` does, for each i of `indices` (the other voxels untouched). */
export function roundMantissaAt(data: Float32Array, out: Float32Array, bits: number, indices: Int32Array): void {
  const { src, dst, half, keep } = rounding(data, out, bits);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    dst[i] = rounded(src[i], half, keep);
  }
}

/** The bit views and masks of a rounding to `bits` mantissa bits. */
function rounding(data: Float32Array, out: Float32Array, bits: number): { src: Uint32Array; dst: Uint32Array; half: number; keep: number } {
  if (!Number.isInteger(bits) || bits < 0 || bits > 23) throw new RangeError(`roundMantissa: bits must be an integer in [0, 23], got ${bits}`);
  const drop = 23 - bits;
  return {
    src: new Uint32Array(data.buffer, data.byteOffset, data.length),
    dst: new Uint32Array(out.buffer, out.byteOffset, out.length),
    half: drop === 0 ? 0 : 1 << (drop - 1),
    keep: ~((1 << drop) - 1) >>> 0,
  };
}

/** Float32 bit pattern `w` rounded at the bits that `keep` keeps (`half` the half of the dropped part). */
function rounded(w: number, half: number, keep: number): number {
  if ((w & 0x7f800000) === 0x7f800000) return w; // NaN or ±Infinity
  const r = ((w + half) & keep) >>> 0;
  // A carry into the all-ones exponent would make a huge finite value infinite: keep it exact.
  return (r & 0x7f800000) === 0x7f800000 ? w : r;
}

/**
 * The values written to the download: `property` rounded to MANTISSA_BITS bits, NaN at every
 * voxel that `inside` says has no value (all voxels kept when `inside` is absent).
 */
export function downloadValues(property: Float32Array, inside?: ValueMask): Float32Array {
  const out = new Float32Array(property.length);
  fillDownload(property, out, inside);
  return out;
}

/**
 * Writes `downloadValues(property, inside)` into `out` (the voxels of the file's own buffer) and
 * returns their statistics for its header, without a pass over the whole box beyond a fill with
 * NaN: with a mask, only its voxels are rounded and only the blocks that hold them are summed.
 */
export function fillDownload(property: Float32Array, out: Float32Array, inside?: ValueMask): VolumeStats {
  if (!inside) {
    return blockedVolumeStats(out, (start, end) => {
      roundMantissaInto(property, out, MANTISSA_BITS, start, end);
      return true;
    });
  }
  const idx = inside.indices();
  out.fill(NaN);
  roundMantissaAt(property, out, MANTISSA_BITS, idx);
  let j = 0;
  return blockedVolumeStats(out, (start, end) => {
    while (j < idx.length && idx[j] < start) j++;
    return j < idx.length && idx[j] < end;
  });
}
