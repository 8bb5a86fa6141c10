/**
 * `npm run bench:site -- --entries N --changed K [--new M] [--nightly] [--json out.json]
 * [--pdf-sample S | --no-pdf] [--from <content dir>] [--work <dir>] [--max-dir-files L]
 * [--keep]`: the cost of the archive's nightly site step (not a test).
 *
 * 1. Makes N simulated entries (bench-archive.ts) and builds the site from scratch, without PDFs.
 * 2. Changes K entries (title and resolution, as a re-release would) and builds again: the
 *    incremental build (only the changed entries rendered, shared pages and changed search shards
 *    rebuilt).
 * 3. Counts the site's files, the most names in one folder, and the bytes of each entry's folder.
 * 4. Prints S entries to PDF (a fresh cache, 3 tabs): median bytes per PDF and pages per second.
 * Times are wall seconds of the whole build, Astro's and Pagefind's child processes included; CPU
 * seconds are given too (the machine is shared: they move less with the load).
 * `--new M` adds M new depositions (the next, highest IDs) before the incremental build.
 *
 * `--nightly` measures what the nightly job runs after analysis: its site step is `emvr build`
 * with PDFs (scripts/nightly/site-build.ts → buildSite), and so is every build here. Before the
 * full build the PDF cache is SEEDED (bench-pdf-seed.ts): one real PDF printed from a one-entry
 * site is placed for every entry with the stamp printPdfs would record, as if the archive's first
 * print (~19 h at 50,000) had run; the full build then links them into the site. The incremental
 * build is the nightly's: it re-prints the changed and new entries' PDFs and reuses the others.
 * Step 4 is skipped (the nightly's own printing is measured). The wall and CPU seconds of that
 * build (this process, plus its waited-for children: Astro, Pagefind, Chromium) and its phases
 * are reported. --keep leaves the work folder (deleted otherwise in this mode: ~3 M files at 50,000).
 * JSON: {entries, changed, fullSeconds, incrementalSeconds, siteFiles, maxFilesPerDirectory,
 * bytesPerEntry, pdfBytesMedian, pdfPagesPerSecond, …details; with --nightly also nightlySeconds,
 * nightlyCpuSeconds, phases, pdfPrinted, pdfReused, seededPdfCache}.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { makeArchive, sourceReport } from './bench-archive.ts';
import { buildSite, PROJECT_ROOT, siteEntryIds, type BuildSummary } from './build-site.ts';
import { printPdfs } from './print-pdfs.ts';
import { printOnePdf, seedPdfCache } from './bench-pdf-seed.ts';

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Files, bytes and the most names in one folder under `root` (each hard link counted as a file a host stores). */
function census(root: string): { files: number; bytes: number; maxNames: number; maxFolder: string } {
  let files = 0;
  let bytes = 0;
  let maxNames = 0;
  let maxFolder = '';
  const walk = (dir: string) => {
    const names = fs.readdirSync(dir, { withFileTypes: true });
    if (names.length > maxNames) {
      maxNames = names.length;
      maxFolder = path.relative(root, dir) || '.';
    }
    for (const d of names) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else {
        files++;
        bytes += fs.statSync(full).size;
      }
    }
  };
  walk(root);
  return { files, bytes, maxNames, maxFolder };
}

/** Rewrites K reports (spread over the archive) with a new title and resolution. */
function changeEntries(content: string, ids: string[], k: number): string[] {
  const step = Math.max(1, Math.floor(ids.length / Math.max(1, k)));
  const changed = ids.filter((_, i) => i % step === 0).slice(0, k);
  for (const id of changed) {
    const file = path.join(content, 'entries', id, 'report.json');
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as { entry: { title: string; resolution: number | null } };
    r.entry.title = `${r.entry.title} (re-released)`;
    r.entry.resolution = r.entry.resolution === null ? 3 : Math.round((r.entry.resolution - 0.1) * 100) / 100;
    fs.writeFileSync(file, JSON.stringify(r));
  }
  return changed;
}

