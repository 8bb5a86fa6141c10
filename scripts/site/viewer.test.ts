/**
 * The entry page's 3-D viewer in headless Chromium with software WebGL (SwiftShader), for a
 * simulated map (a phantom, coloured by its 0.e local resolution) and a real EMDB map with its
 * fitted model (the EMD-2566 crop with chain 9 of 3J6B, coloured by residue Q). The site is built
 * under a sub-path without PDFs or search. Checks: the page loads no Mol* code and no viewer data
 * before the click; after it the canvas is drawn (pixel variance), the colouring changes the
 * colours, nothing is fetched from outside the site, and the console shows no error. Screenshots
 * are kept in `EMVR_VIEWER_SHOTS` when set. Skips visibly without Chromium or the fixtures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'puppeteer-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { fixture, haveFixtures } from '../../analyzers/testing/fixtures.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { VIEWER_BUNDLE } from '../../site/src/lib/viewer-paths.ts';
import { chromiumPath, launchChromium } from './browser.ts';
import { buildSite } from './build-site.ts';
import { startStaticServer, type StaticServer } from './static-server.ts';

/** The little of the DOM the browser-side callbacks use (the project compiles without the DOM lib). */
declare const document: { querySelector(s: string): { dataset: Record<string, string | undefined> } | null };
declare const getComputedStyle: (e: unknown) => { display: string };

const haveChromium = chromiumPath() !== null;
if (!haveChromium) console.warn('SKIPPED viewer tests: no Chromium (install Debian "chromium" or set EMVR_CHROMIUM)');
const withFixtures = haveFixtures('viewer test of EMD-2566 with its model');

const BASE = '/emvr-viewer/sub/';
const meta = { authors: ['emvr test'], depositionDate: null, releaseDate: null, method: null, pdbIds: [] };

/** Mean and standard deviation of the luminance, and the share of strongly coloured pixels (max − min channel > 60). */
async function pixelStats(png: Uint8Array): Promise<{ mean: number; std: number; coloured: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let sum = 0, sum2 = 0, coloured = 0;
  const n = info.width * info.height;
  for (let i = 0; i < n; i++) {
    const r = data[3 * i], g = data[3 * i + 1], b = data[3 * i + 2];
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += y;
    sum2 += y * y;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), coloured: coloured / n };
}

