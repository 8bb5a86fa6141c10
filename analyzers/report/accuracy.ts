/**
 * `accuracy.json`: how far each item's numbers fall from a designed truth, measured by
 * `npm run accuracy` (scripts/accuracy/) on simulated maps whose answer is known, and shown on the
 * methods page. One row per item, metric and condition; the site reads it only through this schema.
 */
import { z } from 'zod';

/** A condition of the grid: what the simulated maps of a row have in common. */
export const AccuracyConditions = z.strictObject({
  /** Resolution (Å) the maps were simulated and designed at (the 0.143 crossing of the designed FSC). */
  resolution: z.number().positive(),
  /** 'nominal': noise designed for an FSC crossing 0.143 at the resolution; 'high': crossing at 1.25 × it. */
  noise: z.enum(['nominal', 'high']),
  /** Designed local-resolution layout of the half maps ('uniform' for single maps). */
  layout: z.enum(['uniform', 'two-region', 'anisotropic']),
  /** The deposited map multiplied by its own molecular mask (background exactly 0). */
  masked: z.boolean(),
  /** Box edges (voxels) of the cases pooled in the row. */
  boxes: z.array(z.number().int().positive()),
  /** Voxel edge (Å). */
  voxelA: z.number().positive(),
});
export type AccuracyConditions = z.output<typeof AccuracyConditions>;

export const AccuracyRow = z.strictObject({
  /** Item id ("0.e"). */
  item: z.string(),
  /** Which value of the item ("median", "fsc0143"). */
  metric: z.string(),
  /** Unit of the errors ("Å", "Å²", "%", "σ"). */
  unit: z.string(),
  /** What the value is compared with. */
  truth: z.string(),
  conditions: AccuracyConditions,
  /** Cases simulated for the row. */
  cases: z.number().int().nonnegative(),
  /** Errors pooled (one per measured case, per axis for per-axis values, per sampled voxel for maps). */
  n: z.number().int().nonnegative(),
  /** Median and 95th percentile of |value − truth|, mean of value − truth; null when nothing was measured. */
  medianAbsError: z.number().nullable(),
  p95AbsError: z.number().nullable(),
  bias: z.number().nullable(),
  /** Median over the cases of Spearman's rank correlation of value and truth over the voxels (maps with a varying truth only). */
  spearman: z.number().nullable(),
  /** Cases the item refused (not applicable, could not be measured), with their reasons (one example message per kind, and how many). */
  refused: z.number().int().nonnegative(),
  refusedReasons: z.array(z.strictObject({ reason: z.string(), count: z.number().int().positive() })),
});
export type AccuracyRow = z.output<typeof AccuracyRow>;

export const AccuracyTable = z.strictObject({
  schemaVersion: z.literal(1),
  /** When and on which commit the table was measured (ISO date; short commit hash, "+dirty" when the tree had changes). */
  measuredAt: z.string(),
  commit: z.string(),
  /** The slice run: the full grid or the --quick one. */
  slice: z.enum(['full', 'quick']),
  /** Wall time (s), CPU time of the workers (s: user + system, the cost whatever else loads the machine) and worker processes of the run. */
  seconds: z.number().nonnegative(),
  cpuSeconds: z.number().nonnegative(),
  workers: z.number().int().positive(),
  cases: z.number().int().nonnegative(),
  rows: z.array(AccuracyRow),
});
export type AccuracyTable = z.output<typeof AccuracyTable>;

/** Numbers in a refusal message replaced by "#", so that refusals of one kind group together (one example message is kept). */
export function refusalKind(reason: string): string {
  return reason.replace(/[-+]?\d+(\.\d+)?(e[-+]?\d+)?/gu, '#');
}

/** Reads an accuracy table; throws with every schema problem listed. */
export function parseAccuracyTable(json: unknown, source = 'accuracy.json'): AccuracyTable {
  const r = AccuracyTable.safeParse(json);
  if (!r.success) throw new Error(`${source} does not match the accuracy-table schema:\n${z.prettifyError(r.error)}`);
  return r.data;
}
