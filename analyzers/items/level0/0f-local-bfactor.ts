/**
 * 0.f Local B-factor: LocBFactor (methods/local-bfactor.ts) on the map resized to res/2 (a
 * product shared with 0.g); its percentiles and histogram inside the mask, warnings, sentences and
 * table; its histogram, views coloured on the original surface, and the map.
 */
import { localBFactor, type LocBFactorRun } from '../../methods/local-bfactor.ts';
import { maskedSummary, type Histogram, type PercentileSummary } from '../../methods/order-statistics.ts';
import { sortedValuesWhere } from '../../methods/quantised-histogram.ts';
import { valueMaskOf } from '../../volume/value-mask.ts';
import { localBFactorSpec } from '../../report/items/level0/0f-local-bfactor.ts';
import { NotMeasurable } from '../../util/errors.ts';
import { f } from '../../util/format.ts';
import { formatCount } from '../../report/format-number.ts';
import { implementItem, type ItemResult } from '../item.ts';
import { percentileRange } from '../percentile-range.ts';
import { percentileTable } from '../percentile-table.ts';

/**
 * The median local B without the constant that the Σ S = 1 shell normalisation adds to every voxel
 * (`normalisationOffset`, −37 to −53 Å² at 3–3.5 Å, more at coarser resolution): median − offset.
 * Without a finite offset the median as computed.
 */
export function correctedMedian(median: number, normalisationOffset: number): number {
  return Number.isFinite(normalisationOffset) ? median - normalisationOffset : median;
}

/**
 * 0.f warnings from the in-mask percentiles (strict inequalities): `0f.homogeneous` when
 * |p2.5 − p97.5| < 0.01 Å², `0f.median-range` when the median corrected for the normalisation
 * offset is < −300 or > 0 Å². VRS applies [−300, 0] to the raw median, which carries the offset:
 * a map over-sharpened by +50 Å² reads ≈ −20 Å² raw and would pass.
 */
export function localBFactorWarnings(p: PercentileSummary, normalisationOffset = 0): ItemResult['warnings'] {
  const warnings: ItemResult['warnings'] = [];
  if (Math.abs(p.p2_5 - p.p97_5) < 0.01) {
    warnings.push({ code: '0f.homogeneous', text: 'The local B-factor is suspiciously homogeneous (|p2.5 − p97.5| < 0.01 Å²): the program may have failed.' });
  }
  const m = correctedMedian(p.p50, normalisationOffset);
  if (m < -300 || m > 0) {
    const over = m > 0 ? ' A positive local B-factor means the map seems over-sharpened.' : '';
    warnings.push({ code: '0f.median-range', text: `The median local B-factor corrected for the shell normalisation (${f(p.p50, 1)} − (${f(normalisationOffset, 1)}) = ${f(m, 1)} Å²) is out of the interval [−300, 0].${over}` });
  }
  return warnings;
}

/**
 * Values, warnings, sentences and table of 0.f from the local-B map and its run: percentiles and
 * median of B over mask > 0.5, a 25-bin histogram over [p0.5, p99.5] (the outer 1 % counted in
 * below/above, so that a few extreme voxels do not squash the bins).
 */
export function measureLocalBFactor(bmap: Float32Array, mask: Uint8Array, resolution: number, run: LocBFactorRun): ItemResult {
  const summary = maskedSummary(bmap, mask);
  if (!summary) throw new NotMeasurable('the local B-factor is not finite at any voxel of the mask');
  const { percentiles: p, median } = summary;
  const results = [
    `The local B-factor (LocBFactor, ${run.numPoints} shells from ${run.minRes} Å to ${resolution} Å, shell width ${f(run.shellWidth, 5)} Å⁻¹) was computed at every voxel of the ${run.boxEdge}³ map resampled to ${f(run.voxelSizeA, 3)} Å/voxel; ${formatCount(summary.count)} voxels of the mask are summarised.`,
    `Some representative percentiles of the local B-factor inside the mask: 2.5 % ${f(p.p2_5)}, 25 % ${f(p.p25)}, 50 % ${f(p.p50)}, 75 % ${f(p.p75)}, 97.5 % ${f(p.p97_5)} Å².`,
    `The median local B-factor is ${f(median)} Å²; without the ${f(run.normalisationOffset)} Å² that the shell normalisation adds to every voxel on this grid it is ${f(correctedMedian(median, run.normalisationOffset))} Å², the value the criterion is applied to.`,
  ];
  if (summary.nonFinite > 0) results.push(`${summary.nonFinite} voxels of the mask had no finite local B-factor (zero local amplitude) and were left out.`);
  return {
    warnings: localBFactorWarnings(p, run.normalisationOffset),
    values: {
      percentiles: { ...p },
      median,
      histogram: { ...summary.histogram },
      voxels: summary.count,
      nonFiniteVoxels: summary.nonFinite,
      frequencies: run.frequencies,
      noiseLevels: run.noiseLevels,
      shellWidth: run.shellWidth,
      backgroundVoxels: run.backgroundVoxels,
      normalisationOffset: run.normalisationOffset,
      correctedMedian: correctedMedian(median, run.normalisationOffset),
    },
    results,
    tables: [percentileTable('local-bfactor-percentiles', 'Representative percentiles of the local B-factor inside the mask', 'Local B-factor', 'Å²', p, 2)],
  };
}

export const localBFactorItem = implementItem({
  spec: localBFactorSpec,
  uses: ['resizedMap'],
  compute: async (ctx) => {
    const rm = await ctx.resizedMap();
    const out = await localBFactor(rm.volume, rm.hard, ctx.resolution, { amplitude: rm.amplitude });
    return { ...measureLocalBFactor(out.bmap, rm.hard, ctx.resolution as number, out.run), extra: { ...rm.volume, data: out.bmap } };
  },
  outputs: async (ctx, m) => {
    // The histogram counts what the statistics count (mask voxels with a value), over the same range.
    const inside = valueMaskOf((await ctx.resizedMap()).hard, 0.5);
    const h = m.values.histogram as Histogram;
    return ctx.figures.localMapOutputs({
      stem: '0f-local-bfactor', itemId: '0f', name: 'Local B-factor', surface: ctx.map, level: ctx.threshold,
      property: m.extra, range: percentileRange(m.values), label: 'Local B-factor (Å²)', histogram: { sorted: sortedValuesWhere(m.extra.data, inside), range: [h.edges[0], h.edges[h.edges.length - 1]] },
      inside,
    });
  },
});
