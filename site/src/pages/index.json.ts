/** `/index.json`: the compact archive index (one positional row per entry, columns named in the file). */
import type { APIRoute } from 'astro';
import { archiveJson, loadArchive } from '../lib/archive-index.ts';

export const GET: APIRoute = () => new Response(archiveJson(loadArchive()), { headers: { 'content-type': 'application/json' } });
