/**
 * Where an entry lives in the built site: `<group>/<id>/`, the group being its accession number
 * divided by the folder size (EMD-12345 → `12/EMD-12345/` with 1 000 entries per folder). One flat
 * folder of 50 000 entries is more than a static host or a CDN bucket listing handles well, so no
 * folder of the site holds more than `maxFilesPerDirectory` names. The same pure functions serve
 * the pages, the browser's archive table, the search index and the PDF printer.
 */

/** Default limit on the names in one folder of the site. */
export const DEFAULT_MAX_FILES_PER_DIRECTORY = 10_000;

/** Entries per group folder at the default limit: small groups keep the site root short too. */
const ENTRIES_PER_GROUP = 1000;

/** Entries per search-index shard at the default limit (each shard's fragment folder holds one file per entry). */
const ENTRIES_PER_SHARD = 8000;

/** How entries are spread over folders, derived from one limit on names per folder. */
export interface FanOut {
  /** Limit on names in one folder. */
  maxFilesPerDirectory: number;
  /** Entries sharing one group folder. */
  perGroup: number;
  /** Entries sharing one search-index shard (a whole number of groups). */
  perShard: number;
}

/** The fan-out for a limit (≥ 2: a group folder also needs room in its parent). */
export function fanOut(maxFilesPerDirectory = DEFAULT_MAX_FILES_PER_DIRECTORY): FanOut {
  const limit = Math.floor(maxFilesPerDirectory);
  if (!Number.isFinite(limit) || limit < 2) throw new Error(`the limit of files per directory must be at least 2, got ${maxFilesPerDirectory}`);
  const perGroup = Math.min(ENTRIES_PER_GROUP, limit);
  const perShard = perGroup * Math.max(1, Math.floor(Math.min(ENTRIES_PER_SHARD, limit) / perGroup));
  return { maxFilesPerDirectory: limit, perGroup, perShard };
}

/** The accession number of an EMDB ID, null for a local name. */
function accession(id: string): number | null {
  const m = /^EMD-(\d+)$/u.exec(id);
  return m ? Number(m[1]) : null;
}

/** The group folder of an entry: its accession number ÷ `perGroup`; `local` for local names. */
export function entryGroup(id: string, f: FanOut): string {
  const n = accession(id);
  return n === null ? 'local' : String(Math.floor(n / f.perGroup));
}

/** The entry's folder relative to the site root, without slashes at the ends: "12/EMD-12345". */
export function entryFolder(id: string, f: FanOut): string {
  return `${entryGroup(id, f)}/${id}`;
}

/** The search-index shard holding an entry: "s<k>" (accession ÷ `perShard`), "local" for local names. */
export function searchShard(id: string, f: FanOut): string {
  const n = accession(id);
  return n === null ? 'local' : `s${Math.floor(n / f.perShard)}`;
}
