/**
 * What the statistics page shows: the archive's size, the resolution bands with their
 * populations, and the plots, each with its CSV (lib/statistics-data.ts). A plot is described here
 * (its data, axes and caption) and drawn by the site build with the report's Vega-Lite charts
 * (scripts/site/statistics-plots.ts → `/statistics/<id>.svg`), so the page and its figures come
 * from the same rows. Built from the archive index rows; with many entries the scatter plots draw
 * densities instead of dots, so the figures weigh the same at 200 entries or 50,000.
 */
import { LEVELS, type Level } from '../../../analyzers/report/item-spec.ts';
import type { IndexRow } from './archive-index.ts';
import { PERCENTILE_DEFINITION, RANKED_COLUMNS, sharedArchiveStatistics } from './archive-statistics.ts';
import { statisticsTables, type TableName } from './statistics-data.ts';

/** A scatter plot's point set and the legend title of its density. */
export interface ScatterSetView {
  points: [number, number][];
  densityTitle: string;
}

/** What a plot draws (the data of scripts/site/statistics-plots.ts's Vega-Lite charts). */
export type StatFigure =
  | { kind: 'histogram'; values: readonly number[]; xTitle: string; bins: number; range?: [number, number] }
  | { kind: 'scatter'; front: ScatterSetView; background?: ScatterSetView; xTitle: string; yTitle: string; diagonal?: boolean; xDomain?: [number, number]; yDomain?: [number, number]; maxDots: number };

export interface PlotView {
  id: string;
  title: string;
  caption: string;
  /** The figure's file in /statistics/ (`<id>.svg`). */
  file: string;
  figure: StatFigure;
  csv: TableName;
}

/** Size of every plot in CSS px: the report's charts are all drawn at 640 × 360 (analyzers/figures/plots.ts; the build checks). */
export const PLOT_SIZE = { width: 640, height: 360 } as const;

/** Above this many entries a scatter plot draws their density, not a dot each. */
export const MAX_DOTS = 2000;

export interface StatisticsView {
  entries: number;
  percentile: string;
  bands: { label: string; entries: number }[];
  /** Distributions of the ranked values (one histogram each), then the other plots. */
  distributions: PlotView[];
  plots: PlotView[];
}

/** "1 entry", "1,234 entries". */
function entries(n: number): string {
  return `${n.toLocaleString('en-US')} entr${n === 1 ? 'y' : 'ies'}`;
}

const LEVEL_NAMES: Record<Level, string> = { '0': 'Level 0 (the map)', '1': 'Level 1 (the half maps)', A: 'Level A (the model)' };

export function statisticsView(rows: readonly IndexRow[]): StatisticsView {
  const stats = sharedArchiveStatistics(rows);
  const tables = statisticsTables(rows);
  // Entries per band (those without a reported resolution are in no band).
  const bandCounts = stats.bandLabels.map(() => 0);
  for (const r of tables['headline-values'].rows) {
    const k = stats.bandLabels.indexOf(String(r[2]));
    if (k >= 0) bandCounts[k]++;
  }
  const distributions = stats.columns
    .map((c, k): PlotView | null => {
      if (c.all.length === 0) return null;
      const unit = c.unit ? ` (${c.unit})` : '';
      const better = c.better === null ? 'neither side is better' : `${c.better} is better`;
      return {
        id: `dist-${c.column}`,
        title: c.label,
        caption: `${c.label}${unit}: ${entries(c.all.length)}; ${better}.`,
        file: `dist-${c.column}.svg`,
        figure: { kind: 'histogram', values: c.all, xTitle: `${RANKED_COLUMNS[k].label}${unit}`, bins: Math.min(30, Math.max(8, Math.round(Math.sqrt(c.all.length)))) },
        csv: 'headline-values',
      };
    })
    .filter((p): p is PlotView => p !== null);

  const res = tables.resolution.rows.map((r) => [r[1] as number, r[2] as number] as [number, number]);
  const q = tables.qscore.rows;
  const ours = q.filter((r) => r[1] === 'this archive').map((r) => [r[2] as number, r[3] as number] as [number, number]);
  const emdb = q.filter((r) => r[1] !== 'this archive').map((r) => [r[2] as number, r[3] as number] as [number, number]);
  const plots: PlotView[] = [
    {
      id: 'resolution',
      title: 'Reported vs estimated resolution',
      caption: `Reported resolution against 1.a's FSC resolution of the unmasked half maps (0.143): ${entries(res.length)} with half maps${res.length > MAX_DOTS ? ' (blue density, darker: more entries)' : ''}; dashed: equal.`,
      file: 'resolution.svg',
      figure: { kind: 'scatter', front: { points: res, densityTitle: 'entries per cell' }, xTitle: 'Reported resolution (Å)', yTitle: '1.a FSC resolution, unmasked (Å)', diagonal: true, maxDots: MAX_DOTS },
      csv: 'resolution',
    },
    {
      id: 'qscore',
      title: 'Q-score vs resolution',
      caption: `Average Q-score (A.e) against reported resolution: this archive's ${entries(ours.length)} with a model (${ours.length > MAX_DOTS ? 'blue density' : 'black dots'}) over the ${emdb.length.toLocaleString('en-US')} EMDB entries of MapQ's table, the Q_relative population (grey density, darker: more entries).`,
      file: 'qscore.svg',
      figure: {
        kind: 'scatter',
        front: { points: ours, densityTitle: 'entries per cell, this archive' },
        background: { points: emdb, densityTitle: 'entries per cell, EMDB (MapQ)' },
        xTitle: 'Reported resolution (Å)',
        yTitle: 'Average Q-score',
        xDomain: [0, 10],
        yDomain: [-0.2, 1],
        maxDots: MAX_DOTS,
      },
      csv: 'qscore',
    },
    ...LEVELS.map((level): PlotView => {
      const shares = tables.scores.rows.filter((r) => r[1] === level).map((r) => r[4] as number);
      return {
        id: `score-${level}`,
        title: `Score distribution: ${LEVEL_NAMES[level]}`,
        caption: `${LEVEL_NAMES[level]}: share of the level's measured items that pass their criteria, over ${entries(shares.length)}.`,
        file: `score-${level}.svg`,
        figure: { kind: 'histogram', values: shares, xTitle: `Share of ${LEVEL_NAMES[level]} items OK`, bins: 10, range: [0, 1] },
        csv: 'scores',
      };
    }),
  ];
  return {
    entries: stats.entries,
    percentile: PERCENTILE_DEFINITION,
    bands: stats.bandLabels.map((label, k) => ({ label, entries: bandCounts[k] })),
    distributions,
    plots,
  };
}
