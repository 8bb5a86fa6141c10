/**
 * The local-value map download: mantissa rounding against its stated bound and known ties, NaN
 * outside the mask, deterministic gzip bytes, and the file read back by our reader and by mrcfile.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMrc } from '../io/mrc.ts';
import { writeMrcFile } from '../io/mrc-write.ts';
import { havePython, runReference } from '../testing/python.ts';
import { createVolume } from '../volume/volume.ts';
import { writeMrc } from '../volume/to-mrc.ts';
import { downloadValues, MANTISSA_BITS, mantissaRelativeError, roundMantissa } from './local-map-file.ts';
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
    const out = await writer.localMapOutputs({ stem: '0e-local-resolution', itemId: '0e', name: 'Local resolution', surface: property, level: 1, property, range: [2, 3], label: 'Å', histogram: null, inside: (i) => mask[i] === 1 });
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
    await writeMrc(again, { ...property, data: downloadValues(property.data, (i) => mask[i] === 1) }, { labels: ['emvr 0e Local resolution', `float32 rounded to ${MANTISSA_BITS} mantissa bits; NaN = no value`] });
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
