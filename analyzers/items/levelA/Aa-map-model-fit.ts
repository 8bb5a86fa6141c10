/**
 * A.a Map–model fit (level1A-spec.md §A.0 and §A.a): the fit check with the candidate-origin
 * search, CC_mask / CC_box / CC_volume / CC_peaks, main-chain and side-chain CC, CC per chain and
 * per residue, the masked and unmasked map–model FSC with its 0, 0.143 and 0.5 crossings, d99 of
 * the map, and VRS's criteria (> 10 % residues with CC < 0.5; res < 0.8·d_FSC_model(0.5, masked)).
 * A model that fits nowhere is reported (warning, not counted) and the other Level A items skip.
 */
import { softMask } from '../../methods/masks.ts';
import { fscShells } from '../../methods/fsc.ts';
import { globalCc, mapModelFsc, nearestResidueVolume, partitionCc, residuesOf, SURFACE_REACH_EXTRA_A, type MapModelFsc, type PartitionCc, type Residue } from '../../methods/model-fit.ts';
import { ALIGNED_CC_MASK, MIN_ORIGIN_SEARCH_ELEMENTS, type ModelFit, type UnusableModel } from '../../simulate/model-alignment.ts';
import { histogram } from '../../methods/order-statistics.ts';
import { linePlot } from '../../figures/plots.ts';
import { mapModelFitSpec } from '../../report/items/levelA/Aa-map-model-fit.ts';
import type { ItemValues } from '../../report/catalog.ts';
import type { Figure, Table, Warning } from '../../report/schema.ts';
import { NotApplicable } from '../../util/errors.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';
import { sharedFloat32 } from '../../util/shared-memory.ts';

/** VRS: more than this percentage of residues with CC < 0.5 warns. */
const LOW_RESIDUE_PERCENT = 10;
const LOW_RESIDUE_CC = 0.5;
/** VRS: a reported resolution better than this fraction of d_FSC_model(0.5) warns. */
const OPTIMISM_FACTOR = 0.8;
/** σ (Å) of the soft edge of the atom mask for the masked FSC. */
const SOFT_EDGE_A = 2;
/** Chains drawn as per-residue plots (the table has them all). */
const PLOTTED_CHAINS = 8;

/** What the figures and files are drawn from. */
export interface MapModelFitExtra {
  readonly fit: ModelFit;
  readonly residues: readonly Residue[];
  readonly partition: PartitionCc;
  readonly masked: MapModelFsc | null;
  readonly unmasked: MapModelFsc | null;
  readonly residueOfAtom: Int32Array;
}

/** Rounds for tables: 4 significant digits, null when not finite. */
const r4 = (x: number | null | undefined): number | null => (x !== null && x !== undefined && Number.isFinite(x) ? Number(x.toPrecision(4)) : null);

/** The atom mask with a soft edge (σ = 2 Å, at least 1 voxel) that the masked FSC multiplies both maps by. */
export function softAtomMask(fit: ModelFit, map: Volume): Promise<Float32Array> {
  return softMask(fit.mask.mask, map.dims, Math.max(1, SOFT_EDGE_A / map.voxelSize[0]));
}

/** The map–model FSC pair: both maps times the soft atom mask, and both bare. */
async function fscPair(map: Volume, fit: ModelFit): Promise<{ masked: MapModelFsc; unmasked: MapModelFsc }> {
  const soft = await softAtomMask(fit, map);
  // A plain loop into shared memory: TypedArray.map with a closure costs seconds on 360³, and the
  // FFT pool would copy an unshared array again.
  const times = (v: Volume): Volume => {
    const data = sharedFloat32(v.data.length);
    for (let i = 0; i < data.length; i++) data[i] = v.data[i] * soft[i];
    return { ...v, data };
  };
  const shells = fscShells(map.dims);
  const masked = await mapModelFsc(times(map), times(fit.modelMap), shells, fit.resolution);
  const unmasked = await mapModelFsc(map, fit.modelMap, shells);
  return { masked, unmasked };
}

