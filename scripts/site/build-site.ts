/**
 * The site build, in three steps, each in its own child process so that its time and peak memory
 * can be measured apart and one build's modules never leak into the next:
 *   1. Astro static build (pages, /index.json, /all.csv, per-entry downloads) into `out`;
 *   2. Pagefind index of the entries (ID, title, authors, PDB IDs) into `out/pagefind/`, from the
 *      search records the Astro step wrote (pagefind-index.ts);
 *   3. PDFs of the entry pages (only changed ones re-printed; see print-pdfs.ts).
 * Everything is built into `<out>.building/`; only a complete build replaces `out` (two renames),
 * so the published site stays whole while a build runs and after a failed one. The previous site
 * is deleted after the swap. Finally `out/build-info.json` records what was built (a non-empty
 * `out` without it is refused: it is not a site this command made, and would be deleted).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EntryId } from '../../analyzers/report/schema.ts';
import { normaliseBase } from './static-server.ts';
import { printPdfs, type PrintSummary } from './print-pdfs.ts';

/** The file that marks a folder as a site built here (and records base and counts). */
export const BUILD_INFO = 'build-info.json';

/** The project folder (holds astro.config.mjs). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Options of `buildSite` (the `emvr build` flags). */
export interface BuildOptions {
  /** Content folder holding entries/<id>/report.json. */
  content: string;
  /** Output folder; replaced as a whole when the build succeeds. */
  out: string;
  /** URL sub-path, "/" by default. */
  base?: string;
  /** Print PDFs (default true). */
  pdf?: boolean;
  /** Build the Pagefind index (default true). */
  search?: boolean;
  /** PDF cache folder (default <content>/../cache/site-pdf: beside the content, so each content folder keeps its own). */
  pdfCache?: string;
  /** Parallel printing tabs. */
  pdfTabs?: number;
  /** Re-print every PDF. */
  forcePdf?: boolean;
  /** Measure each child step with /usr/bin/time when available (peak RSS). */
  measure?: boolean;
  log?: (line: string) => void;
}

export interface StepStats {
  seconds: number;
  /** User + system CPU seconds of the step's process tree, when measured (robust on a shared machine). */
  cpuSeconds: number | null;
  /** Peak resident memory of the step's process tree (MB), when measured. */
  peakMB: number | null;
}

/** What a build did: entry count and each step's time (and memory, when measured). */
export interface BuildSummary {
  entries: number;
  astro: StepStats;
  pagefind: StepStats | null;
  pdf: (PrintSummary & { peakMB: number | null }) | null;
}

