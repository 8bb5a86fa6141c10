/**
 * The accuracy table's statistics: Spearman's rank correlation (average ranks for ties, as
 * scipy.stats.spearmanr), and the rows — median and 95th percentile (numpy 'linear') of the
 * absolute errors, their signed mean (bias), the median Spearman ρ of the cases, the refusals —
 * pooled over the cases that share an item, a metric and a condition.
 */
import { refusalKind, type AccuracyConditions, type AccuracyRow } from '../../analyzers/report/accuracy.ts';
import { quantileSorted } from '../../analyzers/methods/order-statistics.ts';

/** Ranks 1…n of `a`, ties sharing the mean of their ranks. */
export function averageRanks(a: ArrayLike<number>): Float64Array {
  const n = a.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i] - a[j]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && a[order[j + 1]] === a[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Pearson's r of two equal-length arrays (NaN when either is constant). */
function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Spearman's ρ: Pearson's r of the average ranks (NaN when either side is constant). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`spearman: lengths differ (${a.length}, ${b.length})`);
  return pearson(averageRanks(a), averageRanks(b));
}

/** Median, 95th percentile of |e| and mean of e; nulls for no errors. */
export function errorSummary(errors: readonly number[]): { medianAbsError: number | null; p95AbsError: number | null; bias: number | null } {
  if (errors.length === 0) return { medianAbsError: null, p95AbsError: null, bias: null };
  const abs = Float64Array.from(errors, Math.abs).sort();
  let sum = 0;
  for (const e of errors) sum += e;
  return { medianAbsError: quantileSorted(abs, 0.5), p95AbsError: quantileSorted(abs, 0.95), bias: sum / errors.length };
}


/** What one case contributes to a row. */
export interface CaseObservation {
  readonly item: string;
  readonly metric: string;
  readonly unit: string;
  readonly truth: string;
  readonly conditions: Omit<AccuracyConditions, 'boxes'> & { box: number };
  readonly errors: readonly number[];
  readonly spearman: number | null;
  readonly refused: string | null;
}

/**
 * Rows of the table: observations grouped by item, metric and condition (box sizes pooled), in
 * the order the groups first appear; refusals grouped by kind, each with its first message.
 */
export function summariseRows(observations: readonly CaseObservation[]): AccuracyRow[] {
  const groups = new Map<string, CaseObservation[]>();
  for (const o of observations) {
    const { resolution, noise, layout, masked, voxelA } = o.conditions;
    const key = JSON.stringify([o.item, o.metric, resolution, noise, layout, masked, voxelA]);
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0];
    const { box: _box, ...cond } = first.conditions;
    const errors = g.flatMap((o) => o.errors);
    const rhos = g.map((o) => o.spearman).filter((r): r is number => r !== null && Number.isFinite(r)).sort((a, b) => a - b);
    const kinds = new Map<string, { reason: string; count: number }>();
    for (const o of g) {
      if (o.refused === null) continue;
      const k = refusalKind(o.refused);
      const seen = kinds.get(k);
      if (seen) seen.count++;
      else kinds.set(k, { reason: o.refused, count: 1 });
    }
    return {
      item: first.item,
      metric: first.metric,
      unit: first.unit,
      truth: first.truth,
      conditions: { ...cond, boxes: [...new Set(g.map((o) => o.conditions.box))].sort((a, b) => a - b) },
      cases: g.length,
      n: errors.length,
      ...errorSummary(errors),
      spearman: rhos.length > 0 ? quantileSorted(rhos, 0.5) : null,
      refused: g.filter((o) => o.refused !== null).length,
      refusedReasons: [...kinds.values()],
    };
  });
}
