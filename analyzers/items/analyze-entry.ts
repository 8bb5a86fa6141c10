/**
 * One entry's analysis, start to end: read the inputs (the map; the half maps and the model when
 * given), build the per-entry context, draw the input figures, run every item of the catalog
 * whose inputs are present (registry.ts, in report order), score, and write report.json
 * atomically after every figure it names is on disk. Each step (reading, input figures, every
 * item) is announced to `onStep` as it starts and ends, so a caller can show progress.
 */
import { formatBare } from '../report/format-number.ts';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelFormatError, readModel } from '../io/model-read.ts';
import type { AtomModel } from '../io/model.ts';
import { readMrc, type MrcFile, type ReadMrcOptions } from '../io/mrc.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { FigureWriter } from '../figures/report-figures.ts';
import { ViewerVolumeWriter } from '../figures/viewer-volumes.ts';
import { resolutionSummary, scoreItems, summarize } from '../report/scoring.ts';
import { itemSpec, metadataGridWarnings, parseReport, SCHEMA_VERSION, type AnyItem, type Entry, type HalfMapInput, type InputKind, type InputWarning, type ItemId, type MetadataGrid, type Report } from '../report/schema.ts';
import { AnalysisInputError } from '../util/errors.ts';
import { analysisDate } from '../util/analysis-date.ts';
import { ANALYZER_VERSION } from '../util/version.ts';
import { toVolume } from '../volume/from-mrc.ts';
import { pooledVolumeStats } from '../methods/pooled-stats.ts';
import type { Volume } from '../volume/volume.ts';
import { EntryContext } from './context.ts';
import { ITEM_IMPLEMENTATIONS } from './registry.ts';
import { settledBoth } from '../util/settled.ts';
import { peakRssMB } from './run-item.ts';
import { runItems, type ItemSteps } from './run-items.ts';

export interface AnalyzeEntryInput {
  readonly mapPath: string;
  /** The two half maps (same box and voxel size as the map). */
  readonly halfMapPaths?: readonly [string, string];
  /** The fitted atomic model (PDB or mmCIF, gzip allowed). */
  readonly modelPath?: string;
  /** PDB ID of the model, when it came from the archive. */
  readonly modelPdbId?: string;
  /** Entry metadata; `threshold` and `resolution` drive the analysis. */
  readonly entry: Entry;
  /** Folder of this entry: report.json and figures/ are written there. */
  readonly entryDir: string;
  /** Draw figures (default true). */
  readonly figures?: boolean;
  /** Write the 3-D viewer's files (default: as `figures`). */
  readonly viewer?: boolean;
  readonly maxVoxels?: number;
  /** What the entry's metadata says about the map's grid: a disagreement becomes an input warning (`inputs.warnings`). */
  readonly metadataGrid?: MetadataGrid;
  /** Read the maps as mrcfile's permissive mode does (e.g. a machine stamp contradicting the data); the issues become map notes. */
  readonly permissive?: boolean;
  /** UTC day recorded as the analysis date (YYYY-MM-DD); default today, or SOURCE_DATE_EPOCH's day (util/analysis-date.ts). */
  readonly analysedOn?: string;
  /** Told when each step starts and ends (in order; never for a step that throws). */
  readonly onStep?: (event: AnalyzeStepEvent) => void;
}

/** A step of the analysis starting or ending: `index` counts from 1 up to `total`, the number of steps this entry takes. */
export type AnalyzeStepEvent =
  | { readonly kind: 'start'; readonly step: string; readonly index: number; readonly total: number }
  | { readonly kind: 'done'; readonly step: string; readonly index: number; readonly total: number; readonly status: string; readonly seconds: number };

/** Announces steps to `onStep` (nothing without one): `run` wraps one step, timed from its start to its end; `start` and `done` announce a step whose work overlaps others (the items'). */
class StepReporter implements ItemSteps {
  private index = 0;
  private readonly total: number;
  private readonly onStep: ((event: AnalyzeStepEvent) => void) | undefined;
  private current: { step: string; index: number } | null = null;

  constructor(total: number, onStep: ((event: AnalyzeStepEvent) => void) | undefined) {
    this.total = total;
    this.onStep = onStep;
  }

  async run<T>(step: string, body: () => Promise<T>, statusOf: (result: T) => string = () => 'done'): Promise<T> {
    this.start(step);
    const t0 = performance.now();
    const result = await body();
    this.done(statusOf(result), (performance.now() - t0) / 1000);
    return result;
  }

  start(step: string): void {
    this.current = { step, index: ++this.index };
    this.onStep?.({ kind: 'start', step, index: this.index, total: this.total });
  }

  done(status: string, seconds: number): void {
    const c = this.current;
    if (!c) return;
    this.current = null;
    this.onStep?.({ kind: 'done', step: c.step, index: c.index, total: this.total, status, seconds });
  }
}

