/**
 * Building blocks of the items' value schemas. Written values are plain JSON: a number that is
 * not finite is written as null, so measured reals are `real` (number or null) while counts are
 * integers.
 */
import { z } from 'zod';
import type { ResultRow } from './item-spec.ts';

/** A measured real number; null where it was not finite. */
export const real = z.number().nullable();
/** A count of voxels, components, shells… */
export const count = z.number().int().nonnegative();
/** Per-axis (x, y, z) reals. */
export const perAxis = z.tuple([real, real, real]);

/** The percentiles every local-value item reports (p2_5 = 2.5th percentile). */
export const Percentiles = z.strictObject({ p2_5: real, p25: real, p50: real, p75: real, p97_5: real });

/** Histogram with bin edges (one more than the counts). */
export const Histogram = z.strictObject({ edges: z.array(real), counts: z.array(count) });

/** Histogram over a fixed range, with the values that fell below and above it. */
export const RangeHistogram = z.strictObject({ edges: z.array(real), counts: z.array(count), below: count, above: count });

/**
 * The values every local-resolution item (0.e, 1.c, 1.e) reports (level1A-spec.md §0), spread
 * into its schema: the percentiles (Å), the histogram, the median, the share of voxels with a
 * better local resolution than the reported one (%; null when none is reported) and the voxels
 * that received a value.
 */
export const localResolutionSummary = {
  percentiles: Percentiles,
  histogram: Histogram,
  median: real,
  /** Share of the voxels with a better local resolution than the reported one. */
  reportedResolutionPercentile: real,
  /** Voxels that received a local resolution. */
  voxels: count,
};

/** Units of `localResolutionSummary`. */
export const localResolutionSummaryUnits = { percentiles: 'Å', histogram: 'Å (edges), voxels (counts)', median: 'Å', reportedResolutionPercentile: '%', voxels: 'voxels' };

/** The five percentiles in order, for a result row ("2.5, 25, 50, 75, 97.5 %"). */
export function percentileList(p: z.output<typeof Percentiles>): (number | null)[] {
  return [p.p2_5, p.p25, p.p50, p.p75, p.p97_5];
}

/** Label of a percentile row. */
export const PERCENTILES_LABEL = 'percentiles 2.5, 25, 50, 75 and 97.5%';

/** Curated result rows of `localResolutionSummary`, shared by 0.e, 1.c and 1.e. */
export const localResolutionRows: readonly ResultRow<{ percentiles: z.output<typeof Percentiles>; median: number | null; reportedResolutionPercentile: number | null; voxels: number }>[] = [
  { label: 'Median local resolution', quantity: 'length', pick: (v) => v.median },
  { label: `Local resolution, ${PERCENTILES_LABEL}`, quantity: 'length', pick: (v) => percentileList(v.percentiles) },
  { label: 'Voxels finer than the reported resolution', quantity: 'percent', pick: (v) => v.reportedResolutionPercentile },
  { label: 'Voxels with a local resolution', quantity: 'count', pick: (v) => v.voxels },
];
