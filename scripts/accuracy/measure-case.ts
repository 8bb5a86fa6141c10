/**
 * Runs the analyzer's own item implementations (the registry's `compute`, exactly what a report
 * runs, figures off) on one simulated case and compares each value with its designed truth: one
 * observation per item and metric, holding the signed errors (value − truth) or the reason the
 * item refused.
 */
import { EntryContext } from '../../analyzers/items/context.ts';
import { ITEM_IMPLEMENTATIONS } from '../../analyzers/items/registry.ts';
import { FigureWriter } from '../../analyzers/figures/report-figures.ts';
import type { AccuracyCase, CaseFamily } from './cases.ts';
import { simulateCase, type CaseTruth } from './simulate-case.ts';
import { spearman } from './statistics.ts';

/** One item's metric on one case. */
export interface Observation {
  readonly item: string;
  readonly metric: string;
  readonly unit: string;
  readonly truth: string;
  /** Signed errors value − truth (one, one per axis, or sampled voxels); empty when refused. */
  readonly errors: number[];
  /** Spearman's ρ of value and truth over the voxels (maps whose truth varies), else null. */
  readonly spearman: number | null;
  /** Why the item gave no value, when it did not. */
  readonly refused: string | null;
}

/** What a metric reads: the values (and the item's extra data: local maps), the truth, and the analysis' hard mask. */
interface Reading {
  readonly values: Record<string, unknown>;
  readonly extra: unknown;
  readonly truth: CaseTruth;
  readonly hard: Uint8Array;
}

/** Errors of one metric, or a string saying why there is no value. */
type Read = { errors: number[]; spearman?: number | null } | string;

interface Metric {
  readonly item: string;
  readonly metric: string;
  readonly unit: string;
  readonly truth: string;
  /** Whether the case has a truth for this metric. */
  readonly has: (t: CaseTruth) => boolean;
  readonly read: (r: Reading) => Read;
}

/** Errors sampled per case from a local map (every k-th eligible voxel, deterministic). */
const MAX_VOXEL_ERRORS = 4000;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** value − truth, or why there is no value. */
function scalar(value: unknown, truth: number, name: string): Read {
  const v = num(value);
  return v === null ? `gave no ${name} (${value === null || value === undefined ? 'null' : String(value)})` : { errors: [v - truth] };
}

/** Voxelwise errors of a local map against a truth map over the hard mask (voxels with a value and a defined truth). */
function localMap(extra: unknown, truth: Float32Array, hard: Uint8Array): Read {
  if (!(extra instanceof Float32Array) || extra.length !== truth.length) return 'gave no local map on the grid';
  const value: number[] = [], want: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    if (hard[i] === 0 || !(truth[i] === truth[i])) continue;
    const v = extra[i];
    if (Number.isFinite(v) && v > 0) { value.push(v); want.push(truth[i]); }
  }
  if (value.length === 0) return 'assigned no voxel of the mask';
  const step = Math.max(1, Math.ceil(value.length / MAX_VOXEL_ERRORS));
  const errors: number[] = [];
  for (let j = 0; j < value.length; j += step) errors.push(value[j] - want[j]);
  const varies = want.some((w) => w !== want[0]);
  return { errors, spearman: varies ? spearman(value, want) : null };
}

/**
 * The half maps are designed over the whole box; a mask keeps the signal and drops most of the
 * noise, so an FSC of masked halves crosses finer than the design: a negative bias there is
 * expected, its size the mask's gain.
 */
const MASKED_NOTE = (t: string) => `${t}, of the unmasked box (the item masks the halves: finer by design)`;

const LOCAL_TRUTH = 'designed local resolution (FSC 0.143 of the half-map design), per mask voxel';

