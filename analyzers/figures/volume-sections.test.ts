/**
 * The input figures' whole-volume passes on the worker pool: the same indices and projection sums
 * as on the calling thread, bit for bit, for maps, byte masks (copied to shared memory) and
 * non-shared arrays.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { createVolume, type Vec3 } from '../volume/volume.ts';
import { maxVarianceIndices, projections, projectionImages, projectX, projectY, projectZ } from './slices.ts';
import { sectionTasks, sliceVarianceSums, volumeSections, type VarianceSums } from './volume-sections.ts';

describe('volumeSections', () => {
  it('equals maxVarianceIndices and the projections on the calling thread', async () => {
    const dims: Vec3 = [19, 14, 12];
    const rnd = mulberry32(31);
    const map = createVolume(dims, [1, 1, 1]);
    const mask = new Uint8Array(map.data.length);
    const plain = new Float32Array(map.data.length); // not shared memory
    for (let i = 0; i < map.data.length; i++) {
      map.data[i] = 50 + rnd() * rnd();
      mask[i] = rnd() < 0.3 ? 1 : 0;
      plain[i] = Math.max(0, rnd() - 0.6);
    }
    const volumes = [map.data, mask, plain];
    const got = await volumeSections(dims, volumes, map.data);
    expect(got.indices).toEqual(volumes.map((data) => maxVarianceIndices({ dims, data })));
    const images = projectionImages(dims, got.sums!);
    const want = [projectX(map), projectY(map), projectZ(map)];
    for (let a = 0; a < 3; a++) {
      expect(Buffer.from(images[a].data.buffer).equals(Buffer.from(want[a].data.buffer))).toBe(true);
      expect(Buffer.from(projections(map)[a].data.buffer).equals(Buffer.from(want[a].data.buffer))).toBe(true);
    }
    // Without a projection: indices only.
    const alone = await volumeSections(dims, [mask, map.data]);
    expect(alone.sums).toBeNull();
    expect(alone.indices).toEqual([maxVarianceIndices({ dims, data: mask }), maxVarianceIndices(map)]);
  });

  it('the split sums (x-slices on one task, y and z on the other) have the bits of the one-pass sums', () => {
    const dims: Vec3 = [23, 9, 10];
    const rnd = mulberry32(8);
    const map = createVolume(dims, [1, 1, 1]);
    const mask = new Uint8Array(map.data.length);
    for (let i = 0; i < map.data.length; i++) {
      map.data[i] = -3 + 7 * rnd() * rnd();
      mask[i] = rnd() < 0.4 ? 1 : 0;
    }
    const make = (): VarianceSums => ({ sx: new Float64Array(23), sxx: new Float64Array(23), sy: new Float64Array(9), syy: new Float64Array(9), sz: new Float64Array(10), szz: new Float64Array(10) });
    const sums = [make(), make()];
    sectionTasks({ dims, volumes: [map.data, mask], sums, projected: null, projection: null }, 0, 4);
    for (const [k, data] of [map.data, mask].entries()) {
      const want = sliceVarianceSums({ dims, data });
      for (const key of ['sx', 'sxx', 'sy', 'syy', 'sz', 'szz'] as const) expect(Array.from(sums[k][key])).toEqual(Array.from(want[key]));
    }
  });

  it('refuses a volume of the wrong size', async () => {
    await expect(volumeSections([4, 4, 4], [new Float32Array(63)])).rejects.toThrow(/63 values/u);
  });
});
