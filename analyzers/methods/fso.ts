/**
 * Fourier shell occupancy (Vilas & Tagare, Nat Methods 20:1021, 2023; level1A-spec.md §1.g) from
 * the directional FSC curves of conical-fsc.ts, and the Bingham test of the directions that pass.
 *
 * FSO(k) = share of the directions whose FSC_u(k) ≥ 0.143 (the first five shells set to 1: their
 * cones hold too few coefficients to decide). Per shell, T = mean of u·uᵀ over the n passing
 * directions; for axes uniformly distributed on the sphere (p = 3) Bingham's statistic
 *   B = n·p(p + 2)/2 · (tr T² − 1/p)
 * follows χ² with (p − 1)(p + 2)/2 = 5 degrees of freedom, and the anisotropy of the shell is its
 * distribution function at B: near 0 when the passing directions are spread evenly, near 1 when
 * they crowd into some directions (an anisotropic shell).
 */
import { directionCount, directionalCurve, type ConicalFsc } from './conical-fsc.ts';
import { chiSquareCdf } from './distributions.ts';

/** Shells whose FSO is 1 by definition (Xmipp). */
export const FSO_FORCED_SHELLS = 5;
/** Degrees of freedom of Bingham's statistic on the sphere. */
export const BINGHAM_DOF = 5;

export interface FsoCurve {
  readonly shell: Int32Array;
  /** Å⁻¹. */
  readonly frequency: Float64Array;
  /** Share of directions passing (0…1). */
  readonly fso: Float64Array;
  /** Directions passing per shell. */
  readonly passing: Int32Array;
  /** Bingham's statistic of the passing directions (NaN with fewer than 2). */
  readonly bingham: Float64Array;
  /** χ²₅ distribution function of the statistic (NaN with fewer than 2 passing). */
  readonly anisotropy: Float64Array;
}

/** The FSO and the per-shell Bingham test of a conical FSC at the FSC `threshold`. */
export function fsoCurve(c: ConicalFsc, threshold = 0.143): FsoCurve {
  const D = directionCount(c);
  const K = c.shell.length;
  const passing = new Int32Array(K);
  const bingham = new Float64Array(K).fill(Number.NaN);
  // Σ u·uᵀ of the passing directions per shell: xx, yy, zz, xy, xz, yz.
  const moments = new Float64Array(6 * K);
  for (let d = 0; d < D; d++) {
    const curve = directionalCurve(c, d);
    const [x, y, z] = [c.directions[3 * d], c.directions[3 * d + 1], c.directions[3 * d + 2]];
    const r2 = x * x + y * y + z * z;
    for (let j = 0; j < K; j++) {
      if (!(curve[j] >= threshold)) continue;
      passing[j]++;
      const m = 6 * j;
      moments[m] += (x * x) / r2;
      moments[m + 1] += (y * y) / r2;
      moments[m + 2] += (z * z) / r2;
      moments[m + 3] += (x * y) / r2;
      moments[m + 4] += (x * z) / r2;
      moments[m + 5] += (y * z) / r2;
    }
  }
  for (let j = 0; j < K; j++) {
    const n = passing[j];
    if (n >= 2) bingham[j] = binghamStatistic(moments.subarray(6 * j, 6 * j + 6), n);
  }
  const fso = Float64Array.from(passing, (n, j) => (c.shell[j] <= FSO_FORCED_SHELLS ? 1 : n / D));
  return {
    shell: c.shell,
    frequency: c.frequency,
    fso,
    passing,
    bingham,
    anisotropy: bingham.map((b) => (Number.isNaN(b) ? Number.NaN : chiSquareCdf(b, BINGHAM_DOF))),
  };
}

/**
 * Bingham's statistic of n axes on the sphere from Σ u·uᵀ (xx, yy, zz, xy, xz, yz):
 * n·p(p + 2)/2·(tr T² − 1/p) with T = Σ u·uᵀ / n and p = 3.
 */
export function binghamStatistic(sum: ArrayLike<number>, n: number): number {
  const [xx, yy, zz, xy, xz, yz] = Array.from({ length: 6 }, (_, i) => sum[i] / n);
  const trT2 = xx * xx + yy * yy + zz * zz + 2 * (xy * xy + xz * xz + yz * yz);
  return ((n * 3 * 5) / 2) * (trT2 - 1 / 3);
}