/** Clock ticks per second of /proc's CPU times. */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU seconds (user + system) of this process and of its children that have ended and were
 * waited for (Linux /proc/self/stat: utime, stime, cutime, cstime): Astro and Pagefind under
 * /usr/bin/time, Chromium and the renderers it reaps.
 */
function cpuSeconds(): { self: number; children: number } {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ').map(Number);
  // Fields 14–17 of stat(5), counted from the state (field 3) after the command name.
  return { self: (fields[11] + fields[12]) / TICKS, children: (fields[13] + fields[14]) / TICKS };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function stepLine(name: string, s: BuildSummary): string {
  const cpu = (s.astro.cpuSeconds ?? 0) + (s.pagefind?.cpuSeconds ?? 0);
  return `RESULT ${name}: ${s.seconds.toFixed(1)} s wall (${cpu.toFixed(1)} s CPU of Astro + Pagefind; Astro ${s.astro.seconds.toFixed(1)} s, peak ${s.astro.peakMB} MB; Pagefind ${s.pagefind ? `${s.pagefind.seconds.toFixed(1)} s, ${s.shardsIndexed} shard(s), peak ${s.pagefind.peakMB} MB` : 'nothing to index'}), ${s.rendered} pages rendered`;
}

const { values } = parseArgs({
  options: {
    entries: { type: 'string' },
    changed: { type: 'string' },
    json: { type: 'string' },
    'pdf-sample': { type: 'string' },
    'no-pdf': { type: 'boolean' },
    from: { type: 'string' },
    work: { type: 'string' },
    'max-dir-files': { type: 'string' },
    new: { type: 'string' },
    nightly: { type: 'boolean' },
    keep: { type: 'boolean' },
  },
});
const nightly = values.nightly === true;
const added = Number(values.new ?? 0);
const n = Number(values.entries ?? 2000);
const k = Number(values.changed ?? 50);
const sample = values['no-pdf'] || nightly ? 0 : Number(values['pdf-sample'] ?? 6);
const limit = values['max-dir-files'] ? Number(values['max-dir-files']) : undefined;
const f = fanOut(limit);
const work = path.resolve(values.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-bench-site-')));
const content = path.join(work, 'content');
const out = path.join(work, 'site');
const log = (s: string) => process.stdout.write(`${s}\n`);
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

log(`work folder: ${work}; ${os.cpus().length} CPUs, load average ${load()}`);
fs.rmSync(content, { recursive: true, force: true });
fs.rmSync(out, { recursive: true, force: true });
const src = await sourceReport(work, values.from);
makeArchive(content, src.report, src.dir, n);
log(`archive: ${n} entries`);

let seed: Awaited<ReturnType<typeof printOnePdf>> | null = null;
if (nightly) {
  seed = await printOnePdf(path.join(work, 'one-entry'), src.report, src.dir);
  const t0 = performance.now();
  seedPdfCache(path.join(work, 'cache', 'site-pdf'), content, fs.readdirSync(path.join(content, 'entries')).sort(), seed.file, seed.stamp);
  log(`PDF cache SEEDED (not printed): one real PDF (${seed.stamp.pages} pages, ${seed.stamp.bytes} bytes, printed in ${seed.seconds.toFixed(1)} s from a one-entry site) placed for all ${n} entries with their stamps, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// The nightly's site step is `emvr build` with its defaults: PDFs on, cache beside the content.
const full = await buildSite({ content, out, pdf: nightly, measure: true, maxFilesPerDirectory: limit, log: () => undefined });
log(stepLine('full build', full));
if (nightly && full.pdf?.printed !== 0) throw new Error(`the full build printed ${full.pdf?.printed} PDFs: the seeded cache was not reused`);
const ids = siteEntryIds(out);
const changed = changeEntries(content, ids, k);
if (added > 0) makeArchive(content, src.report, src.dir, added, n);
log(`${changed.length} entries changed (${changed[0]} … ${changed.at(-1)}), ${added} new${added > 0 ? ` (EMD-${10000 + n} … EMD-${10000 + n + added - 1})` : ''}; load average ${load()}`);
const cpu0 = cpuSeconds();
const inc = await buildSite({ content, out, pdf: nightly, measure: true, maxFilesPerDirectory: limit, log: nightly ? (s) => log(`  nightly: ${s}`) : () => undefined });
const cpu1 = cpuSeconds();
log(stepLine(`incremental build after ${k} changed and ${added} new`, inc));
if (inc.mode !== 'incremental') throw new Error(`the second build was ${inc.mode}, not incremental`);
if (nightly && inc.pdf && inc.pdf.failed.length > 0) throw new Error(`${inc.pdf.failed.length} PDFs failed: ${inc.pdf.failed[0].error}`);
const loadAfterNightly = os.loadavg();

const site = census(out);
const entryBytes = ids.map((id) => census(path.join(out, entryFolder(id, f))).bytes);
log(`RESULT site: ${site.files} files, ${(site.bytes / 2 ** 20).toFixed(0)} MiB, at most ${site.maxNames} names in one folder (${site.maxFolder}); median entry folder ${(median(entryBytes)! / 2 ** 10).toFixed(0)} KiB`);

let pdf: { bytesMedian: number | null; pagesPerSecond: number | null; skipped: string | null } = { bytesMedian: null, pagesPerSecond: null, skipped: 'printing skipped (--no-pdf or --pdf-sample 0)' };
if (sample > 0) {
  const cache = path.join(work, 'pdf-cache');
  fs.rmSync(cache, { recursive: true, force: true });
  const p = await printPdfs({ siteDir: out, base: '/', contentDir: content, cacheDir: cache, ids: ids.slice(0, sample), tabs: 3, force: true, folderOf: (id) => entryFolder(id, f) }, PROJECT_ROOT);
  const sizes = fs.readdirSync(cache).filter((x) => x.endsWith('.pdf')).map((x) => fs.statSync(path.join(cache, x)).size);
  pdf = { bytesMedian: median(sizes), pagesPerSecond: p.pagesPerSecond, skipped: null };
  log(`RESULT pdf: ${p.printed} entries, ${p.pages} pages in ${p.seconds.toFixed(1)} s (${p.pagesPerSecond.toFixed(1)} pages/s), median ${((pdf.bytesMedian ?? 0) / 2 ** 20).toFixed(2)} MiB`);
}

// The nightly's own step: its wall and CPU seconds, by phase.
let night: Record<string, unknown> = {};
if (nightly && inc.pdf) {
  const cache = path.join(work, 'cache', 'site-pdf');
  const reprinted = [...changed, ...Array.from({ length: added }, (_, i) => `EMD-${10000 + n + i}`)];
  if (inc.pdf.printed !== reprinted.length || inc.pdf.reused !== inc.entries - reprinted.length) log(`WARNING: ${inc.pdf.printed} PDFs printed and ${inc.pdf.reused} reused; expected ${reprinted.length} and ${inc.entries - reprinted.length}`);
  const sizes = reprinted.map((id) => fs.statSync(path.join(cache, `${id}.pdf`)).size);
  pdf = { bytesMedian: median(sizes), pagesPerSecond: inc.pdf.pagesPerSecond, skipped: 'nightly mode: the PDFs the nightly printed are measured instead' };
  const selfCpu = cpu1.self - cpu0.self;
  const childCpu = cpu1.children - cpu0.children;
  const astroCpu = inc.astro.cpuSeconds ?? 0;
  const pagefindCpu = inc.pagefind?.cpuSeconds ?? 0;
  const ph = inc.phases;
  // The nightly runs `emvr build` as a child process (and asks `emvr build --help` once first): its start-up, not in buildSite's time.
  const t0 = performance.now();
  spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'cli.ts'), 'build', '--help'], { stdio: 'ignore' });
  const cliStart = (performance.now() - t0) / 1000;
  night = {
    nightlySeconds: round1(inc.seconds),
    nightlyCpuSeconds: round1(selfCpu + childCpu),
    phases: {
      planSeconds: round1(ph.plan),
      astroSeconds: round1(ph.astro),
      astroCpuSeconds: inc.astro.cpuSeconds,
      pagefindSeconds: round1(ph.pagefind),
      pagefindCpuSeconds: inc.pagefind?.cpuSeconds ?? null,
      shardsIndexed: inc.shardsIndexed,
      statisticsSeconds: round1(ph.statistics),
      movesSeconds: round1(ph.moves),
      glanceSeconds: round1(ph.glance),
      glanceWritten: inc.glance.written,
      pdfSeconds: round1(ph.pdf),
      pdfPrintingSeconds: round1(inc.pdf.seconds),
      finishSeconds: round1(ph.finish),
    },
    cpu: { nodeSeconds: round1(selfCpu), childrenSeconds: round1(childCpu), chromiumSeconds: round1(childCpu - astroCpu - pagefindCpu) },
    cliStartSeconds: round1(cliStart),
    pdfPrinted: inc.pdf.printed,
    pdfReused: inc.pdf.reused,
    pdfPages: inc.pdf.pages,
    newEntries: added,
    seededPdfCache: { seeded: true, note: 'one real PDF printed from a one-entry site, placed for every entry with the stamp printPdfs records (report sha256, analyzer version, layout hash, pages, bytes)', pages: seed?.stamp.pages, bytes: seed?.stamp.bytes },
    loadAverageAfterNightly: loadAfterNightly,
  };
  log(`RESULT nightly site step (${k} changed + ${added} new, PDFs on, cache seeded): ${inc.seconds.toFixed(1)} s wall, ${(selfCpu + childCpu).toFixed(1)} s CPU (Node ${selfCpu.toFixed(1)}, children ${childCpu.toFixed(1)}); phases ${Object.entries(ph).map(([p, x]) => `${p} ${x.toFixed(1)} s`).join(', ')}; PDFs ${inc.pdf.printed} printed (${inc.pdf.pages} pages in ${inc.pdf.seconds.toFixed(1)} s), ${inc.pdf.reused} reused`);
}

const result = {
  entries: n,
  changed: k,
  fullSeconds: Math.round(full.seconds * 10) / 10,
  incrementalSeconds: Math.round(inc.seconds * 10) / 10,
  incrementalShare: Math.round((inc.seconds / full.seconds) * 1000) / 1000,
  siteFiles: site.files,
  maxFilesPerDirectory: site.maxNames,
  maxFilesFolder: site.maxFolder,
  bytesPerEntry: median(entryBytes),
  siteBytes: site.bytes,
  pdfBytesMedian: pdf.bytesMedian,
  pdfPagesPerSecond: pdf.pagesPerSecond === null ? null : Math.round(pdf.pagesPerSecond * 100) / 100,
  pdfSkipped: pdf.skipped,
  full: { astroSeconds: full.astro.seconds, astroCpuSeconds: full.astro.cpuSeconds, astroPeakMB: full.astro.peakMB, pagefindSeconds: full.pagefind?.seconds ?? null, pagefindCpuSeconds: full.pagefind?.cpuSeconds ?? null, pagefindPeakMB: full.pagefind?.peakMB ?? null },
  incremental: { rendered: inc.rendered, shardsIndexed: inc.shardsIndexed, astroSeconds: inc.astro.seconds, astroCpuSeconds: inc.astro.cpuSeconds, astroPeakMB: inc.astro.peakMB, pagefindSeconds: inc.pagefind?.seconds ?? null, pagefindCpuSeconds: inc.pagefind?.cpuSeconds ?? null },
  loadAverage: os.loadavg(),
  ...night,
};
log(`RESULT ${JSON.stringify(result)}`);
if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(result, null, 1)}\n`);
if (nightly && !values.keep) {
  fs.rmSync(work, { recursive: true, force: true });
  log(`work folder ${work} deleted (--keep keeps it)`);
}
