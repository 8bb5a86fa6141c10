/** `/statistics/archive-statistics.json`: each ranked value's sorted values over all entries and per resolution band (lib/archive-statistics.ts). */
import type { APIRoute } from 'astro';
import { loadArchive } from '../../lib/archive-index.ts';
import { sharedArchiveStatistics } from '../../lib/archive-statistics.ts';

export const GET: APIRoute = () => new Response(JSON.stringify(sharedArchiveStatistics(loadArchive().rows)), { headers: { 'content-type': 'application/json' } });
