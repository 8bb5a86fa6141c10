/**
 * Figures sized for print. Chromium embeds a raster image in a PDF at its full pixel size,
 * re-compressed losslessly: a 1300 × 700 surface view printed 58 mm wide costs ~450 KB (575 dpi).
 * The printing tab lays the entry page out without its figures (print-page.ts); then each figure's
 * printed width is read from the layout, and Node hands the tab every figure at once, as data URLs:
 * a raster figure wider than its printed box needs at `PRINT_DPI` as a JPEG of that width made by
 * sharp (which Chromium's PDF writer passes through as it is), an SVG plot as drawn for print
 * (print-svg.ts), any other as its file. Fetching the ~40 figures of a page over HTTP instead cost
 * Chromium ~0.5 s of CPU per entry (one request, response and re-layout per figure) of ~1.2 s.
 * The site and its screen images are untouched; only the PDF gets the smaller copies.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Page } from 'puppeteer-core';
import { printSvg } from './print-svg.ts';

/** Resolution of figures in the PDFs (dots per inch of paper). */
export const PRINT_DPI = 150;

/** Query parameter of the printing server: `?emvr-print=page` asks for the printing tab's page. */
export const PRINT_PARAM = 'emvr-print';

/** Attribute that holds a figure's URL until the printing tab gets the figure (print-page.ts). */
export const DEFERRED_SRC = 'data-emvr-src';

/**
 * JPEG quality of the print copies: no visible blocking in surface views, plots' text or colour
 * bars at 200 % (quality 85 was 16 % larger for the same look; mozjpeg's encoder saved 5 % more
 * for 70 % more encoding time, not taken).
 */
const JPEG_QUALITY = 80;

/** Width of the printed page box (A4 minus the 14 mm side margins of print.css) in CSS pixels. */
export const PRINT_TEXT_WIDTH_PX = Math.round(((210 - 2 * 14) / 25.4) * 96);

const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.svg': 'image/svg+xml', '.gif': 'image/gif' };

/**
 * The print-sized copy of a raster image: `width` pixels wide (never enlarged), transparent parts
 * on white (the paper), JPEG without chroma subsampling so thin coloured lines and labels stay
 * sharp, no metadata. The same input gives the same bytes.
 */
export async function printCopy(image: Uint8Array, width: number): Promise<Buffer> {
  return sharp(image)
    .resize({ width, withoutEnlargement: true, kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** Pixel width a figure needs to be printed `shownCssPx` CSS pixels wide at `PRINT_DPI`. */
export function printWidth(shownCssPx: number): number {
  return Math.ceil((shownCssPx * PRINT_DPI) / 96);
}

/**
 * What the PDF gets for the figure in `file`, printed `shownCssPx` wide, `declaredWidth` pixels
 * wide as the page declares it: the print copy of a raster figure larger than it needs, the print
 * drawing of an SVG, or the file itself (null: a type that is no figure).
 */
export async function printImage(file: string, shownCssPx: number, declaredWidth: number): Promise<{ type: string; body: Uint8Array } | null> {
  const ext = path.extname(file).toLowerCase();
  const type = TYPES[ext];
  if (!type) return null;
  if (ext === '.svg') return { type, body: Buffer.from(printSvg(await fs.readFile(file, 'utf8'))) };
  const need = printWidth(shownCssPx);
  if (ext !== '.gif' && shownCssPx > 0 && declaredWidth > need) return { type: 'image/jpeg', body: await printCopy(await fs.readFile(file), need) };
  return { type, body: await fs.readFile(file) };
}

/** One image of the laid-out page: its URL (absolute), printed width (CSS px) and declared width. */
interface Placed {
  url: string | null;
  shown: number;
  declared: number;
}

/**
 * Gives every image of the laid-out page its figure (see the file comment) and waits until each has
 * loaded or failed. `fileOf` maps an image's URL path to its file in the site (null: the image is
 * left to the browser, e.g. another site's). Lazy images are made eager.
 */
export async function placePrintImages(page: Page, fileOf: (urlPath: string) => string | null): Promise<void> {
  // Every box measured before any figure arrives: figure boxes are sized by the stylesheet, not by their pixels.
  const placed = await page.evaluate((attr: string) => {
    interface Img {
      getAttribute(n: string): string | null;
      getBoundingClientRect(): { width: number };
    }
    const g = globalThis as unknown as { document: { images: ArrayLike<Img>; baseURI: string } };
    return Array.from(g.document.images, (img) => {
      const raw = img.getAttribute(attr) ?? img.getAttribute('src');
      return { url: raw === null || raw === '' ? null : new URL(raw, g.document.baseURI).href, shown: img.getBoundingClientRect().width, declared: Number(img.getAttribute('width')) };
    });
  }, DEFERRED_SRC);
  const origin = new URL(page.url()).origin;
  const made = new Map<string, Promise<string | null>>();
  const dataUrl = (p: Placed): Promise<string | null> => {
    if (p.url === null || p.url.startsWith('data:')) return Promise.resolve(null);
    const u = new URL(p.url);
    const file = u.origin === origin ? fileOf(decodeURIComponent(u.pathname)) : null;
    if (file === null) return Promise.resolve(null);
    const key = `${file}\n${printWidth(p.shown)}\n${p.declared}`;
    if (!made.has(key)) made.set(key, printImage(file, p.shown, p.declared).then((r) => (r ? `data:${r.type};base64,${Buffer.from(r.body).toString('base64')}` : null), () => null));
    return made.get(key)!;
  };
  const sources = await Promise.all(placed.map((p) => dataUrl(p)));
  await page.evaluate(
    (attr: string, urls: (string | null)[], data: (string | null)[]) => {
      interface Img {
        loading: string;
        complete: boolean;
        src: string;
        removeAttribute(n: string): void;
        addEventListener(t: string, f: () => void, o: object): void;
      }
      const images = Array.from((globalThis as unknown as { document: { images: ArrayLike<Img> } }).document.images);
      return Promise.all(
        images.map((img, i) => {
          img.loading = 'eager';
          const src = data[i] ?? urls[i];
          img.removeAttribute(attr);
          if (src !== null && src !== img.src) img.src = src;
          // Some Chromium releases (150 on Debian 12) print an image not yet loaded as an empty box.
          return img.complete
            ? null
            : new Promise<void>((resolve) => {
                img.addEventListener('load', () => resolve(), { once: true });
                img.addEventListener('error', () => resolve(), { once: true });
              });
        }),
      );
    },
    DEFERRED_SRC,
    placed.map((p) => p.url),
    sources,
  );
}
