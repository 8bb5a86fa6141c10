import { describe, expect, it } from 'vitest';
import { resampleOnto, sampleTrilinear, sampleTrilinearFinite } from './interpolate.ts';
import { correlation } from './stats-pair.ts';
import type { Vec3, Volume } from './volume.ts';

/** A volume holding f(x, y, z) at every voxel position (Å). */
function fill(dims: Vec3, voxelSize: Vec3, origin: Vec3, f: (x: number, y: number, z: number) => number): Volume {
  const [nx, ny, nz] = dims;
  const data = new Float32Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    data[i + nx * (j + ny * k)] = f(origin[0] + i * voxelSize[0], origin[1] + j * voxelSize[1], origin[2] + k * voxelSize[2]);
  }
  return { dims, voxelSize, origin, data };
}

// Trilinear interpolation reproduces any function of the form (a + bx)(c + dy)(e + fz) exactly,
// in particular every linear function: the known answer of these tests.
const linear = (x: number, y: number, z: number) => 1.5 + 0.25 * x - 0.5 * y + 0.125 * z;
const trilinear = (x: number, y: number, z: number) => (1 + 0.1 * x) * (2 - 0.2 * y) * (0.5 + 0.05 * z);

describe('sampleTrilinear', () => {
  const v = fill([5, 6, 7], [1.5, 1.0, 2.0], [-3, 2, 10], trilinear);

  it('returns voxel values at voxel centres', () => {
    expect(sampleTrilinear(v, -3, 2, 10)).toBe(v.data[0]);
    expect(sampleTrilinear(v, -3 + 4 * 1.5, 2 + 5, 10 + 6 * 2)).toBe(v.data[v.data.length - 1]);
    expect(sampleTrilinear(v, -3 + 1.5, 2 + 2, 10 + 4)).toBeCloseTo(v.data[1 + 5 * (2 + 6 * 2)], 6);
  });

  it('is exact for trilinear functions between voxels, anisotropic voxels', () => {
    for (const [x, y, z] of [[-2.2, 2.3, 10.7], [0.1, 5.9, 19.99], [2.9, 7, 22], [-3, 4.5, 15.5]]) {
      expect(sampleTrilinear(v, x, y, z)).toBeCloseTo(trilinear(x, y, z), 5);
    }
  });

  it('gives NaN outside the grid (edges inclusive)', () => {
    expect(sampleTrilinear(v, -3.0001, 3, 12)).toBeNaN();
    expect(sampleTrilinear(v, 0, 7.01, 12)).toBeNaN();
    expect(sampleTrilinear(v, 0, 3, 22.01)).toBeNaN();
    expect(sampleTrilinear(v, 3, 7, 22)).toBeCloseTo(trilinear(3, 7, 22), 5);
  });

  it('handles axes of length 1', () => {
    const flat = fill([4, 3, 1], [1, 1, 1], [0, 0, 0], (x, y) => x + 10 * y);
    expect(sampleTrilinear(flat, 1.5, 0.5, 0)).toBeCloseTo(6.5, 6);
    expect(sampleTrilinear(flat, 1.5, 0.5, 0.1)).toBeNaN();
  });
});

describe('sampleTrilinearFinite (NaN marks "no value")', () => {
  it('equals sampleTrilinear without NaN; with NaN corners, the renormalised mean of the finite ones; NaN when none', () => {
    const v = fill([2, 2, 2], [1, 1, 1], [0, 0, 0], (x, y, z) => 1 + x + 2 * y + 4 * z);
    expect(sampleTrilinearFinite(v, 0.3, 0.6, 0.2)).toBe(sampleTrilinear(v, 0.3, 0.6, 0.2));
    // Corner (1, 1, 1) (value 8) missing: at the cube centre every weight is 1/8, so the mean of the other seven.
    const d = v.data.slice();
    d[7] = Number.NaN;
    const holed = { ...v, data: d };
    expect(sampleTrilinear(holed, 0.5, 0.5, 0.5)).toBeNaN();
    expect(sampleTrilinearFinite(holed, 0.5, 0.5, 0.5)).toBeCloseTo((1 + 2 + 3 + 4 + 5 + 6 + 7) / 7, 6);
    // At a finite corner its own value (the NaN corner has weight 0).
    expect(sampleTrilinearFinite(holed, 0, 0, 0)).toBe(1);
    // Near the missing corner: weights (0.9·0.9·0.1 = 0.081 of corner (1,1,0) = 4, …) renormalised.
    const w = (a: number, b: number, c: number) => (a ? 0.9 : 0.1) * (b ? 0.9 : 0.1) * (c ? 0.9 : 0.1);
    let sum = 0, wt = 0;
    for (let c = 0; c < 7; c++) { const a = c & 1, b = (c >> 1) & 1, e = (c >> 2) & 1; sum += w(a, b, e) * (1 + a + 2 * b + 4 * e); wt += w(a, b, e); }
    expect(sampleTrilinearFinite(holed, 0.9, 0.9, 0.9)).toBeCloseTo(sum / wt, 6);
    expect(sampleTrilinearFinite({ ...v, data: new Float32Array(8).fill(Number.NaN) }, 0.5, 0.5, 0.5)).toBeNaN();
    expect(sampleTrilinearFinite(holed, 1.01, 0.5, 0.5)).toBeNaN();
  });
});