export async function mapModelFit(map: Volume, fit: ModelFit | UnusableModel, reported: number | null): Promise<Measurement<MapModelFitExtra>> {
  if (!fit.usable) throw new NotApplicable(`the model is not usable: ${fit.reason}`);
  const aligned = fit.status !== 'not-aligned';
  const g = globalCc(map.data, fit.modelMap.data, fit.mask);
  const { residues, residueOfAtom } = residuesOf(fit.model);
  const partition = partitionCc(map.data, fit.modelMap.data, fit.mask, fit.model, residues, residueOfAtom);
  const measuredCc = partition.residue.filter((c): c is number => c !== null);
  const below = measuredCc.length > 0 ? (100 * measuredCc.filter((c) => c < LOW_RESIDUE_CC).length) / measuredCc.length : null;
  // A misplaced model has no meaningful FSC or resolution estimate: they stay null.
  const fsc = aligned ? await fscPair(map, fit) : null;
  const values = {
    fit: { status: fit.status, ccMask: fit.ccMask, ccMaskOriginal: fit.ccMaskOriginal, ...(fit.origin ? { origin: [...fit.origin] } : {}) },
    ...g,
    ccMainChain: partition.mainChain,
    ccSideChain: partition.sideChain,
    residues: residues.length,
    chains: partition.chain.size,
    residuesBelow05: below,
    dFscModel0: fsc?.masked.d0 ?? null,
    dFscModel0143: fsc?.masked.d0143 ?? null,
    dFscModel05: fsc?.masked.d05 ?? null,
    unmaskedDFscModel0143: fsc?.unmasked.d0143 ?? null,
    unmaskedDFscModel05: fsc?.unmasked.d05 ?? null,
    d99: fsc?.unmasked.d99 ?? null,
    d99Masked: fsc?.masked.d99 ?? null,
    dModel: fsc?.masked.dModel ?? null,
    modelMapResolution: fit.resolution,
    maskRadius: fit.radius,
    atomsOutside: fit.atomsOutside,
  };
  const warnings: Warning[] = [];
  let notEvaluable: string | undefined;
  if (!aligned) {
    warnings.push({ code: 'Aa.not-aligned', text: `The model does not sit in the map: CC_mask is ${f(fit.ccMaskOriginal ?? Number.NaN, 3)} (below ${ALIGNED_CC_MASK}) and ${fit.tooSmallForOriginSearch !== undefined ? 'the model is too small for the candidate-origin search' : 'no candidate origin gives a better fit'}.` });
    notEvaluable = 'the model is not aligned with the map';
  } else {
    if (below !== null && below > LOW_RESIDUE_PERCENT) {
      warnings.push({ code: 'Aa.low-residue-cc', text: `${f(below, 1)} % of the residues have a CC below ${LOW_RESIDUE_CC} (more than ${LOW_RESIDUE_PERCENT} %).` });
    }
    const d05 = values.dFscModel05;
    if (reported === null) notEvaluable = 'no resolution was reported to compare with';
    else if (d05 !== null && reported < OPTIMISM_FACTOR * d05) {
      warnings.push({ code: 'Aa.fsc-optimistic', text: `The reported resolution ${reported} Å is better than 0.8 × the resolution where the masked map-model FSC falls below 0.5 (0.8 × ${f(d05, 2)} = ${f(OPTIMISM_FACTOR * d05, 2)} Å).` });
    }
  }
  return {
    values,
    warnings,
    notEvaluable,
    results: sentences(fit, values as Values),
    tables: [chainTable(partition, residues), residueTable(partition, residues), ...(fsc ? [fscTable(fsc.masked, fsc.unmasked)] : [])],
    extra: { fit, residues, partition, masked: fsc?.masked ?? null, unmasked: fsc?.unmasked ?? null, residueOfAtom },
  };
}

type Values = ItemValues<'A.a'>;

