/**
 * Which voxels of a local-value map have a value: those where `mask[i] > above` (an item's hard
 * mask against 0.5, or a local-resolution map against 0, its "no value"). Data rather than a
 * per-voxel closure, and the voxels found once (`indices`): the histogram, the download and its
 * header statistics then visit the ~1 % of a 360³ box (46.7 M voxels) that the mask holds.
 */
export class ValueMask {
  readonly mask: Float32Array | Uint8Array;
  readonly above: number;
  private found: Int32Array | undefined;

  constructor(mask: Float32Array | Uint8Array, above: number) {
    this.mask = mask;
    this.above = above;
  }

  /** The voxels with mask > above, ascending; found on the first call (the mask must not change after). */
  indices(): Int32Array {
    if (this.found) return this.found;
    const { mask, above } = this;
    let out = new Int32Array(Math.max(1024, mask.length >>> 6));
    let k = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] > above) {
        if (k === out.length) {
          const grown = new Int32Array(2 * out.length);
          grown.set(out);
          out = grown;
        }
        out[k++] = i;
      }
    }
    this.found = out.slice(0, k);
    return this.found;
  }
}

const known = new WeakMap<Float32Array | Uint8Array, ValueMask[]>();

/**
 * The ValueMask of `mask` against `above`, the same object for the same array and cut: a local
 * map's voxels are found once, by its statistics (compute), and reused by its outputs (histogram,
 * download), and 0.f and 0.g share their hard mask. The array must not change after the first call.
 */
export function valueMaskOf(mask: Float32Array | Uint8Array, above: number): ValueMask {
  const list = known.get(mask) ?? [];
  let m = list.find((k) => Object.is(k.above, above));
  if (!m) {
    m = new ValueMask(mask, above);
    list.push(m);
    known.set(mask, list);
  }
  return m;
}
