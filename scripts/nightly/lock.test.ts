/**
 * Issue 23, fault 5: a lock left by a dead run whose pid now belongs to another program used to
 * block every later run. The owner counts as running only if the pid is alive AND has the start
 * time the lock recorded (for a lock of an older version: AND runs Node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LockedError, NightlyLock, ownerRuns, processStartTime } from './lock.ts';

const haveProc = existsSync('/proc/self/stat');
if (!haveProc) console.warn('SKIPPED lock start-time checks: no /proc on this system (the pid alone decides there)');

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A live process of another program (sleep), standing for whoever got the dead run's pid. */
async function foreignProcess(): Promise<number> {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  await new Promise((r) => c.once('spawn', r));
  return c.pid!;
}

async function outDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'emvr-lock-'));
  dirs.push(d);
  return d;
}

describe.skipIf(!haveProc)('nightly lock', () => {
  it('reads a process start time that is stable for one process and differs from a later one', async () => {
    const a = processStartTime(process.pid);
    expect(a).toMatch(/^\d+$/u);
    expect(processStartTime(process.pid)).toBe(a);
    expect(processStartTime(2 ** 22 + 12345)).toBeNull();
  });

  it('takes over a lock whose pid is alive but is another program started at another time', async () => {
    const out = await outDir();
    const pid = await foreignProcess();
    const real = processStartTime(pid)!;
    const stale = { pid, procStart: String(Number(real) - 1000), startedAt: '2026-01-01T00:00:00.000Z', children: [] };
    await writeFile(path.join(out, 'nightly.lock'), JSON.stringify(stale));
    expect(ownerRuns(stale)).toBe(false);
    const lines: string[] = [];
    const lock = await NightlyLock.acquire(out, (l) => lines.push(l));
    expect(lines).toEqual([`taking over ${path.join(out, 'nightly.lock')}: its pid ${pid} now belongs to another process (sleep 60 ), not the run that wrote it`]);
    const data = JSON.parse(await readFile(lock.file, 'utf8')) as { pid: number; procStart: string };
    expect(data).toMatchObject({ pid: process.pid, procStart: processStartTime(process.pid) });
    await lock.release();
  });

  it('takes over a lock of the older format (no start time) whose pid is not a Node process', async () => {
    const out = await outDir();
    const pid = await foreignProcess();
    await writeFile(path.join(out, 'nightly.lock'), JSON.stringify({ pid, startedAt: '2026-01-01T00:00:00.000Z', children: [] }));
    const lock = await NightlyLock.acquire(out);
    await lock.release();
  });

  it('still refuses while the recorded process itself runs (same pid, same start time)', async () => {
    const out = await outDir();
    const pid = await foreignProcess();
    await writeFile(path.join(out, 'nightly.lock'), JSON.stringify({ pid, procStart: processStartTime(pid), startedAt: '2026-01-01T00:00:00.000Z', children: [] }));
    await expect(NightlyLock.acquire(out)).rejects.toThrow(LockedError);
    await expect(NightlyLock.acquire(out)).rejects.toThrow(`another nightly run (pid ${pid}, started 2026-01-01T00:00:00.000Z) is using ${out}; wait for it or stop it`);
  });
});
