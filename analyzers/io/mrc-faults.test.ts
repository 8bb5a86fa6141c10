/**
 * Issue 23, faults 4, 6 and 8 (bz2): maps a fault probe made to break the reader. An absurd cell
 * (1e30 or 1e-30 Å) is refused at the header; a gzip whose header promises gigabytes is refused
 * before anything is allocated (trailer length and available memory); a cut-off .bz2 is said in
 * words, not as the decoder's TypeError. Every file is built here from bytes.
 */
import { execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeMrc, headerForVolume } from '../volume/to-mrc.ts';
import type { Volume } from '../volume/volume.ts';
import { MrcFormatError } from './mrc-errors.ts';
import { formatHeader, HEADER_BYTES } from './mrc-header.ts';
import { allocationIssues, gzipTrailerSize, parseMrcBytes } from './mrc.ts';

function cube(n: number, voxel: number): Volume {
  const data = new Float32Array(n * n * n);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37);
  return { dims: [n, n, n], voxelSize: [voxel, voxel, voxel], origin: [0, 0, 0], data };
}

/** A map file of `v` whose header words are overridden by `patch`, followed by `body` (default: the voxels). */
function withHeader(v: Volume, patch: Record<string, unknown>, body?: Uint8Array): Uint8Array {
  const full = encodeMrc(v);
  const data = body ?? full.subarray(HEADER_BYTES);
  const out = new Uint8Array(HEADER_BYTES + data.length);
  out.set(formatHeader({ ...headerForVolume(v), ...patch } as never, true), 0);
  out.set(data, HEADER_BYTES);
  return out;
}

async function refusal(p: Promise<unknown>): Promise<MrcFormatError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MrcFormatError);
  return err as MrcFormatError;
}

const gz = async (b: Uint8Array) => new Uint8Array(await promisify(gzip)(b));

describe('absurd cells are refused at the header', () => {
  const v = cube(10, 1);
  it('a cell of 1e30 Å (voxel 1e29 Å) is refused naming the axis, the value and the bounds', async () => {
    const err = await refusal(parseMrcBytes(withHeader(v, { cella: [1e30, 10, 10] }), 'huge-cell.mrc'));
    expect(err.issues.filter((i) => i.fatal).map((i) => i.code)).toEqual(['MRC_ABSURD_VOXEL_SIZE']);
    expect(err.message).toBe("huge-cell.mrc: voxel size along x is 1.000e+29 Å (cell length 1.000e+30 Å, word 11, over sampling 10), outside the plausible 0.01–10000 Å: the header's cell is broken");
  });
  it('a cell of 1e-30 Å is refused the same way', async () => {
    const err = await refusal(parseMrcBytes(withHeader(v, { cella: [10, 10, 1e-30] }), 'tiny-cell.mrc'));
    expect(err.message).toBe("tiny-cell.mrc: voxel size along z is 1.000e-31 Å (cell length 1.000e-30 Å, word 13, over sampling 10), outside the plausible 0.01–10000 Å: the header's cell is broken");
  });
  it('a plausible voxel on a box edge beyond 1 mm is refused as an absurd extent', async () => {
    const line: Volume = { dims: [2000, 1, 1], voxelSize: [10_000, 1, 1], origin: [0, 0, 0], data: new Float32Array(2000) };
    const err = await refusal(parseMrcBytes(encodeMrc(line), 'wide.mrc'));
    expect(err.message).toBe("wide.mrc: box edge along x is 2.000e+7 Å (2000 voxels of 1.000e+4 Å), more than the plausible 1e+7 Å: the header's cell is broken");
  });
  it('the bounds are inclusive of real maps: 0.2 Å and 40 Å voxels read', async () => {
    for (const s of [0.2, 40]) {
      const f = await parseMrcBytes(encodeMrc(cube(10, s)), `v${s}.mrc`);
      expect(f.issues.filter((i) => i.code.startsWith('MRC_ABSURD'))).toEqual([]);
    }
  });
  it('a permissive read refuses an absurd cell too (no data can be placed in space with it)', async () => {
    const err = await refusal(parseMrcBytes(withHeader(v, { cella: [1e30, 1e30, 1e30] }), 'huge.mrc', { permissive: true }));
    expect(err.issues.filter((i) => i.fatal).map((i) => i.code)).toEqual(['MRC_ABSURD_VOXEL_SIZE', 'MRC_ABSURD_VOXEL_SIZE', 'MRC_ABSURD_VOXEL_SIZE']);
  });
});

