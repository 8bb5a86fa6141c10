/**
 * Installs the Debian packages a command needs when they are missing (apt-get as root, or through
 * passwordless sudo), so `npm test` and `npm run bench` work on a fresh Debian machine.
 * usage: node scripts/setup/ensure-debian.ts pkg [pkg ...]
 *
 * When another process holds the dpkg lock (unattended-upgrades, a second apt-get), it waits for
 * it — naming the holder, found in /proc/locks — instead of failing with a message about
 * permissions; apt-get itself is also told to wait (DPkg::Lock::Timeout) for the race after.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The locks apt and dpkg take, in the order they take them. */
export const DPKG_LOCKS = ['/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock', '/var/lib/apt/lists/lock'];
/** How long to wait for another process's dpkg lock, s. */
const LOCK_WAIT_S = 900;

function installed(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** The process holding a POSIX lock on `file` (from /proc/locks), with its command name; null when none or unknown. */
export function lockHolder(file: string, procLocks = '/proc/locks'): { pid: number; command: string } | null {
  let ino: number;
  let text: string;
  try {
    ino = statSync(file).ino;
    text = readFileSync(procLocks, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    // "3: POSIX  ADVISORY  WRITE 11182 fe:00:2320004 0 EOF" (pid, then major:minor:inode)
    const m = /^\d+:\s+(?:->\s+)?POSIX\s+\S+\s+\S+\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/u.exec(line);
    if (!m || Number(m[2]) !== ino || Number(m[1]) === process.pid) continue;
    const pid = Number(m[1]);
    let command = '?';
    try {
      command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // gone meanwhile
    }
    return { pid, command };
  }
  return null;
}

/**
 * Waits until no other process holds any of `locks` (at most `timeoutMs`), saying once who holds
 * it. Returns true when free, false at the timeout.
 */
export async function waitForDpkgLock(locks: readonly string[], opts: { timeoutMs: number; pollMs?: number; log?: (m: string) => void }): Promise<boolean> {
  const t0 = Date.now();
  let told = -1;
  for (;;) {
    const held = locks.map((f) => ({ f, h: lockHolder(f) })).find((x) => x.h !== null);
    if (!held) return true;
    if (held.h!.pid !== told) {
      told = held.h!.pid;
      opts.log?.(`ensure-debian: waiting for the dpkg lock ${held.f}, held by process ${held.h!.pid} (${held.h!.command}), up to ${Math.round(opts.timeoutMs / 1000)} s`);
    }
    if (Date.now() - t0 >= opts.timeoutMs) return false;
    await sleep(opts.pollMs ?? 1000);
  }
}

/**
 * The sentence for a failed apt-get: a lock held by someone else is said as such (with apt's own
 * line); permissions are blamed only when we are not root and sudo was refused.
 */
export function explainAptFailure(stderr: string, isRoot: boolean, missing: readonly string[]): string {
  const lock = /Could not get lock [^\n]*/u.exec(stderr);
  if (lock) return `ensure-debian: could not install ${missing.join(' ')}: another process holds the dpkg lock (${lock[0].trim()}); try again when it has finished; tests that need them will skip`;
  if (!isRoot && /sudo: (a password is required|a terminal is required)|not in the sudoers/u.test(stderr)) {
    return `ensure-debian: could not install ${missing.join(' ')} (need root or passwordless sudo); tests that need them will skip`;
  }
  const last = stderr.trim().split('\n').pop() ?? '';
  return `ensure-debian: could not install ${missing.join(' ')} (apt-get failed${last ? `: ${last}` : ''}); tests that need them will skip`;
}

/** Runs apt-get (as root, or through sudo -n) with the lock wait on; stderr is shown and kept. */
function apt(args: string[], isRoot: boolean): { ok: boolean; stderr: string } {
  const full = ['apt-get', '-o', `DPkg::Lock::Timeout=${LOCK_WAIT_S}`, ...args];
  const [cmd, ...rest] = isRoot ? full : ['sudo', '-n', ...full];
  const r = spawnSync(cmd, rest, { stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.stderr) process.stderr.write(r.stderr);
  return { ok: r.status === 0, stderr: r.stderr ?? (r.error ? r.error.message : '') };
}

async function main(wanted: string[]): Promise<void> {
  try {
    execFileSync('dpkg-query', ['--version'], { stdio: 'ignore' });
  } catch {
    console.warn(`ensure-debian: not a Debian system; please install: ${wanted.join(' ')} (tests that need them will skip)`);
    return;
  }
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  console.log(`ensure-debian: installing ${missing.join(' ')}`);
  if (!(await waitForDpkgLock(DPKG_LOCKS, { timeoutMs: LOCK_WAIT_S * 1000, log: (m) => console.log(m) }))) {
    console.warn(`ensure-debian: the dpkg lock was still held after ${LOCK_WAIT_S} s; could not install ${missing.join(' ')}; tests that need them will skip`);
    return;
  }
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  let r = apt(install, isRoot);
  if (!r.ok && !/Could not get lock/u.test(r.stderr)) {
    const update = apt(['update'], isRoot);
    r = update.ok ? apt(install, isRoot) : update;
  }
  if (!r.ok) console.warn(explainAptFailure(r.stderr, isRoot, missing));
}

if (import.meta.main) await main(process.argv.slice(2));
