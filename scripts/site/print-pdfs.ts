/**
 * PDF versions of the entry pages: headless Chromium (puppeteer-core) prints each built page with
 * the site's print stylesheet, A4, the entry ID and title in the header and "page n of N" in the
 * footer of every page. PDFs are kept in a cache folder with a manifest; an entry is re-printed only
 * when the sha256 of its report.json, the analyzer version or the site's page sources changed.
 * The printing tab gets the page without scripts, its glance panel drawn, formulas inline
 * (print-page.ts), then its figures as data at 150 dpi (print-images.ts) and SVG plots drawn for
 * print (print-svg.ts); the PDF has no structure tree: a PDF is ~0.6 MB, not ~8 MB. Several tabs print in parallel. Cached PDFs are then linked (or copied) to `<out>/<id>/<id>.pdf`.
 * Printing dates are fixed (pdf-normalize.ts), so a PDF's bytes depend only on its page.
 *
 * Resumable: each PDF is written to a temporary name and renamed (never half-published), then a
 * line with its stamp is appended to a journal (`printed-<slice>.jsonl`); a run killed at any
 * point and started again folds the journals into the manifest and prints only what is missing.
 * A first print of the whole archive can be split into slices (`slice: {index, count}`, e.g. one
 * per Slurm array task, scripts/slurm/print-pdfs.sbatch): a slice prints every count-th entry and
 * only journals; a final run without a slice merges the journals, prints nothing more and places
 * the PDFs in the site.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { EntryId } from '../../analyzers/report/schema.ts';
import { launchChromium } from './browser.ts';
import { normalizePdfDates } from './pdf-normalize.ts';
import { siteFileOf } from './print-formulas.ts';
import { printPage } from './print-page.ts';
import { PRINT_PARAM, PRINT_TEXT_WIDTH_PX, placePrintImages } from './print-images.ts';
import { normaliseBase, startStaticServer, type Variant } from './static-server.ts';
import { escapeHtml } from '../../site/src/lib/format.ts';

/** Name of the manifest in the PDF cache folder: id → what its PDF was printed from. */
export const MANIFEST_FILE = 'manifest.json';

/** What a cached PDF was printed from. */
export interface PdfStamp {
  /** sha256 of report.json as read. */
  report: string;
  analyzer: string;
  /** Hash of the site sources that shape the page (see `siteLayoutHash`). */
  layout: string;
  pages: number;
  bytes: number;
}

/** A journal line: one PDF printed, with what it was printed from. */
interface JournalLine extends PdfStamp {
  id: string;
}

/** Journals of printed PDFs in the cache folder: `printed-all.jsonl`, `printed-<slice>.jsonl`. */
const JOURNAL = /^printed-(?:all|\d+)\.jsonl$/u;

/** The PDF cache manifest (version 1). */
export interface PdfManifest {
  version: 1;
  entries: Record<string, PdfStamp>;
}

/** What to print, from where, to where. */
export interface PrintOptions {
  /** Built site folder. */
  siteDir: string;
  /** URL sub-path the site was built for. */
  base: string;
  /** Content folder (reports are hashed from there). */
  contentDir: string;
  /** Cache folder of PDFs and the manifest. */
  cacheDir: string;
  /** Entry IDs to have PDFs for (normally every entry page of the build). */
  ids: string[];
  /** Parallel tabs (default 3). */
  tabs?: number;
  /** Re-print everything. */
  force?: boolean;
  /**
   * Print only the entries at positions index, index + count, … of the sorted `ids` (a Slurm
   * array task's share); the cache is then only added to (journal), not pruned or placed in the site.
   */
  slice?: { index: number; count: number };
  /** The entry's folder in the site ("12/EMD-12345"; default: the ID itself). */
  folderOf?: (id: string) => string;
  /**
   * sha256 of each entry's report.json as the site build read it (`refusal:…` for a refused
   * entry): an entry whose hash is the cached PDF's is not read again (50,000 reports re-read,
   * hashed and parsed took ~40 s of a nightly). Without it every report is read.
   */
  reportHashes?: ReadonlyMap<string, string>;
  log?: (line: string) => void;
}

/** Counts and speed of one printing run. */
export interface PrintSummary {
  printed: number;
  reused: number;
  pages: number;
  seconds: number;
  /** Printed pages per second of printing (0 when nothing was printed). */
  pagesPerSecond: number;
  failed: { id: string; error: string }[];
}

function sha256(bytes: Uint8Array | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}


/** The printer's own sources (not its tests): a change to how pages are printed re-prints them too. */
const PRINTER_FILES = /^(?:print-(?!.*\.test\.ts$).*\.ts|pdf-normalize\.ts|browser\.ts)$/u;

