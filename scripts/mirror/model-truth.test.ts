/**
 * The demo's Level A truth (model-truth.ts) on its own entry, the well-behaved phantom with the
 * model it was simulated from: the noise it derives is the phantom's designed σ (an FSC of 0.143 at 3.5 Å), the
 * analyzer's CC_mask and atom inclusion fall within the derived tolerances, and `judgeLevelA`
 * rejects the same model moved by 2 Å (found again only by an origin change) or stretched by 5 %.
 */
import { describe, expect, it } from 'vitest';
import { parseMmcif } from '../../analyzers/io/model-cif.ts';
import { atomInclusion } from '../../analyzers/items/levelA/Ai-atom-inclusion.ts';
import { mapModelFit } from '../../analyzers/items/levelA/Aa-map-model-fit.ts';
import { fitModel } from '../../analyzers/simulate/model-alignment.ts';
import { translateModel } from '../../analyzers/simulate/model-map.ts';
import { fullMapNoiseSigma } from '../../analyzers/simulate/half-maps.ts';
import { makePhantom, PHANTOM_BLUR_B, PHANTOM_RESOLUTION_A } from '../../analyzers/simulate/phantoms.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { simulateMap } from '../../analyzers/simulate/simulate.ts';
import type { Report } from '../../analyzers/report/schema.ts';
import type { AtomModel } from '../../analyzers/io/model.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';
import { judgeLevelA } from '../commands/demo-run.ts';
import { modelToMmcif } from './mmcif-write.ts';
import { levelATruth } from './model-truth.ts';

/** A report holding only what judgeLevelA reads, from the analyzer's own A.a and A.i on this map and model. */
async function levelAReport(map: Volume, model: AtomModel, contour: number): Promise<Report> {
  const fit = await fitModel(map, model, PHANTOM_RESOLUTION_A);
  if (!fit.usable) throw new Error(fit.reason);
  const aa = await mapModelFit(map, fit, PHANTOM_RESOLUTION_A);
  const ai = atomInclusion(map, fit.model, contour);
  return { items: { A: { 'A.a': { id: 'A.a', status: 'ok', values: aa.values }, 'A.i': { id: 'A.i', status: 'ok', values: ai.values } } } } as unknown as Report;
}

/** The model scaled by `k` about its geometric centre. */
function stretch(m: AtomModel, k: number): AtomModel {
  const c = [m.x, m.y, m.z].map((a) => a.reduce((s, v) => s + v, 0) / m.count);
  return { ...m, x: m.x.map((v) => c[0] + k * (v - c[0])), y: m.y.map((v) => c[1] + k * (v - c[1])), z: m.z.map((v) => c[2] + k * (v - c[2])) };
}

describe('Level A truth of the demo entry EMD-90014', () => {
  it('derives the designed σ, and the analyzer lands within the tolerances; a moved or stretched model does not', async () => {
    const p = await makePhantom('well-behaved', { seed: 1 });
    const atoms = proceduralProtein({ seed: 1 });
    const clean = await simulateMap(atoms, p.volume, { resolution: PHANTOM_RESOLUTION_A, bFactor: PHANTOM_BLUR_B });
    const designed = await fullMapNoiseSigma(clean, PHANTOM_RESOLUTION_A);
    const served = parseMmcif(modelToMmcif(atoms, '9xyz'), '9xyz');
    const truth = await levelATruth(p.volume, clean, served, p.threshold, PHANTOM_RESOLUTION_A);
    const report = await levelAReport(p.volume, served, p.threshold);
    const judged = judgeLevelA(truth, report);
    console.log(`truth: σ ${truth.noiseSigma.toExponential(4)} (designed ${designed.toExponential(4)}); ${judged.text}`);
    // The clean map really is the phantom's: what it leaves is the designed white noise.
    expect(Math.abs(truth.noiseSigma / designed - 1)).toBeLessThan(0.01);
    // Below 1 even without noise: the phantom is Z-weighted and blurred by B = −100 Å², the model map uses Peng's factors unblurred.
    expect(truth.ccMask).toBeGreaterThan(0.85);
    expect(truth.ccMask).toBeLessThanOrEqual(truth.ccMaskNoiseLimit);
    expect(truth.allAtoms).toBeGreaterThan(0.9);
    expect(judged.problem).toBeNull();

    // Moved, its CC_mask leaves the tolerance (or, on a sharper map, the origin search finds it
    // again and it is judged not "aligned"). Stretched by 5 % about its centre (a wrong voxel size), it stays in place but
    // its CC_mask leaves the tolerance (its atoms stay inside the generous contour).
    const moved = judgeLevelA(truth, await levelAReport(p.volume, translateModel(served, [2, 0, 0]), p.threshold));
    console.log(`moved 2 Å: ${moved.text}`);
    // Whether the fit check still calls it aligned (CC_mask above 0.4 on this −100 Å² blurred map) or
    // the origin search moves it back, the judge must refuse it.
    expect(moved.problem).toMatch(/fit aligned-after-origin-change, expected aligned|CC_mask .* expected/u);
    const stretched = judgeLevelA(truth, await levelAReport(p.volume, stretch(served, 1.05), p.threshold));
    console.log(`stretched 5 %: ${stretched.text}`);
    expect(stretched.problem).toMatch(/CC_mask .* expected/u);
  }, 120_000);
});
