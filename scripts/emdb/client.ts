/**
 * The EMDB client of the nightly job: discovers entries with the search API (one call, CSV),
 * reads entry JSON, and downloads primary maps and additional inputs (half maps from EMDB, the
 * fitted model from the PDB archive) into a verified cache. All requests share one
 * polite gate (concurrency + spacing) and retry policy (http.ts). Every accession from the search
 * is checked against `^EMD-\d{4,}$` before it is used; the ones that fail are returned, escaped,
 * for the log and never touch a path or URL.
 */
import Papa from 'papaparse';
import { fetchMap, fetchVerified, type MapFileInfo, type VerifiedFileInfo } from './download.ts';
import { archiveFileUrl, entryUrl, mapUrl, pdbModelUrl, searchUrl, type EmdbEndpoints } from './endpoints.ts';
import { archivePdbId, describeInput, type AdditionalInput } from './entry-inputs.ts';
import { verifyGzipModel, type ModelFileInfo } from './model-file.ts';
import { parseEntryMetadata, sha256Json, type EntryMetadata } from './entry-metadata.ts';
import { DEFAULT_HTTP_OPTIONS, getText, HttpError, PoliteGate, withRetries, type HttpOptions } from './http.ts';
import { checkEmdbId, compareEmdbIds, isEmdbId } from './ids.ts';

/** Largest entry JSON accepted (bytes); real ones are tens of kB. */
const MAX_ENTRY_JSON = 32 * 1024 * 1024;

/** The entry does not exist at the source (HTTP 404). */
export class EntryNotFoundError extends Error {
  override name = 'EntryNotFoundError';
}

/** An additional input file (half map) the entry JSON lists is not in the archive (HTTP 404). */
export class InputFileNotFoundError extends Error {
  override name = 'InputFileNotFoundError';
}

/** The source answered with something that is not this entry's JSON. */
export class BadEntryJsonError extends Error {
  override name = 'BadEntryJsonError';
}

/** What to discover: a since-day, accepted methods, the update-date field name, or a whole query. */
export interface DiscoverOptions {
  /** Only entries released or updated on or after this day (`YYYY-MM-DD`, UTC); null = every released entry. */
  readonly since: string | null;
  /** Accepted values of structure_determination_method (empty = any). */
  readonly methods: readonly string[];
  /** Search field holding the last-update date (default "update_date"; not verified against EMDB's field list). */
  readonly updateField?: string;
  /** A full Lucene query instead of the built one. */
  readonly query?: string;
}

/** Result of one discovery search. */
export interface Discovery {
  /** Valid accessions, unique, in accession order. */
  readonly ids: string[];
  /** Values of emdb_id that are not valid accessions (JSON-escaped, for the log). */
  readonly rejected: string[];
  /** The query that produced the list. */
  readonly query: string;
  /** Set when the server refused the update-date clause and release dates alone were used. */
  readonly note: string | null;
}

/** An entry JSON as fetched: the raw parsed value, its canonical hash and what was read from it. */
export interface EntryJson {
  /** The parsed JSON (untrusted). */
  readonly json: unknown;
  /** sha256 of its canonical form (sorted keys). */
  readonly sha256: string;
  readonly metadata: EntryMetadata;
}

/** Quotes a phrase for Lucene (backslash and double quote escaped). */
function phrase(s: string): string {
  return `"${s.replace(/[\\"]/gu, (c) => `\\${c}`)}"`;
}

/**
 * The discovery query: released entries (`current_status:"REL"`), of the given methods, released
 * or updated since `since`. Example: `current_status:"REL" AND (structure_determination_method:
 * "singleParticle") AND (release_date:[2025-01-01T00:00:00Z TO *] OR update_date:[… TO *])`.
 */
export function discoveryQuery(opts: DiscoverOptions, withUpdate = true): string {
  if (opts.query) return opts.query;
  const parts = ['current_status:"REL"'];
  if (opts.methods.length > 0) parts.push(`(${opts.methods.map((m) => `structure_determination_method:${phrase(m)}`).join(' OR ')})`);
  if (opts.since !== null) {
    if (!/^\d{4}-\d{2}-\d{2}$/u.test(opts.since)) throw new Error(`since must be YYYY-MM-DD, got ${JSON.stringify(opts.since)}`);
    const from = `${opts.since}T00:00:00Z`;
    const field = opts.updateField ?? 'update_date';
    if (!/^[a-z_]+$/u.test(field)) throw new Error(`bad search field name ${JSON.stringify(field)}`);
    parts.push(withUpdate ? `(release_date:[${from} TO *] OR ${field}:[${from} TO *])` : `release_date:[${from} TO *]`);
  }
  return parts.join(' AND ');
}

/**
 * Client of one EMDB (or mirror): discovery, entry JSON, verified map downloads, all through one
 * polite gate (at most `maxConcurrency` requests, starts ≥ `minIntervalMs` apart) with retries.
 */
export class EmdbClient {
  readonly endpoints: EmdbEndpoints;
  readonly http: HttpOptions;
  private readonly gate: PoliteGate;

  constructor(endpoints: EmdbEndpoints, http: Partial<HttpOptions> = {}) {
    this.endpoints = endpoints;
    this.http = { ...DEFAULT_HTTP_OPTIONS, ...http };
    this.gate = new PoliteGate(this.http.maxConcurrency, this.http.minIntervalMs);
  }

