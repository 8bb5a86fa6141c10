import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { createVolume, idx, type Vec3 } from '../volume/volume.ts';
import {
  centralIndices,
  imageSize,
  maxVarianceIndices,
  pixelOf,
  project,
  projections,
  projectX,
  projectY,
  projectZ,
  renderGrey,
  slice,
  sliceX,
  sliceY,
  sliceZ,
  toGrey8,
  type Axis,
  type Image2D,
  type VolumeLike,
} from './slices.ts';

/** 12×9×7 (non-cubic, every axis a different length): two bright voxels on a zero background. */
const DIMS: Vec3 = [12, 9, 7];
const P = { x: 2, y: 1, z: 4, v: 10 };
const Q = { x: 10, y: 7, z: 1, v: 4 };

function twoVoxelVolume() {
  const v = createVolume(DIMS, [1, 1, 1]);
  v.data[idx(DIMS, P.x, P.y, P.z)] = P.v;
  v.data[idx(DIMS, Q.x, Q.y, Q.z)] = Q.v;
  return v;
}

/** Positions (col, row; row 0 = top) of the non-zero pixels, brightest first. */
function brightPixels(img: Image2D): Array<{ col: number; row: number; value: number }> {
  const out: Array<{ col: number; row: number; value: number }> = [];
  for (let r = 0; r < img.height; r++) {
    for (let c = 0; c < img.width; c++) {
      const value = img.data[c + img.width * r];
      if (value !== 0) out.push({ col: c, row: r, value });
    }
  }
  return out.sort((a, b) => b.value - a.value);
}

/** Decodes a PNG to grey bytes; `channels` is what the file itself stores. */
async function decode(png: Buffer) {
  const meta = await sharp(png).metadata();
  const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: meta.channels };
}

