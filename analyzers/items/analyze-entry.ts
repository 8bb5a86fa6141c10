/**
 * One entry's Level 0 analysis, start to end: read the map, build the masks, run 0.a–0.d (0.e–0.h
 * not implemented yet), draw the figures, score, and write report.json atomically after every
 * figure it names is on disk.
 */
import path from 'node:path';
import { AnalysisInputError } from '../util/errors.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { readMrc } from '../io/mrc.ts';
import { parseReport, type Entry, type Item, type ItemId, type Report } from '../report/schema.ts';
import { resolutionSummary, scoreItems, summarize } from '../report/scoring.ts';
import { ANALYZER_VERSION } from '../util/version.ts';
import { toVolume } from '../volume/from-mrc.ts';
import { volumeStats } from '../volume/stats.ts';
import { massAnalysis } from './level0/0a-mass-analysis.ts';
import { maskAnalysis } from './level0/0b-mask-analysis.ts';
import { backgroundAnalysis } from './level0/0c-background-analysis.ts';
import { bFactorAnalysis } from './level0/0d-bfactor-analysis.ts';
import { localResolution } from '../methods/monores.ts';
import { localBFactor } from '../methods/local-bfactor.ts';
import { localOccupancy } from '../methods/local-occupancy.ts';
import { handTest } from '../methods/helix-hand.ts';
import { FigureWriter } from '../figures/report-figures.ts';
import { buildMasks, softMask } from '../methods/masks.ts';
import { prepareResizedMap, type ResizedMap } from '../methods/resized-map.ts';
import { peakRssMB, runItem } from './run-item.ts';
import type { Histogram } from '../methods/order-statistics.ts';

export interface AnalyzeEntryInput {
  readonly mapPath: string;
  /** Entry metadata; `threshold` and `resolution` drive the analysis. */
  readonly entry: Entry;
  /** Folder of this entry: report.json and figures/ are written there. */
  readonly entryDir: string;
  /** Draw figures (default true). */
  readonly figures?: boolean;
  readonly maxVoxels?: number;
}

