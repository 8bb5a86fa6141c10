/**
 * Archive statistics: each ranked headline value (item specs, `archive` flag) placed among all
 * published entries and among the entries of the same resolution band. Computed from the archive
 * index rows alone (never the reports), so at 50,000 entries it costs a sort per value and a
 * binary search per entry.
 *
 * Percentile (mid-rank, as Q_relative: analyzers/methods/q-relative.ts `percentileOf`): the share of
 * the population that is worse than the entry, ties counted half, × 100: 100·(#worse + #tied/2)/n.
 * "Worse" follows the spec's direction (higher or lower is better); a value with no better side is
 * ranked by the share of lower values. The entry is part of its own population (so one entry alone
 * is at 50).
 *
 * Resolution bands: fixed bands of reported resolution (RESOLUTION_BAND_EDGES). Fixed, not "the
 * 1,000 nearest" (wwPDB, Q_relative): an entry's band never depends on the other entries, so a
 * new entry changes the populations of one band only, and the statistics keep one sorted list per band.
 */
import { HEADLINES, reportItem, type ItemId, type Report } from '../../../analyzers/report/schema.ts';
import type { Better } from '../../../analyzers/report/item-spec.ts';
import type { Quantity } from '../../../analyzers/report/format-number.ts';
import { quantityOfUnit } from './format.ts';
import { STATUS_CODE, type IndexRow } from './archive-index.ts';
import type { OwnPercentiles } from './glance-view.ts';

/** Upper edges (Å) of the resolution bands; the last band is open above. */
export const RESOLUTION_BAND_EDGES = [2, 2.5, 3, 3.5, 4, 5, 7, 10] as const;

/** Band index of a reported resolution (null when none is reported). */
export function bandOf(resolution: number | null): number | null {
  if (resolution === null || !Number.isFinite(resolution)) return null;
  const k = RESOLUTION_BAND_EDGES.findIndex((e) => resolution < e);
  return k < 0 ? RESOLUTION_BAND_EDGES.length : k;
}

/** "3–3.5 Å", "< 2 Å", "≥ 10 Å". */
export function bandLabel(band: number): string {
  const E = RESOLUTION_BAND_EDGES;
  if (band === 0) return `< ${E[0]} Å`;
  if (band >= E.length) return `≥ ${E[E.length - 1]} Å`;
  return `${E[band - 1]}–${E[band]} Å`;
}

/** One value ranked among the archive: a headline, or a headline's ratio to the reported resolution. */
export interface RankedColumn {
  /** Name in the statistics, glance.json and /index.json ("fsc0143", "fsc0143PerReported"). */
  column: string;
  item: ItemId;
  label: string;
  unit: string;
  /** How the value reads (the item's result list reads it the same way). */
  quantity: Quantity;
  better: Better;
  /** Index of the headline in the index row's key values. */
  key: number;
  /** Divided by the reported resolution. */
  ratio: boolean;
  /** Below this many entries with the value, the page shows the item's own percentiles (A.e: Q_relative). */
  ownPopulationMin: number | null;
}

/** The ranked values, in catalog order, each headline followed by its ratio when it has one. */
export const RANKED_COLUMNS: readonly RankedColumn[] = HEADLINES.flatMap(({ item, headline }, key) => {
  if (!headline.archive) return [];
  const own = headline.ownPercentiles?.ownPopulationMin ?? null;
  const quantity = headline.quantity ?? quantityOfUnit(headline.unit) ?? 'real';
  const base: RankedColumn = { column: headline.column, item, label: headline.label, unit: headline.unit, quantity, better: headline.archive.better, key, ratio: false, ownPopulationMin: own };
  const r = headline.archive.ratioToReported;
  return r ? [base, { ...base, column: `${headline.column}PerReported`, label: `${headline.label} ÷ reported resolution`, unit: '', quantity: 'real', better: r.better, ratio: true, ownPopulationMin: null }] : [base];
});

/** Offset of the key values in an index row (after id … warnings). */
const KEY_OFFSET = 9;

/** The value of `c` in a row (null when absent, or a ratio without a reported resolution). */
export function rankedValue(row: IndexRow, c: RankedColumn): number | null {
  const v = row[KEY_OFFSET + c.key] as number | null;
  if (v === null || !Number.isFinite(v)) return null;
  if (!c.ratio) return v;
  const res = row[2];
  return res !== null && res > 0 ? v / res : null;
}

/** One ranked value over the archive: its values sorted ascending, overall and per band. */
export interface ColumnStatistics {
  column: string;
  item: ItemId;
  label: string;
  unit: string;
  better: Better;
  /** Every entry's value, ascending. */
  all: number[];
  /** Per resolution band (RESOLUTION_BAND_EDGES order), ascending; entries without a reported resolution are in `all` only. */
  bands: number[][];
}

/** The compact statistics the pages read (written to /statistics/archive-statistics.json). */
export interface ArchiveStatistics {
  /** Published (not refused) entries. */
  entries: number;
  bandEdges: readonly number[];
  bandLabels: string[];
  /** How a percentile is defined, in words (also on the methods page). */
  percentile: string;
  columns: ColumnStatistics[];
}

export const PERCENTILE_DEFINITION = 'mid-rank: 100 × (entries worse + half the entries with the same value) / entries with the value; the entry counts itself';

const byNumber = (a: number, b: number) => a - b;

/** True for the row of a refused entry (no values, no place in the statistics). */
function refused(row: IndexRow): boolean {
  return row[7].startsWith(STATUS_CODE.refused);
}

