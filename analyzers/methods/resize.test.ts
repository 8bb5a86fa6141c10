/**
 * Resizing (level0-spec.md 2.4) against an independent python implementation of the spec (numpy
 * raised cosine + scipy.ndimage spline_filter/map_coordinates, grid-wrap) on random data and a
 * simulated map, and against analytic values of a band-limited function, with the cubic-spline
 * error bound as tolerance.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { havePython, runReference } from '../testing/python.ts';
import { mulberry32 } from '../util/random.ts';
import { proceduralProtein } from '../simulate/protein.ts';
import { gridAroundModel, simulateMap } from '../simulate/simulate.ts';
import { cubicBSpline, resizeMask, resizeToResolution, resizeToSampling } from './resize.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('cubic B-spline', () => {
  it('is the standard kernel: β(0) = 2/3, β(±1) = 1/6, β(±2) = 0, partition of unity', () => {
    expect(cubicBSpline(0)).toBeCloseTo(2 / 3, 15);
    expect(cubicBSpline(1)).toBeCloseTo(1 / 6, 15);
    expect(cubicBSpline(-1)).toBeCloseTo(1 / 6, 15);
    expect(cubicBSpline(2)).toBe(0);
    for (const t of [0.1, 0.37, 0.5, 0.93]) expect(cubicBSpline(t + 1) + cubicBSpline(t) + cubicBSpline(t - 1) + cubicBSpline(t - 2)).toBeCloseTo(1, 14);
  });
});

describe('resize of a band-limited analytic map (known answer)', () => {
  // f = cos(2π k·u/N + φ) with |w| ≤ 0.1: passes the low-pass untouched; the interpolating cubic
  // spline then errs by at most (5/384)·h⁴·max|f⁗| per axis (h = 1 voxel), summed over the 3 axes.
  const dims: Vec3 = [40, 40, 40];
  const k: Vec3 = [2, -3, 1];
  const phase = 0.4;
  const f = (u: number, v: number, w: number) => Math.cos(2 * Math.PI * ((k[0] * u) / dims[0] + (k[1] * v) / dims[1] + (k[2] * w) / dims[2]) + phase);
  const data = new Float32Array(40 ** 3);
  for (let z = 0; z < 40; z++) for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) data[x + 40 * (y + 40 * z)] = f(x, y, z);
  const v: Volume = { dims, voxelSize: [1.1, 1.1, 1.1], origin: [5, -3, 2], data };

  for (const target of [1.43, 0.85]) {
    it(`matches the analytic values at the exact sample positions (Ts = 1.1 → Ts' = ${target} Å)`, async () => {
      const r = await resizeToSampling(v, target);
      const fac = 1.1 / target;
      const Np = Math.floor(40 * fac);
      const W = 2 * Math.floor((40 * fac) / 2);
      expect(r.window).toBe(W);
      expect(r.resampledDims).toEqual([Np, Np, Np]);
      expect(r.lowPassed).toBe(target > 1.1);
      expect(r.volume.dims).toEqual([W, W, W]);
      expect(r.volume.voxelSize).toEqual([target, target, target]);
      expect(r.exactVoxelSize[0]).toBeCloseTo((1.1 * 40) / Np, 12);
      // Centre voxel keeps its position.
      expect(r.volume.origin[0] + (W >> 1) * target).toBeCloseTo(5 + 20 * 1.1, 10);
      let bound = 0;
      for (let a = 0; a < 3; a++) bound += (5 / 384) * (2 * Math.PI * Math.abs(k[a] / dims[a])) ** 4;
      let err = 0, inside = 0;
      const step = 40 / Np;
      for (let z = 0; z < W; z++) {
        for (let y = 0; y < W; y++) {
          for (let x = 0; x < W; x++) {
            const ip = [x, y, z].map((j) => j - (W >> 1) + (Np >> 1));
            if (ip.some((i) => i < 0 || i >= Np)) {
              expect(r.volume.data[x + W * (y + W * z)]).toBe(0);
              continue;
            }
            inside++;
            const u = ip.map((i) => 20 + (i - (Np >> 1)) * step);
            err = Math.max(err, Math.abs(r.volume.data[x + W * (y + W * z)] - f(u[0], u[1], u[2])));
          }
        }
      }
      expect(inside).toBeGreaterThan(0.9 * W ** 3);
      expect(err).toBeLessThan(bound + 1e-5);
      expect(err).toBeGreaterThan(0); // interpolation really happened
    });
  }

  it('low-passes when downsampling: a wave above f/2 disappears', async () => {
    // Ts 1 → 2 Å: f = 0.5, cutoff 0.25 (+0.02); a wave at |w| = 0.3 must vanish.
    const g = new Float32Array(40 ** 3);
    for (let z = 0; z < 40; z++) for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) g[x + 40 * (y + 40 * z)] = 1 + Math.cos(2 * Math.PI * (12 * x) / 40);
    const r = await resizeToSampling({ dims, voxelSize: [1, 1, 1], origin: [0, 0, 0], data: g }, 2);
    expect(r.volume.dims).toEqual([20, 20, 20]);
    expect(maxAbsDiff(r.volume.data, new Float32Array(8000).fill(1))).toBeLessThan(1e-5);
  });

  it('resizeToResolution uses Ts\' = res/2', async () => {
    const r = await resizeToResolution(v, 2.9);
    expect(r.volume.voxelSize).toEqual([1.45, 1.45, 1.45]);
    expect(r.factor[0]).toBeCloseTo(1.1 / 1.45, 14);
  });
});

describe('resizeMask', () => {
  it('keeps the physical size of a ball (thresholded at 0.5)', async () => {
    const n = 48, T = 1, R = 12;
    const mask = new Uint8Array(n ** 3);
    for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if ((x - 24) ** 2 + (y - 24) ** 2 + (z - 24) ** 2 <= R * R) mask[x + n * (y + n * z)] = 1;
    const like: Volume = { dims: [n, n, n], voxelSize: [T, T, T], origin: [0, 0, 0], data: new Float32Array(n ** 3) };
    const r = await resizeMask(mask, like, 1.6);
    let count = 0;
    for (const x of r.volume.data) if (x >= 0.5) count++;
    const ts = r.exactVoxelSize[0];
    const expected = (4 / 3) * Math.PI * R ** 3 / ts ** 3;
    expect(Math.abs(count - expected) / expected).toBeLessThan(0.05);
  });
});

describe.skipIf(!havePython(['numpy', 'scipy.ndimage'], 'scipy reference of the resize'))('resize vs scipy.ndimage reference (scripts/reference/volume_filters_reference.py)', () => {
  async function compare(v: Volume, target: number): Promise<{ rel: number; W: number }> {
    const work = mkdtempSync(path.join(tmpdir(), 'emvr-resize-'));
    try {
      const inFile = path.join(work, 'in.f32'), outFile = path.join(work, 'out.f32');
      writeFileSync(inFile, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      const stdout = await runReference('volume_filters_reference.py', ['resize', inFile, ...v.dims.map(String), ...v.voxelSize.map(String), String(target), outFile]);
      const W = Number(stdout.trim());
      const bytes = readFileSync(outFile);
      const ref = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const r = await resizeToSampling(v, target);
      expect(r.window).toBe(W);
      return { rel: maxAbsDiff(r.volume.data, ref) / maxAbs(ref), W };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  it('agrees on random data, downsampling and upsampling, odd and even boxes', async () => {
    const rand = mulberry32(5);
    for (const [dims, T, target] of [
      [[36, 36, 36], 1.0, 1.7],
      [[35, 38, 33], 1.2, 1.3],
      [[30, 30, 30], 1.5, 1.1],
    ] as [Vec3, number, number][]) {
      const data = new Float32Array(dims[0] * dims[1] * dims[2]).map(() => rand() - 0.5);
      const { rel } = await compare({ dims, voxelSize: [T, T, T], origin: [0, 0, 0], data }, target);
      expect(rel, `${dims.join('×')} ${T} → ${target}`).toBeLessThan(1e-5);
    }
  });

  it('agrees on a simulated protein map resized to res/2', async () => {
    const model = proceduralProtein({ seed: 4, helices: 3, residuesPerHelix: 14, strands: 3, residuesPerStrand: 6 });
    const grid = gridAroundModel(model, 1.1, 6, { cubic: true });
    const map = await simulateMap(model, grid, { resolution: 3.4, noiseSigma: 0.02, seed: 2 });
    const { rel } = await compare(map, 3.4 / 2);
    expect(rel).toBeLessThan(1e-5);
  });
});
