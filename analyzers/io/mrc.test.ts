import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { toVolume } from '../volume/from-mrc.ts';
import { idx, type Volume } from '../volume/volume.ts';
import { MrcFormatError } from './mrc-errors.ts';
import { formatHeader, HEADER_BYTES } from './mrc-header.ts';
import type { MrcMode } from './mrc-mode.ts';
import { encodeMrc, headerForVolume, writeMrc } from '../volume/to-mrc.ts';
import { parseMrcBytes, readMrc } from './mrc.ts';

/** Non-square "iota" volume: each voxel holds a value built from its own x, y, z, so any axis slip shows. */
function iota(dims: [number, number, number], value = (x: number, y: number, z: number) => x + 10 * y + 100 * z): Volume {
  const [nx, ny, nz] = dims;
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) data[idx(dims, x, y, z)] = value(x, y, z);
  return { dims, voxelSize: [1.5, 1.25, 2], origin: [-3, 4.5, 10], data };
}

async function tmp(name: string): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'emvr-mrc-')), name);
}

/** Builds a file from a volume's header with some words overridden (little-endian unless said). */
function craft(v: Volume, patch: Record<string, unknown>, opts: { littleEndian?: boolean; dataBytes?: number } = {}): Uint8Array {
  const le = opts.littleEndian ?? true;
  const full = encodeMrc(v, { littleEndian: le });
  const header = { ...headerForVolume(v, { littleEndian: le }), ...patch };
  const body = full.subarray(HEADER_BYTES, HEADER_BYTES + (opts.dataBytes ?? full.length - HEADER_BYTES));
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out.set(formatHeader(header as never, le), 0);
  out.set(body, HEADER_BYTES);
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<MrcFormatError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MrcFormatError);
    return err as MrcFormatError;
  }
  throw new Error('expected the read to fail');
}

