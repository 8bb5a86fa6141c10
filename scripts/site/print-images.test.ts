/**
 * Print-sized figures (print-images.ts): the copy has the width asked for (never more than the
 * original), is a JPEG with transparency on white and the colours of the original, and is the same
 * bytes every time; only raster files asked for with the parameter get one.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { PRINT_TEXT_WIDTH_PX, printCopy, printImage, printWidth } from './print-images.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A 600 × 300 RGBA test card: left half red, right half blue, the bottom quarter transparent. */
async function card(): Promise<Buffer> {
  const w = 600;
  const h = 300;
  const px = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      px[i] = x < w / 2 ? 220 : 0;
      px[i + 2] = x < w / 2 ? 0 : 200;
      px[i + 3] = y < (3 * h) / 4 ? 255 : 0;
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
}

describe('print copies of figures', () => {
  it('is the A4 text width in CSS pixels (182 mm at 96 per inch)', () => {
    expect(PRINT_TEXT_WIDTH_PX).toBe(688);
  });

  it('resizes to the width asked for, as a JPEG, keeping colours and putting transparency on white', async () => {
    const out = await printCopy(await card(), 150);
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([150, 75]);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    // Well inside each region, within JPEG's error of the exact colour.
    const close = (got: number[], want: number[]) => got.every((v, k) => Math.abs(v - want[k]) <= 6);
    expect(close(at(30, 20), [220, 0, 0]), String(at(30, 20))).toBe(true);
    expect(close(at(120, 20), [0, 0, 200]), String(at(120, 20))).toBe(true);
    expect(close(at(30, 70), [255, 255, 255]), String(at(30, 70))).toBe(true);
  });

  it('never enlarges and gives the same bytes twice', async () => {
    const src = await card();
    const a = await printCopy(src, 2000);
    expect((await sharp(a).metadata()).width).toBe(600);
    expect(Buffer.compare(a, await printCopy(src, 2000))).toBe(0);
  });

  it('gives the PDF a copy only of a raster figure larger than its printed width needs, an SVG drawn for print, others as they are', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'emvr-print-img-'));
    dirs.push(dir);
    const png = path.join(dir, 'f.png');
    const svg = path.join(dir, 'f.svg');
    const txt = path.join(dir, 'f.txt');
    await writeFile(png, await card());
    await writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0,0L9,9" stroke-dasharray="1,0"/></svg>');
    await writeFile(txt, 'x');
    // 150 dpi: a box 96 CSS px (one inch) wide needs 150 pixels.
    expect(printWidth(96)).toBe(150);
    const small = await printImage(png, 96, 600);
    expect(small?.type).toBe('image/jpeg');
    expect((await sharp(small!.body).metadata()).width).toBe(150);
    // Printed wide enough for its pixels (600 px at 150 dpi is 384 CSS px): the file itself.
    for (const shown of [384, 500]) {
      const same = await printImage(png, shown, 600);
      expect(same?.type).toBe('image/png');
      expect(Buffer.compare(Buffer.from(same!.body), await readFile(png))).toBe(0);
    }
    // Not laid out (0 wide): the file itself.
    expect((await printImage(png, 0, 600))?.type).toBe('image/png');
    const drawn = await printImage(svg, 96, 10);
    expect(drawn?.type).toBe('image/svg+xml');
    expect(Buffer.from(drawn!.body).toString('utf8')).toBe('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0,0L9,9"/></svg>');
    expect(await printImage(txt, 96, 600)).toBeNull();
  });
});
