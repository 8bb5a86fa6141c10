/**
 * Issue 23, fault 8 (ensure-debian): when another process holds the dpkg lock, ensure-debian used
 * to fail and blame permissions. It now finds the holder in /proc/locks, waits for it, and words
 * a failure by its cause. A real POSIX lock (fcntl, as apt takes it) is held by a Python process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainAptFailure, lockHolder, waitForDpkgLock } from './ensure-debian.ts';

const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
const haveLocks = existsSync('/proc/locks') && python !== undefined;
if (!haveLocks) console.warn('SKIPPED dpkg lock waiting: needs /proc/locks and python3 to hold a lock');

const held: ChildProcess[] = [];
let dir = '';
afterAll(async () => {
  for (const c of held) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A process holding an fcntl write lock on `file` for `seconds` (resolves once it holds it). */
async function holdLock(file: string, seconds: number): Promise<ChildProcess> {
  const code = 'import fcntl, sys, time\nf = open(sys.argv[1], "w")\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint("locked", flush=True)\ntime.sleep(float(sys.argv[2]))\n';
  const c = spawn(python!, ['-c', code, file, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  held.push(c);
  await new Promise<void>((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    c.once('exit', () => reject(new Error('lock holder exited early')));
  });
  return c;
}

describe.skipIf(!haveLocks)('the dpkg lock held by another process', () => {
  it('is found in /proc/locks with the holder pid and command', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'emvr-dpkg-lock-'));
    const file = path.join(dir, 'lock-frontend');
    await writeFile(file, '');
    expect(lockHolder(file)).toBeNull();
    const c = await holdLock(file, 30);
    expect(lockHolder(file)).toEqual({ pid: c.pid, command: 'python3' });
    c.kill('SIGKILL');
    await new Promise((r) => c.once('exit', r));
    expect(lockHolder(file)).toBeNull();
  });

  it('is waited for, naming the holder, until released', async () => {
    const file = path.join(dir, 'lock');
    await writeFile(file, '');
    const c = await holdLock(file, 1.5);
    const lines: string[] = [];
    const t0 = performance.now();
    const free = await waitForDpkgLock([path.join(dir, 'absent'), file], { timeoutMs: 20_000, pollMs: 100, log: (m) => lines.push(m) });
    const ms = performance.now() - t0;
    expect(free).toBe(true);
    expect(ms).toBeGreaterThan(800);
    expect(ms).toBeLessThan(10_000);
    expect(lines).toEqual([`ensure-debian: waiting for the dpkg lock ${file}, held by process ${c.pid} (python3), up to 20 s`]);
  });

  it('gives up at the timeout while still held', async () => {
    const file = path.join(dir, 'lists-lock');
    await writeFile(file, '');
    await holdLock(file, 30);
    const t0 = performance.now();
    expect(await waitForDpkgLock([file], { timeoutMs: 500, pollMs: 100 })).toBe(false);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('apt-get failures in words', () => {
  it('a lock held by another process is said as such, not as a permission problem, even as root', () => {
    const stderr = 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?\n';
    expect(explainAptFailure(stderr, true, ['slurm-wlm'])).toBe(
      'ensure-debian: could not install slurm-wlm: another process holds the dpkg lock (Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)); try again when it has finished; tests that need them will skip',
    );
  });
  it('permissions are blamed only when sudo refused', () => {
    expect(explainAptFailure('sudo: a password is required\n', false, ['munge'])).toBe('ensure-debian: could not install munge (need root or passwordless sudo); tests that need them will skip');
    expect(explainAptFailure('E: Unable to locate package nosuch\n', true, ['nosuch'])).toBe('ensure-debian: could not install nosuch (apt-get failed: E: Unable to locate package nosuch); tests that need them will skip');
  });
});
