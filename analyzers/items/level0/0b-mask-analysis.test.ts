/**
 * 0.b's remaining-blob criterion on maps with known blobs: the limit is one resolution element,
 * (π/6)·max(res, 2·Ts)³, so stray voxels of a coarse grid pass and pieces of density fail.
 */
import { describe, expect, it } from 'vitest';
import { buildMasks, resolutionElementVolume } from '../../methods/masks.ts';
import type { Volume } from '../../volume/volume.ts';
import { maskAnalysis } from './0b-mask-analysis.ts';

/** A 40³ map of 2 Å voxels: a 10³ block of value 1 at the centre plus `blobs` cubes of edge `edge` voxels, far from it and each other. */
function mapWithBlobs(blobs: number, edge: number): Volume {
  const n = 40;
  const data = new Float32Array(n ** 3);
  const set = (x0: number, y0: number, z0: number, e: number) => {
    for (let z = z0; z < z0 + e; z++) for (let y = y0; y < y0 + e; y++) for (let x = x0; x < x0 + e; x++) data[x + n * (y + n * z)] = 1;
  };
  set(15, 15, 15, 10);
  for (let b = 0; b < blobs; b++) set(3 + 8 * b, 3, 3, edge);
  return { dims: [n, n, n], voxelSize: [2, 2, 2], origin: [0, 0, 0], data };
}

function blobWarning(v: Volume, resolution: number | null) {
  const m = buildMasks(v, 0.5, resolution);
  const r = maskAnalysis(v, 0.5, m, resolution);
  return { r, warned: r.warnings.some((w) => w.code === '0b.remaining-blobs') };
}

describe('0.b remaining blobs are judged against one resolution element', () => {
  it('the element is a sphere of diameter max(res, 2·Ts)', () => {
    expect(resolutionElementVolume(6, 2)).toBeCloseTo((Math.PI / 6) * 216, 10);
    expect(resolutionElementVolume(3, 2)).toBeCloseTo((Math.PI / 6) * 64, 10);
    expect(resolutionElementVolume(null, 2)).toBeCloseTo((Math.PI / 6) * 64, 10);
  });

  it('three stray voxels of 8 Å³ (VRS: > 5 Å³, a warning) pass at 6 Å and without a resolution', () => {
    for (const res of [6, null]) {
      const { r, warned } = blobWarning(mapWithBlobs(3, 1), res);
      expect(r.values.remainingComponents).toBe(3);
      expect(r.values.remainingAvgVolume).toBeCloseTo(8, 10);
      expect(r.values.remainingBlobLimit).toBeCloseTo(resolutionElementVolume(res, 2), 10);
      expect(warned).toBe(false);
    }
  });

  it('three 3×3×3-voxel pieces (216 Å³ each) fail at 6 Å (limit 113 Å³) and pass at 8 Å (limit 268 Å³)', () => {
    const v = mapWithBlobs(3, 3);
    const at6 = blobWarning(v, 6);
    expect(at6.r.values.remainingAvgVolume).toBeCloseTo(216, 10);
    expect(at6.warned).toBe(true);
    expect(at6.r.warnings.find((w) => w.code === '0b.remaining-blobs')!.text).toMatch(/216 Å³, more than one resolution element \(a sphere of diameter 6 Å, 113 Å³\)/);
    expect(blobWarning(v, 8).warned).toBe(false);
  });
});

describe('0.b threshold table: the recommended contour has a row of its own', () => {
  /** A 30³ map of 1.5 Å voxels whose values are a ramp 0…1 (voxel i of n has value i/(n−1)), so the voxels at or above t number n − ceil(t·(n−1)). */
  function ramp(): Volume {
    const n = 30 ** 3;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = i / (n - 1);
    return { dims: [30, 30, 30], voxelSize: [1.5, 1.5, 1.5], origin: [0, 0, 0], data };
  }

  it('the row holds the raw mask at the contour (voxels ≥ t, kDa at 1.207 Å³/Da, residues at 110 Da), far below the ladder, first and marked', () => {
    const v = ramp();
    const t = 0.013; // below the ladder's first rung, max/25 = 0.04
    const m = buildMasks(v, t);
    const r = maskAnalysis(v, t, m, 4);
    let direct = 0;
    for (const x of v.data) if (x >= t) direct++;
    const expected = 27000 - Math.ceil(t * 26999);
    expect(direct).toBe(expected);
    const [threshold, voxels, kDa, aa] = r.values.contourRow as number[];
    expect([threshold, voxels]).toEqual([t, expected]);
    expect(kDa).toBeCloseTo((expected * 3.375) / 1207, 10);
    expect(aa).toBeCloseTo((expected * 3.375) / (110 * 1.207), 10);
    expect(r.values.rawVoxels).toBe(expected);
    const table = r.tables.find((x) => x.id === 'threshold-table')!;
    expect(table.columns.map((c) => c.key)).toEqual(['threshold', 'voxels', 'kDa', 'aminoAcids', 'note']);
    expect(table.columns[4].label).toBe('Note');
    expect(table.rows[0]).toEqual([t, expected, Math.round(((expected * 3.375) / 1207) * 100) / 100, Math.round(((expected * 3.375) / (110 * 1.207)) * 100) / 100, 'recommended contour']);
    expect(table.rows.length).toBe((r.values.thresholdTable as number[][]).length + 1);
    expect(table.rows.slice(1).every((row) => row[4] === '')).toBe(true);
  });

  it('a contour between two rungs sits between them, in threshold order', () => {
    const v = ramp();
    const t = 0.5; // rungs k/25: 0.48 (row 12) < 0.5 < 0.52
    const m = buildMasks(v, t);
    const r = maskAnalysis(v, t, m, 4);
    const table = r.tables.find((x) => x.id === 'threshold-table')!;
    const marked = table.rows.findIndex((row) => row[4] === 'recommended contour');
    expect(marked).toBe(12);
    expect(table.rows[marked][1]).toBe(27000 - Math.ceil(0.5 * 26999));
    const thresholds = table.rows.map((row) => row[0] as number);
    expect(thresholds).toEqual([...thresholds].sort((a, b) => a - b));
  });
});
