/**
 * A.d on known answers: a map that is its model map blurred by a global B of −100 Å² gives the
 * same curve shape (R near 1) and a B-factor difference of −100 Å².
 */
import { describe, expect, it } from 'vitest';
import { modelMapOnGrid } from '../../simulate/model-map.ts';
import { gridAroundModel, simulateMap } from '../../simulate/simulate.ts';
import { proceduralProtein } from '../../simulate/protein.ts';
import { mapModelGuinier } from './Ad-map-model-guinier.ts';

describe('A.d map-model Guinier', () => {
  it('a map blurred by B = −100 Å² against its model map: R > 0.95, bMap − bModel ≈ −100 Å²', async () => {
    const model = proceduralProtein({ seed: 4 });
    const grid = gridAroundModel(model, 1, 10, { cubic: true });
    const modelMap = await modelMapOnGrid(model, grid, 3.5);
    const map = await simulateMap(model, grid, { resolution: 3.5, weights: 'peng', bFactor: -100, warn: () => undefined });
    const m = await mapModelGuinier(map, modelMap, 3.5);
    const v = m.values as { correlation: number; bMap: number; bModel: number; points: number };
    console.log(`A.d: R ${v.correlation.toFixed(4)}, bMap ${v.bMap.toFixed(1)} Å², bModel ${v.bModel.toFixed(1)} Å², difference ${(v.bMap - v.bModel).toFixed(1)} Å² over ${v.points} shells`);
    expect(v.correlation).toBeGreaterThan(0.95);
    expect(Math.abs(v.bMap - v.bModel + 100)).toBeLessThan(15);
    expect(m.warnings).toEqual([]);
  });
});
