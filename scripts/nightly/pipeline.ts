/**
 * The nightly rebuild (ARCHITECTURE.md "Data flow"): discover → fetch → analyse → publish →
 * site (+ PDFs + search index), for what changed only. Entries come from the EMDB API and archive
 * (client.ts) or, with `archive`, from the archive layout alone (archive-source.ts: listing, header
 * XML, files); both go through the same steps. Output folder layout:
 *
 *   <out>/content/entries/EMD-N/{report.json, figures/}   published reports (deterministic)
 *   <out>/content/entries/EMD-N/refusal.json               or a published refusal (analyzers/report/refusal.ts)
 *   <out>/cache/EMD-N/emd_N.map.gz (+ .json sidecar)       verified map downloads
 *   <out>/cache/EMD-N/other/<file> (+ .json sidecar)       verified half maps (the archive's layout)
 *   <out>/cache/EMD-N/model/<pdb>.cif.gz (+ .json sidecar) verified fitted model (from the PDB archive)
 *   <out>/cache/staging/run-R/EMD-N/                       analyses in progress
 *   <out>/ledger.sqlite                                    runs, outcomes, hashes, timings
 *   <out>/site/                                            the built site (when `emvr build` exists)
 *
 * Work list: the discovered entries (released or updated since the last completed run, or all,
 * or an explicit list), plus entries whose last attempt failed or whose result is from another
 * analyzer version. An entry is re-analysed only when its metadata hash (the report-relevant
 * fields of the entry JSON), its map sha256, the fingerprint of its additional inputs (the two
 * half maps' sha256, scripts/emdb/entry-inputs.ts) or ANALYZER_VERSION changed, or its published
 * report is missing; otherwise the report is reused. Half maps are fetched like the map (retries,
 * resume, verification, cache) when the entry lists exactly two; with another number the entry is
 * analysed without them and the ledger and the report say why. A half map that cannot be fetched
 * fails its entry at stage download, naming the file; the batch goes on. The fitted model (the
 * entry's first PDB ID) is fetched from the PDB archive the same way but is optional: one that
 * cannot be fetched or does not verify as mmCIF leaves the entry analysed without it, with a note
 * in the ledger and the report (the note is part of the fingerprint, so a model that later appears
 * re-analyses the entry). Each entry's outcome is
 * committed to the ledger after its files are in place; a crash anywhere leaves it "not done" and
 * the next run redoes it.
 *
 * Executors: `local` (default) analyses in a pool of worker processes, each entry as soon as its
 * map is fetched. `slurm` fetches every entry first, then analyses the ones that need it as Slurm
 * job arrays (scripts/slurm/driver.ts) from the output folder on shared storage, publishing and
 * recording each entry as its task's status arrives; both publish the same bytes.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { MetadataGrid } from '../../analyzers/report/schema.ts';
import { CannotWriteError, isDiskFull, makeDir } from '../../analyzers/io/write-errors.ts';
import { ANALYZER_VERSION } from '../../analyzers/util/version.ts';
import { ArchiveSource, archiveLabel, type ArchiveLocation } from '../emdb/archive-source.ts';
import { EmdbClient, EntryNotFoundError, InputFileNotFoundError, type DiscoverOptions, type Discovery, type EntryJson } from '../emdb/client.ts';
import { MapVerifyError, pruneMap } from '../emdb/download.ts';
import { ModelVerifyError } from '../emdb/model-file.ts';
import {
  additionalInputsSha256,
  describeInput,
  halfMapPathsOf,
  inputCachePath,
  inputKindLabel,
  isOptionalInput,
  modelFailureNote,
  modelOf,
  planAdditionalInputs,
  type AdditionalInput,
  type AdditionalInputPlan,
  type FetchedInput,
  type InputNote,
} from '../emdb/entry-inputs.ts';
import type { EmdbEndpoints } from '../emdb/endpoints.ts';
import { sha256Json, toReportEntry, type EntryMetadata } from '../emdb/entry-metadata.ts';
import { describeError, type HttpOptions } from '../emdb/http.ts';
import { checkEmdbId, compareEmdbIds, mapFileName } from '../emdb/ids.ts';
import { cleanStaging, isPublishedRefusal, publishedReportSha, publishEntry, publishRefusal, recoverContent, stagingFolder, unpublishEntry } from './content.ts';
import { makeRefusal, type RefusalEntry } from '../../analyzers/report/refusal.ts';
import { openLedger } from './ledger-recover.ts';
import { type Ledger, type EntryRunRecord, type EntryRunStatus, type ExtraInputRecord, type Stage } from './ledger.ts';
import { NightlyLock } from './lock.ts';
import { printable, Progress } from '../progress.ts';
import { BUILD_MARKER, runSiteBuild, siteBuilderAvailable } from './site-build.ts';
import type { AnalysisOutcome } from '../jobs/analysis-job.ts';
import { AnalysisPool } from './worker-pool.ts';
import { runOnSlurm, SlurmCancelledError, slurmPreflight, type SlurmOptions, type SlurmUnit } from '../slurm/driver.ts';
import { unitKey } from '../slurm/task-file.ts';

/** Everything a nightly run needs; `emvr nightly` builds it from its flags. */
export interface NightlyOptions {
  /** Output folder (content/, cache/, ledger.sqlite, site/). */
  readonly out: string;
  readonly endpoints: EmdbEndpoints;
  /**
   * Read entries from the EMDB archive layout (`structures/EMD-N/{header,map,other}`) in this
   * folder or under this URL instead of the API (archive-source.ts); `endpoints.pdb` still serves
   * fitted models.
   */
  readonly archive?: ArchiveLocation;
  readonly http?: Partial<HttpOptions>;
  /** Explicit accessions (no discovery, no retries of others); null = discover. */
  readonly ids?: readonly string[] | null;
  /** Discover every released entry, ignoring the watermark. */
  readonly full?: boolean;
  /** Discover from this day (YYYY-MM-DD) instead of the watermark. */
  readonly since?: string | null;
  /** Accepted methods (default singleParticle; empty = all). */
  readonly methods?: readonly string[];
  readonly updateField?: string;
  /** A Lucene query replacing the built discovery query. */
  readonly query?: string;
  /** Process at most this many entries (the rest next run). */
  readonly limit?: number | null;
  /** Analysis worker processes (default 2); with the slurm executor, entries fetched at once. */
  readonly workers?: number;
  /** Where analyses run: local worker processes (default) or Slurm job arrays. */
  readonly executor?: 'local' | 'slurm';
  /** Cluster settings of the slurm executor. */
  readonly slurm?: SlurmOptions;
  readonly figures?: boolean;
  /** Per-entry analysis time limit, s (0 = none). */
  readonly entryTimeoutS?: number;
  readonly maxVoxels?: number;
  readonly site?: { readonly enabled: boolean; readonly base?: string; readonly pdf: boolean; readonly force?: boolean };
  /** Delete a cached map (and its half maps) once its report is published. */
  readonly pruneMaps?: boolean;
  /** Progress lines on stderr (default true). */
  readonly progress?: boolean;
  /** Where messages go (default stderr). */
  readonly log?: (line: string) => void;
}

