/**
 * The Slurm executor of the nightly job: analyses a list of entries whose maps are already on
 * shared storage as Slurm job arrays, and hands each entry's outcome back as soon as it is known.
 *
 * 1. Leftovers: array jobs an earlier driver submitted and never collected (it was killed) are
 *    cancelled and awaited, so no old task writes beside a new one. Their finished results whose
 *    inputs (key) match are adopted instead of analysed again; every other result folder goes.
 * 2. Submission: entries are grouped into tasks of `chunk` entries, tasks into memory classes
 *    (one array per class, usually one in all), each array with --mem and --time from the map
 *    sizes (resources.ts), the user's partition/account and pass-through sbatch options.
 * 3. Waiting: `squeue` every `pollMs` (no accounting needed). A task that has left the queue is
 *    done: each of its entries has a status.json (its outcome), or it has none — then
 *    `scontrol show job` and the task's log say why (out of memory, time limit, node failure,
 *    cancelled) and the entry is resubmitted, with twice the memory or time when that was the
 *    cause, up to `retries` times; after that it fails with that reason.
 * 4. Cancelling (SIGINT/SIGTERM while waiting): the submitted jobs are scancelled and the run
 *    ends with SlurmCancelledError; outcomes already handed back stay recorded, so the same
 *    command resumes with what is left.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import type { Entry, MetadataGrid } from '../../analyzers/report/schema.ts';
import type { AnalysisOutcome, InputNote } from '../jobs/analysis-job.ts';
import { printable } from '../progress.ts';
import { batchScript } from './batch-script.ts';
import { combineResources, estimateResources, type ResourcePolicy, type TaskResources } from './resources.ts';
import { checkSlurm, jobsNamed, sbatch, scancel, scancelNow, scontrolJob, squeue, SlurmCommandError, type JobInfo, type SlurmClient } from './slurm-commands.ts';
import { readStatus, resultDirOf, slurmPaths, statusPathOf, TASK_FILE_VERSION, type TaskFile, type TaskStatus, type TaskUnit } from './task-file.ts';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli.ts');

/** How to use the cluster (from `--partition`, `--account`, `--sbatch-arg`, `--slurm-*`). */
export interface SlurmOptions {
  readonly partition?: string;
  readonly account?: string;
  /** Extra sbatch options, passed through as given (they override the script's own lines). */
  readonly sbatchArgs?: readonly string[];
  /** Entries per array task (default 1). */
  readonly chunk?: number;
  /** Resubmissions of an entry whose task left no status (default 2). */
  readonly retries?: number;
  /** CPUs per task (default 2; the analysis uses them as EMVR_THREADS). */
  readonly cpusPerTask?: number;
  /** At most this many tasks of an array at once (default: no limit). */
  readonly maxRunning?: number;
  /** squeue interval, ms (default 5000). */
  readonly pollMs?: number;
  /** How long a task that ended "COMPLETED" may take to show its status on shared storage, ms (default 30000; NFS caches). */
  readonly statusGraceMs?: number;
  /** Give up when the controller has not answered for this long, ms (default 30 min). */
  readonly controllerTimeoutMs?: number;
  readonly resources?: ResourcePolicy;
  /** Node binary the tasks run (default: this process's, i.e. the project's node_modules/node). */
  readonly node?: string;
  /** Job name prefix (default emvr). */
  readonly jobName?: string;
  /** Largest array (default 1000, under Slurm's default MaxArraySize 1001). */
  readonly maxArraySize?: number;
  /** Folder of the Slurm client commands (default: PATH). */
  readonly binDir?: string;
  /** Environment of the Slurm commands, e.g. with SLURM_CONF (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** One entry to analyse. */
export interface SlurmUnit {
  readonly id: string;
  /** Input key (task-file.ts unitKey): a stored result is adopted only for the same key. */
  readonly key: string;
  readonly mapPath: string;
  /** The entry's two verified half maps on shared storage (they raise the memory and time requests). */
  readonly halfMapPaths?: readonly [string, string];
  /** The entry's verified fitted model on shared storage and its PDB ID (they raise the memory request a little). */
  readonly modelPath?: string;
  readonly modelPdbId?: string;
  /** Notes on the inputs for the report (analysis-job.ts). */
  readonly inputNotes?: readonly InputNote[];
  /** What the entry's metadata says of the map's grid (analysis-job.ts). */
  readonly metadataGrid?: MetadataGrid;
  /** Grid of the map (from its header): sets the memory and time requests. */
  readonly dims: readonly [number, number, number];
  readonly entry: Entry;
  readonly figures: boolean;
  readonly maxVoxels?: number;
}

/** An entry's final outcome on the cluster. */
export interface SlurmUnitResult {
  readonly outcome: AnalysisOutcome;
  /** Folder holding report.json, figures/ and maps/ to publish (ok outcomes), on the output's file system. */
  readonly dir: string | null;
  /** Slurm task of the last attempt ("job_index"), null when it never ran. */
  readonly task: string | null;
  readonly node: string | null;
  /** Submissions used (0 for an adopted result). */
  readonly attempts: number;
  /** Taken from an earlier, interrupted run's finished task. */
  readonly adopted: boolean;
}

/** One attempt of one entry (the ledger keeps these). */
export interface SlurmAttempt {
  readonly entryId: string;
  readonly attempt: number;
  readonly task: string;
  /** Slurm's final state (COMPLETED, FAILED, OUT_OF_MEMORY, TIMEOUT, CANCELLED, …; UNKNOWN when forgotten). */
  readonly state: string;
  readonly exitCode: string | null;
  readonly node: string | null;
  readonly memMB: number;
  readonly timeMin: number;
  /** analysed | refused | corrupt | error (from the status) | lost (no status) | unsubmitted (sbatch refused). */
  readonly outcome: string;
  readonly reason: string | null;
  readonly submittedAt: string;
  readonly finishedAt: string;
}

/** What the run around the executor provides. */
export interface SlurmRunContext {
  /** The output folder (absolute; on shared storage). */
  readonly outRoot: string;
  readonly runId: number;
  readonly analyzerVersion: string;
  readonly log: (line: string) => void;
  /** Called once per entry, one at a time, in completion order; the result folder is removed after it returns. */
  readonly onResult: (unit: SlurmUnit, result: SlurmUnitResult) => Promise<void>;
  readonly onAttempt?: (a: SlurmAttempt) => void;
}

/** Counts of one executor run. */
export interface SlurmRunSummary {
  readonly arrays: string[];
  readonly tasks: number;
  readonly resubmitted: number;
  readonly adopted: number;
}

/** The driver was cancelled by a signal; its jobs were scancelled. */
export class SlurmCancelledError extends Error {
  override name = 'SlurmCancelledError';
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals, message: string) {
    super(message);
    this.signal = signal;
  }
}

