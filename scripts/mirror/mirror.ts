/**
 * A local EMDB mirror: an HTTP server on 127.0.0.1 that serves entries from a folder in EMDB's
 * URL layout and JSON shape (emdb-access.md §7), so the nightly pipeline, the demo and the tests
 * run with no network. Folder layout: `<dir>/EMD-N/entry.json` (the entry JSON as the API returns
 * it) and `<dir>/EMD-N/map/emd_N.map.gz` (plus optional other/ — the half maps the entry JSON's
 * half_map_list names —, header/, masks/ files and `<dir>/_models/<pdb>.cif` or `<pdb>.cif.gz`).
 * Folders whose name is not an accession are ignored. The same server is also the PDB archive:
 * give its URL to `--pdb` (or just `--emdb`, which sets both).
 *
 * Routes (GET and HEAD; `{id}` is `EMD-N` or the bare number):
 *   /emdb/api/entry/{id}, /emdb/api/entry/map/{id}, /emdb/api/entry/supplement/{id}  → entry JSON (404 if unknown)
 *   /emdb/api/search/{query}?rows&start|page&fl&wt=csv|json                             → search (search-query.ts)
 *   /emdb/api/analysis/{id}                                                            → 404 (no VA data)
 *   /pub/databases/emdb/structures/[EMD-N/[sub/]]                                      → HTML index
 *   /pub/databases/emdb/structures/EMD-N/{sub}/{file}                                  → file (Range, ETag, 304); half maps are other/{file}
 *   /download/{pdb}.cif, /pdbe/entry-files/download/{pdb}_updated.cif                  → models from _models/
 *   /pub/pdb/data/structures/divided/mmCIF/{xx}/{pdb}.cif.gz                           → _models/{pdb}.cif.gz (xx = middle two characters of the ID)
 *
 * Faults for tests, from `<dir>/faults.json` (re-read when it changes; counters reset) and/or
 * the `faults` option: `[{ "match": "<substring>" | "/<regex>/", "kind": "status" | "truncate" |
 * "bad-gzip" | "slow" | "reset", "status": 500, "retryAfter": 2, "delayMs": 300,
 * "bytesPerSecond": 100000, "fraction": 0.5, "noLength": false, "times": 1 }]`. The first fault
 * whose pattern matches the request path (with query) and whose `times` is not used up applies.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Papa from 'papaparse';
import { canonicalJson } from '../emdb/entry-metadata.ts';
import { compareEmdbIds, isEmdbId, normaliseEmdbId, safeFileName } from '../emdb/ids.ts';
import { parseQuery, QuerySyntaxError, type SearchDoc } from '../emdb/search-query.ts';

/** status: answer with an HTTP status; truncate: cut the body; bad-gzip: corrupt it; slow: delay or throttle; reset: drop the connection. */
export type FaultKind = 'status' | 'truncate' | 'bad-gzip' | 'slow' | 'reset';

/** One injected fault: which requests it hits, what it does, how many times. */
export interface Fault {
  /** Substring of the request path+query, or `/regex/`. */
  readonly match: string;
  readonly kind: FaultKind;
  /** HTTP status for kind "status" (default 500). */
  readonly status?: number;
  /** Retry-After seconds sent with a status fault. */
  readonly retryAfter?: number;
  /** "slow": wait before answering, ms. */
  readonly delayMs?: number;
  /** "slow": throttle the body to this many bytes per second. */
  readonly bytesPerSecond?: number;
  /** "truncate": share of the body sent before the connection is cut (default 0.5). */
  readonly fraction?: number;
  /** "truncate": no Content-Length; the body just ends early, cleanly. */
  readonly noLength?: boolean;
  /** How many matching requests it affects (default: every one). */
  readonly times?: number;
}

/** One served request, as the mirror logged it (status 0 = connection reset). */
export interface MirrorRequest {
  readonly method: string;
  readonly path: string;
  /** HTTP status sent; 0 while pending or when the connection was reset. */
  readonly status: number;
  readonly fault: FaultKind | null;
  readonly range: string | null;
}

