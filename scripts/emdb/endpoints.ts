/**
 * Where the EMDB API and the archive files live. The real service splits them over two hosts
 * (https://www.ebi.ac.uk for /emdb/api/…, https://ftp.ebi.ac.uk for /pub/databases/emdb/…);
 * a mirror serves both from one base, so one `--emdb <base>` sets both.
 */
import { emdbNumber, mapFileName, safeFileName } from './ids.ts';

/** Default API host of EMDB. */
export const EMDB_API_BASE = 'https://www.ebi.ac.uk';
/** Default host of the EMDB archive tree (served over HTTPS; FTP is not needed). */
export const EMDB_FILES_BASE = 'https://ftp.ebi.ac.uk';

/** The two bases every EMDB URL is built from (no trailing slash). */
export interface EmdbEndpoints {
  /** Origin (+ optional path prefix) under which `/emdb/api/…` lives, no trailing slash. */
  readonly api: string;
  /** Origin (+ optional path prefix) under which `/pub/databases/emdb/structures/…` lives. */
  readonly files: string;
}

/**
 * Endpoints from the command line: no base → the real EMDB hosts; one base → both API and files
 * under it (a mirror); `api`/`files` override either. Only http: and https: URLs are accepted.
 */
export function resolveEndpoints(opts: { base?: string; api?: string; files?: string } = {}): EmdbEndpoints {
  const api = opts.api ?? opts.base ?? EMDB_API_BASE;
  const files = opts.files ?? opts.base ?? EMDB_FILES_BASE;
  return { api: checkBase(api), files: checkBase(files) };
}

function checkBase(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`only http(s) URLs are supported, got ${JSON.stringify(raw)}`);
  if (u.search || u.hash) throw new Error(`a base URL has no query or fragment: ${JSON.stringify(raw)}`);
  return `${u.origin}${u.pathname.replace(/\/+$/u, '')}`;
}

/** `…/emdb/api/entry/EMD-N` (the prefixed form, as EMDB recommends). */
export function entryUrl(ep: EmdbEndpoints, id: string): string {
  emdbNumber(id);
  return `${ep.api}/emdb/api/entry/${id}`;
}

/** `…/emdb/api/search/<query>?rows=…&fl=…&wt=csv&download=false` (query percent-encoded). */
export function searchUrl(ep: EmdbEndpoints, query: string, fields: readonly string[], rows: number): string {
  const params = new URLSearchParams({ rows: String(rows), fl: fields.join(','), wt: 'csv', download: 'false' });
  return `${ep.api}/emdb/api/search/${encodeURIComponent(query)}?${params.toString()}`;
}

/** Folders of an entry in the archive tree that hold files we analyse (map: the primary map; other: half maps). */
export type ArchiveFolder = 'map' | 'other';

/**
 * `…/pub/databases/emdb/structures/EMD-N/<folder>/<file>`. The file name comes from entry JSON,
 * so it must be a plain safe name (ids.ts `safeFileName`); anything else throws rather than
 * reaching a URL.
 */
export function archiveFileUrl(ep: EmdbEndpoints, id: string, folder: ArchiveFolder, file: string): string {
  emdbNumber(id);
  if (safeFileName(file) === null) throw new Error(`${id}: ${JSON.stringify(file.slice(0, 80))} is not a plain file name`);
  return `${ep.files}/pub/databases/emdb/structures/${id}/${folder}/${encodeURIComponent(file)}`;
}

/** `…/pub/databases/emdb/structures/EMD-N/map/emd_N.map.gz`. */
export function mapUrl(ep: EmdbEndpoints, id: string): string {
  return archiveFileUrl(ep, id, 'map', mapFileName(id));
}