function sentences(fit: ModelFit, v: Values): string[] {
  const cc = (x: unknown) => (typeof x === 'number' ? f(x, 3) : 'undefined');
  const a = (x: unknown) => (typeof x === 'number' ? `${f(x, 2)} Å` : 'not reached');
  const at = (x: unknown) => (typeof x === 'number' ? `at ${f(x, 2)} Å` : 'nowhere up to Nyquist');
  const out: string[] = [];
  out.push(`The model map was computed at ${f(fit.resolution, 2)} Å on the map's grid; the atom mask takes the voxels within ${f(fit.radius, 2)} Å of an atom.${fit.atomsOutside > 0 ? ` ${fit.atomsOutside} atoms outside the box (beyond a 6 Å margin) were left out.` : ''}`);
  if (fit.status === 'aligned') out.push(`Fit check: CC_mask ${cc(fit.ccMask)} ≥ ${ALIGNED_CC_MASK}, the model is placed in the map.`);
  else if (fit.status === 'aligned-after-origin-change') out.push(`Fit check: CC_mask of the deposited model is ${cc(fit.ccMaskOriginal)}; with its centre moved to (${fit.origin!.map((x) => f(x, 1)).join(', ')}) Å it is ${cc(fit.ccMask)}, so that origin is used.`);
  else if (fit.tooSmallForOriginSearch !== undefined) out.push(`Fit check: CC_mask ${cc(fit.ccMaskOriginal)} is below ${ALIGNED_CC_MASK}; a candidate origin reaches ${cc(Math.max(...fit.tried.map((t) => t.ccMask ?? -1)))}, but the model's atom mask holds only ${f(fit.tooSmallForOriginSearch, 0)} resolution elements (fewer than ${MIN_ORIGIN_SEARCH_ELEMENTS}), too few to tell a fit from chance: the model is not moved, not aligned, and the other model items are skipped.`);
  else out.push(`Fit check: CC_mask ${cc(fit.ccMaskOriginal)} is below ${ALIGNED_CC_MASK} and no candidate origin (${fit.tried.map((t) => cc(t.ccMask)).join(', ')}) does better: the model is not aligned with the map and the other model items are skipped.`);
  out.push(`CC_mask ${cc(v.ccMask)}, CC_box ${cc(v.ccBox)}, CC_volume ${cc(v.ccVolume)}, CC_peaks ${cc(v.ccPeaks)}; main chain ${cc(v.ccMainChain)}, side chains ${cc(v.ccSideChain)}.`);
  if (v.residuesBelow05 !== null) out.push(`${f(v.residuesBelow05, 1)} % of the ${v.residues} residues have CC < 0.5.`);
  if (fit.status !== 'not-aligned') {
    out.push(`The masked map-model FSC falls below 0.5 ${at(v.dFscModel05)}, 0.143 ${at(v.dFscModel0143)} and 0 ${at(v.dFscModel0)} (unmasked: 0.5 ${at(v.unmaskedDFscModel05)}); d99 is ${a(v.d99)} for the box and ${a(v.d99Masked)} for the masked map; the model map correlates best with the map at d_model ${a(v.dModel)}.`);
  }
  return out;
}

function chainTable(p: PartitionCc, residues: readonly Residue[]): Table {
  const count = new Map<string, number>();
  for (const r of residues) count.set(r.chain, (count.get(r.chain) ?? 0) + 1);
  return {
    id: 'chain-cc',
    caption: 'CC per chain (mask voxels closest to an atom of the chain)',
    columns: [{ key: 'chain', label: 'Chain' }, { key: 'residues', label: 'Residues' }, { key: 'cc', label: 'CC' }],
    rows: [...p.chain].map(([c, cc]) => [c, count.get(c) ?? 0, r4(cc)]),
  };
}

function residueTable(p: PartitionCc, residues: readonly Residue[]): Table {
  return {
    id: 'residue-cc',
    caption: 'CC per residue (mask voxels closest to an atom of the residue; waters left out)',
    columns: [{ key: 'chain', label: 'Chain' }, { key: 'residue', label: 'Residue' }, { key: 'name', label: 'Name' }, { key: 'voxels', label: 'Voxels' }, { key: 'cc', label: 'CC' }],
    rows: residues.map((r, k) => [r.chain, `${r.resSeq}${r.insCode}`, r.resName, p.residueVoxels[k], r4(p.residue[k])]),
  };
}

function fscTable(masked: MapModelFsc, unmasked: MapModelFsc): Table {
  const c = masked.curve;
  return {
    id: 'map-model-fsc',
    caption: 'Map-model FSC per frequency shell, masked (both maps times the soft atom mask) and unmasked',
    columns: [{ key: 'shell', label: 'Shell' }, { key: 'frequency', label: 'Frequency', unit: 'Å⁻¹' }, { key: 'resolution', label: 'Resolution', unit: 'Å' }, { key: 'masked', label: 'FSC masked' }, { key: 'unmasked', label: 'FSC unmasked' }],
    rows: Array.from(c.shell, (k, j) => [k, r4(c.frequency[j]), r4(1 / c.frequency[j]), r4(c.fsc[j]), r4(unmasked.curve.fsc[j])]),
  };
}

