/**
 * 1.a on half maps with a designed FSC (simulate/half-maps.ts): the resolutions it reads against
 * the design and against an independent numpy computation of the same pair, VRS's criteria, the
 * mask correction on a map whose masking cannot truly help, the SSNR frequency axis, and the
 * report without a reported resolution.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gaussianFilter } from '../../methods/filters.ts';
import { simulateHalfMaps } from '../../simulate/half-maps.ts';
import { havePython, runReference } from '../../testing/python.ts';
import { gaussianSource, mulberry32 } from '../../util/random.ts';
import type { Vec3, Volume } from '../../volume/volume.ts';
import { globalResolution } from './1a-global-resolution.ts';

const dims: Vec3 = [64, 64, 64];
const TS = 1.1;

/** Smoothed white noise filling the box: a "signal" with power at every frequency up to Nyquist. */
function smoothNoise(d: Vec3, ts: number, seed: number, sigma = 0.7): Promise<Volume> {
  const g = gaussianSource(mulberry32(seed));
  const data = new Float32Array(d[0] * d[1] * d[2]).map(() => g());
  return gaussianFilter({ dims: d, voxelSize: [ts, ts, ts], origin: [0, 0, 0], data }, sigma);
}

/** A sphere of radius r voxels about the centre: 1 inside, `edge` = 0 for a sharp mask. */
function sphereMask(d: Vec3, r: number, soft = 0): Float32Array {
  const m = new Float32Array(d[0] * d[1] * d[2]);
  for (let z = 0, i = 0; z < d[2]; z++) {
    for (let y = 0; y < d[1]; y++) {
      for (let x = 0; x < d[0]; x++, i++) {
        const dist = Math.hypot(x - d[0] / 2, y - d[1] / 2, z - d[2] / 2);
        m[i] = dist <= r ? 1 : soft > 0 ? Math.exp(-((dist - r) ** 2) / (2 * soft * soft)) : 0;
      }
    }
  }
  return m;
}

const wideMask = sphereMask(dims, 26, 3);

describe('1.a on half maps with a designed resolution', () => {
  for (const design of [3.5, 6]) {
    it(`design ${design} Å: fsc0143 within 5 % of the design; a claim of ${design} Å passes, one of 0.7 × design warns on FSC`, async () => {
      const signal = await smoothNoise(dims, TS, 11);
      const { half1, half2 } = await simulateHalfMaps(signal, { resolution: design }, 4);
      const honest = await globalResolution(half1, half2, wideMask, design);
      const v = honest.values as { fsc0143: number; fsc05: number; fscHalfBit: number; fscOneBit: number; fscCrosses: string; nyquist: number };
      console.log(`design ${design} Å: fsc0143 ${v.fsc0143.toFixed(3)}, 0.5 ${v.fsc05.toFixed(3)}, half-bit ${v.fscHalfBit.toFixed(3)}, 1-bit ${v.fscOneBit.toFixed(3)} Å`);
      expect(v.fscCrosses).toBe('crosses');
      expect(Math.abs(v.fsc0143 - design) / design).toBeLessThan(0.05);
      // The stricter thresholds cross earlier (coarser resolution), in this order.
      expect(v.fsc05).toBeGreaterThan(v.fsc0143);
      expect(v.fscOneBit).toBeGreaterThan(v.fscHalfBit);
      expect(v.fscHalfBit).toBeGreaterThan(v.fsc0143);
      expect(honest.warnings.map((w) => w.code)).not.toContain('1a.fsc-optimistic');
      expect(honest.notEvaluable).toBeUndefined();
      const bold = await globalResolution(half1, half2, wideMask, 0.7 * design);
      expect(bold.warnings.map((w) => w.code)).toContain('1a.fsc-optimistic');
    });
  }

  it('no reported resolution: the numbers are there, the criteria are not evaluated, nothing warns', async () => {
    const signal = await smoothNoise(dims, TS, 12);
    const { half1, half2 } = await simulateHalfMaps(signal, { resolution: 4 }, 5);
    const m = await globalResolution(half1, half2, wideMask, null);
    expect(m.warnings).toEqual([]);
    expect(m.notEvaluable).toMatch(/no resolution was reported/u);
    expect((m.values as { fsc0143: number }).fsc0143).toBeGreaterThan(3.6);
  });

  it('halves that agree to Nyquist: the FSC does not cross 0.143 ("above"), no FSC warning even for a 2·Ts claim', async () => {
    // White signal, 1 % independent noise in each half: FSC ≈ 0.9999 in every shell.
    const g = gaussianSource(mulberry32(13));
    const signal = new Float32Array(dims[0] * dims[1] * dims[2]).map(() => g());
    const half = (): Volume => ({ dims, voxelSize: [TS, TS, TS], origin: [0, 0, 0], data: signal.map((x) => x + 0.01 * g()) });
    const m = await globalResolution(half(), half(), wideMask, 2 * TS);
    expect(m.values.fscCrosses).toBe('above');
    expect(m.values.fsc0143).toBeNull();
    expect(m.warnings.map((w) => w.code)).not.toContain('1a.fsc-optimistic');
  });

  it('unrelated halves: the FSC is below 0.143 from the first shells ("below") and any claim warns', async () => {
    const m = await globalResolution(await smoothNoise(dims, TS, 14), await smoothNoise(dims, TS, 15), wideMask, 20);
    expect(m.values.fscCrosses).toBe('below');
    expect(m.warnings.map((w) => w.code)).toContain('1a.fsc-optimistic');
  });
});

