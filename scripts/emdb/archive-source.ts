/**
 * The EMDB archive layout as a source for the nightly (`emvr nightly --archive <dir or URL>`): the
 * tree EMDB serves and mirrors by rsync, `structures/EMD-N/{header,map,other}/…`, either as a
 * folder on this machine or over HTTP(S) (a directory-listing server such as EMDB's own
 * https://ftp.ebi.ac.uk/pub/databases/emdb/structures/). Same interface as the API client
 * (client.ts), so the pipeline fetches, verifies, analyses and publishes the same way:
 *
 * - discovery: the listing of the structures folder (its `EMD-N` entries; a folder's names, or the
 *   `href`s of the HTML index). Without a search there is no date filter: every listed entry is
 *   looked at, and unchanged ones are reused (their header hash, map sha256 and inputs match);
 * - metadata: the header XML `header/emd-N.xml` (else `emd-N-v30.xml`, else `emd-N-v19.xml`),
 *   read by header-xml.ts into the same EntryMetadata as the API's JSON;
 * - half maps: those the header lists; a header without a list (v1.9) gets the files of `other/`
 *   named `emd_N_half_map_1|2.map.gz`, EMDB's names;
 * - files: `map/emd_N.map.gz` and `other/<file>`, copied (local-copy.ts) or downloaded
 *   (download.ts) into the cache and verified; fitted models still come from the PDB archive.
 *
 * Accessions from a listing are checked against `^EMD-\d{4,}$` before they touch a path or URL.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { EmdbClient, EntryNotFoundError, InputFileNotFoundError, type Discovery, type EntryJson } from './client.ts';
import { fetchMap, verifyGzipMap, type MapFileInfo, type VerifiedFileInfo } from './download.ts';
import type { EmdbEndpoints } from './endpoints.ts';
import { describeInput, type AdditionalInput } from './entry-inputs.ts';
import { HeaderXmlError, MAX_HEADER_BYTES, parseHeaderXml } from './header-xml.ts';
import { DEFAULT_HTTP_OPTIONS, getText, HttpError, PoliteGate, withRetries, type HttpOptions } from './http.ts';
import { checkEmdbId, compareEmdbIds, emdbNumber, halfMapFileName, isEmdbId, mapFileName } from './ids.ts';
import { copyVerified, LocalFileNotFoundError } from './local-copy.ts';
import type { ModelFileInfo } from './model-file.ts';

/** Where the archive is: a local `structures` folder or the URL of one (no trailing slash). */
export type ArchiveLocation = { readonly kind: 'dir'; readonly root: string } | { readonly kind: 'http'; readonly base: string };

/**
 * The archive location from `--archive`: an http(s) URL or a folder. The folder (or URL path) may
 * be the `structures` folder itself or the folder that holds it (EMDB's `…/emdb/`); a local
 * folder's `structures/` subfolder is used when it exists, a URL not ending in `/structures` gets it.
 */
export async function resolveArchive(raw: string): Promise<ArchiveLocation> {
  if (/^https?:\/\//iu.test(raw)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new Error(`not a URL: ${JSON.stringify(raw)}`);
    }
    if (u.search || u.hash) throw new Error(`an archive URL has no query or fragment: ${JSON.stringify(raw)}`);
    const p = u.pathname.replace(/\/+$/u, '');
    return { kind: 'http', base: `${u.origin}${p.endsWith('/structures') ? p : `${p}/structures`}` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//iu.test(raw)) throw new Error(`only folders and http(s) URLs are supported, got ${JSON.stringify(raw)}`);
  const dir = path.resolve(raw);
  const isDir = async (d: string) => (await stat(d).catch(() => null))?.isDirectory() === true;
  if (!(await isDir(dir))) throw new Error(`${dir} is not a folder`);
  const sub = path.join(dir, 'structures');
  return { kind: 'dir', root: (await isDir(sub)) ? sub : dir };
}

/** Text of a location for messages and the ledger. */
export function archiveLabel(loc: ArchiveLocation): string {
  return loc.kind === 'dir' ? loc.root : loc.base;
}

/** The names an HTML directory index links to (hrefs, without a trailing slash or a path), in page order. */
export function indexLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/href\s*=\s*["']([^"'#?]+)["']/giu)) {
    const name = decodeURIComponent(m[1]).replace(/\/+$/u, '');
    const last = name.slice(name.lastIndexOf('/') + 1);
    if (last !== '' && last !== '..' && last !== '.') out.push(last);
  }
  return out;
}

/** Header file names to try, best first: the current copy, then the v3 and v1.9 copies. */
export function headerNames(id: string): string[] {
  const num = emdbNumber(id);
  return [`emd-${num}.xml`, `emd-${num}-v30.xml`, `emd-${num}-v19.xml`];
}

/** A half map by EMDB's naming: `emd_N_half_map_1.map.gz` or `_2`. */
function isHalfMapName(id: string, name: string): boolean {
  return name === halfMapFileName(id, 1) || name === halfMapFileName(id, 2);
}

/** Entry source reading the archive layout (see the file comment). */
export class ArchiveSource {
  readonly location: ArchiveLocation;
  readonly http: HttpOptions;
  private readonly gate: PoliteGate;
  /** The PDB archive (fitted models) is not part of EMDB's tree: the API client's model path is used. */
  private readonly pdb: EmdbClient;

