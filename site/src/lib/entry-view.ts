/**
 * Turns one parsed report into what the entry page shows: numbered figure groups and tables,
 * formatted values, status labels, warnings grouped by section, section numbers. Pages and
 * components only render these fields (no arithmetic in .astro files). Everything is derived
 * generically from the report, so a new item or value needs no change here.
 */
import { itemSpec, LEVELS, reportFigures, reportItems, type AnyItem, type Figure, type ItemId, type Level, type Report, type Table } from '../../../analyzers/report/schema.ts';
import { formatQuantity } from '../../../analyzers/report/format-number.ts';
import type { ResultRow } from '../../../analyzers/report/item-spec.ts';
import { resultLines, type ResultLine } from '../../../analyzers/report/result-list.ts';
import { tableCsvFile } from './downloads.ts';
import { formatBytes, formatCell, formatNumber, formatValue, formatVec3, labelForKey, quantityOfUnit, statusLabel, type StatusLabel } from './format.ts';

/** One picture inside a figure group. `src` is relative to the entry folder (as in the report). */
export interface FigureView {
  id: string;
  src: string;
  /** PNG version when the page shows the SVG. */
  png: string;
  width: number;
  height: number;
  /** "(a)", "(b)"… when the group has more than one picture. */
  letter: string | null;
  label: string | null;
  alt: string;
}

/** Pictures shown side by side under one caption: "Figure 3: …". */
export interface FigureGroupView {
  number: number;
  anchor: string;
  caption: string;
  figures: FigureView[];
  /** A single wide picture (a plot): shown alone, up to 40rem wide. */
  wide: boolean;
  /** Several landscape pictures (isosurface views): they share the full text width. */
  landscape: boolean;
  /** A single picture that is not wide: shown alone, up to 28rem wide. */
  single: boolean;
}

/** One row of the values list. */
export interface ValueRow {
  key: string;
  label: string;
  text: string;
}

/** A table ready to print: header texts, cell texts, which columns are numeric (right-aligned). */
export interface TableView {
  id: string;
  number: number;
  anchor: string;
  caption: string;
  headers: string[];
  numeric: boolean[];
  rows: string[][];
  /** Download file relative to the entry folder. */
  csv: string;
  /** Number of data rows in the report. */
  rowCount: number;
  /** Long tables are not inlined (`rows` is empty): the page links their CSV. */
  long: boolean;
}

/** One report item as its section shows it. */
/** A volume offered for download; `format` tells a gzipped MRC (since issue 22) from an old report's plain one. */
export interface DataFileView {
  caption: string;
  file: string;
  size: string;
  format: 'MRC, gzip' | 'MRC';
}

export interface ItemView {
  id: ItemId;
  anchor: string;
  section: string;
  title: string;
  label: StatusLabel;
  reason: string | null;
  explanation: string;
  criteria: string;
  results: string[];
  /** The curated result list of the item's spec (page and PDF). */
  resultList: ResultLine[];
  /** Diagnostics of the spec's `details`, folded on the page, left out of the PDF. */
  detailList: ResultLine[];
  tables: TableView[];
  figureGroups: FigureGroupView[];
  /** Percentile bars of the item's spec (e.g. A.e's Q_relative), when measured. */
  bars: PercentileBarView[];
  warnings: AnyItem['warnings'];
  /** Volumes the item offers for download (path relative to the entry folder). */
  files: DataFileView[];
  /** Whether the item produced results (ok or warnings): formulas and criteria apply. */
  measured: boolean;
  /** "0.18 s, peak 325 MB", or null when the report keeps no timings (the nightly ledger has them). */
  timing: string | null;
}

/** A percentile (0–100) drawn as a bar with a marker, wwPDB style. */
export interface PercentileBarView {
  label: string;
  /** Clamped to [0, 100]. */
  percentile: number;
  text: string;
  population: string;
}

/** The percentile bars an item's spec declares, for a measured item. */
export function percentileBars(it: AnyItem): PercentileBarView[] {
  const bars = itemSpec(it.id as ItemId).percentileBars as readonly { label: string; pick: (v: never) => { percentile: number; population: string } | null }[] | undefined;
  if (!bars || !(it.status === 'ok' || it.status === 'warnings') || !it.values) return [];
  return bars.flatMap((b) => {
    const p = b.pick(it.values as never);
    if (!p || !Number.isFinite(p.percentile)) return [];
    const percentile = Math.min(100, Math.max(0, p.percentile));
    return [{ label: b.label, percentile, text: formatQuantity(p.percentile, 'percent'), population: p.population }];
  });
}

/** One level's section: "2 Level 0 analysis (the map)". */
export interface LevelView {
  level: Level;
  number: number;
  anchor: string;
  title: string;
  items: ItemView[];
}

