/**
 * What every local-resolution item (0.e, 1.e, and the coming 1.c) reports from its map
 * (level1A-spec.md §0 "Local-resolution summary"): the two warnings, the percentile table and the
 * sentences on the distribution, with the item's own warning-code prefix.
 */
import { PERCENTILES, type LocalResolutionStatistics } from '../methods/monores.ts';
import { sortedValuesWhere } from '../methods/quantised-histogram.ts';
import { valueMaskOf } from '../volume/value-mask.ts';
import { settledBoth } from '../util/settled.ts';
import type { Table } from '../report/schema.ts';
import { f } from '../util/format.ts';
import type { EntryContext } from './context.ts';
import type { ItemOutputs, ItemResult, Measurement } from './item.ts';
import { percentileRange } from './percentile-range.ts';

/**
 * Warnings `<prefix>.homogeneous` (|p2.5 − p97.5| < 0.01 Å) and, when a resolution was reported,
 * `<prefix>.resolution-better-than-local` (P < 0.1 %).
 */
export function localResolutionWarnings(prefix: string, st: LocalResolutionStatistics, resolution: number | null): ItemResult['warnings'] {
  const { p2_5, p97_5 } = st.percentiles;
  const P = st.reportedResolutionPercentile;
  const warnings: ItemResult['warnings'] = [];
  if (Math.abs(p2_5 - p97_5) < 0.01) {
    warnings.push({ code: `${prefix}.homogeneous`, text: `The local resolution is suspiciously homogeneous: |p97.5 − p2.5| = ${f(Math.abs(p97_5 - p2_5), 3)} Å (criterion: at least 0.01 Å). This points to a problem of the program rather than of the map.` });
  }
  if (resolution !== null && P < 0.1) {
    warnings.push({ code: `${prefix}.resolution-better-than-local`, text: `The reported resolution, ${f(resolution)} Å, is better than almost all local resolutions: it is at percentile ${f(P, 3)}% of their distribution (criterion: at least 0.1%). The reported resolution may be overestimated.` });
  }
  return warnings;
}

/** The percentile table of a local-resolution map. */
export function localResolutionTable(id: string, caption: string, st: LocalResolutionStatistics): Table {
  const { p2_5, p25, p50, p75, p97_5 } = st.percentiles;
  return {
    id,
    caption,
    columns: [{ key: 'percentile', label: 'Percentile', unit: '%' }, { key: 'resolution', label: 'Local resolution', unit: 'Å' }],
    rows: PERCENTILES.map((p, j) => [p, round3([p2_5, p25, p50, p75, p97_5][j])]),
  };
}

/** The two sentences on the distribution and on the reported resolution's place in it. */
export function localResolutionSentences(st: LocalResolutionStatistics, resolution: number): string[] {
  const { p2_5, p25, p50, p75, p97_5 } = st.percentiles;
  return [
    `The local resolution inside the mask has median ${f(p50)} Å, interquartile range ${f(p25)}–${f(p75)} Å, and 95% of the voxels between ${f(p2_5)} and ${f(p97_5)} Å. Some representative percentiles are in the table.`,
    `The reported resolution, ${f(resolution)} Å, is at percentile ${f(st.reportedResolutionPercentile)}% of the local resolutions (the fraction of voxels with a better local resolution).`,
  ];
}

export const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The outputs of a local-resolution item: histogram (with the reported resolution marked), the map
 * surface coloured by the local resolution over [p2.5, p97.5], and the local-resolution map.
 */
export async function localResolutionOutputs(ctx: EntryContext, m: Measurement<Float32Array>, o: { stem: string; itemId: string; name: string; label: string }): Promise<ItemOutputs> {
  const res = ctx.resolution;
  const property = { ...ctx.map, data: m.extra };
  const range = percentileRange(m.values);
  // The voxels with a value (> 0) that the statistics count; MonoRes's sweep quantises them.
  const inside = valueMaskOf(m.extra, 0);
  // The viewer's copy is compressed on a libuv thread while the outputs are drawn.
  const colouring = ctx.viewer?.writeColouring({ id: `${o.itemId[0]}.${o.itemId.slice(1)}`, name: o.name, unit: 'Å', property, range, lowIsGood: true });
  const outputs = ctx.figures.localMapOutputs({
    stem: o.stem, itemId: o.itemId, name: o.name, surface: ctx.map, level: ctx.threshold,
    property, range, label: o.label,
    histogram: { sorted: sortedValuesWhere(m.extra, inside) },
    markers: res === null ? [] : [{ value: res, label: `reported ${res} Å` }],
    inside,
  });
  return settledBoth(outputs, colouring);
}
