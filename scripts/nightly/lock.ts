/**
 * One nightly run per output folder: `<out>/nightly.lock` holds the owner's pid, the kernel's
 * start time of that process (/proc/<pid>/stat, field 22) and the pids of the processes it
 * started (analysis workers, the site builder). A lock whose owner is gone (kill -9, power cut) is
 * taken over — also when its pid now belongs to another program (pids are reused, after a reboot
 * above all): the owner counts as alive only if a process with that pid exists AND started at
 * the recorded time (or, for a lock written before start times were recorded, runs Node). Its
 * recorded children that still run — a site build, say, which does not notice its parent died —
 * are stopped first, so two runs never write the same folder. A child pid is only signalled when
 * /proc shows the command line this program gave it.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { explainWriteError } from '../../analyzers/io/write-errors.ts';
import { printable } from '../progress.ts';
import { processAlive } from '../site/process-alive.ts';

interface LockData {
  pid: number;
  /** The owner's start time in clock ticks after boot (/proc/<pid>/stat field 22); null where /proc is missing. */
  procStart?: string | null;
  startedAt: string;
  children: { pid: number; marker: string }[];
}

/** The lock is held by a live process. */
export class LockedError extends Error {
  override name = 'LockedError';
}


function cmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/gu, ' ');
  } catch {
    return null;
  }
}

/** Start time of process `pid` in clock ticks after boot (field 22 of /proc/<pid>/stat), or null. */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 (the command name) is in parentheses and may hold spaces: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

/**
 * Whether the owner recorded in a lock still runs: its pid is alive and is the same process (same
 * start time; for a lock without one, a Node process), not another program that got the pid.
 */
export function ownerRuns(old: Pick<LockData, 'pid' | 'procStart'>): boolean {
  if (!processAlive(old.pid)) return false;
  const now = processStartTime(old.pid);
  if (now === null) return true; // no /proc: the pid is all there is to go by
  if (old.procStart) return old.procStart === now;
  return /(^|\/)node(\d+)?(\s|$)/u.test(cmdline(old.pid) ?? '');
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
    const data: LockData = { pid: process.pid, procStart: processStartTime(process.pid), startedAt: new Date().toISOString(), children: [] };
    for (let attempt = 0; attempt < 3; attempt++) {
      let fh: FileHandle | null = null;
      try {
        fh = await open(file, 'wx');
        await fh.writeFile(JSON.stringify(data));
        await fh.sync();
        await fh.close();
        return new NightlyLock(file, data);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          // someone holds it: look below
        } else {
          // A lock file we created but could not fill (a full disk) must not stay behind.
          if (fh !== null) {
            await fh.close().catch(() => undefined);
            await rm(file, { force: true });
          }
          throw await explainWriteError(err, file);
        }
      }
      let old: LockData | null = null;
      try {
        old = JSON.parse(await readFile(file, 'utf8')) as LockData;
      } catch {
        old = null;
      }
      if (old && old.pid !== process.pid && ownerRuns(old)) {
        throw new LockedError(`another nightly run (pid ${old.pid}, started ${old.startedAt}) is using ${outDir}; wait for it or stop it`);
      }
      if (old && old.pid !== process.pid && processAlive(old.pid)) log(`taking over ${file}: its pid ${old.pid} now belongs to another process (${printable(cmdline(old.pid) ?? '?', 80)}), not the run that wrote it`);
      for (const c of old?.children ?? []) {
        const cl = processAlive(c.pid) ? cmdline(c.pid) : null;
        if (cl !== null && c.marker !== '' && cl.includes(c.marker)) {
          log(`stopping process ${c.pid} left running by an interrupted run`);
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
          for (let i = 0; i < 50 && processAlive(c.pid); i++) await sleep(20);
        }
      }
      await rm(file, { force: true });
    }
    throw new LockedError(`could not take ${file}`);
  }

  /** Records a child process (pid + a text its command line contains) so a later run can stop it if this one dies. */
  async addChild(pid: number, marker: string): Promise<void> {
    this.data.children = [...this.data.children.filter((c) => processAlive(c.pid)), { pid, marker }];
    await writeFileAtomic(this.file, JSON.stringify(this.data));
  }

  async release(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
