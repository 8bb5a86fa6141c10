/**
 * fdrFsc on known answers (identical halves, independent noise, half maps simulated with a designed
 * FSC), the Benjamini–Yekutieli adjustment and the resolution rule by hand, SPOC's B-factor on a
 * spectrum of known decay, and agreement with the independent numpy reference.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { simulateHalfMaps } from '../simulate/half-maps.ts';
import { havePython, runReference } from '../testing/python.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { adjustBY, fallOffMask, fdrFsc, fdrResolution, harmonicApprox, shellTable, spocBFactor } from './fdr-fsc.ts';
import { gaussianFilter } from './filters.ts';
import { firstCross, fscCurve } from './fsc.ts';

function vol(dims: Vec3, data: Float32Array, ts = 1.1): Volume {
  return { dims, voxelSize: [ts, ts, ts], origin: [0, 0, 0], data };
}

function noise(dims: Vec3, seed: number): Float32Array {
  const g = gaussianSource(mulberry32(seed));
  return new Float32Array(dims[0] * dims[1] * dims[2]).map(() => g());
}

/**
 * A compact random "particle" inside the FDR mask: white noise under a Gaussian envelope of σ =
 * min(dims)/10 voxels, low-passed so that its power falls 100-fold from 0 to 1/resolution, as a
 * map's amplitudes fall towards its resolution. Both choices matter for a fair test: the
 * simulator gives each shell noise power P_S·(1 − FSC)/FSC, so a signal that kept its power to
 * Nyquist would get noise 1000× stronger there, and the mask's spectral leakage would carry it
 * into the low shells; and a signal filling the box would be cut by the mask, whose leakage then
 * correlates the halves' high shells (the artefact Chen et al.'s correction removes).
 */
async function particle(dims: Vec3, ts: number, resolution: number, seed: number): Promise<Volume> {
  const g = gaussianSource(mulberry32(seed));
  const s = Math.min(...dims) / 10;
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let z = 0, i = 0; z < dims[2]; z++) {
    for (let y = 0; y < dims[1]; y++) {
      for (let x = 0; x < dims[0]; x++, i++) {
        const r2 = (x - (dims[0] - 1) / 2) ** 2 + (y - (dims[1] - 1) / 2) ** 2 + (z - (dims[2] - 1) / 2) ** 2;
        data[i] = g() * Math.exp(-r2 / (2 * s * s));
      }
    }
  }
  // Power exp(−4π²σ²w²) falls to 1/100 at w = ts/resolution cycles per voxel.
  const sigma = Math.sqrt(Math.log(100)) / (2 * Math.PI * (ts / resolution));
  return gaussianFilter(vol(dims, data, ts), sigma);
}

const count = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0);

