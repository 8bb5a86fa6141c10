/**
 * The search step: `node scripts/site/pagefind-index.ts <job.json>` builds Pagefind indexes of the
 * entries from their search records (written by the site build: ID, title, authors, PDB IDs, and
 * the title/ID/score shown in results), one index per shard, into `<siteDir>/pagefind/<shard>/`.
 * Custom records instead of crawling the pages: 10 000 entry pages took Pagefind 27 s and 650 MB
 * to parse; the records take a fraction of that, and the index holds the same words.
 * Shards (lib/entry-path.ts `searchShard`) keep each index's fragment folder (one file per record)
 * under the site's folder limit, and let an incremental build re-index only the shards whose
 * records changed; the browser merges them (site/src/scripts/search.ts, `mergeIndex`).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as pagefind from 'pagefind';
import type { SearchRecord } from '../../site/src/lib/search-record.ts';

/** Folder of the search indexes in the site, and the file listing its shards. */
export const SEARCH_FOLDER = 'pagefind';
export const SHARDS_FILE = 'shards.json';

/** What the child process is asked to do. */
export interface SearchJob {
  siteDir: string;
  /** Shard name → its records, in URL order. */
  shards: Record<string, SearchRecord[]>;
}

/** Indexes one shard's records into `outputPath`. */
async function writeShard(records: SearchRecord[], outputPath: string): Promise<void> {
  const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
  if (!index) throw new Error(`pagefind could not start: ${errors.join('; ')}`);
  for (const r of records) {
    const res = await index.addCustomRecord(r);
    if (res.errors.length > 0) throw new Error(`pagefind refused ${r.url}: ${res.errors.join('; ')}`);
  }
  const w = await index.writeFiles({ outputPath });
  if (w.errors.length > 0) throw new Error(`pagefind could not write its files: ${w.errors.join('; ')}`);
  await index.deleteIndex();
}

/** Indexes every shard of `job`; returns the number of records indexed. */
export async function writeSearchShards(job: SearchJob): Promise<number> {
  let n = 0;
  try {
    for (const [name, records] of Object.entries(job.shards)) {
      await writeShard(records, path.join(job.siteDir, SEARCH_FOLDER, name));
      n += records.length;
    }
  } finally {
    await pagefind.close();
  }
  return n;
}

if (import.meta.main) {
  const [jobFile] = process.argv.slice(2);
  if (!jobFile) {
    process.stderr.write('usage: node scripts/site/pagefind-index.ts <job.json>\n');
    process.exit(2);
  }
  const n = await writeSearchShards(JSON.parse(fs.readFileSync(jobFile, 'utf8')) as SearchJob);
  process.stdout.write(`pagefind: ${n} records indexed\n`);
}
