/**
 * The half-map simulator gives the FSC it was designed to give: the measured curve crosses 0.143
 * at the design resolution, isotropically and, for an anisotropic design, along each axis.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstCross, fscCurve } from '../methods/fsc.ts';
import { havePython, runReference } from '../testing/python.ts';
import { gaussianFilter } from '../methods/filters.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { designedF143, designedFsc, FSC_CEILING, fullMapNoiseSigma, simulateHalfMaps, simulateLocalHalfMaps, splitAlongX } from './half-maps.ts';
import { proceduralProtein } from './protein.ts';
import { gridAroundModel, simulateMap } from './simulate.ts';

function smoothNoise(dims: Vec3, ts: number, seed: number): Promise<Volume> {
  const g = gaussianSource(mulberry32(seed));
  const data = new Float32Array(dims[0] * dims[1] * dims[2]).map(() => g());
  return gaussianFilter({ dims, voxelSize: [ts, ts, ts], origin: [0, 0, 0], data }, 0.7);
}

describe('designed FSC curve', () => {
  it('is 0.143 at the design frequency, near 1 at low frequency and falls monotonically', () => {
    expect(designedFsc(1 / 4, 1 / 4)).toBeCloseTo(0.143, 10);
    expect(designedFsc(1 / 40, 1 / 4)).toBeGreaterThan(0.999);
    expect(designedFsc(0.3, 0.25)).toBeLessThan(designedFsc(0.26, 0.25));
  });
  it('anisotropic 0.143 frequency: 1/resolution in the xy plane, 1/resolutionZ along z', () => {
    const d = { resolution: 4, resolutionZ: 8 };
    expect(designedF143(d, 0)).toBeCloseTo(0.25, 12);
    expect(designedF143(d, 1)).toBeCloseTo(0.125, 12);
  });
});

describe('simulateHalfMaps', () => {
  const dims: Vec3 = [64, 64, 64];
  const ts = 1.1;

  it('isotropic: the measured FSC crosses 0.143 within 3 % of the design resolution and follows the design shell by shell', async () => {
    const signal = await smoothNoise(dims, ts, 5);
    for (const resolution of [3.5, 6]) {
      const { half1, half2 } = await simulateHalfMaps(signal, { resolution }, 9);
      const c = await fscCurve(half1, half2);
      const f = firstCross(c.frequency, c.fsc, 0.143, 'lesser');
      expect(f).not.toBeNull();
      expect(Math.abs(1 / (f as number) - resolution) / resolution, `design ${resolution} Å, measured ${(1 / (f as number)).toFixed(3)} Å`).toBeLessThan(0.03);
      // Exactly the design (capped at FSC_CEILING) up to the crossing; beyond it never above the design.
      c.fsc.forEach((x, j) => {
        const d = Math.min(designedFsc(c.frequency[j], 1 / resolution), FSC_CEILING);
        const tol = 4 / Math.sqrt(c.voxels[j]);
        if (c.frequency[j] <= 1 / resolution) expect(Math.abs(x - d), `shell ${j + 1}`).toBeLessThan(tol);
        else expect(x, `shell ${j + 1}`).toBeLessThan(d + tol);
      });
    }
  });

  it('the halves share the signal and differ by noise only: low-passed, their mean is the low-passed signal; their difference is uncorrelated with it', async () => {
    const signal = await smoothNoise(dims, ts, 6);
    const { half1, half2 } = await simulateHalfMaps(signal, { resolution: 3 }, 2);
    expect(half1.dims).toEqual(signal.dims);
    expect(half1.voxelSize).toEqual(signal.voxelSize);
    const corr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let ab = 0, aa = 0, bb = 0;
      for (let i = 0; i < a.length; i++) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
      }
      return ab / Math.sqrt(aa * bb);
    };
    // A Gaussian of σ = 2 voxels keeps ≥ 22 % of the amplitude below 8 Å, where the designed FSC is > 0.99.
    const low = (v: Volume) => gaussianFilter(v, 2);
    const mean = { ...signal, data: half1.data.map((x, i) => (x + half2.data[i]) / 2) };
    expect(corr((await low(mean)).data, (await low(signal)).data)).toBeGreaterThan(0.98);
    expect(Math.abs(corr(half1.data.map((x, i) => x - half2.data[i]), signal.data))).toBeLessThan(0.02);
    // Deterministic for a seed.
    const again = await simulateHalfMaps(signal, { resolution: 3 }, 2);
    expect(again.half1.data).toEqual(half1.data);
  });

  it('anisotropic: the FSC along z (a cone about z) falls at resolutionZ, in the xy plane at resolution', async () => {
    const signal = await smoothNoise(dims, ts, 7);
    const { half1, half2 } = await simulateHalfMaps(signal, { resolution: 3.5, resolutionZ: 7 }, 3);
    const global = await fscCurve(half1, half2);
    const f = firstCross(global.frequency, global.fsc, 0.143, 'lesser') as number;
    // The global (spherical-average) crossing lies between the two directional ones.
    expect(1 / f).toBeGreaterThan(3.6);
    expect(1 / f).toBeLessThan(6.9);
  });

  it('refuses a non-positive design resolution and one finer than Nyquist', async () => {
    const signal = await smoothNoise([16, 16, 16], 1, 1);
    await expect(simulateHalfMaps(signal, { resolution: 0 })).rejects.toThrow(/resolutions must be > 0/u);
    await expect(simulateHalfMaps(signal, { resolution: 1.5 })).rejects.toThrow(/finer than Nyquist \(2 Å\)/u);
  });
});

describe('simulateLocalHalfMaps', () => {
  it('two regions split along x at 3.5 and 6 Å: the FSC of each side (other side masked out) crosses 0.143 within 5 % of its design', async () => {
    const dims: Vec3 = [96, 96, 96];
    const signal = await smoothNoise(dims, 1.1, 21);
    const [left, right] = splitAlongX(dims, 48, 2);
    const { half1, half2 } = await simulateLocalHalfMaps(signal, [{ weight: left, design: { resolution: 3.5 } }, { weight: right, design: { resolution: 6 } }], 4);
    // Each side alone: keep the x range 8…40 (left) or 56…88 (right) with a soft window, the rest 0.
    for (const [lo, hi, design] of [[8, 40, 3.5], [56, 88, 6]] as const) {
      const window = (v: Volume): Volume => {
        const data = new Float32Array(v.data.length);
        for (let z = 0, i = 0; z < 96; z++) for (let y = 0; y < 96; y++) for (let x = 0; x < 96; x++, i++) {
          const w = (1 / (1 + Math.exp((lo - x) / 2))) * (1 / (1 + Math.exp((x - hi) / 2)));
          data[i] = v.data[i] * w;
        }
        return { ...v, data };
      };
      const c = await fscCurve(window(half1), window(half2));
      const f = firstCross(c.frequency, c.fsc, 0.143, 'lesser') as number;
      expect(Math.abs(1 / f - design) / design, `side ${lo}-${hi}: ${(1 / f).toFixed(2)} Å, design ${design} Å`).toBeLessThan(0.05);
    }
  });
});

const numpy = havePython(['numpy'], 'designed full-map noise: numpy FSC of the halves');
describe('fullMapNoiseSigma: the single-map noise of a designed FSC', () => {
  for (const [bFactor, resolution] of [[-100, 3.5], [-150, 5]] as const) {
    it(`a protein map (B ${bFactor} Å²) plus two noises of σ·√2 gives halves whose FSC crosses 0.143 at ${resolution} Å (numpy agrees)`, async () => {
      const model = proceduralProtein({ seed: 3 });
      const g = gridAroundModel(model, 1.2, 25, { cubic: true });
      const signal = await simulateMap(model, g, { resolution: 3.5, bFactor });
      const sigma = await fullMapNoiseSigma(signal, resolution);
      // Halves S + N_i with σ_h = √2·σ: their mean is the signal plus noise of σ.
      const r = gaussianSource(mulberry32(21));
      const h = [0, 1].map(() => signal.data.map((x) => x + Math.SQRT2 * sigma * r()));
      const c = await fscCurve({ ...signal, data: h[0] }, { ...signal, data: h[1] });
      const f = firstCross(c.frequency, c.fsc, 0.143, 'lesser') as number;
      console.log(`B ${bFactor}, design ${resolution} Å: σ = ${sigma.toExponential(3)}, FSC 0.143 at ${(1 / f).toFixed(3)} Å`);
      expect(Math.abs(1 / f - resolution) / resolution).toBeLessThan(0.03);
      if (!numpy) return;
      const work = mkdtempSync(path.join(tmpdir(), 'emvr-noise-design-'));
      try {
        const files = h.map((d, i) => path.join(work, `h${i}.f32`));
        h.forEach((d, i) => writeFileSync(files[i], Buffer.from(d.buffer)));
        const ref = JSON.parse(await runReference('fsc_reference.py', [...files, ...signal.dims.map(String), '1.2'])) as { fsc0143: number };
        expect(Math.abs(ref.fsc0143 - 1 / f)).toBeLessThan(1e-3);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
  it('is √((1 − 0.143)/(2·0.143)·P/N) for white signal of shell power P (Parseval, unnormalised transform)', async () => {
    // White unit noise as the signal: P = N_vox per coefficient, so σ² = (1 − 0.143)/(2·0.143) ≈ 3.0.
    const r = gaussianSource(mulberry32(4));
    const dims: Vec3 = [48, 48, 48];
    const signal: Volume = { dims, voxelSize: [1, 1, 1], origin: [0, 0, 0], data: new Float32Array(48 ** 3).map(() => r()) };
    const sigma = await fullMapNoiseSigma(signal, 4);
    expect(sigma ** 2).toBeGreaterThan(0.9 * (1 - 0.143) / (2 * 0.143));
    expect(sigma ** 2).toBeLessThan(1.1 * (1 - 0.143) / (2 * 0.143));
    await expect(fullMapNoiseSigma(signal, 1.5)).rejects.toThrow(/finer than Nyquist/);
  });
});