export async function analyzeEntry(input: AnalyzeEntryInput): Promise<Report> {
  const t0 = performance.now();
  const { entry } = input;
  if (!Number.isFinite(entry.threshold)) throw new AnalysisInputError(`the threshold must be a finite number, got ${entry.threshold}`);
  const file = await readMrc(input.mapPath, { maxVoxels: input.maxVoxels });
  const { volume } = toVolume(file);
  if (!volume.voxelSize.every((s) => s > 0)) {
    throw new AnalysisInputError(`${input.mapPath}: the voxel size (cell / sampling) is ${volume.voxelSize.join(' × ')} Å; a positive voxel size is needed`);
  }
  const stats = volumeStats(volume.data);
  if (stats.finiteCount === 0) throw new AnalysisInputError(`${input.mapPath}: the map has no finite value (${stats.nanCount} NaN, ${stats.infCount} ±Inf)`);

  const masks = buildMasks(volume, entry.threshold);
  if (masks.hardCount === 0) {
    throw new AnalysisInputError(`threshold ${entry.threshold} is too high: no voxel of ${input.mapPath} reaches it (map maximum ${stats.max}); lower it`);
  }
  const fig = new FigureWriter(path.join(input.entryDir, 'figures'), input.figures ?? true);
  const soft = await softMask(masks.hard, volume.dims);
  const inputFigures = await fig.inputFigures(volume, masks.hard, soft, entry.threshold);

  const items = {} as Record<ItemId, Item>;
  items['0.a'] = (await runItem('0.a', () => massAnalysis(volume, masks.hard))).item;
  items['0.b'] = (await runItem('0.b', () => maskAnalysis(volume, entry.threshold, masks.raw, masks.labelling, masks.hard), (r) => fig.maskFigures(masks.raw, volume, r.values.thresholdTable as number[][]))).item;
  items['0.c'] = (await runItem('0.c', () => backgroundAnalysis(volume, masks.hard), (r) => fig.backgroundFigures(volume, masks.hard, r.sigma))).item;
  items['0.d'] = (await runItem('0.d', () => bFactorAnalysis(volume, entry.resolution), (r) => fig.guinierFigures(volume, r.fit))).item;
  items['0.e'] = (await runItem('0.e', async () => {
    const out = await localResolution(volume, masks.hard, entry.resolution);
    return Object.assign(out.result, { resmap: out.resmap });
  }, (r) => fig.localMapOutputs({
    stem: '0e-local-resolution', itemId: '0e', name: 'Local resolution', surface: volume, level: entry.threshold,
    property: { ...volume, data: r.resmap }, range: percentileRange(r.values), label: 'Local resolution (Å)',
    histogram: r.values.histogram as { edges: number[]; counts: number[] },
    markers: entry.resolution === null ? [] : [{ value: entry.resolution, label: `reported ${entry.resolution} Å` }],
  }))).item;
  // 0.f and 0.g share the resized map, its mask and its spectrum: prepared once, on first use.
  let resized: Promise<ResizedMap> | null = null;
  const prepared = () => (resized ??= prepareResizedMap(volume, entry.threshold, entry.resolution));
  const resizedOutputs = (r: { map: Float32Array; values: Record<string, unknown> }, stem: string, itemId: string, name: string, label: string, histogram: { edges: number[]; counts: number[] }) =>
    prepared().then((rm) => fig.localMapOutputs({ stem, itemId, name, surface: volume, level: entry.threshold, property: { ...rm.volume, data: r.map }, range: percentileRange(r.values), label, histogram }));
  items['0.f'] = (await runItem('0.f', async () => {
    const rm = await prepared();
    const out = await localBFactor(rm.volume, rm.hard, entry.resolution, { amplitude: rm.amplitude });
    return Object.assign(out.result, { map: out.bmap });
  }, (r) => resizedOutputs(r, '0f-local-bfactor', '0f', 'Local B-factor', 'Local B-factor (Å²)', r.values.histogram as Histogram))).item;
  items['0.g'] = (await runItem('0.g', async () => {
    const rm = await prepared();
    const out = await localOccupancy(rm.volume, rm.hard, entry.resolution, { amplitude: rm.amplitude });
    return Object.assign(out.result, { map: out.omap });
  }, (r) => resizedOutputs(r, '0g-local-occupancy', '0g', 'Local occupancy', 'Local occupancy (fraction)', r.values.histogram as Histogram))).item;
  resized = null;
  items['0.h'] = (await runItem('0.h', async () => {
    const h = await handTest(volume, entry.threshold, entry.resolution);
    return Object.assign(h.result, { hand: h });
  }, (r) => fig.handFigures(r.hand))).item;

  const score = scoreItems(items);
  const estimates = items['0.e'].evaluable ? [{ item: '0.e' as const, method: 'MonoRes (single map) median', value: (items['0.e'].values.median as number) }] : [];
  const report = parseReport(
    {
      schemaVersion: 1,
      entry,
      input: {
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
        figures: inputFigures,
      },
      score,
      summary: summarize(items, score, entry.resolution),
      items,
      resolutionEstimates: estimates,
      resolutionSummary: resolutionSummary(estimates, entry.resolution),
      provenance: {
        analyzer: { name: 'emvr', version: ANALYZER_VERSION },
        parameters: { threshold: entry.threshold, resolution: entry.resolution, hardMaskDilations: masks.dilations, softMaskSigmaPx: 2, vrsCompat: false },
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

/** [p2.5, p97.5] of an item's `percentiles` value. */
function percentileRange(values: Record<string, unknown>): [number, number] {
  const p = values.percentiles as { p2_5: number; p97_5: number };
  return [p.p2_5, p.p97_5];
}
