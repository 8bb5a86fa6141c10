/**
 * Polite, patient HTTP for the EMDB client: at most `maxConcurrency` requests at a time, request
 * starts spaced at least `minIntervalMs` apart, and retries with exponential back-off (doubling
 * from `backoffMs`, capped at `maxBackoffMs`, ±20 % jitter) on what can heal by itself: HTTP 429
 * (honouring Retry-After), 5xx, timeouts, dropped connections, truncated or corrupt bodies.
 * 404 and other 4xx are final. Uses Node's built-in fetch.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Politeness and retry settings of the EMDB client (times in ms). */
export interface HttpOptions {
  /** Requests in flight at once (default 2). */
  readonly maxConcurrency: number;
  /** Minimum time between the starts of two requests, ms (default 400, as EMDB's own client). */
  readonly minIntervalMs: number;
  /** Retries after the first attempt (default 4). */
  readonly retries: number;
  /** First back-off delay, ms (default 1000); doubles per retry. */
  readonly backoffMs: number;
  /** Longest back-off or Retry-After wait, ms (default 120 000). */
  readonly maxBackoffMs: number;
  /** Time to get response headers, ms (default 30 000). */
  readonly timeoutMs: number;
  /**
   * Stall window, ms (default 60 000): a body that delivers less than `minBytesPerSecond` over any
   * window this long is given up (retryable), so a server trickling 1 byte/s cannot hold a run.
   */
  readonly idleTimeoutMs: number;
  /** Slowest acceptable body rate over one stall window, bytes/s (default 1024; 0 = only a full stall counts). */
  readonly minBytesPerSecond: number;
  /** Deadline of one small request (entry JSON, search), headers and body, ms (default 120 000). */
  readonly requestTimeoutMs: number;
  /** Deadline of one file download attempt (map, half map, model), ms (default 4 h). */
  readonly downloadTimeoutMs: number;
  readonly userAgent: string;
  /** Where retry notes go (default: nowhere). */
  readonly log?: (message: string) => void;
}

/** Defaults for the real EMDB. */
export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  maxConcurrency: 2,
  minIntervalMs: 400,
  retries: 4,
  backoffMs: 1000,
  maxBackoffMs: 120_000,
  timeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  minBytesPerSecond: 1024,
  requestTimeoutMs: 120_000,
  downloadTimeoutMs: 4 * 3600_000,
  userAgent: 'emvr-nightly (cryo-EM validation reports; https://github.com/)',
};

/** A failed request. `retryable` says whether trying again may help; `status` is the HTTP status if any. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  constructor(message: string, opts: { status?: number | null; retryable: boolean; retryAfterMs?: number | null }) {
    super(message);
    this.status = opts.status ?? null;
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/u.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** The error for a non-2xx response: 429 and 5xx retryable, the rest final. */
export function statusError(what: string, res: Response): HttpError {
  const s = res.status;
  const retryable = s === 429 || s >= 500;
  return new HttpError(`${what}: HTTP ${s}${res.statusText ? ` ${res.statusText}` : ''}`, { status: s, retryable, retryAfterMs: s === 429 || s === 503 ? parseRetryAfter(res.headers.get('retry-after')) : null });
}

/** Whether an error thrown by fetch or a body read (not an HttpError) is worth another try. */
function isTransient(err: unknown): boolean {
  if (err instanceof HttpError) return err.retryable;
  // fetch raises TypeError for network failures (its cause says which), AbortError/TimeoutError for our timers.
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  if (err.name === 'TypeError') return err.message === 'fetch failed' || err.message === 'terminated';
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|UND_ERR_[A-Z_]+|ERR_STREAM_PREMATURE_CLOSE)$/u.test(code);
}

/**
 * Request scheduler: a counting semaphore for concurrency plus a gate that spaces request starts.
 * `acquire()` resolves when a slot is free and the spacing has passed; call the returned release
 * when the response (including its body) is done.
 */
export class PoliteGate {
  private readonly max: number;
  private readonly spacing: number;
  private active = 0;
  private nextStart = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(maxConcurrency: number, minIntervalMs: number) {
    this.max = Math.max(1, Math.floor(maxConcurrency));
    this.spacing = Math.max(0, minIntervalMs);
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    // Reserve a start time before awaiting, so concurrent callers queue behind each other.
    const now = Date.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + this.spacing;
    if (start > now) await sleep(start - now);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/**
 * Runs `attempt` until it succeeds, a final error occurs, or the retries are used up. Back-off
 * before retry k (1-based) is backoffMs·2^(k−1) ±20 %, at least the server's Retry-After, at
 * most maxBackoffMs. The last error is rethrown with the attempt count in its message.
 */
export async function withRetries<T>(what: string, opts: HttpOptions, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isTransient(err) || n >= opts.retries) {
        const tries = n > 0 ? ` (after ${n + 1} attempts)` : '';
        // Network-level failures leave as HttpError too, so callers handle one error type.
        if (isTransient(err) && !(err instanceof HttpError)) throw new HttpError(`${what}: ${describeError(err)}${tries}`, { retryable: true });
        if (err instanceof Error) err.message = `${err.message}${tries}`;
        throw err;
      }
      const expo = opts.backoffMs * 2 ** n * (0.8 + 0.4 * Math.random());
      const server = err instanceof HttpError && err.retryAfterMs !== null ? err.retryAfterMs : 0;
      const wait = Math.min(opts.maxBackoffMs, Math.max(expo, server));
      opts.log?.(`${what}: ${describeError(err)}; retry ${n + 1}/${opts.retries} in ${(wait / 1000).toFixed(1)} s`);
      await sleep(wait);
    }
  }
}

/** One line for an error, with fetch's nested cause when there is one. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  const c = cause instanceof Error ? `: ${cause.message}` : '';
  return `${err.message}${c}`;
}

/**
 * GET through the gate with a header timeout and a body timeout, as text. Non-2xx → HttpError
 * (404 final, 429/5xx retryable). The caller wraps it in withRetries.
 */
export async function getText(gate: PoliteGate, opts: HttpOptions, url: string, what: string, accept = 'application/json'): Promise<{ text: string; res: Response }> {
  const release = await gate.acquire();
  const ctl = new AbortController();
  const headerTimer = setTimeout(() => ctl.abort(new HttpError(`${what}: no response within ${opts.timeoutMs} ms`, { retryable: true })), opts.timeoutMs);
  // One deadline over headers and body: a trickling body cannot re-arm it.
  const deadline = setTimeout(() => ctl.abort(new HttpError(`${what}: not complete within the request deadline of ${opts.requestTimeoutMs} ms`, { retryable: true })), opts.requestTimeoutMs);
  try {
    const res = await fetch(url, { headers: { 'user-agent': opts.userAgent, accept }, signal: ctl.signal, redirect: 'follow' });
    clearTimeout(headerTimer);
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw statusError(what, res);
    }
    const text = await res.text();
    const declared = res.headers.get('content-length');
    if (declared !== null && /^\d+$/u.test(declared) && Buffer.byteLength(text) !== Number(declared) && !res.headers.get('content-encoding')) {
      throw new HttpError(`${what}: body truncated (${Buffer.byteLength(text)} of ${declared} bytes)`, { retryable: true });
    }
    return { text, res };
  } catch (err) {
    if (ctl.signal.aborted && ctl.signal.reason instanceof HttpError) throw ctl.signal.reason;
    throw err;
  } finally {
    clearTimeout(headerTimer);
    clearTimeout(deadline);
    release();
  }
}
