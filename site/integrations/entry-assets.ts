/**
 * Astro integration: puts each entry's downloads next to its page, `<out>/<group>/<id>/`: report.json (byte for byte), the figures and data files (maps/*.mrc.gz; maps/*.mrc in reports older than issue 22) the report
 * references (hard links when the content folder is on the same file system, copies otherwise)
 * and one CSV per table
 * (papaparse; header = column label with unit; raw numbers, not the rounded page text).
 * Staged by a worker thread while Astro renders, then moved in, so `npx astro build` alone gives
 * a complete site and the file work overlaps the rendering.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import Papa from 'papaparse';
import { EntryId, reportFigures, reportItems, type ItemId, type Report, type Table } from '../../analyzers/report/schema.ts';
import { Worker } from 'node:worker_threads';
import { entriesToRender, entryDir, listEntryIds, tryReadRefusal, tryReadReport } from '../src/lib/content.ts';
import { entryFolder, fanOut, type FanOut } from '../src/lib/entry-path.ts';
import { REPORT_FILE, tableCsvFile } from '../src/lib/downloads.ts';
import { viewerFiles } from '../src/lib/viewer-config.ts';
import { FORMULA_FOLDER, usedFormulaFiles } from '../src/lib/rehype-math-images.ts';
import { refusalSearchRecord, searchRecord, type SearchRecord } from '../src/lib/search-record.ts';
import { indexRow, refusalRow, type IndexRow } from '../src/lib/archive-index.ts';

/** Entries handled at once: enough to keep the disk busy, few enough to bound open files. */
const CONCURRENCY = 16;

/** Missing files are reported one by one up to this many, then only counted. */
const MAX_MISSING_REPORTED = 10;
let missing = 0;

function reportMissing(id: string, what: string, rel: string, err: unknown): void {
  missing++;
  // A missing file breaks one image or link, not the build: say which.
  if (missing <= MAX_MISSING_REPORTED) process.stderr.write(`emvr site: ${id}: ${what} ${rel} not found (${(err as Error).message})\n`);
  if (missing === MAX_MISSING_REPORTED + 1) process.stderr.write('emvr site: more files are missing; only their number is reported below\n');
}

/** A table as CSV text: one header line (label and unit), then the raw rows. */
export function tableCsv(t: Table): string {
  const fields = t.columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label));
  return `${Papa.unparse({ fields, data: t.rows }, { escapeFormulae: true, newline: '\n' })}\n`;
}

/**
 * Hard-links `from` to `to` (the output folder is fresh, so usually in one system call); replaces
 * an existing `to`; copies when a link is impossible (another file system, no permission).
 */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      await fs.rm(to, { force: true });
      return linkOrCopy(from, to);
    }
    if (code === 'ENOENT') throw err;
    await fs.copyFile(from, to);
  }
}

/** Writes the downloads of one entry into `outEntry`; returns the number of files written. */
export async function writeEntryAssets(report: Report, srcEntry: string, outEntry: string): Promise<number> {
  const id = report.entry.id;
  let n = 0;
  await fs.mkdir(path.join(outEntry, 'figures'), { recursive: true });
  await linkOrCopy(path.join(srcEntry, 'report.json'), path.join(outEntry, REPORT_FILE));
  n++;
  const figures = reportFigures(report);
  /** Links the entry's files `rels` (in `folder`, made when there is any) into the site; a missing one is reported, not fatal. */
  const place = async (rels: Iterable<string>, folder: string, what: string) => {
    const list = [...rels];
    if (list.length > 0) await fs.mkdir(path.join(outEntry, folder), { recursive: true });
    for (const rel of list) {
      try {
        await linkOrCopy(path.join(srcEntry, rel), path.join(outEntry, rel));
        n++;
      } catch (err) {
        reportMissing(id, what, rel, err);
      }
    }
  };
  await place(new Set(figures.flatMap((f) => (f.svg ? [f.file, f.svg] : [f.file]))), 'figures', 'figure');
  // Maps an item offers for download (maps/*.mrc.gz, or *.mrc in older reports; names checked by the schema).
  await place(reportItems(report).flatMap((it) => it.files.map((d) => d.file)), 'maps', 'data file');
  // The 3-D viewer's files (viewer/*.gz; names checked by the schema).
  await place(viewerFiles(report), 'viewer', 'viewer file');
  const tables = reportItems(report).flatMap((it) => it.tables.map((t) => ({ item: it.id as ItemId, t })));
  if (tables.length > 0) await fs.mkdir(path.join(outEntry, 'tables'), { recursive: true });
  for (const { item, t } of tables) {
    await fs.writeFile(path.join(outEntry, tableCsvFile(id, item, t.id)), tableCsv(t));
    n++;
  }
  return n;
}

/** The fan-out of this build, from `EMVR_MAX_DIR_FILES` (as astro.config.mjs reads it). */
export function fanOutFromEnv(): FanOut {
  const v = process.env.EMVR_MAX_DIR_FILES;
  return fanOut(v ? Number(v) : undefined);
}

/** One rendered entry as the build manifest keeps it: its search record and its archive index row. */
export interface BuiltEntry {
  record: SearchRecord;
  row: IndexRow;
}

/** What the staging worker did, and the search records and index rows of the entries it staged. */
export interface StagedAssets {
  entries: number;
  files: number;
  missing: number;
  records: BuiltEntry[];
}