const LEVEL_TITLES: Record<Level, string> = {
  '0': 'Level 0 analysis (the map)',
  '1': 'Level 1 analysis (the half maps)',
  A: 'Level A analysis (the atomic model)',
};

/** Everything the entry page shows, in page order; built by `entryView`. */
export interface EntryView {
  id: string;
  title: string;
  report: Report;
  score: { passing: number; evaluable: number; text: string };
  summaryRows: { id: ItemId; title: string; anchor: string; section: string; label: StatusLabel }[];
  warningGroups: { id: ItemId; title: string; anchor: string; section: string; warnings: AnyItem['warnings'] }[];
  warningCount: number;
  /** Items that ran and could not measure, with the reason: a finding the score leaves out. */
  notMeasured: { id: ItemId; title: string; anchor: string; section: string; reason: string }[];
  header: ValueRow[];
  input: { rows: ValueRow[]; notes: string[]; warnings: { text: string; code: string }[]; figureGroups: FigureGroupView[]; halfMapFigureGroups: FigureGroupView[] };
  items: ItemView[];
  /** The report's levels in page order, each a numbered section holding its items. */
  levels: LevelView[];
  /** "Level 0" or "Levels 0, 1 and A": what the report covers. */
  levelsText: string;
  resolutionEstimates: ValueRow[];
  /** Closing paragraph on resolution (sentences; empty when no estimate was made). */
  resolutionSummary: string[];
  provenance: ValueRow[];
  /** Time and memory per item (items without timings left out; empty when the report has none). */
  timings: { item: string; seconds: string; peakRssMB: string }[];
  figureFiles: string[];
  csvFiles: { caption: string; file: string }[];
  dataFiles: DataFileView[];
}

/**
 * Tables longer than this are offered as CSV only (the reference report prints none of them; on
 * 50 000 pages their cells would be the bulk of the HTML).
 */
const LONG_TABLE_ROWS = 30;

/** Page anchor of an item section: "item-0a". */
export function itemAnchor(id: ItemId): string {
  return `item-${id.replace('.', '')}`;
}

/** The levels a report carries items of, in catalog order. */
function levelsOf(items: readonly AnyItem[]): Level[] {
  return LEVELS.filter((l: Level) => items.some((it) => itemSpec(it.id as ItemId).level === l));
}

const MRC_MODES: Record<number, string> = { 0: 'int8', 1: 'int16', 2: 'float32', 6: 'uint16', 12: 'float16' };

