/**
 * The inside of one Slurm array task (`emvr analyze-batch --task-file F --task-index I`, started by
 * the batch script): analyses the entries of `tasks[I]` one after the other, each into its own
 * attempt folder `work-<job>_<index>` on shared storage, and then writes that entry's status.json
 * atomically (temporary file + rename), after every file of the attempt is in place. A task that
 * dies (out-of-memory kill, time limit, node failure) leaves no status for the entries it had not
 * finished; the driver sees that and decides. Exit code 0 when every status was written.
 */
import { hostname } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { ANALYZER_VERSION } from '../../analyzers/util/version.ts';
import { analyseJob, type AnalysisOutcome } from '../jobs/analysis-job.ts';
import { readTaskFile, statusPathOf, TASK_FILE_VERSION, workName, type TaskStatus, type TaskUnit } from './task-file.ts';

/** "<array job>_<index>" from Slurm's environment, or a local stand-in when run by hand. */
export function currentTaskId(index: number, env: NodeJS.ProcessEnv = process.env): string {
  const job = env.SLURM_ARRAY_JOB_ID ?? env.SLURM_JOB_ID;
  return job ? `${job}_${env.SLURM_ARRAY_TASK_ID ?? index}` : `local${process.pid}_${index}`;
}

async function analyseUnit(u: TaskUnit, task: string, versionProblem: string | null): Promise<AnalysisOutcome> {
  const work = path.join(u.resultDir, workName(task));
  if (versionProblem !== null) return { ok: false, kind: 'error', message: versionProblem, seconds: 0 };
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const out = await analyseJob({
    mapPath: u.mapPath,
    ...(u.halfMapPaths ? { halfMapPaths: u.halfMapPaths } : {}),
    ...(u.modelPath ? { modelPath: u.modelPath, ...(u.modelPdbId ? { modelPdbId: u.modelPdbId } : {}) } : {}),
    ...(u.inputNotes && u.inputNotes.length > 0 ? { inputNotes: u.inputNotes } : {}),
    ...(u.metadataGrid ? { metadataGrid: u.metadataGrid } : {}),
    entryDir: work,
    entry: u.entry,
    figures: u.figures,
    maxVoxels: u.maxVoxels,
  });
  // Nothing to publish from a failed attempt; its partial figures would only fill the disk.
  if (!out.ok) await rm(work, { recursive: true, force: true });
  return out;
}

/** Runs array task `index` of `taskFile` (see the file comment); `log` gets one line per entry (it ends up in the task's Slurm log). */
export async function runSlurmTask(taskFile: string, index: number, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const file = await readTaskFile(taskFile);
  const units = file.tasks[index];
  if (!Number.isInteger(index) || units === undefined) {
    log(`emvr task: ${taskFile} has no task ${index} (it has ${file.tasks.length})`);
    return 2;
  }
  const task = currentTaskId(index);
  // Slurm's name of the node (what squeue and scontrol show), else the machine's.
  const host = process.env.SLURMD_NODENAME ?? hostname();
  // Code on shared storage changed between submission and start: a result would be credited to the wrong version.
  const versionProblem =
    file.analyzerVersion === ANALYZER_VERSION ? null : `the analyzer on ${host} is version ${ANALYZER_VERSION}, the run was submitted with ${file.analyzerVersion} (code changed under queued tasks)`;
  let code = 0;
  for (const u of units) {
    log(`emvr task ${task} on ${host}: ${u.id} (${u.mapPath}${u.halfMapPaths ? ` + half maps ${u.halfMapPaths.join(', ')}` : ''}${u.modelPath ? ` + model ${u.modelPath}` : ''})`);
    const outcome = await analyseUnit(u, task, versionProblem);
    const status: TaskStatus = { version: TASK_FILE_VERSION, id: u.id, key: u.key, task, work: workName(task), host, outcome, finishedAt: new Date().toISOString() };
    try {
      await writeFileAtomic(statusPathOf(u.resultDir), `${JSON.stringify(status)}\n`);
    } catch (err) {
      log(`emvr task ${task}: could not write the status of ${u.id}: ${(err as Error).message}`);
      code = 1;
      continue;
    }
    log(`emvr task ${task}: ${u.id} ${outcome.ok ? `analysed in ${outcome.seconds} s` : `${outcome.kind}: ${outcome.message}`}`);
  }
  return code;
}