/** Where entries come from: the EMDB API and archive (client.ts) or the archive layout alone (archive-source.ts). */
export interface EntrySource {
  discover(opts: DiscoverOptions): Promise<Discovery>;
  getEntry: EmdbClient['getEntry'];
  fetchMap: EmdbClient['fetchMap'];
  fetchInput: EmdbClient['fetchInput'];
}

/** One entry's result in a run. */
export interface EntryOutcome {
  readonly id: string;
  readonly status: EntryRunStatus;
  readonly stage: Stage | null;
  readonly reason: string | null;
}

/** What a run did (also printed by `emvr nightly --json`). */
export interface NightlySummary {
  readonly runId: number;
  readonly mode: 'since' | 'full' | 'ids';
  readonly since: string | null;
  readonly discovered: number;
  readonly queued: number;
  readonly outcomes: EntryOutcome[];
  readonly counts: Record<EntryRunStatus, number>;
  /** built | up to date | skipped: … | failed: … | disabled */
  readonly site: string;
  readonly seconds: number;
  readonly notes: string[];
}

/** Paths of an output folder. */
export function outPaths(out: string) {
  const root = path.resolve(out);
  return {
    root,
    content: path.join(root, 'content'),
    cache: path.join(root, 'cache'),
    site: path.join(root, 'site'),
    ledger: path.join(root, 'ledger.sqlite'),
  };
}

const todayUtc = () => new Date().toISOString().slice(0, 10);
const secondsSince = (t0: number) => Math.round(performance.now() - t0) / 1000;

/** The fields of an entry the report depends on (its hash decides re-analysis); the grid feeds the report's input warnings. */
function reportInputs(m: EntryMetadata) {
  return { id: m.id, title: m.title, authors: m.authors, depositionDate: m.depositionDate, releaseDate: m.releaseDate, resolution: m.resolution, threshold: m.threshold, method: m.method, pdbIds: m.pdbIds, symmetry: m.symmetry, molecularWeightMDa: m.molecularWeightMDa, voxelSize: m.voxelSize, dims: m.dims };
}

/** What the metadata says of the map's grid, for the report's input warnings (one wording whatever the source, so the API and an archive mirror publish the same bytes). */
function metadataGridOf(m: EntryMetadata): MetadataGrid {
  return { source: 'the EMDB metadata', voxelSize: m.voxelSize, dims: m.dims };
}