describe('MRC round trip', () => {
  const modes: MrcMode[] = [0, 1, 2, 6, 12];
  for (const mode of modes) {
    for (const littleEndian of [true, false]) {
      it(`mode ${mode}, ${littleEndian ? 'little' : 'big'}-endian, 10×9×7 keeps every value, the frame and the voxel size`, async () => {
        // Values that every mode represents exactly (int8 range, non-negative for uint16, halves for float16).
        const v = iota([10, 9, 7], (x, y, z) => (mode === 6 ? x + 3 * y + 5 * z : ((x + 3 * y + 5 * z) % 100) - 50) + (mode === 12 || mode === 2 ? 0.5 : 0));
        const file = await parseMrcBytes(encodeMrc(v, { mode, littleEndian }), 'iota.mrc');
        expect(file.mode).toBe(mode);
        expect(file.byteOrder).toBe(littleEndian ? 'little' : 'big');
        expect(file.issues).toEqual([]);
        const { volume } = toVolume(file);
        expect(volume.dims).toEqual([10, 9, 7]);
        expect(Array.from(volume.data)).toEqual(Array.from(v.data));
        expect(volume.voxelSize[0]).toBeCloseTo(1.5, 6);
        expect(volume.voxelSize[1]).toBeCloseTo(1.25, 6);
        expect(volume.origin).toEqual([-3, 4.5, 10]);
      });
    }
  }

  it('writes atomically to disk and reads back plain and gzip files identically', async () => {
    const v = iota([6, 5, 4]);
    const plain = await tmp('a.mrc');
    const gz = await tmp('a.mrc.gz');
    await writeMrc(plain, v);
    await writeMrc(gz, v);
    const a = await readMrc(plain);
    const b = await readMrc(gz);
    expect(b.compression).toBe('gzip');
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('axis order', () => {
  it('reorders a 5×6×7 iota map stored with columns along y, rows along z, sections along x (mapc,mapr,maps = 2,3,1)', async () => {
    const dims: [number, number, number] = [5, 6, 7];
    const truth = iota(dims);
    // File order: columns run along y (6), rows along z (7), sections along x (5).
    const fileData = new Float32Array(5 * 6 * 7);
    let i = 0;
    for (let x = 0; x < 5; x++) for (let z = 0; z < 7; z++) for (let y = 0; y < 6; y++) fileData[i++] = truth.data[idx(dims, x, y, z)];
    const stored: Volume = { dims: [6, 7, 5], voxelSize: [1, 1, 1], origin: [0, 0, 0], data: fileData };
    const bytes = craft(stored, { mapc: 2, mapr: 3, maps: 1, mx: 5, my: 6, mz: 7, cella: [5 * 1.5, 6 * 1.25, 7 * 2], nxstart: 1, nystart: 2, nzstart: 3, origin: [0, 0, 0] });
    const { volume, frame } = toVolume(await parseMrcBytes(bytes, 'yzx.mrc'));
    expect(volume.dims).toEqual([5, 6, 7]);
    expect(Array.from(volume.data)).toEqual(Array.from(truth.data));
    // nxstart belongs to the columns (y), nystart to rows (z), nzstart to sections (x).
    expect(frame.nstart).toEqual([3, 1, 2]);
    expect(volume.voxelSize).toEqual([1.5, 1.25, 2]);
    expect(volume.origin).toEqual([3 * 1.5, 1 * 1.25, 2 * 2]);
  });
});

describe('byte order from the machine stamp', () => {
  const v = iota([4, 3, 2]);
  it('reads the non-standard stamp 44 44 20 20 as little-endian without complaint (as mrcfile)', async () => {
    const file = await parseMrcBytes(craft(v, { machst: new Uint8Array([0x44, 0x44, 0x20, 0x20]) }), 'odd.mrc');
    expect(file.byteOrder).toBe('little');
    expect(file.issues).toEqual([]);
    expect(Array.from(file.data)).toEqual(Array.from(v.data));
  });
  it('reads a zero stamp from the data, with a note', async () => {
    const file = await parseMrcBytes(craft(v, { machst: new Uint8Array(4) }, { littleEndian: false }), 'zero.mrc');
    expect(file.byteOrder).toBe('big');
    expect(file.issues.map((i) => i.code)).toEqual(['MRC_ODD_MACHINE_STAMP']);
    expect(Array.from(file.data)).toEqual(Array.from(v.data));
  });
  it('refuses big-endian data under a little-endian stamp, and reads it in permissive mode', async () => {
    const bytes = craft(v, { machst: new Uint8Array([0x44, 0x44, 0, 0]) }, { littleEndian: false });
    const err = await errorOf(parseMrcBytes(bytes, 'wrong-stamp.mrc'));
    expect(err.message).toBe(
      'wrong-stamp.mrc: machine stamp (word 54) 0x44 0x44 0x00 0x00 says little-endian, but the mode word then reads 33554432 and only the other byte order gives a valid mode (2); the stamp is probably wrong (emvr analyze --permissive or emvr inspect --permissive reads it with the other byte order)',
    );
    const file = await parseMrcBytes(bytes, 'wrong-stamp.mrc', { permissive: true });
    expect(file.byteOrder).toBe('big');
    expect(Array.from(file.data)).toEqual(Array.from(v.data));
  });
});

describe('malformed maps get one clear error each', () => {
  const v = iota([10, 9, 7]);
  it('zero-length file', async () => {
    const f = await tmp('empty.mrc');
    await writeFile(f, new Uint8Array(0));
    expect((await errorOf(readMrc(f))).message).toBe(`${f}: file is empty (0 bytes); an MRC file starts with a 1024-byte header`);
  });
  it('file shorter than a header', async () => {
    const err = await errorOf(parseMrcBytes(new Uint8Array(1000), 'short.mrc'));
    expect(err.message).toBe('short.mrc: only 1000 bytes; an MRC file starts with a 1024-byte header');
  });
  it('truncated voxel data (plain file: refused from the file size, before allocating)', async () => {
    const f = await tmp('trunc.mrc');
    await writeFile(f, craft(v, {}, { dataBytes: 100 }));
    expect((await errorOf(readMrc(f))).message).toBe(
      `${f}: file is truncated: 1124 bytes, the header (nx 10, ny 9, nz 7, mode 2, nsymbt 0) needs 1024 + 0 + 2520 = 3544`,
    );
  });
  it('truncated voxel data inside a gzip file (refused from the gzip trailer, before allocating)', async () => {
    const f = await tmp('trunc.mrc.gz');
    await writeFile(f, await promisify(gzip)(craft(v, {}, { dataBytes: 100 })));
    expect((await errorOf(readMrc(f))).message).toBe(
      `${f}: the gzip trailer says the data decompresses to 1124 bytes (mod 2^32), but the header needs 3544: the file is truncated or its header is not its data (refused before allocating 2520 bytes)`,
    );
    // Read on past the trailer (permissive), the data itself shows the truncation.
    expect((await errorOf(readMrc(f, { permissive: true }))).message).toMatch(/decompressed data is truncated: 1124 bytes, the header \(nx 10, ny 9, nz 7, mode 2, nsymbt 0\) needs 3544$/u);
  });
  it('a header claiming 10¹² voxels is refused before allocating', async () => {
    const err = await errorOf(parseMrcBytes(craft(v, { nx: 10000, ny: 10000, nz: 10000 }, { dataBytes: 0 }), 'huge.mrc'));
    expect(err.issues.map((i) => i.code)).toContain('MRC_TOO_LARGE');
    expect(err.message).toBe('huge.mrc: nx·ny·nz = 10000·10000·10000 = 1.000e+12 voxels exceeds the limit of 1.500e+9 (raise it with --max-voxels if the map is real)');
  });
  it('negative dimensions', async () => {
    const err = await errorOf(parseMrcBytes(craft(v, { ny: -9 }), 'neg.mrc'));
    expect(err.message).toBe('neg.mrc: ny (number of rows) is -9, expected a positive integer');
  });
  it('unknown mode', async () => {
    const err = await errorOf(parseMrcBytes(craft(v, { mode: 7 }), 'mode7.mrc'));
    expect(err.message).toBe('mode7.mrc: mode 7 is not an MRC data mode; readable modes are 0, 1, 2, 6, 12');
  });
  it('known but unsupported mode', async () => {
    const err = await errorOf(parseMrcBytes(craft(v, { mode: 4 }), 'complex.mrc'));
    expect(err.message).toBe('complex.mrc: mode 4 (complex float32) is not supported; readable modes are 0, 1, 2, 6, 12');
  });
  it('axes that are not a permutation', async () => {
    const err = await errorOf(parseMrcBytes(craft(v, { mapc: 1, mapr: 1, maps: 3 }), 'axes.mrc'));
    expect(err.message).toBe('axes.mrc: mapc, mapr, maps (words 17–19) are 1, 1, 3, expected a permutation of 1, 2, 3');
  });
  it('not an MRC file at all', async () => {
    const junk = new TextEncoder().encode('<html>'.padEnd(4000, ' '));
    const err = await errorOf(parseMrcBytes(junk, 'page.html'));
    expect(err.issues.map((i) => i.code)).toContain('MRC_NO_MAP_ID');
  });
  it('bad gzip data', async () => {
    const f = await tmp('bad.mrc.gz');
    const good = new Uint8Array(await promisify(gzip)(encodeMrc(v)));
    good.fill(0x55, 20, 60);
    await writeFile(f, good);
    const err = await errorOf(readMrc(f));
    expect(err.issues.map((i) => i.code)).toContain('MRC_BAD_COMPRESSION');
    expect(err.message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: gzip data is corrupt \\(.+\\)$`));
  });
  it('trailing bytes after the voxel block', async () => {
    const bytes = new Uint8Array(encodeMrc(v).length + 8);
    bytes.set(encodeMrc(v));
    const err = await errorOf(parseMrcBytes(bytes, 'long.mrc'));
    expect(err.issues.map((i) => i.code)).toEqual(['MRC_TRAILING_BYTES']);
    const ok = await parseMrcBytes(bytes, 'long.mrc', { permissive: true });
    expect(ok.issues.map((i) => i.code)).toEqual(['MRC_TRAILING_BYTES']);
  });
  it('a missing file', async () => {
    const err = await errorOf(readMrc('/nonexistent/emd_1.map'));
    expect(err.message).toMatch(/^\/nonexistent\/emd_1\.map: cannot open: ENOENT/);
  });
});
