/**
 * `npm run bench:site -- --entries N --changed K [--json out.json] [--pdf-sample S | --no-pdf]
 * [--from <content dir>] [--work <dir>] [--max-dir-files L]`: the cost of the archive's nightly
 * site step (not a test).
 *
 * 1. Makes N simulated entries (bench-archive.ts) and builds the site from scratch, without PDFs.
 * 2. Changes K entries (title and resolution, as a re-release would) and builds again: the
 *    incremental build (only the changed entries rendered, shared pages and changed search shards
 *    rebuilt).
 * 3. Counts the site's files, the most names in one folder, and the bytes of each entry's folder.
 * 4. Prints S entries to PDF (a fresh cache, 3 tabs): median bytes per PDF and pages per second.
 * Times are wall seconds of the whole build, Astro's and Pagefind's child processes included; CPU
 * seconds are given too (the machine is shared: they move less with the load).
 * JSON: {entries, changed, fullSeconds, incrementalSeconds, siteFiles, maxFilesPerDirectory,
 * bytesPerEntry, pdfBytesMedian, pdfPagesPerSecond, …details}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { makeArchive, sourceReport } from './bench-archive.ts';
import { buildSite, PROJECT_ROOT, siteEntryIds, type BuildSummary } from './build-site.ts';
import { printPdfs } from './print-pdfs.ts';

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
  },
});
const n = Number(values.entries ?? 2000);
const k = Number(values.changed ?? 50);
const sample = values['no-pdf'] ? 0 : Number(values['pdf-sample'] ?? 6);
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

const full = await buildSite({ content, out, pdf: false, measure: true, maxFilesPerDirectory: limit, log: () => undefined });
log(stepLine('full build', full));
const ids = siteEntryIds(out);
changeEntries(content, ids, k);
const inc = await buildSite({ content, out, pdf: false, measure: true, maxFilesPerDirectory: limit, log: () => undefined });
log(stepLine(`incremental build after ${k} changed`, inc));
if (inc.mode !== 'incremental') throw new Error(`the second build was ${inc.mode}, not incremental`);

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
};
log(`RESULT ${JSON.stringify(result)}`);
if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(result, null, 1)}\n`);
