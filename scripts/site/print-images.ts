/**
 * Figures sized for print. Chromium embeds a raster image in a PDF at its full pixel size,
 * re-compressed losslessly: a 1300 × 700 surface view printed 58 mm wide costs ~450 KB (575 dpi).
 * While printing, each figure larger than its printed box needs at `PRINT_DPI` is asked for again
 * with `?emvr-print=<width>`; the printing server answers with a JPEG of that width made by sharp (which Chromium's PDF writer passes through as it is). The site and its screen
 * images are untouched; only the PDF gets the smaller copies.
 */
import fs from 'node:fs/promises';
import sharp from 'sharp';
import type { Page } from 'puppeteer-core';
import { printSvg } from './print-svg.ts';

/** Resolution of figures in the PDFs (dots per inch of paper). */
export const PRINT_DPI = 150;

/** Query parameter that asks for a print-sized copy of an image (its pixel width). */
export const PRINT_PARAM = 'emvr-print';

/**
 * JPEG quality of the print copies (mozjpeg's encoder, whose trellis quantisation gives ~5 % fewer
 * bytes at the same quality): no visible blocking in surface views, plots' text or colour bars at
 * 200 % (quality 85 was 18 % larger for the same look).
 */
const JPEG_QUALITY = 80;

/** Width of the printed page box (A4 minus the 14 mm side margins of print.css) in CSS pixels. */
export const PRINT_TEXT_WIDTH_PX = Math.round(((210 - 2 * 14) / 25.4) * 96);

/**
 * The print-sized copy of a raster image: `width` pixels wide (never enlarged), transparent parts
 * on white (the paper), JPEG without chroma subsampling so thin coloured lines and labels stay
 * sharp, no metadata. The same input gives the same bytes.
 */
export async function printCopy(image: Uint8Array, width: number): Promise<Buffer> {
  return sharp(image)
    .resize({ width, withoutEnlargement: true, kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:4:4', mozjpeg: true })
    .toBuffer();
}

/** Value of `PRINT_PARAM` that asks for the print copy of an SVG figure (print-svg.ts). */
export const PRINT_SVG = 'svg';

/**
 * The static server's answer to `?emvr-print=<w>`: the print copy of a raster figure; to
 * `?emvr-print=svg`, that of an SVG figure (null for anything else, which is then served as it is).
 */
export async function printVariant(file: string, query: URLSearchParams): Promise<{ type: string; body: Uint8Array } | null> {
  if (query.get(PRINT_PARAM) === PRINT_SVG && /\.svg$/iu.test(file)) return { type: 'image/svg+xml', body: Buffer.from(printSvg(await fs.readFile(file, 'utf8'))) };
  const w = Number(query.get(PRINT_PARAM));
  if (!Number.isInteger(w) || w <= 0 || !/\.(png|jpe?g|webp)$/iu.test(file)) return null;
  return { type: 'image/jpeg', body: await printCopy(await fs.readFile(file), w) };
}

/**
 * In the loaded page (laid out for print): gives each figure its source, the print copy where the
 * figure is wider than `PRINT_DPI` needs at its printed width and for every SVG figure, and waits until every image has
 * loaded (or failed). A figure's URL is in `deferred` (print-page.ts: the tab laid the page out
 * without fetching any figure) or, in a page served as it is, in `src` (then fetched twice: full
 * size, then the copy). Lazy images are made eager. Runs in the browser: no imports.
 */
export function preparePrintImages(page: Page, deferred = 'data-emvr-src'): Promise<unknown> {
  return page.evaluate(
    (dpi: number, param: string, attr: string, svgValue: string) => {
      interface Img {
        loading: string;
        complete: boolean;
        src: string;
        getAttribute(n: string): string | null;
        removeAttribute(n: string): void;
        getBoundingClientRect(): { width: number };
        addEventListener(t: string, f: () => void, o: object): void;
      }
      const g = globalThis as unknown as { document: { images: ArrayLike<Img>; baseURI: string } };
      const images = Array.from(g.document.images);
      // Every box measured before any source is set: a source set first would not move a later box
      // (figure boxes do not depend on their pixels), but measuring all at once reads the layout once.
      const plan = images.map((img) => {
        const raw = img.getAttribute(attr) ?? img.getAttribute('src');
        return { url: raw === null || raw === '' ? null : new URL(raw, g.document.baseURI), shown: img.getBoundingClientRect().width };
      });
      return Promise.all(
        images.map((img, i) => {
          img.loading = 'eager';
          const { url, shown } = plan[i];
          const declared = Number(img.getAttribute('width'));
          const need = Math.ceil((shown * dpi) / 96);
          if (url && /\.(png|jpe?g|webp)$/iu.test(url.pathname) && shown > 0 && declared > need) url.searchParams.set(param, String(need));
          // Formulas are inline by now (print-page.ts); an SVG image left is a figure.
          if (url && /\.svg$/iu.test(url.pathname) && url.origin === new URL(g.document.baseURI).origin) url.searchParams.set(param, svgValue);
          const deferredSrc = img.getAttribute(attr) !== null;
          if (url && (deferredSrc || url.toString() !== img.src)) {
            img.removeAttribute(attr);
            img.src = url.toString();
          }
          return img.complete
            ? null
            : new Promise<void>((resolve) => {
                img.addEventListener('load', () => resolve(), { once: true });
                img.addEventListener('error', () => resolve(), { once: true });
              });
        }),
      );
    },
    PRINT_DPI,
    PRINT_PARAM,
    deferred,
    PRINT_SVG,
  );
}