interface Pending {
  readonly unit: SlurmUnit;
  /** 1-based number of the next submission. */
  attempt: number;
  res: TaskResources;
}

interface Tracked {
  readonly jobId: string;
  readonly task: string;
  readonly items: Pending[];
  readonly res: TaskResources;
  readonly submittedAt: string;
  readonly logFile: string;
  /** Entries of this task already resolved (chunked tasks report one by one). */
  readonly resolved: Set<string>;
  node: string | null;
  goneAt: number | null;
}

/** Memory classes (MB): 1, 1.5, 2, 3, 4, 6, 8, 12 … GB. One array per class keeps small maps from waiting for large-memory nodes. */
export function memoryClass(memMB: number): number {
  let c = 1024;
  for (;;) {
    if (memMB <= c) return c;
    if (memMB <= c * 1.5) return c * 1.5;
    c *= 2;
  }
}

async function sha256File(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    return null;
  }
}

async function tailOf(file: string, lines = 4): Promise<string> {
  try {
    const t = (await readFile(file, 'utf8')).trim();
    return t === '' ? '' : printable(t.split('\n').slice(-lines).join('\n'), 400);
  } catch {
    return '';
  }
}

/** Why a task that left the queue wrote no status, from what scontrol still knows. */
export function lossReason(task: string, info: JobInfo | null, res: TaskResources, graceS: number): string {
  if (info === null) return `Slurm task ${task} left the queue without writing its status file; Slurm no longer knows it (killed for memory or time, or its node failed?)`;
  const [code, sig] = info.exitCode.split(':').map((v) => Number(v));
  const how = sig > 0 ? `killed by signal ${sig}${sig === 9 ? ' (SIGKILL: out of memory?)' : ''}` : `exit code ${code}`;
  const reason = info.reason && info.reason !== 'None' ? `, ${info.reason}` : '';
  switch (info.state) {
    case 'OUT_OF_MEMORY':
      return `Slurm task ${task} was killed for exceeding its memory (${res.memMB} MB requested; state OUT_OF_MEMORY) before writing its status`;
    case 'TIMEOUT':
      return `Slurm task ${task} reached its time limit (${res.timeMin} min; state TIMEOUT) before writing its status`;
    case 'CANCELLED':
      return `Slurm task ${task} was cancelled (state CANCELLED${reason}) before writing its status`;
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
    case 'PREEMPTED':
    case 'DEADLINE':
      return `Slurm task ${task} ended with state ${info.state}${reason} before writing its status`;
    case 'COMPLETED':
      return `Slurm task ${task} completed but its status file did not appear on shared storage within ${graceS} s`;
    default:
      return `Slurm task ${task} ended with state ${info.state} (${how}${reason}) without writing its status file`;
  }
}

