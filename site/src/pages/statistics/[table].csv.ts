/** `/statistics/<table>.csv`: the numbers behind each plot of the statistics page. */
import type { APIRoute } from 'astro';
import { loadArchive } from '../../lib/archive-index.ts';
import { statisticsTables, TABLE_NAMES, tableCsv, type TableName } from '../../lib/statistics-data.ts';

export function getStaticPaths() {
  return TABLE_NAMES.map((table) => ({ params: { table } }));
}

export const GET: APIRoute = ({ params }) => new Response(tableCsv(statisticsTables(loadArchive().rows)[params.table as TableName]), { headers: { 'content-type': 'text/csv; charset=utf-8' } });
