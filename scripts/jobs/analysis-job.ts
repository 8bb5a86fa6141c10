/**
 * Child process of the analysis pool: receives one job at a time over IPC, runs the analysis of
 * one entry (Level 0 from the map; Level 1 too when the job has half maps; the model recorded, and
 * Level A where the analyzer has it, when the job has one) into a staging folder, replaces its report.json with the deterministic
 * copy (stable-report.ts) and answers with the timings and the report's sha256. One process per
 * worker keeps a crash, a wasm abort or an out-of-memory kill inside one entry. It exits when
 * its parent goes away (IPC disconnect), so a killed nightly leaves no workers behind.
 * `analyseJob` is the same analysis without IPC, for Slurm tasks (scripts/slurm/task.ts).
 */
import path from 'node:path';
import { AnalysisInputError } from '../../analyzers/util/errors.ts';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { MrcFormatError } from '../../analyzers/io/mrc-errors.ts';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import type { Entry, MetadataGrid, Report } from '../../analyzers/report/schema.ts';
import { reportText, sha256Text, stableReport, type ReportTimings } from './stable-report.ts';

/** Parent → worker. */
export interface AnalysisJob {
  readonly jobId: number;
  readonly mapPath: string;
  /** Staging folder: report.json and figures/ are written here. */
  readonly entryDir: string;
  readonly entry: Entry;
  /** The entry's two half maps (verified downloads); their presence runs the Level 1 items. */
  readonly halfMapPaths?: readonly [string, string];
  /** The fitted model (a verified mmCIF download): recorded as the report's `inputs.model`. */
  readonly modelPath?: string;
  /** Its PDB ID, as EMDB lists it. */
  readonly modelPdbId?: string;
  /** Notes on the inputs from outside the files (e.g. why listed half maps were not used), added to the report's `inputs.map.notes`. */
  readonly inputNotes?: readonly InputNote[];
  /** What the entry's metadata says of the map's grid: a disagreement becomes an input warning in the report. */
  readonly metadataGrid?: MetadataGrid;
  readonly figures: boolean;
  readonly maxVoxels?: number;
}

/** A note on the inputs, as the report's map notes hold it. */
export interface InputNote {
  readonly code: string;
  readonly message: string;
}

/** An analysis outcome. `kind` refused = AnalysisInputError; corrupt = MrcFormatError; error = anything else. */
export type AnalysisOutcome =
  | { readonly ok: true; readonly reportSha256: string; readonly timings: ReportTimings; readonly seconds: number }
  | { readonly ok: false; readonly kind: 'refused' | 'corrupt' | 'error'; readonly message: string; readonly seconds: number };

/** Worker → parent: the outcome of job `jobId`. */
export type AnalysisResult = AnalysisOutcome & { readonly jobId: number };

/**
 * Analyses one entry into `job.entryDir` (report.json, figures/, maps/) and replaces report.json by
 * its deterministic copy. Never throws: input problems come back as refused, unreadable maps as
 * corrupt, anything else as error. Used by the local worker processes and by Slurm tasks alike,
 * so both executors publish the same bytes.
 */
export async function analyseJob(job: Omit<AnalysisJob, 'jobId'>): Promise<AnalysisOutcome> {
  const t0 = performance.now();
  const seconds = () => Math.round(performance.now() - t0) / 1000;
  try {
    const report = await analyzeEntry({
      mapPath: job.mapPath,
      ...(job.halfMapPaths ? { halfMapPaths: job.halfMapPaths } : {}),
      ...(job.modelPath ? { modelPath: job.modelPath, ...(job.modelPdbId ? { modelPdbId: job.modelPdbId } : {}) } : {}),
      entryDir: job.entryDir,
      entry: job.entry,
      figures: job.figures,
      maxVoxels: job.maxVoxels,
      ...(job.metadataGrid ? { metadataGrid: job.metadataGrid } : {}),
    });
    const { report: stable, timings } = stableReport(withInputNotes(report, job.inputNotes ?? []));
    const text = reportText(stable);
    await writeFileAtomic(path.join(job.entryDir, 'report.json'), text);
    return { ok: true, reportSha256: sha256Text(text), timings, seconds: seconds() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const kind = err instanceof AnalysisInputError ? 'refused' : err instanceof MrcFormatError ? 'corrupt' : 'error';
    return { ok: false, kind, message: kind === 'error' && process.env.EMVR_DEBUG ? `${message}\n${(err as Error).stack ?? ''}` : message, seconds: seconds() };
  }
}

/** The report with `notes` appended to its map's notes (the analyzer knows only what the files say). */
export function withInputNotes(report: Report, notes: readonly InputNote[]): Report {
  if (notes.length === 0) return report;
  const copy = structuredClone(report);
  copy.inputs.map.notes.push(...notes.map(({ code, message }) => ({ code, message })));
  return copy;
}

async function run(job: AnalysisJob): Promise<AnalysisResult> {
  return { jobId: job.jobId, ...(await analyseJob(job)) };
}

if (import.meta.main && process.send) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (job: AnalysisJob) => {
    void run(job).then((r) => {
      if (process.connected) process.send?.(r);
    });
  });
  process.send({ ready: true });
}
