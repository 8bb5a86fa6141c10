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