/**
 * A hash of everything that shapes a printed page: the files under site/src, the Astro config and
 * the printer (PRINTER_FILES in scripts/site). A change there re-prints every PDF; a rebuild with
 * unchanged sources re-prints none.
 */
export function siteLayoutHash(projectRoot: string): string {
  const h = crypto.createHash('sha256');
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const st = fs.statSync(full);
      if (st.isDirectory()) walk(full);
      else {
        h.update(path.relative(projectRoot, full));
        h.update(fs.readFileSync(full));
      }
    }
  };
  walk(path.join(projectRoot, 'site', 'src'));
  h.update(fs.readFileSync(path.join(projectRoot, 'astro.config.mjs')));
  const printer = path.join(projectRoot, 'scripts', 'site');
  for (const name of fs.readdirSync(printer).filter((n) => PRINTER_FILES.test(n)).sort()) {
    h.update(`scripts/site/${name}`);
    h.update(fs.readFileSync(path.join(printer, name)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Reads the manifest of a cache folder (an empty one when absent or unreadable). */
export function readManifest(cacheDir: string): PdfManifest {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(cacheDir, MANIFEST_FILE), 'utf8')) as PdfManifest;
    if (m.version === 1 && m.entries && typeof m.entries === 'object') return m;
  } catch {
    // A missing or damaged manifest only costs a re-print.
  }
  return { version: 1, entries: {} };
}

/**
 * Adds to `m` what the journals of `cacheDir` record (a line cut short by a kill is ignored: its
 * PDF is then printed again). Later lines win.
 */
export function foldJournals(cacheDir: string, m: PdfManifest): string[] {
  const files = fs.readdirSync(cacheDir).filter((n) => JOURNAL.test(n)).sort();
  for (const name of files) {
    for (const line of fs.readFileSync(path.join(cacheDir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        const { id, ...stamp } = JSON.parse(line) as JournalLine;
        if (EntryId.safeParse(id).success) m.entries[id] = stamp;
      } catch {
        // The last line of a killed run may be incomplete.
      }
    }
  }
  return files.map((n) => path.join(cacheDir, n));
}

/** Whether the entry at `position` of the sorted IDs belongs to `slice`. */
export function inSlice(position: number, slice: { index: number; count: number } | undefined): boolean {
  return slice === undefined || position % slice.count === slice.index;
}

async function writeManifest(cacheDir: string, m: PdfManifest): Promise<void> {
  const file = path.join(cacheDir, MANIFEST_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  await fsp.writeFile(tmp, `${JSON.stringify(m, null, 1)}\n`);
  await fsp.rename(tmp, file);
}

/** Number of pages of a PDF written by Chromium (counts its /Type /Page objects). */
export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  return (text.match(/\/Type\s*\/Page(?![a-zA-Z])/gu) ?? []).length;
}

/** Entry and title on the left; on the right the report's analysis date (as VRS prints its "Last update"), from the page's `data-analysed-on`. */
function headerTemplate(id: string, title: string, analysedOn: string): string {
  const text = title.length > 100 ? `${title.slice(0, 97)}…` : title;
  const right = /^\d{4}-\d{2}-\d{2}$/u.test(analysedOn) ? `emvr validation report · analysed ${analysedOn}` : 'emvr validation report';
  return `<div style="font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7.5pt; color: #444; width: 100%; margin: 0 14mm; display: flex; justify-content: space-between; gap: 6mm; white-space: nowrap; overflow: hidden;"><span style="overflow: hidden; text-overflow: ellipsis;"><b>${escapeHtml(id)}</b> · ${escapeHtml(text)}</span><span>${right}</span></div>`;
}

const FOOTER = `<div style="font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7.5pt; color: #444; width: 100%; text-align: center;">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`;

/**
 * A tab lays pages out as they print (print media, the A4 text width): figures are measured at their
 * printed size. The tab's screen is 10 pixels high: headless Chromium still draws its screen while
 * a page loads, and a 1000-pixel screen of figures cost ~10 % of the printing CPU for nothing (the
 * printed layout depends on the width only; the same PDF bytes).
 */
async function preparePrintTab(page: Page): Promise<void> {
  await page.setViewport({ width: PRINT_TEXT_WIDTH_PX, height: 10 });
  await page.emulateMediaType('print');
}

/**
 * Links to files of the site would print as links to the printing server (http://127.0.0.1:<port>/…):
 * useless to a reader, and the random port made two printings of one page differ. They are made
 * plain text; links within the page (the contents, figure references) stay PDF destinations, and
 * links to other sites stay.
 */
function dropLocalLinks(page: Page): Promise<unknown> {
  return page.evaluate(() => {
    interface A {
      href: string;
      removeAttribute(n: string): void;
    }
    const g = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<A> }; location: { origin: string; pathname: string } };
    for (const a of Array.from(g.document.querySelectorAll('a[href]'))) {
      const u = new URL(a.href);
      const samePage = u.origin === g.location.origin && u.pathname === g.location.pathname && u.hash !== '';
      if (u.origin === g.location.origin && !samePage) a.removeAttribute('href');
    }
  });
}

