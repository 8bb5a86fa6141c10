/**
 * The site build, in three steps, each in its own child process so that its time and peak memory
 * can be measured apart and one build's modules never leak into the next:
 *   1. Astro static build (pages, /index.json, /all.csv, per-entry downloads) into `out`;
 *   2. Pagefind indexes of the entries (ID, title, authors, PDB IDs) into `out/pagefind/<shard>/`,
 *      from the search records the Astro step wrote (pagefind-index.ts);
 *   then, in this process, the statistics page's figures (statistics-plots.ts: Vega-Lite charts of
 *   the same index rows) and every entry's archive percentiles (`glance.json`, glance-files.ts: only
 *   the files whose bytes change are written; the pages' HTML does not hold them);
 *   3. PDFs of the entry pages (only changed ones re-printed; see print-pdfs.ts).
 * Entry pages live in group folders (`<group>/<id>/`, site/src/lib/entry-path.ts) so that no folder
 * holds more than `maxFilesPerDirectory` names.
 *
 * A full build (first build, or the renderer changed: site code, schema, dependencies, settings)
 * is built into `<out>.building/`; only a complete build replaces `out` (two renames), so the
 * published site stays whole while it runs and after a failed one.
 * An incremental build (the site's build-manifest.json was made by the same renderer) renders only
 * the new and changed entries (plus one unchanged entry, so the page assets are emitted) and the
 * shared pages (index, methods, /index.json, /all.csv) into `<out>.building/`, re-indexes only the
 * search shards whose records changed, then moves each rebuilt folder into `out` with renames and
 * deletes the folders of removed entries. The manifest first forgets the entries and shards about
 * to be replaced, so a build killed at any point is finished by the next one; the result equals a
 * clean full build, byte for byte (site.test.ts). While it runs, each file of the site is whole
 * (old or new) but the site as a whole mixes old and new pages.
 * Finally `out/build-info.json` records what was built (a non-empty `out` without it is refused:
 * it is not a site this command made, and would be deleted).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fanOut, entryFolder, searchShard, type FanOut } from '../../site/src/lib/entry-path.ts';
import type { SearchRecord } from '../../site/src/lib/search-record.ts';
import { MANIFEST_FILE, planBuild, readBuildManifest, rendererHash, reportHashes, sha256, writeBuildManifest, type BuildManifest, type ManifestEntry } from './build-manifest.ts';
import { SEARCH_FOLDER, SHARDS_FILE, type SearchJob } from './pagefind-index.ts';
import { normaliseBase } from './static-server.ts';
import { printPdfs, type PrintSummary } from './print-pdfs.ts';
import { writeGlanceFiles, type GlanceSummary } from './glance-files.ts';
import { processAlive } from './process-alive.ts';
import { writeStatisticsPlots } from './statistics-plots.ts';

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
  /** Limit on the names in one folder of the site (default 10 000; fixes the entry URLs). */
  maxFilesPerDirectory?: number;
  /** Rebuild only what changed when the site was built by the same renderer (default true). */
  incremental?: boolean;
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
  mode: 'full' | 'incremental';
  /** Entry pages rendered by this build. */
  rendered: number;
  /** Entry folders deleted (reports gone or no longer valid). */
  removed: number;
  /** Search shards indexed by this build. */
  shardsIndexed: number;
  /** Entries' percentile files (glance.json) written and left as they were. */
  glance: GlanceSummary;
  astro: StepStats;
  pagefind: StepStats | null;
  pdf: (PrintSummary & { peakMB: number | null }) | null;
  /** Wall seconds of each part of the build, in order (they add up to `seconds`). */
  phases: BuildPhases;
  /** Wall time of the whole build, seconds. */
  seconds: number;
}

/** Wall seconds of the parts of one build. */
export interface BuildPhases {
  /** Hashing the reports, reading the old manifest, planning, forgetting what is replaced. */
  plan: number;
  /** The Astro child process, its working folder and reading back its records. */
  astro: number;
  /** Choosing the stale search shards and the Pagefind child process. */
  pagefind: number;
  /** The statistics page's figures (computing the archive statistics, which the glance files then share). */
  statistics: number;
  /** Incremental builds: moving rebuilt folders into the site, deleting replaced ones. */
  moves: number;
  /** The entries' glance.json files. */
  glance: number;
  /** The whole PDF step: report hashes and stamps, printing, the cache manifest, placing the PDFs. */
  pdf: number;
  /** Writing the manifest and build-info, and (full builds) publishing the staged site. */
  finish: number;
}

