/**
 * 0.e Local resolution: MonoRes from the map alone (methods/monores.ts; noise from outside the
 * mask), its histogram, coloured surface views and the local-resolution map as a download.
 */
import { localResolution } from '../../methods/monores.ts';
import { localResolutionSpec } from '../../report/items/level0/0e-local-resolution.ts';
import { implementItem } from '../item.ts';
import { percentileRange } from '../percentile-range.ts';

export const localResolutionItem = implementItem({
  spec: localResolutionSpec,
  compute: async (ctx) => {
    const out = await localResolution(ctx.map, ctx.masks.hard, ctx.resolution);
    return { ...out.result, extra: out.resmap };
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
