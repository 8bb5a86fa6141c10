import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linePlot } from './plots.ts';
import { renderGrey } from './slices.ts';
import { pngSize, svgSize, writePlot, writePng, writeSvg } from './write-figure.ts';

let entryDir = '';
let figuresDir = '';

beforeAll(async () => {
  entryDir = await mkdtemp(path.join(os.tmpdir(), 'emvr-write-figure-'));
  figuresDir = path.join(entryDir, 'figures');
});

afterAll(async () => {
  await rm(entryDir, { recursive: true, force: true });
});

describe('pngSize and svgSize', () => {
  it('read the size from the IHDR chunk and the root element', async () => {
    const r = await renderGrey({ width: 3, height: 2, data: Float32Array.of(0, 1, 2, 3, 4, 5) }, { scale: 5 });
    expect(pngSize(r.png)).toEqual({ width: 15, height: 10 });
    expect(svgSize('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360.4"><g width="1"/></svg>')).toEqual({ width: 640, height: 360 });
    expect(() => pngSize(new Uint8Array(30))).toThrow(/not a PNG/u);
    expect(() => svgSize('<svg><rect width="3" height="4"/></svg>')).toThrow(/no numeric width/u);
  });
});

describe('writePng, writeSvg, writePlot', () => {
  it('writes a PNG under figures/ and returns the entry-relative path and pixel size', async () => {
    const r = await renderGrey({ width: 4, height: 2, data: Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7) });
    const w = await writePng(figuresDir, 'input-central-x', r.png);
    expect(w).toEqual({ file: 'figures/input-central-x.png', width: r.width, height: r.height });
    expect(Buffer.compare(await readFile(path.join(entryDir, w.file)), r.png)).toBe(0);
  });

  it('overwrites atomically and leaves no temporary files behind', async () => {
    const a = await renderGrey({ width: 2, height: 2, data: Float32Array.of(0, 1, 2, 3) });
    const b = await renderGrey({ width: 2, height: 2, data: Float32Array.of(3, 2, 1, 0) });
    await writePng(figuresDir, 'again', a.png);
    await writePng(figuresDir, 'again', b.png);
    expect(Buffer.compare(await readFile(path.join(figuresDir, 'again.png')), b.png)).toBe(0);
    expect((await readdir(figuresDir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('writes a plot as SVG and PNG with the display size', async () => {
    const p = await linePlot({ series: [{ name: 's', x: [0, 1, 2], y: [1, 3, 2] }], xTitle: 'x (Å)', yTitle: 'y (a.u.)' });
    const w = await writePlot(figuresDir, '0d-guinier', p.svg, p.png);
    expect(w).toEqual({ file: 'figures/0d-guinier.png', svg: 'figures/0d-guinier.svg', width: p.width, height: p.height });
    expect(await readFile(path.join(entryDir, w.svg), 'utf8')).toBe(p.svg);
    const s = await writeSvg(figuresDir, 'plain', p.svg);
    expect(s).toEqual({ file: 'figures/plain.svg', width: p.width, height: p.height });
  });

  it('refuses a folder not named figures and names that are not bare stems', async () => {
    const r = await renderGrey({ width: 1, height: 1, data: Float32Array.of(1) });
    await expect(writePng(entryDir, 'x', r.png)).rejects.toThrow(/"figures" folder/u);
    for (const bad of ['a/b', 'x.png', '', '.hidden', 'sp ace']) {
      await expect(writePng(figuresDir, bad, r.png)).rejects.toThrow(/must be a stem/u);
    }
  });
});
