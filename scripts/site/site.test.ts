/**
 * End-to-end test of the report site: analyses three simulated maps (phantoms with known defects),
 * adds copies with hostile titles, a copy with values, tables and reasons of shapes the site has
 * not seen, a schema-1 report written before the item catalog, and one broken report;
 * builds the site under a sub-path with Pagefind and PDFs; then drives the machine's headless
 * Chromium through the pages. Skips visibly without Chromium (or, for the PDF text, pdftotext).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import Papa from 'papaparse';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { parseReport, reportFigures, reportItem, reportItems, type AnyItem, type Report } from '../../analyzers/report/schema.ts';
import { scoreItems } from '../../analyzers/report/scoring.ts';
import { gunzipSync } from 'node:zlib';
import { makePhantom, type PhantomName } from '../../analyzers/simulate/phantoms.ts';
import { chromiumPath, launchChromium } from './browser.ts';
import { buildSite, PROJECT_ROOT, type BuildSummary } from './build-site.ts';
import { printPdfs } from './print-pdfs.ts';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { startStaticServer, type StaticServer } from './static-server.ts';
import { rawValueKeys, scanText, visibleText } from './page-scan.ts';

/**
 * The little of the DOM the browser-side callbacks use (the project compiles without the DOM lib;
 * these callbacks run inside Chromium).
 */