describe('orientation of slices, projections and mask slices', () => {
  const v = twoVoxelVolume();
  // Written out by hand from the convention: Z: x right, y up; X: y right, z up; Y: z right, x down.
  // P = (2, 1, 4) in a 12×9×7 grid.
  const expectedP = {
    z: { width: 12, height: 9, col: 2, row: 9 - 1 - 1 }, // col = x, row = ny-1-y
    x: { width: 9, height: 7, col: 1, row: 7 - 1 - 4 }, // col = y, row = nz-1-z
    y: { width: 7, height: 12, col: 4, row: 2 }, // col = z, row = x
  } as const;
  // Q = (10, 7, 1)
  const expectedQ = { z: { col: 10, row: 1 }, x: { col: 7, row: 5 }, y: { col: 1, row: 10 } } as const;

  it('pixelOf and imageSize state the convention', () => {
    for (const a of ['x', 'y', 'z'] as const) {
      expect(imageSize(a, DIMS)).toEqual({ width: expectedP[a].width, height: expectedP[a].height });
      expect(pixelOf(a, DIMS, P.x, P.y, P.z)).toEqual({ col: expectedP[a].col, row: expectedP[a].row });
      expect(pixelOf(a, DIMS, Q.x, Q.y, Q.z)).toEqual(expectedQ[a]);
    }
  });

  it('puts the voxel at the stated pixel in the slice through it', () => {
    const images: Record<Axis, Image2D> = { x: sliceX(v, P.x), y: sliceY(v, P.y), z: sliceZ(v, P.z) };
    for (const a of ['x', 'y', 'z'] as const) {
      const img = images[a];
      expect([img.width, img.height]).toEqual([expectedP[a].width, expectedP[a].height]);
      expect(brightPixels(img)).toEqual([{ col: expectedP[a].col, row: expectedP[a].row, value: 10 }]);
    }
  });

  it('puts both voxels at the same pixels in the projections as in the slices', () => {
    const images: Record<Axis, Image2D> = { x: projectX(v), y: projectY(v), z: projectZ(v) };
    for (const a of ['x', 'y', 'z'] as const) {
      expect(brightPixels(images[a])).toEqual([
        { col: expectedP[a].col, row: expectedP[a].row, value: 10 },
        { col: expectedQ[a].col, row: expectedQ[a].row, value: 4 },
      ]);
    }
  });

  it('puts a mask voxel at the same pixel as the map voxel (Uint8Array input)', () => {
    const mask: VolumeLike = { dims: DIMS, data: Uint8Array.from(v.data, (x) => (x > 5 ? 1 : 0)) };
    expect(brightPixels(sliceX(mask, P.x))).toEqual([{ col: 1, row: 2, value: 1 }]);
    expect(brightPixels(sliceY(mask, P.y))).toEqual([{ col: 4, row: 2, value: 1 }]);
    expect(brightPixels(sliceZ(mask, P.z))).toEqual([{ col: 2, row: 7, value: 1 }]);
    expect(brightPixels(projectY(mask))).toEqual([{ col: 4, row: 2, value: 1 }]);
  });

  it('sums along the axis in the projections', () => {
    const w = createVolume(DIMS, [1, 1, 1]);
    w.data.fill(1);
    expect(projectX(w).data.every((s) => s === 12)).toBe(true);
    expect(projectY(w).data.every((s) => s === 9)).toBe(true);
    expect(projectZ(w).data.every((s) => s === 7)).toBe(true);
  });

  it('keeps the pixel positions in the PNGs (scaled blocks, row 0 on top)', async () => {
    const cases: Array<[Axis, Image2D]> = [
      ['x', sliceX(v, P.x)],
      ['y', sliceY(v, P.y)],
      ['z', sliceZ(v, P.z)],
      ['x', projectX(v)],
      ['y', projectY(v)],
      ['z', projectZ(v)],
    ];
    for (const [a, img] of cases) {
      const r = await renderGrey(img);
      expect(r.scale).toBe(Math.ceil(256 / Math.max(img.width, img.height)));
      const d = await decode(r.png);
      expect(d.channels).toBe(1);
      expect([d.width, d.height]).toEqual([img.width * r.scale, img.height * r.scale]);
      expect(Math.max(d.width, d.height)).toBeGreaterThanOrEqual(256);
      // The brightest pixel (first in scan order) starts the P block.
      let best = 0;
      for (let i = 1; i < d.data.length; i++) if (d.data[i] > d.data[best]) best = i;
      expect(d.data[best]).toBe(255);
      expect({ col: (best % d.width) / r.scale, row: Math.floor(best / d.width) / r.scale }).toEqual({
        col: expectedP[a].col,
        row: expectedP[a].row,
      });
      // The whole scale×scale block is white, and the pixel just outside it is not.
      const c0 = expectedP[a].col * r.scale;
      const r0 = expectedP[a].row * r.scale;
      expect(d.data[c0 + r.scale - 1 + d.width * (r0 + r.scale - 1)]).toBe(255);
      expect(d.data[c0 + r.scale + d.width * r0]).toBe(0);
    }
  });

  it('generic slice/project agree with the per-axis functions', () => {
    expect(slice(v, 'y', 3)).toEqual(sliceY(v, 3));
    expect(project(v, 'z')).toEqual(projectZ(v));
  });

  it('rejects an index outside the grid and data of the wrong length', () => {
    expect(() => sliceX(v, 12)).toThrow(/index 12 outside 0\.\.11/u);
    expect(() => sliceZ({ dims: DIMS, data: new Float32Array(5) }, 0)).toThrow(/5 values/u);
  });
});

describe('centralIndices', () => {
  it('is floor(n/2) per axis', () => {
    expect(centralIndices([12, 9, 7])).toEqual([6, 4, 3]);
    expect(centralIndices([1, 2, 3])).toEqual([0, 1, 1]);
  });
});

