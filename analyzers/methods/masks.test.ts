/**
 * The hard mask holds the structure's large pieces, not only the largest: a designed map whose
 * contour cuts it into two blocks (like GroEL's two rings at the author's contour, EMD-1997) plus
 * noise specks, with every count known by construction, and the same numbers from numpy/scipy
 * (scripts/reference/level0_reference.py).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { massAnalysis } from '../items/level0/0a-mass-analysis.ts';
import { maskAnalysis } from '../items/level0/0b-mask-analysis.ts';
import { readMrc } from '../io/mrc.ts';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import { havePython, runReference } from '../testing/python.ts';
import { toVolume } from '../volume/from-mrc.ts';
import { writeMrc } from '../volume/to-mrc.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { isShared } from '../util/shared-memory.ts';
import { fftThreads } from '../fft/fft-pool.ts';
import { buildMasks, largePieceVoxels, resolutionElementVolume, softMask, structurePieces } from './masks.ts';

const N = 40;
const TS = 2;

/** Sets a block of edge `e` voxels from (x0, y0, z0) to `value`. */
function block(data: Float32Array, x0: number, y0: number, z0: number, e: number, value = 1): void {
  for (let z = z0; z < z0 + e; z++) for (let y = y0; y < y0 + e; y++) for (let x = x0; x < x0 + e; x++) data[x + N * (y + N * z)] = value;
}

/**
 * A 40³ map of 2 Å voxels: body A, an 8³ block at x 4–11 (512 voxels), and body B, a 6³ block at
 * x 28–33 (216 voxels), both at y, z 16–23 / 17–22, with 3 one-voxel specks. At 4 Å a resolution
 * element is (π/6)·4³ = 33.5 Å³, so a large piece needs max(10·33.5/8, 1 % of 731) = 41.9 voxels:
 * A and B are large, the specks are not.
 */
function twoBodies(): Volume {
  const data = new Float32Array(N ** 3);
  block(data, 4, 16, 16, 8);
  block(data, 28, 17, 17, 6);
  for (const [x, y, z] of [[20, 3, 3], [20, 36, 3], [20, 3, 36]]) data[x + N * (y + N * z)] = 1;
  return { dims: [N, N, N], voxelSize: [TS, TS, TS], origin: [0, 0, 0], data };
}

describe('the structure is every large piece the contour leaves', () => {
  const v = twoBodies();
  const m = buildMasks(v, 0.5, 4);

  it('a large piece holds max(10 resolution elements, 1 % of the raw mask)', () => {
    expect(largePieceVoxels(731, 8, 4)).toBeCloseTo((10 * resolutionElementVolume(4, 2)) / 8, 10);
    expect(largePieceVoxels(1e6, 8, 4)).toBe(1e4);
  });

  it('two blocks are two pieces, largest first; the specks are not pieces', () => {
    expect(m.labelling.count).toBe(5);
    expect(m.pieces.map((k) => m.labelling.sizes[k])).toEqual([512, 216]);
    // An 18-neighbourhood dilation of an e³ block adds faces and edges, not corners: (e+2)³ − 8.
    expect(m.hardCount).toBe(10 ** 3 - 8 + (8 ** 3 - 8));
  });

  it('the largest component is a piece even when it is too small to be one by size', () => {
    const tiny = new Float32Array(N ** 3);
    block(tiny, 10, 10, 10, 2);
    const l = buildMasks({ ...v, data: tiny }, 0.5, 4);
    expect(structurePieces(l.labelling, Infinity)).toEqual(l.pieces);
    expect(l.pieces).toHaveLength(1);
  });

  it('0.a measures the space around both bodies: 6 Å before A, 10 Å after B (A alone: 54 Å after)', () => {
    const a = massAnalysis(v, m.hard).values as Record<string, number[]>;
    expect(a.leftSpace[0]).toBe(TS * (4 - 1));
    expect(a.rightSpace[0]).toBe(TS * (N - 1 - (33 + 1)));
    expect(a.decentering[0]).toBeCloseTo((100 * 4) / 80, 10);
  });

  it('0.b counts the specks as the only blobs, overlaps the raw mask by (512 + 216)/731 and warns that the contour splits the density', () => {
    const r = maskAnalysis(v, 0.5, m, 4);
    expect(r.values).toMatchObject({ largePieces: 2, largePiecesVoxels: 728, remainingComponents: 3, remainingVoxels: 3, remainingAvgVolume: 8, constructedVoxels: 1496 });
    expect(r.values.overlap).toBeCloseTo(728 / 731, 12);
    expect(r.values.largePieceMinVolume).toBeCloseTo(10 * resolutionElementVolume(4, 2), 10);
    expect(r.warnings.map((w) => w.code)).toEqual(['0b.large-pieces']);
    expect(r.warnings[0].text).toMatch(/^The recommended contour splits the density into 2 large pieces \(each at least 335 Å³: 10 resolution elements and 1% of the thresholded volume\), holding 99\.6 % of it/);
  });

  it('one body is one piece: no warning, and the sentences of a one-piece map', () => {
    const one = new Float32Array(v.data);
    block(one, 28, 17, 17, 6, 0);
    const mm = buildMasks({ ...v, data: one }, 0.5, 4);
    const r = maskAnalysis({ ...v, data: one }, 0.5, mm, 4);
    expect(r.values.largePieces).toBe(1);
    expect(r.warnings).toEqual([]);
    expect(r.results.some((s) => s.startsWith('Constructed mask: after keeping the largest component'))).toBe(true);
  });
});