/** Where the mirror serves from, on which port, with which faults. */
export interface MirrorOptions {
  readonly dir: string;
  /** Port (0 = any free port). */
  readonly port?: number;
  /** Faults in addition to `<dir>/faults.json`. */
  readonly faults?: readonly Fault[];
  /** One line per request (default: none). */
  readonly log?: (line: string) => void;
}

/** A running mirror. */
export interface Mirror {
  /** Base URL, e.g. "http://127.0.0.1:41234" (give it to `--emdb`). */
  readonly url: string;
  readonly port: number;
  /** Every request served so far, in order. */
  readonly requests: MirrorRequest[];
  close(): Promise<void>;
}

const STRUCTURES = '/pub/databases/emdb/structures/';
const SUBFOLDERS = new Set(['map', 'other', 'header', 'masks', 'metadata', 'fsc', 'images', 'validation']);
/** Search fields the mirror knows (others are "undefined field", HTTP 400). */
const SEARCH_FIELDS = new Set([
  'emdb_id', 'title', 'release_date', 'update_date', 'deposition_date', 'header_release_date', 'map_release_date',
  'structure_determination_method', 'current_status', 'resolution', 'fitted_pdbs', 'database', 'map_contour_level_value',
]);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`);
}

function get(o: unknown, ...keys: (string | number)[]): unknown {
  let cur = o;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = typeof k === 'number' ? (Array.isArray(cur) ? cur[k] : k === 0 ? cur : undefined) : (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function solrDate(v: unknown): string | null {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/u.test(v) ? `${v.slice(0, 10)}T00:00:00Z` : null;
}

/** The search document of one entry JSON (fields as EMDB's search API names them). */
export function searchDoc(id: string, json: unknown): SearchDoc {
  const sd = get(json, 'structure_determination_list', 'structure_determination', 0);
  const res = get(sd, 'image_processing', 0, 'final_reconstruction', 'resolution', 'valueOf_');
  const refs = get(json, 'crossreferences', 'pdb_list', 'pdb_reference');
  const contour = get(json, 'map', 'contour_list', 'contour', 0, 'level');
  const title = get(json, 'admin', 'title');
  const status = get(json, 'admin', 'current_status', 'code', 'valueOf_') ?? get(json, 'admin', 'current_status', 'code');
  const method = get(sd, 'method');
  return {
    emdb_id: id,
    title: typeof title === 'string' ? title : null,
    release_date: solrDate(get(json, 'admin', 'key_dates', 'map_release')) ?? solrDate(get(json, 'admin', 'key_dates', 'header_release')),
    map_release_date: solrDate(get(json, 'admin', 'key_dates', 'map_release')),
    header_release_date: solrDate(get(json, 'admin', 'key_dates', 'header_release')),
    update_date: solrDate(get(json, 'admin', 'key_dates', 'update')),
    deposition_date: solrDate(get(json, 'admin', 'key_dates', 'deposition')),
    structure_determination_method: typeof method === 'string' ? method : null,
    current_status: typeof status === 'string' ? status : 'REL',
    resolution: typeof res === 'string' && Number.isFinite(Number(res)) ? Number(res) : typeof res === 'number' ? res : null,
    fitted_pdbs: Array.isArray(refs) ? refs.map((r) => get(r, 'pdb_id')).filter((p): p is string => typeof p === 'string') : [],
    database: 'EMDB',
    map_contour_level_value: typeof contour === 'number' ? contour : null,
  };
}

function fieldText(v: SearchDoc[string]): string {
  if (v === null || v === undefined) return '';
  return Array.isArray(v) ? v.join(',') : String(v);
}

interface FaultState {
  faults: Fault[];
  used: number[];
  fileMtime: number;
}

function checkFault(f: unknown): Fault {
  const o = f as Fault;
  if (!o || typeof o.match !== 'string' || !['status', 'truncate', 'bad-gzip', 'slow', 'reset'].includes(o.kind)) {
    throw new Error(`bad fault ${JSON.stringify(f)}: needs "match" (string) and "kind" (status|truncate|bad-gzip|slow|reset)`);
  }
  return o;
}

/**
 * Parses a `--fault` flag: `<kind>:<pattern>[:<times>]` where kind is a status code (500, 503,
 * 429 — 429/503 with Retry-After 1), `truncate`, `truncate-clean`, `bad-gzip`, `slow` or `reset`.
 */
export function parseFaultFlag(flag: string): Fault {
  const m = /^([a-z-]+|\d{3}):(.+?)(?::(\d+))?$/u.exec(flag);
  if (!m) throw new Error(`--fault must be <kind>:<pattern>[:<times>], got ${JSON.stringify(flag)}`);
  const times = m[3] !== undefined ? Number(m[3]) : undefined;
  if (/^\d{3}$/u.test(m[1])) {
    const status = Number(m[1]);
    return { kind: 'status', match: m[2], status, retryAfter: status === 429 || status === 503 ? 1 : undefined, times };
  }
  if (m[1] === 'truncate-clean') return { kind: 'truncate', noLength: true, match: m[2], times };
  if (m[1] === 'slow') return { kind: 'slow', delayMs: 2000, match: m[2], times };
  return checkFault({ kind: m[1], match: m[2], times });
}

/** Starts the mirror; resolves once it listens on 127.0.0.1. */
export async function startMirror(opts: MirrorOptions): Promise<Mirror> {
  const dir = path.resolve(opts.dir);
  const requests: MirrorRequest[] = [];
  const state: FaultState = { faults: [...(opts.faults ?? [])], used: (opts.faults ?? []).map(() => 0), fileMtime: -1 };
  const faultsFile = path.join(dir, 'faults.json');

  async function refreshFaults(): Promise<void> {
    let mtime = 0;
    try {
      mtime = (await stat(faultsFile)).mtimeMs;
    } catch {
      mtime = 0;
    }
    if (mtime === state.fileMtime) return;
    state.fileMtime = mtime;
    let fromFile: Fault[] = [];
    if (mtime !== 0) {
      const parsed = JSON.parse(await readFile(faultsFile, 'utf8')) as unknown;
      const list = Array.isArray(parsed) ? parsed : ((parsed as { faults?: unknown[] }).faults ?? []);
      fromFile = list.map(checkFault);
    }
    state.faults = [...(opts.faults ?? []), ...fromFile];
    state.used = state.faults.map(() => 0);
  }

  function takeFault(url: string): Fault | null {
    for (let i = 0; i < state.faults.length; i++) {
      const f = state.faults[i];
      const hit = f.match.length > 2 && f.match.startsWith('/') && f.match.endsWith('/') ? new RegExp(f.match.slice(1, -1), 'u').test(url) : url.includes(f.match);
      if (!hit) continue;
      if (f.times !== undefined && state.used[i] >= f.times) continue;
      state.used[i]++;
      return f;
    }
    return null;
  }

  async function entryIds(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const ids: string[] = [];
    for (const n of names) {
      if (!isEmdbId(n)) continue;
      try {
        if ((await stat(path.join(dir, n, 'entry.json'))).isFile()) ids.push(n);
      } catch {
        // a folder without entry.json is not an entry
      }
    }
    return ids.sort(compareEmdbIds);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, req, 500, 'application/json', `{"detail":${JSON.stringify(String((err as Error)?.message ?? err))}}`);
      else res.destroy();
    });
  });

  // A request is listed when it arrives (status 0 until answered), so a slow one shows while pending.
  const pending = new WeakMap<http.IncomingMessage, { -readonly [K in keyof MirrorRequest]: MirrorRequest[K] }>();

  function arrive(req: http.IncomingMessage): void {
    const entry = { method: req.method ?? 'GET', path: req.url ?? '', status: 0, fault: null, range: (req.headers.range as string | undefined) ?? null };
    pending.set(req, entry);
    requests.push(entry);
  }

  function record(req: http.IncomingMessage, status: number, fault: Fault | null): void {
    const entry = pending.get(req);
    if (!entry) return;
    entry.status = status;
    entry.fault = fault?.kind ?? null;
    opts.log?.(`${entry.method} ${entry.path} → ${status}${entry.fault ? ` [fault ${entry.fault}]` : ''}${entry.range ? ` [${entry.range}]` : ''}`);
  }

  /** Marks a request as hit by a fault before any delay, so the log shows it at once. */
  function markFault(req: http.IncomingMessage, fault: Fault | null): void {
    const entry = pending.get(req);
    if (entry && fault) entry.fault = fault.kind;
  }

  function send(res: http.ServerResponse, req: http.IncomingMessage, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'content-type': type, 'content-length': String(buf.length), ...headers });
    res.end(req.method === 'HEAD' ? undefined : buf);
  }

  /** Writes `buf` honouring a body fault (truncate, bad-gzip, slow throttle). */
  async function sendBody(req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string>, buf: Buffer, fault: Fault | null): Promise<void> {
    if (req.method === 'HEAD') {
      res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
      res.end();
      return;
    }
    if (fault?.kind === 'bad-gzip' && buf.length > 64) {
      buf = Buffer.from(buf);
      // Flip bytes in the middle of the deflate stream: the CRC (or the inflater) must notice.
      const mid = Math.floor(buf.length / 2);
      for (let i = mid; i < Math.min(buf.length - 8, mid + 64); i++) buf[i] ^= 0x5a;
    }
    if (fault?.kind === 'truncate') {
      const cut = Math.max(1, Math.floor(buf.length * (fault.fraction ?? 0.5)));
      if (fault.noLength) {
        const { ['content-length']: _drop, ...rest } = headers;
        res.writeHead(status, rest);
        res.end(buf.subarray(0, cut));
      } else {
        res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
        res.write(buf.subarray(0, cut), () => setTimeout(() => res.destroy(), 20));
      }
      return;
    }
    res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
    if (fault?.kind === 'slow' && fault.bytesPerSecond) {
      // Down to one byte per tick, so a trickling server (1 byte/s) can be imitated.
      const chunk = Math.max(1, Math.floor(fault.bytesPerSecond / 10));
      for (let at = 0; at < buf.length; at += chunk) {
        if (res.destroyed) return;
        res.write(buf.subarray(at, at + chunk));
        await new Promise((r) => setTimeout(r, 100));
      }
      res.end();
      return;
    }
    res.end(buf);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mirror');
    arrive(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      record(req, 405, null);
      send(res, req, 405, 'text/plain', 'method not allowed', { allow: 'GET, HEAD' });
      return;
    }
    await refreshFaults();
    const fault = takeFault(`${url.pathname}${url.search}`);
    markFault(req, fault);
    if (fault?.kind === 'reset') {
      record(req, 0, fault);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow' && fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.kind === 'status') {
      const status = fault.status ?? 500;
      record(req, status, fault);
      send(res, req, status, 'application/json', '{"detail":"injected fault"}', fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
      return;
    }
    let p: string;
    try {
      p = decodeURIComponent(url.pathname);
    } catch {
      record(req, 400, fault);
      send(res, req, 400, 'text/plain', 'bad percent-encoding');
      return;
    }

    const entryRoute = /^\/emdb\/api\/entry\/(?:(?:map|supplement)\/)?([^/]+)\/?$/u.exec(p);
    if (entryRoute) {
      const id = normaliseEmdbId(entryRoute[1]);
      const file = id === null ? null : path.join(dir, id, 'entry.json');
      let body: Buffer | null = null;
      if (file !== null) body = await readFile(file).catch(() => null);
      if (body === null) {
        record(req, 404, fault);
        send(res, req, 404, 'application/json', '{"detail":"Not found."}');
        return;
      }
      record(req, 200, fault);
      await sendBody(req, res, 200, { 'content-type': 'application/json' }, body, fault);
      return;
    }

    const searchRoute = /^\/emdb\/api\/search\/(.*)$/su.exec(p);
    if (searchRoute) {
      await handleSearch(req, res, searchRoute[1], url.searchParams, fault);
      return;
    }

    if (/^\/emdb\/api\/analysis\//u.test(p)) {
      record(req, 404, fault);
      send(res, req, 404, 'application/json', '{"detail":"Not found."}');
      return;
    }

    const model = /^\/(?:download\/([0-9a-z]{4}|pdb_[0-9]{5}[0-9a-z]{3})\.cif|pdbe\/entry-files\/download\/([0-9a-z]{4}|pdb_[0-9]{5}[0-9a-z]{3})_updated\.cif)$/u.exec(p);
    if (model) {
      await sendFile(req, res, path.join(dir, '_models', `${model[1] ?? model[2]}.cif`), fault, 'chemical/x-mmcif');
      return;
    }

    // The wwPDB archive's divided layout: only the shard the ID belongs in answers, as on the real server.
    const divided = /^\/pub\/pdb\/data\/structures\/divided\/mmCIF\/([0-9a-z]{2})\/([0-9][0-9a-z]{3})\.cif\.gz$/u.exec(p);
    if (divided) {
      if (divided[2].slice(1, 3) !== divided[1]) return notFound(req, res, fault);
      await sendFile(req, res, path.join(dir, '_models', `${divided[2]}.cif.gz`), fault, 'application/gzip');
      return;
    }

    if (p === STRUCTURES || p === STRUCTURES.slice(0, -1)) {
      const ids = await entryIds();
      record(req, 200, fault);
      await sendBody(req, res, 200, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(indexHtml(STRUCTURES, ids.map((id) => `${id}/`))), fault);
      return;
    }
    const tree = /^\/pub\/databases\/emdb\/structures\/([^/]+)\/(?:([^/]+)\/(?:([^/]+))?)?$/u.exec(p);
    if (tree && isEmdbId(tree[1])) {
      const [, id, sub, file] = tree;
      if (sub === undefined) {
        const subs = (await readdir(path.join(dir, id), { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && SUBFOLDERS.has(d.name)).map((d) => `${d.name}/`);
        const known = await stat(path.join(dir, id, 'entry.json')).then(() => true, () => false);
        if (!known) return notFound(req, res, fault);
        record(req, 200, fault);
        await sendBody(req, res, 200, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(indexHtml(`${STRUCTURES}${id}/`, subs.sort())), fault);
        return;
      }
      if (!SUBFOLDERS.has(sub)) return notFound(req, res, fault);
      if (file === undefined) {
        const files = (await readdir(path.join(dir, id, sub), { withFileTypes: true }).catch(() => null));
        if (files === null) return notFound(req, res, fault);
        record(req, 200, fault);
        const names = files.filter((d) => d.isFile() && safeFileName(d.name) !== null).map((d) => d.name).sort();
        await sendBody(req, res, 200, { 'content-type': 'text/html; charset=utf-8' }, Buffer.from(indexHtml(`${STRUCTURES}${id}/${sub}/`, names)), fault);
        return;
      }
      if (safeFileName(file) === null) return notFound(req, res, fault);
      await sendFile(req, res, path.join(dir, id, sub, file), fault, file.endsWith('.xml') ? 'application/xml' : 'application/octet-stream');
      return;
    }
    notFound(req, res, fault);
  }

  function notFound(req: http.IncomingMessage, res: http.ServerResponse, fault: Fault | null): void {
    record(req, 404, fault);
    send(res, req, 404, 'text/plain; charset=utf-8', 'not found');
  }

  /** A file with ETag/Last-Modified, conditional GET (304) and single byte ranges (206/416). */
  async function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, fault: Fault | null, type: string): Promise<void> {
    let st;
    try {
      st = await stat(file);
      if (!st.isFile()) throw new Error('not a file');
    } catch {
      notFound(req, res, fault);
      return;
    }
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
    const base = { 'content-type': type, etag, 'last-modified': lastModified, 'accept-ranges': 'bytes' };
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if ((inm !== undefined && inm === etag) || (inm === undefined && ims !== undefined && Date.parse(ims) >= Date.parse(lastModified))) {
      record(req, 304, fault);
      res.writeHead(304, { etag, 'last-modified': lastModified });
      res.end();
      return;
    }
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'];
    if (range !== undefined && (ifRange === undefined || ifRange === etag || ifRange === lastModified)) {
      const m = /^bytes=(\d*)-(\d*)$/u.exec(range);
      if (m && (m[1] !== '' || m[2] !== '')) {
        if (m[1] === '') {
          start = Math.max(0, st.size - Number(m[2]));
        } else {
          start = Number(m[1]);
          if (m[2] !== '') end = Math.min(end, Number(m[2]));
        }
        if (start >= st.size || start > end) {
          record(req, 416, fault);
          send(res, req, 416, 'text/plain', 'range not satisfiable', { 'content-range': `bytes */${st.size}` });
          return;
        }
        status = 206;
      }
    }
    const headers: Record<string, string> = { ...base };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${st.size}`;
    record(req, status, fault);
    if (fault === null || fault.kind === 'slow' && !fault.bytesPerSecond) {
      res.writeHead(status, { ...headers, 'content-length': String(end - start + 1) });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(file, { start, end }).on('error', () => res.destroy()).pipe(res);
      return;
    }
    const whole = await readFile(file);
    await sendBody(req, res, status, headers, whole.subarray(start, end + 1), fault);
  }

  async function handleSearch(req: http.IncomingMessage, res: http.ServerResponse, query: string, params: URLSearchParams, fault: Fault | null): Promise<void> {
    let match: (d: SearchDoc) => boolean;
    try {
      match = parseQuery(query, SEARCH_FIELDS);
    } catch (err) {
      if (!(err instanceof QuerySyntaxError)) throw err;
      record(req, 400, fault);
      send(res, req, 400, 'application/json', JSON.stringify({ detail: `query error: ${err.message}` }));
      return;
    }
    const fl = (params.get('fl') ?? 'emdb_id,title,resolution,fitted_pdbs').split(',').map((f) => f.trim()).filter((f) => f !== '');
    const rows = Math.max(0, Math.min(10_000_000, Number(params.get('rows') ?? '10') || 0));
    const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
    const start = params.has('start') ? Math.max(0, Number(params.get('start')) || 0) : (page - 1) * rows;
    const docs: SearchDoc[] = [];
    for (const id of await entryIds()) {
      const json = JSON.parse(await readFile(path.join(dir, id, 'entry.json'), 'utf8')) as unknown;
      const doc = searchDoc(id, json);
      if (match(doc)) docs.push(doc);
    }
    const picked = docs.slice(start, start + rows);
    const wt = params.get('wt') ?? 'json';
    record(req, 200, fault);
    if (wt === 'csv') {
      const csv = Papa.unparse({ fields: fl, data: picked.map((d) => fl.map((f) => fieldText(d[f]))) }, { newline: '\n' });
      await sendBody(req, res, 200, { 'content-type': 'text/csv; charset=utf-8' }, Buffer.from(`${csv}\n`), fault);
    } else {
      const body = canonicalJson(picked.map((d) => Object.fromEntries(fl.map((f) => [f, d[f] ?? null]))));
      await sendBody(req, res, 200, { 'content-type': 'application/json' }, Buffer.from(body), fault);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function indexHtml(title: string, links: readonly string[]): string {
  const rows = links.map((l) => `<a href="${escapeHtml(l)}">${escapeHtml(l)}</a>`).join('\n');
  return `<!DOCTYPE html>\n<html><head><title>Index of ${escapeHtml(title)}</title></head><body><h1>Index of ${escapeHtml(title)}</h1><pre>\n${rows}\n</pre></body></html>\n`;
}