describe('Benjamini–Yekutieli adjustment and the resolution rule, by hand', () => {
  it('shell table on the pool: the plain loop\'s shells (none past N/2 nor within 1e-9 of a boundary) and counts', async () => {
    for (const dims of [[72, 66, 64], [50, 48, 40]] as Vec3[]) {
      const [nx, ny, nz] = dims;
      const hx = (nx >> 1) + 1;
      const { table, counts } = await shellTable(dims);
      const plainCounts = new Int32Array((nx >> 1) + 1);
      let boundary = 0;
      for (let z = 0, p = 0; z < nz; z++) {
        for (let y = 0; y < ny; y++) {
          for (let x = 0; x < hx; x++, p++) {
            const d = Math.sqrt(fftFreq(x, nx) ** 2 + (fftFreq(y, ny) ** 2 + fftFreq(z, nz) ** 2)) * nx;
            const k = Math.round(d);
            const on = Math.abs(Math.abs(d - k) - 0.5) < 1e-9;
            boundary += +(on && k <= nx >> 1);
            const expected = k > nx >> 1 || on ? 0xffff : k;
            if (table[p] !== expected) expect(table[p], `${dims.join('×')} coefficient ${p}`).toBe(expected);
            if (expected !== 0xffff) plainCounts[k]++;
          }
        }
      }
      expect(Array.from(counts)).toEqual(Array.from(plainCounts));
      if (nx === 50) expect(boundary).toBeGreaterThan(0);
    }
  });

  it('H_M: the expansion is the harmonic number to < 1e-4 (M = 10: 2.92897)', () => {
    expect(harmonicApprox(10)).toBeCloseTo(2.928968, 4);
    expect(harmonicApprox(181)).toBeCloseTo(Array.from({ length: 181 }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b, 0), 4);
  });

  it('q_(j) = min_{l ≥ j} p_(l)·(M/l)·H_M in the input order, capped at 1', () => {
    // M = 3, H = ln 3 + 0.5772 + 1/6 − 1/108 + 1/9720 = 1.833323. Sorted p: 0.01, 0.011, 0.04 →
    // 0.01·3·H = 0.055000, 0.011·1.5·H = 0.030250, 0.04·1·H = 0.073333; running minimum from the
    // end: 0.073333, 0.030250, 0.030250.
    const q = adjustBY([0.04, 0.01, 0.011]);
    expect(q[0]).toBeCloseTo(0.0733329, 6);
    expect(q[1]).toBeCloseTo(0.0302498, 6);
    expect(q[2]).toBeCloseTo(0.0302498, 6);
    // M = 5, H = 2.283325: 0 → 0; 0.01·5/2·H = 0.057083; 0.02·5/3·H = 0.076111; 0.03·5/4·H =
    // 0.085625; 0.5·H = 1.14 → 1.
    const q5 = adjustBY([0.5, 0.03, 0, 0.02, 0.01]);
    [1, 0.0856247, 0, 0.0761108, 0.0570831].forEach((x, i) => expect(q5[i]).toBeCloseTo(x, 6));
  });

  it('resolution: 1/f of the shell before the first insignificant one; null when that is shell 1; 2·Ts when none is', () => {
    const f = [0, 0.1, 0.2, 0.3, 0.4];
    expect(fdrResolution(f, [1, 1, 1, 0, 1], 1.25)).toBeCloseTo(5, 12);
    expect(fdrResolution(f, [1, 0, 1, 1, 1], 1.25)).toBeNull();
    expect(fdrResolution(f, [1, 1, 0, 0, 0], 1.25)).toBeCloseTo(10, 12);
    expect(fdrResolution(f, [1, 1, 1, 1, 1], 1.25)).toBe(2.5);
  });

  it('mask: 1 out to R = min/2 − 4, then exp(−d²/8), 0 where that is below 1e-6', () => {
    const dims: Vec3 = [40, 36, 44];
    const m = fallOffMask(dims, 14);
    const at = (x: number, y: number, z: number) => m[x + 40 * (y + 36 * z)];
    // Centre (n − 1)/2 = (19.5, 17.5, 21.5): voxel (19, 17, 21) is 0.87 voxels from it.
    expect(at(19, 17, 21)).toBe(1);
    // Along x from the centre row: x = 19.5 + 14 + d.
    const d = Math.hypot(36 - 19.5, 17 - 17.5, 21 - 21.5) - 14;
    expect(at(36, 17, 21)).toBeCloseTo(Math.exp(-(d * d) / 8), 6);
    expect(at(0, 0, 0)).toBe(0);
  });
});

