/**
 * 0.b's remaining-blob criterion on maps with known blobs: the limit is one resolution element,
 * (π/6)·max(res, 2·Ts)³, so stray voxels of a coarse grid pass and pieces of density fail.
 */
import { describe, expect, it } from 'vitest';
import { buildMasks } from '../../methods/masks.ts';
import type { Volume } from '../../volume/volume.ts';
import { maskAnalysis, resolutionElementVolume } from './0b-mask-analysis.ts';

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
  const m = buildMasks(v, 0.5);
  const r = maskAnalysis(v, 0.5, m.raw, m.labelling, m.hard, resolution);
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
    expect(at6.r.warnings.find((w) => w.code === '0b.remaining-blobs')!.text).toMatch(/216\.00 Å³, more than one resolution element \(a sphere of diameter 6\.00 Å, 113\.10 Å³\)/);
    expect(blobWarning(v, 8).warned).toBe(false);
  });
});