/** What the printing server adds to the site: entry pages as the printing tab gets them (print-page.ts). */
function printingVariant(fileOf: (src: string) => string | null): Variant {
  return async (file, query) => (file.endsWith('.html') && query.get(PRINT_PARAM) === 'page' ? { type: 'text/html; charset=utf-8', body: Buffer.from(printPage(fs.readFileSync(file, 'utf8'), fileOf)) } : null);
}

async function printOne(page: Page, url: string, id: string, outFile: string, fileOf: (src: string) => string | null): Promise<{ pages: number; bytes: number }> {
  // 'load': the stylesheet has laid the page out (the figures are not fetched yet, print-page.ts).
  const res = await page.goto(`${url}?${PRINT_PARAM}=page`, { waitUntil: 'load', timeout: 120_000 });
  if (!res || !res.ok()) throw new Error(`page ${url} answered ${res?.status() ?? 'nothing'}`);
  // Each figure handed to the tab once, at the size it is printed (print-images.ts), and awaited
  // (the test counts the images in the PDF). The "at a glance" panel came drawn from glance.json
  // (print-page.ts): the PDF shows the archive's percentiles as they were when it was printed.
  await placePrintImages(page, fileOf);
  await dropLocalLinks(page);
  const title = await page.$eval('.entry-title', (e) => e.textContent ?? '').catch(() => '');
  const analysedOn = await page.$eval('article.report', (e) => e.getAttribute('data-analysed-on') ?? '').catch(() => '');
  // Fixed dates: the same page prints to the same bytes (pdf-normalize.ts).
  const pdf = normalizePdfDates(await page.pdf({
    format: 'A4',
    printBackground: true,
    displayHeaderFooter: true,
    headerTemplate: headerTemplate(id, title, analysedOn),
    footerTemplate: FOOTER,
    margin: { top: '18mm', bottom: '16mm', left: '14mm', right: '14mm' },
    timeout: 120_000,
    // No structure tree (puppeteer's default is a tagged PDF): it was 28 % of the bytes once the
    // figures were print-sized, and the text stays selectable and searchable without it.
    tagged: false,
  }));
  const tmp = `${outFile}.tmp-${process.pid}`;
  await fsp.writeFile(tmp, pdf);
  await fsp.rename(tmp, outFile);
  return { pages: countPdfPages(pdf), bytes: pdf.byteLength };
}

/**
 * Brings the PDF cache up to date for `ids` (printing only what changed), then places each PDF in
 * the site. PDFs of entries no longer in `ids` are removed from the cache. An entry that fails to
 * print is listed in the summary; the others go on.
 */
