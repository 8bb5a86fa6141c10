/**
 * Issue 23, fault 7: printed PDFs differed after a crash and rerun (Chromium stamps the time of
 * printing). The same report page printed twice, seconds apart, through the real printing path
 * (printPdfs: static server, headless Chromium, the cache), must give the same bytes; a large figure
 * is printed from its 150-dpi copy (issue 22). Skips
 * visibly without Chromium.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { chromiumPath } from './browser.ts';
import { FIXED_PDF_DATE, fixedDateLike, normalizePdfDates } from './pdf-normalize.ts';
import { printPdfs } from './print-pdfs.ts';

const haveChromium = chromiumPath() !== null;
if (!haveChromium) console.warn('SKIPPED PDF determinism through Chromium: no Chromium (install Debian "chromium" or set EMVR_CHROMIUM)');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('PDF dates', () => {
  it('replaces the creation and modification dates in place, keeping every other byte and the length', () => {
    const body = "%PDF-1.4\n1 0 obj\n<</Producer (Skia/PDF m150)\n/CreationDate (D:20261207112554+01'00')\n/ModDate (D:20261207112555Z)>>\nendobj\nxref\n0 2\n";
    const pdf = new Uint8Array(Buffer.from(body, 'latin1'));
    const out = normalizePdfDates(pdf);
    expect(out.length).toBe(pdf.length);
    expect(Buffer.from(out).toString('latin1')).toBe(body.replace("D:20261207112554+01'00'", FIXED_PDF_DATE).replace('D:20261207112555Z', 'D:20000101000000Z'));
    expect(Buffer.from(pdf).toString('latin1')).toBe(body); // the input is not modified
  });
  it('keeps the precision and time-zone form of a date', () => {
    expect(fixedDateLike("D:20261207112554-05'30'")).toBe(FIXED_PDF_DATE);
    expect(fixedDateLike('D:2026120711')).toBe('D:2000010100');
  });
});

describe.skipIf(!haveChromium)('printing the same report twice', () => {
  it('gives identical bytes', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'emvr-pdf-same-'));
    dirs.push(root);
    const id = 'EMD-4321';
    const siteDir = path.join(root, 'site');
    const contentDir = path.join(root, 'content');
    await mkdir(path.join(siteDir, id), { recursive: true });
    await mkdir(path.join(contentDir, 'entries', id), { recursive: true });
    await writeFile(path.join(siteDir, id, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><title>${id}</title></head><body><h1 class="entry-title" id="top">A test entry</h1><p>Passing 7 of 9 evaluable items.</p><p><a href="#top">contents</a> · <a href="report.json">report</a> · <a href="https://www.ebi.ac.uk/emdb/">EMDB</a></p><a href="fig.png"><img src="fig.png" width="1300" height="700" style="width: 60mm; height: auto" loading="lazy"></a></body></html>`);
    // A figure of 1300 pixels printed 60 mm wide: printed from a 150-dpi copy (355 pixels, JPEG).
    await writeFile(path.join(siteDir, id, 'fig.png'), await sharp({ create: { width: 1300, height: 700, channels: 3, background: '#3060a0' } }).png().toBuffer());
    await writeFile(path.join(contentDir, 'entries', id, 'report.json'), JSON.stringify({ provenance: { analyzer: { version: 'test' } } }));
    const print = async (cacheDir: string) => {
      const s = await printPdfs({ siteDir, base: '/', contentDir, cacheDir, ids: [id], tabs: 1, force: true }, projectRoot);
      expect(s.failed).toEqual([]);
      expect(s.printed).toBe(1);
      return readFile(path.join(cacheDir, `${id}.pdf`));
    };
    const first = await print(path.join(root, 'cache-1'));
    // Chromium's dates have one-second resolution: print again in another second.
    await sleep(1100);
    const second = await print(path.join(root, 'cache-2'));
    expect(first.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(first.toString('latin1')).toContain(`/CreationDate (${FIXED_PDF_DATE})`);
    // Each printing has its own server port: links to the site's files must not carry it.
    expect(Buffer.compare(first, second)).toBe(0);
    const text = first.toString('latin1');
    expect(text).not.toContain('127.0.0.1');
    expect(text).toContain('/URI (https://www.ebi.ac.uk/emdb/)');
    expect(text).toMatch(/\/Filter\s*\/DCTDecode/u);
    const widths = [...text.matchAll(/\/Subtype\s*\/Image[^>]*?\/Width\s+(\d+)|\/Width\s+(\d+)[^>]*?\/Subtype\s*\/Image/gu)].map((m) => Number(m[1] ?? m[2]));
    expect(widths).toEqual([Math.ceil((60 / 25.4) * 150)]);
  }, 120_000);
});