/**
 * Fails early (SlurmCommandError) when the output folder's path cannot go into an #SBATCH line
 * (whitespace, quotes, # or %, which Slurm reads as a file-name pattern), when the cluster does
 * not answer, or when the partition does not exist.
 */
export async function slurmPreflight(opts: SlurmOptions, outRoot: string): Promise<void> {
  if (/[\s"'\\#%]/u.test(outRoot)) throw new SlurmCommandError(`the output folder ${JSON.stringify(outRoot)} has whitespace, a quote, # or %; the slurm executor needs a plain path (Slurm reads it from #SBATCH lines)`);
  await checkSlurm({ binDir: opts.binDir, env: opts.env }, opts.partition);
}

/** Runs `units` on the cluster (see the file comment). Throws SlurmCancelledError on SIGINT/SIGTERM, or when the controller stays unreachable. */
export async function runOnSlurm(units: readonly SlurmUnit[], opts: SlurmOptions, ctx: SlurmRunContext): Promise<SlurmRunSummary> {
  const client: SlurmClient = { binDir: opts.binDir, env: opts.env };
  const paths = slurmPaths(ctx.outRoot);
  const log = ctx.log;
  const pollMs = opts.pollMs ?? 5000;
  const graceMs = opts.statusGraceMs ?? 30_000;
  const retries = Math.max(0, opts.retries ?? 2);
  const chunk = Math.max(1, Math.floor(opts.chunk ?? 1));
  const maxArray = Math.max(1, Math.floor(opts.maxArraySize ?? 1000));
  const policy = opts.resources ?? {};
  const summary = { arrays: [] as string[], tasks: 0, resubmitted: 0, adopted: 0 };
  const jobName = jobNameFor(opts, ctx.outRoot);
  await mkdir(paths.root, { recursive: true });

  const tracked = new Map<string, Tracked>();
  const activeJobs = new Set<string>();
  const saveJobs = () => writeFileAtomic(paths.jobs, `${JSON.stringify({ jobs: [...activeJobs] })}\n`);

  // Signals: cancel what we submitted, then leave through the loop (graceful: no half-recorded entry).
  let cancelled: NodeJS.Signals | null = null;
  const scancelled = new Set<string>();
  let wake: () => void = () => undefined;
  const cancelActive = () => {
    const jobs = [...activeJobs].filter((j) => !scancelled.has(j));
    for (const j of jobs) scancelled.add(j);
    return { jobs, err: scancelNow(client, jobs) };
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (cancelled !== null) process.exit(sig === 'SIGINT' ? 130 : 143);
    cancelled = sig;
    const { jobs, err } = cancelActive();
    log(`slurm: ${sig}: ${jobs.length ? `cancelled job(s) ${jobs.join(', ')}${err ? ` (scancel: ${err})` : ''}` : 'no job in the queue'}; finished entries stay recorded, run the same command again to resume`);
    wake();
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  const checkCancelled = () => {
    if (cancelled === null) return;
    // A submission that was on its way when the signal came is cancelled too.
    const late = cancelActive();
    if (late.jobs.length > 0) log(`slurm: cancelled job(s) ${late.jobs.join(', ')} submitted while stopping${late.err ? ` (scancel: ${late.err})` : ''}`);
    throw new SlurmCancelledError(cancelled, `cancelled by ${cancelled}; the Slurm jobs of this run were cancelled`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const deliver = async (unit: SlurmUnit, r: SlurmUnitResult) => {
    await ctx.onResult(unit, r);
    await rm(resultDirOf(ctx.outRoot, unit.id), { recursive: true, force: true });
  };

  try {
    // 1. Leftovers of a driver that died.
    await cancelLeftovers(client, paths.jobs, jobName, log, () => cancelled !== null);
    checkCancelled();
    await rm(paths.batches, { recursive: true, force: true });
    const wanted = new Map(units.map((u) => [u.id, u]));
    try {
      for (const name of await readdir(paths.results)) if (!wanted.has(name)) await rm(path.join(paths.results, name), { recursive: true, force: true });
    } catch {
      // no results folder yet
    }
    const queue: Pending[] = [];
    for (const u of units) {
      const dir = resultDirOf(ctx.outRoot, u.id);
      const s = await readStatus(statusPathOf(dir));
      const adopted = s !== null && s.key === u.key ? await adoptable(s, dir) : null;
      if (adopted) {
        summary.adopted++;
        log(`slurm: ${u.id}: adopting the finished result of task ${s!.task} from an interrupted run`);
        await deliver(u, { ...adopted, task: s!.task, node: s!.host, attempts: 0, adopted: true });
        checkCancelled();
        continue;
      }
      await rm(dir, { recursive: true, force: true });
      queue.push({ unit: u, attempt: 1, res: unitResources(u, policy) });
    }

    // 2-3. Submit, wait, collect, resubmit.
    let batchSeq = 0;
    let controllerDownSince: number | null = null;
    while (queue.length > 0 || tracked.size > 0) {
      checkCancelled();
      if (queue.length > 0) {
        const items = queue.splice(0, queue.length);
        batchSeq = await submit(items, batchSeq);
        checkCancelled();
      }
      await pause(pollMs);
      checkCancelled();
      let rows;
      try {
        rows = await squeue(client, [...activeJobs]);
        if (controllerDownSince !== null) log('slurm: the controller answers again');
        controllerDownSince = null;
      } catch (err) {
        if (controllerDownSince === null) {
          controllerDownSince = performance.now();
          log(`slurm: squeue failed, retrying: ${(err as Error).message}`);
        } else if (performance.now() - controllerDownSince > (opts.controllerTimeoutMs ?? 30 * 60_000)) {
          throw new SlurmCommandError(`the Slurm controller has not answered for ${Math.round((performance.now() - controllerDownSince) / 60_000)} min (${(err as Error).message}); the submitted jobs are left in the queue and the next run takes them over`);
        }
        continue;
      }
      const inQueue = new Map(rows.map((r) => [r.id, r]));
      for (const t of [...tracked.values()]) {
        const row = inQueue.get(t.task);
        if (row?.nodes) t.node = row.nodes;
        if (row?.state === 'PENDING') continue;
        // Entries of a running task may already be done (chunks): hand them back early.
        await collectStatuses(t);
        if (row !== undefined) continue;
        t.goneAt ??= performance.now();
        const missing = t.items.filter((p) => !t.resolved.has(p.unit.id));
        if (missing.length === 0) {
          tracked.delete(t.task);
          continue;
        }
        const info = await scontrolJob(client, t.task);
        const mayStillAppear = info === null || (info.state === 'COMPLETED' && info.exitCode === '0:0');
        if (mayStillAppear && performance.now() - t.goneAt < graceMs) continue;
        tracked.delete(t.task);
        const tail = await tailOf(t.logFile);
        const why = `${lossReason(t.task, info, t.res, Math.round(graceMs / 1000))}${tail ? `; log: ${tail}` : ''}`;
        for (const p of missing) {
          ctx.onAttempt?.({ entryId: p.unit.id, attempt: p.attempt, task: t.task, state: info?.state ?? 'UNKNOWN', exitCode: info?.exitCode ?? null, node: info?.nodes || t.node, memMB: t.res.memMB, timeMin: t.res.timeMin, outcome: 'lost', reason: why, submittedAt: t.submittedAt, finishedAt: new Date().toISOString() });
          // Twice what the task had when memory or time was what killed it; nothing to gain at the cap.
          const outOfMemory = info?.state === 'OUT_OF_MEMORY' || (info !== null && info.exitCode.endsWith(':9'));
          const timedOut = info?.state === 'TIMEOUT';
          const res = unitResources(p.unit, policy);
          let memMB = Math.max(res.memMB, p.res.memMB);
          let timeMin = Math.max(res.timeMin, p.res.timeMin);
          if (outOfMemory) memMB = Math.max(memMB, t.res.memMB) * 2;
          if (timedOut) timeMin = Math.max(timeMin, t.res.timeMin) * 2;
          if (policy.maxMemMB) memMB = Math.min(policy.maxMemMB, memMB);
          if (policy.maxTimeMin) timeMin = Math.min(Math.max(1, Math.floor(policy.maxTimeMin)), timeMin);
          const futile = (outOfMemory && !!policy.maxMemMB && t.res.memMB >= policy.maxMemMB) || (timedOut && !!policy.maxTimeMin && t.res.timeMin >= Math.floor(policy.maxTimeMin));
          if (p.attempt <= retries && !futile) {
            log(`slurm: ${p.unit.id}: ${why}; resubmitting (attempt ${p.attempt + 1} of ${retries + 1}, ${memMB} MB, ${timeMin} min)`);
            summary.resubmitted++;
            queue.push({ unit: p.unit, attempt: p.attempt + 1, res: { memMB, timeMin } });
          } else {
            const note = futile ? ' (not resubmitted: the request is already at its cap, --slurm-max-mem or --entry-timeout)' : p.attempt > 1 ? ` (after ${p.attempt} attempts)` : '';
            await deliver(p.unit, { outcome: { ok: false, kind: 'error', message: `${why}${note}`, seconds: 0 }, dir: null, task: t.task, node: info?.nodes || t.node, attempts: p.attempt, adopted: false });
            checkCancelled();
          }
        }
      }
      // Jobs none of whose tasks we still wait for leave jobs.json.
      const stillNeeded = new Set([...tracked.values()].map((t) => t.jobId));
      let changed = false;
      for (const j of [...activeJobs]) {
        if (!stillNeeded.has(j)) {
          activeJobs.delete(j);
          changed = true;
        }
      }
      if (changed) await saveJobs();
    }
    return summary;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  /** Hands back every entry of `t` whose status (of this very task) is on disk. */
  async function collectStatuses(t: Tracked): Promise<void> {
    for (const p of t.items) {
      if (t.resolved.has(p.unit.id)) continue;
      const dir = resultDirOf(ctx.outRoot, p.unit.id);
      const s = await readStatus(statusPathOf(dir));
      if (s === null || s.task !== t.task || s.key !== p.unit.key) continue;
      let outcome = s.outcome;
      let publish: string | null = null;
      if (outcome.ok) {
        publish = path.join(dir, s.work);
        const sha = await sha256File(path.join(publish, 'report.json'));
        if (sha !== outcome.reportSha256) {
          outcome = { ok: false, kind: 'error', message: `task ${t.task} reported success but ${path.join(s.work, 'report.json')} is ${sha === null ? 'missing' : 'not the report it described'} on shared storage`, seconds: outcome.seconds };
          publish = null;
        }
      }
      t.resolved.add(p.unit.id);
      ctx.onAttempt?.({ entryId: p.unit.id, attempt: p.attempt, task: t.task, state: 'COMPLETED', exitCode: null, node: s.host, memMB: t.res.memMB, timeMin: t.res.timeMin, outcome: outcome.ok ? 'analysed' : outcome.kind, reason: outcome.ok ? null : outcome.message, submittedAt: t.submittedAt, finishedAt: s.finishedAt });
      await deliver(p.unit, { outcome, dir: publish, task: t.task, node: s.host, attempts: p.attempt, adopted: false });
      checkCancelled();
    }
  }

  /** Submits `items` as arrays (one per memory class, at most maxArraySize tasks each); returns the last batch number. */
  async function submit(items: Pending[], seq: number): Promise<number> {
    const byClass = new Map<number, Pending[]>();
    for (const p of items) {
      const c = memoryClass(p.res.memMB);
      byClass.set(c, [...(byClass.get(c) ?? []), p]);
    }
    const arrays: { res: TaskResources; tasks: Pending[][] }[] = [];
    for (const [memClass, list] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
      const tasks: Pending[][] = [];
      for (let i = 0; i < list.length; i += chunk) tasks.push(list.slice(i, i + chunk));
      for (let i = 0; i < tasks.length; i += maxArray) {
        const part = tasks.slice(i, i + maxArray);
        const perTask = part.map((t) => combineResources(t.map((p) => p.res), policy));
        const memMB = policy.maxMemMB ? Math.min(policy.maxMemMB, memClass) : memClass;
        arrays.push({ res: { memMB, timeMin: Math.max(...perTask.map((r) => r.timeMin)) }, tasks: part });
      }
    }
    for (const a of arrays) {
      seq++;
      const batchDir = path.join(paths.batches, `run-${ctx.runId}-${seq}`);
      await mkdir(path.join(batchDir, 'logs'), { recursive: true });
      const taskFile: TaskFile = {
        version: TASK_FILE_VERSION,
        analyzerVersion: ctx.analyzerVersion,
        tasks: a.tasks.map((t) => t.map((p) => taskUnitOf(p.unit, resultDirOf(ctx.outRoot, p.unit.id)))),
      };
      for (const t of a.tasks) for (const p of t) await mkdir(resultDirOf(ctx.outRoot, p.unit.id), { recursive: true });
      const tasksPath = path.join(batchDir, 'tasks.json');
      await writeFileAtomic(tasksPath, `${JSON.stringify(taskFile, null, 1)}\n`);
      const script = batchScript({
        jobName,
        tasks: a.tasks.length,
        maxRunning: opts.maxRunning,
        resources: a.res,
        cpusPerTask: opts.cpusPerTask ?? 2,
        partition: opts.partition,
        account: opts.account,
        chdir: ctx.outRoot,
        output: path.join(batchDir, 'logs', '%A_%a.log'),
        node: opts.node ?? process.execPath,
        cli: CLI,
        taskFile: tasksPath,
      });
      const scriptPath = path.join(batchDir, 'analyze.sbatch');
      await writeFile(scriptPath, script, { mode: 0o755 });
      const ids = a.tasks.map((t) => t.map((p) => p.unit.id).join('+'));
      let jobId: string | null = null;
      let lastErr = '';
      for (let attempt = 0; attempt < 3 && jobId === null; attempt++) {
        try {
          jobId = await sbatch(client, scriptPath, opts.sbatchArgs ?? []);
        } catch (err) {
          lastErr = (err as Error).message;
          // A refusal (bad partition, too much memory) will not change; a busy controller may.
          if (!/timed out|unable to contact|connection refused|try again|temporarily/iu.test(lastErr)) break;
          await sleep(2000 * (attempt + 1));
        }
      }
      const submittedAt = new Date().toISOString();
      if (jobId === null) {
        log(`slurm: sbatch refused ${a.tasks.length} task(s): ${printable(lastErr, 400)}`);
        for (const t of a.tasks) {
          for (const p of t) {
            const reason = `could not submit to Slurm: ${lastErr}`;
            ctx.onAttempt?.({ entryId: p.unit.id, attempt: p.attempt, task: '', state: 'UNSUBMITTED', exitCode: null, node: null, memMB: a.res.memMB, timeMin: a.res.timeMin, outcome: 'unsubmitted', reason, submittedAt, finishedAt: submittedAt });
            await deliver(p.unit, { outcome: { ok: false, kind: 'error', message: reason, seconds: 0 }, dir: null, task: null, node: null, attempts: p.attempt, adopted: false });
          }
        }
        continue;
      }
      activeJobs.add(jobId);
      await saveJobs();
      summary.arrays.push(jobId);
      summary.tasks += a.tasks.length;
      log(`slurm: submitted array job ${jobId}: ${a.tasks.length} task(s) of ${chunk} entr${chunk === 1 ? 'y' : 'ies'} at most, ${a.res.memMB} MB and ${a.res.timeMin} min each (${printable(ids.slice(0, 6).join(', '), 200)}${ids.length > 6 ? ', …' : ''})`);
      a.tasks.forEach((t, i) => {
        const task = `${jobId}_${i}`;
        tracked.set(task, { jobId: jobId!, task, items: t, res: a.res, submittedAt, logFile: path.join(batchDir, 'logs', `${jobId}_${i}.log`), resolved: new Set(), node: null, goneAt: null });
      });
    }
    return seq;
  }
}

/** What a task needs to know of a unit (tasks.json). */
function taskUnitOf(u: SlurmUnit, resultDir: string): TaskUnit {
  return {
    id: u.id,
    key: u.key,
    resultDir,
    mapPath: u.mapPath,
    ...(u.halfMapPaths ? { halfMapPaths: u.halfMapPaths } : {}),
    ...(u.modelPath ? { modelPath: u.modelPath, ...(u.modelPdbId ? { modelPdbId: u.modelPdbId } : {}) } : {}),
    ...(u.inputNotes && u.inputNotes.length > 0 ? { inputNotes: u.inputNotes } : {}),
    ...(u.metadataGrid ? { metadataGrid: u.metadataGrid } : {}),
    entry: u.entry,
    figures: u.figures,
    ...(u.maxVoxels !== undefined ? { maxVoxels: u.maxVoxels } : {}),
  };
}

/** The request of one unit: from its map's grid, more with half maps and with a model. */
export function unitResources(u: Pick<SlurmUnit, 'dims' | 'halfMapPaths' | 'modelPath'>, policy: ResourcePolicy): TaskResources {
  return estimateResources(u.dims, policy, { halfMaps: u.halfMapPaths !== undefined, model: u.modelPath !== undefined });
}

/** A stored status worth adopting: a successful analysis whose report is intact, or a refusal/corrupt map (deterministic for the same inputs). */
async function adoptable(s: TaskStatus, dir: string): Promise<Omit<SlurmUnitResult, 'task' | 'node' | 'attempts' | 'adopted'> | null> {
  if (s.outcome.ok) {
    const work = path.join(dir, s.work);
    return (await sha256File(path.join(work, 'report.json'))) === s.outcome.reportSha256 ? { outcome: s.outcome, dir: work } : null;
  }
  return s.outcome.kind === 'refused' || s.outcome.kind === 'corrupt' ? { outcome: s.outcome, dir: null } : null;
}

/**
 * Job name of every array of one output folder: "<prefix>-<first 8 hex of sha256(out)>", so
 * leftovers of this folder can be found in the queue even when jobs.json missed one (a driver
 * killed between sbatch and its record), and other folders' jobs are never touched.
 */
export function jobNameFor(opts: Pick<SlurmOptions, 'jobName'>, outRoot: string): string {
  return `${opts.jobName ?? 'emvr'}-${createHash('sha256').update(outRoot).digest('hex').slice(0, 8)}`;
}

/**
 * Cancels the jobs of this output folder still queued or running (those in jobs.json and those of
 * this user with this folder's job name), and waits (≤ 2 min) until they have left.
 */
async function cancelLeftovers(client: SlurmClient, jobsFile: string, jobName: string, log: (l: string) => void, stop: () => boolean): Promise<void> {
  let jobs: string[] = [];
  try {
    jobs = (JSON.parse(await readFile(jobsFile, 'utf8')) as { jobs: string[] }).jobs.filter((j) => /^\d+$/u.test(j));
  } catch {
    // no record: only the queue can tell
  }
  jobs = [...new Set([...jobs, ...(await jobsNamed(client, jobName))])];
  if (jobs.length > 0) {
    let rows = await squeue(client, jobs);
    if (rows.length > 0) {
      log(`slurm: cancelling ${rows.length} task(s) of job(s) ${jobs.join(', ')} left by an interrupted run`);
      await scancel(client, jobs);
      for (let i = 0; i < 240 && rows.length > 0 && !stop(); i++) {
        await sleep(500);
        rows = await squeue(client, jobs);
      }
      if (rows.length > 0 && !stop()) throw new SlurmCommandError(`job(s) ${jobs.join(', ')} of an interrupted run are still in the queue 2 min after scancel; stop them by hand (scancel ${jobs.join(' ')})`);
    }
  }
  await writeFileAtomic(jobsFile, `${JSON.stringify({ jobs: [] })}\n`);
}
