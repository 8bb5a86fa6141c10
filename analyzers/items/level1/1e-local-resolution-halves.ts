/**
 * 1.e Local resolution with MonoRes in half-map mode (level1A-spec.md §1.e): the context's shared
 * half-map run (methods/monores.ts with the half-map difference as noise), its statistics and
 * warnings (§0), sentences, percentile table, histogram, coloured surface views and the
 * local-resolution map as a download.
 */
import { localResolutionStatistics } from '../../methods/monores.ts';
import { localResolutionHalvesSpec } from '../../report/items/level1/1e-local-resolution-halves.ts';
import { f } from '../../util/format.ts';
import { formatCount } from '../../report/format-number.ts';
import { implementItem } from '../item.ts';
import { localResolutionOutputs, localResolutionSentences, localResolutionTable, localResolutionWarnings, round3 } from '../local-resolution-report.ts';

export const localResolutionHalvesItem = implementItem({
  spec: localResolutionHalvesSpec,
  uses: ['halfMapLocalResolution'],
  compute: async (ctx) => {
    const { resmap, run } = await ctx.halfMapLocalResolution();
    const resolution = ctx.resolution as number;
    const st = localResolutionStatistics(resmap, resolution);
    const { p2_5, p25, p50, p75, p97_5 } = st.percentiles;
    const first = run.steps.length ? run.steps[0].resolution : NaN;
    const last = run.steps.length ? run.steps[run.steps.length - 1].resolution : NaN;
    return {
      warnings: localResolutionWarnings('1e', st, resolution),
      values: {
        percentiles: { p2_5, p25, p50, p75, p97_5 },
        histogram: st.histogram,
        median: p50,
        reportedResolutionPercentile: st.reportedResolutionPercentile,
        voxels: st.count,
        maskVoxels: run.proteinCount,
        range: [run.rHi, run.rLo],
        step: run.step,
        alpha: run.alpha,
        frequencies: run.steps.map((s) => ({ ...s, resolution: round3(s.resolution) })),
        stopReason: run.stop,
        ffts: run.ffts,
      },
      results: [
        `MonoRes on the mean of the half maps, with the noise model from the monogenic amplitude of their difference at the ${formatCount(run.proteinCount)} mask voxels${run.cropped ? `, within a ${run.box.dims.join('×')} box around the mask` : ''}, analysed ${run.steps.length} frequencies from ${f(first)} Å to ${f(last)} Å (step ${f(run.step)} Å, significance α = ${f(run.alpha)}) and assigned a local resolution to ${formatCount(st.count)} of the ${formatCount(run.proteinCount)} mask voxels; the loop stopped because: ${run.stop}.`,
        ...localResolutionSentences(st, resolution),
      ],
      tables: [localResolutionTable('local-resolution-halves-percentiles', 'Representative percentiles of the local resolution (MonoRes, half maps) inside the mask', st)],
      extra: resmap,
    };
  },
  outputs: (ctx, m) => localResolutionOutputs(ctx, m, { stem: '1e-local-resolution', itemId: '1e', name: 'Local resolution (half maps)', label: 'Local resolution (Å)' }),
});