/** Naive per-slice population variance (two-pass, float64), for cross-checking. */
function naiveMaxVar(g: VolumeLike): Vec3 {
  const [nx, ny, nz] = g.dims;
  const pick = (n: number, at: (k: number) => number[]) => {
    let best = 0;
    let bestVar = -Infinity;
    for (let k = 0; k < n; k++) {
      const vals = at(k);
      const m = vals.reduce((s, x) => s + x, 0) / vals.length;
      const variance = vals.reduce((s, x) => s + (x - m) ** 2, 0) / vals.length;
      if (variance > bestVar) {
        bestVar = variance;
        best = k;
      }
    }
    return best;
  };
  const get = (x: number, y: number, z: number) => g.data[x + nx * (y + ny * z)];
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return [
    pick(nx, (x) => range(ny * nz).map((j) => get(x, j % ny, Math.floor(j / ny)))),
    pick(ny, (y) => range(nx * nz).map((j) => get(j % nx, y, Math.floor(j / nx)))),
    pick(nz, (z) => range(nx * ny).map((j) => get(j % nx, Math.floor(j / nx), z))),
  ];
}

describe('maxVarianceIndices', () => {
  it('finds one known high-variance plane per axis', () => {
    const v = createVolume(DIMS, [1, 1, 1]);
    const rnd = mulberry32(11);
    for (let i = 0; i < v.data.length; i++) v.data[i] = 0.01 * (rnd() - 0.5);
    const [nx, ny, nz] = DIMS;
    // Checkerboards of ±10 in the planes x = 5, y = 3, z = 2.
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) v.data[idx(DIMS, 5, y, z)] = (y + z) % 2 ? 10 : -10;
    for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) v.data[idx(DIMS, x, 3, z)] = (x + z) % 2 ? 10 : -10;
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) v.data[idx(DIMS, x, y, 2)] = (x + y) % 2 ? 10 : -10;
    expect(maxVarianceIndices(v)).toEqual([5, 3, 2]);
  });

  it('agrees with a naive two-pass computation on random data with a large offset', () => {
    for (const seed of [1, 2, 3]) {
      const v = createVolume([13, 10, 8], [1, 1, 1]);
      const rnd = mulberry32(seed);
      for (let i = 0; i < v.data.length; i++) v.data[i] = 1000 + rnd() * rnd();
      expect(maxVarianceIndices(v)).toEqual(naiveMaxVar(v));
    }
  });

  it('returns the first maximum on ties (constant volume → 0, 0, 0)', () => {
    const v = createVolume(DIMS, [1, 1, 1]);
    v.data.fill(3);
    expect(maxVarianceIndices(v)).toEqual([0, 0, 0]);
    // Two identical planes: the lower index wins.
    const w = createVolume(DIMS, [1, 1, 1]);
    for (let z = 0; z < 7; z++) for (let y = 0; y < 9; y++) {
      w.data[idx(DIMS, 4, y, z)] = (y + z) % 2;
      w.data[idx(DIMS, 8, y, z)] = (y + z) % 2;
    }
    expect(maxVarianceIndices(w)[0]).toBe(4);
  });

  it('works on a Uint8Array mask', () => {
    const data = new Uint8Array(12 * 9 * 7);
    for (let z = 0; z < 7; z++) for (let x = 0; x < 12; x++) data[idx(DIMS, x, 6, z)] = x % 2;
    const m: VolumeLike = { dims: DIMS, data };
    expect(maxVarianceIndices(m)).toEqual(naiveMaxVar(m));
    expect(maxVarianceIndices(m)[1]).toBe(6);
  });
});

/** The one-pass max-variance indices as first written (every voxel added, zeros too). */
function onePassMaxVar(g: VolumeLike): Vec3 {
  const [nx, ny, nz] = g.dims;
  const d = g.data;
  const sums = [nx, nx, ny, ny, nz, nz].map((n) => new Float64Array(n));
  const [sx, sxx, sy, syy, sz, szz] = sums;
  const ref = Number.isFinite(d[0]) ? d[0] : 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const v = d[i] - ref;
        sx[x] += v;
        sxx[x] += v * v;
        sy[y] += v;
        syy[y] += v * v;
        sz[z] += v;
        szz[z] += v * v;
      }
    }
  }
  const arg = (s: Float64Array, ss: Float64Array, n: number) => {
    let best = 0;
    let bestVar = -Infinity;
    for (let k = 0; k < s.length; k++) {
      const variance = ss[k] / n - (s[k] / n) ** 2;
      if (variance > bestVar) {
        bestVar = variance;
        best = k;
      }
    }
    return best;
  };
  return [arg(sx, sxx, ny * nz), arg(sy, syy, nx * nz), arg(sz, szz, nx * ny)];
}

