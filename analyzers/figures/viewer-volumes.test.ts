import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModel } from '../io/model-read.ts';
import type { AtomModel } from '../io/model.ts';
import { readMrc } from '../io/mrc.ts';
import { havePython, runReference } from '../testing/python.ts';
import { mulberry32 } from '../util/random.ts';
import { toVolume } from '../volume/from-mrc.ts';
import { writeMrc } from '../volume/to-mrc.ts';
import type { Volume } from '../volume/volume.ts';
import { blockMean, roundSignificant, ViewerVolumeWriter, viewerStep, volumeMatchedLevel } from './viewer-volumes.ts';

/** A Gaussian blob (σ = 6 voxels) plus seeded noise, 37×31×26 so that every axis ends in a partial block. */
function blob(noise: number): Volume {
  const dims = [37, 31, 26] as const;
  const rnd = mulberry32(11);
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let z = 0, i = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++, i++) {
        const r2 = (x - 18) ** 2 + (y - 15) ** 2 + (z - 13) ** 2;
        data[i] = Math.exp(-r2 / (2 * 36)) + noise * (rnd() - 0.5);
      }
  return { dims, voxelSize: [1.2, 1.2, 1.2], origin: [-10, 5.5, 100], data };
}

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'emvr-viewer-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('compact grid of the viewer', () => {
  it('takes the smallest step that fits the voxel budget', () => {
    expect(viewerStep([100, 100, 100])).toBe(1);
    expect(viewerStep([360, 360, 360])).toBe(3); // 120³ ≤ 128³ < 180³
    expect(viewerStep([37, 31, 26], 1000)).toBe(4); // 10·8·7 = 560; step 3 leaves 13·11·9 = 1287
  });

  it('averages blocks: the coarse voxel is the block mean, close to the map at the block centre', () => {
    const v = blob(0);
    const c = blockMean(v, 3);
    expect(c.dims).toEqual([13, 11, 9]);
    expect(c.voxelSize).toEqual([3.6, 3.6, 3.6].map((x) => expect.closeTo(x, 12)));
    expect(c.origin).toEqual([expect.closeTo(-8.8, 12), expect.closeTo(6.7, 12), expect.closeTo(101.2, 12)]);
    // The Gaussian is separable: the mean over a 3×3×3 block is the product over the axes of the
    // 3-point means of exp(−u²/72), u the voxel offsets from the blob centre (18, 15, 13).
    const axisMean = (c: number, centre: number) => [-1, 0, 1].reduce((m, t) => m + Math.exp(-((c + t - centre) ** 2) / 72), 0) / 3;
    let worst = 0;
    for (const [i, j, k] of [[6, 5, 4], [5, 4, 4], [4, 6, 3], [7, 3, 5]]) {
      const expected = axisMean(3 * i + 1, 18) * axisMean(3 * j + 1, 15) * axisMean(3 * k + 1, 13);
      const coarse = c.data[k * 13 * 11 + j * 13 + i];
      expect(coarse).toBeCloseTo(expected, 6);
      // It agrees with the map at the block centre to a few per cent (the curvature of the blob).
      const fine = v.data[(3 * k + 1) * 37 * 31 + (3 * j + 1) * 37 + 3 * i + 1];
      worst = Math.max(worst, Math.abs(coarse - fine) / fine);
    }
    expect(worst).toBeLessThan(0.03);
    expect(worst).toBeGreaterThan(0); // a mean, not a sample
  });

  it('sums each block in the same order as the plain per-voxel definition (bit for bit), across NaN rows, ±Infinity and zeros', () => {
    const v = blob(0.1);
    const d = v.data;
    for (let i = 0; i < 37 * 31 * 4; i++) d[i] = NaN; // whole rows without a finite voxel
    for (let i = 37 * 31 * 10; i < 37 * 31 * 12; i++) d[i] = 0; // a local-value map's zeros
    for (const [i, bad] of [[37 * 31 * 5 + 40, NaN], [37 * 31 * 5 + 41, Infinity], [37 * 31 * 6 + 2, -Infinity], [37 * 31 * 6 + 36, NaN]] as const) d[i] = bad;
    for (let i = 37 * 31 * 7 + 37 * 3; i < 37 * 31 * 7 + 37 * 3 + 20; i++) d[i] = NaN; // a row that starts with NaNs
    // Sums that depend on the order of the additions (float64 adds float32 values of one scale
    // exactly): in two planes, values of both signs over 30 decades.
    const rnd = mulberry32(5);
    for (let i = 37 * 31 * 20; i < 37 * 31 * 22; i++) d[i] = (rnd() < 0.5 ? -1 : 1) * 10 ** Math.floor(30 * rnd());
    for (const s of [2, 3, 4]) {
      const dims = [Math.ceil(37 / s), Math.ceil(31 / s), Math.ceil(26 / s)];
      const sum = new Float64Array(dims[0] * dims[1] * dims[2]);
      const count = new Uint32Array(sum.length);
      for (let z = 0, i = 0; z < 26; z++)
        for (let y = 0; y < 31; y++)
          for (let x = 0; x < 37; x++, i++) {
            if (!Number.isFinite(d[i])) continue;
            const c = (Math.floor(z / s) * dims[1] + Math.floor(y / s)) * dims[0] + Math.floor(x / s);
            sum[c] += d[i];
            count[c]++;
          }
      const plain = Float32Array.from(sum, (t, c) => (count[c] > 0 ? t / count[c] : NaN));
      expect(Buffer.compare(Buffer.from(blockMean(v, s).data.buffer), Buffer.from(plain.buffer))).toBe(0);
    }
  });

  it('step 1 is the map itself', () => {
    const v = blob(0.1);
    const c = blockMean(v, 1);
    expect(c.dims).toEqual(v.dims);
    expect(c.origin).toEqual(v.origin);
    expect(Array.from(c.data)).toEqual(Array.from(v.data));
  });

  it('moves the contour to the level enclosing the same volume', () => {
    const v = blob(0.2);
    const c = blockMean(v, 3);
    const level = 0.5;
    const lc = volumeMatchedLevel(v.data, c.data, level);
    const fineFraction = v.data.filter((x) => x >= level).length / v.data.length;
    const coarseFraction = c.data.filter((x) => x >= lc).length / c.data.length;
    expect(Math.abs(coarseFraction - fineFraction)).toBeLessThanOrEqual(0.5 / c.data.length + 1e-12);
    // Averaging lowers the peaks: the matched level is below the recommended one, not above.
    expect(lc).toBeLessThan(level);
    // NaN coarse voxels count as below: the level is that of the finite ones, sorted.
    const holes = c.data.slice();
    for (let i = 0; i < holes.length; i += 7) holes[i] = NaN;
    const finite = holes.filter((x) => Number.isFinite(x)).sort();
    let n = 0;
    for (const x of v.data) if (x >= level) n++;
    const m = Math.min(finite.length, Math.max(1, Math.round((n * holes.length) / v.data.length)));
    expect(volumeMatchedLevel(v.data, holes, level)).toBe(finite[finite.length - m]);
  });

  it('keeps 11 significant bits (relative error at most 2^-11) and exact short values', () => {
    const a = Float32Array.from([1, -2.5, 1 + 2 ** -10, 1 + 2 ** -11 + 2 ** -20, 0.1, -123.456, 0, NaN, Infinity]);
    const r = roundSignificant(a);
    expect(r[0]).toBe(1);
    expect(r[1]).toBe(-2.5);
    expect(r[2]).toBe(1 + 2 ** -10);
    expect(r[3]).toBe(1 + 2 ** -10); // above half an ulp of 11 bits: rounds up
    for (const k of [4, 5]) expect(Math.abs(r[k] - a[k]) / Math.abs(a[k])).toBeLessThanOrEqual(2 ** -11);
    expect(r[6]).toBe(0);
    expect(r[7]).toBeNaN();
    expect(r[8]).toBe(Infinity);
  });
});

