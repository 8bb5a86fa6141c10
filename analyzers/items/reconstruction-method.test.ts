/**
 * Method-aware criteria: the EMDB method turns the box warnings its maps raise by construction
 * into sentences saying why they are expected. A designed filament running through the box, the
 * helical fixture EMD-5168 (filament along Z at its author's contour 10), two bodies for a
 * subtomogram average, a decentred block for a tomogram.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMrc } from '../io/mrc.ts';
import { reportItem } from '../report/schema.ts';
import { writeMrc } from '../volume/to-mrc.ts';
import { analyzeEntry } from './analyze-entry.ts';
import { buildMasks } from '../methods/masks.ts';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import { toVolume } from '../volume/from-mrc.ts';
import type { Volume } from '../volume/volume.ts';
import { massAnalysis } from './level0/0a-mass-analysis.ts';
import { maskAnalysis } from './level0/0b-mask-analysis.ts';
import { methodKind, type MethodKind } from './reconstruction-method.ts';

const N = 40;

/** A 40³ map of 2 Å voxels holding a rod of radius 6 voxels through the whole box along `axis` (0 x, 2 z), centred on the other two. */
function rod(axis: 0 | 2): Volume {
  const data = new Float32Array(N ** 3);
  for (let z = 0; z < N; z++) for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
    const [u, w] = axis === 2 ? [x, y] : [y, z];
    if ((u - 19.5) ** 2 + (w - 19.5) ** 2 <= 36) data[x + N * (y + N * z)] = 1;
  }
  return { dims: [N, N, N], voxelSize: [2, 2, 2], origin: [0, 0, 0], data };
}

function boxWarnings(v: Volume, method: MethodKind) {
  const r = massAnalysis(v, buildMasks(v, 0.5, 4).hard, method);
  return { r, codes: r.warnings.map((w) => w.code) };
}

describe('the EMDB method is read from the metadata', () => {
  it('knows the five EMDB methods in their spellings, and a helical symmetry without a method', () => {
    expect(methodKind({ method: 'singleParticle' })).toBe('singleParticle');
    expect(methodKind({ method: 'helical' })).toBe('helical');
    expect(methodKind({ method: 'subtomogramAveraging' })).toBe('subtomogramAveraging');
    expect(methodKind({ method: 'tomography' })).toBe('tomography');
    expect(methodKind({ method: 'electronCrystallography' })).toBe('electronCrystallography');
    expect(methodKind({ method: 'twoDCrystal' })).toBe('electronCrystallography');
    expect(methodKind({ method: 'SINGLE PARTICLE' })).toBe('singleParticle');
    expect(methodKind({ method: null, symmetry: 'helical: rise 27.6 Å, twist -166.7°, axial C1' })).toBe('helical');
    expect(methodKind({ method: null, symmetry: 'C7' })).toBe('unknown');
    expect(methodKind({ method: 'something else' })).toBe('unknown');
  });
});

