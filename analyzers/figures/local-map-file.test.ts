/**
 * The local-value map download: mantissa rounding against its stated bound and known ties, NaN
 * outside the mask, the download built as it is written (the same bits, statistics and file bytes
 * as the plain definition), deterministic gzip bytes, and the file read back by our reader and by mrcfile.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMrc } from '../io/mrc.ts';
import { writeChunkedMrcFile, writeMrcFile } from '../io/mrc-write.ts';
import { havePython, runReference } from '../testing/python.ts';
import { ValueMask } from '../volume/value-mask.ts';
import { createVolume } from '../volume/volume.ts';
import { writeChunkedMrc, writeMrc } from '../volume/to-mrc.ts';
import { volumeStats } from '../volume/stats.ts';
import { downloadValues, downloadVoxels, MANTISSA_BITS, mantissaRelativeError, roundMantissa, roundMantissaAt } from './local-map-file.ts';
import { FigureWriter } from './report-figures.ts';

/** Seeded values over seven decades, both signs (xorshift32). */
function seededValues(n: number, seed = 7): Float32Array {
  let s = seed;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  return Float32Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1) * 10 ** (7 * next() - 3));
}

describe('roundMantissa', () => {
  it('keeps every value within 2^-(bits+1) of itself, with the dropped bits zero', () => {
    const x = seededValues(20000);
    const r = roundMantissa(x, MANTISSA_BITS);
    const low = new Uint32Array(r.buffer);
    let worst = 0;
    let dirty = 0;
    for (let i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(r[i] - x[i]) / Math.abs(x[i]));
      if (low[i] & ((1 << (23 - MANTISSA_BITS)) - 1)) dirty++;
    }
    expect(dirty).toBe(0);
    expect(worst).toBeLessThanOrEqual(mantissaRelativeError(MANTISSA_BITS));
    // Rounding to nearest uses most of the bound; truncation would reach twice it.
    expect(worst).toBeGreaterThan(0.9 * mantissaRelativeError(MANTISSA_BITS));
  });

  it('rounds ties away from zero, carries into the exponent and keeps NaN, ±Infinity and the largest float', () => {
    const step = 2 ** -MANTISSA_BITS;
    const x = Float32Array.of(1 + step / 2, -(1 + step / 2), 1 + step / 4, 2 - step / 2, NaN, Infinity, -Infinity, 3.4028234663852886e38, 0, -0);
    const r = roundMantissa(x, MANTISSA_BITS);
    expect(Array.from(r.slice(0, 4))).toEqual([1 + step, -(1 + step), 1, 2]);
    expect(Number.isNaN(r[4])).toBe(true);
    expect([r[5], r[6], r[7], r[8]]).toEqual([Infinity, -Infinity, 3.4028234663852886e38, 0]);
    expect(Object.is(r[9], -0)).toBe(true);
    expect(roundMantissa(x, 23)).toEqual(x);
    expect(() => roundMantissa(x, 24)).toThrow(/bits must be an integer in \[0, 23\], got 24/);
  });
});