describe.skipIf(!havePython(['numpy', 'mrcfile'], 'viewer volume reference'))('against numpy', () => {
  it('block means and the matched level agree with numpy.nanmean and a sort', async () => {
    const v = blob(0.3);
    v.data[5] = NaN; // a NaN voxel is left out of its block's mean
    const file = path.join(tmp, 'blob.mrc');
    await writeMrc(file, v);
    const ref = JSON.parse(await runReference('viewer_volumes_reference.py', [file, '3', '0.4'])) as { dims: number[]; coarse: (number | null)[]; level: number };
    const c = blockMean(v, 3);
    expect(c.dims).toEqual(ref.dims);
    let worst = 0;
    for (let i = 0; i < c.data.length; i++) worst = Math.max(worst, Math.abs(c.data[i] - (ref.coarse[i] as number)));
    expect(worst).toBeLessThan(1e-6);
    expect(volumeMatchedLevel(v.data, c.data, 0.4)).toBe(ref.level);
  });
});

describe('viewer files', () => {
  const model: AtomModel = {
    count: 3,
    x: Float32Array.from([1.5, -2.25, 10]), y: Float32Array.from([0, 3, 7.125]), z: Float32Array.from([100, 101.5, 99]),
    bFactor: Float32Array.from([20, 30, 40]), occupancy: Float32Array.from([1, 1, 0.5]),
    element: ['N', 'C', 'O'], atomName: ['N', 'CA', 'O'], altLoc: ['', '', ''], resName: ['GLY', 'GLY', 'HOH'],
    chainId: ['A', 'A', 'B b'], resSeq: Int32Array.from([1, 1, 201]), insCode: ['', '', ''], isHetero: Uint8Array.from([0, 0, 1]),
  };

  it('writes the compact map with its recorded contour, deterministically, readable as MRC', async () => {
    const v = blob(0.2);
    const files: string[] = [];
    for (const dir of ['a', 'b']) {
      const w = new ViewerVolumeWriter(path.join(tmp, dir), v.dims, 1000);
      await w.writeMap(v, 0.5);
      await w.writeColouring({ id: '0.e', name: 'Local resolution', unit: 'Å', property: { ...v, data: v.data.map((x) => 3 + x) }, range: [3, 4], lowIsGood: true });
      await w.writeModel(model, Float32Array.from([0.7, 0.7, NaN]));
      const f = w.files()!;
      expect(f.map).toMatchObject({ file: 'viewer/map.mrc.gz', dims: [10, 8, 7], step: 4, recommendedLevel: 0.5 });
      expect(f.map.level).toBe(volumeMatchedLevel(v.data, blockMean(v, 4).data, 0.5));
      expect(f.colourings.map((c) => c.file)).toEqual(['viewer/0e.mrc.gz']);
      expect(f.model).toMatchObject({ file: 'viewer/model.cif.gz', bFactorIsResidueQ: true });
      files.push(path.join(tmp, dir));
    }
    for (const name of ['map.mrc.gz', '0e.mrc.gz', 'model.cif.gz']) {
      expect(await readFile(path.join(files[0], 'viewer', name))).toEqual(await readFile(path.join(files[1], 'viewer', name)));
    }
    const back = toVolume(await readMrc(path.join(files[0], 'viewer', 'map.mrc.gz'))).volume;
    const c = blockMean(v, 4);
    expect(back.dims).toEqual(c.dims);
    back.origin.forEach((o, a) => expect(o).toBeCloseTo(c.origin[a], 4));
    back.voxelSize.forEach((s) => expect(s).toBeCloseTo(4.8, 5));
    for (let i = 0; i < c.data.length; i++) expect(Math.abs(back.data[i] - c.data[i])).toBeLessThanOrEqual(Math.abs(c.data[i]) * 2 ** -11);
  });

  it('writes the model as mmCIF our reader reads back, with the residue Q as B', async () => {
    const w = new ViewerVolumeWriter(path.join(tmp, 'm'), [10, 10, 10]);
    await w.writeModel(model, Float32Array.from([0.7, 0.7, NaN]));
    const file = path.join(tmp, 'm', 'viewer', 'model.cif');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, gunzipSync(await readFile(`${file}.gz`)));
    const back = await readModel(file);
    expect(back.count).toBe(3);
    expect(Array.from(back.x)).toEqual([1.5, -2.25, 10]);
    expect(Array.from(back.z)).toEqual([100, 101.5, 99]);
    expect(back.chainId).toEqual(['A', 'A', 'B b']);
    expect(back.atomName).toEqual(['N', 'CA', 'O']);
    expect(Array.from(back.isHetero)).toEqual([0, 0, 1]);
    expect(back.bFactor[0]).toBeCloseTo(0.7, 6);
    expect(back.bFactor[1]).toBeCloseTo(0.7, 6);
  });
});
