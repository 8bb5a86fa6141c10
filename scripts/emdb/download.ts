/**
 * Map downloads (and, through `fetchVerified` with another verifier, any other kind of file, such
 * as fitted models, model-file.ts) that never leave a half file in the cache. The body streams into `<dest>.part`
 * (resumed with an HTTP Range request when the server supports it and the validator — ETag or
 * Last-Modified — still matches), then is verified: the byte count matches Content-Length, the
 * whole file gunzips (gzip CRC and length checked), and the first 1024 decompressed bytes are a
 * readable MRC header. Only then is it renamed to `<dest>` and its sidecar `<dest>.json`
 * (sha256, bytes, validators, URL, header summary) written. A cached file without its sidecar is
 * not trusted. With a sidecar, a later fetch is a conditional GET (If-None-Match /
 * If-Modified-Since) and a 304 keeps the cached file.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { CannotWriteError, isDiskFull, makeDir } from '../../analyzers/io/write-errors.ts';
import { checkHeader } from '../../analyzers/io/mrc-check.ts';
import { HEADER_BYTES, parseHeader } from '../../analyzers/io/mrc-header.ts';
import { decideByteOrder } from '../../analyzers/io/mrc.ts';
import { HttpError, statusError, withRetries, type HttpOptions, type PoliteGate } from './http.ts';

/** What every verified download's sidecar holds, whatever the file's kind. */
export interface VerifiedFileInfo {
  readonly url: string;
  /** sha256 (hex) of the stored (gzip) bytes. */
  readonly sha256: string;
  readonly bytes: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

/** What a verifier reports of a complete download: its hash and size, plus facts of its kind. */
export type Verified<I extends VerifiedFileInfo> = Omit<I, 'url' | 'etag' | 'lastModified'>;

/**
 * Checks a complete download. Throws HttpError (retryable) when the bytes look damaged in transit
 * (bad gzip), or a non-retryable error when the file itself is not what it should be.
 */
export type Verifier<I extends VerifiedFileInfo> = (file: string, what: string) => Promise<Verified<I>>;

/** Summary of a verified map file (kept in the sidecar). */
export interface MapFileInfo extends VerifiedFileInfo {
  /** From the MRC header: grid (nx, ny, nz), voxel size cell/m (Å), mode. */
  readonly dims: [number, number, number];
  readonly voxelSize: [number, number, number];
  readonly mode: number;
}

/** A download that completed but is not a usable map (not gzip-retried: the source itself is bad). */
export class MapVerifyError extends Error {
  override name = 'MapVerifyError';
}

interface PartMeta {
  url: string;
  etag: string | null;
  lastModified: string | null;
}

const sidecarOf = (dest: string) => `${dest}.json`;
const partOf = (dest: string) => `${dest}.part`;
const partMetaOf = (dest: string) => `${dest}.part.json`;

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/**
 * The cached file at `dest` when it exists with a sidecar that matches its size and `url`; else
 * null (and an untrusted leftover is removed).
 */
export async function cachedMap<I extends VerifiedFileInfo = MapFileInfo>(dest: string, url: string): Promise<I | null> {
  const info = await readJson<I>(sidecarOf(dest));
  const size = await sizeOf(dest);
  if (info && size !== null && info.url === url && info.bytes === size && /^[0-9a-f]{64}$/u.test(info.sha256)) return info;
  if (size !== null) await rm(dest, { force: true });
  return null;
}

/** sha256, byte count and MRC header facts of a complete gzip map; throws HttpError (bad gzip, retryable) or MapVerifyError. */
export async function verifyGzipMap(file: string, what: string): Promise<{ sha256: string; bytes: number; dims: [number, number, number]; voxelSize: [number, number, number]; mode: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const head = new Uint8Array(HEADER_BYTES);
  let headFill = 0;
  let plainBytes = 0;
  try {
    // A pipeline that ends in a consumer settles only after gunzip has ended (CRC and length
    // checked) or failed: a truncated stream can never pass as complete.
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const c of source) {
          hash.update(c);
          bytes += c.length;
          yield c;
        }
      },
      createGunzip({ chunkSize: 1 << 20 }),
      async (plain: AsyncIterable<Buffer>) => {
        for await (const c of plain) {
          plainBytes += c.length;
          if (headFill < HEADER_BYTES) {
            const take = Math.min(HEADER_BYTES - headFill, c.length);
            head.set(c.subarray(0, take), headFill);
            headFill += take;
          }
        }
      },
    );
  } catch (err) {
    throw new HttpError(`${what}: downloaded file is not valid gzip (${(err as Error).message})`, { retryable: true });
  }
  if (headFill < HEADER_BYTES) throw new MapVerifyError(`${what}: the map decompresses to ${plainBytes} bytes, less than an MRC header (1024 bytes)`);
  const order = decideByteOrder(head);
  const header = parseHeader(head, order.littleEndian);
  const fatal = [...(order.issue?.fatal ? [order.issue] : []), ...checkHeader(header, null).issues.filter((i) => i.fatal)];
  if (fatal.length > 0) throw new MapVerifyError(`${what}: not a readable MRC map: ${fatal.map((i) => i.message).join('; ')}`);
  const voxel = (cell: number, m: number, n: number) => cell / (m > 0 ? m : n);
  return {
    sha256: hash.digest('hex'),
    bytes,
    dims: [header.nx, header.ny, header.nz],
    voxelSize: [voxel(header.cella[0], header.mx, header.nx), voxel(header.cella[1], header.my, header.ny), voxel(header.cella[2], header.mz, header.nz)],
    mode: header.mode,
  };
}