  constructor(location: ArchiveLocation, endpoints: EmdbEndpoints, http: Partial<HttpOptions> = {}) {
    this.location = location;
    this.http = { ...DEFAULT_HTTP_OPTIONS, ...http };
    this.gate = new PoliteGate(this.http.maxConcurrency, this.http.minIntervalMs);
    this.pdb = new EmdbClient(endpoints, http);
  }

  /** Where a file of an entry lives: a local path or a URL. */
  private where(id: string, folder: string, file?: string): string {
    const parts = [checkEmdbId(id), folder, ...(file !== undefined ? [file] : [])];
    return this.location.kind === 'dir' ? path.join(this.location.root, ...parts) : `${this.location.base}/${parts.map(encodeURIComponent).join('/')}`;
  }

  /** The names in a folder of the archive (null when it does not exist). */
  private async list(folderPathOrUrl: string, what: string): Promise<string[] | null> {
    if (this.location.kind === 'dir') {
      try {
        return (await readdir(folderPathOrUrl)).sort();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
        throw err;
      }
    }
    try {
      const { text } = await withRetries(what, this.http, () => getText(this.gate, this.http, `${folderPathOrUrl}/`, what, 'text/html'));
      return indexLinks(text);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return null;
      throw err;
    }
  }

  /** Every `EMD-N` entry the structures folder lists; other names are returned as rejected. */
  async discover(): Promise<Discovery> {
    const label = archiveLabel(this.location);
    const names = await this.list(this.location.kind === 'dir' ? this.location.root : this.location.base, 'archive listing');
    if (names === null) throw new HttpError(`archive listing: ${label} not found`, { retryable: false });
    const ids = new Set<string>();
    const rejected: string[] = [];
    for (const n of names) {
      if (isEmdbId(n)) ids.add(n);
      else if (/^emd/iu.test(n)) rejected.push(JSON.stringify(n.slice(0, 80)));
    }
    return { ids: [...ids].sort(compareEmdbIds), rejected, query: `listing of ${label}`, note: null };
  }

  /** Text of a header file, or null when absent. */
  private async readHeader(id: string, name: string): Promise<string | null> {
    const where = this.where(id, 'header', name);
    const what = `${id} header ${name}`;
    if (this.location.kind === 'dir') {
      try {
        const st = await stat(where);
        if (st.size > MAX_HEADER_BYTES) throw new HeaderXmlError(`${what}: ${st.size} bytes, more than the ${MAX_HEADER_BYTES} a header may have`);
        return await readFile(where, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    }
    try {
      return (await withRetries(what, this.http, () => getText(this.gate, this.http, where, what, 'application/xml'))).text;
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return null;
      throw err;
    }
  }

  /**
   * The entry's metadata from its header XML (hash: sha256 of the XML text). No header → EntryNotFoundError;
   * an unreadable one or one of another entry → HeaderXmlError naming the file.
   */
  async getEntry(id: string): Promise<EntryJson> {
    checkEmdbId(id);
    for (const name of headerNames(id)) {
      const xml = await this.readHeader(id, name);
      if (xml === null) continue;
      const header = parseHeaderXml(xml, id, `${id} header ${name}`);
      let metadata = header.metadata;
      if (metadata.halfMaps.length === 0) {
        // v1.9 headers list no half maps: take EMDB's own names from other/.
        const other = (await this.list(this.where(id, 'other'), `${id} other/ listing`)) ?? [];
        const halves = other.filter((n) => isHalfMapName(id, n)).sort();
        if (halves.length > 0) metadata = { ...metadata, halfMaps: halves };
      }
      return { json: null, sha256: createHash('sha256').update(xml).digest('hex'), metadata };
    }
    throw new EntryNotFoundError(`${id}: no header XML (${headerNames(id).join(', ')}) in ${this.where(id, 'header')}`);
  }

  /** Copies or downloads the primary map `map/emd_N.map.gz` into `dest`, verified. */
  async fetchMap(id: string, dest: string): Promise<{ info: MapFileInfo; fromCache: boolean }> {
    const src = this.where(id, 'map', mapFileName(id));
    try {
      if (this.location.kind === 'dir') return await copyVerified<MapFileInfo>(src, dest, `${id} map`, verifyGzipMap);
      return await fetchMap(this.gate, this.http, src, dest, `${id} map`);
    } catch (err) {
      if (err instanceof LocalFileNotFoundError || (err instanceof HttpError && err.status === 404)) throw new EntryNotFoundError(`${id}: map file not found (${src})`);
      throw err;
    }
  }

  /** An additional input: half maps from `other/` like the map; the model from the PDB archive. */
  async fetchInput(id: string, input: AdditionalInput, dest: string): Promise<{ info: VerifiedFileInfo & Partial<MapFileInfo & ModelFileInfo>; fromCache: boolean }> {
    if (input.kind === 'model') return this.pdb.fetchInput(id, input, dest);
    const src = this.where(id, input.folder, input.file);
    const what = `${id} ${describeInput(input)}`;
    try {
      if (this.location.kind === 'dir') return await copyVerified<MapFileInfo>(src, dest, what, verifyGzipMap);
      return await fetchMap(this.gate, this.http, src, dest, what);
    } catch (err) {
      if (err instanceof LocalFileNotFoundError || (err instanceof HttpError && err.status === 404)) throw new InputFileNotFoundError(`${what}: not found in the archive (${src})`);
      throw err;
    }
  }
}
