/**
 * Statistics of two maps on the same grid.
 */

/**
 * Pearson correlation of a and b over voxels where `mask` is non-zero (all voxels without a mask):
 * r = Σ(a−ā)(b−b̄) / √(Σ(a−ā)²·Σ(b−b̄)²), two passes in float64 (means first). Voxels where
 * either value is NaN or ±Inf are skipped in both passes. NaN when fewer than two voxels are
 * used or either map is constant over them. Throws when the lengths differ.
 */
export function correlation(a: Float32Array, b: Float32Array, mask?: Uint8Array): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`correlation: arrays differ in length (${n} vs ${b.length})`);
  if (mask && mask.length !== n) throw new RangeError(`correlation: mask has ${mask.length} voxels, maps have ${n}`);
  let sa = 0, sb = 0, count = 0;
  for (let i = 0; i < n; i++) {
    if (mask && mask[i] === 0) continue;
    const x = a[i], y = b[i];
    if (x - x !== 0 || y - y !== 0) continue; // NaN or ±Inf
    sa += x;
    sb += y;
    count++;
  }
  if (count < 2) return NaN;
  const ma = sa / count, mb = sb / count;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    if (mask && mask[i] === 0) continue;
    const x = a[i], y = b[i];
    if (x - x !== 0 || y - y !== 0) continue;
    const da = x - ma, db = y - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  return sab / Math.sqrt(saa * sbb);
}
