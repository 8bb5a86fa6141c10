/**
 * Issue 23, faults 3 and 8 (read-only --out): output that cannot be written. A full disk used to
 * leave `analyze` with 10–39 files and no report, and `nightly` exiting 70 "cannot rollback"; a
 * read-only --out read "ENOENT … mkdir". Here the disk really is full: a small tmpfs is mounted as
 * --out (the test runs as root on the CI machine; elsewhere those cases skip with a message), and
 * the ENOSPC of /dev/full checks the wording without a mount. After a failure nothing
 * half-written may remain: no staging folder, no `.part`, no `.tmp-*`, no lock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CannotWriteError, explainWriteError } from '../../analyzers/io/write-errors.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { encodeMrc } from '../../analyzers/volume/to-mrc.ts';
import { startMirror, type Mirror } from '../mirror/mirror.ts';
import { writeSimulatedEntries } from '../mirror/mirror-folder.ts';
import { Ledger } from '../nightly/ledger.ts';

const cli = path.join(projectRoot, 'scripts', 'cli.ts');
let work = '';
const mounts: string[] = [];

/** Mounts a tmpfs of `size` (e.g. "1m") at a new folder, read-only when asked; null when not allowed. */
async function tmpfs(size: string, readOnly = false): Promise<string | null> {
  const dir = await mkdtemp(path.join(work, 'mnt-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  mounts.push(dir);
  return dir;
}

const canMount = process.getuid?.() === 0 && spawnSync('which', ['mount']).status === 0;
if (!canMount) console.warn('SKIPPED full-disk and read-only tmpfs cases: mounting a tmpfs needs root (the /dev/full wording test still runs)');

/** Every file (not folder) under `root`, relative. */
async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(root, p));
    }
  };
  await walk(root);
  return out.sort();
}

/** Runs the CLI to its end without blocking this event loop (the mirror answers from here). */
function emvr(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EMVR_DEBUG: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const halfWritten = (f: string) => /(\.part|\.part\.json|\.tmp-\d+-[0-9a-f]+|nightly\.lock)$|(^|\/)\.staging-|(^|\/)staging\//u.test(f);

let mapFile = '';
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'emvr-write-faults-'));
  const p = await makePhantom('well-behaved', { box: 80 });
  mapFile = path.join(work, 'well-behaved.mrc');
  await writeFile(mapFile, encodeMrc(p.volume));
});

afterAll(async () => {
  for (const m of mounts) spawnSync('umount', [m]);
  await rm(work, { recursive: true, force: true });
});