export async function analyzeEntry(input: AnalyzeEntryInput): Promise<Report> {
  const t0 = performance.now();
  const { entry } = input;
  if (!Number.isFinite(entry.threshold)) throw new AnalysisInputError(`the threshold must be a finite number, got ${entry.threshold}`);
  const read = { maxVoxels: input.maxVoxels, permissive: input.permissive };
  // Which items run follows from which inputs are given: a given input that cannot be read stops the analysis, an unreadable model excepted (Level A says why).
  const present: Record<InputKind, boolean> = { map: true, halfMaps: input.halfMapPaths !== undefined, model: input.modelPath !== undefined };
  const impls = ITEM_IMPLEMENTATIONS.filter((impl) => impl.spec.inputs.every((k) => present[k]));
  const figuresOn = input.figures ?? true;
  const steps = new StepReporter(2 + (figuresOn ? 1 : 0) + impls.length, input.onStep);

  const { file, volume, stats, halves, modelRead } = await steps.run('Reading the inputs', async () => {
    // The half maps are read (and decompressed, on libuv's threads) while the map is; the map's errors still come first.
    const halfReads = input.halfMapPaths?.map((p) => readMap(p, read));
    halfReads?.forEach((r) => r.catch(() => undefined));
    const { file, volume } = await readMap(input.mapPath, read);
    const stats = await pooledVolumeStats(volume.data);
    if (stats.finiteCount === 0) throw new AnalysisInputError(`${input.mapPath}: the map has no finite value (${stats.nanCount} NaN, ${stats.infCount} ±Inf)`);
    const halves = input.halfMapPaths && halfReads ? checkHalfMaps(input.halfMapPaths, await Promise.all(halfReads), input.mapPath, volume) : undefined;
    const modelRead = input.modelPath ? await readModelInput(input.modelPath) : undefined;
    return { file, volume, stats, halves, modelRead };
  });
  const model = modelRead && 'model' in modelRead ? modelRead.model : undefined;

  const fig = new FigureWriter(path.join(input.entryDir, 'figures'), figuresOn);
  // The viewer's files are figures of a kind: drawn with them by default, so a figures-off report keeps its bytes.
  const viewer = (input.viewer ?? figuresOn) ? new ViewerVolumeWriter(input.entryDir, volume.dims) : undefined;
  // The context builds the masks at the threshold (labelling, dilation): seconds on a large map.
  const ctx = await steps.run('Masks at the threshold', async () => {
    const ctx = new EntryContext({ map: volume, halfMaps: halves?.volumes, model, modelFile: input.modelPath ? path.basename(input.modelPath) : undefined, modelProblem: modelRead && 'problem' in modelRead ? modelRead.problem : undefined, metadata: entry }, fig, viewer);
    if (ctx.masks.hardCount === 0) {
      throw new AnalysisInputError(`threshold ${formatBare(entry.threshold, 'real')} is too high: no voxel of ${input.mapPath} reaches it (map maximum ${formatBare(stats.max, 'real')}); lower it`);
    }
    return ctx;
  });
  // The viewer's map (its gzip on a libuv thread) and the input figures are drawn while the first
  // items are measured (run-items.ts); a failed write stops the items as a failed figure would.
  const viewerMap = viewer?.writeMap(volume, entry.threshold);
  const inputFigures = figuresOn
    ? steps.run('Input figures', async () => {
        return {
          inputFigures: await fig.inputFigures(volume, ctx.masks.hard, await ctx.softMask(), entry.threshold),
          halfMapFigures: halves ? await fig.halfMapFigures(...halves.volumes) : [],
        };
      })
    : Promise.resolve({ inputFigures: [], halfMapFigures: [] });
  const inputDrawing = settledBoth(inputFigures, viewerMap);
  const items = await runItems(impls, ctx, steps, inputDrawing);
  const { inputFigures: inputFigureList, halfMapFigures } = await inputDrawing;
  ctx.keepOnly([]);
  // Without a Q-score (A.e not run or failed) the viewer still shows the model, with its deposited B.
  if (viewer && model && !viewer.hasModel()) await viewer.writeModel(model);
  const viewerFiles = viewer?.files();

  const score = scoreItems(items);
  const estimates = items.flatMap((it) => {
    const measuredItem = it.status === 'ok' || it.status === 'warnings';
    const specs = (itemSpec(it.id as ItemId).resolutionEstimates ?? []) as readonly { method: string; measures?: string; pick: (v: unknown) => number | null }[];
    return specs.flatMap((est) => {
      const value = measuredItem ? est.pick(it.values) : null;
      return value !== null ? [{ item: it.id, method: est.method, value, ...(est.measures ? { measures: est.measures } : {}) }] : [];
    });
  });
  const grouped: Record<string, Record<string, AnyItem>> = {};
  for (const it of items) (grouped[itemSpec(it.id as ItemId).level] ??= {})[it.id] = it;
  const report = parseReport(
    {
      schemaVersion: SCHEMA_VERSION,
      entry,
      inputs: {
        map: {
          file: path.basename(input.mapPath),
          sha256: file.sha256,
          bytes: file.storedBytes,
          dims: [...volume.dims],
          voxelSize: [...volume.voxelSize],
          origin: [...volume.origin],
          mode: file.mode,
          stats: { min: stats.min, max: stats.max, mean: stats.mean, std: stats.std },
          nanCount: stats.nanCount,
          notes: file.issues.map(({ code, message }) => ({ code, message })),
          figures: inputFigureList,
        },
        ...(halves ? { halfMaps: halves.inputs, ...(figuresOn ? { halfMapFigures } : {}) } : {}),
        ...(input.modelPath ? await modelInput(input.modelPath, input.modelPdbId) : {}),
        ...inputWarnings(input.metadataGrid, volume),
        ...(input.metadataGrid ? { metadataGrid: { voxelSize: input.metadataGrid.voxelSize, dims: input.metadataGrid.dims } } : {}),
      },
      score,
      summary: summarize(items, score, entry.resolution),
      items: { '0': {}, ...grouped },
      resolutionEstimates: estimates.map(({ item, method, value }) => ({ item, method, value })),
      resolutionSummary: resolutionSummary(estimates, entry.resolution),
      ...(viewerFiles ? { viewer: viewerFiles } : {}),
      provenance: {
        analyzer: { name: 'emvr', version: ANALYZER_VERSION },
        analysedOn: input.analysedOn ?? analysisDate(),
        parameters: { threshold: entry.threshold, resolution: entry.resolution, hardMaskDilations: ctx.masks.dilations, softMaskSigmaPx: 2, vrsCompat: false },
        runtime: { node: process.version, platform: `${process.platform}-${process.arch}` },
        totalSeconds: Math.round(performance.now() - t0) / 1000,
        peakRssMB: Math.round(peakRssMB()),
      },
    },
    `report of ${entry.id}`,
  );
  await writeFileAtomic(path.join(input.entryDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** The `warnings` member of the inputs when the metadata disagrees with the map read (else nothing, so reports without metadata keep their bytes). */
function inputWarnings(meta: MetadataGrid | undefined, volume: Volume): { warnings?: InputWarning[] } {
  const warnings = meta ? metadataGridWarnings(meta, volume) : [];
  return warnings.length > 0 ? { warnings } : {};
}

/** Reads a map into a Volume, refusing a grid without a positive voxel size. */
async function readMap(mapPath: string, opts: ReadMrcOptions): Promise<{ file: MrcFile; volume: Volume }> {
  const file = await readMrc(mapPath, opts);
  const { volume } = toVolume(file);
  if (!volume.voxelSize.every((s) => s > 0)) {
    throw new AnalysisInputError(`${mapPath}: the voxel size (cell / sampling) is ${volume.voxelSize.join(' × ')} Å; a positive voxel size is needed`);
  }
  return { file, volume };
}

/** Checks that both half maps (as read) share the map's box and voxel size. */
function checkHalfMaps(paths: readonly [string, string], read: readonly { file: MrcFile; volume: Volume }[], mapPath: string, map: Volume): { volumes: [Volume, Volume]; inputs: [HalfMapInput, HalfMapInput] } {
  const grid = (v: Volume) => `${v.dims.join('×')} voxels of ${v.voxelSize.map((s) => Number(s.toPrecision(6))).join('×')} Å`;
  read.forEach(({ volume }, k) => {
    const same = volume.dims.every((d, a) => d === map.dims[a]) && volume.voxelSize.every((s, a) => Math.abs(s - map.voxelSize[a]) <= 1e-4 * map.voxelSize[a]);
    if (!same) throw new AnalysisInputError(`half map ${paths[k]} (${grid(volume)}) is not on the grid of the map ${mapPath} (${grid(map)})`);
  });
  const inputs = read.map(({ file }, k) => ({ file: path.basename(paths[k]), sha256: file.sha256, bytes: file.storedBytes })) as [HalfMapInput, HalfMapInput];
  return { volumes: [read[0].volume, read[1].volume], inputs };
}

/**
 * Reads the fitted model. A file that is not a readable PDB/mmCIF model (garbage, truncated,
 * empty, corrupt gzip) does not refuse the entry: the map is analysed and the Level A items report
 * the reader's message, which names the file. A file that cannot be opened at all is a wrong
 * path: the file-system error (naming it) refuses the entry, as for a missing map.
 */
async function readModelInput(modelPath: string): Promise<{ model: AtomModel } | { problem: string }> {
  try {
    return { model: await readModel(modelPath) };
  } catch (err) {
    if (err instanceof ModelFormatError) return { problem: `the model cannot be read: ${err.message}` };
    throw err;
  }
}

/** The model's file, hash and size for the report. */
async function modelInput(modelPath: string, pdbId: string | undefined): Promise<{ model: { file: string; sha256: string; bytes: number; pdbId?: string } }> {
  const bytes = await readFile(modelPath);
  return { model: { file: path.basename(modelPath), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, ...(pdbId ? { pdbId } : {}) } };
}