/**
 * Runs `fn` over `items` with at most `n` at a time, in order of start. After a failure no new
 * item starts; the ones under way finish, then the first error is thrown.
 */
async function eachLimit<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const runners = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  const settled = await Promise.allSettled(runners);
  const first = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (first) throw first.reason;
}

/** A full disk stops the run: every later entry would fail the same way. The message names the path. */
export class DiskFullError extends Error {
  override name = 'DiskFullError';
}

/** `err` as a DiskFullError when it says the disk is full (naming `fallbackPath` if it names none), else null. */
function asDiskFull(err: unknown, fallbackPath: string): DiskFullError | null {
  if (err instanceof DiskFullError) return err;
  if (!isDiskFull(err)) return null;
  return new DiskFullError(err instanceof CannotWriteError ? err.message : `disk full: cannot write ${fallbackPath} (${describeError(err)})`);
}

/** One nightly run. Throws only for problems of the run as a whole (lock held, discovery impossible, ledger unwritable). */
export async function runNightly(opts: NightlyOptions): Promise<NightlySummary> {
  const t0 = performance.now();
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const p = outPaths(opts.out);
  await makeDir(p.root);
  const lock = await NightlyLock.acquire(p.root, log);
  let opened: Awaited<ReturnType<typeof openLedger>>;
  try {
    opened = await openLedger(p.ledger, p.content, log);
  } catch (err) {
    await lock.release();
    throw err;
  }
  const ledger = opened.ledger;
  const notes: string[] = opened.note === null ? [] : [opened.note];
  let runId = -1;
  let pool: AnalysisPool | null = null;
  try {
    const interrupted = ledger.markInterrupted();
    if (interrupted > 0) notes.push(`${interrupted} earlier run(s) had been interrupted; their unfinished entries are redone`);
    for (const n of await recoverContent(p.content)) notes.push(n);
    await cleanStaging(p.root);

    const explicit = opts.ids ?? null;
    // An archive listing has no dates to filter on: every run of it looks at every listed entry.
    const mode: 'since' | 'full' | 'ids' = explicit !== null ? 'ids' : opts.full || opts.archive !== undefined || (opts.since === undefined && ledger.getMeta('watermark') === null) ? 'full' : 'since';
    const since = mode === 'since' ? (opts.since ?? ledger.getMeta('watermark')) : null;
    const runDay = todayUtc();
    runId = ledger.startRun({ emdbApi: opts.archive ? 'none (archive layout)' : opts.endpoints.api, emdbFiles: opts.archive ? archiveLabel(opts.archive) : opts.endpoints.files, mode, since, analyzerVersion: ANALYZER_VERSION });
    // A cluster that does not answer is found out before hours of downloads.
    if (opts.executor === 'slurm') await slurmPreflight(opts.slurm ?? {}, p.root);
    const httpOpts = { ...opts.http, log: (m: string) => log(printable(m)) };
    const client: EntrySource = opts.archive ? new ArchiveSource(opts.archive, opts.endpoints, httpOpts) : new EmdbClient(opts.endpoints, httpOpts);
    const methods = opts.methods ?? ['singleParticle'];

    // 1. Discover.
    let discovered: string[];
    if (explicit !== null) {
      discovered = [...new Set(explicit.map((id) => checkEmdbId(id)))].sort(compareEmdbIds);
    } else {
      const d = await client.discover({ since, methods, updateField: opts.updateField, query: opts.query });
      discovered = d.ids;
      if (d.note) notes.push(d.note);
      if (d.rejected.length > 0) notes.push(`ignored ${d.rejected.length} search result(s) that are not EMDB IDs: ${d.rejected.slice(0, 5).join(', ')}${d.rejected.length > 5 ? ', …' : ''}`);
      const scope = opts.archive ? d.query : mode === 'full' ? 'all released' : `released or updated since ${since}`;
      log(`discovery: ${discovered.length} entr${discovered.length === 1 ? 'y' : 'ies'} (${scope})`);
    }

    // 2. Work list: discovered + retries (failed, other analyzer version) + published entries whose folder is gone.
    const why = new Map<string, string>(discovered.map((id) => [id, 'discovered']));
    if (explicit === null) {
      for (const r of ledger.retryList(ANALYZER_VERSION)) if (!why.has(r.entryId)) why.set(r.entryId, r.why === 'failed' ? 'retry after failure' : 'analyzer version changed');
      for (const r of ledger.publishedReports()) {
        if (!why.has(r.entryId) && (await publishedReportSha(p.content, r.entryId)) !== r.reportSha256) why.set(r.entryId, 'published report missing or changed');
      }
    }
    let work = [...why.keys()].sort(compareEmdbIds);
    const limited = opts.limit !== undefined && opts.limit !== null && work.length > opts.limit;
    if (limited) {
      notes.push(`--limit ${opts.limit}: ${work.length - (opts.limit as number)} entries left for the next run`);
      work = work.slice(0, opts.limit as number);
    }
    ledger.updateRun(runId, { discovered: discovered.length, queued: work.length, notes: notes.length ? notes.join('\n') : null });

    // 3. Fetch, analyse, publish.
    const workers = Math.max(1, opts.workers ?? 2);
    const progress = new Progress('entries', work.length, { enabled: opts.progress ?? true });
    // Per-entry lines: through the caller's log when given, else around the progress line on stderr.
    const note = opts.log ?? ((m: string) => progress.note(m));
    const outcomes: EntryOutcome[] = [];
    const commit = (rec: EntryRunRecord) => {
      ledger.recordEntry(runId, rec);
      outcomes.push({ id: rec.entryId, status: rec.status, stage: rec.stage, reason: rec.reason });
      const tail = rec.status === 'analysed' ? ` (${rec.analyseSeconds ?? '?'} s)` : rec.reason ? `${rec.stage ? ` [${rec.stage}]` : ''}: ${printable(rec.reason, 300)}` : '';
      note(`${rec.entryId} ${rec.status}${tail}`);
      progress.tick(rec.status);
    };
    const ctxBase = { opts, client, ledger, runId, paths: p, methods };
    if ((opts.executor ?? 'local') === 'local') {
      // `workers` analyses at once, two more entries downloading ahead.
      pool = new AnalysisPool(workers, (opts.entryTimeoutS ?? 0) * 1000, (pid) => void lock.addChild(pid, 'analysis-job.ts').catch(() => undefined));
      const activePool = pool;
      await eachLimit(work, workers + 2, async (id) => commit(await processEntry(id, { ...ctxBase, pool: activePool })));
      await pool.close();
      pool = null;
    } else {
      await analyseOnSlurm(work, { ...ctxBase, pool: null }, workers + 2, commit, note);
    }

    // 4. Site, PDFs, search index: only when content changed since the last successful build.
    const site = await siteStep(opts, ledger, runId, p, lock, log);

    ledger.finishRun(runId, 'completed');
    if (mode !== 'ids' && !limited) ledger.setMeta('watermark', mode === 'since' && since !== null && since > runDay ? since : runDay);
    const counts = { analysed: 0, reused: 0, failed: 0, refused: 0 } as Record<EntryRunStatus, number>;
    for (const o of outcomes) counts[o.status]++;
    outcomes.sort((a, b) => compareEmdbIds(a.id, b.id));
    return { runId, mode, since, discovered: discovered.length, queued: work.length, outcomes, counts, site, seconds: secondsSince(t0), notes };
  } catch (caught) {
    const full = asDiskFull(caught, p.ledger);
    const err = full ?? caught;
    // Staged analyses of a stopped run are deleted now, so a full disk gets its space back.
    if (full) await cleanStaging(p.root).catch(() => undefined);
    if (runId >= 0) {
      try {
        const cancelled = err instanceof SlurmCancelledError;
        ledger.updateRun(runId, { notes: [...notes, cancelled ? `run ${err.message}` : `run failed: ${describeError(err)}`].join('\n') });
        ledger.finishRun(runId, cancelled ? 'interrupted' : 'failed');
      } catch {
        // the ledger itself may be what failed
      }
    }
    throw err;
  } finally {
    if (pool) await pool.close();
    ledger.close();
    await lock.release();
  }
}