describe('a gzip bomb within the voxel limit is refused before allocating', () => {
  it('a small gzip whose header promises 1000³ float32 (4 GB) is refused from the trailer length', async () => {
    const v = cube(10, 1);
    // 1e9 voxels is within the 1.5e9 limit; the stream holds 1 MiB of zeros after the header.
    const bomb = await gz(withHeader(v, { nx: 1000, ny: 1000, nz: 1000, mx: 1000, my: 1000, mz: 1000, cella: [1000, 1000, 1000] }, new Uint8Array(1 << 20)));
    const t0 = performance.now();
    const rss0 = process.memoryUsage().rss;
    const err = await refusal(parseMrcBytes(bomb, 'bomb.mrc.gz'));
    expect(err.issues.filter((i) => i.fatal).map((i) => i.code)).toContain('MRC_GZIP_SIZE_MISMATCH');
    expect(err.message).toContain(`the gzip trailer says the data decompresses to ${1024 + (1 << 20)} bytes (mod 2^32), but the header needs ${1024 + 4e9}: the file is truncated or its header is not its data (refused before allocating 3.73 GiB)`);
    // Nothing near 4 GB was touched.
    expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * 2 ** 20);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
  it('an honest gzip (trailer agrees) is refused when its arrays exceed the available memory', async () => {
    const v = cube(40, 1);
    const file = await gz(encodeMrc(v));
    expect(gzipTrailerSize(file.subarray(file.length - 4))).toBe(1024 + 4 * 40 ** 3);
    const err = await refusal(parseMrcBytes(file, 'honest.mrc.gz', { availableMemory: 100_000 }));
    expect(err.message).toBe('honest.mrc.gz: holding the map needs 256000 bytes of memory, but only 100000 bytes is available');
    expect(err.issues.map((i) => i.code)).toEqual(['MRC_NOT_ENOUGH_MEMORY']);
    const ok = await parseMrcBytes(file, 'honest.mrc.gz', { availableMemory: 4 * 40 ** 3 });
    expect(Array.from(ok.data.subarray(0, 5))).toEqual(Array.from(v.data.subarray(0, 5)));
  });
  it('allocationIssues: the trailer is compared modulo 2^32, memory in bytes', () => {
    const five = 5 * 2 ** 30 + 1024;
    expect(allocationIssues(five, 5 * 2 ** 30, five % 2 ** 32, 8 * 2 ** 30)).toEqual([]);
    expect(allocationIssues(five, 5 * 2 ** 30, null, 4 * 2 ** 30).map((i) => [i.code, i.message])).toEqual([['MRC_NOT_ENOUGH_MEMORY', 'holding the map needs 5.00 GiB of memory, but only 4.00 GiB is available']]);
    expect(allocationIssues(five, 5 * 2 ** 30, 1024, 8 * 2 ** 30).map((i) => i.code)).toEqual(['MRC_GZIP_SIZE_MISMATCH']);
  });
});

const haveBzip2 = (() => {
  try {
    execFileSync('bzip2', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!haveBzip2) console.warn('SKIPPED truncated .bz2 message: no bzip2 program to make one');

describe.skipIf(!haveBzip2)('a truncated .bz2', () => {
  it('gives a clear message, not the decoder\'s TypeError', async () => {
    const whole = new Uint8Array(execFileSync('bzip2', ['-c'], { input: encodeMrc(cube(40, 1.5)) }));
    for (const cut of [100, Math.floor(whole.length / 2), whole.length - 10]) {
      const err = await refusal(parseMrcBytes(whole.subarray(0, cut), 'cut.mrc.bz2'));
      expect(err.message).not.toMatch(/Cannot read properties|undefined/u);
      expect(err.message).toMatch(/^cut\.mrc\.bz2: (bzip2 data is truncated or corrupt: decompression stopped after \d+ bytes of output \((the file ends early or is damaged|input stream ended prematurely); download it again\)|decompressed data is truncated: \d+ bytes, the header .* needs \d+)$/u);
    }
  });
});
