/**
 * Archive percentiles on 420 entries with known values (seeded, with ties, missing values,
 * entries without a reported resolution and refused entries): every percentile an entry page
 * shows (its glance.json as the build writes it, drawn by the page's renderer) and every one of
 * /index.json equals a rank the test counts directly (analyzers/methods/q-relative.ts
 * `percentileOf`, a linear count, on populations the test gathers itself). Also: A.e shows the
 * report's Q_relative below 1,000 entries with a model and its own rank from there; adding entries
 * rewrites glance.json files, nothing else, and only those whose bytes change.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentileOf } from '../../analyzers/methods/q-relative.ts';
import { ITEM_IDS } from '../../analyzers/report/schema.ts';
import { KEY_VALUES, type IndexRow } from '../../site/src/lib/archive-index.ts';
import { archiveStatistics, entryGlance, percentileColumns, RANKED_COLUMNS, RESOLUTION_BAND_EDGES, type Glance } from '../../site/src/lib/archive-statistics.ts';
import { glanceHtml, shownPercentile, type OwnPercentiles } from '../../site/src/lib/glance-view.ts';
import { GLANCE_FILE, writeGlanceFiles } from './glance-files.ts';

const N = 420;

/** Park–Miller: a seeded stream in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/**
 * Entry `i`: resolution on a 0.1 Å grid (ties), none for every 17th; each key value rounded to
 * two decimals (more ties) and absent for every 7th-plus-key; every 50th entry refused;
 * averageQ present in the first `withQ` entries only.
 */
function makeRows(n: number, withQ: number, seed = 7): IndexRow[] {
  const rnd = random(seed);
  const qKey = KEY_VALUES.findIndex((k) => k.column === 'averageQ');
  const rows: IndexRow[] = [];
  for (let i = 0; i < n; i++) {
    const id = `EMD-${20000 + i}`;
    const refused = i % 50 === 49;
    const res = i % 17 === 3 ? null : Math.round(10 * (1.5 + 10 * rnd() ** 2)) / 10;
    const keys = KEY_VALUES.map((_, k) => (refused || (i + k) % 7 === 0 || (k === qKey && i >= withQ) ? null : Math.round(100 * (rnd() * 10 - 2)) / 100 + 0)); // + 0: no −0, which JSON writes as 0
    const status = (refused ? 'r' : 'o').repeat(ITEM_IDS.length);
    rows.push([id, `entry ${i}`, refused ? null : res, '2024-01-01', null, 0, 0, status, ITEM_IDS.map(() => 0), ...keys]);
  }
  return rows;
}

/** The test's own band of a resolution: the number of band edges at or below it. */
function bandByCount(res: number | null): number | null {
  return res === null ? null : RESOLUTION_BAND_EDGES.filter((e) => e <= res).length;
}

/** The population the test gathers itself: values (negated where lower is better) of the published rows, optionally of one band. */
function population(rows: IndexRow[], col: (typeof RANKED_COLUMNS)[number], inBand: number | null): number[] {
  const k = 9 + col.key;
  const flip = col.better === 'lower' ? -1 : 1;
  const pop: number[] = [];
  for (const r of rows) {
    if (r[7].startsWith('r')) continue;
    const raw = r[k] as number | null;
    if (raw === null) continue;
    if (col.ratio && r[2] === null) continue;
    if (inBand !== null && bandByCount(r[2]) !== inBand) continue;
    pop.push(flip * (col.ratio ? raw / (r[2] as number) : raw));
  }
  return pop;
}

const populations = new Map<string, number[]>();

/** Direct rank: `percentileOf` (a linear count) of the value among the population. */
function directRank(rows: IndexRow[], col: (typeof RANKED_COLUMNS)[number], x: number, inBand: number | null): { p: number; n: number } {
  const key = `${rows.length} ${col.column} ${inBand}`;
  if (!populations.has(key)) populations.set(key, population(rows, col, inBand));
  const pop = populations.get(key)!;
  return { p: percentileOf((col.better === 'lower' ? -1 : 1) * x, pop), n: pop.length };
}