/** Where the worker stages the downloads while Astro renders: beside the output folder. */
export function stagingDir(outDir: string): string {
  return `${outDir.replace(/[\\/]+$/u, '')}.assets`;
}

/**
 * Writes the downloads of every valid report this build renders (all, or an incremental build's
 * changed ones) under `stage/<id>/` (reports that fail the schema are skipped, as the pages skip them). Returns the counts. Run in a worker thread by the integration.
 */
export async function stageAllEntryAssets(stage: string): Promise<StagedAssets> {
  const ids = entriesToRender(listEntryIds());
  const f = fanOutFromEnv();
  const records: BuiltEntry[] = [];
  let files = 0;
  let entries = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      // A refused entry has a page, a row and a search record, but no assets to copy.
      const refused = tryReadRefusal(id);
      if (!refused.ok) continue;
      if (refused.refusal) {
        records.push({ record: refusalSearchRecord(refused.refusal, f), row: refusalRow(refused.refusal) });
        entries++;
        continue;
      }
      const r = tryReadReport(id);
      if (!r.ok) continue;
      records.push({ record: searchRecord(r.report, f), row: indexRow(r.report) });
      const written = await writeEntryAssets(r.report, entryDir(id), path.join(stage, id));
      files += written;
      entries++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  records.sort((a, b) => (a.record.url < b.record.url ? -1 : a.record.url > b.record.url ? 1 : 0));
  return { entries, files, missing, records };
}

/** Moves the staged downloads of `id` into its page folder (a few renames; same file system). */
async function moveStaged(stage: string, out: string, id: string, f: FanOut): Promise<void> {
  const from = path.join(stage, id);
  let names: string[];
  try {
    names = await fs.readdir(from);
  } catch {
    return;
  }
  for (const name of names) {
    const to = path.join(out, entryFolder(id, f), name);
    try {
      await fs.rename(path.join(from, name), to);
    } catch {
      // Only when the page folder already has this name (not after Astro emptied the output).
      await fs.rm(to, { recursive: true, force: true });
      await fs.rename(path.join(from, name), to);
    }
  }
}

/**
 * Copies the typeset formulas the pages use from the formula cache to `to` (the cache also keeps
 * formulas of method texts since edited). Should no formula have been typeset in this process
 * (the method texts compiled elsewhere), the whole cache is copied, as before.
 */
async function copyFormulas(from: string, to: string): Promise<void> {
  const used = usedFormulaFiles();
  if (used.size === 0) {
    await fs.cp(from, to, { recursive: true, force: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    return;
  }
  await fs.mkdir(to, { recursive: true });
  for (const name of [...used].sort()) await fs.copyFile(path.join(from, name), path.join(to, name));
}

/**
 * The integration. At build start a worker thread begins staging every entry's downloads (it runs
 * on the second core while Astro renders the pages on the first); when the pages are written, the
 * staged folders are moved into each `/<id>/` page folder, the typeset formulas the pages use
 * (from `formulaDir`, written by rehype-math-images) are copied to `<out>/_formulas/`, and the search records and index
 * rows of the built entries are written to `EMVR_SEARCH_RECORDS` (default `<out>.search-records.json`).
 */
export function entryAssets(opts: { formulaDir: string }): AstroIntegration {
  let outDir = '';
  let staging: Promise<StagedAssets> | null = null;
  let t0 = 0;
  return {
    name: 'emvr-entry-assets',
    hooks: {
      'astro:config:done': ({ config }) => {
        outDir = fileURLToPath(config.outDir);
      },
      'astro:build:start': async () => {
        const stage = stagingDir(outDir);
        await fs.rm(stage, { recursive: true, force: true });
        t0 = performance.now();
        staging = new Promise((resolve, reject) => {
          const w = new Worker(new URL('./entry-assets-worker.ts', import.meta.url), { workerData: { stage }, env: process.env });
          w.once('message', (m: StagedAssets | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`entry-assets worker exited with code ${code}`));
          });
        });
        // Keep an early failure from being an unhandled rejection before build:done awaits it.
        staging.catch(() => undefined);
      },
      'astro:build:done': async ({ dir, pages, logger }) => {
        const out = fileURLToPath(dir);
        const stage = stagingDir(outDir || out);
        await copyFormulas(opts.formulaDir, path.join(out, FORMULA_FOLDER));
        const counts = await (staging ?? stageAllEntryAssets(stage));
        const staged = ((performance.now() - t0) / 1000).toFixed(1);
        const ids = pages.map((p) => p.pathname.replace(/\/+$/u, '').split('/').pop() ?? '').filter((s) => EntryId.safeParse(s).success);
        const t1 = performance.now();
        const f = fanOutFromEnv();
        for (const id of ids) await moveStaged(stage, out, id, f);
        await fs.rm(stage, { recursive: true, force: true });
        // The search step (scripts/site/pagefind-index.ts) indexes these records of the built entries.
        const built = new Set(ids.map((id) => `/${entryFolder(id, f)}/`));
        const recordsFile = process.env.EMVR_SEARCH_RECORDS ?? `${out.replace(/[\\/]+$/u, '')}.search-records.json`;
        await fs.writeFile(recordsFile, JSON.stringify(counts.records.filter((r) => built.has(r.record.url))));
        logger.info(`entry downloads: ${counts.entries} entries, ${counts.files} files staged (${staged} s after build start), moved into ${ids.length} page folders in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
        if (counts.missing > 0) logger.warn(`${counts.missing} figure or data files referenced by reports were missing`);
      },
    },
  };
}