/** How long a body may take: a stall window with its minimum rate, and an absolute deadline. */
interface BodyLimits {
  /** Length of the stall window, ms. */
  readonly windowMs: number;
  /** Slowest acceptable rate over one window, bytes/s (0: only a window without any byte fails). */
  readonly minBytesPerSecond: number;
  /** `Date.now()` after which the attempt is given up. */
  readonly deadlineAt: number;
  /** The deadline's length as configured (for the message), ms. */
  readonly deadlineMs: number;
}

/**
 * Why a body that has delivered `bytes` in the current window of `windowMs` is too slow, or null.
 * Below the rate a window is a stall; at rate 0 only an empty window is.
 */
export function stallReason(bytes: number, windowMs: number, minBytesPerSecond: number): string | null {
  const need = Math.max(1, Math.ceil((minBytesPerSecond * windowMs) / 1000));
  if (bytes >= need) return null;
  return bytes === 0 ? `no data for ${windowMs} ms` : `only ${bytes} bytes in ${windowMs} ms (slower than ${minBytesPerSecond} bytes/s)`;
}

/** Streams a response body into `file` (append when `append`), failing on a stall (see BodyLimits) or past the deadline. */
async function streamBody(res: Response, file: string, append: boolean, limits: BodyLimits, what: string): Promise<void> {
  if (!res.body) throw new HttpError(`${what}: empty response body`, { retryable: true });
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  let inWindow = 0;
  const fail = (why: string) => body.destroy(new HttpError(`${what}: ${why}`, { retryable: true }));
  const window = setInterval(() => {
    const why = stallReason(inWindow, limits.windowMs, limits.minBytesPerSecond);
    inWindow = 0;
    if (why !== null) fail(why);
  }, limits.windowMs);
  const deadline = setTimeout(() => fail(`download not complete within its deadline of ${limits.deadlineMs} ms`), Math.max(0, limits.deadlineAt - Date.now()));
  body.on('data', (c: Buffer) => (inWindow += c.length));
  try {
    await pipeline(body, createWriteStream(file, { flags: append ? 'a' : 'w' }));
  } finally {
    clearInterval(window);
    clearTimeout(deadline);
  }
}

/** Total length a response promises: Content-Range's total for 206, Content-Length otherwise; null when unknown. */
function promisedTotal(res: Response, offset: number): number | null {
  if (res.status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/u.exec(res.headers.get('content-range') ?? '');
    if (m && m[3] !== '*') return Number(m[3]);
    const len = res.headers.get('content-length');
    return len !== null && /^\d+$/u.test(len) ? offset + Number(len) : null;
  }
  const len = res.headers.get('content-length');
  return len !== null && /^\d+$/u.test(len) ? Number(len) : null;
}

/**
 * Makes `dest` a verified copy of `url` and returns its info; `fromCache` is true when a
 * conditional GET answered 304 (the cached copy is current). Retries per `opts`; a map that
 * downloads completely but is not an MRC map throws MapVerifyError at once; 404 throws HttpError.
 */
export async function fetchMap(gate: PoliteGate, opts: HttpOptions, url: string, dest: string, what: string): Promise<{ info: MapFileInfo; fromCache: boolean }> {
  return fetchVerified<MapFileInfo>(gate, opts, url, dest, what, verifyGzipMap);
}

/**
 * `fetchMap` for any kind of file: the same .part download, resume, conditional GET and sidecar,
 * with `verify` deciding whether a complete download is usable (a verifier's non-retryable error
 * is thrown at once, and the part is removed).
 */
