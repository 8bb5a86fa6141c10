/**
 * 0.g Local occupancy: LocOccupancy (methods/local-occupancy.ts) on the map resized to res/2 (a
 * product shared with 0.f), its histogram, views coloured on the original surface, and the map.
 */
import { localOccupancy } from '../../methods/local-occupancy.ts';
import type { Histogram } from '../../methods/order-statistics.ts';
import { localOccupancySpec } from '../../report/items/level0/0g-local-occupancy.ts';
import { implementItem } from '../item.ts';
import { percentileRange } from '../percentile-range.ts';

export const localOccupancyItem = implementItem({
  spec: localOccupancySpec,
  uses: ['resizedMap'],
  compute: async (ctx) => {
    const rm = await ctx.resizedMap();
    const out = await localOccupancy(rm.volume, rm.hard, ctx.resolution, { amplitude: rm.amplitude });
    return { ...out.result, extra: { ...rm.volume, data: out.omap } };
  },
  outputs: (ctx, m) =>
    ctx.figures.localMapOutputs({
      stem: '0g-local-occupancy', itemId: '0g', name: 'Local occupancy', surface: ctx.map, level: ctx.threshold,
      property: m.extra, range: percentileRange(m.values), label: 'Local occupancy (fraction)', histogram: m.values.histogram as Histogram,
    }),
});
