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

/** Resolution of figures in the PDFs (dots per inch of paper). */
export const PRINT_DPI = 150;

/** Query parameter that asks for a print-sized copy of an image (its pixel width). */
export const PRINT_PARAM = 'emvr-print';

/** JPEG quality of the print copies: no visible blocking in slices, plots' text or colour bars. */
const JPEG_QUALITY = 85;

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
    .jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/**
 * The static server's answer to `?emvr-print=<w>`: the print copy of a raster figure (null for
 * anything else, which is then served as it is).
 */
export async function printVariant(file: string, query: URLSearchParams): Promise<{ type: string; body: Uint8Array } | null> {
  const w = Number(query.get(PRINT_PARAM));
  if (!Number.isInteger(w) || w <= 0 || !/\.(png|jpe?g|webp)$/iu.test(file)) return null;
  return { type: 'image/jpeg', body: await printCopy(await fs.readFile(file), w) };
}

/**
 * In the loaded page (laid out for print): makes every lazy image eager, points each raster figure
 * wider than `PRINT_DPI` needs at its print copy, and waits until every image has loaded (or
 * failed). Runs in the browser: no imports.
 */
export function preparePrintImages(page: Page): Promise<unknown> {
  return page.evaluate(
    (dpi: number, param: string) => {
      interface Img {
        loading: string;
        complete: boolean;
        src: string;
        getAttribute(n: string): string | null;
        getBoundingClientRect(): { width: number };
        addEventListener(t: string, f: () => void, o: object): void;
      }
      const doc = (globalThis as unknown as { document: { images: ArrayLike<Img> } }).document;
      return Promise.all(
        Array.from(doc.images, (img) => {
          img.loading = 'eager';
          const declared = Number(img.getAttribute('width'));
          const shown = img.getBoundingClientRect().width;
          const need = Math.ceil((shown * dpi) / 96);
          if (/\.(png|jpe?g|webp)$/iu.test(new URL(img.src).pathname) && shown > 0 && declared > need) {
            const u = new URL(img.src);
            u.searchParams.set(param, String(need));
            img.src = u.toString();
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
  );
}
