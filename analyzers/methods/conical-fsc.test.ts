/**
 * The conical-FSC engine: its global curve against fsc.ts, the same result on any number of
 * threads, known answers for the directions (a pair correlated only along z; a design that is
 * anisotropic), the Fibonacci directions, and agreement with the independent numpy full-grid
 * computation for both cone shapes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateHalfMaps } from '../simulate/half-maps.ts';
import { havePython, runReference } from '../testing/python.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { fftFreq } from '../fft/fft.ts';
import { CONICAL_PARTS, conicalFsc, directionalCurve, fibonacciHemisphere, FSC3D_CONE, FSO_CONE, maskedHalfMapSpectra, type Cone, type ConicalFsc } from './conical-fsc.ts';
import { gaussianFilter } from './filters.ts';
import { firstCross, fscCurve, squaredFrequencies, type HalfMapSpectra } from './fsc.ts';

const TS = 1.1;

function smoothNoise(d: Vec3, seed: number, sigma = 1.5): Promise<Volume> {
  const g = gaussianSource(mulberry32(seed));
  const data = new Float32Array(d[0] * d[1] * d[2]).map(() => g());
  return gaussianFilter({ dims: d, voxelSize: [TS, TS, TS], origin: [0, 0, 0], data }, sigma);
}

/** 1 within r voxels of the centre, a Gaussian edge of σ = `edge` voxels outside. */
function softSphere(d: Vec3, r: number, edge: number): Float32Array {
  const m = new Float32Array(d[0] * d[1] * d[2]);
  for (let z = 0, i = 0; z < d[2]; z++) {
    for (let y = 0; y < d[1]; y++) {
      for (let x = 0; x < d[0]; x++, i++) {
        const dist = Math.hypot(x - d[0] / 2, y - d[1] / 2, z - d[2] / 2);
        m[i] = dist <= r ? 1 : Math.exp(-((dist - r) ** 2) / (2 * edge * edge));
      }
    }
  }
  return m;
}

/** The ±x, ±y, ±z axes as directions x, y, z. */
const AXES = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

/** Resolution (Å) where direction d's FSC falls below 0.143. */
function crossing(c: ConicalFsc, d: number): number | null {
  const f = firstCross(c.frequency, directionalCurve(c, d), 0.143, 'lesser');
  return f === null ? null : 1 / f;
}

/**
 * The directional FSC of conical-fsc.ts's definition by the plain loop: every stored coefficient
 * against every direction, the FSO weight by the same interpolation of exp(−4t²), the same
 * arithmetic and the same order of the sums (planes dealt to CONICAL_PARTS parts, each summed in
 * storage order, the parts added in order).
 */
function plainConicalFsc(sp: HalfMapSpectra, directions: Float64Array, cone: Cone): Float64Array {
  const [nx, ny, nz] = sp.dims;
  const D = directions.length / 3;
  const shells = Math.floor(nx / 2);
  const u = directions.map((_, i) => directions[i] / Math.hypot(directions[i - (i % 3)], directions[i - (i % 3) + 1], directions[i - (i % 3) + 2]));
  const cosAlpha = Math.cos((cone.halfAngleDeg * Math.PI) / 180);
  const samples = 4096;
  const w = Float64Array.from({ length: samples + 2 }, (_, i) => Math.exp(-4 * (i / samples) ** 2));
  const scale = samples / (1 - cosAlpha);
  const { hx, wx, wy, wz, weight } = squaredFrequencies(sp.dims);
  const total = new Float64Array((shells + 1) * D * 3);
  for (let part = 0; part < CONICAL_PARTS; part++) {
    const acc = new Float64Array(total.length);
    for (let z = part; z < nz; z += CONICAL_PARTS) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < hx; x++) {
          const r2 = wx[x] + (wy[y] + wz[z]);
          if (r2 > 0.25) continue;
          const r = Math.sqrt(r2);
          const k = Math.round(r * nx);
          if (k === 0 || k > shells) continue;
          const p = 2 * ((z * ny + y) * hx + x);
          const [a, b, c, e] = [sp.F1[p], sp.F1[p + 1], sp.F2[p], sp.F2[p + 1]];
          const sums = [weight[x] * (a * c + b * e), weight[x] * (a * a + b * b), weight[x] * (c * c + e * e)];
          const v = [fftFreq(x, nx) / r, fftFreq(y, ny) / r, fftFreq(z, nz) / r];
          for (let di = 0; di < D; di++) {
            const cos = Math.abs(v[0] * u[3 * di] + v[1] * u[3 * di + 1] + v[2] * u[3 * di + 2]);
            if (cos < cosAlpha) continue;
            const t = Math.min((1 - cos) * scale, samples);
            const i = Math.floor(t);
            const g = cone.shape === 'hard' ? 1 : w[i] + (t - i) * (w[i + 1] - w[i]);
            for (let s = 0; s < 3; s++) acc[(k * D + di) * 3 + s] += g * sums[s];
          }
        }
      }
    }
    acc.forEach((x, i) => (total[i] += x));
  }
  const fsc = new Float64Array(D * shells);
  for (let k = 1; k <= shells; k++) {
    for (let di = 0; di < D; di++) {
      const o = (k * D + di) * 3;
      const den = Math.sqrt(total[o + 1] * total[o + 2]);
      fsc[di * shells + k - 1] = den > 0 ? total[o] / den : Number.NaN;
    }
  }
  return fsc;
}