describe('the method and the molecular weight flow from the entry metadata to the items', () => {
  it('a rod phantom analysed as a helical entry: 0.a passes with its expected codes, 0.b gives the mass ratio unjudged', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'emvr-helical-'));
    try {
      const file = path.join(work, 'rod.mrc');
      await writeMrc(file, rod(2));
      // The rod: 40 slices of the voxels within 6 voxels of the axis, 8 Å³ each.
      let voxels = 0;
      for (const x of rod(2).data) voxels += x;
      const entry = { id: 'EMD-90001', title: 'rod', authors: [], depositionDate: null, releaseDate: null, resolution: null, threshold: 0.5, method: 'helical', pdbIds: [], symmetry: 'helical: rise 27.6 Å, twist -166.7°, axial C1', molecularWeightMDa: 0.042 };
      const report = await analyzeEntry({ mapPath: file, entryDir: path.join(work, 'entry'), figures: false, entry });
      expect(report.entry.symmetry).toBe(entry.symmetry);
      const a = reportItem(report, '0.a')!;
      expect(a.status).toBe('ok');
      expect(a.values.expectedForMethod).toEqual(['0a.left-space.z', '0a.right-space.z']);
      const b = reportItem(report, '0.b')!;
      expect(b.values.massRatio).toBeCloseTo((voxels * 8) / 1207 / 42, 12);
      expect(b.warnings.map((w) => w.code)).not.toContain('0b.mass-vs-sample');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('0.a: density that runs through the box is expected for a helical reconstruction', () => {
  it('a rod along Z: a single-particle map warns about both Z ends, a helical one says why it does not', () => {
    const v = rod(2);
    const single = boxWarnings(v, 'singleParticle');
    expect(single.codes).toEqual(['0a.left-space.z', '0a.right-space.z']);
    expect(single.r.values.expectedForMethod).toEqual([]);
    const helical = boxWarnings(v, 'helical');
    expect(helical.codes).toEqual([]);
    expect(helical.r.values.expectedForMethod).toEqual(['0a.left-space.z', '0a.right-space.z']);
    expect(helical.r.results[0]).toBe('Expected for a helical reconstruction: the filament runs through the box along Z, so there is no empty space at its ends along Z (not raised: 0a.left-space.z, 0a.right-space.z).');
    // The values are measured as before: only the judgement changes.
    expect(helical.r.values.leftSpace).toEqual(single.r.values.leftSpace);
  });

  it('the filament axis is found from the density, not assumed to be Z', () => {
    const h = boxWarnings(rod(0), 'helical');
    expect(h.codes).toEqual([]);
    expect(h.r.values.expectedForMethod).toEqual(['0a.left-space.x', '0a.right-space.x']);
  });

  it('space missing across the filament is still a warning: a rod touching the low Y side', () => {
    const v = rod(2);
    const shifted = new Float32Array(v.data.length);
    // Shift the rod by −14 voxels in Y: its edge lands on y = 0.
    for (let z = 0; z < N; z++) for (let y = 0; y < N - 14; y++) for (let x = 0; x < N; x++) shifted[x + N * (y + N * z)] = v.data[x + N * (y + 14 + N * z)];
    const h = boxWarnings({ ...v, data: shifted }, 'helical');
    expect(h.codes).toContain('0a.left-space.y');
    expect(h.codes).not.toContain('0a.left-space.z');
  });

  it('a tomogram has no particle to centre: every box warning of a block in a corner is expected', () => {
    const data = new Float32Array(N ** 3);
    for (let z = 0; z < 10; z++) for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) data[x + N * (y + N * z)] = 1;
    const v: Volume = { dims: [N, N, N], voxelSize: [2, 2, 2], origin: [0, 0, 0], data };
    const single = boxWarnings(v, 'unknown');
    expect(single.codes.length).toBeGreaterThan(6);
    const tomo = boxWarnings(v, 'tomography');
    expect(tomo.codes).toEqual([]);
    expect(tomo.r.values.expectedForMethod).toEqual(single.codes);
  });
});

describe('0.b: several bodies in the box are expected for a subtomogram average', () => {
  it('two separate blocks warn for a single particle and not for a subtomogram average', () => {
    const data = new Float32Array(N ** 3);
    for (let z = 15; z < 25; z++) for (let y = 15; y < 25; y++) for (let x = 0; x < N; x++) if (x < 12 || x >= 28) data[x + N * (y + N * z)] = 1;
    const v: Volume = { dims: [N, N, N], voxelSize: [2, 2, 2], origin: [0, 0, 0], data };
    const m = buildMasks(v, 0.5, 4);
    expect(maskAnalysis(v, 0.5, m, 4, { method: 'singleParticle' }).warnings.map((w) => w.code)).toEqual(['0b.large-pieces']);
    const sub = maskAnalysis(v, 0.5, m, 4, { method: 'subtomogramAveraging' });
    expect(sub.warnings).toEqual([]);
    expect(sub.values.expectedForMethod).toEqual(['0b.large-pieces']);
    expect(sub.results.at(-1)).toMatch(/^Expected for a subtomogram average: the box holds several bodies/);
  });
});

const haveMaps = haveFixtures('helical fixture EMD-5168 (method-aware 0.a)');

describe.skipIf(!haveMaps)('EMD-5168, a helical filament, at its author\'s contour 10', () => {
  it('its Z ends (0 Å of space) warn without a method and are expected as a helical reconstruction', async () => {
    const v = toVolume(await readMrc(fixture('EMD-5168', 'emd_5168.map'))).volume;
    const hard = buildMasks(v, 10, 6.6).hard;
    const blind = massAnalysis(v, hard);
    expect(blind.warnings.map((w) => w.code)).toEqual(['0a.left-space.z', '0a.right-space.z']);
    const helical = massAnalysis(v, hard, 'helical');
    expect(helical.warnings).toEqual([]);
    expect(helical.values.expectedForMethod).toEqual(['0a.left-space.z', '0a.right-space.z']);
    expect((helical.values.leftSpace as number[])[2]).toBe(0);
  });
});
