/**
 * 0.d B-factor analysis (level0-spec.md §7): the B-factor of the Guinier fit (methods/guinier.ts),
 * its warning (B < −300 or B > 0: over-sharpened), the Guinier table. A B that cannot be fitted
 * is "could not be measured" (VRS counted NaN as OK).
 */
import type { Table } from '../../report/schema.ts';
import { FIT_LOW_RESOLUTION_A, guinierFit, type GuinierFit } from '../../methods/guinier.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { bFactorAnalysisSpec } from '../../report/items/level0/0d-bfactor-analysis.ts';
import { implementItem, type ItemResult } from '../item.ts';

export interface GuinierResult extends ItemResult {
  readonly fit: GuinierFit;
}

export async function bFactorAnalysis(v: Volume, resolution: number | null): Promise<GuinierResult> {
  const g = await guinierFit(v, resolution);
  const { curve, bFactor: B } = g;
  const afterLnF = g.correctedLnF;
  const fit = { slope: g.slope, intercept: g.intercept, points: g.points };
  const warnings: ItemResult['warnings'] = [];
  if (B < -300 || B > 0) {
    warnings.push({
      code: '0d.bfactor-range',
      text: `The B-factor ${f(B, 1)} Å² is outside the interval [−300, 0]${B > 0 ? '; a positive B-factor means amplitudes grow with resolution: the map seems over-sharpened' : ''}.`,
    });
  }
  const table: Table = {
    id: 'guinier',
    caption: 'Guinier plot: log of the radially averaged Fourier amplitude per shell, before and after the B-factor correction',
    columns: [{ key: 'shell', label: 'Shell' }, { key: 'd', label: 'Resolution', unit: 'Å' }, { key: 'x', label: '1/d²', unit: 'Å⁻²' }, { key: 'lnF', label: 'ln |F|' }, { key: 'fit', label: 'In fit' }, { key: 'lnFCorrected', label: 'ln |F| corrected' }],
    rows: Array.from(curve.shell, (k, j) => [k, Number.isFinite(curve.d[j]) ? round4(curve.d[j]) : null, round6(curve.x[j]), fin(curve.lnF[j]), curve.weight[j], fin(afterLnF[j])]),
  };
  return {
    fit: g,
    warnings,
    values: { bFactor: B, slope: fit.slope, intercept: fit.intercept, fitPoints: fit.points, fitRange: [FIT_LOW_RESOLUTION_A, resolution as number] },
    results: [
      `The line ln|F| = a·s² + b fitted between ${FIT_LOW_RESOLUTION_A} Å and ${resolution} Å (${fit.points} shells; s = 1/d) has slope a = ${f(fit.slope, 2)} Å² and intercept b = ${f(fit.intercept, 2)}.`,
      `The estimated B-factor (4a) is ${f(B, 1)} Å².`,
    ],
    tables: [table],
  };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const round6 = (x: number) => Number(x.toPrecision(6));
const fin = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);

export const bFactorAnalysisItem = implementItem({
  spec: bFactorAnalysisSpec,
  compute: async (ctx) => {
    const r = await bFactorAnalysis(ctx.map, ctx.resolution);
    return { ...r, extra: r.fit };
  },
  outputs: async (ctx, m) => ({ figures: await ctx.figures.guinierFigures(ctx.map, m.extra), files: [] }),
});