export async function fetchVerified<I extends VerifiedFileInfo>(gate: PoliteGate, opts: HttpOptions, url: string, dest: string, what: string, verify: Verifier<I>): Promise<{ info: I; fromCache: boolean }> {
  await makeDir(path.dirname(dest));
  return withRetries(what, opts, async () => {
    const cached = await cachedMap<I>(dest, url);
    const part = partOf(dest);
    const partMeta = await readJson<PartMeta>(partMetaOf(dest));
    let offset = (await sizeOf(part)) ?? 0;
    const validator = partMeta?.etag ?? partMeta?.lastModified ?? null;
    // Resume only a part of the same URL whose validator we know; anything else starts over.
    if (offset > 0 && (partMeta?.url !== url || validator === null)) offset = 0;
    const headers: Record<string, string> = { 'user-agent': opts.userAgent, 'accept-encoding': 'identity' };
    if (cached && offset === 0) {
      if (cached.etag) headers['if-none-match'] = cached.etag;
      if (cached.lastModified) headers['if-modified-since'] = cached.lastModified;
    } else if (offset > 0 && validator !== null) {
      headers.range = `bytes=${offset}-`;
      headers['if-range'] = validator;
    }

    const release = await gate.acquire();
    const deadlineAt = Date.now() + opts.downloadTimeoutMs;
    const ctl = new AbortController();
    const headerMs = Math.min(opts.timeoutMs, opts.downloadTimeoutMs);
    const timer = setTimeout(() => ctl.abort(new HttpError(`${what}: no response within ${headerMs} ms`, { retryable: true })), headerMs);
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: ctl.signal, redirect: 'follow' });
      } catch (err) {
        if (ctl.signal.aborted && ctl.signal.reason instanceof HttpError) throw ctl.signal.reason;
        throw err;
      } finally {
        clearTimeout(timer);
      }
      if (res.status === 304 && cached) {
        await res.body?.cancel().catch(() => undefined);
        return { info: cached, fromCache: true };
      }
      if (res.status === 416) {
        await res.body?.cancel().catch(() => undefined);
        await rm(part, { force: true });
        throw new HttpError(`${what}: server refused to resume at byte ${offset}; starting over`, { retryable: true });
      }
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel().catch(() => undefined);
        throw statusError(what, res);
      }
      const append = res.status === 206 && offset > 0;
      if (res.status === 206) {
        const m = /^bytes (\d+)-/u.exec(res.headers.get('content-range') ?? '');
        if (!m || Number(m[1]) !== offset) {
          await res.body?.cancel().catch(() => undefined);
          await rm(part, { force: true });
          throw new HttpError(`${what}: server resumed at the wrong byte (${res.headers.get('content-range')})`, { retryable: true });
        }
      }
      const meta: PartMeta = { url, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
      await writeFileAtomic(partMetaOf(dest), JSON.stringify(meta));
      const total = promisedTotal(res, append ? offset : 0);
      try {
        await streamBody(res, part, append, { windowMs: opts.idleTimeoutMs, minBytesPerSecond: opts.minBytesPerSecond, deadlineAt, deadlineMs: opts.downloadTimeoutMs }, what);
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        // A part cut by a full disk is not kept: it would hold the space the next run needs.
        await rm(part, { force: true });
        await rm(partMetaOf(dest), { force: true });
        throw new CannotWriteError('disk full', part);
      }
      // The network part is over: free the slot before the (disk and CPU) verification.
      release();
      const got = (await sizeOf(part)) ?? 0;
      if (total !== null && got !== total) {
        // Keep the part: the next attempt resumes from here when the server allows it.
        throw new HttpError(`${what}: body truncated (${got} of ${total} bytes)`, { retryable: true });
      }
      let verified;
      try {
        verified = await verify(part, what);
      } catch (err) {
        await rm(part, { force: true });
        await rm(partMetaOf(dest), { force: true });
        throw err;
      }
      const info = { ...meta, ...verified } as I;
      // Sidecar off before the swap: a crash between the steps leaves a file without sidecar (untrusted).
      await rm(sidecarOf(dest), { force: true });
      await rename(part, dest);
      await writeFileAtomic(sidecarOf(dest), `${JSON.stringify(info, null, 2)}\n`);
      await rm(partMetaOf(dest), { force: true });
      return { info, fromCache: false };
    } finally {
      release();
    }
  });
}

/** Deletes the cached map (and sidecar) at `dest`: for `--prune-maps` once a report is published. */
export async function pruneMap(dest: string): Promise<void> {
  await rm(sidecarOf(dest), { force: true });
  await rm(dest, { force: true });
}
