/**
 * 0.b's mass check: the mass enclosed at the recommended contour over the sample's molecular
 * weight from the EMDB metadata, on a map whose enclosed volume is known by construction (a ramp:
 * voxel i of n holds i/(n − 1)), and against numpy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMasks } from '../../methods/masks.ts';
import { havePython, runReference } from '../../testing/python.ts';
import { writeMrc } from '../../volume/to-mrc.ts';
import type { Volume } from '../../volume/volume.ts';
import { contourEnclosing, maskAnalysis, type MaskAnalysisEntry } from './0b-mask-analysis.ts';

const n = 30 ** 3;
/** 30³ voxels of 1.5 Å (3.375 Å³), values i/(n − 1): V ≥ 0.5 holds the last 13 500 voxels, 45 562.5 Å³, 37.748 kDa at 1.207 Å³/Da. */
function ramp(): Volume {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = i / (n - 1);
  return { dims: [30, 30, 30], voxelSize: [1.5, 1.5, 1.5], origin: [0, 0, 0], data };
}
const ENCLOSED_KDA = (13500 * 3.375) / 1207;

function check(v: Volume, entry: MaskAnalysisEntry) {
  const r = maskAnalysis(v, 0.5, buildMasks(v, 0.5, 4), 4, entry);
  return { r, warning: r.warnings.find((w) => w.code === '0b.mass-vs-sample') };
}

describe('0.b compares the enclosed mass with the sample molecular weight', () => {
  const v = ramp();

  it('a sample of the enclosed mass: ratio 1, no warning, and the contour enclosing it is the recommended one', () => {
    const { r, warning } = check(v, { method: 'singleParticle', sampleMDa: ENCLOSED_KDA / 1000 });
    expect(r.values.massRatio).toBeCloseTo(1, 12);
    expect(r.values.sampleMassKDa).toBeCloseTo(ENCLOSED_KDA, 12);
    // k = 13 500 voxels: the 13 500th largest value is voxel 13 500's, 13 500/26 999 ≥ 0.5.
    expect(r.values.sampleMassContour).toBe(Math.fround(13500 / 26999));
    expect(warning).toBeUndefined();
    expect(r.results.at(-1)).toBe(`The mass enclosed at the recommended contour, 37.7 kDa (1.207 Å³ per dalton, protein at 1.37 g/cm³), is 1 times the molecular weight of the sample in the EMDB metadata (37.7 kDa). A contour of 0.5 would enclose the sample's weight.`);
  });

  it('a sample 2.5 times lighter (ratio 2.5 > 2) warns that the contour may be too low, and names the contour that encloses it', () => {
    const { r, warning } = check(v, { sampleMDa: ENCLOSED_KDA / 2.5 / 1000 });
    expect(r.values.massRatio).toBeCloseTo(2.5, 12);
    expect(r.values.sampleMassContour).toBe(Math.fround((n - 5400) / (n - 1)));
    expect(warning!.text).toMatch(/encloses 37\.7 kDa, 2\.5 times .* \(15\.1 kDa; criterion: between 0\.5 and 2 times\): the contour may be too low .* A contour of 0\.8 would enclose the sample's weight\.$/);
  });

  it('a sample 2.5 times heavier (ratio 0.4 < 0.5) warns that the contour may be too high; the 33 750 voxels it fills exceed the box: no contour', () => {
    const { r, warning } = check(v, { sampleMDa: (ENCLOSED_KDA * 2.5) / 1000 });
    expect(r.values.massRatio).toBeCloseTo(0.4, 12);
    expect(r.values.sampleMassContour).toBeNull();
    expect(warning!.text).toMatch(/0\.4 times .*: the contour may be too high .* No contour encloses the sample's weight/);
  });

  it('ratios just inside the band (0.5, 2) do not warn', () => {
    for (const ratio of [0.51, 1.99]) expect(check(v, { sampleMDa: ENCLOSED_KDA / ratio / 1000 }).warning).toBeUndefined();
  });

  it('a helical box is not judged: the ratio is given, with the reason, and no warning', () => {
    const { r, warning } = check(v, { method: 'helical', sampleMDa: (ENCLOSED_KDA * 2.5) / 1000 });
    expect(r.values.massRatio).toBeCloseTo(0.4, 12);
    expect(warning).toBeUndefined();
    expect(r.results.some((s) => s.includes('Not judged for a helical reconstruction'))).toBe(true);
  });

  it('without a molecular weight nothing is said and the values are absent', () => {
    const { r } = check(v, {});
    expect(r.values.massRatio).toBeUndefined();
    expect(r.values.sampleMassContour).toBeUndefined();
    expect(r.results.some((s) => s.includes('molecular weight'))).toBe(false);
  });

  it('no contour encloses a weight that would reach into a masked, flat background', () => {
    const masked = new Float32Array(v.data);
    masked.fill(0, 0, 20000);
    expect(contourEnclosing(masked, 5000)).toBe(Math.fround((n - 5000) / (n - 1)));
    expect(contourEnclosing(masked, 10000)).toBeNull();
  });
});

const ready = havePython(['numpy', 'scipy', 'mrcfile'], '0.b mass check numpy cross-check');

describe.skipIf(!ready)('the mass check agrees with numpy', () => {
  let work = '';
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ratio and contour on the ramp for a sample 2.5 times lighter', async () => {
    work = await mkdtemp(path.join(tmpdir(), 'emvr-mass-'));
    const v = ramp();
    const file = path.join(work, 'ramp.mrc');
    await writeMrc(file, v);
    const mda = ENCLOSED_KDA / 2.5 / 1000;
    const ref = JSON.parse(await runReference('level0_reference.py', [file, '0.5', '4', String(mda)]));
    const { r } = check(v, { sampleMDa: mda });
    expect(Math.abs((r.values.massRatio as number) - ref['0.b'].massRatio)).toBeLessThan(1e-6);
    expect(r.values.sampleMassContour).toBe(ref['0.b'].sampleMassContour);
  });
});
