/**
 * Building blocks of the items' value schemas. Written values are plain JSON: a number that is
 * not finite is written as null, so measured reals are `real` (number or null) while counts are
 * integers.
 */
import { z } from 'zod';

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
