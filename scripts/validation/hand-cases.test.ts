import { describe, expect, it } from 'vitest';
import { helixBundle } from '../../analyzers/simulate/protein.ts';
import { gaussianSource, mulberry32 } from '../../analyzers/util/random.ts';
import { gridAroundModel, simulateMap } from '../../analyzers/simulate/simulate.ts';
import { createRealFft3d, fftFreq } from '../../analyzers/fft/fft.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';
import { callOf, confusionTable, lowPassInPlace, noiseSigmaForShellSnr, thresholdForCount, type HandValidationRow } from './hand-cases.ts';

/** Mean |F|² over the shell |s|·res ∈ [0.95, 1.05] of the half-complex spectrum (no pair weighting). */
async function shellPower(v: Volume, res: number): Promise<number> {
  const fft = createRealFft3d(v.dims);
  const spec = await fft.forward(v.data);
  const [cx, cy, cz] = fft.complexDims;
  let sum = 0, n = 0;
  for (let kz = 0, p = 0; kz < cz; kz++) {
    for (let ky = 0; ky < cy; ky++) {
      for (let kx = 0; kx < cx; kx++, p += 2) {
        const s = Math.hypot(fftFreq(kx, v.dims[0]) / v.voxelSize[0], fftFreq(ky, v.dims[1]) / v.voxelSize[1], fftFreq(kz, v.dims[2]) / v.voxelSize[2]);
        if (s * res < 0.95 || s * res > 1.05) continue;
        sum += spec[p] ** 2 + spec[p + 1] ** 2;
        n++;
      }
    }
  }
  return sum / n;
}

describe('validation noise model', () => {
  it('white noise of the computed σ has 3× the signal power in the resolution shell (spectral SNR 1/3)', async () => {
    const model = helixBundle({ helices: 3, residuesPerHelix: 14 });
    const clean = await simulateMap(model, gridAroundModel(model, 1.2, 8), { resolution: 4 });
    const sigma = await noiseSigmaForShellSnr(clean, 4, 1 / 3);
    const gauss = gaussianSource(mulberry32(11));
    const noise: Volume = { ...clean, data: Float32Array.from(clean.data, () => sigma * gauss()) };
    const ratio = (await shellPower(noise, 4)) / (await shellPower(clean, 4));
    expect(ratio).toBeGreaterThan(2.7);
    expect(ratio).toBeLessThan(3.3);
  });

  it('the low-pass scales white-noise variance by the returned gain and removes power beyond the resolution', async () => {
    const n = 48;
    const gauss = gaussianSource(mulberry32(5));
    const v: Volume = { dims: [n, n, n], voxelSize: [1, 1, 1], origin: [0, 0, 0], data: Float32Array.from({ length: n ** 3 }, () => gauss()) };
    const gain = await lowPassInPlace(v, 4);
    // Pass band: a ball of radius 1/4 cycles/voxel in the unit cube, 4π/3·(1/4)³ ≈ 0.065.
    expect(gain).toBeGreaterThan(0.06);
    expect(gain).toBeLessThan(0.07);
    let ss = 0;
    for (const x of v.data) ss += x * x;
    expect(ss / v.data.length / gain).toBeGreaterThan(0.95);
    expect(ss / v.data.length / gain).toBeLessThan(1.05);
    expect(await shellPower(v, 3)).toBeLessThan(1e-8);
  });

  it('thresholdForCount encloses exactly that many voxels (distinct values)', () => {
    const a = Float32Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const t = thresholdForCount(a, 123);
    expect(a.filter((x) => x >= t).length).toBe(123);
  });
});

describe('confusion table', () => {
  const row = (resolution: number, hand: 'correct' | 'mirrored', score: number): HandValidationRow => ({
    model: 'm', resolution, hand, score, call: callOf(score), segments: 5, realSpaceSnr: 1, seconds: 0,
  });

  it('calls scores with the VRS thresholds', () => {
    expect([0.1, 0.4, 0.45, 0.5, 0.6, NaN].map(callOf)).toEqual(['correct', 'correct', 'uncertain', 'uncertain', 'mirrored', 'not measurable']);
  });

  it('counts calls per resolution and hand and reports the worst mirror asymmetry', () => {
    const rows = [row(3, 'correct', 0.1), row(3, 'mirrored', 0.8), row(4, 'correct', 0.45), row(4, 'mirrored', NaN)];
    const text = confusionTable(rows);
    expect(text).toContain('3 | correct | 1 | 1 | 0 | 0 | 0 | 100 % (1/1)');
    expect(text).toContain('3 | mirrored | 1 | 0 | 0 | 1 | 0 | 100 % (1/1)');
    expect(text).toContain('4 | correct | 1 | 0 | 1 | 0 | 0 | 0 % (0/1)');
    expect(text).toContain('4 | mirrored | 1 | 0 | 0 | 0 | 1 | 0 % (0/1)');
    expect(text).toContain('all | both | 4 | | | | | **50 % (2/4)**');
    expect(text).toContain('largest |score(mirror) − (1 − score)| = 0.100');
  });
});
