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
  if (!Number.isInteger(bits) || bits < 0 || bits > 23) throw new RangeError(`roundMantissa: bits must be an integer in [0, 23], got ${bits}`);
  const out = new Float32Array(data);
  if (bits === 23) return out;
  const u = new Uint32Array(out.buffer);
  const drop = 23 - bits;
  const half = 1 << (drop - 1);
  const keep = ~((1 << drop) - 1) >>> 0;
  for (let i = 0, n = u.length; i < n; i++) {
    const w = u[i];
    if ((w & 0x7f800000) === 0x7f800000) continue; // NaN or ±Infinity
    const r = ((w + half) & keep) >>> 0;
    // A carry into the all-ones exponent would make a huge finite value infinite: keep it exact.
    u[i] = (r & 0x7f800000) === 0x7f800000 ? w : r;
  }
  return out;
}

/**
 * The values written to the download: `property` with every voxel where `inside(i)` is false set
 * to NaN (all voxels kept when `inside` is absent), then rounded to MANTISSA_BITS bits.
 */
export function downloadValues(property: Float32Array, inside?: (i: number) => boolean): Float32Array {
  const out = roundMantissa(property, MANTISSA_BITS);
  if (inside) for (let i = 0; i < out.length; i++) if (!inside(i)) out[i] = NaN;
  return out;
}
