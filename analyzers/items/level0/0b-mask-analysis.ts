/**
 * 0.b Mask analysis (level0-spec.md §5, VRS bugs fixed): is the mass at the threshold in one piece?
 *
 * Raw mask = V ≥ t, 26-connected components; n95 = number of components (largest first) needed to
 * hold 95 % of the raw voxels; the rest are "remaining" blobs, whose average volume is
 * (remaining voxels / remaining components)·Ts³ (VRS prints Ts³) and whose largest and smallest
 * are those outside the 95 % set (VRS shows the last included one). Overlap = |raw ∧ hard|/|raw|.
 * Threshold table: g_k = k·max/25 while g_k < max, voxels with V > g_k (strict), mass at
 * 1.207 Å³/Da (protein 1.37 g/cm³) and 110 Da per residue. The ladder starts at max/25, often far
 * above the recommended contour, so the contour gets a row of its own (the raw mask, V ≥ t, as in
 * the results) in its place by threshold, and a marker in the mass-vs-threshold plot.
 * Warnings: n95 > 5; average remaining blob larger than one resolution element; overlap < 0.75.
 */
import type { Table } from '../../report/schema.ts';
import type { Labelling } from '../../volume/labelling.ts';
import type { Volume } from '../../volume/volume.ts';
import { countNoun, formatBare, formatQuantity } from '../../report/format-number.ts';
import { maskAnalysisSpec } from '../../report/items/level0/0b-mask-analysis.ts';
import { implementItem, measured, type ItemResult } from '../item.ts';

/** Å³ per dalton of protein (density 1.37 g/cm³). */
export const A3_PER_DALTON = 1.207;
/** Average residue mass, Da. */
export const DALTON_PER_RESIDUE = 110;

/**
 * The volume of one resolution element, a sphere of diameter max(res, 2·Ts): (π/6)·d³ (Å³); with
 * no resolution, d = 2·Ts (Nyquist). A blob of noise in a map filtered to resolution res is about
 * that size, and no feature of the molecule can be smaller, so remaining blobs that average more
 * than this are pieces of density, not noise specks. VRS's fixed 5 Å³ is less than one voxel
 * whenever Ts > 1.71 Å, so any stray voxel failed it.
 */
export function resolutionElementVolume(resolution: number | null, voxelSizeA: number): number {
  const d = Math.max(resolution !== null && resolution > 0 ? resolution : 0, 2 * voxelSizeA);
  return (Math.PI / 6) * d ** 3;
}

export interface ThresholdRow {
  threshold: number;
  voxels: number;
  kDa: number;
  aminoAcids: number;
}

/**
 * Voxel counts above 24-ish thresholds in one pass: each voxel is binned by the largest k with
 * g_k < v (exact comparison against the same float64 g_k), then counts are summed from the top.
 */
export function thresholdTable(data: Float32Array, voxelVolumeA3: number): ThresholdRow[] {
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
  if (!(max > 0) || !Number.isFinite(max)) return [];
  const step = max / 25;
  const g: number[] = [];
  for (let k = 1; step * k < max; k++) g.push(step * k);
  const K = g.length;
  const bins = new Float64Array(K + 1); // bins[k] = voxels whose largest passed threshold index is k−1
  for (let i = 0, n = data.length; i < n; i++) {
    const v = data[i];
    if (!(v > g[0])) continue;
    let k = Math.min(K - 1, Math.max(0, Math.ceil(v / step) - 2));
    while (k + 1 < K && v > g[k + 1]) k++;
    while (k > 0 && !(v > g[k])) k--;
    bins[k + 1]++;
  }
  const rows: ThresholdRow[] = [];
  let above = 0;
  const counts = new Float64Array(K);
  for (let k = K - 1; k >= 0; k--) {
    above += bins[k + 1];
    counts[k] = above;
  }
  for (let k = 0; k < K; k++) {
    const volume = counts[k] * voxelVolumeA3;
    rows.push({ threshold: g[k], voxels: counts[k], kDa: volume / (A3_PER_DALTON * 1000), aminoAcids: volume / (DALTON_PER_RESIDUE * A3_PER_DALTON) });
  }
  return rows;
}

