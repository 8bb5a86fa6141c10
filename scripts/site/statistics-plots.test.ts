/** The statistics page's figures: density cells against a direct count, dots or density, files drawn from the index rows. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { densityCells, scatterPlotSpec } from '../../analyzers/figures/plots.ts';
import { ITEM_IDS } from '../../analyzers/report/schema.ts';
import { KEY_VALUES, type IndexRow } from '../../site/src/lib/archive-index.ts';
import { MAX_DOTS, PLOT_SIZE, statisticsView } from '../../site/src/lib/statistics-view.ts';
import { writeStatisticsPlots } from './statistics-plots.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';

/** Park–Miller: a seeded stream in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

function points(n: number, seed: number): [number, number][] {
  const r = random(seed);
  return Array.from({ length: n }, () => [1 + 9 * r(), 1 + 9 * r() ** 2]);
}

/** Published entries with every ranked value set (fsc0143 near the reported resolution). */
function rows(n: number): IndexRow[] {
  const r = random(11);
  return Array.from({ length: n }, (_, i): IndexRow => {
    const res = Math.round(10 * (2 + 6 * r())) / 10;
    const keys = KEY_VALUES.map((k) => (k.column === 'fsc0143' ? res * (0.9 + 0.3 * r()) : r()));
    return [`EMD-${30000 + i}`, `entry ${i}`, res, '2024-01-01', null, 0, 0, 'o'.repeat(ITEM_IDS.length), ITEM_IDS.map(() => 0), ...keys];
  });
}

type Layer = { mark: string | { type: string }; data?: { values: Record<string, number>[] } };
const markOf = (l: Layer) => (typeof l.mark === 'string' ? l.mark : l.mark.type);

describe('statistics plots', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('density cells hold the points of the domain, each in the cell a direct count puts it', () => {
    const pts = [...points(3000, 5), [20, 5] as [number, number], [5, -1] as [number, number]];
    const cells = densityCells(pts, [1, 10], [1, 10]);
    expect(cells.reduce((a, c) => a + c.n, 0)).toBe(3000);
    for (const c of cells.filter((_, k) => k % 37 === 0)) {
      const lastX = c.x2 >= 10 - 1e-9, lastY = c.y2 >= 10 - 1e-9;
      const direct = pts.filter(([x, y]) => x >= c.x && (lastX ? x <= 10 : x < c.x2) && y >= c.y && (lastY ? y <= 10 : y < c.y2)).length;
      expect(c.n, `cell at ${c.x}, ${c.y}`).toBe(direct);
    }
  });

  it('draws a dot per point up to maxDots, a density above, and the diagonal', () => {
    const few = scatterPlotSpec({ front: { points: points(50, 3), densityTitle: 'n' }, xTitle: 'x', yTitle: 'y', diagonal: true, xDomain: [0, 10], yDomain: [0, 10] }) as unknown as { layer: Layer[] };
    expect(few.layer.map(markOf)).toEqual(['rule', 'point']);
    expect(few.layer[1].data!.values).toHaveLength(50);
    const many = scatterPlotSpec({ front: { points: points(MAX_DOTS + 1, 3), densityTitle: 'n' }, xTitle: 'x', yTitle: 'y', maxDots: MAX_DOTS }) as unknown as { layer: Layer[] };
    expect(many.layer.map(markOf)).toEqual(['rect']);
    expect(many.layer[0].data!.values.reduce((a, c) => a + c.n, 0)).toBe(MAX_DOTS + 1);
  });

  it('writes every figure of the page at the size the page reserves, and rewrites none when nothing changed', async () => {
    const site = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-statplots-'));
    dirs.push(site);
    const r = rows(300);
    const first = await writeStatisticsPlots(site, r, projectRoot);
    const view = statisticsView(r);
    const files = [...view.plots, ...view.distributions].map((p) => p.file);
    expect(first).toEqual({ written: files.length, unchanged: 0 });
    for (const f of files) {
      const svg = fs.readFileSync(path.join(site, 'statistics', f), 'utf8');
      expect(svg, f).toMatch(new RegExp(`^<svg[^>]*width="${PLOT_SIZE.width}"[^>]*height="${PLOT_SIZE.height}"`, 'u'));
    }
    // The resolution plot draws each of the 300 entries as a black dot.
    expect(fs.readFileSync(path.join(site, 'statistics', 'resolution.svg'), 'utf8').match(/<path [^>]*fill="#000000" stroke="#ffffff"/gu)).toHaveLength(300);
    expect(await writeStatisticsPlots(site, r, projectRoot)).toEqual({ written: 0, unchanged: files.length });
  });
});