/** Every metric of the suite, in report order of their items. */
export const METRICS: readonly Metric[] = [
  { item: '0.a', metric: 'decentring (x, y, z)', unit: '% of box', truth: 'empty space between the atoms and the box faces, |high − low| / box', has: (t) => t.decentringPct !== undefined,
    read: ({ values, truth }) => {
      const d = values.decentering as unknown[];
      const errors = truth.decentringPct!.map((w, a) => (num(d?.[a]) ?? Number.NaN) - w);
      return errors.every(Number.isFinite) ? { errors } : 'gave no decentring';
    } },
  { item: '0.b', metric: 'amino acids at the contour', unit: '%', truth: 'residues of the model; the contour encloses their volume in the noise-free map', has: (t) => t.residues !== undefined,
    read: ({ values, truth }) => {
      const aa = num((values.contourRow as unknown[] | undefined)?.[3]);
      return aa === null ? 'gave no contour row' : { errors: [(aa / truth.residues! - 1) * 100] };
    } },
  { item: '0.c', metric: 'background mean', unit: 'σ_noise', truth: 'designed offset (0, or 0.3 σ_noise on one seed in three)', has: (t) => t.backgroundMean !== undefined,
    read: ({ values, truth }) => {
      const m = num(values.mean);
      return m === null ? 'gave no mean' : { errors: [(m - truth.backgroundMean!) / truth.noiseSigma!] };
    } },
  { item: '0.c', metric: 'background σ', unit: '%', truth: 'σ of the added white noise', has: (t) => t.noiseSigma !== undefined,
    read: ({ values, truth }) => {
      const s = num(values.std);
      return s === null ? 'gave no σ' : { errors: [(s / truth.noiseSigma! - 1) * 100] };
    } },
  { item: '0.d', metric: 'B-factor', unit: 'Å²', truth: 'applied global B + Guinier slope of the unblurred noise-free map (protein and resolution Gaussian)', has: (t) => t.guinierB !== undefined,
    read: ({ values, truth }) => scalar(values.bFactor, truth.guinierB!, 'B-factor') },
  { item: '0.e', metric: 'median', unit: 'Å', truth: 'resolution the noise was designed for (FSC 0.143)', has: (t) => t.resolution !== undefined && t.localResolution === undefined && t.hand !== undefined,
    read: ({ values, truth }) => scalar(values.median, truth.resolution!, 'median') },
  { item: '0.e', metric: 'local map', unit: 'Å', truth: LOCAL_TRUTH, has: (t) => t.localResolution !== undefined,
    read: ({ extra, truth, hard }) => localMap(extra, truth.localResolution!, hard) },
  { item: '0.f', metric: 'median (raw)', unit: 'Å²', truth: 'the Guinier B of 0.d\'s truth (a uniform blur)', has: (t) => t.guinierB !== undefined,
    read: ({ values, truth }) => scalar(values.median, truth.guinierB!, 'median') },
  { item: '0.f', metric: 'median − normalisation offset', unit: 'Å²', truth: 'the Guinier B of 0.d\'s truth (a uniform blur)', has: (t) => t.guinierB !== undefined,
    read: ({ values, truth }) => scalar(values.correctedMedian, truth.guinierB!, 'corrected median') },
  { item: '0.g', metric: 'median', unit: 'occupancy', truth: 'every atom at occupancy 1', has: (t) => t.occupancy !== undefined,
    read: ({ values, truth }) => scalar(values.median, truth.occupancy!, 'median') },
  { item: '0.h', metric: 'hand score', unit: 'score', truth: '0 for the correct hand, 1 for the mirrored map (one seed in three)', has: (t) => t.hand !== undefined,
    read: ({ values, truth }) => scalar(values.score, truth.hand!, 'score') },
  { item: '1.a', metric: 'FSC 0.143 (unmasked)', unit: 'Å', truth: 'designed 0.143 crossing', has: (t) => t.fsc0143 !== undefined,
    read: ({ values, truth }) => scalar(values.fsc0143, truth.fsc0143!, 'FSC 0.143') },
  { item: '1.a', metric: 'FSC 0.143 (masked, corrected)', unit: 'Å', truth: MASKED_NOTE('designed 0.143 crossing'), has: (t) => t.fsc0143 !== undefined,
    read: ({ values, truth }) => scalar(values.maskedFsc0143, truth.fsc0143!, 'masked FSC 0.143') },
  { item: '1.b', metric: 'FDR-FSC resolution', unit: 'Å', truth: MASKED_NOTE('designed 0.143 crossing (FDR-FSC asks another question: up to where the signal is significant)'), has: (t) => t.fsc0143 !== undefined,
    read: ({ values, truth }) => scalar(values.fdrFsc, truth.fsc0143!, 'FDR-FSC resolution') },
  { item: '1.c', metric: 'local map', unit: 'Å', truth: LOCAL_TRUTH, has: (t) => t.localResolution !== undefined,
    read: ({ extra, truth, hard }) => localMap(extra, truth.localResolution!, hard) },
  { item: '1.e', metric: 'local map', unit: 'Å', truth: LOCAL_TRUTH, has: (t) => t.localResolution !== undefined,
    read: ({ extra, truth, hard }) => localMap(extra, truth.localResolution!, hard) },
  { item: '1.g', metric: 'FSO resolution', unit: 'Å', truth: MASKED_NOTE('where half the directions of the design pass 0.143: 1/√(0.75/R_xy² + 0.25/R_z²)'), has: (t) => t.fso !== undefined,
    read: ({ values, truth }) => scalar(values.fsoResolution, truth.fso!, 'FSO resolution') },
  { item: '1.h', metric: 'resolution along x', unit: 'Å', truth: MASKED_NOTE('designed 0.143 crossing along x'), has: (t) => t.axisX !== undefined,
    read: ({ values, truth }) => scalar((values.axes as Record<string, unknown> | undefined)?.x, truth.axisX!, 'x resolution') },
  { item: '1.h', metric: 'resolution along z', unit: 'Å', truth: MASKED_NOTE('designed 0.143 crossing along z'), has: (t) => t.axisZ !== undefined,
    read: ({ values, truth }) => scalar((values.axes as Record<string, unknown> | undefined)?.z, truth.axisZ!, 'z resolution') },
  { item: 'A.a', metric: 'CC_mask', unit: 'CC', truth: 'noise-limited CC of a perfect model, σ_S/√(σ_S² + σ_n²) in the atom mask', has: (t) => t.ccMask !== undefined,
    read: ({ values, truth }) => scalar(values.ccMask, truth.ccMask!, 'CC_mask') },
  { item: 'A.a', metric: 'CC_box', unit: 'CC', truth: 'noise-limited CC of a perfect model over the box', has: (t) => t.ccBox !== undefined,
    read: ({ values, truth }) => scalar(values.ccBox, truth.ccBox!, 'CC_box') },
  { item: 'A.e', metric: 'resolution from Q', unit: 'Å', truth: 'the map\'s designed resolution (Q\'s published line is fitted on deposited maps, not on ideal ones)', has: (t) => t.ccMask !== undefined,
    read: ({ values, truth }) => scalar(values.estimatedResolution, truth.resolution!, 'resolution from Q') },
];

