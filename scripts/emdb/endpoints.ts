/**
 * Where the EMDB API, the EMDB archive files and the PDB archive (fitted models) live. The real
 * services split them over three hosts (https://www.ebi.ac.uk for /emdb/api/…,
 * https://ftp.ebi.ac.uk for /pub/databases/emdb/…, https://files.wwpdb.org for /pub/pdb/…);
 * a mirror serves all three from one base, so one `--emdb <base>` sets them all.
 */
import { emdbNumber, mapFileName, safeFileName } from './ids.ts';

/** Default API host of EMDB. */
export const EMDB_API_BASE = 'https://www.ebi.ac.uk';
/** Default host of the EMDB archive tree (served over HTTPS; FTP is not needed). */
export const EMDB_FILES_BASE = 'https://ftp.ebi.ac.uk';
/** Default host of the wwPDB archive tree (`/pub/pdb/data/structures/divided/mmCIF/…`, HTTPS). */
export const PDB_FILES_BASE = 'https://files.wwpdb.org';

/** The two bases every EMDB URL is built from (no trailing slash). */
export interface EmdbEndpoints {
  /** Origin (+ optional path prefix) under which `/emdb/api/…` lives, no trailing slash. */
  readonly api: string;
  /** Origin (+ optional path prefix) under which `/pub/databases/emdb/structures/…` lives. */
  readonly files: string;
  /** Origin (+ optional path prefix) under which the PDB archive `/pub/pdb/data/structures/…` lives. */
  readonly pdb: string;
}

/**
 * Endpoints from the command line: no base → the real EMDB and wwPDB hosts; one base → API, files
 * and PDB archive under it (a mirror such as `emvr mirror`); `api`/`files`/`pdb` override each.
 * Only http: and https: URLs are accepted.
 */
export function resolveEndpoints(opts: { base?: string; api?: string; files?: string; pdb?: string } = {}): EmdbEndpoints {
  const api = opts.api ?? opts.base ?? EMDB_API_BASE;
  const files = opts.files ?? opts.base ?? EMDB_FILES_BASE;
  const pdb = opts.pdb ?? opts.base ?? PDB_FILES_BASE;
  return { api: checkBase(api), files: checkBase(files), pdb: checkBase(pdb) };
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

/** Lower-case 4-character PDB IDs: the only ones the divided archive layout is defined for. */
const PDB_CLASSIC_ID = /^[0-9][a-z0-9]{3}$/u;

/** File name of a model in the PDB archive's divided mmCIF layout: `1oel.cif.gz`. */
export function pdbModelFileName(pdbId: string): string {
  if (!PDB_CLASSIC_ID.test(pdbId)) throw new Error(`${JSON.stringify(pdbId.slice(0, 20))} is not a 4-character lower-case PDB ID`);
  return `${pdbId}.cif.gz`;
}

/**
 * `…/pub/pdb/data/structures/divided/mmCIF/<xx>/<id>.cif.gz`, xx = the middle two characters of
 * the ID (1oel → oe/1oel.cif.gz): the wwPDB archive shards by them.
 */
export function pdbModelUrl(ep: Pick<EmdbEndpoints, 'pdb'>, pdbId: string): string {
  const file = pdbModelFileName(pdbId);
  return `${ep.pdb}/pub/pdb/data/structures/divided/mmCIF/${pdbId.slice(1, 3)}/${file}`;
}
