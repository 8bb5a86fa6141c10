/**
 * 0.g LocOccupancy on maps with a known answer.
 * - A procedural protein (3 Å, 1.5 Å/voxel, 1 % noise, hard mask at 30 % of the clean maximum)
 *   whose atoms with x above the centroid have occupancy 0.5: at the fully occupied atoms
 *   (x < centroid − 5 Å) the local occupancy is ≥ 0.9 (median; ≥ 90 % of those atoms), at the
 *   half-occupied ones it is clearly lower (mean ≥ 0.15 below, at most half of them ≥ 0.9).
 *   Measured: full mean 0.98, 95 % ≥ 0.9; half mean 0.77, 27 % ≥ 0.9.
 * - Homogeneous output (a one-voxel mask) → the homogeneous warning; thresholds are strict.
 * - Shell count m = max(1, trunc((1/res − 1/15)/δ)): 20 for the EMD-44046 geometry, 1 at ≥ 15 Å.
 * - An independent numpy implementation (scripts/reference/locbfactor_reference.py) gives the same
 *   map on 48³ and 45³ grids (at most 0.1 % of the voxels one shell apart, from float32 ties at
 *   the quantile).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { proceduralProtein } from '../simulate/protein.ts';
import { gridAroundModel, simulateMap } from '../simulate/simulate.ts';
import { havePython, runReference } from '../testing/python.ts';
import { sampleTrilinear } from '../volume/interpolate.ts';
import { volumeStats } from '../volume/stats.ts';
import type { Volume } from '../volume/volume.ts';
import { localOccupancy, occupancyShellCount } from './local-occupancy.ts';
import { localOccupancyWarnings, measureLocalOccupancy } from '../items/level0/0g-local-occupancy.ts';
import type { ItemResult } from '../items/item.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';
import { buildMasks } from './masks.ts';

/** LocOccupancy and the 0.g item's report part built from it. */
async function locOccupancy(v: Volume, mask: Uint8Array, res: number): Promise<{ omap: Float32Array; result: ItemResult }> {
  const out = await localOccupancy(v, mask, res);
  return { omap: out.omap, result: measureLocalOccupancy(out.omap, mask, res, out.run) };
}

const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const median = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fraction = (a: number[], min: number) => a.filter((x) => x >= min).length / a.length;

describe('0.g local occupancy: known answers', () => {
  it('half-occupancy half of a protein has clearly lower local occupancy than the fully occupied half', async () => {
    const res = 3;
    const model = proceduralProtein({ seed: 3, helices: 12, residuesPerHelix: 24, strands: 6, residuesPerStrand: 9 });
    let cx = 0;
    for (let i = 0; i < model.count; i++) cx += model.x[i];
    cx /= model.count;
    for (let i = 0; i < model.count; i++) {
      model.bFactor[i] = 0;
      if (model.x[i] > cx) model.occupancy[i] = 0.5;
    }
    const grid = gridAroundModel(model, res / 2, 10, { cubic: true });
    const max = volumeStats((await simulateMap(model, grid, { resolution: res })).data).max;
    const v = await simulateMap(model, grid, { resolution: res, noiseSigma: 0.01 * max, seed: 9 });
    const mask = buildMasks(v, 0.3 * max).hard;
    const { omap, result } = await locOccupancy(v, mask, res);
    const ov = { ...v, data: omap };
    const full: number[] = [];
    const half: number[] = [];
    for (let i = 0; i < model.count; i++) {
      const o = sampleTrilinear(ov, model.x[i], model.y[i], model.z[i]);
      if (model.x[i] < cx - 5) full.push(o);
      else if (model.x[i] > cx) half.push(o);
    }
    expect(median(full)).toBeGreaterThanOrEqual(0.9);
    expect(fraction(full, 0.9)).toBeGreaterThanOrEqual(0.9);
    expect(mean(half)).toBeLessThanOrEqual(mean(full) - 0.15);
    expect(fraction(half, 0.9)).toBeLessThanOrEqual(0.5);
    // Every value is a multiple of 1/m, in [0, 1]; the report holds 5 percentiles and 25 bins over [0, 1].
    const m = (result.values.frequencies as number[]).length;
    expect(m).toBe(occupancyShellCount(res, 15, 4.8 / (v.dims[0] * 1.5)));
    for (let i = 0; i < omap.length; i += 97) expect(Math.abs(omap[i] * m - Math.round(omap[i] * m))).toBeLessThan(1e-5);
    const h = result.values.histogram as { edges: number[]; counts: number[] };
    expect(h.edges[0]).toBe(0);
    expect(h.edges[25]).toBe(1);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(result.values.voxels);
    expect(result.tables[0].rows).toHaveLength(5);
    expect(result.warnings).toEqual([]);
  });

  it('a one-voxel mask gives homogeneous output (warning), median 1', async () => {
    const n = 24;
    const data = new Float32Array(n ** 3).map((_, i) => Math.sin(0.37 * i) + Math.cos(0.011 * i * i));
    const mask = new Uint8Array(n ** 3);
    mask[12 + n * (12 + n * 12)] = 1;
    const { result } = await locOccupancy({ dims: [n, n, n], voxelSize: [2, 2, 2], origin: [0, 0, 0], data }, mask, 4);
    expect(result.values.median).toBe(1);
    expect(result.warnings.map((w) => w.code)).toEqual(['0g.homogeneous']);
  });

  it('shell count m = max(1, trunc((1/res − 1/15)/δ))', () => {
    // EMD-44046 resized: n = 250, Ts' = 1.495 Å, res 2.99 Å: (1/2.99 − 1/15)/0.012843 = 20.85.
    expect(occupancyShellCount(2.99, 15, 4.8 / (250 * 1.495))).toBe(20);
    expect(occupancyShellCount(15, 15, 0.01)).toBe(1);
    expect(occupancyShellCount(20, 15, 0.01)).toBe(1);
    expect(occupancyShellCount(3, 15, 0.3)).toBe(1);
  });

  it('is not applicable without a resolution and not measurable with an empty mask', async () => {
    const v: Volume = { dims: [8, 8, 8], voxelSize: [2, 2, 2], origin: [0, 0, 0], data: new Float32Array(512).map((_, i) => Math.sin(i)) };
    await expect(localOccupancy(v, new Uint8Array(512).fill(1), null)).rejects.toThrow(NotApplicable);
    await expect(localOccupancy(v, new Uint8Array(512).fill(1), 0)).rejects.toThrow('no resolution reported');
    await expect(localOccupancy(v, new Uint8Array(512), 4)).rejects.toThrow(NotMeasurable);
  });

  it('warning thresholds are strict', () => {
    const p = (lo: number, mid: number, hi: number) => ({ p2_5: lo, p25: mid, p50: mid, p75: mid, p97_5: hi });
    expect(localOccupancyWarnings(p(0.2, 0.8, 1))).toEqual([]);
    expect(localOccupancyWarnings(p(0.875, 0.9, 1))).toEqual([]);
    expect(localOccupancyWarnings(p(0.9375, 1, 1)).map((w) => w.code)).toEqual(['0g.homogeneous']);
    expect(localOccupancyWarnings(p(0, 0.5, 1))).toEqual([]);
    expect(localOccupancyWarnings(p(0, 0.45, 1)).map((w) => w.code)).toEqual(['0g.median-low']);
  });
});

