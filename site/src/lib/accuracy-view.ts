/**
 * The methods page's accuracy table (site/src/data/accuracy.json, written by `npm run accuracy`,
 * schema analyzers/report/accuracy.ts) as display rows grouped by item: text only, so the page
 * does no arithmetic and every number reads as on the entry pages.
 */
import { parseAccuracyTable, refusalKind, type AccuracyRow, type AccuracyTable } from '../../../analyzers/report/accuracy.ts';
import raw from '../data/accuracy.json' with { type: 'json' };
import { formatNumber } from './format.ts';

export interface AccuracyMetricNote {
  readonly metric: string;
  readonly unit: string;
  readonly truth: string;
  /** Refusal reasons over every condition of the metric, by kind (one example message), each with its count. */
  readonly refusals: string[];
}

export interface AccuracyItemView {
  readonly item: string;
  readonly anchor: string;
  readonly rows: string[][];
  readonly metrics: AccuracyMetricNote[];
  /** Cases measured and refused over all rows of the item. */
  readonly cases: number;
  readonly refused: number;
}

export interface AccuracyView {
  readonly measuredAt: string;
  readonly commit: string;
  readonly slice: string;
  readonly minutes: string;
  /** CPU minutes of the workers (the run's cost whatever else loaded the machine). */
  readonly cpuMinutes: string;
  readonly workers: number;
  readonly cases: number;
  readonly headers: string[];
  /** Which columns are numeric (right-aligned). */
  readonly numeric: boolean[];
  readonly items: AccuracyItemView[];
}

const HEADERS = ['Metric', 'Resolution (Å)', 'Voxel (Å)', 'Condition', 'Box (voxels)', 'Cases', 'Errors', 'Median |error|', '95th pct |error|', 'Bias (mean error)', 'Spearman ρ', 'Refused'];
const NUMERIC = [false, true, true, false, false, true, true, true, true, true, true, true];

const num = (v: number | null) => (v === null ? '—' : formatNumber(v));

function condition(r: AccuracyRow): string {
  const c = r.conditions;
  const parts = [c.layout === 'uniform' ? null : c.layout === 'two-region' ? `two regions (R, 1.6 R)` : 'anisotropic (z at 1.6 R)', c.noise === 'high' ? 'high noise (FSC 0.143 at 1.25 R)' : 'nominal noise', c.masked ? 'masked deposit' : null];
  return parts.filter((p) => p !== null).join(', ');
}

function rowCells(r: AccuracyRow): string[] {
  return [
    `${r.metric} (${r.unit})`, formatNumber(r.conditions.resolution), formatNumber(r.conditions.voxelA), condition(r), r.conditions.boxes.join(', '),
    String(r.cases), String(r.n), num(r.medianAbsError), num(r.p95AbsError), num(r.bias), num(r.spearman), String(r.refused),
  ];
}

/** Display view of an accuracy table. */
export function accuracyView(table: AccuracyTable): AccuracyView {
  const byItem = new Map<string, AccuracyRow[]>();
  for (const r of table.rows) byItem.set(r.item, [...(byItem.get(r.item) ?? []), r]);
  const items = [...byItem].map(([item, rows]) => {
    const metrics = new Map<string, AccuracyMetricNote & { counts: Map<string, { reason: string; n: number }> }>();
    for (const r of rows) {
      const m = metrics.get(r.metric) ?? { metric: r.metric, unit: r.unit, truth: r.truth, refusals: [], counts: new Map<string, { reason: string; n: number }>() };
      for (const x of r.refusedReasons) {
        const k = refusalKind(x.reason);
        const seen = m.counts.get(k);
        if (seen) seen.n += x.count;
        else m.counts.set(k, { reason: x.reason, n: x.count });
      }
      metrics.set(r.metric, m);
    }
    return {
      item,
      anchor: `accuracy-${item.replace('.', '')}`,
      rows: rows.map(rowCells),
      metrics: [...metrics.values()].map(({ counts, ...m }) => ({ ...m, refusals: [...counts.values()].map(({ reason, n }) => `${n} × ${reason}`) })),
      cases: rows.reduce((s, r) => s + r.cases, 0),
      refused: rows.reduce((s, r) => s + r.refused, 0),
    };
  });
  return {
    measuredAt: table.measuredAt, commit: table.commit, slice: table.slice, minutes: formatNumber(Math.round(table.seconds / 6) / 10), cpuMinutes: formatNumber(Math.round(table.cpuSeconds / 6) / 10), workers: table.workers, cases: table.cases,
    headers: HEADERS, numeric: NUMERIC, items,
  };
}

/** The committed table, parsed once at build time. */
export const ACCURACY = accuracyView(parseAccuracyTable(raw, 'site/src/data/accuracy.json'));
