/**
 * A.i on a procedural protein simulated at 3.5 Å: every atom inside a low contour, the fraction
 * falling as the contour rises, backbone and all atoms counted apart, and the warning at a
 * contour above most atoms.
 */
import { describe, expect, it } from 'vitest';
import { modelMapOnGrid } from '../../simulate/model-map.ts';
import { gridAroundModel } from '../../simulate/simulate.ts';
import { proceduralProtein } from '../../simulate/protein.ts';
import { atomInclusion } from './Ai-atom-inclusion.ts';

describe('A.i atom inclusion on a simulated map', () => {
  it('near 1 at a low contour, decreasing with the contour, warning when most atoms fall outside', async () => {
    const model = proceduralProtein({ seed: 5 });
    const map = await modelMapOnGrid(model, gridAroundModel(model, 1, 8), 3.5);
    const max = map.data.reduce((m, x) => Math.max(m, x), -Infinity);
    const low = atomInclusion(map, model, 0.05 * max);
    const v = low.values as { allAtoms: number; backbone: number; backboneAtoms: number; atoms: number };
    const c = low.extra;
    console.log(`inclusion at 5 % of max: all ${v.allAtoms.toFixed(4)}, backbone ${v.backbone.toFixed(4)} (${v.backboneAtoms} of ${v.atoms} atoms); curve ${c.levels.filter((_, i) => i % 8 === 0).map((l, i) => `${(l / max).toFixed(2)}:${c.all[8 * i].toFixed(3)}`).join(' ')}`);
    expect(v.allAtoms).toBeGreaterThan(0.99);
    expect(v.backbone).toBeGreaterThan(0.99);
    expect(v.backboneAtoms).toBe(model.atomName.filter((n) => ['N', 'CA', 'C', 'O'].includes(n)).length);
    expect(low.warnings).toEqual([]);
    for (let i = 1; i < c.all.length; i++) expect(c.all[i]).toBeLessThanOrEqual(c.all[i - 1]);
    expect(c.all[c.all.length - 1]).toBeLessThan(0.05);
    const high = atomInclusion(map, model, 0.8 * max);
    expect((high.values as { allAtoms: number }).allAtoms).toBeLessThan(0.5);
    expect(high.warnings.map((w) => w.code)).toEqual(['Ai.low-inclusion']);
  });
});