/** The percentiles a rendered panel shows, by column: [all, band] as printed. */
function shown(html: string): Map<string, [string | null, string | null]> {
  const out = new Map<string, [string | null, string | null]>();
  for (const m of html.matchAll(/<tr data-column="([^"]+)">(.*?)<\/tr>/gu)) {
    const all = /data-p="all">▲ (\d+)</u.exec(m[2]);
    const band = /data-p="band">◇ (\d+)</u.exec(m[2]);
    out.set(m[1], [all?.[1] ?? null, band?.[1] ?? null]);
  }
  return out;
}

describe('archive percentiles', () => {
  let site = '';
  const rows = makeRows(N, N);
  const folderOf = (id: string) => path.join('g', id);
  const glanceOf = (id: string) => JSON.parse(fs.readFileSync(path.join(site, folderOf(id), GLANCE_FILE), 'utf8')) as Glance;

  beforeAll(async () => {
    site = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-glance-'));
    for (const r of rows) fs.mkdirSync(path.join(site, folderOf(r[0])), { recursive: true });
    await writeGlanceFiles(site, rows, folderOf);
  });
  afterAll(() => fs.rmSync(site, { recursive: true, force: true }));

  it('every percentile an entry page shows is the direct rank, with its population size and band', () => {
    // Mismatches are collected and compared once: thousands of expect() calls cost more than the ranks.
    const bad: string[] = [];
    const same = (what: string, got: unknown, want: unknown) => {
      if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${what}: shown ${JSON.stringify(got)}, direct ${JSON.stringify(want)}`);
    };
    const published = rows.filter((x) => !x[7].startsWith('r')).length;
    let checked = 0;
    for (const r of rows) {
      const file = path.join(site, folderOf(r[0]), GLANCE_FILE);
      if (r[7].startsWith('r')) {
        same(`${r[0]} refused has no glance.json`, fs.existsSync(file), false);
        continue;
      }
      const g = glanceOf(r[0]);
      same(`${r[0]} entries`, g.entries, published);
      const panel = shown(glanceHtml(g));
      const band = bandByCount(r[2]);
      for (const col of RANKED_COLUMNS) {
        const raw = r[9 + col.key] as number | null;
        const value = raw === null || (col.ratio && r[2] === null) ? null : col.ratio ? raw / (r[2] as number) : raw;
        const row = g.rows.find((x) => x.column === col.column);
        const at = `${r[0]} ${col.column}`;
        if (value === null) {
          same(`${at} absent`, row, undefined);
          continue;
        }
        same(`${at} value`, row?.value, value);
        if (!row?.own) continue;
        const all = directRank(rows, col, value, null);
        same(`${at} among all`, row.all, all);
        same(`${at} shown among all`, panel.get(col.column)?.[0], shownPercentile(all.p));
        if (band === null) same(`${at} band`, row.band, null);
        else {
          const inBand = directRank(rows, col, value, band);
          same(`${at} in band`, row.band && { p: row.band.p, n: row.band.n }, inBand);
          same(`${at} shown in band`, panel.get(col.column)?.[1], shownPercentile(inBand.p));
        }
        checked++;
      }
    }
    console.log(`${checked} values of ${N} entries checked (percentile among all and in the band against the direct rank; ${bad.length} mismatches)`);
    expect(bad.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(N * 5);
  });

  it('states the population and the band next to each bar', () => {
    const r = rows.find((x) => x[2] !== null && x[2] >= 3 && x[2] < 3.5 && x[9 + RANKED_COLUMNS[0].key] !== null)!;
    const g = glanceOf(r[0]);
    const html = glanceHtml(g);
    const first = g.rows[0];
    expect(html).toContain(`among all ${first.all!.n.toLocaleString('en-US')} entries with a value`);
    expect(html).toContain(`among the ${first.band!.n.toLocaleString('en-US')} entries at 3–3.5 Å`);
    expect(html).toContain(`Among the ${g.entries} entries published in this archive when this was drawn.`);
  });

  it('prints each value as its item\'s result list does (CC_mask 0.892, not 0.8924)', () => {
    const stats = archiveStatistics(rows);
    const row = [...rows.find((x) => !x[7].startsWith('r') && x[2] !== null)!] as IndexRow;
    const set = (column: string, v: number) => (row[9 + KEY_VALUES.findIndex((k) => k.column === column)] = v);
    set('ccMask', 0.89237);
    set('averageQ', 0.59374);
    set('components95', 3);
    set('maskOverlap', 0.99412);
    set('fsc0143', 3.9721);
    const cells = new Map([...glanceHtml(entryGlance(stats, row)).matchAll(/<tr data-column="([^"]+)">.*?<td[^>]*>([^<]*)<\/td>/gu)].map((m) => [m[1], m[2]]));
    expect(cells.get('ccMask')).toBe('0.892');
    expect(cells.get('averageQ')).toBe('0.594');
    expect(cells.get('components95')).toBe('3');
    expect(cells.get('maskOverlap')).toBe('0.994');
    expect(cells.get('fsc0143')).toBe('3.97 Å');
  });

  it('A.e shows the report\'s Q_relative below 1,000 entries with a model, and its own rank from 1,000', () => {
    const r = rows.find((x) => !x[7].startsWith('r') && x[9 + KEY_VALUES.findIndex((k) => k.column === 'averageQ')] !== null)!;
    const q = glanceOf(r[0]).rows.find((x) => x.column === 'averageQ')!;
    expect(q.own).toBe(false);
    const own: OwnPercentiles = { averageQ: { all: { percentile: 61.25, population: 'Q_relative_all, among 10,188 EMDB entries' }, band: { percentile: 12.5, population: 'Q_relative_resolution, among the 1,004 entries nearest' } } };
    const html = glanceHtml({ entries: 1, rows: [q] }, own);
    expect(shown(html).get('averageQ')).toEqual(['61', '13']);
    expect(html).toContain('among 10,188 EMDB entries');
    // 1,300 entries: ~1,090 with an average Q, so the archive ranks A.e itself.
    const more = makeRows(1300, 1300);
    const stats = archiveStatistics(more);
    const k = RANKED_COLUMNS.findIndex((c) => c.column === 'averageQ');
    expect(stats.columns[k].all.length).toBeGreaterThanOrEqual(1000);
    const e = more.find((x) => x[0] === r[0])!;
    const mine = entryGlance(stats, e).rows.find((x) => x.column === 'averageQ')!;
    expect(mine.own).toBe(true);
    expect(mine.all).toEqual(directRank(more, RANKED_COLUMNS[k], mine.value, null));
  });

  it('/index.json percentiles are the direct ranks to 0.1', () => {
    const stats = archiveStatistics(rows);
    const table = percentileColumns(stats, rows);
    for (let i = 0; i < rows.length; i += 7) {
      const r = rows[i];
      RANKED_COLUMNS.forEach((col, k) => {
        const raw = r[9 + col.key] as number | null;
        const value = raw === null || (col.ratio && r[2] === null) ? null : col.ratio ? raw / (r[2] as number) : raw;
        if (value === null) return expect(table[i][2 * k]).toBeNull();
        expect(table[i][2 * k]).toBe(Math.round(10 * directRank(rows, col, value, null).p) / 10);
        const band = bandByCount(r[2]);
        expect(table[i][2 * k + 1]).toBe(band === null ? null : Math.round(10 * directRank(rows, col, value, band).p) / 10);
      });
    }
  });

  it('adding entries rewrites only the glance.json files whose percentiles moved', async () => {
    const before = new Map(rows.map((r) => [r[0], fs.existsSync(path.join(site, folderOf(r[0]), GLANCE_FILE)) ? fs.readFileSync(path.join(site, folderOf(r[0]), GLANCE_FILE), 'utf8') : null]));
    const again = await writeGlanceFiles(site, rows, folderOf);
    expect(again.written).toBe(0);
    const added = makeRows(N + 3, N + 3).slice(N);
    for (const r of added) fs.mkdirSync(path.join(site, folderOf(r[0])), { recursive: true });
    const grown = [...rows, ...added];
    const s = await writeGlanceFiles(site, grown, folderOf);
    let moved = 0;
    for (const r of rows) {
      const now = fs.existsSync(path.join(site, folderOf(r[0]), GLANCE_FILE)) ? fs.readFileSync(path.join(site, folderOf(r[0]), GLANCE_FILE), 'utf8') : null;
      if (now !== before.get(r[0])) moved++;
    }
    console.log(`3 entries added to ${N}: ${s.written} glance.json written (${moved} moved + 3 new), ${s.unchanged} unchanged, ${(s.seconds * 1000).toFixed(0)} ms`);
    expect(s.written).toBe(moved + 3);
  });
});
