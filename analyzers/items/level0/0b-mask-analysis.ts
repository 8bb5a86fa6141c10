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
 *
 * Beyond VRS: the structure's large pieces (methods/masks.ts: ≥ 10 resolution elements and ≥ 1 %
 * of the raw mask, the largest always) are all part of the hard mask, are never counted among the
 * remaining blobs, and when there are several the contour's split is a warning of its own
 * (expected for methods whose box holds several bodies); the enclosed mass is compared with the
 * sample's molecular weight from the EMDB metadata (warning outside 0.5–2×, judged only when the
 * box holds one copy of the sample).
 */
import type { Table } from '../../report/schema.ts';
import type { Volume } from '../../volume/volume.ts';
import { countNoun, fixedDecimals, formatBare, formatQuantity } from '../../report/format-number.ts';
import { kthLargest } from '../../methods/order-statistics.ts';
import { LARGE_PIECE_ELEMENTS, LARGE_PIECE_FRACTION, largePieceVoxels, resolutionElementVolume, type Level0Masks } from '../../methods/masks.ts';
import { ladderCounts, ladderCountsOnPool, type LadderCounts } from '../../methods/threshold-ladder.ts';
import { maskAnalysisSpec } from '../../report/items/level0/0b-mask-analysis.ts';
import { implementItem, measured, type ItemResult } from '../item.ts';
import { boxHoldsTheSample, holdsSeveralBodies, METHOD_NAMES, methodKind, type MethodKind } from '../reconstruction-method.ts';

/** Å³ per dalton of protein (density 1.37 g/cm³). */
export const A3_PER_DALTON = 1.207;
/** Average residue mass, Da. */
export const DALTON_PER_RESIDUE = 110;


export interface ThresholdRow {
  threshold: number;
  voxels: number;
  kDa: number;
  aminoAcids: number;
}

/** The threshold table of `ladder` (methods/threshold-ladder.ts): voxels, kDa and residues above each threshold. */
export function ladderRows(ladder: LadderCounts | null, voxelVolumeA3: number): ThresholdRow[] {
  if (ladder === null) return [];
  return ladder.thresholds.map((threshold, k) => {
    const volume = ladder.counts[k] * voxelVolumeA3;
    return { threshold, voxels: ladder.counts[k], kDa: volume / (A3_PER_DALTON * 1000), aminoAcids: volume / (DALTON_PER_RESIDUE * A3_PER_DALTON) };
  });
}