/** Builds the view of a report. Figure and table numbers run through the page in reading order. */
export function entryView(r: Report): EntryView {
  const counters = { figure: 0, table: 0 };
  const id = r.entry.id;
  const title = r.entry.title ?? '(untitled entry)';
  // Input figures come first on the page, so they take the first numbers.
  const inputGroups = groupFigures(r.inputs.map.figures, counters);
  const halfMapGroups = groupFigures(r.inputs.halfMapFigures ?? [], counters);

  function itemView(it: AnyItem, section: string): ItemView {
    const k = it.id as ItemId;
    return {
      id: k,
      anchor: itemAnchor(k),
      section,
      title: it.title,
      label: statusLabel(it.status, it.warnings.length, it.evaluable),
      reason: it.reason ?? null,
      explanation: it.explanation,
      criteria: it.criteria,
      results: it.results,
      ...curatedLists(it),
      tables: it.tables.map((t) => tableView(id, k, t, ++counters.table)),
      figureGroups: groupFigures(it.figures, counters),
      bars: percentileBars(it),
      warnings: it.warnings,
      files: it.files.map((d) => ({ caption: d.caption, file: d.file, size: formatBytes(d.bytes), format: d.file.endsWith('.gz') ? 'MRC, gzip' : 'MRC' })),
      measured: it.status === 'ok' || it.status === 'warnings',
      timing: it.timing ? `${formatQuantity(it.timing.seconds, 'real', 's')}, peak ${formatQuantity(Math.round(it.timing.peakRssMB), 'count', 'MB')}` : null,
    };
  }
  // Section numbers as in the reference report: input data is 1, then one section per level the
  // report carries (Level 0 is 2, the next level present 3, …), item k of a level being n.(k+1).
  const present = reportItems(r);
  const presentLevels = levelsOf(present);
  const levels: LevelView[] = presentLevels.map((level, n) => ({
    level,
    number: n + 2,
    anchor: `level-${level.toLowerCase()}`,
    title: LEVEL_TITLES[level],
    items: present.filter((it) => itemSpec(it.id as ItemId).level === level).map((it, k) => itemView(it, `${n + 2}.${k + 1}`)),
  }));
  const items = levels.flatMap((l) => l.items);

  const levelsText = presentLevels.length === 1 ? `Level ${presentLevels[0]}` : `Levels ${presentLevels.slice(0, -1).join(', ')} and ${presentLevels.at(-1)}`;
  const summaryRows = items.map((i) => ({ id: i.id, title: i.title, anchor: i.anchor, section: i.section, label: i.label }));
  const warningGroups = items.filter((i) => i.warnings.length > 0).map((i) => ({ id: i.id, title: i.title, anchor: i.anchor, section: i.section, warnings: i.warnings }));
  const notMeasured = items.filter((i) => i.label.status === 'failed').map((i) => ({ id: i.id, title: i.title, anchor: i.anchor, section: i.section, reason: i.reason ?? '' }));

  const e = r.entry;
  const vs = r.inputs.map.voxelSize;
  const isotropic = vs[0] === vs[1] && vs[1] === vs[2];
  const header: ValueRow[] = [
    { key: 'authors', label: 'Authors', text: e.authors.length > 0 ? e.authors.join(', ') : 'not given' },
    { key: 'depositionDate', label: 'Deposited', text: e.depositionDate ?? 'not given' },
    { key: 'releaseDate', label: 'Released', text: e.releaseDate ?? 'not given' },
    { key: 'resolution', label: 'Reported resolution', text: e.resolution === null ? 'not reported' : formatQuantity(e.resolution, 'length') },
    { key: 'voxelSize', label: 'Voxel size', text: isotropic ? `${formatNumber(vs[0])} Å` : `${formatVec3(vs)} Å` },
    { key: 'threshold', label: 'Contour level (threshold)', text: formatNumber(e.threshold) },
    { key: 'method', label: 'Method', text: e.method ?? 'not given' },
    ...(e.symmetry ? [{ key: 'symmetry', label: 'Applied symmetry', text: e.symmetry }] : []),
    ...(e.molecularWeightMDa ? [{ key: 'molecularWeight', label: 'Sample molecular weight', text: `${formatNumber(e.molecularWeightMDa * 1000)} kDa` }] : []),
  ];

  const inp = r.inputs.map;
  const inputRows: ValueRow[] = [
    // Files, sources and hashes are in the input-files table (lib/input-sources.ts); their sizes here.
    { key: 'bytes', label: 'File size', text: [formatBytes(inp.bytes), ...(r.inputs.halfMaps ?? []).map((h, k) => `half map ${k + 1} ${formatBytes(h.bytes)}`), ...(r.inputs.model ? [`model ${formatBytes(r.inputs.model.bytes)}`] : [])].join(', ') },
    { key: 'dims', label: 'Box', text: `${inp.dims.join(' × ')} voxels` },
    { key: 'voxelSize', label: 'Voxel size', text: isotropic ? `${formatNumber(vs[0])} Å` : `${formatVec3(vs)} Å` },
    { key: 'origin', label: 'Origin', text: `(${formatVec3(inp.origin)}) Å` },
    { key: 'mode', label: 'Data type (MRC mode)', text: `${inp.mode}${MRC_MODES[inp.mode] ? ` (${MRC_MODES[inp.mode]})` : ''}` },
    { key: 'stats', label: 'Min / max / mean / std', text: [inp.stats.min, inp.stats.max, inp.stats.mean, inp.stats.std].map(formatNumber).join(' / ') },
    { key: 'nanCount', label: 'NaN voxels', text: formatQuantity(inp.nanCount, 'count') },
    { key: 'threshold', label: 'Visualisation threshold', text: formatNumber(e.threshold) },
    { key: 'resolution', label: 'Resolution estimated by the authors', text: e.resolution === null ? 'not reported' : formatQuantity(e.resolution, 'length') },
  ];

  const figureFiles = [...new Set(reportFigures(r).flatMap((f) => (f.svg ? [f.file, f.svg] : [f.file])))];
  const csvFiles = items.flatMap((i) => i.tables.map((t) => ({ caption: `${i.id} ${t.caption}`, file: t.csv })));

  const p = r.provenance;
  const provenance: ValueRow[] = [
    { key: 'analyzer', label: 'Analyzer', text: `${p.analyzer.name} ${p.analyzer.version}` },
    { key: 'schemaVersion', label: 'Report schema version', text: String(r.schemaVersion) },
    ...Object.entries(p.parameters).map(([k, v]) => ({ key: `parameters.${k}`, label: PARAMETER_LABELS[k] ?? `Parameter: ${labelForKey(k).toLowerCase()}`, text: formatValue(v) })),
    { key: 'runtime', label: 'Runtime', text: `Node ${p.runtime.node} on ${p.runtime.platform}` },
    ...(p.totalSeconds === null ? [] : [{ key: 'totalSeconds', label: 'Total time', text: formatQuantity(p.totalSeconds, 'real', 's') }]),
    ...(p.peakRssMB === null ? [] : [{ key: 'peakRssMB', label: 'Peak memory', text: formatQuantity(Math.round(p.peakRssMB), 'count', 'MB') }]),
    { key: 'sha256', label: 'Input SHA-256', text: inp.sha256 },
  ];

  return {
    id,
    title,
    report: r,
    score: { passing: r.score.passing, evaluable: r.score.evaluable, text: `${r.score.passing} of ${r.score.evaluable}` },
    summaryRows,
    warningGroups,
    warningCount: warningGroups.reduce((n, g) => n + g.warnings.length, 0),
    notMeasured,
    header,
    input: { rows: inputRows, notes: inp.notes.map((n) => `${n.message} (${n.code})`), warnings: (r.inputs.warnings ?? []).map((w) => ({ text: w.message, code: w.code })), figureGroups: inputGroups, halfMapFigureGroups: halfMapGroups },
    items,
    levels,
    levelsText,
    resolutionEstimates: r.resolutionEstimates.map((x, i) => ({ key: `estimate-${i}`, label: `${x.item} ${x.method}`, text: formatQuantity(x.value, 'length') })),
    resolutionSummary: r.resolutionSummary,
    provenance,
    timings: present.flatMap((it) => {
      const t = it.timing;
      return t ? [{ item: it.title, seconds: formatQuantity(t.seconds, 'real', ''), peakRssMB: formatQuantity(Math.round(t.peakRssMB), 'count') }] : [];
    }),
    figureFiles,
    csvFiles,
    dataFiles: items.flatMap((i) => i.files.map((f) => ({ ...f, caption: `${i.id} ${f.caption}` }))),
  };
}

