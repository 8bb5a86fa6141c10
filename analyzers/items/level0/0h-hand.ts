/**
 * 0.h Hand: the helix-chirality test (methods/helix-hand.ts, the classical replacement of
 * DeepHand) and the figure of the helix segments it used.
 */
import { handTest } from '../../methods/helix-hand.ts';
import { handSpec } from '../../report/items/level0/0h-hand.ts';
import { implementItem } from '../item.ts';

export const handItem = implementItem({
  spec: handSpec,
  compute: async (ctx) => {
    const h = await handTest(ctx.map, ctx.threshold, ctx.resolution);
    return { ...h.result, extra: h };
  },
  outputs: async (ctx, m) => ({ figures: await ctx.figures.handFigures(m.extra), files: [] }),
});
