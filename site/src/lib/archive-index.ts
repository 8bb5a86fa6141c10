/**
 * The archive index: one compact row of headline numbers per entry, built from every report once
 * per build. It feeds the entry routes (which IDs exist), the archive table (`/index.json`, read by
 * the browser) and the bulk CSV (`/all.csv`).
 */
import Papa from 'papaparse';
import { ITEM_IDS, SCHEMA_VERSION, type ItemId, type ItemStatus, type Report } from '../../../analyzers/report/schema.ts';
import { listEntryIds, tryReadReport } from './content.ts';

/** One-letter status codes of `IndexRow.status`, one per item in ITEM_IDS order. */
export const STATUS_CODE: Record<ItemStatus, string> = { ok: 'o', warnings: 'w', 'not-applicable': 'n', failed: 'f' };

/**
 * Headline values copied into the index (null when the item did not produce them): the number a
 * reader scans the archive for. `pick` reads it from the item's values; `unit` is fixed here since
 * the column must mean the same thing in every row.
 */
export const KEY_VALUES: readonly { column: string; item: ItemId; unit: string; label: string; pick: (values: Record<string, unknown>) => number | null }[] = [
  { column: 'maxDecentering', item: '0.a', unit: '%', label: '0.a largest decentring', pick: (v) => maxOf(v.decentering) },
  { column: 'components95', item: '0.b', unit: '', label: '0.b components holding 95% of the mass', pick: (v) => num(v.components95) },
  { column: 'maskOverlap', item: '0.b', unit: '', label: '0.b raw/constructed mask overlap', pick: (v) => num(v.overlap) },
  { column: 'backgroundP', item: '0.c', unit: '', label: '0.c p-value of a zero background mean', pick: (v) => num(v.p) },
  { column: 'outlierRatio', item: '0.c', unit: '', label: '0.c ratio of 5σ outliers to a Gaussian', pick: (v) => num(v.outlierRatio) },
  { column: 'bFactor', item: '0.d', unit: 'Å²', label: '0.d B-factor', pick: (v) => num(v.bFactor) },
  { column: 'localResolutionMedian', item: '0.e', unit: 'Å', label: '0.e median local resolution', pick: median },
  { column: 'localBFactorMedian', item: '0.f', unit: 'Å²', label: '0.f median local B-factor', pick: median },
  { column: 'localOccupancyMedian', item: '0.g', unit: '', label: '0.g median local occupancy', pick: median },
  { column: 'handScore', item: '0.h', unit: '', label: '0.h hand score', pick: (v) => num(v.score) },
];

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function maxOf(x: unknown): number | null {
  if (!Array.isArray(x) || x.length === 0 || !x.every((e) => typeof e === 'number')) return null;
  return Math.max(...(x as number[]));
}

/** `values.median`, else the 50th entry of `values.percentiles` written as {"50": m} or {"p50": m}. */
function median(v: Record<string, unknown>): number | null {
  const direct = num(v.median);
  if (direct !== null) return direct;
  const p = v.percentiles;
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const rec = p as Record<string, unknown>;
    return num(rec['50']) ?? num(rec.p50) ?? num(rec['50%']);
  }
  return null;
}

/** Column names of `IndexRow`, in order; `/index.json` carries them so the rows are self-describing. */
export const INDEX_COLUMNS = ['id', 'title', 'resolution', 'depositionDate', 'releaseDate', 'passing', 'evaluable', 'status', 'warnings', ...KEY_VALUES.map((k) => k.column)] as const;

/**
 * One entry of the archive as a positional array (compact for 50 000 rows):
 * [id, title, resolution Å | null, depositionDate, releaseDate, passing, evaluable,
 *  status (8 letters o/w/n/f for 0.a…0.h), warnings (8 counts), ...key values (KEY_VALUES order)].
 */
export type IndexRow = [string, string | null, number | null, string | null, string | null, number, number, string, number[], ...(number | null)[]];

/** The index row of one report. */
export function indexRow(r: Report): IndexRow {
  const status = ITEM_IDS.map((k) => STATUS_CODE[r.items[k].status]).join('');
  const warnings = ITEM_IDS.map((k) => r.items[k].warnings.length);
  const keys = KEY_VALUES.map((k) => k.pick(r.items[k.item].values as Record<string, unknown>));
  return [r.entry.id, r.entry.title, r.entry.resolution, r.entry.depositionDate, r.entry.releaseDate, r.score.passing, r.score.evaluable, status, warnings, ...keys];
}

/** The whole archive: rows in accession order plus the entries whose report could not be read. */
export interface Archive {
  rows: IndexRow[];
  skipped: { id: string; error: string }[];
}

let cached: { dir: string; archive: Archive } | null = null;

/**
 * Reads every report once (memoised per content folder for the life of the build process) and
 * returns the archive. A report that fails the schema is left out and listed in `skipped`, so one
 * broken entry does not stop the nightly build.
 */
export function loadArchive(): Archive {
  const dir = process.env.EMVR_CONTENT ?? '';
  if (cached && cached.dir === dir) return cached.archive;
  const rows: IndexRow[] = [];
  const skipped: Archive['skipped'] = [];
  for (const id of listEntryIds()) {
    const r = tryReadReport(id);
    if (r.ok) rows.push(indexRow(r.report));
    else skipped.push({ id, error: r.error });
  }
  if (skipped.length > 0) {
    process.stderr.write(`emvr site: ${skipped.length} report(s) skipped:\n${skipped.map((s) => `  ${s.id}: ${s.error.split('\n').join('\n    ')}`).join('\n')}\n`);
  }
  cached = { dir, archive: { rows, skipped } };
  return cached.archive;
}

/** The public `/index.json`: schema version, item ids, column names, key-value units, rows. */
export function archiveJson(a: Archive): string {
  const doc = {
    schemaVersion: SCHEMA_VERSION,
    items: ITEM_IDS,
    statusCodes: STATUS_CODE,
    columns: INDEX_COLUMNS,
    keyValues: KEY_VALUES.map(({ column, item, unit, label }) => ({ column, item, unit, label })),
    rows: a.rows,
  };
  return JSON.stringify(doc);
}

/**
 * The public `/all.csv`: one line per entry, statuses spelled out, key values with the unit in the
 * header. Spreadsheet formulae in titles are neutralised (papaparse `escapeFormulae`).
 */
export function archiveCsv(a: Archive): string {
  const statusWord: Record<string, string> = { o: 'ok', w: 'warnings', n: 'not-applicable', f: 'failed' };
  const header = [
    'id', 'title', 'resolution_A', 'deposition_date', 'release_date', 'passing', 'evaluable',
    ...ITEM_IDS.map((k) => `status_${k.replace('.', '')}`),
    ...ITEM_IDS.map((k) => `warnings_${k.replace('.', '')}`),
    ...KEY_VALUES.map((k) => (k.unit ? `${k.column}_${k.unit.replace('Å²', 'A2').replace('Å', 'A').replace('%', 'percent')}` : k.column)),
  ];
  const data = a.rows.map((row) => {
    const [id, title, res, dep, rel, passing, evaluable, status, warnings, ...keys] = row;
    return [id, title ?? '', res, dep, rel, passing, evaluable, ...status.split('').map((c) => statusWord[c]), ...warnings, ...keys];
  });
  return Papa.unparse({ fields: header, data }, { escapeFormulae: true, newline: '\n' });
}