/** Output of a child process with its wall time and, when measured, its peak RSS in MB. */
async function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { measure: boolean; log: (s: string) => void; echo: boolean }): Promise<StepStats> {
  const timeBin = '/usr/bin/time';
  const useTime = opts.measure && fs.existsSync(timeBin);
  const marker = 'EMVR_TIME';
  const [c, a] = useTime ? [timeBin, ['-f', `${marker} %e %M %U %S`, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  let peakMB: number | null = null;
  let cpuSeconds: number | null = null;
  const errLines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(c, a, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: PROJECT_ROOT });
    // Output arrives in chunks that may cut a line: keep the unfinished tail per stream.
    const tails = { out: '', err: '' };
    const onData = (which: 'out' | 'err') => (buf: Buffer) => {
      const text = tails[which] + buf.toString('utf8');
      const lines = text.split('\n');
      tails[which] = lines.pop() ?? '';
      onLines(lines);
    };
    const onLines = (lines: string[]) => {
      for (const line of lines) {
        if (line.startsWith(marker)) {
          const [, , kb, user, sys] = line.split(' ').map(Number);
          if (Number.isFinite(kb)) peakMB = Math.round(kb / 1024);
          if (Number.isFinite(user) && Number.isFinite(sys)) cpuSeconds = user + sys;
        } else if (line.trim() !== '') {
          errLines.push(line);
          if (errLines.length > 200) errLines.shift();
          if (opts.echo) opts.log(line);
        }
      }
    };
    child.stdout.on('data', onData('out'));
    child.stderr.on('data', onData('err'));
    child.on('error', reject);
    child.on('close', (code) => {
      onLines([tails.out, tails.err]);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(cmd)} ${args.slice(0, 2).join(' ')} failed (exit ${code}):\n${errLines.slice(-30).join('\n')}`));
    });
  });
  return { seconds: (performance.now() - t0) / 1000, peakMB, cpuSeconds };
}

/** Entry IDs that got a page: the <out>/<id>/index.html folders. */
export function builtEntryIds(out: string): string[] {
  return fs
    .readdirSync(out)
    .filter((n) => EntryId.safeParse(n).success && fs.existsSync(path.join(out, n, 'index.html')))
    .sort();
}

/** Runs the whole build; throws on the first failed step with that step's last log lines. */
export async function buildSite(o: BuildOptions): Promise<BuildSummary> {
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const content = path.resolve(o.content);
  const out = path.resolve(o.out);
  const base = normaliseBase(o.base);
  const pdf = o.pdf ?? true;
  const measure = o.measure ?? false;
  if (!fs.existsSync(path.join(content, 'entries'))) throw new Error(`no entries folder in ${content} (expected ${path.join(content, 'entries', 'EMD-N', 'report.json')})`);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0 && !fs.existsSync(path.join(out, BUILD_INFO))) {
    throw new Error(`${out} is not empty and holds no ${BUILD_INFO}: not a site built by emvr, refusing to replace it`);
  }
  const stage = `${out}.building`;
  const records = `${stage}.search-records.json`;
  await fsp.rm(stage, { recursive: true, force: true });

  // A test runner's Vite variables (BASE_URL, MODE, NODE_ENV=test…) must not reach the build.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR'].includes(k) && !k.startsWith('VITEST')));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    NODE_ENV: 'production',
    EMVR_CONTENT: content,
    EMVR_OUT: stage,
    EMVR_SEARCH_RECORDS: records,
    EMVR_BASE: base,
    EMVR_NO_PDF: pdf ? '0' : '1',
    ASTRO_TELEMETRY_DISABLED: '1',
  };

  log(`astro: building ${content} → ${out} (base ${base}; staged in ${stage})`);
  const astroBin = path.join(PROJECT_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
  const astro = await runChild(process.execPath, [astroBin, 'build', '--silent'], env, { measure, log, echo: true });
  const ids = builtEntryIds(stage);
  log(`astro: ${ids.length} entry pages in ${astro.seconds.toFixed(1)} s${astro.cpuSeconds !== null ? ` (${astro.cpuSeconds.toFixed(1)} s CPU)` : ''}${astro.peakMB ? `, peak ${astro.peakMB} MB` : ''}`);

  let pagefind: StepStats | null = null;
  if (o.search ?? true) {
    const indexer = path.join(PROJECT_ROOT, 'scripts', 'site', 'pagefind-index.ts');
    pagefind = await runChild(process.execPath, [indexer, records, stage], env, { measure, log, echo: false });
    log(`pagefind: indexed in ${pagefind.seconds.toFixed(1)} s${pagefind.cpuSeconds !== null ? ` (${pagefind.cpuSeconds.toFixed(1)} s CPU)` : ''}${pagefind.peakMB ? `, peak ${pagefind.peakMB} MB` : ''}`);
  }

  let pdfSummary: BuildSummary['pdf'] = null;
  if (pdf) {
    const cacheDir = path.resolve(o.pdfCache ?? path.join(path.dirname(content), 'cache', 'site-pdf'));
    const rss0 = process.memoryUsage().rss;
    const s = await printPdfs({ siteDir: stage, base, contentDir: content, cacheDir, ids, tabs: o.pdfTabs ?? 3, force: o.forcePdf, log }, PROJECT_ROOT);
    pdfSummary = { ...s, peakMB: measure ? Math.round(Math.max(rss0, process.memoryUsage().rss) / 2 ** 20) : null };
    log(`pdf: ${s.printed} printed (${s.pages} pages, ${s.pagesPerSecond.toFixed(1)} pages/s), ${s.reused} unchanged${s.failed.length ? `, ${s.failed.length} FAILED` : ''}`);
    for (const f of s.failed) log(`  ${f.id}: ${f.error}`);
  }

  await fsp.rm(records, { force: true });
  // No wall-clock time here: a rebuild of the same content must give a byte-identical site (the ledger keeps the times).
  const info = { base, entries: ids.length, pdf, search: o.search ?? true };
  await fsp.writeFile(path.join(stage, BUILD_INFO), `${JSON.stringify(info, null, 1)}\n`);

  // Publish: the old site moves aside, the new one takes its name, then the old one is deleted.
  const old = `${out}.old-${process.pid}`;
  const hadOld = fs.existsSync(out);
  if (hadOld) await fsp.rename(out, old);
  await fsp.rename(stage, out);
  if (hadOld) {
    const t0 = performance.now();
    await fsp.rm(old, { recursive: true, force: true });
    log(`previous site removed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { entries: ids.length, astro, pagefind, pdf: pdfSummary };
}