describe('resampleOnto', () => {
  it('is the identity on the same grid', () => {
    const v = fill([6, 5, 4], [1, 1, 1], [0, 0, 0], (x, y, z) => Math.sin(x) + y * z);
    expect(Array.from(resampleOnto(v, v).data)).toEqual(Array.from(v.data));
  });

  it('resamples a linear ramp exactly onto a shifted finer grid, NaN outside', () => {
    const src = fill([10, 10, 10], [1.2, 1.2, 1.2], [0, 0, 0], linear);
    const grid = { dims: [12, 13, 14] as Vec3, voxelSize: [0.9, 0.9, 0.9] as Vec3, origin: [0.3, 0.45, 0.6] as Vec3 };
    const out = resampleOnto(src, grid);
    expect(out.dims).toEqual([12, 13, 14]);
    let inside = 0, outside = 0;
    for (let k = 0; k < 14; k++) for (let j = 0; j < 13; j++) for (let i = 0; i < 12; i++) {
      const x = 0.3 + 0.9 * i, y = 0.45 + 0.9 * j, z = 0.6 + 0.9 * k;
      const val = out.data[i + 12 * (j + 13 * k)];
      if (x <= 10.8 && y <= 10.8 && z <= 10.8) {
        expect(val).toBeCloseTo(linear(x, y, z), 5);
        expect(val).toBe(Math.fround(sampleTrilinear(src, x, y, z)));
        inside++;
      } else {
        expect(val).toBeNaN();
        outside++;
      }
    }
    expect(inside).toBeGreaterThan(0);
    expect(outside).toBeGreaterThan(0);
  });
});

describe('correlation', () => {
  it('matches a hand-computed Pearson r', () => {
    // Deviations (−1.5, −0.5, 0.5, 1.5) and (−0.5, −1.5, 1.5, 0.5): Σ products 3, Σ squares 5 and 5.
    expect(correlation(Float32Array.of(1, 2, 3, 4), Float32Array.of(2, 1, 4, 3))).toBeCloseTo(0.6, 12);
  });

  it('is ±1 for affine relations and ignores scale and offset', () => {
    const a = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
    const b = a.map((x) => 3 * x + 7);
    const c = a.map((x) => -0.5 * x);
    expect(correlation(a, b)).toBeCloseTo(1, 6);
    expect(correlation(a, c)).toBeCloseTo(-1, 6);
  });

  it('uses only masked voxels and skips NaN', () => {
    const a = Float32Array.of(1, 2, 3, 4, 100, NaN);
    const b = Float32Array.of(2, 1, 4, 3, -100, 5);
    const mask = Uint8Array.of(1, 1, 1, 1, 0, 1);
    expect(correlation(a, b, mask)).toBeCloseTo(0.6, 12);
  });

  it('is NaN for constant input or fewer than two voxels, and rejects length mismatches', () => {
    expect(correlation(Float32Array.of(1, 1, 1), Float32Array.of(1, 2, 3))).toBeNaN();
    expect(correlation(Float32Array.of(1), Float32Array.of(2))).toBeNaN();
    expect(() => correlation(new Float32Array(3), new Float32Array(4))).toThrow(RangeError);
    expect(() => correlation(new Float32Array(3), new Float32Array(3), new Uint8Array(2))).toThrow(RangeError);
  });
});
