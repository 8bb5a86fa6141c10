/**
 * Spiral amplitude on inputs with a closed-form answer. For a plane wave cos(2π k0·x/n) the shell
 * keeps the pair ±k0 with gain S(ρ0)/ΣS; v0 = cos(·)·g and the Riesz part is (k0/|k0|)·sin(·)·g,
 * so A = S(ρ0)/ΣS at every voxel (ΣS over numpy's full n³ grid, computed here by brute force).
 * For the Nyquist wave (−1)^x of an even grid numpy's H_x is +i at both ±k0 (the same index), so
 * v0 = g·(−1)^x and v_x = i·g·(−1)^x: A = √2·S(1/(2Ts))/ΣS. A grid that ignored the imaginary part
 * would give g instead, 29 % too low.
 */
import { describe, expect, it } from 'vitest';
import type { Vec3, Volume } from '../volume/volume.ts';
import { createSpiralAmplitude, shellNormalisationOffset } from './spiral-amplitude.ts';

/** numpy.fft.fftfreq(n, d)[i]: index n/2 of an even n is negative. */
function npFreq(i: number, n: number, d: number): number {
  const h = Math.floor((n - 1) / 2);
  return (i <= h ? i : i - n) / (n * d);
}

/** Full-grid Σ exp(−(ρ − f)²/(2δ²)) and the Gaussian at ρ0 (brute force over all n³ indices). */
function shell(n: number, Ts: number, f: number, delta: number, rho0: number): { sum: number; at: number } {
  let sum = 0;
  for (let z = 0; z < n; z++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const rho = Math.hypot(npFreq(x, n, Ts), npFreq(y, n, Ts), npFreq(z, n, Ts));
        sum += Math.exp(-((rho - f) ** 2) / (2 * delta * delta));
      }
    }
  }
  return { sum, at: Math.exp(-((rho0 - f) ** 2) / (2 * delta * delta)) };
}

function wave(n: number, Ts: number, k: Vec3): Volume {
  const data = new Float32Array(n * n * n);
  for (let z = 0, i = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++, i++) data[i] = Math.cos((2 * Math.PI * (k[0] * x + k[1] * y + k[2] * z)) / n);
  return { dims: [n, n, n], voxelSize: [Ts, Ts, Ts], origin: [0, 0, 0], data };
}

function expectConstant(a: Float32Array, value: number, rel: number): void {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - value));
  expect(worst / value).toBeLessThan(rel);
}

describe('spiral amplitude: closed forms', () => {
  for (const [n, k] of [[32, [3, 2, 1]], [27, [2, -4, 3]], [30, [0, 5, 0]]] as Array<[number, Vec3]>) {
    it(`plane wave k = (${k.join(', ')}) on ${n}³ has constant amplitude S(ρ0)/ΣS`, async () => {
      const Ts = 1.5;
      const sa = await createSpiralAmplitude(wave(n, Ts, k), 4.8);
      const rho0 = Math.hypot(...k) / (n * Ts);
      const f = rho0 + 0.3 * sa.delta;
      const out = new Float32Array(n * n * n);
      const sums = await sa.amplitude(f, out);
      const ref = shell(n, Ts, f, sa.delta, rho0);
      expect(Math.abs(sums.sum - ref.sum) / ref.sum).toBeLessThan(1e-12);
      expect(sa.delta).toBeCloseTo(4.8 / (n * Ts), 14);
      expectConstant(out, ref.at / ref.sum, 1e-5);
    });
  }
  for (const axis of [0, 1, 2]) {
    it(`Nyquist wave along axis ${'xyz'[axis]} of a 24³ grid has amplitude √2·S/ΣS (imaginary part of v_k kept)`, async () => {
      const n = 24;
      const Ts = 2;
      const k = [0, 0, 0];
      k[axis] = n / 2;
      const sa = await createSpiralAmplitude(wave(n, Ts, [k[0], k[1], k[2]]), 4.8);
      const rho0 = 0.5 / Ts;
      const f = rho0 - 0.5 * sa.delta;
      const out = new Float32Array(n * n * n);
      const sums = await sa.amplitude(f, out);
      const ref = shell(n, Ts, f, sa.delta, rho0);
      expect(Math.abs(sums.sum - ref.sum) / ref.sum).toBeLessThan(1e-12);
      expectConstant(out, (Math.SQRT2 * ref.at) / ref.sum, 1e-5);
    });
  }
  it('kept frequencies return the same map and sums as a fresh computation', async () => {
    const n = 20;
    const v = wave(n, 2, [2, 1, 0]);
    v.data.forEach((x, i) => (v.data[i] = x + 0.3 * Math.sin(0.7 * i)));
    const plain = await createSpiralAmplitude(v, 4.8);
    const keeping = await createSpiralAmplitude(v, 4.8, [1 / 15]);
    const a = new Float32Array(n ** 3);
    const b = new Float32Array(n ** 3);
    for (const f of [1 / 15, 0.2, 1 / 15]) {
      const sa = await plain.amplitude(f, a);
      const sb = await keeping.amplitude(f, b);
      expect(sb).toEqual(sa);
      expect(b).toEqual(a);
    }
  });
  it('rejects non-cubic grids and anisotropic voxels', async () => {
    const v = wave(8, 1, [1, 0, 0]);
    await expect(createSpiralAmplitude({ ...v, dims: [8, 8, 4], data: v.data.subarray(0, 256) })).rejects.toThrow(RangeError);
    await expect(createSpiralAmplitude({ ...v, voxelSize: [1, 1, 1.1] })).rejects.toThrow(RangeError);
  });
  it('normalisation offset: 4·slope(−½·ln f²) when the shells are thin', () => {
    // ΣS ∝ f²·δ and ΣS² ∝ f²·δ/√2 for δ ≪ f, so ½ ln ΣS² − ln ΣS = −ln f + const.
    const freqs = Array.from({ length: 10 }, (_, j) => 1 / 15 + (j * (1 / 3 - 1 / 15)) / 9);
    const sums = freqs.map((f) => ({ sum: 7 * f * f, sumSquares: 5 * f * f }));
    const x = freqs.map((f) => f * f);
    const y = freqs.map((f) => -Math.log(f));
    const xm = x.reduce((a, b) => a + b) / 10;
    const ym = y.reduce((a, b) => a + b) / 10;
    const slope = x.reduce((a, xi, j) => a + (xi - xm) * (y[j] - ym), 0) / x.reduce((a, xi) => a + (xi - xm) ** 2, 0);
    expect(shellNormalisationOffset(freqs, sums)).toBeCloseTo(4 * slope, 9);
    expect(4 * slope).toBeCloseTo(-52.92, 1);
  });
});