describe('conicalFsc', () => {
  it('its global curve equals fsc.ts\'s FSC of the same masked halves to 1e-6 (shells, voxel counts, values)', async () => {
    const d: Vec3 = [64, 64, 64];
    const { half1, half2 } = await simulateHalfMaps(await smoothNoise(d, 1), { resolution: 4 }, 1);
    const mask = softSphere(d, 22, 3);
    const c = await conicalFsc(await maskedHalfMapSpectra(half1, half2, mask), AXES, FSC3D_CONE);
    const times = (h: Volume): Volume => ({ ...h, data: h.data.map((x, i) => x * mask[i]) });
    const ref = await fscCurve(times(half1), times(half2));
    expect(c.shell.length).toBe(ref.shell.length);
    let err = 0;
    ref.fsc.forEach((x, j) => {
      err = Math.max(err, Math.abs(c.global.fsc[j] - x));
      expect(c.global.voxels[j]).toBe(ref.voxels[j]);
      expect(c.frequency[j]).toBeCloseTo(ref.frequency[j], 14);
    });
    console.log(`global curve vs fsc.ts: max |ΔFSC| ${err.toExponential(1)}`);
    expect(err).toBeLessThan(1e-6);
  });

  it('bit-identical curves on 1, 2 and 3 threads (reports must not depend on the executor)', async () => {
    const d: Vec3 = [64, 64, 64];
    const { half1, half2 } = await simulateHalfMaps(await smoothNoise(d, 2), { resolution: 5 }, 2);
    const sp = await maskedHalfMapSpectra(half1, half2, softSphere(d, 22, 3));
    const dirs = fibonacciHemisphere(60);
    for (const cone of [FSC3D_CONE, FSO_CONE]) {
      const a = await conicalFsc(sp, dirs, cone, { threads: 1 });
      for (const threads of [2, 3]) {
        const b = await conicalFsc(sp, dirs, cone, { threads });
        // Empty cones (the first shells) are NaN on both; toEqual treats NaN as equal to NaN.
        expect(Array.from(b.fsc), `${cone.shape}, ${threads} threads`).toEqual(Array.from(a.fsc));
        expect(Array.from(b.global.fsc)).toEqual(Array.from(a.global.fsc));
      }
    }
  });

  it('equals a plain loop that weighs every coefficient for every direction (FSO cone: bit for bit; hard cone: to 1e-12)', async () => {
    const d: Vec3 = [40, 36, 32];
    const { half1, half2 } = await simulateHalfMaps(await smoothNoise(d, 8), { resolution: 4 }, 8);
    const sp = await maskedHalfMapSpectra(half1, half2, softSphere(d, 13, 2));
    const dirs = new Float64Array([...fibonacciHemisphere(90), ...AXES]);
    for (const cone of [FSO_CONE, FSC3D_CONE]) {
      const ours = await conicalFsc(sp, dirs, cone);
      const plain = plainConicalFsc(sp, dirs, cone);
      let err = 0;
      plain.forEach((x, i) => {
        if (cone.shape === 'fso') expect(Object.is(ours.fsc[i], x), `fso: value ${i}: ${ours.fsc[i]} vs ${x}`).toBe(true);
        else if (Number.isNaN(x)) expect(ours.fsc[i]).toBeNaN();
        else err = Math.max(err, Math.abs(ours.fsc[i] - x));
      });
      expect(err).toBeLessThan(1e-12);
    }
  });

  it('halves that agree only in the coefficients near the z axis: FSC ≈ 1 along z, ≈ 0 along x and y', async () => {
    // Half 2 = half 1 where the frequency lies within 10° of ±z, independent noise elsewhere: the
    // 20° cone around z is mostly shared, the cones around x and y not at all.
    const d: Vec3 = [48, 48, 48];
    const a = await smoothNoise(d, 3, 0.5);
    const b = await smoothNoise(d, 4, 0.5);
    const { createRealFft3d, fftFreq } = await import('../fft/fft.ts');
    const fft = createRealFft3d(d);
    const A = Float32Array.from(await fft.forward(a.data));
    const B = Float32Array.from(await fft.forward(b.data));
    const hx = d[0] / 2 + 1;
    for (let z = 0, q = 0; z < d[2]; z++) {
      for (let y = 0; y < d[1]; y++) {
        for (let x = 0; x < hx; x++, q++) {
          const w = [fftFreq(x, d[0]), fftFreq(y, d[1]), fftFreq(z, d[2])];
          const r = Math.hypot(w[0], w[1], w[2]);
          if (r > 0 && Math.abs(w[2]) / r >= Math.cos((10 * Math.PI) / 180)) {
            B[2 * q] = A[2 * q];
            B[2 * q + 1] = A[2 * q + 1];
          }
        }
      }
    }
    const one = new Float32Array(a.data.length).fill(1);
    const h2: Volume = { ...b, data: Float32Array.from(await fft.inverse(B)) };
    const c = await conicalFsc(await maskedHalfMapSpectra(a, h2, one), AXES, FSC3D_CONE);
    const mid = (dIdx: number) => {
      const curve = directionalCurve(c, dIdx).subarray(6, 20);
      return curve.reduce((s, x) => s + x, 0) / curve.length;
    };
    console.log(`mean FSC over shells 7–20: x ${mid(0).toFixed(3)}, y ${mid(1).toFixed(3)}, z ${mid(2).toFixed(3)}`);
    // Within 10° of z all coefficients agree; the rest of the 20° cone (three quarters of it) holds independent ones.
    expect(mid(2)).toBeGreaterThan(0.15);
    expect(Math.abs(mid(0))).toBeLessThan(0.05);
    expect(Math.abs(mid(1))).toBeLessThan(0.05);
  });

  it('a design of 4 Å in xy and 6 Å along z (no mask): x and y cross 0.143 within 0.5 Å of 4 Å, z within 0.7 Å of 6 Å', async () => {
    // The 20° cone about z also holds directions up to 20° off z, which are better resolved: its
    // crossing lies a little finer than the design along z itself.
    const d: Vec3 = [96, 96, 96];
    const { half1, half2 } = await simulateHalfMaps(await smoothNoise(d, 5), { resolution: 4, resolutionZ: 6 }, 3);
    const c = await conicalFsc(await maskedHalfMapSpectra(half1, half2, new Float32Array(half1.data.length).fill(1)), AXES, FSC3D_CONE);
    const [x, y, z] = [0, 1, 2].map((i) => crossing(c, i) as number);
    console.log(`crossings: x ${x.toFixed(2)}, y ${y.toFixed(2)}, z ${z.toFixed(2)} Å (design 4, 4, 6)`);
    // One cone's crossing carries ~0.2 Å of noise at this box size (a few hundred coefficients per shell).
    expect(Math.abs(x - 4)).toBeLessThan(0.5);
    expect(Math.abs(y - 4)).toBeLessThan(0.5);
    expect(Math.abs(z - 6)).toBeLessThan(0.7);
    expect(z).toBeGreaterThan(Math.max(x, y) + 1);
  });
});

