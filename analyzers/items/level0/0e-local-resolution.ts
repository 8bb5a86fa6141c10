/**
 * 0.e Local resolution: MonoRes from the map alone (methods/monores.ts; noise from outside the
 * mask), its statistics, warnings (level0-spec.md §8), sentences and percentile table, the
 * histogram, coloured surface views and the local-resolution map as a download.
 */
import { FFTS_PER_FREQUENCY, localResolution, localResolutionStatistics, type MonoResRun } from '../../methods/monores.ts';
import { localResolutionSpec } from '../../report/items/level0/0e-local-resolution.ts';
import { f } from '../../util/format.ts';
import { formatCount } from '../../report/format-number.ts';
import { NotMeasurable } from '../../util/errors.ts';
import { implementItem, type ItemResult } from '../item.ts';
import { localResolutionOutputs, localResolutionSentences, localResolutionTable, localResolutionWarnings, round3 } from '../local-resolution-report.ts';

/** Values, warnings, sentences and table of 0.e from the local-resolution map and the run's bookkeeping. */
export function measureLocalResolution(resmap: Float32Array, resolution: number, info: MonoResRun): ItemResult {
  const st = localResolutionStatistics(resmap, resolution);
  const { p2_5, p25, p50, p75, p97_5 } = st.percentiles;
  const { histogram, count } = st;
  const P = st.reportedResolutionPercentile;
  const warnings = localResolutionWarnings('0e', st, resolution);
  const first = info.steps.length ? info.steps[0].resolution : NaN;
  const last = info.steps.length ? info.steps[info.steps.length - 1].resolution : NaN;
  const table = localResolutionTable('local-resolution-percentiles', 'Representative percentiles of the local resolution (MonoRes, single map) inside the mask', st);
  return {
    warnings,
    values: {
      percentiles: { p2_5, p25, p50, p75, p97_5 },
      histogram,
      median: p50,
      reportedResolutionPercentile: P,
      voxels: count,
      range: [info.rHi, info.rLo],
      step: info.step,
      alpha: info.alpha,
      frequencies: info.steps.map((s) => ({ ...s, resolution: round3(s.resolution) })),
      stopReason: info.stop,
      noiseSource: info.mode === 'half-maps' ? 'half-maps' : 'background',
      maskVoxels: info.proteinCount,
      refinedMaskVoxels: info.N0,
      unassignedVoxels: { ...info.unassigned },
      noiseVoxels: info.noiseCount,
      refineThreshold: info.refineThreshold,
      cliff: { proteinRadiusPx: info.cliff.proteinRadius, cutRadiusPx: info.cliff.cutRadius, found: info.cliff.cliff },
      workBox: { origin: info.box.lo, dims: info.box.dims, cropped: info.cropped },
      ffts: info.ffts,
      fftsPerFrequency: FFTS_PER_FREQUENCY,
    },
    results: [
      `MonoRes (${info.mode === 'half-maps' ? `half-map mode: the mean of the half maps, noise model from the monogenic amplitude of their difference at the ${formatCount(info.noiseCount)} mask voxels` : `single map; noise model from ${formatCount(info.noiseCount)} voxels outside the mask`}${info.cropped ? `, within a ${info.box.dims.join('×')} box around it` : ''}) analysed ${info.steps.length} frequencies from ${f(first)} Å to ${f(last)} Å (step ${f(info.step)} Å, significance α = ${f(info.alpha)}) and assigned a local resolution to ${formatCount(count)} of the ${formatCount(info.proteinCount)} mask voxels; the loop stopped because: ${info.stop}.`,
      ...unassignedSentences(info),
      ...localResolutionSentences(st, resolution),
    ],
    tables: [table],
  };
}

/** Why mask voxels got no local resolution (none when every one got a value). */
export function unassignedSentences(info: MonoResRun): string[] {
  const { noiseLike, neverAbove } = info.unassigned;
  if (noiseLike + neverAbove === 0) return [];
  const parts: string[] = [];
  if (noiseLike > 0) parts.push(`${formatCount(noiseLike)} because their full-band monogenic amplitude is below the 95th percentile of the noise model, so nothing there stands out of the noise at any resolution (MonoRes's mask refinement; typical of the solvent rim of a dilated mask, and of a noise model that contains density, e.g. parts of the molecule left outside the mask by the contour)`);
  if (neverAbove > 0) parts.push(`${formatCount(neverAbove)} because their amplitude was never above the noise threshold at any analysed frequency (their resolution is worse than ${f(info.steps.length ? info.steps[0].resolution : info.rLo)} Å, the coarsest analysed, or the loop stopped before they passed)`);
  return [`${formatCount(noiseLike + neverAbove)} of the ${formatCount(info.proteinCount)} mask voxels received no local resolution; they are left out of the statistics and hold no value (NaN) in the local-resolution map: ${parts.join('; ')}.`];
}

export const localResolutionItem = implementItem({
  spec: localResolutionSpec,
  uses: ['halfMapLocalResolution'],
  compute: async (ctx) => {
    try {
      const out = await localResolution(ctx.map, ctx.masks.hard, ctx.resolution);
      return { ...measureLocalResolution(out.resmap, ctx.resolution as number, out.run), extra: out.resmap };
    } catch (err) {
      // A background without noise (a masked deposit) leaves the half maps as the only noise model.
      if (!(err instanceof NotMeasurable) || !ctx.halfMaps) throw err;
      const out = await ctx.halfMapLocalResolution();
      const m = measureLocalResolution(out.resmap, ctx.resolution as number, out.run);
      const why = `The map's background cannot model the noise (${err.message}); the noise model was taken from the half maps instead, the same measurement as 1.e.`;
      return { ...m, results: [why, ...m.results], extra: out.resmap };
    }
  },
  outputs: (ctx, m) => localResolutionOutputs(ctx, m, { stem: '0e-local-resolution', itemId: '0e', name: 'Local resolution', label: 'Local resolution (Å)' }),
});
