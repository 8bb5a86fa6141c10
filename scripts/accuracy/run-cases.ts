/**
 * Runs accuracy cases on worker processes (one case at a time each, single-threaded FFTs), the
 * largest first so that the workers finish together; results come back keyed by case index, so
 * the table does not depend on which worker ran what, or when. A worker is this file run with
 * `--worker`; it reads cases from IPC messages and answers with their observations.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AccuracyCase } from './cases.ts';
import { measureCase, type Observation } from './measure-case.ts';

interface Job { readonly index: number; readonly c: AccuracyCase }
/** A worker's answer, with the CPU seconds (user + system) it has used so far. */
type Reply = { index: number; observations: Observation[]; cpuSeconds: number } | { index: number; error: string };

export interface CaseRun {
  /** Observations of every case, in case order (empty for a failed case). */
  readonly observations: Observation[][];
  /** Cases whose simulation or measurement threw (the grid is ours: a bug, not a refusal), with the error. */
  readonly failures: { id: string; error: string }[];
  /** CPU seconds the workers used (user + system, summed): the run's cost whatever the machine's load. */
  readonly cpuSeconds: number;
}

/** Rough cost of a case, for the order only: voxels times the family's item cost. */
function cost(c: AccuracyCase): number {
  return c.box ** 3 * (c.family === 'halves' ? (c.layout === 'uniform' ? 3 : 1.5) : c.family === 'map' ? (c.masked ? 1 : 2) : 0.5);
}

/**
 * Runs every case. `onDone` hears of each finished case (for progress). A case that throws is
 * listed in `failures` and the run goes on, so that one bug does not cost the other cases.
 */
export async function runCases(cases: readonly AccuracyCase[], workers: number, onDone: (c: AccuracyCase, seconds: number) => void = () => undefined): Promise<CaseRun> {
  const queue: Job[] = cases.map((c, index) => ({ index, c })).sort((a, b) => cost(b.c) - cost(a.c) || a.index - b.index);
  const results: Observation[][] = new Array(cases.length);
  const self = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = [];
  let cpuSeconds = 0;
  const failures: CaseRun['failures'] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.min(workers, cases.length) }, async () => {
        const child = fork(self, ['--worker'], { env: { ...process.env, EMVR_THREADS: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        let used = 0;
        for (let job = queue.shift(); job; job = queue.shift()) {
          const t0 = performance.now();
          const reply = await ask(child, job);
          if ('error' in reply) {
            failures.push({ id: job.c.id, error: reply.error });
            results[job.index] = [];
          } else {
            results[job.index] = reply.observations;
            used = reply.cpuSeconds;
          }
          onDone(job.c, (performance.now() - t0) / 1000);
        }
        cpuSeconds += used;
      }),
    );
  } finally {
    for (const child of children) child.kill();
  }
  return { observations: results, failures, cpuSeconds };
}

function ask(child: ChildProcess, job: Job): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`accuracy worker exited (code ${code}) during case ${job.c.id}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as Reply);
    });
    child.send(job);
  });
}

if (process.argv.includes('--worker')) {
  process.on('message', (job: Job) => {
    measureCase(job.c).then(
      (observations) => {
        const u = process.cpuUsage();
        process.send!({ index: job.index, observations, cpuSeconds: (u.user + u.system) / 1e6 } satisfies Reply);
      },
      (err: unknown) => process.send!({ index: job.index, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
