/**
 * The Slurm client commands the driver uses (sbatch, squeue, scontrol, scancel), run without
 * blocking the event loop, and the parsing of their output. Only the commands every Slurm site
 * has are used: no accounting (sacct) is needed, so a cluster without slurmdbd works.
 * `SLURM_CONF` (a private config, as in the tests) travels in `env`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';

/** Result of one command. */
export interface CommandResult {
  /** Exit code; null when it could not start or was killed (see `error`). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

/** Runs `cmd args` to its end (stdin = `input`), killed after `timeoutMs`. Never rejects. */
export function runCommand(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    const finish = (r: CommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', (err) => finish({ code: null, stdout, stderr, error: err.message }));
    child.once('close', (code, signal) => finish({ code, stdout, stderr, ...(signal ? { error: `killed by ${signal}` } : {}) }));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** A Slurm command failed; the message names the command and carries its stderr. */
export class SlurmCommandError extends Error {
  override name = 'SlurmCommandError';
}

function describe(cmd: string, r: CommandResult): string {
  const why = r.error ?? `exit code ${r.code}`;
  return `${cmd} failed (${why})${r.stderr.trim() ? `: ${r.stderr.trim().slice(-500)}` : ''}`;
}

/** Where the Slurm commands live and the environment they get. */
export interface SlurmClient {
  /** Folder of the client binaries (default: found on PATH). */
  readonly binDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Per-command time limit, ms (default 60 s: a busy controller answers slowly). */
  readonly timeoutMs?: number;
}

function bin(c: SlurmClient, name: string): string {
  return c.binDir ? `${c.binDir.replace(/\/$/u, '')}/${name}` : name;
}

/** Submits `script` with `args` (before the script path); returns the job id. `--parsable` prints "id" or "id;cluster". */
export async function sbatch(c: SlurmClient, script: string, args: readonly string[]): Promise<string> {
  const r = await runCommand(bin(c, 'sbatch'), ['--parsable', ...args, script], { env: c.env, timeoutMs: c.timeoutMs ?? 60_000 });
  if (r.code !== 0) throw new SlurmCommandError(describe('sbatch', r));
  const id = parseSbatchId(r.stdout);
  if (id === null) throw new SlurmCommandError(`sbatch printed no job id: ${JSON.stringify(r.stdout.slice(0, 200))}`);
  return id;
}

/** The job id from `sbatch --parsable` output ("123" or "123;cluster"), or null. */
export function parseSbatchId(stdout: string): string | null {
  const m = /^\s*(\d+)(?:;\S+)?\s*$/mu.exec(stdout);
  return m ? m[1] : null;
}

/** One line of `squeue -r -o "%i|%T|%r|%N"`: array task "123_4" (or plain job "123"), state, reason, nodes. */
export interface QueueRow {
  readonly id: string;
  readonly state: string;
  readonly reason: string;
  readonly nodes: string;
}

/** Parses `squeue -h -r -o "%i|%T|%r|%N"` output. */
export function parseSqueue(stdout: string): QueueRow[] {
  const rows: QueueRow[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    const [id, state = '', reason = '', nodes = ''] = t.split('|');
    rows.push({ id, state, reason, nodes });
  }
  return rows;
}

/**
 * The tasks of `jobIds` still in the queue (pending, running, completing…), one row per array
 * task. A job the controller has already forgotten is simply absent. Throws SlurmCommandError
 * when the controller cannot be asked (the caller tries again later).
 */
export async function squeue(c: SlurmClient, jobIds: readonly string[]): Promise<QueueRow[]> {
  if (jobIds.length === 0) return [];
  const r = await runCommand(bin(c, 'squeue'), ['-h', '-r', '-j', jobIds.join(','), '-o', '%i|%T|%r|%N'], { env: c.env, timeoutMs: c.timeoutMs ?? 60_000 });
  // Every listed job already purged: squeue says "Invalid job id specified" (exit 1): nothing in the queue.
  if (r.code !== 0 && /invalid job id/iu.test(r.stderr)) return [];
  if (r.code !== 0) throw new SlurmCommandError(describe('squeue', r));
  return parseSqueue(r.stdout);
}

/** Array job ids (or job ids) of this user's queued or running jobs called `name`. */
export async function jobsNamed(c: SlurmClient, name: string): Promise<string[]> {
  const r = await runCommand(bin(c, 'squeue'), ['-h', '-u', userInfo().username, '-n', name, '-o', '%F'], { env: c.env, timeoutMs: c.timeoutMs ?? 60_000 });
  if (r.code !== 0) throw new SlurmCommandError(describe('squeue', r));
  return [...new Set(r.stdout.split('\n').map((l) => l.trim()).filter((l) => /^\d+$/u.test(l)))];
}

/** What `scontrol show job` says about a finished (or running) task. */
export interface JobInfo {
  readonly state: string;
  /** "3:0" = exit code 3, signal 0; "0:9" = killed by signal 9. */
  readonly exitCode: string;
  readonly reason: string;
  readonly nodes: string;
  readonly runTime: string;
}

/** Parses one record of `scontrol show job -o` (key=value tokens). */
export function parseScontrolJob(stdout: string): JobInfo | null {
  const line = stdout.trim().split('\n')[0] ?? '';
  const get = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S*)`, 'u').exec(line)?.[1] ?? '';
  const state = get('JobState');
  if (state === '') return null;
  return { state, exitCode: get('ExitCode'), reason: get('Reason'), nodes: get('NodeList'), runTime: get('RunTime') };
}

/** `scontrol show job -o <task>`; null when the controller no longer knows it (after MinJobAge) or cannot be asked. */
export async function scontrolJob(c: SlurmClient, taskId: string): Promise<JobInfo | null> {
  const r = await runCommand(bin(c, 'scontrol'), ['show', 'job', '-o', taskId], { env: c.env, timeoutMs: c.timeoutMs ?? 60_000 });
  if (r.code !== 0) return null;
  return parseScontrolJob(r.stdout);
}

/** Cancels jobs or array tasks ("123", "123_4"). Throws when scancel itself fails for another reason than "already finished". */
export async function scancel(c: SlurmClient, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const r = await runCommand(bin(c, 'scancel'), [...ids], { env: c.env, timeoutMs: c.timeoutMs ?? 60_000 });
  if (r.code !== 0 && !/already completing or completed|invalid job id/iu.test(r.stderr)) throw new SlurmCommandError(describe('scancel', r));
}

/** scancel from a signal handler, where nothing asynchronous may run any more (10 s at most). */
export function scancelNow(c: SlurmClient, ids: readonly string[]): string | null {
  if (ids.length === 0) return null;
  const r = spawnSync(bin(c, 'scancel'), [...ids], { env: c.env ?? process.env, timeout: 10_000, encoding: 'utf8' });
  return r.status === 0 ? null : (r.error?.message ?? r.stderr?.trim() ?? `exit ${r.status}`);
}

/**
 * Checks that the cluster answers (`sinfo`) and, when given, that `partition` exists; throws
 * SlurmCommandError saying what is wrong. Run before any map is fetched.
 */
export async function checkSlurm(c: SlurmClient, partition?: string): Promise<void> {
  const r = await runCommand(bin(c, 'sinfo'), ['-h', '-o', '%P'], { env: c.env, timeoutMs: c.timeoutMs ?? 60_000 });
  if (r.code !== 0) throw new SlurmCommandError(`Slurm is not usable from here: ${describe('sinfo', r)}`);
  if (partition !== undefined) {
    const names = r.stdout.split('\n').map((l) => l.trim().replace(/\*$/u, '')).filter((l) => l !== '');
    if (!names.includes(partition)) throw new SlurmCommandError(`Slurm has no partition "${partition}" (it has: ${names.join(', ') || 'none'})`);
  }
}