describe('fdrFsc on half maps with a known answer', () => {
  it('identical halves: FSC 1 and p = 0 in every shell, resolution 2·Ts', async () => {
    const dims: Vec3 = [40, 40, 40];
    const a = noise(dims, 1);
    const r = await fdrFsc(vol(dims, a), vol(dims, a));
    expect(r.shell.length).toBe(21);
    r.frequency.forEach((f, i) => expect(f).toBeCloseTo(i / (40 * 1.1), 14));
    for (const x of r.fsc) expect(x).toBeCloseTo(1, 6);
    expect(Array.from(r.pValue)).toEqual(new Array(21).fill(0));
    expect(count(r.significant)).toBe(21);
    expect(r.resolution).toBe(2.2);
    expect(r.maskRadius).toBe(16);
    // Shell 1 (13 coefficients, m = ⌊0.406·13⌋ = 5 < 10) is decided by the 0.75 rule; the others ran all 200.
    expect(r.coefficients[1]).toBe(13);
    expect(r.samples[1]).toBe(5);
    expect(r.permutations[1]).toBe(0);
    expect(Math.min(...r.permutations.subarray(2))).toBe(200);
  });

  it('independent noise halves: no resolution, and ≤ 1 % of the shells called significant over 20 pairs', async () => {
    const dims: Vec3 = [48, 48, 48];
    let shells = 0;
    let positives = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const r = await fdrFsc(vol(dims, noise(dims, 100 + seed)), vol(dims, noise(dims, 200 + seed)));
      // Shell 1 decides by FSC ≥ 0.75; should it pass by chance, the coarsest shell is the answer.
      expect(r.resolution === null || r.resolution === 1 / r.frequency[1], `pair ${seed}: ${r.resolution}`).toBe(true);
      shells += r.shell.length - 1;
      positives += count(r.significant.subarray(1));
    }
    console.log(`independent noise, 48³: ${positives} of ${shells} shells significant (${((100 * positives) / shells).toFixed(2)} %; 1/(P + 1) = 0.5 % expected at most)`);
    expect(positives / shells).toBeLessThanOrEqual(0.01);
  });

  it('reproducible: the same seed gives the same p-values on 1 thread and on the pool; another seed other draws', async () => {
    const dims: Vec3 = [64, 64, 64];
    const { half1, half2 } = await simulateHalfMaps(await particle(dims, 1.1, 4.5, 5), { resolution: 4.5 }, 5);
    const one = await fdrFsc(half1, half2, { threads: 1 });
    const pool = await fdrFsc(half1, half2, { threads: 2 });
    expect(Array.from(pool.pValue)).toEqual(Array.from(one.pValue));
    expect(Array.from(pool.permutations)).toEqual(Array.from(one.permutations));
    const other = await fdrFsc(half1, half2, { threads: 1, seed: 4 });
    expect(Array.from(other.fsc)).toEqual(Array.from(one.fsc));
    expect(Array.from(other.pValue)).not.toEqual(Array.from(one.pValue));
  });
});

describe('fdrFsc on simulated half maps (designed FSC, Ts = 1.1 Å, 96³)', () => {
  const dims: Vec3 = [96, 96, 96];
  for (const design of [3.5, 4.5, 6]) {
    it(`design ${design} Å: FDR resolution at or finer than the 0.143 crossing, within 25 % of the design`, async () => {
      const rows: string[] = [];
      for (const seed of [1, 2]) {
        const { half1, half2 } = await simulateHalfMaps(await particle(dims, 1.1, design, 10 + seed), { resolution: design }, seed);
        const c = await fscCurve(half1, half2);
        const r143 = 1 / (firstCross(c.frequency, c.fsc, 0.143, 'lesser') as number);
        const r = await fdrFsc(half1, half2);
        expect(r.resolution).not.toBeNull();
        const res = r.resolution as number;
        rows.push(`seed ${seed}: 0.143 at ${r143.toFixed(2)} Å, FDR ${res.toFixed(2)} Å (${(res / design).toFixed(2)}× design)`);
        expect(res).toBeLessThanOrEqual(r143);
        expect(res).toBeGreaterThan(0.75 * design);
        // Every shell up to the resolution shell is significant; the one after is not.
        const j = Math.round((96 * 1.1) / res);
        expect(count(r.significant.subarray(0, j + 1))).toBe(j + 1);
        expect(r.significant[j + 1]).toBe(0);
      }
      console.log(`design ${design} Å: ${rows.join('; ')}`);
    });
  }
});

describe('SPOC B-factor', () => {
  // The mask (radius 12 voxels) smooths the spectrum over ~1/(24 voxels), which flattens a
  // Gaussian decay a little: −94.7 Å² measured for −100 Å².
  it('white noise with amplitudes exp(B·f²/4), B = −100 Å²: 4·slope within 10 % of B', async () => {
    const dims: Vec3 = [64, 64, 64];
    const ts = 1.1;
    const B = -100;
    const fft = createRealFft3d(dims);
    const F = await fft.forward(noise(dims, 9));
    const hx = 33;
    for (let z = 0, p = 0; z < 64; z++) {
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < hx; x++, p++) {
          const f2 = (fftFreq(x, 64) ** 2 + fftFreq(y, 64) ** 2 + fftFreq(z, 64) ** 2) / (ts * ts);
          const g = Math.exp((B * f2) / 4);
          F[2 * p] *= g;
          F[2 * p + 1] *= g;
        }
      }
    }
    const h = vol(dims, Float32Array.from(await fft.inverse(F)), ts);
    const b = (await spocBFactor(h, h, 3)) as number;
    console.log(`SPOC B-factor of a B = ${B} Å² spectrum: ${b.toFixed(1)} Å²`);
    expect(Math.abs(b - B) / Math.abs(B)).toBeLessThan(0.1);
    expect(await spocBFactor(h, h, 8)).toBeNull();
    expect(await spocBFactor(h, h, null)).toBeNull();
  });
});

