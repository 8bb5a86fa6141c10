/** `/index.json`: the compact archive index (one positional row per entry, columns named in the file), with each row's archive percentiles. */
import type { APIRoute } from 'astro';
import { archiveJson, loadArchive } from '../lib/archive-index.ts';
import { percentileColumns, RANKED_COLUMNS, sharedArchiveStatistics } from '../lib/archive-statistics.ts';

export const GET: APIRoute = () => {
  const a = loadArchive();
  const stats = sharedArchiveStatistics(a.rows);
  const percentiles = {
    about: 'per row, for each ranked column: [percentile among all entries, percentile within the reported-resolution band] (mid-rank, 0 worst to 100 best, 0.1 steps; null: no value or no band)',
    bandLabels: stats.bandLabels,
    columns: RANKED_COLUMNS.map(({ column, label, better }) => ({ column, label, better })),
    rows: percentileColumns(stats, a.rows),
  };
  return new Response(archiveJson(a, { percentiles }), { headers: { 'content-type': 'application/json' } });
};