/** Voxel counts above 24-ish thresholds (g_k = k·max/25 while g_k < max), in one pass on the calling thread. */
export function thresholdTable(data: Float32Array, voxelVolumeA3: number): ThresholdRow[] {
  return ladderRows(ladderCounts(data), voxelVolumeA3);
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

/** Which masks 0.b reads: the raw mask, its components, the structure's pieces and the hard mask (methods/masks.ts). */
export type MaskAnalysisMasks = Pick<Level0Masks, 'raw' | 'labelling' | 'pieces' | 'hard'>;

/** What 0.b knows of the entry besides the map: its method, and the sample's molecular weight (MDa) from the EMDB metadata. */
export interface MaskAnalysisEntry {
  readonly method?: MethodKind;
  readonly sampleMDa?: number | null;
}

/** The band of enclosed/sample mass within which the contour is not questioned (see massRatioWarning). */
export const MASS_RATIO_BAND: readonly [number, number] = [0.5, 2];

/** `ladder`: the map's mass ladder when already counted (on the pool, by the item), else counted here. */
export function maskAnalysis(v: Volume, threshold: number, masks: MaskAnalysisMasks, resolution: number | null = null, entry: MaskAnalysisEntry = {}, ladder: LadderCounts | null | undefined = undefined): ItemResult {
  const { raw, labelling, hard, pieces } = masks;
  const method = entry.method ?? 'unknown';
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
  // The structure's pieces are the largest components (methods/masks.ts), so "in the 95 % set or a
  // large piece" is the first max(n95, pieces) of the sorted sizes: what is left are noise blobs.
  const kept = Math.max(n95, pieces.length);
  let keptVoxels = cumulated;
  for (let k = n95; k < kept; k++) keptVoxels += sizes[k];
  let piecesVoxels = 0;
  for (const p of pieces) piecesVoxels += labelling.sizes[p];
  const remainingComponents = nComponents - kept;
  const remainingVoxels = S - keptVoxels;
  const remainingAvgVolume = remainingComponents > 0 ? (remainingVoxels / remainingComponents) * Ts3 : 0;
  const remainingMax = remainingComponents > 0 ? sizes[kept] : 0;
  const remainingMin = remainingComponents > 0 ? sizes[sizes.length - 1] : 0;
  const pieceLimit = largePieceVoxels(S, Ts3, resolution);
  let constructed = 0;
  let both = 0;
  for (let i = 0; i < hard.length; i++) {
    constructed += hard[i];
    both += hard[i] & raw[i];
  }
  const overlap = S > 0 ? both / S : 0;
  const rows = ladder === undefined ? thresholdTable(v.data, Ts3) : ladderRows(ladder, Ts3);
  const atContour = contourRow(threshold, S, Ts3);
  const sampleKDa = entry.sampleMDa != null && entry.sampleMDa > 0 ? entry.sampleMDa * 1000 : null;
  const massRatio = sampleKDa !== null ? atContour.kDa / sampleKDa : null;
  const sampleContour = sampleKDa !== null ? contourEnclosing(v.data, (sampleKDa * 1000 * A3_PER_DALTON) / Ts3) : null;

  const found: ItemResult['warnings'] = [];
  if (n95 > 5) found.push({ code: '0b.components95', text: `${n95} connected components are needed to hold 95% of the mass at the threshold (criterion: at most 5): there may be a connectivity problem; a lower threshold may help.` });
  if (remainingAvgVolume > blobLimit) found.push({ code: '0b.remaining-blobs', text: `The ${countNoun(remainingComponents, 'component')} outside the 95% set${pieces.length > n95 ? ' and the large pieces' : ''} have an average volume of ${formatQuantity(remainingAvgVolume, 'volume')}, more than one resolution element (a sphere of diameter ${formatQuantity(Math.cbrt((6 * blobLimit) / Math.PI), 'length')}, ${formatQuantity(blobLimit, 'volume')}): they are pieces of density, not noise specks (artifacts, or parts of the molecule the threshold cuts off).` });
  if (overlap < 0.75) found.push({ code: '0b.overlap', text: `The overlap between the raw mask and the constructed mask is ${formatBare(overlap, 'fraction')} (criterion: at least 0.75): much of the thresholded mass lies outside the structure's pieces.` });
  if (pieces.length > 1) found.push({ code: '0b.large-pieces', text: `The recommended contour splits the density into ${pieces.length} large pieces (each at least ${formatQuantity(pieceLimit * Ts3, 'volume')}: ${LARGE_PIECE_ELEMENTS} resolution elements and ${LARGE_PIECE_FRACTION * 100}% of the thresholded volume), holding ${formatQuantity((100 * piecesVoxels) / S, 'percent')} of it: either the box holds several separate bodies, or the contour is too high to keep the molecule in one piece. All ${pieces.length} are treated as the structure (the hard mask holds them all).` });
  const ratioWarning = massRatio !== null && sampleKDa !== null && boxHoldsTheSample(method) ? massRatioWarning(atContour.kDa, sampleKDa, massRatio, sampleContour) : null;
  if (ratioWarning !== null) found.push(ratioWarning);
  const expected = (code: string) => code === '0b.large-pieces' && holdsSeveralBodies(method);
  const expectedCodes = found.filter((w) => expected(w.code)).map((w) => w.code);
  const warnings = found.filter((w) => !expected(w.code));

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
  const onePiece = pieces.length <= 1;
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
      largePieces: pieces.length,
      largePieceMinVolume: pieceLimit * Ts3,
      largePiecesVoxels: piecesVoxels,
      ...(sampleKDa !== null ? { sampleMassKDa: sampleKDa, massRatio, sampleMassContour: sampleContour } : {}),
      ...(method !== 'unknown' ? { expectedForMethod: expectedCodes } : {}),
    },
    results: [
      `Raw mask: at threshold ${formatBare(threshold, 'real')}, there ${nComponents === 1 ? 'is' : 'are'} ${countNoun(nComponents, 'connected component')} with ${countNoun(S, 'voxel')} in total, a volume of ${formatQuantity(S * Ts3, 'volume')}.`,
      `Number of components needed to hold 95% of the mass: ${formatBare(n95, 'count')}.`,
      ...(onePiece ? [] : [`Large pieces (at least ${formatQuantity(pieceLimit * Ts3, 'volume')} each, ${LARGE_PIECE_ELEMENTS} resolution elements and ${LARGE_PIECE_FRACTION * 100}% of the thresholded volume): ${pieces.length}, holding ${countNoun(piecesVoxels, 'voxel')} (${formatQuantity((100 * piecesVoxels) / S, 'percent')} of the raw mask). They are all part of the structure: the hard mask every item uses holds them all, and the blobs below exclude them.`]),
      remainingComponents > 0
        ? `The remaining ${countNoun(remainingComponents, 'component')} hold${remainingComponents === 1 ? 's' : ''} ${countNoun(remainingVoxels, 'voxel')}, ${formatBare(remainingVoxels / remainingComponents, 'real')} voxels (${formatQuantity(remainingAvgVolume, 'volume')}) on average; they range from ${countNoun(remainingMax, 'voxel')} (${formatQuantity(remainingMax * Ts3, 'volume')}) to ${countNoun(remainingMin, 'voxel')} (${formatQuantity(remainingMin * Ts3, 'volume')}).`
        : `There are no components outside the 95% set${onePiece ? '' : ' and the large pieces'}.`,
      onePiece
        ? `Constructed mask: after keeping the largest component and dilating it by 2 Å, the mask has ${countNoun(constructed, 'voxel')}, a volume of ${formatQuantity(constructed * Ts3, 'volume')}. The overlap between the raw and the constructed mask is ${formatBare(overlap, 'fraction')}.`
        : `Constructed mask: after keeping the ${pieces.length} large pieces and dilating them by 2 Å, the mask has ${countNoun(constructed, 'voxel')}, a volume of ${formatQuantity(constructed * Ts3, 'volume')}. The overlap between the raw and the constructed mask is ${formatBare(overlap, 'fraction')}.`,
      ...(sampleKDa !== null && massRatio !== null ? [massSentence(atContour.kDa, sampleKDa, massRatio, method, sampleContour)] : []),
      ...(expectedCodes.length > 0 ? [`Expected for a ${METHOD_NAMES[method]}: the box holds several bodies (neighbouring particles, a membrane, the molecules of a crystal), so several large pieces are not a problem of the contour (not raised: ${expectedCodes.join(', ')}).`] : []),
    ],
    tables: [componentsTable, table],
  };
}

