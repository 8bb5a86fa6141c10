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
import { blockedVolumeStats } from '../volume/stats.ts';
import type { ChunkedVoxels } from '../volume/to-mrc.ts';
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
  roundMantissaRange(data, bits, 0, data.length, out, 0);
  return out;
}

/** out[at + j] ← data[start + j] rounded as `roundMantissa` does, for j < end − start. */
export function roundMantissaRange(data: Float32Array, bits: number, start: number, end: number, out: Float32Array, at: number): void {
  const { src, dst, half, keep } = rounding(data, out, bits);
  for (let i = start, o = at; i < end; i++, o++) dst[o] = rounded(src[i], half, keep);
}

/** out[i − shift] ← data[i] rounded as `roundMantissa` does, for i = indices[from … to − 1] (other voxels untouched). */
export function roundMantissaAt(data: Float32Array, bits: number, indices: Int32Array, from: number, to: number, out: Float32Array, shift: number): void {
  const { src, dst, half, keep } = rounding(data, out, bits);
  for (let j = from; j < to; j++) {
    const i = indices[j];
    dst[i - shift] = rounded(src[i], half, keep);
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
  downloadVoxels(property, inside).fill(out, 0);
  return out;
}

/**
 * `downloadValues(property, inside)` handed out piece by piece and never held whole (for
 * volume/to-mrc.ts's `writeChunkedMrc`; its `stats` are `volumeStats` of the whole download): with a mask,
 * only its voxels are read and rounded (the statistics visit only the blocks that hold some, the
 * chunks are NaN but for them); without, every voxel.
 */
export function downloadVoxels(property: Float32Array, inside?: ValueMask): ChunkedVoxels {
  const n = property.length;
  const scratch = new Float32Array(8192);
  const block = (b: number) => (scratch.length >= b ? scratch.subarray(0, b) : new Float32Array(b));
  if (!inside) {
    return {
      stats: () => blockedVolumeStats(n, (start, end) => {
        const out = block(end - start);
        roundMantissaRange(property, MANTISSA_BITS, start, end, out, 0);
        return out;
      }),
      fill: (chunk, start) => roundMantissaRange(property, MANTISSA_BITS, start, start + chunk.length, chunk, 0),
    };
  }
  const idx = inside.indices();
  // The voxels [start, start + out.length) into `out`; false, and `out` untouched, when none has a value and `orNull`.
  const piece = (out: Float32Array, start: number, orNull: boolean): boolean => {
    const from = lowerBound(idx, start);
    const to = lowerBound(idx, start + out.length);
    if (to === from && orNull) return false;
    out.fill(NaN);
    roundMantissaAt(property, MANTISSA_BITS, idx, from, to, out, start);
    return true;
  };
  return {
    stats: () => blockedVolumeStats(n, (start, end) => {
      const out = block(end - start);
      return piece(out, start, true) ? out : null;
    }),
    fill: (chunk, start) => void piece(chunk, start, false),
  };
}

/** The first j with sorted[j] ≥ x (sorted.length when none). */
function lowerBound(sorted: Int32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