/**
 * Consecutive figures sharing `group` become one group with letters (a), (b)…; a figure without a
 * group stands alone. The page shows the SVG of a plot when there is one (sharp at any zoom).
 */
export function groupFigures(figures: readonly Figure[], counters: { figure: number }): FigureGroupView[] {
  const groups: FigureGroupView[] = [];
  let current: { key: string; list: Figure[] } | null = null;
  const flush = () => {
    if (!current) return;
    const list = current.list;
    const n = ++counters.figure;
    groups.push({
      number: n,
      anchor: `figure-${n}`,
      caption: list[0].caption,
      wide: list.length === 1 && list[0].width > 1.3 * list[0].height,
      landscape: list.length > 1 && list.every((f) => f.width > 1.3 * f.height),
      single: list.length === 1 && !(list[0].width > 1.3 * list[0].height),
      figures: list.map((f, i) => ({
        id: f.id,
        src: f.svg ?? f.file,
        png: f.file,
        width: f.width,
        height: f.height,
        letter: list.length > 1 ? `(${String.fromCharCode(97 + (i % 26))})` : null,
        label: f.label ?? null,
        alt: f.label ? `${f.caption} ${f.label}` : f.caption,
      })),
    });
    current = null;
  };
  for (const f of figures) {
    if (current && f.group !== undefined && f.group === current.key) {
      current.list.push(f);
      continue;
    }
    flush();
    current = { key: f.group ?? `\u0000${f.id}`, list: [f] };
  }
  flush();
  return groups;
}

/**
 * The curated result list and the folded details of a measured item, as its spec's `display`
 * defines them (a not-applicable or failed item has no values to show).
 */
export function curatedLists(it: AnyItem): { resultList: ResultLine[]; detailList: ResultLine[] } {
  if (!(it.status === 'ok' || it.status === 'warnings') || !it.values) return { resultList: [], detailList: [] };
  const display = itemSpec(it.id as ItemId).display as { results: readonly ResultRow<unknown>[]; details: readonly ResultRow<unknown>[] };
  return { resultList: resultLines(display.results, it.values), detailList: resultLines(display.details, it.values) };
}

/** Readers' names of the analysis parameters in the provenance (other keys are split from camelCase). */
const PARAMETER_LABELS: Record<string, string> = {
  threshold: 'Contour level used',
  resolution: 'Resolution used',
  hardMaskDilations: 'Hard-mask dilation (voxels)',
  softMaskSigmaPx: 'Soft-mask edge width σ (voxels)',
  vrsCompat: 'VRS-compatible mode',
};

function tableView(entryId: string, item: ItemId, t: Table, number: number): TableView {
  const numeric = t.columns.map((_, c) => t.rows.length > 0 && t.rows.every((row) => row[c] === null || typeof row[c] === 'number'));
  const long = t.rows.length > LONG_TABLE_ROWS;
  return {
    id: t.id,
    number,
    anchor: `table-${number}`,
    caption: t.caption,
    headers: t.columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label)),
    numeric,
    rows: long ? [] : t.rows.map((row) => t.columns.map((col, c) => formatCell(row[c] ?? null, quantityOfUnit(col.unit)))),
    csv: tableCsvFile(entryId, item, t.id),
    rowCount: t.rows.length,
    long,
  };
}