/** The mass at the recommended contour from the raw mask's voxel count (V ≥ t). */
export function contourRow(threshold: number, rawVoxels: number, voxelVolumeA3: number): ThresholdRow {
  const volume = rawVoxels * voxelVolumeA3;
  return { threshold, voxels: rawVoxels, kDa: volume / (A3_PER_DALTON * 1000), aminoAcids: volume / (DALTON_PER_RESIDUE * A3_PER_DALTON) };
}

/** Rows of the printed table: the ladder with the contour's row inserted where its threshold falls (ascending), marked in the last column. */
export function tableRows(ladder: readonly ThresholdRow[], contour: ThresholdRow): (number | string)[][] {
  const row = (r: ThresholdRow, note: string) => [Number(r.threshold.toPrecision(6)), r.voxels, round(r.kDa, 2), round(r.aminoAcids, 2), note];
  const at = ladder.findIndex((r) => r.threshold > contour.threshold);
  const k = at < 0 ? ladder.length : at;
  return [...ladder.slice(0, k).map((r) => row(r, '')), row(contour, 'recommended contour'), ...ladder.slice(k).map((r) => row(r, ''))];
}

export function maskAnalysis(v: Volume, threshold: number, raw: Uint8Array, labelling: Labelling, hard: Uint8Array, resolution: number | null = null): ItemResult {
  const Ts3 = v.voxelSize[0] * v.voxelSize[1] * v.voxelSize[2];
  const blobLimit = resolutionElementVolume(resolution, Math.cbrt(Ts3));
  const nComponents = labelling.count;
  const sizes = Array.from(labelling.sizes.subarray(1)).sort((a, b) => b - a);
  const S = sizes.reduce((s, x) => s + x, 0);
  let cumulated = 0;
  let n95 = 0;
  const listed: Array<[number, number, number, number]> = [];
  while (n95 < sizes.length && cumulated < 0.95 * S) {
    cumulated += sizes[n95];
    if (n95 < 100) listed.push([sizes[n95], sizes[n95] * Ts3, (100 * sizes[n95]) / S, (100 * cumulated) / S]);
    n95++;
  }
  const remainingComponents = nComponents - n95;
  const remainingVoxels = S - cumulated;
  const remainingAvgVolume = remainingComponents > 0 ? (remainingVoxels / remainingComponents) * Ts3 : 0;
  const remainingMax = remainingComponents > 0 ? sizes[n95] : 0;
  const remainingMin = remainingComponents > 0 ? sizes[sizes.length - 1] : 0;
  let constructed = 0;
  let both = 0;
  for (let i = 0; i < hard.length; i++) {
    constructed += hard[i];
    both += hard[i] & raw[i];
  }
  const overlap = S > 0 ? both / S : 0;
  const rows = thresholdTable(v.data, Ts3);
  const atContour = contourRow(threshold, S, Ts3);

  const warnings: ItemResult['warnings'] = [];
  if (n95 > 5) warnings.push({ code: '0b.components95', text: `${n95} connected components are needed to hold 95% of the mass at the threshold (criterion: at most 5): there may be a connectivity problem; a lower threshold may help.` });
  if (remainingAvgVolume > blobLimit) warnings.push({ code: '0b.remaining-blobs', text: `The ${countNoun(remainingComponents, 'component')} outside the 95% set have an average volume of ${formatQuantity(remainingAvgVolume, 'volume')}, more than one resolution element (a sphere of diameter ${formatQuantity(Math.cbrt((6 * blobLimit) / Math.PI), 'length')}, ${formatQuantity(blobLimit, 'volume')}): they are pieces of density, not noise specks (artifacts, or parts of the molecule the threshold cuts off).` });
  if (overlap < 0.75) warnings.push({ code: '0b.overlap', text: `The overlap between the raw mask and the constructed mask is ${formatBare(overlap, 'fraction')} (criterion: at least 0.75): much of the thresholded mass lies outside the largest component.` });

  const componentsTable: Table = {
    id: 'components',
    caption: 'Connected components of the raw mask, largest first, up to 95% of the mass (at most 100 rows)',
    columns: [{ key: 'voxels', label: 'Voxels' }, { key: 'volume', label: 'Volume', unit: 'Å³' }, { key: 'percent', label: 'Share of mass', unit: '%' }, { key: 'cumulative', label: 'Cumulative', unit: '%' }],
    rows: listed.map((r) => [r[0], round(r[1], 2), round(r[2], 2), round(r[3], 2)]),
  };
  const table: Table = {
    id: 'threshold-table',
    caption: 'Mass enclosed at different thresholds (voxels strictly above each threshold; at the recommended contour, the raw mask: voxels at or above it)',
    columns: [{ key: 'threshold', label: 'Threshold' }, { key: 'voxels', label: 'Voxel mass' }, { key: 'kDa', label: 'Molecular mass', unit: 'kDa' }, { key: 'aminoAcids', label: 'Amino acids' }, { key: 'note', label: 'Note' }],
    rows: tableRows(rows, atContour),
  };
  return {
    warnings,
    values: {
      rawVoxels: S,
      rawVolume: S * Ts3,
      components: nComponents,
      components95: n95,
      remainingComponents,
      remainingVoxels,
      remainingAvgVolume,
      remainingBlobLimit: blobLimit,
      remainingMaxVoxels: remainingMax,
      remainingMinVoxels: remainingMin,
      constructedVoxels: constructed,
      constructedVolume: constructed * Ts3,
      overlap,
      thresholdTable: rows.map((r) => [r.threshold, r.voxels, r.kDa, r.aminoAcids]),
      contourRow: [atContour.threshold, atContour.voxels, atContour.kDa, atContour.aminoAcids],
    },
    results: [
      `Raw mask: at threshold ${formatBare(threshold, 'real')}, there ${nComponents === 1 ? 'is' : 'are'} ${countNoun(nComponents, 'connected component')} with ${countNoun(S, 'voxel')} in total, a volume of ${formatQuantity(S * Ts3, 'volume')}.`,
      `Number of components needed to hold 95% of the mass: ${formatBare(n95, 'count')}.`,
      remainingComponents > 0
        ? `The remaining ${countNoun(remainingComponents, 'component')} hold${remainingComponents === 1 ? 's' : ''} ${countNoun(remainingVoxels, 'voxel')}, ${formatBare(remainingVoxels / remainingComponents, 'real')} voxels (${formatQuantity(remainingAvgVolume, 'volume')}) on average; they range from ${countNoun(remainingMax, 'voxel')} (${formatQuantity(remainingMax * Ts3, 'volume')}) to ${countNoun(remainingMin, 'voxel')} (${formatQuantity(remainingMin * Ts3, 'volume')}).`
        : 'There are no components outside the 95% set.',
      `Constructed mask: after keeping the largest component and dilating it by 2 Å, the mask has ${countNoun(constructed, 'voxel')}, a volume of ${formatQuantity(constructed * Ts3, 'volume')}. The overlap between the raw and the constructed mask is ${formatBare(overlap, 'fraction')}.`,
    ],
    tables: [componentsTable, table],
  };
}

function round(x: number, digits: number): number {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

export const maskAnalysisItem = implementItem({
  spec: maskAnalysisSpec,
  compute: async (ctx) => measured(maskAnalysis(ctx.map, ctx.threshold, ctx.masks.raw, ctx.masks.labelling, ctx.masks.hard, ctx.resolution)),
  outputs: async (ctx, m) => ({ figures: await ctx.figures.maskFigures(ctx.masks.raw, ctx.map, m.values.thresholdTable as number[][], m.values.contourRow as number[]), files: [] }),
});