describe('1.a masked FSC and its correction', () => {
  it('signal and noise spread evenly through the box: a sharp tight mask inflates the masked FSC, the corrected one stays within 5 % of the unmasked resolution', async () => {
    // Masking cannot raise the true signal-to-noise ratio here (signal and noise fill the box alike),
    // so any gain of the masked FSC is the mask's own correlation: exactly what the correction removes.
    // σ = 1.5 voxels: a spectrum that falls like a map's (power 1e-3 of the low-frequency level at 4 Å).
    const signal = await smoothNoise(dims, TS, 16, 1.5);
    const { half1, half2 } = await simulateHalfMaps(signal, { resolution: 4 }, 7);
    const tight = sphereMask(dims, 14);
    const m = await globalResolution(half1, half2, tight, 4);
    const v = m.values as { fsc0143: number; maskedFsc0143: number | null; maskedUncorrectedFsc0143: number | null };
    console.log(`unmasked ${v.fsc0143.toFixed(3)} Å, masked ${v.maskedUncorrectedFsc0143?.toFixed(3) ?? 'not crossed'}, corrected ${v.maskedFsc0143?.toFixed(3)} Å`);
    // Without the correction the sharp mask's correlation fakes a resolution near Nyquist or better than the unmasked one by > 10 %.
    expect(v.maskedUncorrectedFsc0143 === null || v.maskedUncorrectedFsc0143 < 0.9 * v.fsc0143).toBe(true);
    expect(v.maskedFsc0143).not.toBeNull();
    expect(Math.abs((v.maskedFsc0143 as number) - v.fsc0143) / v.fsc0143).toBeLessThan(0.05);
  });
});

describe('1.a SSNR frequency axis', () => {
  it('the same half maps at twice the voxel size give twice the SSNR resolution (VRS\'s axis k·2Ts/N would give half)', async () => {
    const signal = await smoothNoise(dims, TS, 17);
    const { half1, half2 } = await simulateHalfMaps(signal, { resolution: 4 }, 8);
    const at = (ts: number): Volume[] => [half1, half2].map((h) => ({ ...h, voxelSize: [ts, ts, ts] as Vec3 }));
    const [a1, a2] = at(1);
    const [b1, b2] = at(2);
    const a = (await globalResolution(a1, a2, wideMask, null)).values.ssnr as number;
    const b = (await globalResolution(b1, b2, wideMask, null)).values.ssnr as number;
    expect(b / a).toBeCloseTo(2, 10);
  });
});

const ready = havePython(['numpy'], '1.a numpy cross-check');
describe.skipIf(!ready)('1.a agrees with an independent numpy computation of the same pair', () => {
  let work = '';
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  it('per-shell FSC and masked FSC to 1e-4, SSNR curve to 1e-3, fsc0143 within 2 %, DPR and SSNR resolutions within 2 %', async () => {
    work = mkdtempSync(path.join(tmpdir(), 'emvr-1a-'));
    const d: Vec3 = [72, 72, 72];
    const signal = await smoothNoise(d, TS, 18);
    const { half1, half2 } = await simulateHalfMaps(signal, { resolution: 4.5 }, 9);
    const mask = sphereMask(d, 24, 3);
    const files = ['h1', 'h2', 'mask'].map((n) => path.join(work, `${n}.f32`));
    [half1.data, half2.data, mask].forEach((a, k) => writeFileSync(files[k], Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
    const [m, refText] = await Promise.all([globalResolution(half1, half2, mask, 4.5), runReference('fsc_reference.py', [files[0], files[1], ...d.map(String), String(TS), files[2]])]);
    const ref = JSON.parse(refText) as { fsc: number[]; maskedFsc: number[]; ssnrLog10: (number | null)[]; fsc0143: number; dpr1039: number | null; ssnr: number | null; maskedFsc0143: number | null };
    const rows = m.tables[0].rows;
    const col = (key: string) => m.tables[0].columns.findIndex((c) => c.key === key);
    rows.forEach((row, j) => {
      expect(Math.abs((row[col('fsc')] as number) - ref.fsc[j]), `FSC shell ${j + 1}`).toBeLessThan(1e-4);
      expect(Math.abs((row[col('maskedFsc')] as number) - ref.maskedFsc[j]), `masked FSC shell ${j + 1}`).toBeLessThan(1e-4);
      // |F1 − F2| cancels where the halves agree, so float32 spectra carry ~1e-4 relative error there.
      const s = ref.ssnrLog10[j + 1];
      if (s !== null && Number.isFinite(s)) expect(Math.abs((row[col('log10Ssnr')] as number) - s), `SSNR shell ${j + 1}`).toBeLessThan(1e-3);
    });
    const v = m.values as Record<string, number | null>;
    console.log(`ours/numpy: fsc0143 ${v.fsc0143}/${ref.fsc0143}, DPR ${v.dpr}/${ref.dpr1039}, SSNR ${v.ssnr}/${ref.ssnr}, masked (uncorrected) ${v.maskedUncorrectedFsc0143}/${ref.maskedFsc0143}`);
    expect(Math.abs((v.fsc0143 as number) - ref.fsc0143) / ref.fsc0143).toBeLessThan(0.02);
    for (const [ours, theirs] of [[v.dpr, ref.dpr1039], [v.ssnr, ref.ssnr], [v.maskedUncorrectedFsc0143, ref.maskedFsc0143]] as const) {
      expect(ours === null).toBe(theirs === null);
      if (ours !== null && theirs !== null) expect(Math.abs(ours - theirs) / theirs).toBeLessThan(0.02);
    }
  });
});