describe.skipIf(!haveChromium)('3-D viewer on entry pages', () => {
  let tmp = '';
  let out = '';
  let server: StaticServer;
  let browser: Browser;
  const shots = process.env.EMVR_VIEWER_SHOTS;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-viewer-test-'));
    const content = path.join(tmp, 'content');
    out = path.join(tmp, 'dist');
    const p = await makePhantom('well-behaved', { seed: 7, box: 80 });
    const phantomMap = path.join(tmp, 'phantom.mrc');
    await writeMrc(phantomMap, p.volume);
    // Figures off (the slow part), viewer files on: what the page needs.
    await analyzeEntry({ mapPath: phantomMap, entryDir: path.join(content, 'entries', 'EMD-91101'), figures: false, viewer: true, entry: { ...meta, id: 'EMD-91101', title: 'Phantom well-behaved', resolution: p.resolution, threshold: p.threshold } });
    if (withFixtures) {
      const dir = fixture('EMD-2566-crop');
      await analyzeEntry({ mapPath: path.join(dir, '2566_3J6B_9.mrc'), modelPath: path.join(dir, 'model', '3J6B_9.pdb'), entryDir: path.join(content, 'entries', 'EMD-2566'), figures: false, viewer: true, entry: { ...meta, id: 'EMD-2566', title: 'EMD-2566 crop with chain 9 of 3J6B', resolution: 3.2, threshold: 0.12 } });
    }
    await buildSite({ content, out, base: BASE, pdf: false, search: false, log: () => undefined });
    server = await startStaticServer({ dir: out, base: BASE });
    browser = await launchChromium({ webgl: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('publishes the Mol* bundle apart from the pages (size stated)', () => {
    const bytes = fs.readFileSync(path.join(out, VIEWER_BUNDLE));
    const gz = gzipSync(bytes, { level: 9 }).length;
    console.log(`viewer bundle: ${bytes.length} bytes, ${gz} gzip'd`);
    expect(gz).toBeLessThan(1_500_000);
  });

  const cases: { id: string; colouring: string; what: string; skip: boolean }[] = [
    { id: 'EMD-91101', colouring: '0.e', what: 'a phantom coloured by local resolution', skip: false },
    { id: 'EMD-2566', colouring: 'A.e', what: 'a real map with its model coloured by residue Q', skip: !withFixtures },
  ];

  for (const c of cases) {
    it.skipIf(c.skip)(`draws ${c.what}, loading Mol* only on the click`, async () => {
      const page = await browser.newPage();
      await page.setViewport({ width: 1000, height: 900 });
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${(e as Error).message}`));
      const res = await page.goto(`${server.url}${entryFolder(c.id, fanOut())}/`, { waitUntil: 'load' });
      expect(res?.status()).toBe(200);

      const beforeClick = [...requests];
      expect(beforeClick.filter((u) => u.includes('_viewer/') || u.includes('/viewer/') || /molstar/iu.test(u))).toEqual([]);
      const scripts = beforeClick.filter((u) => u.endsWith('.js'));
      const scriptBytes = scripts.reduce((n, u) => n + fs.statSync(path.join(out, new URL(u).pathname.slice(BASE.length))).size, 0);
      expect(scriptBytes).toBeLessThan(100_000);
      // Screen only: hidden in print, where the static views stand.
      await page.emulateMediaType('print');
      expect(await page.$eval('[data-viewer]', (e) => getComputedStyle(e).display)).toBe('none');
      await page.emulateMediaType('screen');

      await page.click('[data-viewer-open]');
      await page.waitForFunction(() => document.querySelector('[data-viewer]')?.dataset.viewerState !== 'loading', { timeout: 120_000 });
      const state = await page.$eval('[data-viewer]', (e) => {
        const d = (e as unknown as { dataset: Record<string, string> }).dataset;
        return { state: d.viewerState, ms: d.loadMs, renderer: d.renderer };
      });
      expect(state.state).toBe('ready');
      const viewerRequests = requests.slice(beforeClick.length).map((u) => new URL(u).pathname);
      expect(viewerRequests).toContain(`${BASE}${VIEWER_BUNDLE}`);
      expect(viewerRequests.some((u) => u.endsWith('/viewer/map.mrc.gz'))).toBe(true);
      console.log(`${c.id}: click to first draw ${state.ms} ms (WebGL renderer ${state.renderer}); fetched ${viewerRequests.filter((u) => u.startsWith(BASE)).join(', ')}`);

      // The canvas's own pixels (Mol* keeps its drawing buffer): a compositor screenshot would wait out every software-drawn frame.
      const canvasPng = async () => Buffer.from((await page.$eval('[data-viewer-canvas] canvas', (e) => (e as unknown as { toDataURL(t: string): string }).toDataURL('image/png'))).split(',')[1], 'base64');
      const plain = await canvasPng();
      const p0 = await pixelStats(plain);
      expect(p0.std).toBeGreaterThan(10); // not a blank canvas

      await page.select('[data-viewer-colour]', c.colouring);
      await page.waitForFunction((id: string) => document.querySelector('[data-viewer]')?.dataset.colouring === id, { timeout: 60_000 }, c.colouring);
      const coloured = await canvasPng();
      const p1 = await pixelStats(coloured);
      expect(p1.std).toBeGreaterThan(10);
      // Viridis on the surface: far more strongly coloured pixels than the grey surface had.
      expect(p1.coloured).toBeGreaterThan(p0.coloured + 0.02);
      console.log(`${c.id}: luminance std ${p0.std.toFixed(1)} plain, ${p1.std.toFixed(1)} coloured; coloured pixels ${(100 * p0.coloured).toFixed(1)}% → ${(100 * p1.coloured).toFixed(1)}%`);
      if (shots) {
        fs.mkdirSync(shots, { recursive: true });
        fs.writeFileSync(path.join(shots, `${c.id}-plain.png`), plain);
        fs.writeFileSync(path.join(shots, `${c.id}-${c.colouring.replace('.', '')}.png`), coloured);
      }

      expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:'))).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    }, 180_000);
  }
});
