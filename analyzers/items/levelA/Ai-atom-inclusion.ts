/**
 * A.i Atom inclusion (EMDB validation analysis, Wang et al. 2022): the fraction of all atoms and
 * of backbone atoms (N, CA, C, O) at which the map, interpolated trilinearly, reaches the
 * recommended contour, and the same fractions as curves against the contour level.
 */
import type { AtomModel } from '../../io/model.ts';
import { BACKBONE_NAMES, trilinear } from '../../methods/model-fit.ts';
import { linspace } from '../../methods/order-statistics.ts';
import { linePlot } from '../../figures/plots.ts';
import { atomInclusionSpec } from '../../report/items/levelA/Ai-atom-inclusion.ts';
import type { Table, Warning } from '../../report/schema.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';

/** Below this fraction of atoms inside the recommended contour the item warns. */
const LOW_INCLUSION = 0.5;
/** Contour levels of the curve. */
const CURVE_LEVELS = 41;

/** Inclusion curves: contour levels (map units) and the fractions of all and backbone atoms at or above each. */
export interface InclusionCurve {
  readonly levels: number[];
  readonly all: number[];
  readonly backbone: number[];
}

/** Map value (trilinear) at every atom; NaN outside the box. */
export function mapAtAtoms(map: Volume, model: AtomModel): Float64Array {
  return Float64Array.from({ length: model.count }, (_, j) => trilinear(map, model.x[j], model.y[j], model.z[j]));
}

/** Fraction of the values ≥ level (NaN, outside the box, counts as outside). */
function fractionAtLeast(values: ArrayLike<number>, level: number): number | null {
  if (values.length === 0) return null;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] >= level) n++;
  return n / values.length;
}

export function atomInclusion(map: Volume, model: AtomModel, contour: number): Measurement<InclusionCurve> {
  const at = mapAtAtoms(map, model);
  const bb = Float64Array.from(at.filter((_, j) => BACKBONE_NAMES.has(model.atomName[j]) && !model.isHetero[j]));
  const allAtoms = fractionAtLeast(at, contour);
  const backbone = fractionAtLeast(bb, contour);
  let hi = contour;
  for (const v of at) if (v > hi) hi = v;
  const levels = linspace(Math.min(0, contour), hi, CURVE_LEVELS);
  const curve: InclusionCurve = { levels, all: levels.map((l) => fractionAtLeast(at, l) ?? Number.NaN), backbone: levels.map((l) => fractionAtLeast(bb, l) ?? Number.NaN) };
  const warnings: Warning[] = [];
  if (allAtoms !== null && allAtoms < LOW_INCLUSION) {
    warnings.push({ code: 'Ai.low-inclusion', text: `Only ${f(100 * allAtoms, 1)} % of the atoms lie inside the recommended contour ${f(contour, 4)} (fewer than ${100 * LOW_INCLUSION} %).` });
  }
  const pct = (x: number | null) => (x === null ? 'undefined' : `${f(100 * x, 1)} %`);
  return {
    values: { allAtoms, backbone, contour, atoms: model.count, backboneAtoms: bb.length },
    warnings,
    results: [`At the recommended contour ${f(contour, 4)}, ${pct(allAtoms)} of the ${model.count} atoms and ${pct(backbone)} of the ${bb.length} backbone atoms lie inside the map's surface.`],
    tables: [curveTable(curve)],
    extra: curve,
  };
}

function curveTable(c: InclusionCurve): Table {
  const r = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(5)) : null);
  return {
    id: 'atom-inclusion',
    caption: 'Fraction of all atoms and of backbone atoms inside the contour, per contour level',
    columns: [{ key: 'level', label: 'Contour level', unit: 'map units' }, { key: 'all', label: 'All atoms' }, { key: 'backbone', label: 'Backbone atoms' }],
    rows: c.levels.map((l, i) => [r(l), r(c.all[i]), r(c.backbone[i])]),
  };
}

export const atomInclusionItem = implementItem({
  spec: atomInclusionSpec,
  uses: ['modelFit'],
  compute: async (ctx) => atomInclusion(ctx.map, (await ctx.alignedModelFit()).model, ctx.threshold),
  outputs: async (ctx, m) => {
    const c = m.extra;
    const figures = await ctx.figures.plotFigure('Ai-inclusion', 'Ai.inclusion', 'Fraction of all atoms and of backbone atoms (N, CA, C, O) at which the map reaches the contour level, against the level; the vertical line is the recommended contour.', () =>
      linePlot({
        series: [{ name: 'all atoms', x: c.levels, y: c.all }, { name: 'backbone', x: c.levels, y: c.backbone }],
        xTitle: 'Contour level (map units)',
        yTitle: 'Atom inclusion (fraction)',
        yDomain: [0, 1.02],
        rules: [{ axis: 'x', value: ctx.threshold, label: 'recommended contour' }],
      }),
    );
    return { figures, files: [] };
  },
});
