/**
 * Fourier filters against known answers: cosine waves at chosen frequencies come out scaled by
 * exactly the documented gain, Riesz components of a plane wave are (w_k/|w|)·sin, the monogenic
 * amplitude of a wave is 1, and the Gaussian agrees with scipy.ndimage.gaussian_filter
 * (mode='wrap') on random data.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { havePython, runReference } from '../testing/python.ts';
import { mulberry32 } from '../util/random.ts';
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import {
  applyRadialFilter,
  bandShell,
  bandShellGain,
  gaussianFilter,
  gaussianGain,
  monogenicAmplitude,
  raisedCosineHighPass,
  raisedCosineHighPassGain,
  raisedCosineLowPass,
  raisedCosineLowPassGain,
  rieszComponents,
} from './filters.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** cos(2π(k·x/n) + phase) on the grid, x fastest. */
function wave(dims: Vec3, k: Vec3, phase = 0.3): Float32Array {
  const [nx, ny, nz] = dims;
  const out = new Float32Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) out[x + nx * (y + ny * z)] = Math.cos(2 * Math.PI * ((k[0] * x) / nx + (k[1] * y) / ny + (k[2] * z) / nz) + phase);
    }
  }
  return out;
}

function vol(dims: Vec3, data: Float32Array, voxel = 1): Volume {
  return { dims, voxelSize: [voxel, voxel, voxel], origin: [0, 0, 0], data };
}

/** Digital |w| of integer wave vector k on dims. */
function freq(dims: Vec3, k: Vec3): number {
  return Math.hypot(fftFreq((k[0] + dims[0]) % dims[0], dims[0]), fftFreq((k[1] + dims[1]) % dims[1], dims[1]), fftFreq((k[2] + dims[2]) % dims[2], dims[2]));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('gain functions', () => {
  it('follow the documented piecewise formulas', () => {
    expect(raisedCosineLowPassGain(0.2, 0.25)).toBe(1);
    expect(raisedCosineLowPassGain(0.25, 0.25)).toBe(1);
    expect(raisedCosineLowPassGain(0.26, 0.25)).toBeCloseTo(0.5, 12);
    expect(raisedCosineLowPassGain(0.265, 0.25)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.75)), 12);
    expect(raisedCosineLowPassGain(0.27, 0.25)).toBe(0);
    expect(raisedCosineHighPassGain(0.25, 0.25)).toBe(1);
    expect(raisedCosineHighPassGain(0.24, 0.25)).toBeCloseTo(0.5, 12);
    expect(raisedCosineHighPassGain(0.23, 0.25)).toBe(0);
    expect(bandShellGain(0.2, 0.1, 0.3)).toBe(1);
    expect(bandShellGain(0.09, 0.1, 0.3)).toBeCloseTo(0.5, 12);
    expect(bandShellGain(0.31, 0.1, 0.3)).toBeCloseTo(0.5, 12);
    expect(bandShellGain(0.05, 0.1, 0.3)).toBe(0);
    expect(gaussianGain(0.1, 2)).toBeCloseTo(Math.exp(-2 * Math.PI ** 2 * 4 * 0.01), 14);
  });
});

describe('radial filters on cosine waves', () => {
  // Each wave is an eigenfunction of a radial filter: output = gain(|w|)·input exactly.
  const dims: Vec3 = [40, 36, 30];
  const waves: Vec3[] = [[2, 1, 0], [7, 3, 2], [-6, 5, 2], [8, 4, 3], [7, 5, -4], [5, -7, 5], [9, 0, 3], [12, 10, 8]];

  for (const [name, run, gain] of [
    ['low-pass 0.25', (v: Volume) => raisedCosineLowPass(v, 0.25, 0.04), (w: number) => raisedCosineLowPassGain(w, 0.25, 0.04)],
    ['high-pass 0.25', (v: Volume) => raisedCosineHighPass(v, 0.25, 0.04), (w: number) => raisedCosineHighPassGain(w, 0.25, 0.04)],
    ['band 0.2–0.3', (v: Volume) => bandShell(v, 0.2, 0.3, 0.04), (w: number) => bandShellGain(w, 0.2, 0.3, 0.04)],
  ] as const) {
    it(`${name}: each wave is scaled by gain(|w|)`, async () => {
      const gains = new Set<number>();
      for (const k of waves) {
        const f = wave(dims, k);
        const g = gain(freq(dims, k));
        gains.add(Math.round(g * 100));
        const out = await run(vol(dims, f));
        const expected = f.map((x) => g * x);
        expect(maxAbsDiff(out.data, expected), `k = ${k.join(',')}, |w| = ${freq(dims, k)}`).toBeLessThan(2e-5);
      }
      // The wave set exercises the pass band, the stop band and the taper.
      expect(gains.size).toBeGreaterThanOrEqual(2);
    });
  }

  it('the waves hit the tapers (so the test sees the cosine shape)', () => {
    const ws = waves.map((k) => freq(dims, k));
    expect(ws.some((w) => w > 0.25 && w < 0.29)).toBe(true); // low-pass taper
    expect(ws.some((w) => w > 0.21 && w < 0.25)).toBe(true); // high-pass taper
  });

  it('applyRadialFilter: cube table path equals direct evaluation, physical units scale by 1/T', () => {
    const n = 24;
    const dimsC: Vec3 = [n, n, n];
    const rand = mulberry32(3);
    const cx = n / 2 + 1;
    const spec = new Float32Array(2 * cx * n * n).map(() => rand() - 0.5);
    const gain = (w: number) => Math.exp(-3 * w) * (1 + Math.sin(20 * w));
    const a = applyRadialFilter(spec, dimsC, gain, { out: new Float32Array(spec.length) });
    const b = applyRadialFilter(spec, dimsC, (s) => gain(2 * s), { voxelSize: [2, 2, 2], out: new Float32Array(spec.length) });
    let p = 0, err = 0, errB = 0;
    for (let z = 0; z < n; z++) {
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < cx; x++, p += 2) {
          const g = gain(Math.hypot(fftFreq(x, n), fftFreq(y, n), fftFreq(z, n)));
          err = Math.max(err, Math.abs(a[p] - g * spec[p]), Math.abs(a[p + 1] - g * spec[p + 1]));
          errB = Math.max(errB, Math.abs(b[p] - g * spec[p]), Math.abs(b[p + 1] - g * spec[p + 1]));
        }
      }
    }
    expect(err).toBeLessThan(1e-6);
    expect(errB).toBeLessThan(1e-6);
  });
});