interface EntryContext {
  readonly opts: NightlyOptions;
  readonly client: EntrySource;
  readonly ledger: Ledger;
  /** The local worker pool (null with the slurm executor). */
  readonly pool: AnalysisPool | null;
  readonly runId: number;
  readonly paths: ReturnType<typeof outPaths>;
  readonly methods: readonly string[];
}

/** Builds an entry's ledger record: `status`, `stage`, `reason` and `extra` over what is known so far. */
type RecordFn = (status: EntryRunStatus, stage: Stage | null, reason: string | null, extra?: Partial<EntryRunRecord>) => EntryRunRecord;

/** An entry whose map (and half maps) are fetched and verified and that needs a new analysis. */
interface PendingEntry {
  readonly id: string;
  /** The verified map in the cache. */
  readonly mapPath: string;
  /** The two verified half maps in the cache, when the entry has them. */
  readonly halfMapPaths?: readonly [string, string];
  /** The verified fitted model in the cache and its PDB ID, when the entry has one that could be had. */
  readonly model?: { readonly modelPath: string; readonly modelPdbId?: string };
  /** Why listed half maps or the model are not used, for the report. */
  readonly inputNotes: readonly InputNote[];
  /** The metadata's voxel size and box, compared with the map's in the report. */
  readonly metadataGrid: MetadataGrid;
  /** Every cached input file (map first): what --prune-maps deletes. */
  readonly inputPaths: readonly string[];
  readonly dims: readonly [number, number, number];
  readonly entry: ReturnType<typeof toReportEntry>;
  readonly mapSha256: string;
  readonly metadataSha256: string;
  readonly extraInputsSha256: string | null;
  readonly rec: RecordFn;
}

