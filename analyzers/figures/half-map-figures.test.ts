/**
 * The half-map input figures: the difference figure is drawn from the difference of the slices
 * (not of the whole maps); its PNGs must be those of the slices of h1 − h2 (float32), byte for byte,
 * and all three groups must show the max-variance planes of half 1.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { createVolume, type Vec3 } from '../volume/volume.ts';
import { FigureWriter } from './report-figures.ts';
import { maxVarianceIndices, renderGrey, sliceX, sliceY, sliceZ } from './slices.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('halfMapFigures', () => {
  it('draws h1, h2 and h1 − h2 at the max-variance slices of half 1', async () => {
    const dims: Vec3 = [20, 17, 15];
    const h1 = createVolume(dims, [1, 1, 1]);
    const h2 = createVolume(dims, [1, 1, 1]);
    const rnd = mulberry32(4);
    for (let i = 0; i < h1.data.length; i++) {
      const signal = i % 7 === 0 ? 3 : 0;
      h1.data[i] = signal + 1e-3 * rnd();
      h2.data[i] = signal + 1e-3 * rnd();
    }
    const root = await mkdtemp(path.join(tmpdir(), 'emvr-halffig-'));
    dirs.push(root);
    const figures = await new FigureWriter(path.join(root, 'figures'), true).halfMapFigures(h1, h2);
    const at = maxVarianceIndices(h1);
    const diff = createVolume(dims, [1, 1, 1]);
    for (let i = 0; i < diff.data.length; i++) diff.data[i] = h1.data[i] - h2.data[i];
    const slicers = [sliceX, sliceY, sliceZ];
    for (const [group, v] of [['input.half1', h1], ['input.half2', h2], ['input.half-difference', diff]] as const) {
      const shown = figures.filter((f) => f.group === group);
      expect(shown.map((f) => f.label)).toEqual([`X slice ${at[0]}`, `Y slice ${at[1]}`, `Z slice ${at[2]}`]);
      for (let a = 0; a < 3; a++) {
        const want = (await renderGrey(slicers[a](v, at[a]))).png;
        const got = await readFile(path.join(root, shown[a].file));
        expect(got.equals(want)).toBe(true);
      }
    }
  });
});