describe('Riesz components and monogenic amplitude', () => {
  const dims: Vec3 = [32, 30, 28];
  const cases: Vec3[] = [[3, 2, 1], [-5, 4, 2], [0, 0, 6], [7, -1, 0]];
  for (const k of cases) {
    it(`of cos(2π k·x/N) with k = ${k.join(',')} are u_k·sin(…), u = w/|w|, and A = 1`, async () => {
      const phase = 0.7;
      const f = wave(dims, k, phase);
      const fft = createRealFft3d(dims);
      const G = await fft.forward(f);
      const copy = G.slice();
      const n = f.length;
      const out: [Float32Array, Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      // Anisotropic voxel: direction cosines must use s = w/T.
      const T: Vec3 = [1, 1.5, 2];
      await rieszComponents(G, dims, out, { fft, voxelSize: T });
      expect(G).toEqual(copy);
      const w = [0, 1, 2].map((a) => fftFreq((k[a] + dims[a]) % dims[a], dims[a]) / T[a]);
      const norm = Math.hypot(w[0], w[1], w[2]);
      const [nx, ny] = dims;
      for (let a = 0; a < 3; a++) {
        const u = w[a] / norm;
        let err = 0;
        for (let i = 0; i < n; i++) {
          const x = i % nx, y = Math.floor(i / nx) % ny, z = Math.floor(i / (nx * ny));
          const theta = 2 * Math.PI * ((k[0] * x) / dims[0] + (k[1] * y) / dims[1] + (k[2] * z) / dims[2]) + phase;
          err = Math.max(err, Math.abs(out[a][i] - u * Math.sin(theta)));
        }
        expect(err, `axis ${a}`).toBeLessThan(2e-5);
      }
      const A = await monogenicAmplitude(G, dims, new Float32Array(n), { fft, voxelSize: T });
      expect(maxAbsDiff(A, new Float32Array(n).fill(1))).toBeLessThan(2e-5);
    });
  }

  it('sets DC to zero: a constant map has zero Riesz components and amplitude |c|', async () => {
    const dims0: Vec3 = [16, 16, 16];
    const G = await createRealFft3d(dims0).forward(new Float32Array(16 ** 3).fill(-2.5));
    const out: [Float32Array, Float32Array, Float32Array] = [new Float32Array(4096), new Float32Array(4096), new Float32Array(4096)];
    await rieszComponents(G, dims0, out);
    for (const o of out) expect(maxAbsDiff(o, new Float32Array(4096))).toBeLessThan(1e-6);
    const A = await monogenicAmplitude(G, dims0, new Float32Array(4096));
    expect(maxAbsDiff(A, new Float32Array(4096).fill(2.5))).toBeLessThan(1e-5);
  });
});

describe.skipIf(!havePython(['numpy', 'scipy.ndimage'], 'scipy cross-check of gaussianFilter'))('gaussianFilter vs scipy.ndimage.gaussian_filter(mode="wrap")', () => {
  for (const sigma of [1.5, [1.4, 2.2, 1.7] as Vec3]) {
    it(`agrees to 1e-4 relative on a random 48×40×36 volume, σ = ${JSON.stringify(sigma)}`, async () => {
      const dims: Vec3 = [48, 40, 36];
      const rand = mulberry32(11);
      const data = new Float32Array(48 * 40 * 36).map(() => rand() - 0.3);
      const work = mkdtempSync(path.join(tmpdir(), 'emvr-gauss-'));
      try {
        const inFile = path.join(work, 'in.f32'), outFile = path.join(work, 'out.f32');
        writeFileSync(inFile, new Uint8Array(data.buffer));
        const s = typeof sigma === 'number' ? [sigma, sigma, sigma] : sigma;
        await runReference('volume_filters_reference.py', ['gaussian', inFile, ...dims.map(String), ...s.map(String), outFile]);
        const bytes = readFileSync(outFile);
        const ref = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        const got = await gaussianFilter(vol(dims, data), sigma);
        let refMax = 0;
        for (const x of ref) refMax = Math.max(refMax, Math.abs(x));
        expect(maxAbsDiff(got.data, ref) / refMax).toBeLessThan(1e-4);
        expect(got.dims).toEqual(dims);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
});
