/**
 * 1.b on half maps with a designed resolution (simulate/half-maps.ts): the FDR-FSC resolution is
 * at or finer than the 0.143 crossing and near the design, an optimistic claim warns, pure noise
 * has no significant shell. (methods/fdr-fsc.test.ts checks the method against numpy.)
 */
import { describe, expect, it } from 'vitest';
import { firstCross, fscCurve } from '../../methods/fsc.ts';
import { gaussianFilter } from '../../methods/filters.ts';
import { simulateHalfMaps } from '../../simulate/half-maps.ts';
import { gaussianSource, mulberry32 } from '../../util/random.ts';
import type { Vec3, Volume } from '../../volume/volume.ts';
import { fdrFscItem } from './1b-fdr-fsc.ts';

const dims: Vec3 = [96, 96, 96];
const TS = 1.1;

/** A compact random particle (smoothed noise inside a sphere of radius 30 voxels): a map-like falling spectrum. */
async function particle(seed: number): Promise<Volume> {
  const g = gaussianSource(mulberry32(seed));
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let z = 0, i = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++, i++) data[i] = Math.hypot(x - 48, y - 48, z - 48) < 30 ? g() : 0;
  return gaussianFilter({ dims, voxelSize: [TS, TS, TS], origin: [0, 0, 0], data }, 1.5);
}

describe('1.b FDR-FSC item', () => {
  it('design 6 Å: resolution at or finer than the 0.143 crossing and within 20 % of the design; a 3.5 Å claim warns, a 6 Å one does not', async () => {
    const { half1, half2 } = await simulateHalfMaps(await particle(1), { resolution: 6 }, 2);
    const c = await fscCurve(half1, half2);
    const f143 = 1 / (firstCross(c.frequency, c.fsc, 0.143, 'lesser') as number);
    const bold = await fdrFscItem(half1, half2, 3.5);
    const v = bold.values as { fdrFsc: number; significantShells: number; allSignificant: boolean; bFactor: number | null };
    console.log(`design 6 Å: 0.143 crossing ${f143.toFixed(2)} Å, FDR-FSC ${v.fdrFsc.toFixed(2)} Å, ${v.significantShells} shells significant, B ${v.bFactor}`);
    expect(v.fdrFsc).toBeLessThanOrEqual(f143 * 1.02);
    expect(Math.abs(v.fdrFsc - 6) / 6).toBeLessThan(0.2);
    expect(v.allSignificant).toBe(false);
    expect(bold.warnings.map((w) => w.code)).toEqual(['1b.fdr-optimistic']);
    const honest = await fdrFscItem(half1, half2, 6);
    expect(honest.warnings).toEqual([]);
    expect(honest.tables[0].rows.length).toBe(48);
  });

  it('independent noise halves: no significant shell, resolution null, any claim warns', async () => {
    const noise = async (seed: number) => {
      const g = gaussianSource(mulberry32(seed));
      return gaussianFilter({ dims, voxelSize: [TS, TS, TS], origin: [0, 0, 0], data: new Float32Array(dims[0] * dims[1] * dims[2]).map(() => g()) }, 1);
    };
    const m = await fdrFscItem(await noise(5), await noise(6), 4);
    expect(m.values.fdrFsc).toBeNull();
    expect(m.warnings.map((w) => w.code)).toEqual(['1b.fdr-optimistic']);
  });
});
