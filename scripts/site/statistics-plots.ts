/**
 * The statistics page's figures: each plot that site/src/lib/statistics-view.ts describes, drawn
 * with the report's Vega-Lite charts (analyzers/figures/plots.ts: one look for every chart of the
 * project) into `<site>/statistics/<id>.svg`. Run by the site build after Astro, from the same
 * index rows the page was rendered from; a file is written only when its bytes change (each in
 * one rename), so an unchanged archive leaves the figures as they were.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { histogramPlotSpec, plotSvg, scatterPlotSpec } from '../../analyzers/figures/plots.ts';
import { histogram } from '../../analyzers/methods/order-statistics.ts';
import { writeIfChanged } from './write-if-changed.ts';
import type { IndexRow } from '../../site/src/lib/archive-index.ts';
import { PLOT_SIZE, statisticsView, type PlotView } from '../../site/src/lib/statistics-view.ts';

/** Folder of the statistics page and its files in the site. */
export const STATISTICS_FOLDER = 'statistics';

/** The SVG text of one plot. */
export async function statisticsPlotSvg(p: PlotView): Promise<string> {
  const f = p.figure;
  const spec =
    f.kind === 'histogram'
      ? (() => {
          const h = histogram(f.values, f.bins, f.range);
          return histogramPlotSpec({ counts: h.counts, edges: h.edges, xTitle: f.xTitle, yTitle: 'Entries', wholeTicks: true, title: p.title });
        })()
      : scatterPlotSpec({ ...f, title: p.title });
  const svg = await plotSvg(spec);
  const size = /^<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/u.exec(svg);
  // The page reserves PLOT_SIZE for each figure before it loads.
  if (!size || Math.round(Number(size[1])) !== PLOT_SIZE.width || Math.round(Number(size[2])) !== PLOT_SIZE.height) {
    throw new Error(`statistics plot ${p.id}: drawn ${size ? `${size[1]} × ${size[2]}` : 'without a size'}, the page expects ${PLOT_SIZE.width} × ${PLOT_SIZE.height}`);
  }
  return `${svg}\n`;
}

/** Writes every plot of the statistics page into `<siteDir>/statistics/`; returns the files written and left. */
export async function writeStatisticsPlots(siteDir: string, rows: readonly IndexRow[], projectRoot: string): Promise<{ written: number; unchanged: number }> {
  // MapQ's table is found from the project root, as in the Astro step (whatever folder `emvr build` runs in).
  process.env.EMVR_PROJECT_ROOT ??= projectRoot;
  const view = statisticsView(rows);
  const dir = path.join(siteDir, STATISTICS_FOLDER);
  await fsp.mkdir(dir, { recursive: true });
  let written = 0, unchanged = 0;
  for (const p of [...view.plots, ...view.distributions]) {
    if (await writeIfChanged(path.join(dir, p.file), await statisticsPlotSvg(p))) written++;
    else unchanged++;
  }
  return { written, unchanged };
}