describe('the download built as it is written', () => {
  // Values in a few runs only, as a local-value map inside its mask; NaN and ±Inf among them.
  const n = 41 * 37 * 29; // 5.4 blocks of the statistics (8192)
  const property = seededValues(n, 3);
  const mask = new Uint8Array(n);
  for (const [a, b] of [[100, 900], [8192 * 2 + 5, 8192 * 3 + 40], [n - 50, n]]) mask.fill(1, a, b);
  for (const [i, bad] of [[120, NaN], [121, Infinity], [8192 * 3, -Infinity], [5000, NaN]] as const) property[i] = bad;
  /** The plain definition: every voxel rounded, then NaN outside the mask. */
  const plain = roundMantissa(property, MANTISSA_BITS);
  for (let i = 0; i < n; i++) if (mask[i] === 0) plain[i] = NaN;

  it('hands out the same bits as rounding everything and then NaN outside, with the statistics of volumeStats', () => {
    const inside = new ValueMask(mask, 0.5);
    const d = downloadVoxels(property, inside);
    expect(d.stats()).toEqual(volumeStats(plain));
    expect(d.stats().infCount).toBe(2);
    // In chunks that do not fall on the statistics' blocks, into buffers that held something else.
    const pieces = new Float32Array(n);
    for (let start = 0; start < n; start += 5000) {
      const chunk = new Float32Array(Math.min(5000, n - start)).fill(7);
      d.fill(chunk, start);
      pieces.set(chunk, start);
    }
    expect(Buffer.compare(Buffer.from(pieces.buffer), Buffer.from(plain.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(downloadValues(property, inside).buffer), Buffer.from(plain.buffer))).toBe(0);
    // Without a mask: every voxel rounded.
    const rounded = roundMantissa(property, MANTISSA_BITS);
    expect(downloadVoxels(property).stats()).toEqual(volumeStats(rounded));
    expect(Buffer.compare(Buffer.from(downloadValues(property).buffer), Buffer.from(rounded.buffer))).toBe(0);
    // Rounding at given voxels, shifted, leaves the others as they were.
    const some = new Float32Array(n).fill(-1);
    roundMantissaAt(property, MANTISSA_BITS, Int32Array.of(0, 120, 121, n - 1), 1, 4, some, 100);
    expect([some[0], some[20], some[21], some[n - 101], some[n - 1]]).toEqual([-1, some[20], Infinity, rounded[n - 1], -1]);
    expect(some[20]).toBeNaN();
    expect(some[n - 101]).not.toBe(property[n - 1]);
  });

  it('writes, chunk by chunk, the same file as writeMrc of the values (header statistics included)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'emvr-chunked-'));
    try {
      const grid = { dims: [41, 37, 29] as [number, number, number], voxelSize: [1, 1.5, 2] as [number, number, number], origin: [0, -3, 7] as [number, number, number] };
      const labels = ['emvr 0e Local resolution'];
      for (const name of ['a.mrc.gz', 'a.mrc']) await writeMrc(path.join(dir, name), { ...grid, data: plain }, { labels });
      for (const name of ['b.mrc.gz', 'b.mrc']) await writeChunkedMrc(path.join(dir, name), grid, downloadVoxels(property, new ValueMask(mask, 0.5)), { labels });
      expect(Buffer.compare(await readFile(path.join(dir, 'a.mrc.gz')), await readFile(path.join(dir, 'b.mrc.gz')))).toBe(0);
      expect(Buffer.compare(await readFile(path.join(dir, 'a.mrc')), await readFile(path.join(dir, 'b.mrc')))).toBe(0);
      // Many chunks, each compressed while the next is filled (a 360³ map takes 45 of 2^20 voxels).
      const d = downloadVoxels(property, new ValueMask(mask, 0.5));
      const s = d.stats();
      await writeChunkedMrcFile(path.join(dir, 'c.mrc.gz'), { ...grid, stats: { min: s.min, max: s.max, mean: s.mean, std: s.std } }, (chunk, start) => d.fill(chunk, start), { labels }, 1000);
      expect(Buffer.compare(await readFile(path.join(dir, 'a.mrc.gz')), await readFile(path.join(dir, 'c.mrc.gz')))).toBe(0);
      // A failing fill fails the write, with no file and no stray rejection.
      const failing = (_chunk: Float32Array, start: number) => {
        if (start >= 5000) throw new Error('no more voxels');
      };
      await expect(writeChunkedMrcFile(path.join(dir, 'd.mrc.gz'), { ...grid, stats: { min: 0, max: 1, mean: 0, std: 1 } }, failing, {}, 1000)).rejects.toThrow('no more voxels');
      await expect(readFile(path.join(dir, 'd.mrc.gz'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the local-value map download (maps/<stem>.mrc.gz)', () => {
  const dims = [20, 18, 16] as const;
  const n = dims[0] * dims[1] * dims[2];
  const property = createVolume([...dims], [1.5, 1.5, 1.5], [3, -4.5, 6]);
  const mask = new Uint8Array(n);
  let work = '';
  let file = { id: '', file: '', bytes: 0, caption: '' };
  let gz = new Uint8Array();

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'emvr-local-map-'));
    const values = seededValues(n, 11);
    for (let i = 0; i < n; i++) {
      property.data[i] = 2 + Math.abs(values[i]) / 1000; // a local resolution in Å
      mask[i] = (i * 7919) % 5 < 2 ? 1 : 0;
    }
    const writer = new FigureWriter(path.join(work, 'figures'), false);
    const out = await writer.localMapOutputs({ stem: '0e-local-resolution', itemId: '0e', name: 'Local resolution', surface: property, level: 1, property, range: [2, 3], label: 'Å', histogram: null, inside: new ValueMask(mask, 0) });
    file = out.files[0];
    gz = new Uint8Array(await readFile(path.join(work, file.file)));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is a gzipped MRC whose listed size is its size, with a caption that says what NaN means and the rounding', () => {
    expect(file.file).toBe('maps/0e-local-resolution.mrc.gz');
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(file.bytes).toBe(gz.length);
    expect(file.caption).toBe('Local resolution per voxel, on the grid of the map it was computed on; NaN outside the mask; values to 1 part in 8192.');
  });

  it('writes the same bytes again (gzip header without a date)', async () => {
    const again = path.join(work, 'again.mrc.gz');
    await writeMrc(again, { ...property, data: downloadValues(property.data, new ValueMask(mask, 0)) }, { labels: ['emvr 0e Local resolution', `float32 rounded to ${MANTISSA_BITS} mantissa bits; NaN = no value`] });
    expect(Buffer.compare(Buffer.from(await readFile(again)), Buffer.from(gz))).toBe(0);
  });

  it('reads back as float32 with NaN outside the mask and the values within the bound inside', async () => {
    const m = await readMrc(path.join(work, file.file));
    expect(m.header.mode).toBe(2);
    expect([m.header.nx, m.header.ny, m.header.nz]).toEqual([...dims]);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      if (mask[i] === 0) expect(Number.isNaN(m.data[i])).toBe(true);
      else worst = Math.max(worst, Math.abs(m.data[i] - property.data[i]) / property.data[i]);
    }
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(mantissaRelativeError(MANTISSA_BITS));
  });

  const python = havePython(['numpy', 'mrcfile'], 'local-value map read by mrcfile');
  it.skipIf(!python)('is read by mrcfile (gzip sniffed), with the same NaNs, error bound and header statistics', async () => {
    const exact = path.join(work, 'exact.mrc');
    const maskFile = path.join(work, 'mask.mrc');
    await writeMrc(exact, property);
    await writeMrcFile(maskFile, { dims: property.dims, voxelSize: property.voxelSize, origin: property.origin, stats: { min: 0, max: 1, mean: 0.5, std: 0.5 } }, Float32Array.from(mask), { mode: 0 });
    const r = JSON.parse(await runReference('local_map_reference.py', [path.join(work, file.file), exact, maskFile])) as {
      reader: string; mode: number; shape: number[]; nan: number; nanOutsideOnly: boolean; maxRelErr: number; header: Record<string, number>; numpy: Record<string, number>;
    };
    expect(r.reader).toBe('GzipMrcFile');
    expect(r.mode).toBe(2);
    expect(r.shape).toEqual([dims[2], dims[1], dims[0]]);
    expect(r.nan).toBe(mask.reduce((s, v) => s + (v === 0 ? 1 : 0), 0));
    expect(r.nanOutsideOnly).toBe(true);
    expect(r.maxRelErr).toBeLessThanOrEqual(mantissaRelativeError(MANTISSA_BITS));
    for (const k of ['dmin', 'dmax', 'dmean', 'rms']) expect(r.header[k]).toBeCloseTo(r.numpy[k], 5);
  });
});
