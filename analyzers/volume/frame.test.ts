import { describe, expect, it } from 'vitest';
import { readModel } from '../io/model-read.ts';
import { readMrc } from '../io/mrc.ts';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import { modelPlacement, voxelAt } from './frame.ts';
import { toVolume } from './from-mrc.ts';

describe('voxelAt', () => {
  const v = { dims: [4, 5, 6] as const, voxelSize: [2, 2, 2] as const, origin: [10, 20, -30] as const, data: new Float32Array(120) };
  it('maps the origin to voxel 0 and rounds to the nearest voxel', () => {
    expect(voxelAt(v, 10, 20, -30)).toBe(0);
    expect(voxelAt(v, 12.9, 20, -30)).toBe(1);
    expect(voxelAt(v, 10 + 3 * 2, 20 + 4 * 2, -30 + 5 * 2)).toBe(3 + 4 * (4 + 5 * 5));
    expect(voxelAt(v, 8.9, 20, -30)).toBe(-1);
  });
});

describe.skipIf(!haveFixtures('map frame with fitted models'))('the map frame puts fitted models into their density', () => {
  it('EMD-20026 crop (ORIGIN-based frame) holds ≥ 99% of the 3ajo atoms, on density well above the map mean', async () => {
    const { volume } = toVolume(await readMrc(fixture('EMD-20026-crop/emd20026_prot.mrc')));
    const p = modelPlacement(volume, await readModel(fixture('EMD-20026-crop/model/3ajo_fitted_refined.pdb')));
    expect(p.fractionInside).toBeGreaterThanOrEqual(0.99);
    expect(p.zScore).toBeGreaterThan(3);
  });
  it('EMD-5168 (nstart-based frame) holds the fitted actin monomer on density', async () => {
    const { volume } = toVolume(await readMrc(fixture('EMD-5168/emd_5168.map')));
    const p = modelPlacement(volume, await readModel(fixture('EMD-5168/derived/3MFP_modeller_monomer.pdb')));
    expect(p.fractionInside).toBeGreaterThanOrEqual(0.99);
    expect(p.zScore).toBeGreaterThan(1.5);
  });
  it('the EMRinger crop (axis order 3,2,1) holds its model on density only with the axes permuted', async () => {
    const { volume } = toVolume(await readMrc(fixture('_edge-cases/emringerweb-test-map/test_map.ccp4')));
    const p = modelPlacement(volume, await readModel(fixture('_edge-cases/emringerweb-test-map/test_model.pdb')));
    expect(p.fractionInside).toBeGreaterThanOrEqual(0.99);
    expect(p.zScore).toBeGreaterThan(1);
  });
  it('EMD-1997 with 1oel (a crystal structure never fitted into it) does not', async () => {
    const { volume } = toVolume(await readMrc(fixture('EMD-1997/emd_1997.map')));
    const p = modelPlacement(volume, await readModel(fixture('EMD-1997/model/1oel.pdb')));
    expect(p.fractionInside < 0.99 || p.zScore < 1).toBe(true);
    expect(p.zScore).toBeLessThan(1);
  });
});
