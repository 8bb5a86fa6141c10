/**
 * fscCurve against known answers (identical, opposite, independent and half-signal half maps),
 * against an independent numpy full-grid computation, and the §0 helpers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { havePython, runReference } from '../testing/python.ts';
import { gaussianSource, mulberry32, mulberry32Next } from '../util/random.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { correctedMaskedFsc, firstCross, fscCurve, fscOfSpectra, fscWithDprOnPool, halfBitThreshold, halfMapSpectra, oneBitThreshold, randomizePhases } from './fsc.ts';
import { gaussianFilter } from './filters.ts';

function noise(dims: Vec3, seed: number, sigma = 1): Float32Array {
  const g = gaussianSource(mulberry32(seed));
  return new Float32Array(dims[0] * dims[1] * dims[2]).map(() => sigma * g());
}

function vol(dims: Vec3, data: Float32Array, ts = 1.5): Volume {
  return { dims, voxelSize: [ts, ts, ts], origin: [0, 0, 0], data };
}

const median = (a: ArrayLike<number>) => {
  const s = Float64Array.from(a).sort();
  return s[s.length >> 1];
};

describe('fscCurve on half maps with a known answer', () => {
  const dims: Vec3 = [40, 40, 40];
  const a = noise(dims, 1);

  it('identical halves: FSC 1 and DPR 0 in every shell; shells 1…N/2 at k/(N·Ts)', async () => {
    const c = await fscCurve(vol(dims, a), vol(dims, a));
    expect(Array.from(c.shell)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    c.frequency.forEach((f, j) => expect(f).toBeCloseTo((j + 1) / (40 * 1.5), 14));
    for (const x of c.fsc) expect(x).toBeCloseTo(1, 6);
    for (const x of c.dpr) expect(x).toBeLessThan(1e-3);
  });

  it('opposite halves: FSC −1 and DPR 180°', async () => {
    const c = await fscCurve(vol(dims, a), vol(dims, a.map((x) => -x)));
    for (const x of c.fsc) expect(x).toBeCloseTo(-1, 6);
    for (const x of c.dpr) expect(x).toBeCloseTo(180, 3);
  });

  it('independent noise: FSC within 5/√(n/2) of 0 in every shell, DPR near the random-phase 103.9°', async () => {
    const c = await fscCurve(vol(dims, a), vol(dims, noise(dims, 2)));
    c.fsc.forEach((x, j) => expect(Math.abs(x), `shell ${j + 1}`).toBeLessThan(5 / Math.sqrt(c.voxels[j] / 2)));
    expect(Math.abs(median(c.dpr.subarray(4)) - 180 / Math.sqrt(3))).toBeLessThan(6);
  });

  it('signal + equal independent noise in each half: FSC = S/(S + N) = 0.5 on average', async () => {
    const s = noise(dims, 3);
    const n1 = noise(dims, 4);
    const h1 = s.map((x, i) => x + n1[i]);
    const n2 = noise(dims, 5);
    const h2 = s.map((x, i) => x + n2[i]);
    const c = await fscCurve(vol(dims, h1), vol(dims, h2));
    expect(Math.abs(median(c.fsc) - 0.5)).toBeLessThan(0.05);
  });

  it('refuses half maps on different grids', async () => {
    await expect(fscCurve(vol([8, 8, 8], new Float32Array(512)), vol([8, 8, 9], new Float32Array(576)))).rejects.toThrow(/8×8×8 and 8×8×9/u);
  });
});

describe('masked FSC with the phase-randomisation correction (Chen et al. 2013)', () => {
  it('a sharp mask inflates the FSC beyond the signal; the corrected FSC returns to 0 there and keeps the signal shells', async () => {
    const dims: Vec3 = [48, 48, 48];
    // Signal: white noise smoothed with σ = 2.5 voxels (no power beyond ≈ 0.15 cycles/voxel), filling the box,
    // so that a sharp spherical mask cuts through it; each half adds its own white noise.
    const signal = await gaussianFilter(vol(dims, noise(dims, 21)), 2.5);
    let ss = 0;
    for (const x of signal.data) ss += x * x;
    const scale = 1 / Math.sqrt(ss / signal.data.length);
    const s = signal.data.map((x) => x * scale);
    const n1 = noise(dims, 22, 0.3);
    const n2 = noise(dims, 23, 0.3);
    const h1 = vol(dims, s.map((x, i) => x + n1[i]));
    const h2 = vol(dims, s.map((x, i) => x + n2[i]));
    const mask = new Float32Array(s.length);
    for (let z = 0, i = 0; z < 48; z++) for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++, i++) mask[i] = Math.hypot(x - 24, y - 24, z - 24) < 14 ? 1 : 0;
    const c = await correctedMaskedFsc(h1, h2, mask, 7);
    expect(c.randomizedFromShell).toBeGreaterThan(3);
    const high = (a: ArrayLike<number>) => Array.from(a).slice(14);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(`masked FSC beyond 0.3 cycles/voxel ${mean(high(c.masked.fsc)).toFixed(3)}, corrected ${mean(high(c.corrected)).toFixed(3)}, unmasked ${mean(high(c.unmasked.fsc)).toFixed(3)}; randomised from shell ${c.randomizedFromShell}`);
    expect(mean(high(c.unmasked.fsc))).toBeLessThan(0.05);
    expect(mean(high(c.masked.fsc))).toBeGreaterThan(0.15);
    expect(Math.abs(mean(high(c.corrected)))).toBeLessThan(0.05);
    // Below the randomisation shell the corrected curve is the masked one.
    for (let j = 0; j < c.randomizedFromShell - 1; j++) expect(c.corrected[j]).toBe(c.masked.fsc[j]);
    // Reproducible: the same seed gives the same curve.
    expect(Array.from((await correctedMaskedFsc(h1, h2, mask, 7)).corrected)).toEqual(Array.from(c.corrected));
  });
});

describe('fscWithDprOnPool', () => {
  it('the FSC, DPR and voxel counts of fscOfSpectra, bit for bit (spectra on shared memory: slabs of planes on the pool)', async () => {
    const dims: Vec3 = [36, 34, 40];
    const a = noise(dims, 41);
    const n = noise(dims, 42, 0.8);
    const b = a.map((x, i) => x + n[i]);
    const sp = await halfMapSpectra(vol(dims, a), vol(dims, b));
    const shared = (F: Float32Array) => {
      const out = sharedFloat32(F.length);
      out.set(F);
      return out;
    };
    const plain = fscOfSpectra(sp);
    const pooled = await fscWithDprOnPool({ ...sp, F1: shared(sp.F1), F2: shared(sp.F2) });
    for (const key of ['fsc', 'dpr', 'voxels'] as const) {
      expect(pooled[key].every((x, j) => Object.is(x, plain[key][j])), key).toBe(true);
    }
    expect(plain.dpr.every((x) => x > 0 && x < 180)).toBe(true);
  });
});

describe('randomizePhases', () => {
  it('the plain sequential loop\'s numbers, bit for bit, on the pool and inline, and the generator state it leaves', async () => {
    const dims: Vec3 = [40, 36, 33];
    const sp = await halfMapSpectra(vol(dims, noise(dims, 31)), vol(dims, noise(dims, 32)));
    const from = 7;
    // The plain loop: one draw per coefficient outside shells 0 … from − 1, in storage order.
    const plain = Float32Array.from(sp.F1);
    const ref = new Int32Array([12345]);
    for (let q = 0; q < sp.shellOf.length; q++) {
      const k = sp.shellOf[q];
      if (k >= 0 && k < from) continue;
      const amp = Math.sqrt(plain[2 * q] ** 2 + plain[2 * q + 1] ** 2);
      const phase = (2 * Math.PI * ((mulberry32Next(ref) * 65536) | 0)) / 65536;
      plain[2 * q] = amp * Math.fround(Math.cos(phase));
      plain[2 * q + 1] = amp * Math.fround(Math.sin(phase));
    }
    const onPool = sharedFloat32(sp.F1.length);
    onPool.set(sp.F1);
    for (const F of [onPool, Float32Array.from(sp.F1)]) {
      const state = new Int32Array([12345]);
      await randomizePhases(F, sp, from, state);
      expect(state[0]).toBe(ref[0]);
      let same = 0;
      F.forEach((x, i) => (same += +Object.is(x, plain[i])));
      expect(same).toBe(F.length);
    }
  });
});

const ready = havePython(['numpy'], 'FSC numpy cross-check');
describe.skipIf(!ready)('fscCurve agrees with numpy on the full grid', () => {
  let work = '';
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  for (const dims of [[36, 30, 28], [33, 33, 33]] as Vec3[]) {
    it(`${dims.join('×')}: FSC, DPR and voxel counts per shell`, async () => {
      work ||= mkdtempSync(path.join(tmpdir(), 'emvr-fsc-'));
      const s = noise(dims, 11);
      const n1 = noise(dims, 12, 0.7);
      const h1 = s.map((x, i) => x + n1[i]);
      const n2 = noise(dims, 13, 0.7);
      const h2 = s.map((x, i) => x + n2[i]);
      const f1 = path.join(work, `${dims.join('x')}-1.f32`);
      const f2 = path.join(work, `${dims.join('x')}-2.f32`);
      writeFileSync(f1, Buffer.from(h1.buffer));
      writeFileSync(f2, Buffer.from(h2.buffer));
      const [c, refText] = await Promise.all([fscCurve(vol(dims, h1, 1.2), vol(dims, h2, 1.2)), runReference('fsc_reference.py', [f1, f2, ...dims.map(String), '1.2'])]);
      const ref = JSON.parse(refText) as { shell: number[]; frequency: number[]; fsc: number[]; dpr: number[]; voxels: number[] };
      expect(Array.from(c.shell)).toEqual(ref.shell);
      expect(Array.from(c.voxels)).toEqual(ref.voxels);
      c.frequency.forEach((f, j) => expect(f).toBeCloseTo(ref.frequency[j], 12));
      c.fsc.forEach((x, j) => expect(Math.abs(x - ref.fsc[j]), `FSC shell ${j + 1}`).toBeLessThan(1e-5));
      c.dpr.forEach((x, j) => expect(Math.abs(x - ref.dpr[j]) / ref.dpr[j], `DPR shell ${j + 1}`).toBeLessThan(1e-4));
    });
  }
});

describe('level1A-spec §0 helpers', () => {
  it('firstCross interpolates the first crossing and calls a crossing at the first two samples none', () => {
    const x = [0.1, 0.2, 0.3, 0.4, 0.5];
    expect(firstCross(x, [1, 0.9, 0.5, 0.1, 0], 0.143, 'lesser')).toBeCloseTo(0.3 + (0.143 - 0.5) / (0.1 - 0.5) * 0.1, 12);
    expect(firstCross(x, [1, 0.1, 0.05, 0, 0], 0.143, 'lesser')).toBeNull();
    expect(firstCross(x, [1, 0.9, 0.8, 0.7, 0.6], 0.143, 'lesser')).toBeNull();
    expect(firstCross(x, [10, 20, 50, 110, 120], 103.9, 'greater')).toBeCloseTo(0.3 + (103.9 - 50) / 60 * 0.1, 12);
  });

  it('half-bit and 1-bit thresholds fall to 0.1716 and 1/3 for large shells and exceed them for small ones', () => {
    expect(halfBitThreshold(1e12)).toBeCloseTo(0.2071 / 1.2071, 5);
    expect(oneBitThreshold(1e12)).toBeCloseTo(1 / 3, 5);
    expect(halfBitThreshold(100)).toBeGreaterThan(0.3);
    expect(oneBitThreshold(100)).toBeGreaterThan(halfBitThreshold(100));
  });
});