const ready = havePython(['numpy'], '0.g numpy cross-check');

describe.skipIf(!ready)('0.g agrees with an independent numpy (full-grid fftn) implementation', () => {
  let work = '';
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });
  // 48³: WebAssembly SIMD kernel, one thread; 45³: float64 Stockham; 72³: WebAssembly SIMD kernel, worker pool (≥ 64³ voxels).
  for (const n of [48, 45, 72]) {
    it(`${n}³ grid at 2 Å/voxel, 4 Å`, async () => {
      work ||= await mkdtemp(path.join(tmpdir(), 'emvr-0g-'));
      const res = 4;
      const model = proceduralProtein({ seed: 2 });
      const g = gridAroundModel(model, res / 2, 5, { cubic: true });
      const origin = g.origin.map((o) => o - ((n - g.dims[0]) / 2) * (res / 2)) as [number, number, number];
      const v = await simulateMap(model, { dims: [n, n, n], voxelSize: g.voxelSize, origin }, { resolution: res, noiseSigma: 0.02, seed: 4 });
      const mask = buildMasks(v, 0.15).hard;
      const prefix = path.join(work, `m${n}`);
      await writeFile(`${prefix}.f32`, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      await writeFile(`${prefix}.u8`, mask);
      const [ours, refText] = await Promise.all([locOccupancy(v, mask, res), runReference('locbfactor_reference.py', [`${prefix}.f32`, `${prefix}.u8`, String(n), String(res / 2), String(res), prefix])]);
      const ref = JSON.parse(refText);
      const buf = await readFile(`${prefix}.omap.f32`);
      const refO = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const freqs = ours.result.values.frequencies as number[];
      expect(freqs).toHaveLength(ref.occupancyFrequencies.length);
      freqs.forEach((f, j) => expect(f).toBeCloseTo(ref.occupancyFrequencies[j], 14));
      (ours.result.values.amplitudeLevels as number[]).forEach((q, j) => expect(Math.abs(q - ref.occupancyLevels[j]) / ref.occupancyLevels[j]).toBeLessThan(1e-5));
      let differ = 0;
      for (let i = 0; i < refO.length; i++) {
        const d = Math.abs(ours.omap[i] - refO[i]);
        if (d > 1e-6) {
          differ++;
          expect(d * freqs.length).toBeCloseTo(1, 4);
        }
      }
      expect(differ).toBeLessThanOrEqual(1e-3 * refO.length);
    });
  }
});