/** The ledger's record of the fetched additional inputs (no cache paths: they are the output folder's business). */
function extraInputRecords(fetched: readonly FetchedInput[]): ExtraInputRecord[] {
  return fetched.map((f) => ({ kind: f.kind, index: f.index, file: f.file, sha256: f.sha256, bytes: f.bytes, fromCache: f.fromCache }));
}

/** The ledger reason of a map download that failed. */
function mapFailureReason(err: unknown): string {
  if (err instanceof MapVerifyError) return `map file is not usable: ${err.message}`;
  if (err instanceof EntryNotFoundError) return err.message;
  return `map download failed: ${describeError(err)}`;
}

/** The ledger reason of an additional input (half map) that could not be fetched: always names the file. */
function inputFailureReason(err: unknown, input: AdditionalInput): string {
  const msg = describeError(err);
  const named = msg.includes(input.file) ? msg : `${describeInput(input)}: ${msg}`;
  if (err instanceof InputFileNotFoundError) return named;
  return `${inputKindLabel(input.kind)} ${err instanceof MapVerifyError ? 'file is not usable' : 'download failed'}: ${named}`;
}

/** Deletes cached input files (the map and its half maps) with their sidecars. */
async function pruneInputs(paths: readonly string[]): Promise<void> {
  for (const p of paths) await pruneMap(p);
}

/**
 * The note of an optional input (the model) that could not be had. The URL is left out (a 404's
 * message carries it) so the report, and with it the fingerprint, does not depend on the host.
 */
function optionalInputNote(id: string, err: unknown, input: AdditionalInput): InputNote {
  if (err instanceof InputFileNotFoundError) return modelFailureNote(input, false, `${id} ${describeInput(input)}: not found in the PDB archive (HTTP 404)`);
  if (err instanceof ModelVerifyError) return modelFailureNote(input, true, err.message);
  return modelFailureNote(input, false, inputFailureReason(err, input));
}

/**
 * Fetches the additional inputs of a plan, one after the other (the gate spaces them anyway, and
 * a failure stops the entry before more is downloaded). Returns them with the notes of optional
 * inputs left out, or the first failure of a required one.
 */
async function fetchAdditionalInputs(id: string, plan: AdditionalInputPlan, ctx: EntryContext): Promise<{ fetched: FetchedInput[]; notes: InputNote[] } | { failure: string }> {
  const fetched: FetchedInput[] = [];
  const notes: InputNote[] = [];
  for (const input of plan.files) {
    const dest = inputCachePath(ctx.paths.cache, id, input);
    try {
      const got = await ctx.client.fetchInput(id, input, dest);
      fetched.push({ ...input, path: dest, sha256: got.info.sha256, bytes: got.info.bytes, fromCache: got.fromCache });
    } catch (err) {
      if (isDiskFull(err)) throw err;
      if (!isOptionalInput(input)) return { failure: inputFailureReason(err, input) };
      notes.push(optionalInputNote(id, err, input));
    }
  }
  return { fetched, notes };
}