describe('maxVarianceIndices on mostly constant volumes', () => {
  it('equals the pass that adds every voxel: masks, clipped maps, first voxel inside or outside', () => {
    for (const seed of [5, 6, 7, 8]) {
      const rnd = mulberry32(seed);
      const dims: Vec3 = [17, 13, 11];
      const mask = new Uint8Array(17 * 13 * 11);
      const clipped = createVolume(dims, [1, 1, 1]);
      for (let i = 0; i < mask.length; i++) {
        mask[i] = rnd() < 0.2 ? 1 : 0;
        clipped.data[i] = Math.max(0, rnd() - 0.7);
      }
      if (seed % 2) {
        mask[0] = 1;
        clipped.data[0] = 0.25;
      }
      for (const g of [{ dims, data: mask }, clipped]) {
        expect(maxVarianceIndices(g)).toEqual(onePassMaxVar(g));
        expect(maxVarianceIndices(g)).toEqual(naiveMaxVar(g));
      }
    }
  });
});

describe('projections', () => {
  it('are projectX, projectY and projectZ, bit for bit', () => {
    const v = createVolume([14, 11, 9], [1, 1, 1]);
    const rnd = mulberry32(21);
    for (let i = 0; i < v.data.length; i++) v.data[i] = 100 + rnd() * rnd() - 0.3;
    const [x, y, z] = projections(v);
    for (const [got, want] of [[x, projectX(v)], [y, projectY(v)], [z, projectZ(v)]]) {
      expect([got.width, got.height]).toEqual([want.width, want.height]);
      expect(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer))).toBe(true);
    }
  });
});

describe('toGrey8 and renderGrey', () => {
  it('stretches min→0 and max→255, truncating', () => {
    const img: Image2D = { width: 4, height: 1, data: Float32Array.of(-1, 0, 0.5, 1) };
    // (v+1) * 127.5 → 0, 127.5, 191.25, 255 → truncated 0, 127, 191, 255
    expect([...toGrey8(img)]).toEqual([0, 127, 191, 255]);
  });

  it('renders a constant image black, without NaN', async () => {
    const img: Image2D = { width: 5, height: 3, data: new Float32Array(15).fill(7.5) };
    expect([...toGrey8(img)]).toEqual(new Array(15).fill(0));
    const r = await renderGrey(img);
    const d = await decode(r.png);
    expect(d.data.every((b) => b === 0)).toBe(true);
    expect([r.width, r.height, r.scale]).toEqual([260, 156, 52]);
  });

  it('renders non-finite pixels black and ignores them in the stretch', () => {
    const img: Image2D = { width: 4, height: 1, data: Float32Array.of(Number.NaN, 2, 4, Number.POSITIVE_INFINITY) };
    expect([...toGrey8(img)]).toEqual([0, 0, 255, 0]);
  });

  it('is byte-identical for the same input', async () => {
    const v = createVolume([30, 20, 10], [1, 1, 1]);
    const rnd = mulberry32(5);
    for (let i = 0; i < v.data.length; i++) v.data[i] = rnd();
    const a = await renderGrey(sliceY(v, 7));
    const b = await renderGrey(sliceY({ dims: v.dims, data: Float32Array.from(v.data) }, 7));
    expect(Buffer.compare(a.png, b.png)).toBe(0);
    const c = await renderGrey(projectZ(v));
    const d = await renderGrey(projectZ(v));
    expect(Buffer.compare(c.png, d.png)).toBe(0);
  });

  it('does not upscale a large image and honours minSide', async () => {
    const img: Image2D = { width: 300, height: 2, data: new Float32Array(600) };
    expect((await renderGrey(img)).scale).toBe(1);
    expect((await renderGrey(img, { minSide: 900 })).scale).toBe(3);
  });
});