const ready = havePython(['numpy', 'scipy', 'mrcfile'], 'large pieces numpy cross-check');

describe.skipIf(!ready)('large pieces agree with numpy/scipy', () => {
  let work = '';
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('on the two-body map: pieces, hard mask, 0.a margins and 0.b blobs', async () => {
    work = await mkdtemp(path.join(tmpdir(), 'emvr-pieces-'));
    const v = twoBodies();
    const file = path.join(work, 'two-bodies.mrc');
    await writeMrc(file, v);
    const ref = JSON.parse(await runReference('level0_reference.py', [file, '0.5', '4']));
    const m = buildMasks(v, 0.5, 4);
    const a = massAnalysis(v, m.hard).values as Record<string, number[]>;
    const b = maskAnalysis(v, 0.5, m, 4).values as Record<string, number>;
    expect(m.hardCount).toBe(ref.hardVoxels);
    for (const key of ['leftSpace', 'rightSpace', 'decentering']) expect(a[key]).toEqual(ref['0.a'][key]);
    for (const key of ['largePieces', 'largePiecesVoxels', 'remainingComponents', 'remainingAvgVolume', 'constructedVoxels']) expect(b[key], key).toBe(ref['0.b'][key]);
    expect(b.largePieceMinVolume).toBeCloseTo(ref['0.b'].largePieceMinVolume, 9);
  });
});

const haveMaps = haveFixtures('GroEL fixture EMD-1997 (large pieces)');

describe.skipIf(!haveMaps)('EMD-1997, GroEL, at its author\'s contour 1.0 (7 Å)', () => {
  it('the contour leaves one ring whole and the other in 11 pieces: all 12 are the structure, which is centred', async () => {
    const v = toVolume(await readMrc(fixture('EMD-1997', 'emd_1997.map'))).volume;
    const m = buildMasks(v, 1.0, 7);
    // One ring (16 978 voxels) and 11 pieces of the other (3828 down to 1033 voxels, each ≥ 1 % of 34 002).
    expect(m.pieces.map((k) => m.labelling.sizes[k])).toEqual([16978, 3828, 2439, 1387, 1375, 1373, 1213, 1055, 1045, 1042, 1037, 1033]);
    const a = massAnalysis(v, m.hard);
    // With the largest ring alone, Z was decentred by 34 %.
    expect(a.warnings).toEqual([]);
    for (const d of a.values.decentering as number[]) expect(d).toBeLessThanOrEqual(1 + 1e-9);
    const b = maskAnalysis(v, 1.0, m, 7, { method: 'singleParticle', sampleMDa: 0.8 });
    expect(b.warnings.map((w) => w.code)).toEqual(['0b.components95', '0b.large-pieces', '0b.mass-vs-sample']);
    expect(b.values.overlap).toBeCloseTo(33805 / 34002, 12);
    // 34 002 voxels of 2.02³ Å³ at 1.207 Å³/Da: 232.2 kDa of the 800 kDa tetradecamer. The map is
    // masked: its 111 177 positive voxels hold 760 kDa, so no contour above its zeros holds 800.
    expect(b.values.massRatio).toBeCloseTo((34002 * 2.02 ** 3) / 1207 / 800, 6);
    expect(b.values.sampleMassContour).toBeNull();
  });
});

describe('softMask', () => {
  it('equals the one-loop filter (multiply, inverse, clip on the calling thread) bit for bit', async () => {
    // At least 64³ voxels: the transforms (and the filter) run on the pool, on shared memory.
    const dims: Vec3 = [72, 64, 60];
    const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
    for (let z = 10; z < 50; z++) for (let y = 10; y < 54; y++) for (let x = 10; x < 60; x++) if ((x * 7 + y * 3 + z) % 11 !== 0) mask[x + dims[0] * (y + dims[1] * z)] = 1;
    const got = await softMask(mask, dims, 2);
    // The plain filter: one loop over the spectrum, one over the voxels.
    const fft = createRealFft3d(dims);
    const real = new Float32Array(mask.length);
    real.set(mask);
    const spec = await fft.forward(real);
    expect(isShared(spec)).toBe(fftThreads() > 1);
    const [hx, ny, nz] = fft.complexDims;
    const k = Math.PI * Math.PI * 4;
    const g = (i: number, n: number) => Math.exp(-k * fftFreq(i, n) ** 2);
    for (let z = 0, p = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        const gyz = g(y, ny) * g(z, nz);
        for (let x = 0; x < hx; x++, p += 2) {
          spec[p] *= g(x, dims[0]) * gyz;
          spec[p + 1] *= g(x, dims[0]) * gyz;
        }
      }
    }
    const want = await fft.inverse(spec);
    for (let i = 0; i < want.length; i++) if (want[i] < 0) want[i] = 0;
    expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength))).toBe(true);
    // A smooth 0…1 mask: 1 deep inside, 0 far outside.
    expect(got[35 + 72 * (32 + 64 * 30)]).toBeGreaterThan(0.7);
    expect(got[0]).toBeLessThan(1e-6);
  });
});