describe('fibonacciHemisphere', () => {
  it('unit vectors with z > 0, spread evenly: every direction has a neighbour within 1.3× and none closer than 0.45× the mean spacing', () => {
    const n = 321;
    const u = fibonacciHemisphere(n);
    const spacing = Math.sqrt((2 * Math.PI) / n);
    for (let i = 0; i < n; i++) {
      expect(Math.hypot(u[3 * i], u[3 * i + 1], u[3 * i + 2])).toBeCloseTo(1, 12);
      expect(u[3 * i + 2]).toBeGreaterThan(0);
      let nearest = Math.PI;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        // Axes: u and −u are one direction.
        const c = Math.abs(u[3 * i] * u[3 * j] + u[3 * i + 1] * u[3 * j + 1] + u[3 * i + 2] * u[3 * j + 2]);
        nearest = Math.min(nearest, Math.acos(Math.min(1, c)));
      }
      expect(nearest).toBeLessThan(1.3 * spacing);
      expect(nearest).toBeGreaterThan(0.45 * spacing);
    }
  });
});

const ready = havePython(['numpy'], 'conical FSC numpy cross-check');
describe.skipIf(!ready)('conicalFsc agrees with an independent numpy computation (full grid, same directions)', () => {
  let work = '';
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  for (const cone of [FSC3D_CONE, FSO_CONE]) {
    it(`${cone.shape} cone of ${cone.halfAngleDeg}°: every direction and shell to 1e-4, the global curve to 1e-6`, async () => {
      work ||= mkdtempSync(path.join(tmpdir(), 'emvr-conical-'));
      const d: Vec3 = [64, 60, 56];
      const { half1, half2 } = await simulateHalfMaps(await smoothNoise(d, 6), { resolution: 4.5, resolutionZ: 6 }, 4);
      const mask = softSphere(d, 22, 3);
      const dirs = new Float64Array([...fibonacciHemisphere(120), ...AXES]);
      const files = ['h1.f32', 'h2.f32', 'mask.f32', 'dirs.f64'].map((n) => path.join(work, n));
      [half1.data, half2.data, mask, dirs].forEach((a, k) => writeFileSync(files[k], Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
      const [ours, text] = await Promise.all([
        maskedHalfMapSpectra(half1, half2, mask).then((sp) => conicalFsc(sp, dirs, cone)),
        runReference('conical_fsc_reference.py', [files[0], files[1], ...d.map(String), String(TS), files[2], files[3], cone.shape, String(cone.halfAngleDeg)]),
      ]);
      const ref = JSON.parse(text) as { fsc: (number | null)[][]; globalFsc: number[]; globalVoxels: number[] };
      let err = 0;
      let empty = 0;
      for (let di = 0; di < dirs.length / 3; di++) {
        const curve = directionalCurve(ours, di);
        ref.fsc[di].forEach((x, j) => {
          if (x === null) {
            empty++;
            expect(Number.isNaN(curve[j]), `direction ${di} shell ${j + 1}: numpy's cone is empty`).toBe(true);
          } else {
            err = Math.max(err, Math.abs(curve[j] - x));
          }
        });
      }
      let gErr = 0;
      ref.globalFsc.forEach((x, j) => {
        gErr = Math.max(gErr, Math.abs(ours.global.fsc[j] - x));
        expect(ours.global.voxels[j]).toBe(ref.globalVoxels[j]);
      });
      console.log(`${cone.shape}: max |ours − numpy| ${err.toExponential(1)} over ${dirs.length / 3} directions × ${ours.shell.length} shells (${empty} empty cones), global ${gErr.toExponential(1)}`);
      expect(err).toBeLessThan(1e-4);
      expect(gErr).toBeLessThan(1e-6);
    }, 120_000);
  }
});
