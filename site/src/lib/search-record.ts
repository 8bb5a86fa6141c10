/**
 * What the search index holds for one entry: its URL (site-relative; the browser adds the base),
 * the searchable text (ID, title, authors, PDB IDs) and the metadata a result shows. Pagefind
 * indexes these records directly (scripts/site/pagefind-index.ts) instead of parsing 50 000 pages.
 */
import type { Refusal } from '../../../analyzers/report/refusal.ts';
import type { Report } from '../../../analyzers/report/schema.ts';
import { entryFolder, type FanOut } from './entry-path.ts';

/** One Pagefind custom record. */
export interface SearchRecord {
  url: string;
  content: string;
  language: 'en';
  meta: { title: string; entry: string; score: string };
}

/** The record of one report (its URL placed by the site's fan-out). */
export function searchRecord(r: Report, f: FanOut): SearchRecord {
  const e = r.entry;
  const title = e.title ?? '(untitled entry)';
  return {
    url: `/${entryFolder(e.id, f)}/`,
    content: [e.id, title, e.authors.join('; '), e.pdbIds.join(' ')].filter((s) => s !== '').join('\n'),
    language: 'en',
    meta: { title: `${e.id} ${title}`, entry: e.id, score: `${r.score.passing} of ${r.score.evaluable}` },
  };
}

/** The record of a refused entry: found like any other, its score shown as "refused". */
export function refusalSearchRecord(r: Refusal, f: FanOut): SearchRecord {
  const e = r.entry;
  const title = e.title ?? '(untitled entry)';
  return {
    url: `/${entryFolder(e.id, f)}/`,
    content: [e.id, title, e.authors.join('; '), `refused: ${r.reason}`].filter((s) => s !== '').join('\n'),
    language: 'en',
    meta: { title: `${e.id} ${title}`, entry: e.id, score: 'refused' },
  };
}
