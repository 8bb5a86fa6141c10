/**
 * A.d Map–model Guinier comparison (level1A-spec.md §A.d): the Guinier curves (0.d's method) of
 * the map and of the model map on the same shells (d ≥ res), the map curve shifted by
 * mean(y_model) − mean(y_map), their Pearson correlation R (the shift does not change it) and both
 * B-factors. R < 0.5 warns.
 */
import { guinierFit, type GuinierFit } from '../../methods/guinier.ts';
import { pearsonFromSums } from '../../methods/model-fit.ts';
import { linePlot } from '../../figures/plots.ts';
import { mapModelGuinierSpec } from '../../report/items/levelA/Ad-map-model-guinier.ts';
import type { Warning } from '../../report/schema.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';

const LOW_CORRELATION = 0.5;

/** Both fits and the shells compared (x > 0, both curves finite). */
export interface GuinierPair {
  readonly map: GuinierFit;
  readonly model: GuinierFit;
  readonly shells: number[];
  readonly shift: number;
}

export async function mapModelGuinier(map: Volume, modelMap: Volume, resolution: number | null): Promise<Measurement<GuinierPair>> {
  const gm = await guinierFit(map, resolution);
  const gc = await guinierFit(modelMap, resolution);
  const a = gm.curve.lnF, b = gc.curve.lnF;
  const shells = Array.from(gm.curve.x.keys()).filter((j) => gm.curve.x[j] > 0 && Number.isFinite(a[j]) && Number.isFinite(b[j]));
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (const j of shells) {
    sa += a[j];
    sb += b[j];
    saa += a[j] * a[j];
    sbb += b[j] * b[j];
    sab += a[j] * b[j];
  }
  const n = shells.length;
  const correlation = pearsonFromSums(n, sa, sb, saa, sbb, sab);
  const shift = n > 0 ? (sb - sa) / n : Number.NaN;
  const warnings: Warning[] = [];
  if (correlation !== null && correlation < LOW_CORRELATION) {
    warnings.push({ code: 'Ad.low-correlation', text: `The Guinier curves of the map and of the model map correlate at ${f(correlation, 3)} (below ${LOW_CORRELATION}).` });
  }
  return {
    values: { correlation, bMap: gm.bFactor, bModel: gc.bFactor, shift: Number.isFinite(shift) ? shift : null, points: n },
    warnings,
    results: [`Over ${n} shells from the box size to ${resolution} Å the Guinier curves of the map and of the model map correlate at ${correlation === null ? 'undefined' : f(correlation, 3)}; the Guinier B-factor is ${f(gm.bFactor, 1)} Å² for the map and ${f(gc.bFactor, 1)} Å² for the model map.`],
    tables: [],
    extra: { map: gm, model: gc, shells, shift },
  };
}

export const mapModelGuinierItem = implementItem({
  spec: mapModelGuinierSpec,
  uses: ['modelFit'],
  compute: async (ctx) => mapModelGuinier(ctx.map, (await ctx.alignedModelFit()).modelMap, ctx.resolution),
  outputs: async (ctx, m) => {
    const { map, model, shells, shift } = m.extra;
    const x = shells.map((j) => map.curve.x[j]);
    const figures = await ctx.figures.plotFigure('Ad-guinier', 'Ad.guinier', `Guinier plots of the map (shifted by ${f(shift, 2)} to the mean of the model curve) and of the model map, up to the reported resolution.`, () =>
      linePlot({
        series: [{ name: 'map (shifted)', x, y: shells.map((j) => map.curve.lnF[j] + shift) }, { name: 'model map', x, y: shells.map((j) => model.curve.lnF[j]) }],
        xTitle: '1/d² (Å⁻²)',
        yTitle: 'ln |F| (radial mean of amplitudes)',
      }),
    );
    return { figures, files: [] };
  },
});