  /** Rows of a search as objects keyed by the requested fields (CSV, all rows). */
  async search(query: string, fields: readonly string[]): Promise<Record<string, string>[]> {
    const url = searchUrl(this.endpoints, query, fields, 1_000_000);
    const { text } = await withRetries('search', this.http, () => getText(this.gate, this.http, url, 'search', 'text/csv'));
    const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/u, ''), { header: true, skipEmptyLines: true });
    if (parsed.meta.fields === undefined || !parsed.meta.fields.includes(fields[0])) {
      throw new HttpError(`search: the answer is not CSV with a ${fields[0]} column (starts ${JSON.stringify(text.slice(0, 60))})`, { retryable: false });
    }
    return parsed.data;
  }

  /** Entries to look at: one search call; falls back to release dates alone if the server rejects the update clause (HTTP 400). */
  async discover(opts: DiscoverOptions): Promise<Discovery> {
    let query = discoveryQuery(opts);
    let note: string | null = null;
    let rows: Record<string, string>[];
    try {
      rows = await this.search(query, ['emdb_id']);
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 400 && opts.since !== null && !opts.query)) throw err;
      note = `the search refused the update-date field (${err.message}); discovered by release date only`;
      query = discoveryQuery(opts, false);
      rows = await this.search(query, ['emdb_id']);
    }
    const ids = new Set<string>();
    const rejected: string[] = [];
    for (const r of rows) {
      const raw = (r.emdb_id ?? '').trim();
      if (isEmdbId(raw)) ids.add(raw);
      else rejected.push(JSON.stringify(raw.slice(0, 80)));
    }
    return { ids: [...ids].sort(compareEmdbIds), rejected, query, note };
  }

  /** The entry JSON of `id`, parsed and read. 404 → EntryNotFoundError; a JSON for another ID → BadEntryJsonError. */
  async getEntry(id: string): Promise<EntryJson> {
    checkEmdbId(id);
    const url = entryUrl(this.endpoints, id);
    const what = `${id} entry JSON`;
    let json: unknown;
    try {
      json = await withRetries(what, this.http, async () => {
        const { text } = await getText(this.gate, this.http, url, what);
        if (text.length > MAX_ENTRY_JSON) throw new BadEntryJsonError(`${what}: ${text.length} bytes, more than the ${MAX_ENTRY_JSON} accepted`);
        try {
          return JSON.parse(text) as unknown;
        } catch (err) {
          // A cut-off body without Content-Length shows up here: worth another try.
          throw new HttpError(`${what}: not valid JSON (${(err as Error).message})`, { retryable: true });
        }
      });
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) throw new EntryNotFoundError(`${id}: not found at ${this.endpoints.api} (HTTP 404)`);
      throw err;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new BadEntryJsonError(`${what}: not a JSON object`);
    const metadata = parseEntryMetadata(id, json);
    if (metadata.declaredId !== null && metadata.declaredId !== id) {
      throw new BadEntryJsonError(`${what}: the JSON is for ${JSON.stringify(metadata.declaredId.slice(0, 40))}, not ${id}`);
    }
    return { json, sha256: sha256Json(json), metadata };
  }

  /** URL of the primary map of `id`. */
  mapUrl(id: string): string {
    return mapUrl(this.endpoints, id);
  }

  /** Downloads (or revalidates) the primary map of `id` into `dest` (see download.ts). */
  async fetchMap(id: string, dest: string): Promise<{ info: MapFileInfo; fromCache: boolean }> {
    checkEmdbId(id);
    try {
      return await fetchMap(this.gate, this.http, this.mapUrl(id), dest, `${id} map`);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) throw new EntryNotFoundError(`${id}: map file not found (HTTP 404 for ${this.mapUrl(id)})`);
      throw err;
    }
  }

  /** URL of an additional input of `id`: EMDB's `EMD-N/<folder>/<file>`, or the PDB archive's divided path for the model. */
  inputUrl(id: string, input: AdditionalInput): string {
    if (input.kind !== 'model') {
      if (input.folder === 'model') throw new Error(`${id} ${describeInput(input)}: only the fitted model comes from the PDB archive`);
      return archiveFileUrl(this.endpoints, id, input.folder, input.file);
    }
    const archiveId = input.pdbId === undefined ? null : archivePdbId(input.pdbId);
    if (archiveId === null) throw new Error(`${id} ${describeInput(input)}: no PDB archive file for this ID`);
    return pdbModelUrl(this.endpoints, archiveId);
  }

  /**
   * Downloads (or revalidates) an additional input of `id` into `dest`, with the map's retries,
   * resume and cache. Half maps are gzip MRC maps and are verified exactly like the map; the
   * model must gunzip and parse as mmCIF with at least one atom (model-file.ts). 404 →
   * InputFileNotFoundError naming the entry and the file (and the PDB ID for a model).
   */
  async fetchInput(id: string, input: AdditionalInput, dest: string): Promise<{ info: VerifiedFileInfo & Partial<MapFileInfo & ModelFileInfo>; fromCache: boolean }> {
    checkEmdbId(id);
    const url = this.inputUrl(id, input);
    const what = `${id} ${describeInput(input)}`;
    try {
      switch (input.kind) {
        case 'halfMap':
          return await fetchMap(this.gate, this.http, url, dest, what);
        case 'model':
          return await fetchVerified<ModelFileInfo>(this.gate, this.http, url, dest, what, verifyGzipModel);
      }
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) {
        const archive = input.kind === 'model' ? 'the PDB archive' : 'the archive';
        throw new InputFileNotFoundError(`${what}: not found in ${archive} (HTTP 404 for ${url})`);
      }
      throw err;
    }
  }
}
