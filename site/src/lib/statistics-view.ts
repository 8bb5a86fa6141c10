/**
 * What the statistics page shows: the archive's size, the resolution bands with their
 * populations, and the plots (inline SVG, lib/svg-plot.ts) each with its CSV
 * (lib/statistics-data.ts). Built from the archive index rows, so the page costs the same
 * whether the archive holds 200 entries or 50,000 (the Q-score background is binned).
 */
import { LEVELS, type Level } from '../../../analyzers/report/item-spec.ts';
import type { IndexRow } from './archive-index.ts';
import { PERCENTILE_DEFINITION, RANKED_COLUMNS, sharedArchiveStatistics } from './archive-statistics.ts';
import { statisticsTables, type TableName } from './statistics-data.ts';
import { histogramSvg, scatterSvg } from './svg-plot.ts';

export interface PlotView {
  id: string;
  title: string;
  caption: string;
  svg: string;
  csv: TableName;
}

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
        svg: histogramSvg(c.all, { xLabel: `${RANKED_COLUMNS[k].label}${unit}`, title: `Distribution of ${c.label}`, bins: Math.min(30, Math.max(8, Math.round(Math.sqrt(c.all.length)))) }),
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
      caption: `Reported resolution against 1.a's FSC resolution of the unmasked half maps (0.143): ${entries(res.length)} with half maps; dashed: equal.`,
      svg: scatterSvg(res, { xLabel: 'reported resolution (Å)', yLabel: '1.a FSC resolution, unmasked (Å)', title: 'Reported against estimated resolution', diagonal: true }),
      csv: 'resolution',
    },
    {
      id: 'qscore',
      title: 'Q-score vs resolution',
      caption: `Average Q-score (A.e) against reported resolution: this archive's ${entries(ours.length)} with a model (black dots) over the ${emdb.length.toLocaleString('en-US')} EMDB entries of MapQ's table, the Q_relative population (grey density, darker: more entries).`,
      svg: scatterSvg(ours, { background: emdb, xLabel: 'reported resolution (Å)', yLabel: 'average Q-score', title: 'Average Q-score against resolution', xRange: [0, 10], yRange: [-0.2, 1] }),
      csv: 'qscore',
    },
    ...LEVELS.map((level): PlotView => {
      const shares = tables.scores.rows.filter((r) => r[1] === level).map((r) => r[4] as number);
      return {
        id: `score-${level}`,
        title: `Score distribution: ${LEVEL_NAMES[level]}`,
        caption: `${LEVEL_NAMES[level]}: share of the level's measured items that pass their criteria, over ${entries(shares.length)}.`,
        svg: histogramSvg(shares, { xLabel: `share of ${LEVEL_NAMES[level]} items OK`, title: `Score distribution, ${LEVEL_NAMES[level]}`, bins: 10, lo: 0, hi: 1 }),
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