/** Output of a child process with its wall time and, when measured, its peak RSS in MB. */
async function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { measure: boolean; log: (s: string) => void; echo: boolean; cwd?: string }): Promise<StepStats> {
  const timeBin = '/usr/bin/time';
  const useTime = opts.measure && fs.existsSync(timeBin);
  const marker = 'EMVR_TIME';
  const [c, a] = useTime ? [timeBin, ['-f', `${marker} %e %M %U %S`, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  let peakMB: number | null = null;
  let cpuSeconds: number | null = null;
  const errLines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(c, a, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd ?? PROJECT_ROOT });
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

/** A folder name of the site root that holds entry folders (entry-path.ts `entryGroup`). */
function isGroupFolder(name: string): boolean {
  return /^(\d+|local)$/u.test(name);
}

/** Entry IDs of a built site, from its manifest (empty when it has none). */
export function siteEntryIds(out: string): string[] {
  return Object.keys(readBuildManifest(out)?.entries ?? {}).sort();
}

/** Search records grouped by shard, each shard's records in URL order. */
function shardRecords(entries: BuildManifest['entries'], f: FanOut): Map<string, SearchRecord[]> {
  const shards = new Map<string, SearchRecord[]>();
  for (const id of Object.keys(entries).sort()) {
    const s = searchShard(id, f);
    if (!shards.has(s)) shards.set(s, []);
    shards.get(s)!.push(entries[id].record);
  }
  for (const list of shards.values()) list.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  return new Map([...shards].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** The hash a shard's index is kept under: its records. */
function shardHash(records: SearchRecord[]): string {
  return sha256(JSON.stringify(records)).slice(0, 32);
}

/** Names given to the folders moved to the trash (deleted at the end of the build). */
let trashed = 0;

/**
 * Renames done by this process; `EMVR_SITE_BUILD_KILL_AFTER=<n>` kills it with SIGKILL before
 * rename n+1, so the crash test can stop an incremental build half-way through its moves.
 */
let renames = 0;

function countRename(): void {
  const limit = Number(process.env.EMVR_SITE_BUILD_KILL_AFTER);
  if (Number.isInteger(limit) && limit >= 0 && renames++ >= limit) process.kill(process.pid, 'SIGKILL');
}

/** Moves `target` to `trash` if it exists: one rename, so the site never holds half a folder. */
async function discard(target: string, trash: string): Promise<void> {
  if (!fs.existsSync(target)) return;
  countRename();
  await fsp.mkdir(trash, { recursive: true });
  await fsp.rename(target, path.join(trash, String(trashed++)));
}

/** Replaces `target` by `from` with renames; the old `target` goes to `trash`. */
async function replaceWith(target: string, from: string, trash: string): Promise<void> {
  await discard(target, trash);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  countRename();
  await fsp.rename(from, target);
}

/**
 * Deletes what a clean build would not have made: entry folders not in `ids`, empty group folders,
 * root names other than `shared` and the group folders, search shards other than `shards`. After a
 * build killed half-way, this is what is left of it.
 */
async function sweep(out: string, ids: Set<string>, f: FanOut, shared: Set<string>, shards: Set<string>, trash: string): Promise<void> {
  for (const name of fs.readdirSync(out)) {
    const full = path.join(out, name);
    if (isGroupFolder(name) && fs.statSync(full).isDirectory()) {
      for (const id of fs.readdirSync(full)) if (!ids.has(id) || entryFolder(id, f) !== `${name}/${id}`) await discard(path.join(full, id), trash);
      if (fs.readdirSync(full).length === 0) await fsp.rmdir(full);
    } else if (name === SEARCH_FOLDER) {
      for (const s of fs.readdirSync(full)) if (s !== SHARDS_FILE && !shards.has(s)) await discard(path.join(full, s), trash);
    } else if (!shared.has(name)) {
      await discard(full, trash);
    }
  }
}

/**
 * A new folder `<project>/.astro/build-<pid>-…` for one Astro run. Those of builds whose process is
 * gone (killed before it could remove its own) are removed first.
 */
async function astroWorkingDir(): Promise<string> {
  const parent = path.join(PROJECT_ROOT, '.astro');
  await fsp.mkdir(parent, { recursive: true });
  for (const name of await fsp.readdir(parent)) {
    const pid = Number(/^build-(\d+)-/u.exec(name)?.[1]);
    if (pid > 0 && !processAlive(pid)) await fsp.rm(path.join(parent, name), { recursive: true, force: true });
  }
  return fsp.mkdtemp(path.join(parent, `build-${process.pid}-`));
}

/** Runs the whole build; throws on the first failed step with that step's last log lines. */
export async function buildSite(o: BuildOptions): Promise<BuildSummary> {
  const t0 = performance.now();
  // Each phase's end time; a phase lasts from the previous mark.
  let mark = t0;
  const lap = () => {
    const now = performance.now();
    const s = (now - mark) / 1000;
    mark = now;
    return s;
  };
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const content = path.resolve(o.content);
  const out = path.resolve(o.out);
  const base = normaliseBase(o.base);
  const pdf = o.pdf ?? true;
  const search = o.search ?? true;
  const measure = o.measure ?? false;
  const f = fanOut(o.maxFilesPerDirectory);
  if (!fs.existsSync(path.join(content, 'entries'))) throw new Error(`no entries folder in ${content} (expected ${path.join(content, 'entries', 'EMD-N', 'report.json')})`);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0 && !fs.existsSync(path.join(out, BUILD_INFO))) {
    throw new Error(`${out} is not empty and holds no ${BUILD_INFO}: not a site built by emvr, refusing to replace it`);
  }
  const stage = `${out}.building`;
  const trash = `${out}.trash`;
  const records = `${stage}.search-records.json`;
  const only = `${stage}.entries.json`;
  const knownRows = `${stage}.index-rows.json`;
  await fsp.rm(stage, { recursive: true, force: true });
  await fsp.rm(trash, { recursive: true, force: true });

  const renderer = rendererHash(PROJECT_ROOT, { base, pdf, search, maxFilesPerDirectory: f.maxFilesPerDirectory });
  const hashes = await reportHashes(content);
  const old = (o.incremental ?? true) && fs.existsSync(path.join(out, BUILD_INFO)) ? readBuildManifest(out) : null;
  const incremental = old !== null && old.renderer === renderer;
  const plan = incremental ? planBuild(old, hashes) : null;

  // A test runner's Vite variables (BASE_URL, MODE, NODE_ENV=test…) must not reach the build.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR', 'EMVR_ONLY_ENTRIES', 'EMVR_INDEX_ROWS'].includes(k) && !k.startsWith('VITEST')));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    NODE_ENV: 'production',
    EMVR_CONTENT: content,
    EMVR_OUT: stage,
    EMVR_SEARCH_RECORDS: records,
    EMVR_BASE: base,
    EMVR_NO_PDF: pdf ? '0' : '1',
    EMVR_MAX_DIR_FILES: String(f.maxFilesPerDirectory),
    ASTRO_TELEMETRY_DISABLED: '1',
  };

  // What this build renders: everything, or the changed entries plus one unchanged one (its page
  // makes Astro emit the entry pages' style and script assets, which replace the site's).
  let render: string[] = [...hashes.keys()];
  let manifest: BuildManifest = { version: 1, renderer, entries: {}, shards: {} };
  if (plan && old) {
    const anchor = Object.keys(old.entries).sort().find((id) => hashes.get(id) === old.entries[id].report);
    render = anchor && !plan.changed.includes(anchor) ? [...plan.changed, anchor] : plan.changed;
    // Forget, before touching the site, what is about to be replaced: a build killed from here on
    // leaves a manifest that sends the next build over the same entries again.
    manifest = { ...old, entries: { ...old.entries }, shards: { ...old.shards } };
    for (const id of [...render, ...plan.removed]) delete manifest.entries[id];
    for (const id of [...plan.changed, ...plan.removed]) delete manifest.shards[searchShard(id, f)];
    await writeBuildManifest(out, manifest);
    await fsp.writeFile(only, JSON.stringify(render));
    env.EMVR_ONLY_ENTRIES = only;
    // Index rows of the entries kept: their reports need not be read again for /index.json and /all.csv.
    await fsp.writeFile(knownRows, JSON.stringify(Object.fromEntries(Object.entries(manifest.entries).map(([id, e]) => [id, e.row]))));
    env.EMVR_INDEX_ROWS = knownRows;
    log(`astro: incremental build of ${content} → ${out}: ${plan.changed.length} new or changed, ${plan.removed.length} removed, ${hashes.size - plan.changed.length} unchanged`);
  } else {
    log(`astro: building ${content} → ${out} (base ${base}; staged in ${stage})`);
  }

  const planSeconds = lap();
  const astroBin = path.join(PROJECT_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
  // Astro keeps its server chunks under <working directory>/.astro/.prerender when the output
  // folder is outside the working directory, and deletes that folder at the end: each build runs
  // from a folder of its own inside the project (so that the chunks still find node_modules), and
  // two builds of one checkout at the same time do not delete each other's chunks.
  const astroCwd = await astroWorkingDir();
  let astro: StepStats;
  try {
    astro = await runChild(process.execPath, [astroBin, 'build', '--silent', '--root', PROJECT_ROOT], env, { measure, log, echo: true, cwd: astroCwd });
  } finally {
    await fsp.rm(astroCwd, { recursive: true, force: true });
  }
  const built = JSON.parse(await fsp.readFile(records, 'utf8')) as Omit<ManifestEntry, 'report'>[]; // written by site/integrations/entry-assets.ts
  for (const f of [records, only, knownRows]) await fsp.rm(f, { force: true });
  for (const { record, row } of built) manifest.entries[record.meta.entry] = { report: hashes.get(record.meta.entry)!, record, row };
  log(`astro: ${built.length} entry pages in ${astro.seconds.toFixed(1)} s${astro.cpuSeconds !== null ? ` (${astro.cpuSeconds.toFixed(1)} s CPU)` : ''}${astro.peakMB ? `, peak ${astro.peakMB} MB` : ''}`);

  const astroSeconds = lap();
  // Search shards whose records differ from the indexed ones.
  const wanted = search ? shardRecords(manifest.entries, f) : new Map<string, SearchRecord[]>();
  const stale = [...wanted].filter(([s, recs]) => manifest.shards[s] !== shardHash(recs));
  let pagefind: StepStats | null = null;
  if (stale.length > 0) {
    const job: SearchJob = { siteDir: stage, shards: Object.fromEntries(stale) };
    const jobFile = `${stage}.search-job.json`;
    await fsp.writeFile(jobFile, JSON.stringify(job));
    const indexer = path.join(PROJECT_ROOT, 'scripts', 'site', 'pagefind-index.ts');
    pagefind = await runChild(process.execPath, [indexer, jobFile], env, { measure, log, echo: false });
    await fsp.rm(jobFile, { force: true });
    log(`pagefind: ${stale.length} of ${wanted.size} shards indexed in ${pagefind.seconds.toFixed(1)} s${pagefind.cpuSeconds !== null ? ` (${pagefind.cpuSeconds.toFixed(1)} s CPU)` : ''}${pagefind.peakMB ? `, peak ${pagefind.peakMB} MB` : ''}`);
  }
  for (const [s] of stale) manifest.shards[s] = shardHash(wanted.get(s)!);
  for (const s of Object.keys(manifest.shards)) if (!wanted.has(s)) delete manifest.shards[s];
  if (search) {
    await fsp.mkdir(path.join(stage, SEARCH_FOLDER), { recursive: true });
    await fsp.writeFile(path.join(stage, SEARCH_FOLDER, SHARDS_FILE), `${JSON.stringify([...wanted.keys()])}\n`);
  }

  const pagefindSeconds = lap();
  // The statistics page's figures, from the rows its page was rendered from (shared pages: moved in with it).
  const rows = Object.keys(manifest.entries).sort().map((id) => manifest.entries[id].row);
  const plots = await writeStatisticsPlots(stage, rows, PROJECT_ROOT);
  log(`statistics: ${plots.written} figures drawn`);
  const statisticsSeconds = lap();

  const site = incremental ? out : stage;
  if (incremental && plan) {
    const t1 = performance.now();
    const shared = new Set([BUILD_INFO, MANIFEST_FILE, ...(search ? [SEARCH_FOLDER] : [])]);
    for (const name of fs.readdirSync(stage)) {
      if (isGroupFolder(name) || name === SEARCH_FOLDER) continue;
      shared.add(name);
      await replaceWith(path.join(out, name), path.join(stage, name), trash);
    }
    for (const id of [...render, ...plan.removed]) {
      const from = path.join(stage, entryFolder(id, f));
      if (fs.existsSync(from)) await replaceWith(path.join(out, entryFolder(id, f)), from, trash);
      else await discard(path.join(out, entryFolder(id, f)), trash);
    }
    for (const [s] of stale) await replaceWith(path.join(out, SEARCH_FOLDER, s), path.join(stage, SEARCH_FOLDER, s), trash);
    if (search) await replaceWith(path.join(out, SEARCH_FOLDER, SHARDS_FILE), path.join(stage, SEARCH_FOLDER, SHARDS_FILE), trash);
    await sweep(out, new Set(Object.keys(manifest.entries)), f, shared, new Set(wanted.keys()), trash);
    await fsp.rm(stage, { recursive: true, force: true });
    await fsp.rm(trash, { recursive: true, force: true });
    log(`site: rebuilt folders moved in, removed ones deleted in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }

  const movesSeconds = lap();
  const ids = Object.keys(manifest.entries).sort();
  // Percentiles move when entries come and go: every entry's glance.json is recomputed (cheap: index
  // rows only), and only the files that differ are written; the pages' HTML stays as it is.
  const glance = await writeGlanceFiles(site, rows, (id) => entryFolder(id, f));
  log(`glance: ${glance.written} percentile files written, ${glance.unchanged} unchanged, in ${glance.seconds.toFixed(1)} s`);
  const glanceSeconds = lap();
  let pdfSummary: BuildSummary['pdf'] = null;
  if (pdf) {
    const cacheDir = path.resolve(o.pdfCache ?? path.join(path.dirname(content), 'cache', 'site-pdf'));
    const rss0 = process.memoryUsage().rss;
    const s = await printPdfs({ siteDir: site, base, contentDir: content, cacheDir, ids, tabs: o.pdfTabs ?? 3, force: o.forcePdf, log, folderOf: (id) => entryFolder(id, f), reportHashes: hashes }, PROJECT_ROOT);
    pdfSummary = { ...s, peakMB: measure ? Math.round(Math.max(rss0, process.memoryUsage().rss) / 2 ** 20) : null };
    log(`pdf: ${s.printed} printed (${s.pages} pages, ${s.pagesPerSecond.toFixed(1)} pages/s), ${s.reused} unchanged${s.failed.length ? `, ${s.failed.length} FAILED` : ''}`);
    for (const e of s.failed) log(`  ${e.id}: ${e.error}`);
  }

  const pdfSeconds = lap();
  // No wall-clock time here: a rebuild of the same content must give a byte-identical site (the ledger keeps the times).
  const info = { base, entries: ids.length, pdf, search, maxFilesPerDirectory: f.maxFilesPerDirectory };
  await writeBuildManifest(site, manifest);
  await fsp.writeFile(path.join(site, BUILD_INFO), `${JSON.stringify(info, null, 1)}\n`);

  if (!incremental) {
    // Publish: the old site moves aside, the new one takes its name, then the old one is deleted.
    const oldSite = `${out}.old-${process.pid}`;
    const hadOld = fs.existsSync(out);
    if (hadOld) await fsp.rename(out, oldSite);
    await fsp.rename(stage, out);
    if (hadOld) {
      const t1 = performance.now();
      await fsp.rm(oldSite, { recursive: true, force: true });
      log(`previous site removed in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    }
  }
  const finishSeconds = lap();
  return {
    entries: ids.length,
    mode: incremental ? 'incremental' : 'full',
    rendered: built.length,
    removed: plan?.removed.length ?? 0,
    shardsIndexed: stale.length,
    glance,
    astro,
    pagefind,
    pdf: pdfSummary,
    phases: { plan: planSeconds, astro: astroSeconds, pagefind: pagefindSeconds, statistics: statisticsSeconds, moves: movesSeconds, glance: glanceSeconds, pdf: pdfSeconds, finish: finishSeconds },
    seconds: (mark - t0) / 1000,
  };
}