describe('write errors in words', () => {
  it('ENOSPC (here from /dev/full) becomes "disk full: cannot write <file>"', async () => {
    const raw = await writeFile('/dev/full', 'x').catch((e: unknown) => e);
    expect((raw as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const e = await explainWriteError(raw, '/data/out/report.json');
    expect(e).toBeInstanceOf(CannotWriteError);
    expect((e as Error).message).toBe('disk full: cannot write /data/out/report.json (no space left on device)');
  });
  it('SQLite\'s "database or disk is full" (SQLITE_FULL) is a full disk too', async () => {
    const e = await explainWriteError(Object.assign(new Error('database or disk is full'), { errcode: 13 }), '/data/out/ledger.sqlite');
    expect((e as Error).message).toBe('disk full: cannot write /data/out/ledger.sqlite (no space left on device)');
  });
  it('other errors pass through unchanged', async () => {
    const other = new Error('something else');
    expect(await explainWriteError(other, '/x')).toBe(other);
  });
});

describe.skipIf(!canMount)('a read-only --out', () => {
  it('analyze says "cannot write to <folder> (read-only file system)", not ENOENT … mkdir', async () => {
    const ro = await tmpfs('1m', true);
    expect(ro).not.toBeNull();
    const raw = await mkdir(path.join(ro!, 'content', 'entries'), { recursive: true }).catch((e: unknown) => e);
    expect((raw as NodeJS.ErrnoException).code).toBe('ENOENT'); // Node's recursive mkdir hides the EROFS
    const r = await emvr(['analyze', '--map', mapFile, '--threshold', '0.02', '--id', 'EMD-1234', '--out', path.join(ro!, 'content'), '--no-figures']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`emvr analyze: error: cannot write to ${ro} (read-only file system)\n`);
    const n = await emvr(['nightly', '--emdb', 'http://127.0.0.1:9', '--out', path.join(ro!, 'out'), '--ids', 'EMD-1234', '--no-site']);
    expect(n.code).toBe(1);
    expect(n.err).toBe(`emvr nightly: error: cannot write to ${ro} (read-only file system); choose a writable --out\n`);
  }, 60_000);
});

describe.skipIf(!canMount)('a full disk (1 MB tmpfs as --out)', () => {
  let mirror: Mirror;
  beforeAll(async () => {
    const mirrorDir = await mkdtemp(path.join(work, 'mirror-'));
    await writeSimulatedEntries(mirrorDir, { names: ['well-behaved', 'decentred'], box: 80 });
    mirror = await startMirror({ dir: mirrorDir });
  });
  afterAll(async () => {
    await mirror?.close();
  });

  it('analyze fails with "disk full" naming the file and leaves no file at all', async () => {
    const out = await tmpfs('1m');
    const r = await emvr(['analyze', '--map', mapFile, '--threshold', '0.02', '--resolution', '4', '--id', 'EMD-1234', '--out', out!]);
    expect(r.code).toBe(1);
    // The steps done before the disk filled have their progress lines first.
    expect(r.err).toMatch(new RegExp(`^(?:.+ … [a-z-]+, \\d+\\.\\d s\\n)*emvr analyze: error: disk full: cannot write ${out}/entries/\\.staging-EMD-1234-\\d+-[0-9a-f]{6}/\\S+ \\(no space left on device\\)\\n$`, 'u'));
    expect(await files(out!)).toEqual([]);
  }, 120_000);

  it('nightly stops with "disk full" naming the download, exit 1, and leaves nothing half-written', async () => {
    const out = await tmpfs('1m');
    const r = await emvr(['nightly', '--emdb', mirror.url, '--out', out!, '--ids', 'EMD-90001,EMD-90002', '--workers', '1', '--no-site', '--no-progress', '--request-interval', '0', '--backoff', '20']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^emvr nightly: error: disk full: cannot write ${out}/cache/EMD-9000[12]/emd_9000[12]\\.map\\.gz\\.part \\(no space left on device\\); free space \\(or choose another --out\\) and run the same command again: finished entries are kept\\n$`, 'u'));
    expect(r.err).not.toMatch(/cannot rollback|internal error/u);
    expect((await files(out!)).filter(halfWritten)).toEqual([]);
  }, 120_000);

  it('nightly with room for the maps but not the analysis: the staging folder goes, the ledger says why', async () => {
    const out = await tmpfs('3m');
    const r = await emvr(['nightly', '--emdb', mirror.url, '--out', out!, '--ids', 'EMD-90001', '--workers', '1', '--no-site', '--no-progress', '--request-interval', '0']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^emvr nightly: error: disk full: cannot write ${out}/cache/staging/run-1/EMD-90001/\\S+ \\(no space left on device\\); free space`, 'u'));
    const left = await files(out!);
    expect(left.filter(halfWritten)).toEqual([]);
    // The verified map stays (complete, with its sidecar): the next run resumes from it.
    expect(left).toEqual(expect.arrayContaining(['cache/EMD-90001/emd_90001.map.gz', 'cache/EMD-90001/emd_90001.map.gz.json']));
    expect(existsSync(path.join(out!, 'cache', 'staging', 'run-1'))).toBe(false);
    const ledger = Ledger.open(path.join(out!, 'ledger.sqlite'), { readOnly: true });
    try {
      const [run] = ledger.runs(1);
      expect(run.status).toBe('failed');
      expect(run.notes).toMatch(/^run failed: disk full: cannot write .*\/cache\/staging\/run-1\/EMD-90001\/\S+ \(no space left on device\)$/u);
    } finally {
      ledger.close();
    }
  }, 180_000);
});