/** Fetches, checks, analyses (or reuses) and publishes one entry with the local pool; returns its ledger record. Never throws for the entry's own problems. */
async function processEntry(id: string, ctx: EntryContext): Promise<EntryRunRecord> {
  const prepared = await prepareEntry(id, ctx);
  if ('done' in prepared) return prepared.done;
  const pe = prepared.pending;
  // Analysis, in a worker process, into a staging folder (moved into content/ when published).
  const staged = stagingFolder(ctx.paths.root, ctx.runId, id);
  try {
    if (ctx.pool === null) throw new Error('no analysis pool');
    const r = await ctx.pool.run({
      mapPath: pe.mapPath,
      ...(pe.halfMapPaths ? { halfMapPaths: pe.halfMapPaths } : {}),
      ...pe.model,
      ...(pe.inputNotes.length > 0 ? { inputNotes: pe.inputNotes } : {}),
      metadataGrid: pe.metadataGrid,
      entryDir: staged,
      entry: pe.entry,
      figures: ctx.opts.figures ?? true,
      maxVoxels: ctx.opts.maxVoxels,
    });
    return await finishEntry(pe, r, staged, ctx);
  } catch (err) {
    if (err instanceof DiskFullError || isDiskFull(err)) throw err;
    // Our own bug: the entry fails, the batch goes on.
    return pe.rec('failed', null, `internal error: ${describeError(err)}`);
  } finally {
    // Whatever did not become content/ goes: a failed analysis leaves nothing behind.
    await rm(staged, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The metadata a refusal page shows. */
function refusalEntry(m: EntryMetadata): RefusalEntry {
  return { id: m.id, title: m.title, authors: [...m.authors], depositionDate: m.depositionDate, releaseDate: m.releaseDate, resolution: m.resolution, threshold: m.threshold, method: m.method };
}

/**
 * Everything before the analysis: metadata, refusals, map download and verification, reuse of an
 * unchanged report. Returns the entry's final record, or what its analysis needs.
 */
async function prepareEntry(id: string, ctx: EntryContext): Promise<{ done: EntryRunRecord } | { pending: PendingEntry }> {
  const t0 = performance.now();
  const { opts, client, ledger, paths } = ctx;
  const notes: string[] = [];
  let ej: EntryJson | null = null;
  let metadataSha: string | null = null;
  let mapSha: string | null = null;
  let mapBytes: number | null = null;
  let mapFromCache: boolean | null = null;
  let fetchSeconds: number | null = null;
  let extraInputs: ExtraInputRecord[] = [];
  let extraInputsSha: string | null = null;
  const rec: RecordFn = (status, stage, reason, extra = {}) => {
    const { notes: more = [], ...rest } = extra;
    return {
      entryId: id,
      status,
      stage,
      analyzerVersion: ANALYZER_VERSION,
      metadataSha256: metadataSha,
      entryJsonSha256: ej?.sha256 ?? null,
      mapSha256: mapSha,
      mapBytes,
      mapFromCache,
      fetchSeconds,
      analyseSeconds: null,
      totalSeconds: secondsSince(t0),
      peakRssMB: null,
      itemTimings: null,
      notes: [...(ej?.metadata.notes ?? []), ...notes, ...more],
      reason,
      releaseDate: ej?.metadata.releaseDate ?? null,
      updateDate: ej?.metadata.updateDate ?? null,
      extraInputsSha256: extraInputsSha,
      extraInputs,
      ...rest,
    };
  };
  const done = (r: EntryRunRecord) => ({ done: r });

  try {
    // Metadata.
    try {
      ej = await client.getEntry(id);
    } catch (err) {
      return done(rec('failed', 'metadata', err instanceof EntryNotFoundError ? err.message : `${opts.archive ? 'header XML' : 'entry JSON'} could not be read: ${describeError(err)}`));
    }
    const m = ej.metadata;
    metadataSha = sha256Json(reportInputs(m));
    const prev = ledger.entry(id);
    const sameInputsAsSettled = prev !== null && prev.okVersion === ANALYZER_VERSION && prev.okMetadataSha256 === metadataSha;
    let refusal: string | null = null;
    // A released map without a contour level is a finding about the deposition and is published;
    // an entry not released, or of a method this run leaves out, is not ours to publish.
    let publish = false;
    if (m.status !== null && m.status !== 'REL') refusal = `entry status is ${m.status}, not released (REL)`;
    else if (ctx.methods.length > 0 && !ctx.methods.includes(m.method ?? '')) refusal = `method ${m.method ?? 'unknown'} is not analysed (accepted: ${ctx.methods.join(', ')})`;
    else if (m.threshold === null) {
      refusal = 'EMDB gives no contour level for this map; Level 0 needs one';
      publish = true;
    }
    if (refusal !== null) {
      const reused = sameInputsAsSettled && prev?.okStatus === 'refused';
      if (publish && !(reused && (await isPublishedRefusal(paths.content, id)))) await publishRefusal(paths.content, paths.root, ctx.runId, makeRefusal(refusalEntry(m), 'metadata', refusal, ANALYZER_VERSION));
      if (reused) return done(rec('reused', null, `refused earlier: ${refusal}`));
      if (!publish) await unpublishEntry(paths.content, id, ctx.runId);
      return done(rec('refused', 'metadata', refusal));
    }

    // Map.
    const dest = path.join(paths.cache, id, mapFileName(id));
    const tf = performance.now();
    let dims: [number, number, number];
    try {
      const got = await client.fetchMap(id, dest);
      mapSha = got.info.sha256;
      mapBytes = got.info.bytes;
      mapFromCache = got.fromCache;
      dims = got.info.dims;
      fetchSeconds = secondsSince(tf);
      if (m.voxelSize !== null) {
        const d = m.voxelSize.map((v, k) => Math.abs(v - got.info.voxelSize[k]));
        if (d.some((x) => x >= 0.01)) notes.push(`voxel size in EMDB metadata (${m.voxelSize.join(' × ')} Å) differs from the map header (${got.info.voxelSize.map((v) => v.toFixed(4)).join(' × ')} Å); the header is used`);
      }
    } catch (err) {
      if (isDiskFull(err)) throw err;
      fetchSeconds = secondsSince(tf);
      return done(rec('failed', 'download', mapFailureReason(err)));
    }

    // Half maps (when the entry lists exactly two) and the fitted model, fetched like the map.
    const plan = planAdditionalInputs(m);
    notes.push(...plan.notes.map((n) => n.message));
    const got = await fetchAdditionalInputs(id, plan, ctx);
    fetchSeconds = secondsSince(tf);
    if ('failure' in got) return done(rec('failed', 'download', got.failure));
    notes.push(...got.notes.map((n) => n.message));
    const inputNotes = [...plan.notes, ...got.notes];
    extraInputs = extraInputRecords(got.fetched);
    extraInputsSha = additionalInputsSha256(got.fetched, inputNotes);
    const inputPaths = [dest, ...got.fetched.map((f) => f.path)];

    // Reuse when nothing the report depends on changed and the published report is intact.
    if (sameInputsAsSettled && prev?.okMapSha256 === mapSha && prev.okExtraInputsSha256 === extraInputsSha) {
      if (prev.okStatus === 'refused') {
        // A refusal settled before refusals were published gets its page now.
        if (prev.okReason && !(await isPublishedRefusal(paths.content, id))) await publishRefusal(paths.content, paths.root, ctx.runId, makeRefusal(refusalEntry(m), 'analysis', prev.okReason, ANALYZER_VERSION));
        return done(rec('reused', null, `refused earlier: ${prev.okReason ?? ''}`.trim()));
      }
      if (prev.okStatus === 'analysed' && prev.reportSha256 !== null && (await publishedReportSha(paths.content, id)) === prev.reportSha256) {
        if (opts.pruneMaps) await pruneInputs(inputPaths);
        return done(rec('reused', null, null, { reportSha256: prev.reportSha256 }));
      }
    }
    const halfMapPaths = halfMapPathsOf(got.fetched);
    const model = modelOf(got.fetched);
    return {
      pending: {
        id,
        mapPath: dest,
        ...(halfMapPaths ? { halfMapPaths } : {}),
        ...(model ? { model } : {}),
        inputNotes,
        metadataGrid: metadataGridOf(m),
        inputPaths,
        dims,
        entry: toReportEntry(m),
        mapSha256: mapSha,
        metadataSha256: metadataSha,
        extraInputsSha256: extraInputsSha,
        rec,
      },
    };
  } catch (err) {
    if (isDiskFull(err)) throw err;
    // Our own bug: the entry fails, the batch goes on.
    return done(rec('failed', null, `internal error: ${describeError(err)}`));
  }
}

/**
 * After the analysis: a refusal is published as refusal.json, a failure keeps what is published, a
 * success publishes `dir` (a folder on the output's file system, moved into content/). Returns the record.
 */
async function finishEntry(pe: PendingEntry, r: AnalysisOutcome, dir: string | null, ctx: EntryContext, notes: readonly string[] = []): Promise<EntryRunRecord> {
  const { opts, paths } = ctx;
  const id = pe.id;
  if (!r.ok) {
    if (r.diskFull) throw new DiskFullError(r.message);
    if (r.kind === 'refused') {
      // A map the analysis refuses (a contour above its maximum) is a finding: it is published.
      await publishRefusal(paths.content, paths.root, ctx.runId, makeRefusal(pe.entry, 'analysis', r.message, ANALYZER_VERSION));
      return pe.rec('refused', 'analysis', r.message, { analyseSeconds: r.seconds, notes });
    }
    return pe.rec('failed', 'analysis', r.kind === 'corrupt' ? `corrupt map: ${r.message}` : `analysis error: ${r.message}`, { analyseSeconds: r.seconds, notes });
  }
  try {
    if (dir === null) throw new Error('the analysis left no folder to publish');
    await publishEntry(paths.content, id, dir, ctx.runId);
  } catch (err) {
    const full = asDiskFull(err, dir ?? paths.content);
    if (full) throw full;
    return pe.rec('failed', 'publish', `could not publish the report: ${describeError(err)}`, { analyseSeconds: r.seconds, notes });
  }
  if (opts.pruneMaps) await pruneInputs(pe.inputPaths);
  return pe.rec('analysed', null, null, {
    analyseSeconds: r.seconds,
    peakRssMB: r.timings.peakRssMB,
    itemTimings: { items: r.timings.items, totalSeconds: r.timings.totalSeconds, peakRssMB: r.timings.peakRssMB },
    reportSha256: r.reportSha256,
    notes,
  });
}

/**
 * The slurm executor's step 3: fetch every entry (`fetchers` at once), committing those that need
 * no analysis, then analyse the rest as Slurm job arrays, committing each as its outcome arrives.
 */
async function analyseOnSlurm(work: readonly string[], ctx: EntryContext, fetchers: number, commit: (r: EntryRunRecord) => void, note: (m: string) => void): Promise<void> {
  const pending = new Map<string, PendingEntry>();
  await eachLimit(work, fetchers, async (id) => {
    const p = await prepareEntry(id, ctx);
    if ('done' in p) commit(p.done);
    else pending.set(id, p.pending);
  });
  if (pending.size === 0) return;
  const { opts } = ctx;
  const figures = opts.figures ?? true;
  const units: SlurmUnit[] = [...pending.values()]
    .sort((a, b) => compareEmdbIds(a.id, b.id))
    .map((pe) => ({
      id: pe.id,
      key: unitKey({ id: pe.id, mapSha256: pe.mapSha256, metadataSha256: pe.metadataSha256, analyzerVersion: ANALYZER_VERSION, figures, maxVoxels: opts.maxVoxels ?? null, extraInputsSha256: pe.extraInputsSha256 }),
      mapPath: pe.mapPath,
      ...(pe.halfMapPaths ? { halfMapPaths: pe.halfMapPaths } : {}),
      ...pe.model,
      ...(pe.inputNotes.length > 0 ? { inputNotes: pe.inputNotes } : {}),
      metadataGrid: pe.metadataGrid,
      dims: pe.dims,
      entry: pe.entry,
      figures,
      ...(opts.maxVoxels !== undefined ? { maxVoxels: opts.maxVoxels } : {}),
    }));
  note(`slurm: ${units.length} entr${units.length === 1 ? 'y' : 'ies'} to analyse on the cluster`);
  const entryTimeoutMin = (opts.entryTimeoutS ?? 0) > 0 ? (opts.entryTimeoutS as number) / 60 : undefined;
  const slurm = opts.slurm ?? {};
  await runOnSlurm(
    units,
    { ...slurm, resources: { ...(entryTimeoutMin !== undefined ? { maxTimeMin: entryTimeoutMin } : {}), ...slurm.resources } },
    {
      outRoot: ctx.paths.root,
      runId: ctx.runId,
      analyzerVersion: ANALYZER_VERSION,
      log: note,
      onAttempt: (a) => ctx.ledger.recordAttempt(ctx.runId, { ...a, executor: 'slurm' }),
      onResult: async (unit, r) => {
        const pe = pending.get(unit.id)!;
        const where = r.adopted ? `result of Slurm task ${r.task} (interrupted run) adopted` : r.task ? `Slurm task ${r.task}${r.node ? ` on ${r.node}` : ''}, attempt ${r.attempts}` : 'not run on Slurm';
        let rec: EntryRunRecord;
        try {
          rec = await finishEntry(pe, r.outcome, r.dir, ctx, [where]);
        } catch (err) {
          rec = pe.rec('failed', null, `internal error: ${describeError(err)}`, { notes: [where] });
        }
        commit(rec);
      },
    },
  );
}

/** Builds the site when content changed since the last good build (or when forced / missing). */
async function siteStep(opts: NightlyOptions, ledger: Ledger, runId: number, p: ReturnType<typeof outPaths>, lock: NightlyLock, log: (m: string) => void): Promise<string> {
  const cfg = opts.site ?? { enabled: true, pdf: true };
  let status: string;
  const t0 = performance.now();
  if (!cfg.enabled) {
    status = 'disabled (--no-site)';
  } else if (!siteBuilderAvailable()) {
    status = 'skipped: the site builder (emvr build) is not available in this checkout';
    log(`site: ${status}`);
  } else {
    const fingerprint = ledger.contentFingerprint(JSON.stringify({ base: cfg.base ?? '/', pdf: cfg.pdf }));
    if (!cfg.force && ledger.getMeta('site_fingerprint') === fingerprint && existsSync(p.site)) {
      status = 'up to date';
    } else {
      log(`site: building ${p.site}${cfg.pdf ? ' (with PDFs of changed entries)' : ''}`);
      ledger.setMeta('site_fingerprint', null);
      const r = await runSiteBuild({ contentDir: p.content, siteDir: p.site, base: cfg.base, pdf: cfg.pdf, onSpawn: (pid) => void lock.addChild(pid, BUILD_MARKER).catch(() => undefined) });
      if (r.code === 0) {
        ledger.setMeta('site_fingerprint', fingerprint);
        status = 'built';
      } else {
        status = `failed: the site builder ${r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`} (retried next run)`;
      }
      log(`site: ${status} (${secondsSince(t0)} s)`);
    }
  }
  ledger.updateRun(runId, { siteStatus: status, siteSeconds: secondsSince(t0) });
  return status;
}
