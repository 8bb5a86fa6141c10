/**
 * A small static file server for a built site (node:http only), bound to 127.0.0.1. Serves `dir`
 * under the URL prefix `base` (the site's configured sub-path), maps `/x/` to `/x/index.html`,
 * answers GET and HEAD only, and never serves anything outside `dir` (paths are decoded,
 * normalised and checked against the root, symlinks resolved).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** A response made from a file on the fly (e.g. a print-sized figure), chosen by the query string. */
export type Variant = (file: string, query: URLSearchParams) => Promise<{ type: string; body: Uint8Array } | null>;

/** A running server: its URL (origin + base), port, and how to stop it. */
export interface StaticServer {
  /** Origin and base, e.g. "http://127.0.0.1:4321/sub/path/". */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** "/", "/a/b/": leading and trailing slash. */
export function normaliseBase(raw: string | undefined): string {
  const t = (raw ?? '/').trim().replace(/^\/+|\/+$/gu, '');
  return t === '' ? '/' : `/${t}/`;
}

/** Resolves a request path to a file under `root`, or null when it is outside or absent. */
export function resolveRequest(root: string, base: string, urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  if (p.includes('\0')) return null;
  if (!p.startsWith(base)) {
    if (`${p}/` === base) p = base;
    else return null;
  }
  const rel = p.slice(base.length);
  const full = path.resolve(root, `./${rel}`);
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  let file = full;
  try {
    let st = fs.statSync(file);
    if (st.isDirectory()) {
      file = path.join(file, 'index.html');
      st = fs.statSync(file);
    }
    if (!st.isFile()) return null;
    // A symlink inside the site must not lead outside it.
    const real = fs.realpathSync(file);
    const realRoot = fs.realpathSync(root);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
    return file;
  } catch {
    return null;
  }
}

/** Answers with the variant of `file`, or with the file itself when there is none. */
async function sendVariant(variant: Variant, file: string, query: URLSearchParams, method: string, res: http.ServerResponse): Promise<void> {
  const v = await variant(file, query).catch(() => null);
  const body = v?.body ?? fs.readFileSync(file);
  res.writeHead(200, {
    'content-type': v?.type ?? TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': body.byteLength,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/**
 * Starts serving `dir` at http://127.0.0.1:<port><base>. Port 0 picks a free port. A directory URL
 * without its trailing slash is redirected (so relative links inside pages resolve), a request
 * outside `base` is redirected to `base` when it is "/", otherwise 404. With `variant`, a request
 * with a query string may be answered by a file made from the one asked for.
 */
export function startStaticServer(opts: { dir: string; port?: number; base?: string; quiet?: boolean; variant?: Variant }): Promise<StaticServer> {
  const root = path.resolve(opts.dir);
  const base = normaliseBase(opts.base);
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const urlPath = (req.url ?? '/').split('?')[0];
    if (urlPath === '/' && base !== '/') {
      res.writeHead(302, { location: base }).end();
      return;
    }
    const file = resolveRequest(root, base, urlPath);
    if (!file) {
      // The site's own 404 page when it has one (static hosts do the same).
      const notFound = path.join(root, '404.html');
      const page = fs.existsSync(notFound);
      res.writeHead(404, { 'content-type': page ? TYPES['.html'] : TYPES['.txt'] });
      res.end(method === 'HEAD' ? undefined : page ? fs.readFileSync(notFound) : 'Not found\n');
      return;
    }
    if (file.endsWith(`${path.sep}index.html`) && !urlPath.endsWith('/') && !urlPath.endsWith('index.html')) {
      res.writeHead(301, { location: `${urlPath}/` }).end();
      return;
    }
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    if (opts.variant && query.size > 0) {
      void sendVariant(opts.variant, file, query, method, res).catch(() => res.destroy());
      return;
    }
    const st = fs.statSync(file);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': st.size,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}${base}`,
        port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