export async function printPdfs(o: PrintOptions, projectRoot: string): Promise<PrintSummary> {
  const log = o.log ?? (() => undefined);
  // A refused entry (refusal.json, no report.json) has a one-screen page and no PDF.
  const known = o.reportHashes;
  const hasReport = (id: string) => (known ? known.get(id)?.startsWith('refusal:') === false : fs.existsSync(path.join(o.contentDir, 'entries', id, 'report.json')));
  const ids = o.ids.filter((id) => EntryId.safeParse(id).success && hasReport(id));
  const slice = o.slice;
  if (slice && !(Number.isInteger(slice.count) && slice.count >= 1 && Number.isInteger(slice.index) && slice.index >= 0 && slice.index < slice.count)) {
    throw new RangeError(`slice index must be an integer in [0, count), got index ${slice.index} of count ${slice.count}`);
  }
  const folderOf = o.folderOf ?? ((id: string) => id);
  await fsp.mkdir(o.cacheDir, { recursive: true });
  const manifest = readManifest(o.cacheDir);
  const journals = foldJournals(o.cacheDir, manifest);
  // Temporary PDFs of a killed run (never renamed, so never published); a slice leaves them, as other slices may be writing theirs.
  if (!slice) for (const n of fs.readdirSync(o.cacheDir)) if (/\.tmp-\d+$/u.test(n)) await fsp.rm(path.join(o.cacheDir, n), { force: true });
  const journal = path.join(o.cacheDir, `printed-${slice ? slice.index : 'all'}.jsonl`);
  const layout = siteLayoutHash(projectRoot);
  const sorted = [...ids].sort();

  const stamps = new Map<string, { report: string; analyzer: string }>();
  const todo: string[] = [];
  for (const [position, id] of sorted.entries()) {
    if (!inSlice(position, slice)) continue;
    const old = manifest.entries[id];
    const hash = known?.get(id);
    // The same report bytes name the same analyzer version: only a new or changed report is read.
    const stamp = old && hash === old.report ? { report: hash, analyzer: old.analyzer } : readStamp(path.join(o.contentDir, 'entries', id, 'report.json'));
    stamps.set(id, stamp);
    const cached = path.join(o.cacheDir, `${id}.pdf`);
    if (o.force || !old || old.report !== stamp.report || old.analyzer !== stamp.analyzer || old.layout !== layout || !fs.existsSync(cached)) todo.push(id);
  }

  const summary: PrintSummary = { printed: 0, reused: stamps.size - todo.length, pages: 0, seconds: 0, pagesPerSecond: 0, failed: [] };
  if (todo.length > 0) {
    const t0 = performance.now();
    const fileOf = siteFileOf(o.siteDir, normaliseBase(o.base));
    const server = await startStaticServer({ dir: o.siteDir, base: o.base, variant: printingVariant(fileOf) });
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const tabs = Math.max(1, Math.min(o.tabs ?? 3, todo.length));
      let next = 0;
      const worker = async (page: Page) => {
        while (next < todo.length) {
          const id = todo[next++];
          try {
            const r = await printOne(page, `${server.url}${folderOf(id)}/`, id, path.join(o.cacheDir, `${id}.pdf`), fileOf);
            const stamp: PdfStamp = { ...stamps.get(id)!, layout, pages: r.pages, bytes: r.bytes };
            manifest.entries[id] = stamp;
            // After the rename: a journalled PDF is whole. One short append per PDF, not a manifest rewrite.
            await fsp.appendFile(journal, `${JSON.stringify({ id, ...stamp })}\n`);
            summary.printed++;
            summary.pages += r.pages;
            if (summary.printed % 500 === 0) log(`  ${summary.printed}/${todo.length} PDFs printed`);
          } catch (err) {
            summary.failed.push({ id, error: (err as Error).message });
            delete manifest.entries[id];
          }
        }
      };
      const pages = await Promise.all(Array.from({ length: tabs }, () => browser!.newPage()));
      for (const p of pages) await preparePrintTab(p);
      await Promise.all(pages.map((p) => worker(p)));
    } finally {
      await browser?.close();
      await server.close();
    }
    summary.seconds = (performance.now() - t0) / 1000;
    summary.pagesPerSecond = summary.seconds > 0 ? summary.pages / summary.seconds : 0;
  }

  // A slice only adds to the cache: the run without a slice prunes, saves the manifest and places the PDFs.
  if (slice) return summary;
  // Forget PDFs of entries that left the site, then save.
  const keep = new Set(ids);
  for (const id of Object.keys(manifest.entries)) {
    if (!keep.has(id)) {
      delete manifest.entries[id];
      await fsp.rm(path.join(o.cacheDir, `${id}.pdf`), { force: true });
    }
  }
  await writeManifest(o.cacheDir, manifest);
  // The manifest now holds what the journals held (this run's included).
  for (const j of [...journals, journal]) await fsp.rm(j, { force: true });

  let copied = 0;
  let linkError = '';
  for (const id of ids) {
    const from = path.join(o.cacheDir, `${id}.pdf`);
    const to = path.join(o.siteDir, folderOf(id), `${id}.pdf`);
    const cached = fs.statSync(from, { throwIfNoEntry: false });
    if (!cached) continue;
    // An unchanged entry's folder kept its link from the last build: nothing to do.
    const placed = fs.statSync(to, { throwIfNoEntry: false });
    if (placed && placed.ino === cached.ino && placed.dev === cached.dev) continue;
    await fsp.rm(to, { force: true });
    try {
      await fsp.link(from, to);
    } catch (err) {
      linkError ||= (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      await fsp.copyFile(from, to);
      copied++;
    }
  }
  // Copies double the disk the PDFs take: say so, the cache should be on the site's file system.
  if (copied > 0) log(`pdf: ${copied} PDFs copied into the site, not hard-linked (${linkError}): put the cache (${o.cacheDir}) on the site's file system to save the space`);
  return summary;
}

/** The stamp of a report read from disk: its sha256 and the analyzer version it names. */
function readStamp(file: string): { report: string; analyzer: string } {
  const bytes = fs.readFileSync(file);
  let analyzer = 'unknown';
  try {
    analyzer = String((JSON.parse(bytes.toString('utf8')) as { provenance?: { analyzer?: { version?: string } } }).provenance?.analyzer?.version ?? 'unknown');
  } catch {
    // The site build already validated the report; a hash mismatch re-prints anyway.
  }
  return { report: sha256(bytes), analyzer };
}