/** Per-residue CC along each chain (the first chains), with the chain mean dashed. */
async function residuePlots(ctxFigures: { plotFigure: (stem: string, id: string, caption: string, draw: () => ReturnType<typeof linePlot>) => Promise<Figure[]> }, e: MapModelFitExtra): Promise<Figure[]> {
  const chains = [...e.partition.chain.keys()].slice(0, PLOTTED_CHAINS);
  const out: Figure[] = [];
  for (const [i, chain] of chains.entries()) {
    const idx = e.residues.flatMap((r, k) => (r.chain === chain && e.partition.residue[k] !== null ? [k] : []));
    if (idx.length === 0) continue;
    const x = idx.map((k) => e.residues[k].resSeq);
    const y = idx.map((k) => e.partition.residue[k] as number);
    const mean = y.reduce((s, c) => s + c, 0) / y.length;
    out.push(...(await ctxFigures.plotFigure(`Aa-residue-cc-${i}`, `Aa.residue-cc.${i}`, `CC per residue along chain ${chain || '(blank)'}; dashed: the chain mean (${f(mean, 3)}); the 0.5 line of the criterion.`, () =>
      linePlot({
        series: [{ name: `chain ${chain || '(blank)'}`, x, y, mark: 'line' }, { name: 'mean', x: [x[0], x[x.length - 1]], y: [mean, mean], dash: true }],
        xTitle: 'Residue number',
        yTitle: 'CC',
        yDomain: [Math.min(-0.1, ...y), 1.05],
        rules: [{ axis: 'y', value: LOW_RESIDUE_CC, label: 'CC 0.5' }],
      }),
    )));
  }
  return out;
}

export const mapModelFitItem = implementItem({
  spec: mapModelFitSpec,
  uses: ['modelFit'],
  compute: async (ctx) => mapModelFit(ctx.map, await ctx.modelFit(), ctx.resolution),
  outputs: async (ctx, m) => {
    const e = m.extra;
    const figures: Figure[] = [];
    if (e.masked && e.unmasked) {
      const x = e.masked.curve.frequency;
      figures.push(...(await ctx.figures.plotFigure('Aa-fsc', 'Aa.fsc', 'Map-model FSC: both maps multiplied by the soft atom mask (masked) and bare (unmasked), with the 0.5 and 0.143 lines and the reported resolution.', () =>
        linePlot({
          series: [{ name: 'masked', x, y: e.masked!.curve.fsc }, { name: 'unmasked', x, y: e.unmasked!.curve.fsc }],
          xTitle: 'Resolution (Å)',
          yTitle: 'FSC',
          xAxis: 'resolution',
          yDomain: [-0.1, 1.05],
          rules: [{ axis: 'y', value: 0.5, label: '0.5' }, { axis: 'y', value: 0.143, label: '0.143' }, ...(ctx.resolution !== null ? [{ axis: 'x' as const, value: 1 / ctx.resolution, label: `reported ${ctx.resolution} Å` }] : [])],
        }),
      )));
    }
    figures.push(...(await residuePlots(ctx.figures, e)));
    figures.push(...(await ctx.figures.modelMapSlices(ctx.map, e.fit.modelMap)));
    const ccs = e.partition.residue.filter((c): c is number => c !== null);
    if (ccs.length === 0) return { figures, files: [] };
    const hist = histogram(ccs, 24, [-0.2, 1]);
    const local = await ctx.figures.localMapOutputs({
      stem: 'Aa-residue-cc',
      itemId: 'A.a',
      name: 'Residue CC',
      surface: ctx.map,
      level: ctx.threshold,
      property: { ...ctx.map, data: nearestResidueVolume(e.fit.model, ctx.map, e.residueOfAtom, e.partition.residue, e.fit.radius + SURFACE_REACH_EXTRA_A) },
      // A loop, not Math.min(...ccs): a ribosome has more residues than a call takes arguments.
      range: [Math.max(-0.2, ccs.reduce((m, c) => Math.min(m, c), Infinity)), Math.min(1, ccs.reduce((m, c) => Math.max(m, c), -Infinity))],
      label: 'CC of the nearest residue',
      histogram: { edges: Array.from(hist.edges), counts: Array.from(hist.counts) },
      markers: [{ value: LOW_RESIDUE_CC, label: 'CC 0.5' }],
    });
    return { figures: [...figures, ...local.figures], files: local.files };
  },
});
