/**
 * 0.f Local B-factor: LocBFactor (methods/local-bfactor.ts) on the map resized to res/2 (a
 * product shared with 0.g), its histogram, views coloured on the original surface, and the map.
 */
import { localBFactor } from '../../methods/local-bfactor.ts';
import type { Histogram } from '../../methods/order-statistics.ts';
import { localBFactorSpec } from '../../report/items/level0/0f-local-bfactor.ts';
import { implementItem } from '../item.ts';
import { percentileRange } from '../percentile-range.ts';

export const localBFactorItem = implementItem({
  spec: localBFactorSpec,
  uses: ['resizedMap'],
  compute: async (ctx) => {
    const rm = await ctx.resizedMap();
    const out = await localBFactor(rm.volume, rm.hard, ctx.resolution, { amplitude: rm.amplitude });
    return { ...out.result, extra: { ...rm.volume, data: out.bmap } };
  },
  outputs: (ctx, m) =>
    ctx.figures.localMapOutputs({
      stem: '0f-local-bfactor', itemId: '0f', name: 'Local B-factor', surface: ctx.map, level: ctx.threshold,
      property: m.extra, range: percentileRange(m.values), label: 'Local B-factor (Å²)', histogram: m.values.histogram as Histogram,
    }),
});
