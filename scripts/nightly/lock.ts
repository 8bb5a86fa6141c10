/**
 * One nightly run per output folder: `<out>/nightly.lock` holds the owner's pid and the pids of
 * the processes it started (analysis workers, the site builder). A lock whose owner is gone
 * (kill -9, power cut) is taken over; its recorded children that still run — a site build, say,
 * which does not notice its parent died — are stopped first, so two runs never write the same
 * folder. A child pid is only signalled when /proc shows the command line this program gave it.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';

interface LockData {
  pid: number;
  startedAt: string;
  children: { pid: number; marker: string }[];
}

/** The lock is held by a live process. */
export class LockedError extends Error {
  override name = 'LockedError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/gu, ' ');
  } catch {
    return null;
  }
}

/** The held lock of one output folder (see the file comment). */
export class NightlyLock {
  readonly file: string;
  private data: LockData;

  private constructor(file: string, data: LockData) {
    this.file = file;
    this.data = data;
  }

  /** Takes the lock of `outDir` (stopping a dead owner's leftover children); throws LockedError if a live run holds it. */
  static async acquire(outDir: string, log: (m: string) => void = () => undefined): Promise<NightlyLock> {
    const file = path.join(outDir, 'nightly.lock');
    const data: LockData = { pid: process.pid, startedAt: new Date().toISOString(), children: [] };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await open(file, 'wx');
        await fh.writeFile(JSON.stringify(data));
        await fh.sync();
        await fh.close();
        return new NightlyLock(file, data);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let old: LockData | null = null;
      try {
        old = JSON.parse(await readFile(file, 'utf8')) as LockData;
      } catch {
        old = null;
      }
      if (old && old.pid !== process.pid && alive(old.pid)) {
        throw new LockedError(`another nightly run (pid ${old.pid}, started ${old.startedAt}) is using ${outDir}; wait for it or stop it`);
      }
      for (const c of old?.children ?? []) {
        const cl = alive(c.pid) ? cmdline(c.pid) : null;
        if (cl !== null && c.marker !== '' && cl.includes(c.marker)) {
          log(`stopping process ${c.pid} left running by an interrupted run`);
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
          for (let i = 0; i < 50 && alive(c.pid); i++) await sleep(20);
        }
      }
      await rm(file, { force: true });
    }
    throw new LockedError(`could not take ${file}`);
  }

  /** Records a child process (pid + a text its command line contains) so a later run can stop it if this one dies. */
  async addChild(pid: number, marker: string): Promise<void> {
    this.data.children = [...this.data.children.filter((c) => alive(c.pid)), { pid, marker }];
    await writeFileAtomic(this.file, JSON.stringify(this.data));
  }

  async release(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
