/**
 * A.e Q-score (level1A-spec.md §A.e): per-atom Q (methods/q-score.ts) of the placed model,
 * averaged over the polymer atoms (waters and ligands apart), per residue and per chain; the
 * expected Q at the reported resolution (methods/q-expected.ts) and Q_relative among the archive
 * (methods/q-relative.ts). VRS's criteria (median < 0.1, p97.5 − p2.5 < 0.1) and a warning when the
 * average is more than 0.2 below the expected Q. Not applicable when the model is not aligned.
 */
import { linePlot, histogramPlot } from '../../figures/plots.ts';
import type { AtomModel } from '../../io/model.ts';
import { nearestResidueVolume, residuesOf, SURFACE_REACH_EXTRA_A, type Residue } from '../../methods/model-fit.ts';
import { histogram, PERCENTILE_LEVELS, quantileSorted } from '../../methods/order-statistics.ts';
import { BELOW_EXPECTED_MARGIN, expectedQ, Q_LINES } from '../../methods/q-expected.ts';
import { qRelative, SIMILAR_RESOLUTION_ENTRIES, type QRelative } from '../../methods/q-relative.ts';
import { qScores, type QScores } from '../../methods/q-score.ts';
import type { ModelFit } from '../../simulate/model-alignment.ts';
import { qScoreSpec } from '../../report/items/levelA/Ae-q-score.ts';
import type { ItemValues } from '../../report/catalog.ts';
import type { Figure, Table, Warning } from '../../report/schema.ts';
import { NotMeasurable } from '../../util/errors.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';

const LOW_MEDIAN = 0.1;
const HOMOGENEOUS_SPAN = 0.1;
/** Chains drawn as per-residue plots (the table has them all). */
const PLOTTED_CHAINS = 8;

/** What a residue is, for the averages and the expected Q. */
export type ResidueClass = 'protein' | 'nucleic' | 'ion' | 'ligand';

/** Protein: N, CA and C present; nucleic acid: a sugar (C1′ and C4′); one atom: an ion; else a ligand. */
export function residueClasses(model: AtomModel, residues: readonly Residue[], residueOfAtom: Int32Array): ResidueClass[] {
  const names = residues.map(() => new Set<string>());
  for (let j = 0; j < model.count; j++) if (residueOfAtom[j] >= 0) names[residueOfAtom[j]].add(model.atomName[j]);
  return names.map((n) => {
    if (n.has('N') && n.has('CA') && n.has('C')) return 'protein';
    if (n.has("C1'") && n.has("C4'")) return 'nucleic';
    return n.size === 1 ? 'ion' : 'ligand';
  });
}

