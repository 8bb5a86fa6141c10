/**
 * The archive index: one compact row of headline numbers per entry, built from every report once
 * per build. It feeds the entry routes (which IDs exist), the archive table (`/index.json`, read by
 * the browser) and the bulk CSV (`/all.csv`).
 */
import fs from 'node:fs';
import Papa from 'papaparse';
import { HEADLINES, ITEM_IDS, reportItem, SCHEMA_VERSION, type ItemId, type ItemStatus, type Report } from '../../../analyzers/report/schema.ts';
import type { Refusal } from '../../../analyzers/report/refusal.ts';
import { listEntryIds, tryReadRefusal, tryReadReport } from './content.ts';

/** One-letter status codes of `IndexRow.status`, one per item in ITEM_IDS order; `x`: the report does not carry the item (its input is missing, or it was written before the item existed); `r`: the whole entry was refused (refusal.json). */
export const STATUS_CODE: Record<ItemStatus | 'absent' | 'refused', string> = { ok: 'o', warnings: 'w', 'not-applicable': 'n', failed: 'f', absent: 'x', refused: 'r' };

/**
 * Headline values copied into the index, from the item specs (report/catalog.ts `HEADLINES`): the
 * numbers a reader scans the archive for. Null when the item is absent or was not measured.
 */
export const KEY_VALUES: readonly { column: string; item: ItemId; unit: string; label: string; pick: (r: Report) => number | null }[] = HEADLINES.map(({ item, headline }) => ({
  column: headline.column,
  item,
  unit: headline.unit,
  label: headline.label,
  pick: (r: Report) => {
    const it = reportItem(r, item);
    return it && (it.status === 'ok' || it.status === 'warnings') ? headline.pick(it.values as Record<string, unknown>) : null;
  },
}));

/** Column names of `IndexRow`, in order; `/index.json` carries them so the rows are self-describing. */
export const INDEX_COLUMNS = ['id', 'title', 'resolution', 'depositionDate', 'releaseDate', 'passing', 'evaluable', 'status', 'warnings', ...KEY_VALUES.map((k) => k.column)] as const;

/**
 * One entry of the archive as a positional array (compact for 50 000 rows):
 * [id, title, resolution Å | null, depositionDate, releaseDate, passing, evaluable,
 *  status (one letter o/w/n/f/x per item of ITEM_IDS), warnings (one count per item), ...key values (KEY_VALUES order)].
 */
export type IndexRow = [string, string | null, number | null, string | null, string | null, number, number, string, number[], ...(number | null)[]];

/** The index row of one report. */
export function indexRow(r: Report): IndexRow {
  const items = ITEM_IDS.map((k) => reportItem(r, k));
  const status = items.map((it) => STATUS_CODE[it ? it.status : 'absent']).join('');
  const warnings = items.map((it) => it?.warnings.length ?? 0);
  const keys = KEY_VALUES.map((k) => k.pick(r));
  return [r.entry.id, r.entry.title, r.entry.resolution, r.entry.depositionDate, r.entry.releaseDate, r.score.passing, r.score.evaluable, status, warnings, ...keys];
}

/** The index row of a refused entry: no score, every item `r`, no key values. */
export function refusalRow(r: Refusal): IndexRow {
  const e = r.entry;
  return [e.id, e.title, e.resolution, e.depositionDate, e.releaseDate, 0, 0, STATUS_CODE.refused.repeat(ITEM_IDS.length), ITEM_IDS.map(() => 0), ...KEY_VALUES.map(() => null)];
}

/** The whole archive: rows in accession order plus the entries whose report could not be read. */
export interface Archive {
  rows: IndexRow[];
  skipped: { id: string; error: string }[];
}

let cached: { dir: string; archive: Archive } | null = null;

/**
 * Rows an incremental build already has for its unchanged entries: `EMVR_INDEX_ROWS` names a JSON
 * file of id → row (scripts/site/build-site.ts writes it from the build manifest, for reports whose
 * sha256 and renderer are unchanged), so only changed reports are read and validated again.
 */
function knownRows(): Map<string, IndexRow> {
  const file = process.env.EMVR_INDEX_ROWS;
  return file ? new Map(Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, IndexRow>)) : new Map();
}

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
  const known = knownRows();
  for (const id of listEntryIds()) {
    const row = known.get(id);
    if (row) {
      rows.push(row);
      continue;
    }
    const refused = tryReadRefusal(id);
    if (!refused.ok) {
      skipped.push({ id, error: refused.error });
      continue;
    }
    if (refused.refusal) {
      rows.push(refusalRow(refused.refusal));
      continue;
    }
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

/** The public `/index.json`: schema version, item ids, column names, key-value units, rows, and `extra` fields (the archive percentiles). */
export function archiveJson(a: Archive, extra: Record<string, unknown> = {}): string {
  const doc = {
    schemaVersion: SCHEMA_VERSION,
    items: ITEM_IDS,
    statusCodes: STATUS_CODE,
    columns: INDEX_COLUMNS,
    keyValues: KEY_VALUES.map(({ column, item, unit, label }) => ({ column, item, unit, label })),
    rows: a.rows,
    ...extra,
  };
  return JSON.stringify(doc);
}

/**
 * The public `/all.csv`: one line per entry, statuses spelled out, key values with the unit in the
 * header. Spreadsheet formulae in titles are neutralised (papaparse `escapeFormulae`).
 */
export function archiveCsv(a: Archive): string {
  // `f` is "failed" in the report's JSON; for a reader it means the item could not be measured.
  const statusWord: Record<string, string> = { o: 'ok', w: 'warnings', n: 'not-applicable', f: 'not-measured', x: 'absent', r: 'refused' };
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
