/**
 * What the driver and its Slurm tasks exchange through shared storage (`<out>/cache/slurm/`):
 *
 *   batches/run-R-B/tasks.json        the units of every array task of one submission (written by the driver)
 *   batches/run-R-B/analyze.sbatch    the batch script; logs/<job>_<task>.log its output
 *   results/EMD-N/work-<job>_<task>/  one attempt's analysis (report.json, figures/, maps/)
 *   results/EMD-N/status.json         that attempt's outcome, written last and atomically
 *   jobs.json                         array jobs submitted and not yet collected (cancelled by the next run if the driver died)
 *
 * A status file names the attempt (`task`) and the unit's input key, so the driver never takes a
 * stale one for a new attempt or for other inputs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Entry, MetadataGrid } from '../../analyzers/report/schema.ts';
import { checkEmdbId } from '../emdb/ids.ts';
import type { AnalysisOutcome, InputNote } from '../jobs/analysis-job.ts';

/**
 * Version of tasks.json and status.json; a task refuses a tasks.json of another version. 2: units
 * carry half maps and input notes (a version-1 task would silently analyse without them); 3: units
 * carry the fitted model (a version-2 task would silently leave it out); 4: units carry the
 * metadata's grid (a version-3 task would silently leave out the report's input warnings).
 */
export const TASK_FILE_VERSION = 4;

/** One entry to analyse in a task. */
export interface TaskUnit {
  readonly id: string;
  /** sha256 over everything the result depends on (see `unitKey`). */
  readonly key: string;
  /** Absolute folder on shared storage for this entry's attempts and status. */
  readonly resultDir: string;
  /** Absolute path of the verified map (gzip) on shared storage. */
  readonly mapPath: string;
  /** Absolute paths of the two verified half maps on shared storage, when the entry has them. */
  readonly halfMapPaths?: readonly [string, string];
  /** Absolute path of the verified fitted model on shared storage, and its PDB ID, when the entry has one. */
  readonly modelPath?: string;
  readonly modelPdbId?: string;
  /** Notes on the inputs added to the report (analysis-job.ts). */
  readonly inputNotes?: readonly InputNote[];
  /** What the entry's metadata says of the map's grid (analysis-job.ts). */
  readonly metadataGrid?: MetadataGrid;
  readonly entry: Entry;
  readonly figures: boolean;
  readonly maxVoxels?: number;
}

/** tasks.json: array task i analyses `tasks[i]` one after the other. */
export interface TaskFile {
  readonly version: number;
  /** ANALYZER_VERSION of the driver; a task running other analyzer code refuses to analyse. */
  readonly analyzerVersion: string;
  readonly tasks: readonly (readonly TaskUnit[])[];
}

/** status.json of one entry's attempt. */
export interface TaskStatus {
  readonly version: number;
  readonly id: string;
  readonly key: string;
  /** Slurm task that wrote it: "<array job>_<index>". */
  readonly task: string;
  /** Name of the attempt's folder inside the entry's result folder (report to publish when ok). */
  readonly work: string;
  readonly host: string;
  readonly outcome: AnalysisOutcome;
  readonly finishedAt: string;
}

/** Paths of the Slurm working area of an output folder. */
export function slurmPaths(outRoot: string) {
  const root = path.join(outRoot, 'cache', 'slurm');
  return {
    root,
    batches: path.join(root, 'batches'),
    results: path.join(root, 'results'),
    jobs: path.join(root, 'jobs.json'),
  };
}

/** Result folder of an entry (the ID is checked before it becomes a path). */
export function resultDirOf(outRoot: string, id: string): string {
  return path.join(slurmPaths(outRoot).results, checkEmdbId(id));
}

/** status.json of a result folder. */
export function statusPathOf(resultDir: string): string {
  return path.join(resultDir, 'status.json');
}

/** Folder name of one attempt: "work-<job>_<index>" (safe characters only). */
export function workName(task: string): string {
  return `work-${task.replace(/[^A-Za-z0-9_-]/gu, '-')}`;
}

/**
 * Key of a unit: sha256 of the canonical JSON of its inputs (id, map sha256, metadata sha256,
 * analyzer version, figures, max voxels, and the additional-input fingerprint when there is one:
 * left out when null so an entry without half maps keeps the key it always had).
 */
export function unitKey(k: { id: string; mapSha256: string; metadataSha256: string; analyzerVersion: string; figures: boolean; maxVoxels: number | null; extraInputsSha256?: string | null }): string {
  const canon = JSON.stringify([k.id, k.mapSha256, k.metadataSha256, k.analyzerVersion, k.figures, k.maxVoxels, ...(k.extraInputsSha256 ? [k.extraInputsSha256] : [])]);
  return createHash('sha256').update(canon).digest('hex');
}

/** Reads a status file; null when missing or not (yet) a complete status of this version. */
export async function readStatus(file: string): Promise<TaskStatus | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const s = JSON.parse(text) as TaskStatus;
    if (s.version !== TASK_FILE_VERSION || typeof s.task !== 'string' || typeof s.key !== 'string' || typeof s.outcome?.ok !== 'boolean') return null;
    return s;
  } catch {
    return null;
  }
}

/** Reads and checks a tasks.json. */
export async function readTaskFile(file: string): Promise<TaskFile> {
  const t = JSON.parse(await readFile(file, 'utf8')) as TaskFile;
  if (t.version !== TASK_FILE_VERSION) throw new Error(`${file}: task file version ${String(t.version)}, this emvr reads ${TASK_FILE_VERSION}`);
  if (!Array.isArray(t.tasks)) throw new Error(`${file}: no task list`);
  return t;
}
