/**
 * Issue 23, fault 8 (messages) and the refusals of faults 4 and 6 as a user meets them: every flag
 * a message suggests is one the command accepts, and an absurd cell or a gzip bomb is one clear
 * line with exit 1, quickly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHeader, HEADER_BYTES } from '../analyzers/io/mrc-header.ts';
import { projectRoot } from '../analyzers/testing/fixtures.ts';
import { encodeMrc, headerForVolume } from '../analyzers/volume/to-mrc.ts';
import type { Volume } from '../analyzers/volume/volume.ts';

const cli = path.join(projectRoot, 'scripts', 'cli.ts');
function emvr(...args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, EMVR_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

/** A Gaussian blob on a 24×22×20 grid of 1.5 Å voxels. */
function blob(): Volume {
  const dims = [24, 22, 20] as const;
  const data = new Float32Array(24 * 22 * 20);
  for (let z = 0; z < 20; z++) for (let y = 0; y < 22; y++) for (let x = 0; x < 24; x++) {
    data[x + 24 * (y + 22 * z)] = Math.exp(-((x - 12) ** 2 + (y - 11) ** 2 + (z - 10) ** 2) / 18);
  }
  return { dims, voxelSize: [1.5, 1.5, 1.5], origin: [0, 0, 0], data };
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'emvr-cli-messages-'));
  const v = blob();
  const be = encodeMrc(v, { littleEndian: false });
  be.set([0x44, 0x44, 0, 0], 212); // a little-endian stamp on big-endian data
  await writeFile(path.join(dir, 'wrong-stamp.mrc'), be);
  const patched = (patch: Record<string, unknown>, body: Uint8Array) => {
    const out = new Uint8Array(HEADER_BYTES + body.length);
    out.set(formatHeader({ ...headerForVolume(v), ...patch } as never, true), 0);
    out.set(body, HEADER_BYTES);
    return out;
  };
  const voxels = encodeMrc(v).subarray(HEADER_BYTES);
  await writeFile(path.join(dir, 'huge-cell.mrc'), patched({ cella: [1e30, 1e30, 1e30] }, voxels));
  await writeFile(path.join(dir, 'tiny-cell.mrc'), patched({ cella: [1e-30, 1e-30, 1e-30] }, voxels));
  const bomb = patched({ nx: 1100, ny: 1100, nz: 1100, mx: 1100, my: 1100, mz: 1100, cella: [1650, 1650, 1650] }, new Uint8Array(1 << 20));
  await writeFile(path.join(dir, 'bomb.mrc.gz'), await promisify(gzip)(bomb));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('messages', () => {
  it('the byte-order refusal of analyze suggests --permissive, and analyze --permissive reads the map with a note', async () => {
    const map = path.join(dir, 'wrong-stamp.mrc');
    const out = path.join(dir, 'content');
    const refused = emvr('analyze', '--map', map, '--threshold', '0.5', '--id', 'EMD-4321', '--out', out, '--no-figures');
    expect(refused.code).toBe(1);
    const suggested = [...refused.err.matchAll(/emvr (analyze|inspect) (--[a-z-]+)/gu)].map((m) => [m[1], m[2]]);
    expect(suggested).toEqual([['analyze', '--permissive'], ['inspect', '--permissive']]);
    for (const [cmd, flag] of suggested) expect(emvr(cmd, '--help').out).toContain(`  ${flag} `);
    const ok = emvr('analyze', '--map', map, '--threshold', '0.5', '--id', 'EMD-4321', '--out', out, '--no-figures', '--permissive');
    expect(ok.code, ok.err).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'entries', 'EMD-4321', 'report.json'), 'utf8')) as { inputs: { map: { notes: { code: string; message: string }[]; stats: { max: number } } } };
    expect(report.inputs.map.notes.map((n) => n.code)).toEqual(['MRC_STAMP_MISMATCH']);
    expect(report.inputs.map.notes[0].message).toMatch(/; read with the other byte order$/u);
    // Read in the right order, the blob's peak is 1 (read in the wrong one it would be noise).
    expect(report.inputs.map.stats.max).toBeCloseTo(1, 6);
  });

  for (const name of ['huge-cell.mrc', 'tiny-cell.mrc']) {
    it(`an absurd cell (${name}) is refused by analyze and by inspect at the header, in one line`, () => {
      for (const args of [['inspect', path.join(dir, name)], ['analyze', '--map', path.join(dir, name), '--threshold', '0.5', '--out', path.join(dir, 'c-cell')]]) {
        const r = emvr(...args);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(new RegExp(`^emvr ${args[0]}: error: \\S+${name.replace('.', '\\.')}: voxel size along x is 4\\.167e[+-]\\d+ Å .*outside the plausible 0\\.01–10000 Å: the header's cell is broken; .*\\n$`, 'u'));
      }
    });
  }

  it('a gzip bomb within the voxel limit (a 1 MB stream promising 1100³ float32, 5 GiB) is refused before allocating', () => {
    const r = emvr('inspect', path.join(dir, 'bomb.mrc.gz'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^emvr inspect: error: \S+bomb\.mrc\.gz: the gzip trailer says the data decompresses to 1049600 bytes \(mod 2\^32\), but the header needs 5324001024: the file is truncated or its header is not its data \(refused before allocating 4\.96 GiB\)(; holding the map needs 4\.96 GiB of memory, but only [\d.]+ GiB is available)?\n$/u);
  });
});