/** Items each family runs (the metrics then keep those with a truth in the case). */
const FAMILY_ITEMS: Record<CaseFamily, readonly string[]> = {
  map: ['0.a', '0.b', '0.c', '0.d', '0.e', '0.f', '0.g', '0.h'],
  halves: ['0.e', '1.a', '1.b', '1.c', '1.e', '1.g', '1.h'],
  model: ['A.a', 'A.e'],
};

/** Observations of one case: every metric of the family's items that has a truth in it. */
export async function measureCase(c: AccuracyCase): Promise<Observation[]> {
  const { inputs, truth } = await simulateCase(c);
  const ctx = new EntryContext(inputs, new FigureWriter('', false));
  const wanted = new Set(c.items ?? FAMILY_ITEMS[c.family]);
  const out: Observation[] = [];
  for (const impl of ITEM_IMPLEMENTATIONS) {
    const metrics = METRICS.filter((m) => m.item === impl.spec.id && wanted.has(m.item) && m.has(truth));
    if (metrics.length === 0) continue;
    let reading: Reading | string;
    try {
      const m = await impl.compute(ctx);
      reading = { values: m.values, extra: m.extra, truth, hard: ctx.masks.hard };
    } catch (err) {
      reading = err instanceof Error ? err.message : String(err);
    }
    for (const m of metrics) {
      const r = typeof reading === 'string' ? reading : m.read(reading);
      const base = { item: m.item, metric: m.metric, unit: m.unit, truth: m.truth };
      out.push(typeof r === 'string' ? { ...base, errors: [], spearman: null, refused: r } : { ...base, errors: r.errors, spearman: r.spearman ?? null, refused: null });
    }
  }
  return out;
}
