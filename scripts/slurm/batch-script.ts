/**
 * The sbatch script of one array submission. Everything Slurm needs is in `#SBATCH` lines, so the
 * script can be resubmitted by hand (`sbatch analyze.sbatch`); options passed through by the user
 * go on sbatch's command line, where they override the script's lines. Each array task runs
 * `emvr analyze-batch --task-file <tasks.json> --task-index $SLURM_ARRAY_TASK_ID` with the
 * project's own Node (node_modules/node), which must be reachable at the same path on the compute
 * nodes (shared storage); EMVR_THREADS follows the CPUs Slurm gave the task.
 */
import type { TaskResources } from './resources.ts';
import { slurmTime } from './resources.ts';

/** What goes into one array submission. */
export interface BatchScriptSpec {
  readonly jobName: string;
  /** Number of array tasks (indices 0 … n−1). */
  readonly tasks: number;
  /** At most this many tasks at once (`%N`); 0/undefined = Slurm's choice. */
  readonly maxRunning?: number;
  readonly resources: TaskResources;
  readonly cpusPerTask: number;
  readonly partition?: string;
  readonly account?: string;
  /** Working directory of the tasks (the output folder, on shared storage). */
  readonly chdir: string;
  /** Log file pattern (%A = array job, %a = index). */
  readonly output: string;
  /** Absolute path of the Node binary the tasks run. */
  readonly node: string;
  /** Absolute path of scripts/cli.ts. */
  readonly cli: string;
  readonly taskFile: string;
}

/** Quotes a string for a POSIX shell (single quotes; a quote inside becomes '\''). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/gu, `'\\''`)}'`;
}

/** A value that may not break an `#SBATCH` line (Slurm reads these lines itself, without a shell). */
function directiveValue(name: string, v: string): string {
  if (/[\s"'\\#]/u.test(v) || v === '') throw new Error(`--${name} value ${JSON.stringify(v)} cannot be written into an #SBATCH line (spaces, quotes or #)`);
  return v;
}

/** The `#SBATCH` options of a submission, in order (also used by tests to read back what was asked). */
export function sbatchDirectives(s: BatchScriptSpec): string[] {
  const array = `0-${s.tasks - 1}${s.maxRunning ? `%${s.maxRunning}` : ''}`;
  const d = [
    `--job-name=${directiveValue('job-name', s.jobName)}`,
    `--array=${array}`,
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${s.cpusPerTask}`,
    `--mem=${s.resources.memMB}M`,
    `--time=${slurmTime(s.resources.timeMin)}`,
    `--chdir=${directiveValue('chdir', s.chdir)}`,
    `--output=${directiveValue('output', s.output)}`,
  ];
  if (s.partition) d.push(`--partition=${directiveValue('partition', s.partition)}`);
  if (s.account) d.push(`--account=${directiveValue('account', s.account)}`);
  return d;
}

/** The script text (see the file comment). */
export function batchScript(s: BatchScriptSpec): string {
  if (!Number.isInteger(s.tasks) || s.tasks < 1) throw new RangeError(`batchScript: tasks must be ≥ 1, got ${s.tasks}`);
  return [
    '#!/bin/bash',
    ...sbatchDirectives(s).map((o) => `#SBATCH ${o}`),
    '#',
    '# emvr: Level 0 analyses as a Slurm job array, written by the driver (scripts/slurm/driver.ts).',
    '# Each task analyses the entries listed for its index in tasks.json and writes, per entry,',
    '# results/EMD-N/work-<job>_<index>/ and then results/EMD-N/status.json (atomically).',
    'set -u',
    `NODE=${shellQuote(s.node)}`,
    `CLI=${shellQuote(s.cli)}`,
    `TASKS=${shellQuote(s.taskFile)}`,
    'if [ ! -x "$NODE" ] || [ ! -r "$CLI" ]; then',
    '  echo "emvr task: $NODE or $CLI is not reachable on $(hostname): the checkout with its node_modules must be on shared storage" >&2',
    '  exit 3',
    'fi',
    'export EMVR_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    'exec "$NODE" "$CLI" analyze-batch --task-file "$TASKS" --task-index "${SLURM_ARRAY_TASK_ID:?emvr: not started as an array task}"',
    '',
  ].join('\n');
}