/** Mean of the finite values. */
function mean(xs: readonly number[]): number | null {
  return xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

const r4 = (x: number | null | undefined): number | null => (x !== null && x !== undefined && Number.isFinite(x) ? Number(x.toPrecision(4)) : null);

/** What the figures and files are drawn from. */
export interface QScoreExtra {
  readonly fit: ModelFit;
  readonly scores: QScores;
  readonly residues: readonly Residue[];
  readonly residueOfAtom: Int32Array;
  /** Mean Q per residue (null: no scored atom). */
  readonly residueQ: (number | null)[];
  readonly polymerQ: number[];
}

export async function qScoreItem(map: Volume, fit: ModelFit, reported: number | null, opts: { threads?: number } = {}): Promise<Measurement<QScoreExtra>> {
  const model = fit.model;
  const scores = await qScores(map, model, opts);
  const { residues, residueOfAtom } = residuesOf(model);
  const classes = residueClasses(model, residues, residueOfAtom);
  const perResidue = residues.map(() => [] as number[]);
  const chains = new Map<string, number[]>();
  const polymerQ: number[] = [], waterQ: number[] = [], ligandQ: number[] = [];
  let nucleic = 0;
  for (const j of scores.scored) {
    const q = scores.q[j];
    if (!Number.isFinite(q)) continue;
    const r = residueOfAtom[j];
    if (r < 0) {
      waterQ.push(q);
      continue;
    }
    perResidue[r].push(q);
    if (classes[r] === 'protein' || classes[r] === 'nucleic') {
      polymerQ.push(q);
      if (classes[r] === 'nucleic') nucleic++;
      const c = chains.get(residues[r].chain) ?? [];
      c.push(q);
      chains.set(residues[r].chain, c);
    } else ligandQ.push(q);
  }
  if (polymerQ.length === 0) throw new NotMeasurable('no protein or nucleic-acid atom of the model received a Q-score');
  const residueQ = perResidue.map((qs) => mean(qs));
  const sorted = Float64Array.from(polymerQ).sort();
  const percentiles = Object.fromEntries(PERCENTILE_LEVELS.map(([key, p]) => [key, quantileSorted(sorted, p)])) as Record<(typeof PERCENTILE_LEVELS)[number][0], number>;
  const averageQ = mean(polymerQ)!;
  const nucleicFraction = nucleic / polymerQ.length;
  const line = (kind: 'protein' | 'nucleic') => (reported === null ? Number.NaN : expectedQ(reported, kind));
  const expected = reported === null ? null : (1 - nucleicFraction) * line('protein') + nucleicFraction * line('nucleic');
  const mixedLine = { slope: (1 - nucleicFraction) * Q_LINES.protein.slope + nucleicFraction * Q_LINES.nucleic.slope, intercept: (1 - nucleicFraction) * Q_LINES.protein.intercept + nucleicFraction * Q_LINES.nucleic.intercept };
  const estimated = (averageQ - mixedLine.intercept) / mixedLine.slope;
  const rel = qRelative(averageQ, reported);
  const hist = histogram(polymerQ, 40, [-1, 1]);
  const values = {
    averageQ,
    expectedQ: expected,
    estimatedResolution: estimated > 0 ? estimated : null,
    percentiles,
    medianQ: percentiles.p50,
    histogram: { edges: Array.from(hist.edges), counts: Array.from(hist.counts) },
    atoms: polymerQ.length,
    residues: residueQ.filter((q, k) => q !== null && (classes[k] === 'protein' || classes[k] === 'nucleic')).length,
    nucleicFraction,
    perChain: [...chains].map(([chain, qs]) => ({ chain, atoms: qs.length, averageQ: mean(qs) })),
    waters: { atoms: waterQ.length, averageQ: mean(waterQ) },
    ligands: { atoms: ligandQ.length, averageQ: mean(ligandQ) },
    qRelativeAll: rel.all,
    qRelativeResolution: rel.resolution,
    qRelativePopulations: populations(rel),
    sigma: scores.sigma,
    referenceA: scores.reference.a,
    referenceB: scores.reference.b,
  } satisfies ItemValues<'A.e'>;
  const warnings: Warning[] = [];
  if (percentiles.p50 < LOW_MEDIAN) warnings.push({ code: 'Ae.low-median', text: `The median Q of the polymer atoms is ${f(percentiles.p50, 3)} (below ${LOW_MEDIAN}): most atoms are not resolved in the map.` });
  if (Math.abs(percentiles.p97_5 - percentiles.p2_5) < HOMOGENEOUS_SPAN) warnings.push({ code: 'Ae.homogeneous', text: `The per-atom Q spans only ${f(percentiles.p97_5 - percentiles.p2_5, 3)} between its 2.5th and 97.5th percentiles (less than ${HOMOGENEOUS_SPAN}).` });
  if (expected !== null && averageQ < expected - BELOW_EXPECTED_MARGIN) {
    warnings.push({ code: 'Ae.below-expected', text: `The average Q ${f(averageQ, 3)} is more than ${BELOW_EXPECTED_MARGIN} below the Q expected at ${reported} Å (${f(expected, 3)}).` });
  }
  return {
    values,
    warnings,
    results: sentences(values, reported, rel, scores.scored.length - polymerQ.length - waterQ.length - ligandQ.length),
    tables: [chainTable(values.perChain, values.waters, values.ligands), percentileTableOf(percentiles), residueTable(residues, classes, perResidue, residueQ)],
    extra: { fit, scores, residues, residueOfAtom, residueQ, polymerQ },
  };
}

type Values = ItemValues<'A.e'>;

function populations(rel: QRelative): Values['qRelativePopulations'] {
  const band = rel.band;
  return {
    all: { entries: rel.allEntries, description: `among ${rel.allEntries.toLocaleString('en-US')} EMDB entries with a fitted model (MapQ's table, 2025)` },
    resolution: {
      entries: rel.resolutionEntries,
      band: band ? [band[0], band[1]] : null,
      description: band ? `among the ${rel.resolutionEntries.toLocaleString('en-US')} entries nearest in resolution (${SIMILAR_RESOLUTION_ENTRIES.toLocaleString('en-US')} and ties: ${band[0]}–${band[1]} Å)` : 'no reported resolution',
    },
  };
}

function sentences(v: Values, reported: number | null, rel: QRelative, unscored: number): string[] {
  const out: string[] = [];
  out.push(`${v.atoms} non-hydrogen atoms of ${v.residues} protein and nucleic-acid residues have an average Q of ${f(v.averageQ ?? Number.NaN, 3)} (median ${f(v.medianQ ?? Number.NaN, 3)}; reference Gaussian σ ${v.sigma} Å).${unscored > 0 ? ` ${unscored} atoms had too few points inside the box for a Q.` : ''}`);
  if (reported !== null && v.expectedQ !== null) out.push(`At the reported resolution of ${reported} Å the published line expects ${f(v.expectedQ, 3)}${v.nucleicFraction && v.nucleicFraction > 0 ? ` (protein and nucleic-acid lines weighted by their atoms, ${f(100 * v.nucleicFraction, 0)} % nucleic)` : ''}; the average Q corresponds to ${v.estimatedResolution === null ? 'no resolution on the line' : `${f(v.estimatedResolution, 2)} Å`}.`);
  out.push(`Q_relative_all ${f(rel.all, 1)} % ${v.qRelativePopulations.all.description}${rel.resolution !== null ? `; Q_relative_resolution ${f(rel.resolution, 1)} % ${v.qRelativePopulations.resolution.description}` : ''}.`);
  if (v.waters.atoms > 0 || v.ligands.atoms > 0) out.push(`Reported apart: ${v.waters.atoms} water atoms (average Q ${f(v.waters.averageQ ?? Number.NaN, 3)}), ${v.ligands.atoms} ligand and ion atoms (average Q ${f(v.ligands.averageQ ?? Number.NaN, 3)}).`);
  return out;
}

function chainTable(perChain: Values['perChain'], waters: Values['waters'], ligands: Values['ligands']): Table {
  return {
    id: 'chain-q',
    caption: 'Average Q per chain (polymer atoms), and of the waters and ligands',
    columns: [{ key: 'group', label: 'Chain or group' }, { key: 'atoms', label: 'Atoms' }, { key: 'q', label: 'Average Q' }],
    rows: [...perChain.map((c) => [c.chain, c.atoms, r4(c.averageQ)]), ...(waters.atoms > 0 ? [['waters', waters.atoms, r4(waters.averageQ)]] : []), ...(ligands.atoms > 0 ? [['ligands and ions', ligands.atoms, r4(ligands.averageQ)]] : [])],
  };
}

function percentileTableOf(p: Values['percentiles']): Table {
  return {
    id: 'q-percentiles',
    caption: 'Percentiles of the per-atom Q (polymer atoms)',
    columns: [{ key: 'percentile', label: 'Percentile' }, { key: 'q', label: 'Q' }],
    rows: PERCENTILE_LEVELS.map(([key, , name]) => [name, r4(p[key])]),
  };
}

function residueTable(residues: readonly Residue[], classes: readonly ResidueClass[], perResidue: readonly number[][], residueQ: readonly (number | null)[]): Table {
  return {
    id: 'residue-q',
    caption: 'Q per residue (mean over its non-hydrogen atoms; waters left out)',
    columns: [{ key: 'chain', label: 'Chain' }, { key: 'residue', label: 'Residue' }, { key: 'name', label: 'Name' }, { key: 'class', label: 'Class' }, { key: 'atoms', label: 'Atoms' }, { key: 'q', label: 'Q' }],
    rows: residues.map((r, k) => [r.chain, `${r.resSeq}${r.insCode}`, r.resName, classes[k], perResidue[k].length, r4(residueQ[k])]),
  };
}

type FigureWriter = { plotFigure: (stem: string, id: string, caption: string, draw: () => ReturnType<typeof linePlot>) => Promise<Figure[]> };

/** Residue Q along each chain (the first chains), with the expected Q as a line. */
async function residuePlots(figures: FigureWriter, e: QScoreExtra, expected: number | null): Promise<Figure[]> {
  const chains = [...new Set(e.residues.map((r) => r.chain))].slice(0, PLOTTED_CHAINS);
  const out: Figure[] = [];
  for (const [i, chain] of chains.entries()) {
    const idx = e.residues.flatMap((r, k) => (r.chain === chain && e.residueQ[k] !== null ? [k] : []));
    if (idx.length === 0) continue;
    const x = idx.map((k) => e.residues[k].resSeq);
    const y = idx.map((k) => e.residueQ[k] as number);
    out.push(...(await figures.plotFigure(`Ae-residue-q-${i}`, `Ae.residue-q.${i}`, `Q per residue along chain ${chain || '(blank)'}${expected !== null ? `; the line: the Q expected at the reported resolution (${f(expected, 3)})` : ''}.`, () =>
      linePlot({
        series: [{ name: `chain ${chain || '(blank)'}`, x, y, mark: 'line' }],
        xTitle: 'Residue number',
        yTitle: 'Q-score',
        yDomain: [Math.min(-0.2, ...y), 1.05],
        rules: expected !== null ? [{ axis: 'y', value: expected, label: `expected Q ${f(expected, 2)}` }] : [],
      }),
    )));
  }
  return out;
}

/** Per atom of the fitted model: its residue's Q, a water's own Q, NaN when unscored (the viewer's model colouring). */
function atomResidueQ(e: QScoreExtra): Float32Array {
  const out = new Float32Array(e.fit.model.count).fill(NaN);
  for (let j = 0; j < out.length; j++) {
    const r = e.residueOfAtom[j];
    out[j] = r >= 0 ? (e.residueQ[r] ?? NaN) : e.scores.q[j];
  }
  return out;
}

export const qScoreItemImplementation = implementItem({
  spec: qScoreSpec,
  uses: ['modelFit'],
  compute: async (ctx) => qScoreItem(ctx.map, await ctx.alignedModelFit(), ctx.resolution),
  outputs: async (ctx, m) => {
    const e = m.extra;
    const v = m.values as Values;
    const figures: Figure[] = [];
    figures.push(...(await ctx.figures.plotFigure('Ae-atom-q-histogram', 'Ae.atom-histogram', 'Histogram of the per-atom Q of the polymer atoms, with the expected Q at the reported resolution and the median.', () =>
      histogramPlot({
        counts: v.histogram.counts,
        edges: v.histogram.edges as number[],
        xTitle: 'Q-score',
        yTitle: 'Number of atoms',
        markers: [...(v.expectedQ !== null ? [{ value: v.expectedQ, label: 'expected' }] : []), ...(v.medianQ !== null ? [{ value: v.medianQ, label: 'median' }] : [])],
      }),
    )));
    figures.push(...(await residuePlots(ctx.figures, e, v.expectedQ)));
    const qs = e.residueQ.filter((q): q is number => q !== null);
    await ctx.viewer?.writeModel(e.fit.model, atomResidueQ(e));
    if (qs.length === 0) return { figures, files: [] };
    const property = { ...ctx.map, data: nearestResidueVolume(e.fit.model, ctx.map, e.residueOfAtom, e.residueQ, e.fit.radius + SURFACE_REACH_EXTRA_A) };
    // A loop, not Math.min(...qs): a large model has more residues than a call takes arguments.
    const range: [number, number] = [Math.max(-0.2, qs.reduce((m, q) => Math.min(m, q), Infinity)), Math.min(1, qs.reduce((m, q) => Math.max(m, q), -Infinity))];
    await ctx.viewer?.writeColouring({ id: 'A.e', name: 'Residue Q', unit: '', property, range, lowIsGood: false });
    const local = await ctx.figures.localMapOutputs({
      stem: 'Ae-residue-q',
      itemId: 'A.e',
      name: 'Residue Q',
      surface: ctx.map,
      level: ctx.threshold,
      property,
      range,
      label: 'Q of the nearest residue',
      histogram: null,
    });
    return { figures: [...figures, ...local.figures], files: local.files };
  },
});