/**
 * The mass check: the enclosed mass (the raw mask at 1.207 Å³/Da) over the sample's weight. The
 * contour is the author's choice and the conversion assumes protein (nucleic acid is denser,
 * detergent and lipid lighter), so a ratio within 0.5–2 is not questioned; outside it the contour,
 * the part of the sample the map holds, or the weight in the metadata is off by a factor of two.
 */
export function massRatioWarning(enclosedKDa: number, sampleKDa: number, ratio: number, sampleContour: number | null): ItemResult['warnings'][number] | null {
  const [lo, hi] = MASS_RATIO_BAND;
  const head = `At the recommended contour the map encloses ${fixedDecimals(enclosedKDa, 1)} kDa, ${fixedDecimals(ratio, 2)} times the molecular weight of the sample in the EMDB metadata (${fixedDecimals(sampleKDa, 1)} kDa; criterion: between ${lo} and ${hi} times)`;
  const at = sampleContour !== null ? ` A contour of ${formatBare(sampleContour, 'real')} would enclose the sample's weight.` : ' No contour encloses the sample\'s weight: the map has fewer voxels above its background (or in its box) than that weight fills.';
  if (ratio < lo) return { code: '0b.mass-vs-sample', text: `${head}: the contour may be too high to hold the whole molecule, or the map holds only part of the sample (a local or focused refinement), or the weight given is not that of what was reconstructed.${at}` };
  if (ratio > hi) return { code: '0b.mass-vs-sample', text: `${head}: the contour may be too low (it encloses noise or solvent), or the weight given is that of one component only (or in the wrong units).${at}` };
  return null;
}

/** A contour must enclose the wanted voxels to this fraction: more means ties at its value (a masked, flat background) enclose far more. */
const CONTOUR_TIES_TOLERANCE = 1.05;

/**
 * The contour that encloses `voxels` voxels (the `voxels`-th largest value, so that V ≥ it holds
 * that many), or null when no contour does: the map has fewer voxels, or that value is shared by
 * many (the exact zeros of a map masked before deposition), so V ≥ it encloses far more.
 */
export function contourEnclosing(data: Float32Array, voxels: number): number | null {
  const k = Math.round(voxels);
  if (!(k >= 1) || k > data.length) return null;
  const t = kthLargest(data, k);
  if (!Number.isFinite(t)) return null;
  let enclosed = 0;
  for (let i = 0, n = data.length; i < n; i++) if (data[i] >= t) enclosed++;
  return enclosed <= CONTOUR_TIES_TOLERANCE * k ? t : null;
}

/** The result sentence of the mass check. */
function massSentence(enclosedKDa: number, sampleKDa: number, ratio: number, method: MethodKind, sampleContour: number | null): string {
  const at = sampleContour !== null ? ` A contour of ${formatBare(sampleContour, 'real')} would enclose the sample's weight.` : '';
  const s = `The mass enclosed at the recommended contour, ${fixedDecimals(enclosedKDa, 1)} kDa (1.207 Å³ per dalton, protein at 1.37 g/cm³), is ${fixedDecimals(ratio, 2)} times the molecular weight of the sample in the EMDB metadata (${fixedDecimals(sampleKDa, 1)} kDa).${at}`;
  return boxHoldsTheSample(method) ? s : `${s} Not judged for a ${METHOD_NAMES[method]}: its box does not hold one copy of the sample (a helical box holds as many subunits as its length allows, a subtomogram its context, a crystal map its cell).`;
}

function round(x: number, digits: number): number {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

export const maskAnalysisItem = implementItem({
  spec: maskAnalysisSpec,
  compute: async (ctx) => measured(maskAnalysis(ctx.map, ctx.threshold, ctx.masks, ctx.resolution, { method: methodKind(ctx.metadata), sampleMDa: ctx.metadata.molecularWeightMDa }, await ladderCountsOnPool(ctx.map.data))),
  outputs: async (ctx, m) => ({ figures: await ctx.figures.maskFigures(ctx.masks.raw, ctx.map, m.values.thresholdTable as number[][], m.values.contourRow as number[]), files: [] }),
});
