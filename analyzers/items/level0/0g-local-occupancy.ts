/**
 * 0.g Local occupancy: LocOccupancy (methods/local-occupancy.ts) on the map resized to res/2 (a
 * product shared with 0.f); its percentiles and histogram over [0, 1] inside the mask, warnings,
 * sentences and table; its histogram, views coloured on the original surface, and the map.
 */
import { localOccupancy, type LocOccupancyRun } from '../../methods/local-occupancy.ts';
import { maskedSummary, type Histogram, type PercentileSummary } from '../../methods/order-statistics.ts';
import { sortedValuesWhere } from '../../methods/quantised-histogram.ts';
import { valueMaskOf } from '../../volume/value-mask.ts';
import { localOccupancySpec } from '../../report/items/level0/0g-local-occupancy.ts';
import { NotMeasurable } from '../../util/errors.ts';
import { f } from '../../util/format.ts';
import { implementItem, type ItemResult } from '../item.ts';
import { percentileRange } from '../percentile-range.ts';
import { percentileTable } from '../percentile-table.ts';

/**
 * 0.g warnings from the in-mask percentiles (strict inequalities): `0g.homogeneous` when
 * |p2.5 − p97.5| < 0.1, `0g.median-low` when the median is < 0.5. (With a 0/1 mask the second can
 * hardly fire: every shell passes ≥ 75 % of the mask, so the mask mean of O is ≥ 0.75, which a
 * median below 0.5 would contradict; it is kept as the VRS criterion.)
 */
export function localOccupancyWarnings(p: PercentileSummary): ItemResult['warnings'] {
  const warnings: ItemResult['warnings'] = [];
  if (Math.abs(p.p2_5 - p.p97_5) < 0.1) {
    warnings.push({ code: '0g.homogeneous', text: 'The local occupancy is suspiciously homogeneous (|p2.5 − p97.5| < 0.1): the program may have failed.' });
  }
  if (p.p50 < 0.5) {
    warnings.push({ code: '0g.median-low', text: `The median occupancy (${f(p.p50)}) is below 50 %.` });
  }
  return warnings;
}

/** Values, warnings, sentences and table of 0.g from the occupancy map and its run. */
export function measureLocalOccupancy(omap: Float32Array, mask: Uint8Array, resolution: number, run: LocOccupancyRun): ItemResult {
  const summary = maskedSummary(omap, mask, [0, 1]);
  if (!summary) throw new NotMeasurable('the local occupancy is not finite at any voxel of the mask');
  const { percentiles: p, median } = summary;
  const m = run.shells;
  return {
    warnings: localOccupancyWarnings(p),
    values: {
      percentiles: { ...p },
      median,
      histogram: { ...summary.histogram },
      voxels: summary.count,
      frequencies: run.frequencies,
      amplitudeLevels: run.amplitudeLevels,
      shellWidth: run.shellWidth,
    },
    results: [
      `The local occupancy (LocOccupancy, ${m} shell${m === 1 ? '' : 's'} from ${run.minRes} Å to ${resolution} Å, shell width ${f(run.shellWidth, 5)} Å⁻¹) was computed at every voxel of the ${run.boxEdge}³ map resampled to ${f(run.voxelSizeA, 3)} Å/voxel; ${summary.count} voxels of the mask are summarised.`,
      `Some representative percentiles of the local occupancy inside the mask: 2.5 % ${f(p.p2_5)}, 25 % ${f(p.p25)}, 50 % ${f(p.p50)}, 75 % ${f(p.p75)}, 97.5 % ${f(p.p97_5)}.`,
      `The median local occupancy is ${f(median)}.`,
    ],
    tables: [percentileTable('local-occupancy-percentiles', 'Representative percentiles of the local occupancy inside the mask', 'Local occupancy', 'fraction [0–1]', p, 2)],
  };
}

export const localOccupancyItem = implementItem({
  spec: localOccupancySpec,
  uses: ['resizedMap'],
  compute: async (ctx) => {
    const rm = await ctx.resizedMap();
    const out = await localOccupancy(rm.volume, rm.hard, ctx.resolution, { amplitude: rm.amplitude });
    return { ...measureLocalOccupancy(out.omap, rm.hard, ctx.resolution as number, out.run), extra: { ...rm.volume, data: out.omap } };
  },
  outputs: async (ctx, m) => {
    // The histogram counts what the statistics count (mask voxels with a value), over the same range.
    const inside = valueMaskOf((await ctx.resizedMap()).hard, 0.5);
    const h = m.values.histogram as Histogram;
    return ctx.figures.localMapOutputs({
      stem: '0g-local-occupancy', itemId: '0g', name: 'Local occupancy', surface: ctx.map, level: ctx.threshold,
      property: m.extra, range: percentileRange(m.values), label: 'Local occupancy (fraction)', histogram: { sorted: sortedValuesWhere(m.extra.data, inside), range: [h.edges[0], h.edges[h.edges.length - 1]] },
      inside,
    });
  },
});