const statisticsOfRows = new WeakMap<readonly IndexRow[], ArchiveStatistics>();

/**
 * archiveStatistics of a rows array that is not changed afterwards (loadArchive's, cached per
 * build): the statistics page, its JSON and index.json then share one computation (~3 s at 50,000).
 */
export function sharedArchiveStatistics(rows: readonly IndexRow[]): ArchiveStatistics {
  let stats = statisticsOfRows.get(rows);
  if (!stats) statisticsOfRows.set(rows, (stats = archiveStatistics(rows)));
  return stats;
}

/** Statistics of every ranked value over `rows`. */
export function archiveStatistics(rows: readonly IndexRow[]): ArchiveStatistics {
  const nBands = RESOLUTION_BAND_EDGES.length + 1;
  const published = rows.filter((r) => !refused(r));
  const columns = RANKED_COLUMNS.map((c): ColumnStatistics => {
    const all: number[] = [];
    const bands: number[][] = Array.from({ length: nBands }, () => []);
    for (const row of published) {
      const v = rankedValue(row, c);
      if (v === null) continue;
      all.push(v);
      const b = bandOf(row[2]);
      if (b !== null) bands[b].push(v);
    }
    all.sort(byNumber);
    for (const b of bands) b.sort(byNumber);
    return { column: c.column, item: c.item, label: c.label, unit: c.unit, better: c.better, all, bands };
  });
  return {
    entries: published.length,
    bandEdges: RESOLUTION_BAND_EDGES,
    bandLabels: Array.from({ length: nBands }, (_, k) => bandLabel(k)),
    percentile: PERCENTILE_DEFINITION,
    columns,
  };
}

/** First index of `sorted` whose value is ≥ x (strict: > x). */
function bound(sorted: readonly number[], x: number, strict: boolean): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? sorted[mid] <= x : sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Mid-rank percentile of `x` in the ascending `sorted` (see the file comment); null for an empty population. */
export function midRankPercentile(sorted: readonly number[], x: number, better: Better): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const below = bound(sorted, x, false);
  const upTo = bound(sorted, x, true);
  const worse = better === 'lower' ? n - upTo : below;
  return (100 * (worse + (upTo - below) / 2)) / n;
}

/** A percentile with the size of the population it rests on. */
export interface Placed {
  p: number;
  n: number;
}

/** One value of one entry placed in the archive. */
export interface GlanceRow {
  column: string;
  label: string;
  unit: string;
  quantity: Quantity;
  better: Better;
  value: number;
  /** Among all entries with the value (null: shown from the item's own percentiles, `own` false). */
  all: Placed | null;
  /** Among the entries of its resolution band (null: no reported resolution, or not `own`). */
  band: (Placed & { label: string }) | null;
  /** False while the archive is smaller than the item's own population (A.e: Q_relative). */
  own: boolean;
}

/** What an entry page's "at a glance" panel shows (the entry's glance.json). */
export interface Glance {
  entries: number;
  rows: GlanceRow[];
}

/** The entry's ranked values placed among the archive. */
export function entryGlance(stats: ArchiveStatistics, row: IndexRow): Glance {
  const band = bandOf(row[2]);
  const rows: GlanceRow[] = [];
  RANKED_COLUMNS.forEach((c, k) => {
    const value = rankedValue(row, c);
    if (value === null) return;
    const s = stats.columns[k];
    const own = c.ownPopulationMin === null || s.all.length >= c.ownPopulationMin;
    const inAll = midRankPercentile(s.all, value, c.better);
    const inBand = band === null ? null : midRankPercentile(s.bands[band], value, c.better);
    rows.push({
      column: c.column,
      label: c.label,
      unit: c.unit,
      quantity: c.quantity,
      better: c.better,
      value,
      all: own && inAll !== null ? { p: inAll, n: s.all.length } : null,
      band: own && band !== null && inBand !== null ? { p: inBand, n: s.bands[band].length, label: stats.bandLabels[band] } : null,
      own,
    });
  });
  return { entries: stats.entries, rows };
}

/** The percentiles of every entry, for /index.json: per row, [all, band] per ranked column, rounded to 0.1 (null: no value). */
export function percentileColumns(stats: ArchiveStatistics, rows: readonly IndexRow[]): (number | null)[][] {
  const round = (p: number | null) => (p === null ? null : Math.round(p * 10) / 10);
  return rows.map((row) => {
    const band = bandOf(row[2]);
    return RANKED_COLUMNS.flatMap((c, k) => {
      const v = rankedValue(row, c);
      if (v === null) return [null, null];
      const s = stats.columns[k];
      return [round(midRankPercentile(s.all, v, c.better)), band === null ? null : round(midRankPercentile(s.bands[band], v, c.better))];
    });
  });
}

/** An item's own percentiles (spec `ownPercentiles`, e.g. A.e's Q_relative) of a report, by column: embedded in the page. */
export function ownPercentilesOf(r: Report): OwnPercentiles {
  const out: OwnPercentiles = {};
  for (const { item, headline } of HEADLINES) {
    if (!headline.ownPercentiles) continue;
    const it = reportItem(r, item);
    if (!it || !(it.status === 'ok' || it.status === 'warnings') || !it.values) continue;
    const p = headline.ownPercentiles.pick(it.values as Record<string, unknown>);
    if (p) out[headline.column] = { all: p.all, band: p.band };
  }
  return out;
}