interface El {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  value: string;
  href: string;
  getAttribute(name: string): string | null;
}
declare const document: { getElementById(id: string): El | null };
declare const window: Record<string, unknown> & { axe: { run(ctx: unknown, o: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } };

const haveChromium = chromiumPath() !== null;
if (!haveChromium) console.warn('SKIPPED site tests: no Chromium (install Debian "chromium" or set EMVR_CHROMIUM)');
const havePdftotext = fs.existsSync('/usr/bin/pdftotext');
if (!havePdftotext) console.warn('SKIPPED PDF text checks: pdftotext missing (Debian poppler-utils)');

const BASE = '/emvr-test/sub/';
const HOSTILE_TITLE = 'Zanzibar <script>window.__pwned = 1</script> "quoted" & under_score 100% $E=mc^2$ <img src=x onerror="window.__pwned=2"> {{x}}';
const HOSTILE_AUTHOR = "O'Hara, <b>Bold</b> & Co";

/**
 * Real analyses: [phantom, id, with figures]. background-offset warns 0.c, b-factor-positive warns
 * 0.d and 0.f. Only the first renders figures (the slowest part); the copies below reuse them.
 */
const ANALYSED: [PhantomName, string, boolean][] = [
  ['well-behaved', 'EMD-91001', true],
  ['b-factor-positive', 'EMD-91002', false],
  ['background-offset', 'EMD-91003', false],
];
const HOSTILE_ID = 'EMD-91004';
const FUTURE_ID = 'EMD-91005';
const BROKEN_ID = 'EMD-91006';
/** A schema-1 report written by the analyzer before the item catalog (scripts/testing/golden/). */
const LEGACY_ID = 'EMD-91007';
/** A name no formula of the current method texts has (sha256 prefixes are hex of 16 digits). */
const STALE_FORMULA = '0000000000000000.svg';

/** The entry's folder in the site at the default fan-out ("91/EMD-91001"). */
function dir(id: string): string {
  return entryFolder(id, fanOut());
}

function squash(s: string): string {
  return s.replace(/\s+/gu, ' ').trim();
}

function writeReport(content: string, r: Report, figuresFrom: string): void {
  const dir = path.join(content, 'entries', r.entry.id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(parseReport(r), null, 1));
  fs.cpSync(path.join(figuresFrom, 'figures'), path.join(dir, 'figures'), { recursive: true });
}

describe.skipIf(!haveChromium)('report site built from simulated entries', () => {
  let tmp = '';
  let content = '';
  let out = '';
  let pdfCache = '';
  let summary: BuildSummary;
  let server: StaticServer;
  let browser: Browser;
  const reports = new Map<string, Report>();

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-site-test-'));
    content = path.join(tmp, 'content');
    out = path.join(tmp, 'dist');
    pdfCache = path.join(tmp, 'pdf-cache');
    for (const [name, id, figures] of ANALYSED) {
      const p = await makePhantom(name, { seed: 1 });
      const mapPath = path.join(tmp, 'maps', `${id}.map`);
      await writeMrc(mapPath, p.volume);
      const r = await analyzeEntry({
        mapPath,
        entryDir: path.join(content, 'entries', id),
        figures,
        entry: { id, title: `Phantom ${name}: ${p.description}`, authors: ['emvr simulator'], depositionDate: '2024-03-0' + id.slice(-1), releaseDate: null, resolution: p.resolution, threshold: p.threshold, method: 'singleParticle', pdbIds: ['6vxx'] },
      });
      reports.set(id, r);
    }
    const good = reports.get('EMD-91001')!;
    const goodDir = path.join(content, 'entries', 'EMD-91001');
    const hostile: Report = { ...good, entry: { ...good.entry, id: HOSTILE_ID, title: HOSTILE_TITLE, authors: [HOSTILE_AUTHOR, 'Ünïcødé Ñame'] } };
    writeReport(content, hostile, goodDir);
    reports.set(HOSTILE_ID, parseReport(hostile));
    // A report with numbers, a table and a reason the site has never rendered: 0.f with other
    // values and a table of another shape, 0.g not applicable for a reason it has never seen.
    const f = reportItem(good, '0.f')!;
    expect(f.evaluable).toBe(true);
    const futureItems: AnyItem[] = reportItems(good).map((it) => {
      if (it.id === '0.f') {
        return {
          ...f,
          values: { ...f.values, percentiles: { p2_5: -120.5, p25: -98, p50: -87.25, p75: -70, p97_5: -41 }, median: -87.25 },
          results: ['The median local B-factor is -87.25 Å².'],
          tables: [{ id: 'local-bfactor-percentiles', caption: 'Representative percentiles of the local B-factor', columns: [{ key: 'p', label: 'Percentile', unit: '%' }, { key: 'b', label: 'Local B-factor', unit: 'Å²' }], rows: [[2.5, -120.5], [50, -87.25], [97.5, -41]] }],
        };
      }
      if (it.id === '0.g') return { ...it, status: 'not-applicable', reason: 'the map is a tomogram subvolume average with a mask file of its own', evaluable: false, warnings: [], values: {}, units: {}, results: [], tables: [], figures: [], files: [] };
      return it;
    });
    const future = { ...good, entry: { ...good.entry, id: FUTURE_ID, title: 'New values and reasons render generically' }, items: { '0': Object.fromEntries(futureItems.map((it) => [it.id, it])) }, score: scoreItems(futureItems) } as Report;
    writeReport(content, future, goodDir);
    reports.set(FUTURE_ID, parseReport(future));
    // A report of schema 1, as the analyzer wrote it before the item catalog, kept byte for byte.
    const legacy = JSON.parse(gunzipSync(fs.readFileSync(path.join(PROJECT_ROOT, 'scripts', 'testing', 'samples', 'report-schema1.json.gz'))).toString('utf8'));
    expect(legacy.schemaVersion).toBe(1);
    legacy.entry = { ...legacy.entry, id: LEGACY_ID, title: 'A report of schema 1' };
    fs.mkdirSync(path.join(content, 'entries', LEGACY_ID), { recursive: true });
    fs.writeFileSync(path.join(content, 'entries', LEGACY_ID, 'report.json'), JSON.stringify(legacy));
    reports.set(LEGACY_ID, parseReport(legacy));
    fs.mkdirSync(path.join(content, 'entries', BROKEN_ID), { recursive: true });
    fs.writeFileSync(path.join(content, 'entries', BROKEN_ID, 'report.json'), JSON.stringify({ schemaVersion: 1, entry: 'not an entry' }));

    // A formula of a method text since edited, as the formula cache keeps them: not for the site.
    const formulaCache = path.join(PROJECT_ROOT, 'node_modules', '.astro-cache', 'emvr-formulas');
    fs.mkdirSync(formulaCache, { recursive: true });
    fs.writeFileSync(path.join(formulaCache, STALE_FORMULA), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    summary = await buildSite({ content, out, base: BASE, pdf: true, pdfCache, pdfTabs: 2, log: () => undefined });
    server = await startStaticServer({ dir: out, base: BASE });
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp && !process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true }); else console.log("TMP", tmp);
  });

  async function open(rel: string): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push((e as Error).message));
    const res = await page.goto(`${server.url}${rel}`, { waitUntil: 'load' });
    expect(res?.status(), `${rel} loads`).toBe(200);
    (page as Page & { jsErrors?: string[] }).jsErrors = errors;
    return page;
  }

  async function openIndex(): Promise<Page> {
    const page = await open('');
    await page.waitForSelector('#archive-table[data-ready="true"]');
    return page;
  }

  async function tableIds(page: Page): Promise<string[]> {
    return page.$$eval('#archive-body tr', (rows) => rows.map((r) => (r as unknown as El).dataset.id ?? ''));
  }

  it('builds a page for every valid report and leaves the broken one out of pages, index.json and all.csv', async () => {
    const good = [...reports.keys()].sort();
    expect(summary.entries).toBe(good.length);
    expect(fs.existsSync(path.join(out, dir(BROKEN_ID)))).toBe(false);
    const index = JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8')) as { columns: string[]; rows: unknown[][] };
    expect(index.rows.map((r) => r[0])).toEqual(good);
    const bCol = index.columns.indexOf('bFactor');
    const row2 = index.rows.find((r) => r[0] === 'EMD-91002')!;
    expect(row2[bCol]).toBe(reportItem(reports.get('EMD-91002')!, '0.d')!.values.bFactor);
    const csv = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(out, 'all.csv'), 'utf8'), { header: true, skipEmptyLines: true });
    expect(csv.data.map((r) => r.id)).toEqual(good);
    const hostileRow = csv.data.find((r) => r.id === HOSTILE_ID)!;
    expect(hostileRow.title).toBe(HOSTILE_TITLE);
    expect(csv.data.find((r) => r.id === 'EMD-91002')!.status_0d).toBe('warnings');
  });

  it('search finds an entry by its EMDB ID and by a word of its title', async () => {
    const page = await openIndex();
    const search = async (term: string) => {
      await page.$eval('#search-input', (e) => {
        (e as unknown as El).value = '';
      });
      await page.type('#search-input', term);
      await page.keyboard.press('Enter');
      await page.waitForFunction((t) => (document.getElementById('search-status')?.textContent ?? '').includes(t), {}, term);
      return page.$$eval('#search-results a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    };
    expect(await search('EMD-91003')).toEqual([`${BASE}${dir('EMD-91003')}/`]);
    expect(await search('91002')).toEqual([`${BASE}${dir('EMD-91002')}/`]);
    expect(await search('Zanzibar')).toEqual([`${BASE}${dir(HOSTILE_ID)}/`]);
    const text = await page.$eval('#search-results', (e) => e.textContent ?? '');
    expect(text).toContain('<script>window.__pwned = 1</script>');
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    await page.close();
  });

  it('filtering by "item has warnings" shows exactly the entries whose report warns there', async () => {
    const page = await openIndex();
    expect((await tableIds(page)).sort()).toEqual([...reports.keys()].sort());
    for (const item of ['0.d', '0.c'] as const) {
      await page.select('#f-item', item);
      await page.select('#f-status', 'w');
      await page.waitForFunction((n) => document.getElementById('archive-table')?.dataset.visible === String(n), {}, [...reports.values()].filter((r) => reportItem(r, item)?.status === 'warnings').length);
      const expected = [...reports.values()].filter((r) => reportItem(r, item)?.status === 'warnings').map((r) => r.entry.id).sort();
      expect(expected.length).toBeGreaterThan(0);
      expect((await tableIds(page)).sort()).toEqual(expected);
    }
    // Minimum passing items: the best score keeps exactly the entries that reach it.
    await page.select('#f-item', '');
    await page.select('#f-status', '');
    const best = Math.max(...[...reports.values()].map((r) => r.score.passing));
    const expected = [...reports.values()].filter((r) => r.score.passing >= best).map((r) => r.entry.id).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(reports.size);
    await page.type('#f-minscore', String(best));
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.getElementById('archive-table')?.dataset.visible === String(n), {}, expected.length);
    expect(await tableIds(page)).toEqual(expected);
    expect(new URL(page.url()).searchParams.get('minscore')).toBe(String(best));
    await page.close();
  });

  it('an entry page shows the score and every warning of its report.json', async () => {
    for (const id of ['EMD-91002', 'EMD-91003', LEGACY_ID]) {
      const r = reports.get(id)!;
      const page = await open(`${dir(id)}/`);
      expect(squash(await page.$eval('.score-value', (e) => e.textContent ?? ''))).toBe(`${r.score.passing} of ${r.score.evaluable}`);
      const warnings = reportItems(r).flatMap((it) => it.warnings);
      expect(warnings.length).toBeGreaterThan(0);
      const body = squash(await page.$eval('main', (e) => e.textContent ?? ''));
      for (const w of warnings) expect(body.split(squash(w.text)).length - 1, w.code).toBe(2); // summary + item section
      const statuses = await page.$$eval('.summary-table tbody tr', (rows) => rows.map((tr) => (tr as unknown as El).dataset.status));
      expect(statuses).toEqual(reportItems(r).map((it) => it.status));
      await page.close();
    }
    const ok = await open(`${dir('EMD-91001')}/`);
    expect(await ok.$eval('.no-warnings', (e) => e.textContent)).toBe('No warnings.');
    await ok.close();
  });

  it('renders values, tables and reasons it has never seen before, generically', async () => {
    const page = await open(`${dir(FUTURE_ID)}/`);
    const sec = squash(await page.$eval('#item-0f', (e) => e.textContent ?? ''));
    // The curated list of 0.f's spec, with 0.f's precision (Å² to 1 decimal), and no JSON key.
    const list = await page.$$eval('#item-0f > dl.values > dt', (dts) => dts.map((dt) => `${dt.textContent} = ${(dt as unknown as { nextElementSibling: El }).nextElementSibling.textContent}`));
    expect(list).toContain('Median local B-factor = −87.3 Å²');
    expect(list).toContain('Local B-factor, percentiles 2.5, 25, 50, 75 and 97.5% = −120.5, −98, −87.3, −70, −41 Å²');
    expect(sec).not.toContain('p2_5');
    expect(sec).toContain('Representative percentiles of the local B-factor');
    expect(await page.$eval('#item-0f .status-line .status', (e) => (e as unknown as El).textContent)).toContain('OK');
    const sec0g = squash(await page.$eval('#item-0g', (e) => e.textContent ?? ''));
    expect(sec0g).toContain(`Does not apply: ${reportItem(reports.get(FUTURE_ID)!, '0.g')!.reason}`);
    const csvHref = await page.$eval('#item-0f table caption a', (a) => (a as unknown as El).href);
    const csv = await (await fetch(csvHref)).text();
    expect(Papa.parse(csv, { skipEmptyLines: true }).data).toEqual([['Percentile (%)', 'Local B-factor (Å²)'], ['2.5', '-120.5'], ['50', '-87.25'], ['97.5', '-41']]);
    await page.close();
  });

  it('no entry page shows a raw JSON key of the item values, a number of more than 6 significant digits or an ungrouped long count', () => {
    const keys = rawValueKeys();
    expect(keys).toEqual(expect.arrayContaining(['rawVoxels', 'workBox', 'noiseLevels', 'p2_5']));
    const findings: string[] = [];
    for (const id of reports.keys()) {
      const text = visibleText(fs.readFileSync(path.join(out, dir(id), 'index.html'), 'utf8'));
      // The schema-1 report keeps the sentences its old analyzer wrote; the page's own text must still be clean.
      for (const f of scanText(text, keys)) if (id !== LEGACY_ID || f.kind === 'json-key') findings.push(`${id} [${f.kind}] …${f.text}…`);
    }
    expect(findings).toEqual([]);
  });

  it('_formulas holds exactly the typeset formulas the pages refer to, none the cache kept from older texts', () => {
    const refs = new Set<string>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const f = path.join(d, e.name);
        if (e.isDirectory()) walk(f);
        else if (e.name.endsWith('.html')) for (const m of fs.readFileSync(f, 'utf8').matchAll(/_formulas\/([0-9a-f]+\.svg)/gu)) refs.add(m[1]);
      }
    };
    walk(out);
    expect(refs.size).toBeGreaterThan(10);
    const files = fs.readdirSync(path.join(out, '_formulas')).sort();
    expect(files).not.toContain(STALE_FORMULA);
    expect(files).toEqual([...refs].sort());
  });

  it('hostile titles and author names render as plain text on the index and the entry page', async () => {
    const page = await open(`${dir(HOSTILE_ID)}/`);
    expect(await page.$eval('.entry-title', (e) => e.textContent)).toBe(HOSTILE_TITLE);
    expect(await page.title()).toContain(HOSTILE_TITLE);
    expect(await page.$eval('.entry-meta', (e) => e.textContent ?? '')).toContain(HOSTILE_AUTHOR);
    expect(await page.$$eval('main script, main img[src="x"], main b', (els) => els.length)).toBe(0);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    await page.close();
    const index = await openIndex();
    const cell = await index.$eval(`#archive-body tr[data-id="${HOSTILE_ID}"] td.title`, (e) => e.textContent);
    expect(cell).toBe(HOSTILE_TITLE);
    expect(await index.evaluate(() => window.__pwned)).toBeUndefined();
    await index.close();
  });

  it.skipIf(!havePdftotext)('the PDF link downloads a PDF holding the ID, the score, the warnings and the literal title', async () => {
    for (const id of ['EMD-91002', 'EMD-91003', HOSTILE_ID]) {
      const r = reports.get(id)!;
      const page = await open(`${dir(id)}/`);
      const href = await page.$eval('a[data-download="pdf"]', (a) => (a as unknown as El).href);
      await page.close();
      expect(href).toBe(`${server.url}${dir(id)}/${id}.pdf`);
      const res = await fetch(href);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const file = path.join(tmp, `${id}.pdf`);
      fs.writeFileSync(file, bytes);
      const text = squash(execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }));
      expect(text).toContain(id);
      expect(text).toContain(`${r.score.passing} of ${r.score.evaluable}`);
      expect(text).toMatch(/Page 1 of \d+/u);
      // The glance panel is drawn for print from glance.json (print-page.ts), not left pending.
      expect(text).toMatch(/▲ \d+ among all \d+ entr|No value of this entry is ranked/u);
      // pdftotext joins a word hyphenated at a line end without its hyphen ("over-|sharpened" →
      // "oversharpened"), so hyphens are compared away on both sides.
      const unhyphen = (x: string) => x.replace(/-/gu, '');
      for (const it of reportItems(r)) for (const w of it.warnings) expect(unhyphen(text), w.code).toContain(unhyphen(squash(w.text)));
      if (id === HOSTILE_ID) {
        expect(text).toContain(squash(HOSTILE_TITLE)); // the page heading
        expect(text).toContain(`${HOSTILE_ID} · Zanzibar <script>window.__pwned = 1</script> "quoted" &`); // the running header of every page
      }
      // Every raster figure is in the PDF (lazy images are loaded for printing); identical images may be shared.
      const figures = reportFigures(r).filter((f) => !f.svg);
      const distinct = new Set(figures.map((f) => fs.readFileSync(path.join(content, 'entries', id, f.file)).toString('base64')));
      if (id === HOSTILE_ID) expect(distinct.size).toBeGreaterThan(10);
      expect((bytes.toString('latin1').match(/\/Subtype\s*\/Image/gu) ?? []).length).toBeGreaterThanOrEqual(distinct.size);
    }
  });

  it('re-prints only the PDFs whose report changed', async () => {
    const ids = [...reports.keys()].sort();
    const opts = { siteDir: out, base: BASE, contentDir: content, cacheDir: pdfCache, ids, tabs: 2, folderOf: dir };
    expect(summary.pdf?.printed).toBe(ids.length);
    const again = await printPdfs(opts, PROJECT_ROOT);
    expect([again.printed, again.reused]).toEqual([0, ids.length]);
    fs.appendFileSync(path.join(content, 'entries', 'EMD-91003', 'report.json'), '\n');
    const changed = await printPdfs(opts, PROJECT_ROOT);
    expect([changed.printed, changed.reused]).toEqual([1, ids.length - 1]);
    expect(fs.existsSync(path.join(out, dir('EMD-91003'), 'EMD-91003.pdf'))).toBe(true);
  });

  it('every link and asset of the index and an entry page resolves under the sub-path', async () => {
    for (const rel of ['', `${dir('EMD-91002')}/`, 'methods/', 'statistics/']) {
      const page = await open(rel);
      // Typeset formulas are SVG files: each must decode as an image (a file that is not valid XML shows as a broken image).
      const math = await page.$$eval('img.math', (imgs) => imgs.map((i) => ({ src: (i as unknown as El).getAttribute('src'), ok: (i as unknown as { complete: boolean; naturalWidth: number }).complete && (i as unknown as { naturalWidth: number }).naturalWidth > 0 })));
      if (rel !== '' && rel !== 'statistics/') expect(math.length, `formulas on ${rel}`).toBeGreaterThan(5);
      expect(math.filter((m) => !m.ok), `broken formula images on ${rel || 'index'}`).toEqual([]);
      const urls = await page.$$eval('a[href], img[src], link[href], script[src]', (els) =>
        els.map((e) => (e as unknown as El).getAttribute('href') ?? (e as unknown as El).getAttribute('src') ?? ''),
      );
      await page.close();
      const internal = urls.filter((u) => !/^(https?:|mailto:|#)/u.test(u));
      expect(internal.length).toBeGreaterThan(3);
      for (const u of internal) {
        expect(u.startsWith(BASE), `${u} on ${rel || 'index'} starts with the base`).toBe(true);
        const res = await fetch(new URL(u, server.url), { method: 'HEAD' });
        expect(res.status, u).toBe(200);
      }
    }
  });

  it('has no serious or critical axe-core violations on the index, an entry page, the methods and the statistics page', async () => {
    const require = createRequire(import.meta.url);
    const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    for (const rel of ['', `${dir('EMD-91002')}/`, 'methods/', 'statistics/']) {
      const page = rel === '' ? await openIndex() : await open(rel);
      await page.addScriptTag({ content: axe });
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
      });
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad, `${rel || 'index'}: ${JSON.stringify(bad, null, 1)}`).toEqual([]);
      expect((page as Page & { jsErrors?: string[] }).jsErrors).toEqual([]);
      await page.close();
    }
  });
});
