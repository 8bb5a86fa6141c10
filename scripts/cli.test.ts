/**
 * The CLI as a user meets it: real processes, exit codes, one clear message per bad input and
 * never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatHeader } from '../analyzers/io/mrc-header.ts';
import { encodeMrc, headerForVolume } from '../analyzers/volume/to-mrc.ts';
import { projectRoot } from '../analyzers/testing/fixtures.ts';
import type { Volume } from '../analyzers/volume/volume.ts';

const cli = path.join(projectRoot, 'scripts', 'cli.ts');

function emvr(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, EMVR_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function blob(): Volume {
  const dims = [24, 22, 20] as const;
  const data = new Float32Array(24 * 22 * 20);
  for (let z = 0; z < 20; z++) for (let y = 0; y < 22; y++) for (let x = 0; x < 24; x++) {
    const r2 = (x - 12) ** 2 + (y - 11) ** 2 + (z - 10) ** 2;
    data[x + 24 * (y + 22 * z)] = Math.exp(-r2 / 18) + 0.001 * Math.sin(x * 7 + y * 3 + z);
  }
  return { dims, voxelSize: [1.5, 1.5, 1.5], origin: [0, 0, 0], data };
}

const bad: Record<string, Uint8Array> = {};
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'emvr-cli-'));
  const v = blob();
  const good = encodeMrc(v);
  const withHeader = (patch: Record<string, unknown>, body = good.subarray(1024)) => {
    const h = formatHeader({ ...headerForVolume(v), ...patch } as never, true);
    const out = new Uint8Array(1024 + body.length);
    out.set(h);
    out.set(body, 1024);
    return out;
  };
  bad['truncated.mrc'] = good.subarray(0, 5000);
  bad['huge.mrc'] = withHeader({ nx: 10000, ny: 10000, nz: 10000 });
  bad['negative.mrc'] = withHeader({ nz: -20 });
  bad['mode9.mrc'] = withHeader({ mode: 9 });
  bad['empty.mrc'] = new Uint8Array(0);
  const gz = new Uint8Array(await promisify(gzip)(good));
  gz.fill(0, 30, 90);
  bad['badgzip.mrc.gz'] = gz;
  bad['bigendian-wrong-stamp.mrc'] = (() => {
    const be = encodeMrc(v, { littleEndian: false });
    be.set([0x44, 0x44, 0, 0], 212);
    return be;
  })();
  bad['text.mrc'] = new TextEncoder().encode('this is not a map\n'.repeat(100));
  for (const [name, bytes] of Object.entries(bad)) await writeFile(path.join(dir, name), bytes);
  await writeFile(path.join(dir, 'good.mrc'), good);
});

describe('emvr', () => {
  it('prints help for every command and exits 0', () => {
    const top = emvr('--help');
    expect(top.code).toBe(0);
    const names = [...top.out.matchAll(/^ {2}([a-z-]+) {2,}/gmu)].map((m) => m[1]);
    expect(names).toEqual(expect.arrayContaining(['analyze', 'inspect', 'simulate', 'demo']));
    for (const n of names) {
      const r = emvr(n, '--help');
      expect(r.code, n).toBe(0);
      expect(r.out, n).toMatch(new RegExp(`^usage: emvr ${n}`));
    }
  });
  it('refuses unknown commands and options with exit code 2', () => {
    expect(emvr('frobnicate').code).toBe(2);
    const r = emvr('inspect', '--bogus', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^emvr inspect: Unknown option '--bogus'/);
  });
  it('inspect --json gives dims, voxel size, origin, mode, stats and NaN count', () => {
    const r = emvr('inspect', path.join(dir, 'good.mrc'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.dims).toEqual([24, 22, 20]);
    expect(j.voxelSize).toEqual([1.5, 1.5, 1.5]);
    expect(j.origin).toEqual([0, 0, 0]);
    expect(j.mode).toBe(2);
    expect(j.nanCount).toBe(0);
    expect(Object.keys(j.stats)).toEqual(['min', 'max', 'mean', 'std']);
  });
  for (const name of ['truncated.mrc', 'huge.mrc', 'negative.mrc', 'mode9.mrc', 'empty.mrc', 'badgzip.mrc.gz', 'bigendian-wrong-stamp.mrc', 'text.mrc']) {
    it(`inspect and analyze refuse ${name} with one clear line, exit 1, no stack trace`, () => {
      for (const args of [['inspect', path.join(dir, name)], ['analyze', '--map', path.join(dir, name), '--threshold', '0.5', '--out', path.join(dir, 'content')]]) {
        const r = emvr(...args);
        expect(r.code, r.err).toBe(1);
        const lines = r.err.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^emvr ${args[0]}: error: .*${name.replace('.', '\\.')}: `));
        expect(r.err).not.toMatch(/\n\s+at /);
      }
    });
  }
  it('analyze refuses a threshold above every voxel, writing no report', () => {
    const r = emvr('analyze', '--map', path.join(dir, 'good.mrc'), '--threshold', '5', '--id', 'EMD-1234', '--out', path.join(dir, 'c2'));
    expect(r.code).toBe(1);
    // The map was read (its progress line comes first), then the masks refuse the threshold.
    expect(r.err).toMatch(/^Reading the inputs … done, \d+\.\d s\nemvr analyze: error: threshold 5 is too high: no voxel of .*good\.mrc reaches it \(map maximum [0-9.]+\); lower it\n$/);
    expect(spawnSync('ls', [path.join(dir, 'c2', 'entries', 'EMD-1234', 'report.json')]).status).not.toBe(0);
  });
  it('analyze refuses bad half maps (one given, one missing, one truncated, one on another grid) with one clear line and writes nothing', async () => {
    const good = path.join(dir, 'good.mrc');
    const other = path.join(dir, 'other-grid.mrc');
    await writeFile(other, encodeMrc({ ...blob(), voxelSize: [1.6, 1.6, 1.6] }));
    const out = path.join(dir, 'c-halves');
    const base = ['analyze', '--map', good, '--threshold', '0.5', '--resolution', '4', '--id', 'EMD-4322', '--out', out, '--no-figures'];
    const cases: Array<[string[], number, RegExp]> = [
      [['--half-maps', good], 2, /--half-maps takes two files, got 1/],
      [['--half-maps', good, path.join(dir, 'absent.mrc')], 1, /^emvr analyze: error: .*absent\.mrc: cannot open/],
      [['--half-maps', good, path.join(dir, 'truncated.mrc')], 1, /^emvr analyze: error: .*truncated\.mrc: file is truncated/],
      [['--half-maps', good, other], 1, /^emvr analyze: error: half map .*other-grid\.mrc \(24×22×20 voxels of 1\.6×1\.6×1\.6 Å\) is not on the grid of the map .*good\.mrc \(24×22×20 voxels of 1\.5×1\.5×1\.5 Å\)/],
    ];
    for (const [extra, code, message] of cases) {
      const r = emvr(...base, ...extra);
      expect(r.code, r.err).toBe(code);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(spawnSync('ls', [path.join(out, 'entries', 'EMD-4322')]).status).not.toBe(0);
    }
  });
  it('analyze refuses an ID that could escape the output folder', () => {
    const r = emvr('analyze', '--map', path.join(dir, 'good.mrc'), '--threshold', '0.5', '--id', '../../etc');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--id must be an EMDB ID/);
  });
  it('analyze with a bad --model: Level 0 reported and A.a not applicable naming the file (empty, truncated gzip, far outside, 1e9 Å); a missing file refused in one line', async () => {
    const far = 'ATOM      1  CA  ALA A   1    9000.0009000.0009000.000  1.00 20.00           C\nEND\n';
    const huge = 'data_x\nloop_\n_atom_site.id\n_atom_site.auth_atom_id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n1 CA 1e9 16 15\n2 CA 18 16 15\n';
    const gz = new Uint8Array(await promisify(gzip)(far)).subarray(0, 20);
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['empty.pdb', '', /the model cannot be read: .*empty\.pdb: /u],
      ['truncated.pdb.gz', gz, /the model cannot be read: .*truncated\.pdb\.gz: gzip data could not be decompressed/u],
      ['far.pdb', far, /the model is not usable: .*far\.pdb: 1 of the model's 1 atoms lie outside/u],
      ['huge.cif', huge, /the model is not usable: .*huge\.cif: the model spans/u],
    ];
    for (const [name, bytes, reason] of cases) {
      await writeFile(path.join(dir, name), bytes);
      const r = emvr('analyze', '--map', path.join(dir, 'good.mrc'), '--threshold', '0.5', '--resolution', '4', '--id', 'EMD-4323', '--out', path.join(dir, `m-${name}`), '--no-figures', '--model', path.join(dir, name));
      expect(r.code, `${name}: ${r.err}`).toBe(0);
      expect(r.out, name).toMatch(/^EMD-4323: \d of \d evaluable items pass/u);
      expect(r.out, name).toMatch(/0\.a Mass analysis/u);
      expect(r.out, name).toMatch(new RegExp(`A\\.a .* not-applicable: .*${reason.source}`, 'u'));
    }
    const missing = emvr('analyze', '--map', path.join(dir, 'good.mrc'), '--threshold', '0.5', '--id', 'EMD-4324', '--out', path.join(dir, 'm-missing'), '--model', path.join(dir, 'absent.cif'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^emvr analyze: error: .*absent\.cif.*\n$/u);
  });
  it('analyze writes a report and prints the score', async () => {
    const out = path.join(dir, 'c3');
    const r = emvr('analyze', '--map', path.join(dir, 'good.mrc'), '--threshold', '0.5', '--resolution', '4', '--id', 'EMD-4321', '--out', out, '--no-figures');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^EMD-4321: \d of \d evaluable items pass/);
    const report = JSON.parse(await readFile(path.join(out, 'entries', 'EMD-4321', 'report.json'), 'utf8'));
    expect(report.entry.id).toBe('EMD-4321');
  });
});
