/**
 * Site build benchmark (not a test): `npx node scripts/site/bench-build.ts [--entries 10000]
 * [--pdf-sample 120] [--index-rows 50000] [--from <content dir>] [--work <dir>]`.
 *
 * 1. Makes N entries by copying one analysed report (a phantom analysed here, or the first report
 *    of --from) with new IDs, titles, resolutions and some 0.c/0.d warnings; figures are shared
 *    through a symlinked folder.
 * 2. Builds the site without PDFs, measuring Astro and Pagefind apart (wall time and peak RSS of
 *    each step's process tree, via /usr/bin/time).
 * 3. Prints a sample of entries to PDF with 2, 3 and 4 tabs: pages/s and entries/s.
 * 4. Serves the archive page with an index.json of --index-rows rows and times, in Chromium, the
 *    load, a filter, a sort and a page render (medians of 5).
 * The machine is shared: read the numbers as medians of noisy runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../../analyzers/util/random.ts';
import { makeArchive, sourceReport } from './bench-archive.ts';
import { launchChromium } from './browser.ts';
import { buildSite, PROJECT_ROOT, siteEntryIds } from './build-site.ts';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { printPdfs } from './print-pdfs.ts';
import { startStaticServer } from './static-server.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function benchIndex(out: string, rows: number): Promise<Record<string, number>> {
  const doc = JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8')) as { rows: unknown[][] };
  const rand = mulberry32(11);
  const big = Array.from({ length: rows }, (_, i) => {
    const r = [...doc.rows[i % doc.rows.length]];
    r[0] = `EMD-${100000 + i}`;
    r[2] = Math.round((1.5 + rand() * 8.5) * 100) / 100;
    return r;
  });
  // The archive page fetches <base>index.json: swap in one with `rows` rows for the measurement.
  const original = fs.readFileSync(path.join(out, 'index.json'));
  fs.writeFileSync(path.join(out, 'index.json'), JSON.stringify({ ...doc, rows: big }));
  const server = await startStaticServer({ dir: out });
  const browser = await launchChromium();
  const samples: Record<string, number[]> = { loadToTableMs: [], fetchMs: [], prepareMs: [], firstRenderMs: [], filterMs: [], sortMs: [], renderMs: [] };
  try {
    for (let rep = 0; rep < 5; rep++) {
      const page = await browser.newPage();
      const t0 = performance.now();
      await page.goto(server.url, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('#archive-table[data-ready="true"]', { timeout: 120_000 });
      samples.loadToTableMs.push(performance.now() - t0);
      const t = (await page.evaluate('window.__archiveTimings')) as Record<string, number>;
      samples.fetchMs.push(t.fetchMs);
      samples.prepareMs.push(t.prepareMs);
      samples.firstRenderMs.push(t.renderMs);
      await page.select('#f-item', '0.d');
      await page.select('#f-status', 'w');
      const f = (await page.evaluate('window.__archiveTimings')) as Record<string, number>;
      samples.filterMs.push(f.filterMs);
      await page.click('th[data-sort="resolution"] button');
      const s = (await page.evaluate('window.__archiveTimings')) as Record<string, number>;
      samples.sortMs.push(s.sortMs);
      samples.renderMs.push(s.renderMs);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    fs.writeFileSync(path.join(out, 'index.json'), original);
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
}

const { values } = parseArgs({
  options: { entries: { type: 'string' }, 'pdf-sample': { type: 'string' }, 'index-rows': { type: 'string' }, from: { type: 'string' }, work: { type: 'string' }, 'skip-build': { type: 'boolean' } },
});
const n = Number(values.entries ?? 10000);
const sample = Number(values['pdf-sample'] ?? 120);
const indexRows = Number(values['index-rows'] ?? 50000);
const work = path.resolve(values.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-site-bench-')));
const content = path.join(work, 'content');
const out = path.join(work, 'dist');
const log = (s: string) => process.stdout.write(`${s}\n`);

log(`work folder: ${work}; ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
if (!values['skip-build']) {
  fs.rmSync(content, { recursive: true, force: true });
  const src = await sourceReport(work, values.from);
  const t0 = performance.now();
  makeArchive(content, src.report, src.dir, n);
  log(`archive: ${n} entries written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const s = await buildSite({ content, out, pdf: false, measure: true, log });
  log(`RESULT astro: ${s.astro.seconds.toFixed(1)} s wall, ${s.astro.cpuSeconds?.toFixed(1)} s CPU, peak ${s.astro.peakMB} MB for ${s.entries} entries (${(s.entries / s.astro.seconds).toFixed(0)} pages/s)`);
  log(`RESULT pagefind: ${s.pagefind?.seconds.toFixed(1)} s wall, ${s.pagefind?.cpuSeconds?.toFixed(1)} s CPU, peak ${s.pagefind?.peakMB} MB`);
}

const ids = siteEntryIds(out).slice(0, sample);
for (const tabs of [2, 3, 4]) {
  const cache = path.join(work, `pdf-cache-${tabs}`);
  fs.rmSync(cache, { recursive: true, force: true });
  const p = await printPdfs({ siteDir: out, base: '/', contentDir: content, cacheDir: cache, ids, tabs, force: true, folderOf: (id) => entryFolder(id, fanOut()) }, PROJECT_ROOT);
  log(`RESULT pdf (${tabs} tabs): ${p.printed} entries, ${p.pages} pages in ${p.seconds.toFixed(1)} s: ${p.pagesPerSecond.toFixed(1)} pages/s, ${(p.printed / p.seconds).toFixed(2)} entries/s${p.failed.length ? `, ${p.failed.length} failed` : ''}`);
}

const idx = await benchIndex(out, indexRows);
log(`RESULT archive table with ${indexRows} rows (medians of 5, ms): ${JSON.stringify(idx)}`);
log(`load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
