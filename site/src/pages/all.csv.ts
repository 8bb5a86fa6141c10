/** `/all.csv`: headline numbers of every entry (ID, title, resolution, score, per-item status, key values). */
import type { APIRoute } from 'astro';
import { archiveCsv, loadArchive } from '../lib/archive-index.ts';

export const GET: APIRoute = () => new Response(archiveCsv(loadArchive()), { headers: { 'content-type': 'text/csv; charset=utf-8' } });
