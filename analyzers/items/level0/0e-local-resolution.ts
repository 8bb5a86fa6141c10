/**
 * 0.e Local resolution: MonoRes from the map alone (methods/monores.ts; noise from outside the
 * mask), its statistics, warnings (level0-spec.md §8), sentences and percentile table, the
 * histogram, coloured surface views and the local-resolution map as a download.
 */
import { FFTS_PER_FREQUENCY, localResolution, localResolutionStatistics, PERCENTILES, type LocalResolutionStatistics, type MonoResRun } from '../../methods/monores.ts';
import { localResolutionSpec } from '../../report/items/level0/0e-local-resolution.ts';
import type { Table } from '../../report/schema.ts';
import { f } from '../../util/format.ts';
import { implementItem, type ItemResult } from '../item.ts';
import { percentileRange } from '../percentile-range.ts';

/** §8 warnings: 0e.homogeneous (|p2.5 − p97.5| < 0.01 Å) and 0e.resolution-better-than-local (P < 0.1 %). */
export function localResolutionWarnings(st: LocalResolutionStatistics, resolution: number): ItemResult['warnings'] {
  const { p2_5, p97_5 } = st.percentiles;
  const P = st.reportedResolutionPercentile;
  const warnings: ItemResult['warnings'] = [];
  if (Math.abs(p2_5 - p97_5) < 0.01) {
    warnings.push({ code: '0e.homogeneous', text: `The local resolution is suspiciously homogeneous: |p97.5 − p2.5| = ${f(Math.abs(p97_5 - p2_5), 3)} Å (criterion: at least 0.01 Å). This points to a problem of the program rather than of the map.` });
  }
  if (P < 0.1) {
    warnings.push({ code: '0e.resolution-better-than-local', text: `The reported resolution, ${f(resolution)} Å, is better than almost all local resolutions: it is at percentile ${f(P, 3)}% of their distribution (criterion: at least 0.1%). The reported resolution may be overestimated.` });
  }
  return warnings;
}

/** Values, warnings, sentences and table of 0.e from the local-resolution map and the run's bookkeeping. */
export function measureLocalResolution(resmap: Float32Array, resolution: number, info: MonoResRun): ItemResult {
  const st = localResolutionStatistics(resmap, resolution);
  const { p2_5, p25, p50, p75, p97_5 } = st.percentiles;
  const { histogram, count } = st;
  const P = st.reportedResolutionPercentile;
  const warnings = localResolutionWarnings(st, resolution);
  const first = info.steps.length ? info.steps[0].resolution : NaN;
  const last = info.steps.length ? info.steps[info.steps.length - 1].resolution : NaN;
  const table: Table = {
    id: 'local-resolution-percentiles',
    caption: 'Representative percentiles of the local resolution (MonoRes, single map) inside the mask',
    columns: [{ key: 'percentile', label: 'Percentile', unit: '%' }, { key: 'resolution', label: 'Local resolution', unit: 'Å' }],
    rows: PERCENTILES.map((p, j) => [p, round3([p2_5, p25, p50, p75, p97_5][j])]),
  };
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
      maskVoxels: info.proteinCount,
      refinedMaskVoxels: info.N0,
      noiseVoxels: info.noiseCount,
      refineThreshold: info.refineThreshold,
      cliff: { proteinRadiusPx: info.cliff.proteinRadius, cutRadiusPx: info.cliff.cutRadius, found: info.cliff.cliff },
      workBox: { origin: info.box.lo, dims: info.box.dims, cropped: info.cropped },
      ffts: info.ffts,
      fftsPerFrequency: FFTS_PER_FREQUENCY,
    },
    results: [
      `MonoRes (single map; noise model from ${info.noiseCount} voxels outside the mask${info.cropped ? `, within a ${info.box.dims.join('×')} box around it` : ''}) analysed ${info.steps.length} frequencies from ${f(first)} Å to ${f(last)} Å (step ${f(info.step)} Å, significance α = ${f(info.alpha)}) and assigned a local resolution to ${count} of the ${info.proteinCount} mask voxels; the loop stopped because: ${info.stop}.`,
      `The local resolution inside the mask has median ${f(p50)} Å, interquartile range ${f(p25)}–${f(p75)} Å, and 95% of the voxels between ${f(p2_5)} and ${f(p97_5)} Å. Some representative percentiles are in the table.`,
      `The reported resolution, ${f(resolution)} Å, is at percentile ${f(P)}% of the local resolutions (the fraction of voxels with a better local resolution).`,
    ],
    tables: [table],
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const localResolutionItem = implementItem({
  spec: localResolutionSpec,
  compute: async (ctx) => {
    const out = await localResolution(ctx.map, ctx.masks.hard, ctx.resolution);
    return { ...measureLocalResolution(out.resmap, ctx.resolution as number, out.run), extra: out.resmap };
  },
  outputs: (ctx, m) => {
    const res = ctx.resolution;
    return ctx.figures.localMapOutputs({
      stem: '0e-local-resolution', itemId: '0e', name: 'Local resolution', surface: ctx.map, level: ctx.threshold,
      property: { ...ctx.map, data: m.extra }, range: percentileRange(m.values), label: 'Local resolution (Å)',
      histogram: m.values.histogram as { edges: number[]; counts: number[] },
      markers: res === null ? [] : [{ value: res, label: `reported ${res} Å` }],
    });
  },
});
