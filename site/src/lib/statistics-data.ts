/**
 * The tables behind the statistics page's plots, one per plot, each also published as CSV
 * (`/statistics/<name>.csv`): the ranked headline values, reported vs FSC resolution, average
 * Q-score vs resolution (ours over the ~10,000 EMDB entries of MapQ's table), and each level's
 * share of passing items. From the archive index rows only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Papa from 'papaparse';
import { ITEM_SPECS, type Level } from '../../../analyzers/report/schema.ts';
import { LEVELS } from '../../../analyzers/report/item-spec.ts';
import { KEY_VALUES, STATUS_CODE, type IndexRow } from './archive-index.ts';
import { bandLabel, bandOf, RANKED_COLUMNS, rankedValue } from './archive-statistics.ts';

/** A table: header and rows, as its CSV has them. */
export interface Table {
  header: string[];
  rows: (string | number | null)[][];
}

/** The plots' tables by CSV name. */
export const TABLE_NAMES = ['headline-values', 'resolution', 'qscore', 'scores'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const published = (rows: readonly IndexRow[]) => rows.filter((r) => !r[7].startsWith(STATUS_CODE.refused));

function keyIndex(column: string): number {
  const k = KEY_VALUES.findIndex((v) => v.column === column);
  if (k < 0) throw new Error(`no headline column ${column} in the catalog`);
  return 9 + k;
}

/** Every published entry's ranked values, with its reported resolution and band. */
export function headlineTable(rows: readonly IndexRow[]): Table {
  return {
    header: ['id', 'resolution_A', 'band', ...RANKED_COLUMNS.map((c) => c.column)],
    rows: published(rows).map((r) => {
      const b = bandOf(r[2]);
      return [r[0], r[2], b === null ? '' : bandLabel(b), ...RANKED_COLUMNS.map((c) => rankedValue(r, c))];
    }),
  };
}

/** Reported resolution and 1.a's FSC resolution (unmasked, 0.143) of the entries that have both. */
export function resolutionTable(rows: readonly IndexRow[]): Table {
  const k = keyIndex('fsc0143');
  return {
    header: ['id', 'reported_resolution_A', 'fsc0143_A'],
    rows: published(rows).filter((r) => r[2] !== null && typeof r[k] === 'number').map((r) => [r[0], r[2], r[k] as number]),
  };
}

/** MapQ's EMDB table as shipped with the analyzer (analyzers/data/emdb-qscores.csv.gz): [resolution, q] pairs. */
export function emdbQScores(): [number, number][] {
  const root = process.env.EMVR_PROJECT_ROOT ?? process.cwd();
  const file = path.join(root, 'analyzers', 'data', 'emdb-qscores.csv.gz');
  if (!fs.existsSync(file)) return [];
  const lines = gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').slice(1);
  const out: [number, number][] = [];
  for (const line of lines) {
    const [, r, q] = line.split(',');
    const res = Number(r), score = Number(q);
    if (r !== '' && q !== '' && Number.isFinite(res) && Number.isFinite(score)) out.push([res, score]);
  }
  return out;
}

/** Average Q-score (A.e) against reported resolution: this archive's entries, then MapQ's EMDB entries. */
export function qscoreTable(rows: readonly IndexRow[], emdb: readonly [number, number][]): Table {
  const k = keyIndex('averageQ');
  const ours = published(rows).filter((r) => r[2] !== null && typeof r[k] === 'number').map((r) => [r[0], 'this archive', r[2], r[k] as number]);
  return { header: ['id', 'population', 'resolution_A', 'average_q'], rows: [...ours, ...emdb.map(([res, q]) => ['', 'EMDB (MapQ table)', res, q])] };
}

/** Per entry and level: items OK, items measured (OK or with warnings), and the share OK. */
export function scoresTable(rows: readonly IndexRow[]): Table {
  const levelOf = ITEM_SPECS.map((s) => s.level as Level);
  const out: Table['rows'] = [];
  for (const r of published(rows)) {
    for (const level of LEVELS) {
      let ok = 0, measured = 0;
      for (let i = 0; i < levelOf.length; i++) {
        if (levelOf[i] !== level) continue;
        const c = r[7][i];
        if (c === STATUS_CODE.ok) ok++;
        if (c === STATUS_CODE.ok || c === STATUS_CODE.warnings) measured++;
      }
      if (measured > 0) out.push([r[0], level, ok, measured, ok / measured]);
    }
  }
  return { header: ['id', 'level', 'items_ok', 'items_measured', 'share_ok'], rows: out };
}

const tablesOfRows = new WeakMap<readonly IndexRow[], Record<TableName, Table>>();

/** All four tables, made once per rows array (the page and each of its CSV routes ask for them). */
export function statisticsTables(rows: readonly IndexRow[]): Record<TableName, Table> {
  let tables = tablesOfRows.get(rows);
  if (!tables) tablesOfRows.set(rows, (tables = { 'headline-values': headlineTable(rows), resolution: resolutionTable(rows), qscore: qscoreTable(rows, emdbQScores()), scores: scoresTable(rows) }));
  return tables;
}

/** A table as CSV (formulae in text neutralised, as all.csv). */
export function tableCsv(t: Table): string {
  return Papa.unparse({ fields: t.header, data: t.rows.map((r) => r.map((v) => v ?? '')) }, { escapeFormulae: true, newline: '\n' });
}