/** What fdr_fsc_reference.py prints. */
interface Reference {
  frequency: number[];
  fsc: number[];
  pValue: number[];
  significant: number[];
  coefficients: number[];
  samples: number[];
  resolution: number | null;
  maskRadius: number;
  bFactor?: number | null;
}

const ready = havePython(['numpy'], 'FDR-FSC numpy cross-check');
describe.skipIf(!ready)('fdrFsc agrees with the numpy reference', () => {
  let work = '';
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  const cases: Array<{ dims: Vec3; design: number }> = [
    { dims: [64, 64, 64], design: 4.5 },
    { dims: [50, 44, 40], design: 5 },
  ];
  for (const { dims, design } of cases) {
    it(`${dims.join('×')}, design ${design} Å: mask, shells, FSC and sample counts to 1e-5; significance except near p = 0; resolution within a shell; B-factor`, async () => {
      work ||= mkdtempSync(path.join(tmpdir(), 'emvr-fdr-fsc-'));
      const ts = 1.1;
      const { half1, half2 } = await simulateHalfMaps(await particle(dims, ts, design, 3), { resolution: design }, 3);
      const stem = path.join(work, dims.join('x'));
      writeFileSync(`${stem}-1.f32`, half1.data);
      writeFileSync(`${stem}-2.f32`, half2.data);
      const ours = await fdrFsc(half1, half2);
      const bOurs = await spocBFactor(half1, half2, ours.resolution);
      const args = [`${stem}-1.f32`, `${stem}-2.f32`, ...dims.map(String), String(ts), '--mask-out', `${stem}-mask.f32`];
      if (ours.resolution !== null) args.push('--bfactor-resolution', String(ours.resolution));
      const ref = JSON.parse(await runReference('fdr_fsc_reference.py', args)) as Reference;
      const maskRef = new Float32Array(readFileSync(`${stem}-mask.f32`).buffer.slice(0));
      const mask = fallOffMask(dims, ours.maskRadius);
      let maskErr = 0;
      for (let i = 0; i < mask.length; i++) maskErr = Math.max(maskErr, Math.abs(mask[i] - maskRef[i]));
      expect(maskErr).toBeLessThan(1e-5);
      expect(ref.maskRadius).toBe(ours.maskRadius);
      expect(Array.from(ours.coefficients)).toEqual(ref.coefficients);
      expect(Array.from(ours.samples)).toEqual(ref.samples);
      ours.frequency.forEach((f, i) => expect(f).toBeCloseTo(ref.frequency[i], 12));
      ours.fsc.forEach((x, i) => expect(Math.abs(x - ref.fsc[i]), `FSC shell ${i}`).toBeLessThan(1e-5));
      const refP = ref.pValue;
      const refSig = ref.significant;
      const differ: string[] = [];
      ours.significant.forEach((s, i) => {
        if (s === refSig[i]) return;
        differ.push(`shell ${i}: p ${ours.pValue[i]} vs ${refP[i]}`);
        // Only a borderline shell may differ: at most a few permuted FSCs reach the observed one.
        expect(Math.max(ours.pValue[i], refP[i]), `shell ${i}`).toBeLessThanOrEqual(0.05);
      });
      const shellOf = (r: number | null) => (r === null ? 0 : Math.round(1 / (r * ours.frequency[1])));
      console.log(`${dims.join('×')}: resolution ours ${ours.resolution?.toFixed(3)} Å, numpy ${ref.resolution?.toFixed(3)} Å; significance differs in ${differ.length ? differ.join(', ') : 'no shell'}; B ours ${bOurs?.toFixed(2)}, numpy ${ref.bFactor?.toFixed(2)}`);
      expect(Math.abs(shellOf(ours.resolution) - shellOf(ref.resolution))).toBeLessThanOrEqual(1);
      if (bOurs !== null) expect(Math.abs(bOurs - (ref.bFactor as number)) / Math.abs(ref.bFactor as number)).toBeLessThan(1e-4);
    });
  }
});
