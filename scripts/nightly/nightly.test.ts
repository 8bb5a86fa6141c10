/**
 * The nightly pipeline end to end against the local mirror (127.0.0.1, port 0), on small phantoms
 * (box 80): what is analysed, reused, refused and failed; only-what-changed reruns; a transient
 * download fault healed inside a run; a corrupt map failing its own entry; entries with half maps
 * (recorded in the report and the ledger, re-analysed when they change, appear or disappear; a
 * missing, corrupt or off-grid half map failing or refusing only its entry; a list of three
 * analysed without them); entries with a fitted model (recorded with its sha256 and PDB ID,
 * re-analysed when it changes or appears; one missing or unreadable analysed without it, with a
 * note); hostile IDs and metadata kept out of paths and markup; and kill -9
 * mid-analysis followed by a rerun giving byte-identical content (and site, when the site builder
 * exists) to an uninterrupted run.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp as mkdtempRaw, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMrc } from '../../analyzers/volume/to-mrc.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { simulateHalfMaps } from '../../analyzers/simulate/half-maps.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { formatSummary } from '../commands/nightly.ts';
import { resolveEndpoints } from '../emdb/endpoints.ts';
import { HALF_MAPS_NOT_TWO, MODEL_NOT_FETCHED, MODEL_UNREADABLE } from '../emdb/entry-inputs.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { modelToMmcif } from '../mirror/mmcif-write.ts';
import { buildEntryJson } from '../emdb/entry-json.ts';
import { startMirror, type Mirror } from '../mirror/mirror.ts';
import { gzipMap, writeMirrorEntry, writeMirrorFile, writeMirrorModel, writeModelEntries, writeSimulatedEntries } from '../mirror/mirror-folder.ts';
import { parseRefusal } from '../../analyzers/report/refusal.ts';
import { Ledger } from './ledger.ts';
import { runNightly, type NightlyOptions, type NightlySummary } from './pipeline.ts';
import { siteBuilderAvailable } from './site-build.ts';

const BOX = 80;

/** Temporary folders of this file, removed at the end (maps, figures and sites add up). */
const made: string[] = [];
async function mkdtemp(prefix: string): Promise<string> {
  const d = await mkdtempRaw(prefix);
  made.push(d);
  return d;
}
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});
const today = new Date().toISOString().slice(0, 10);
const haveSite = siteBuilderAvailable();
if (!haveSite) console.warn('NOTE nightly tests: the site builder (emvr build) is not available; the site step is checked to report that and skip');

const fast = { minIntervalMs: 0, backoffMs: 20, retries: 3, timeoutMs: 10_000, idleTimeoutMs: 10_000 };

function opts(out: string, base: string, extra: Partial<NightlyOptions> = {}): NightlyOptions {
  return { out, endpoints: resolveEndpoints({ base }), http: fast, workers: 2, figures: false, progress: false, log: () => undefined, site: { enabled: true, pdf: false }, ...extra };
}

const byId = (s: NightlySummary) => Object.fromEntries(s.outcomes.map((o) => [o.id, o.status]));

/** Every file under `root` (relative paths, sorted) with its sha256. */
async function tree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(path.relative(root, p), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  }
  if (existsSync(root)) await walk(root);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Runs a process to its end without blocking this event loop; its stdout and stderr as text. */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A gzip map whose header is fine but whose voxel data is cut in half (corrupt at the source). */
async function corruptMap(): Promise<Uint8Array> {
  const p = await makePhantom('well-behaved', { box: BOX });
  const full = encodeMrc(p.volume);
  return gzipMap(full.subarray(0, 1024 + (full.length - 1024) / 2));
}

describe('nightly: only what changed', () => {
  let mirrorDir = '';
  let out = '';
  let mirror: Mirror;
  let decentredThreshold = 0;

  beforeAll(async () => {
    mirrorDir = await mkdtemp(path.join(tmpdir(), 'emvr-nightly-mirror-'));
    out = await mkdtemp(path.join(tmpdir(), 'emvr-nightly-out-'));
    const sims = await writeSimulatedEntries(mirrorDir, { names: ['well-behaved', 'decentred', 'threshold-too-high', 'masked-background'], box: BOX });
    decentredThreshold = sims.find((e) => e.phantom === 'decentred')!.threshold;
    const json = buildEntryJson({ id: 'EMD-90100', title: 'A map cut short at the source', authors: ['Doe J'], depositionDate: '2024-01-02', releaseDate: '2024-01-15', resolution: 3.5, contour: 0.02, dims: [BOX, BOX, BOX], voxelSize: [1.2, 1.2, 1.2] });
    await writeMirrorEntry(mirrorDir, 'EMD-90100', json, await corruptMap());
    // One transient fault inside the run: the first download of EMD-90001 is cut short.
    mirror = await startMirror({ dir: mirrorDir, faults: [{ match: '/structures/EMD-90001/map/', kind: 'truncate', times: 1 }] });
  });

  afterAll(async () => {
    await mirror?.close();
  });

  it('analyses new entries, reuses unchanged ones, re-analyses exactly the added and the updated entry', async () => {
    const t1 = performance.now();
    const run1 = await runNightly(opts(out, mirror.url));
    const s1 = (performance.now() - t1) / 1000;
    expect(run1.mode).toBe('full');
    expect(byId(run1)).toEqual({ 'EMD-90001': 'analysed', 'EMD-90002': 'analysed', 'EMD-90005': 'refused', 'EMD-90010': 'analysed', 'EMD-90100': 'failed' });
    const corrupt = run1.outcomes.find((o) => o.id === 'EMD-90100')!;
    expect(corrupt.stage).toBe('analysis');
    expect(corrupt.reason).toMatch(/^corrupt map: .*truncated/su);
    expect(run1.outcomes.find((o) => o.id === 'EMD-90005')!.reason).toMatch(/threshold .* is too high/u);
    // The cut-short download was resumed with a Range request, and the map verified.
    const maps1 = mirror.requests.filter((r) => r.path.includes('/structures/EMD-90001/map/'));
    expect(maps1.map((r) => r.status)).toEqual([200, 206]);
    // The refused entry is published as a finding: refusal.json alone, with its metadata and reason.
    expect((await readdir(path.join(out, 'content', 'entries'))).sort()).toEqual(['EMD-90001', 'EMD-90002', 'EMD-90005', 'EMD-90010']);
    expect(await readdir(path.join(out, 'content', 'entries', 'EMD-90005'))).toEqual(['refusal.json']);
    const refusal = parseRefusal(JSON.parse(await readFile(path.join(out, 'content', 'entries', 'EMD-90005', 'refusal.json'), 'utf8')));
    expect(refusal).toMatchObject({ schemaVersion: 1, stage: 'analysis', entry: { id: 'EMD-90005' }, reason: expect.stringMatching(/threshold .* is too high: no voxel of .* reaches it/u) });
    expect(run1.site).toBe(haveSite ? 'built' : 'skipped: the site builder (emvr build) is not available in this checkout');
    const report2 = await readFile(path.join(out, 'content', 'entries', 'EMD-90002', 'report.json'), 'utf8');
    const r2 = JSON.parse(report2);
    // The entry JSON's primary contour and resolution reached the analysis.
    expect(r2.entry).toMatchObject({ id: 'EMD-90002', method: 'singleParticle', releaseDate: '2024-01-15', threshold: decentredThreshold, resolution: 3.5 });
    expect(r2.provenance.parameters.threshold).toBe(decentredThreshold);
    expect(r2.inputs.map.file).toBe('emd_90002.map.gz');
    // Content is deterministic: timings live in the ledger, not in report.json.
    expect(r2.provenance.totalSeconds).toBeNull();
    expect(r2.items['0']['0.a'].timing).toBeNull();
    const db = new DatabaseSync(path.join(out, 'ledger.sqlite'), { readOnly: true });
    const timed = db.prepare("SELECT analyse_seconds, item_timings FROM entry_runs WHERE entry_id = 'EMD-90002'").get() as { analyse_seconds: number; item_timings: string };
    db.close();
    expect(timed.analyse_seconds).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(timed.item_timings).items)).toContain('0.a');

    // Nothing changed: nothing discovered, nothing re-analysed; only the failed entry is retried.
    const t2 = performance.now();
    const run2 = await runNightly(opts(out, mirror.url));
    const s2 = (performance.now() - t2) / 1000;
    expect(run2.mode).toBe('since');
    expect(run2.since).toBe(today);
    expect(run2.discovered).toBe(0);
    expect(byId(run2)).toEqual({ 'EMD-90100': 'failed' });
    expect(run2.counts.analysed).toBe(0);
    expect(run2.site).toBe(haveSite ? 'up to date' : 'skipped: the site builder (emvr build) is not available in this checkout');
    console.log(`nightly timings: first run ${s1.toFixed(1)} s (4 maps analysed or refused, 1 failed), no-change rerun ${s2.toFixed(1)} s`);

    // The mirror adds one entry and updates another (new map, new contour, update date today).
    await writeSimulatedEntries(mirrorDir, { names: ['noise-blobs'], box: BOX, releaseDate: today });
    await writeSimulatedEntries(mirrorDir, { names: ['decentred'], box: BOX, seed: 2, updateDate: today });
    const run3 = await runNightly(opts(out, mirror.url));
    expect(run3.discovered).toBe(2);
    expect(byId(run3)).toEqual({ 'EMD-90002': 'analysed', 'EMD-90004': 'analysed', 'EMD-90100': 'failed' });
    expect(await readFile(path.join(out, 'content', 'entries', 'EMD-90002', 'report.json'), 'utf8')).not.toBe(report2);
    expect(run3.site).toBe(haveSite ? 'built' : 'skipped: the site builder (emvr build) is not available in this checkout');

    // A new analyzer version re-analyses every settled entry (simulated by ageing the ledger);
    // the same inputs give byte-identical reports.
    const before = await tree(path.join(out, 'content'));
    const w = new DatabaseSync(path.join(out, 'ledger.sqlite'));
    w.exec("UPDATE entries SET ok_version = '0.0.0-old' WHERE ok_version IS NOT NULL");
    w.close();
    const run4 = await runNightly(opts(out, mirror.url));
    expect(byId(run4)).toEqual({ 'EMD-90001': 'analysed', 'EMD-90002': 'analysed', 'EMD-90004': 'analysed', 'EMD-90005': 'refused', 'EMD-90010': 'analysed', 'EMD-90100': 'failed' });
    expect(await tree(path.join(out, 'content'))).toEqual(before);
  });
});

describe('nightly: half maps', () => {
  let mirrorDir = '';
  let mirror: Mirror;
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const fileSha = async (f: string) => sha(new Uint8Array(await readFile(f)));
  const other = (id: string, k: number) => path.join(mirrorDir, id, 'other', `emd_${id.slice(4)}_half_map_${k}.map.gz`);
  let h1: Uint8Array = new Uint8Array();
  let h2: Uint8Array = new Uint8Array();
  const reportOf = async (out: string, id: string) => JSON.parse(await readFile(path.join(out, 'content', 'entries', id, 'report.json'), 'utf8'));

  /** A well-behaved phantom entry `id` listing `listed` half maps (EMDB's names unless given); `halves` are written into other/ as given. */
  async function entryWithHalves(id: string, opts: { halves: (Uint8Array | null)[]; listed?: readonly string[] }): Promise<void> {
    const p = await makePhantom('well-behaved', { box: BOX });
    const num = id.slice(4);
    const names = opts.listed ?? [`emd_${num}_half_map_1.map.gz`, `emd_${num}_half_map_2.map.gz`];
    for (const [k, bytes] of opts.halves.entries()) if (bytes !== null) await writeMirrorFile(mirrorDir, id, 'other', `emd_${num}_half_map_${k + 1}.map.gz`, bytes);
    const json = buildEntryJson({ id, title: `Half-map case ${id}`, authors: ['Doe J'], depositionDate: '2024-01-02', releaseDate: '2024-01-15', resolution: p.resolution, contour: p.threshold, dims: p.volume.dims, voxelSize: p.volume.voxelSize, halfMaps: names });
    await writeMirrorEntry(mirrorDir, id, json, await gzipMap(encodeMrc(p.volume)));
  }

  beforeAll(async () => {
    mirrorDir = await mkdtemp(path.join(tmpdir(), 'emvr-halves-mirror-'));
    // EMD-90001: the well-behaved phantom with half maps whose FSC crosses 0.143 at 3.5 Å.
    await writeSimulatedEntries(mirrorDir, { names: ['well-behaved'], box: BOX, halfMaps: { resolution: 3.5 } });
    const p = await makePhantom('well-behaved', { box: BOX });
    const { half1, half2 } = await simulateHalfMaps(p.volume, { resolution: 3.5 }, 7);
    h1 = await gzipMap(encodeMrc(half1));
    h2 = await gzipMap(encodeMrc(half2));
    // Half map 2 missing at the source (404).
    await entryWithHalves('EMD-90200', { halves: [h1, null] });
    // Half map 2 cut short at the source: valid gzip, voxel data truncated.
    const full2 = encodeMrc(half2);
    await entryWithHalves('EMD-90201', { halves: [h1, await gzipMap(full2.subarray(0, 1024 + (full2.length - 1024) / 2))] });
    // Half maps on another grid (a larger box) than the map.
    const big = await makePhantom('well-behaved', { box: BOX + 4 });
    const bigHalves = await simulateHalfMaps(big.volume, { resolution: 3.5 }, 7);
    await entryWithHalves('EMD-90202', { halves: [await gzipMap(encodeMrc(bigHalves.half1)), await gzipMap(encodeMrc(bigHalves.half2))] });
    // Three half maps listed: analysed without any, and says so.
    await entryWithHalves('EMD-90203', { halves: [h1, h2], listed: ['emd_90203_half_map_1.map.gz', 'emd_90203_half_map_2.map.gz', 'emd_90203_half_map_3.map.gz'] });
    // Half map 1 always arrives as corrupt gzip (a bad copy at the source).
    await entryWithHalves('EMD-90204', { halves: [h1, h2] });
    mirror = await startMirror({ dir: mirrorDir, faults: [{ match: '/structures/EMD-90204/other/emd_90204_half_map_1.map.gz', kind: 'bad-gzip' }] });
  });

  afterAll(async () => {
    await mirror?.close();
  });

  it('analyses with both half maps, records them in report and ledger, and fails or refuses only the entries whose half maps are bad', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'emvr-halves-out-'));
    const t0 = performance.now();
    const run1 = await runNightly(opts(out, mirror.url, { site: { enabled: false, pdf: false } }));
    const s1 = (performance.now() - t0) / 1000;
    expect(byId(run1)).toEqual({ 'EMD-90001': 'analysed', 'EMD-90200': 'failed', 'EMD-90201': 'failed', 'EMD-90202': 'refused', 'EMD-90203': 'analysed', 'EMD-90204': 'failed' });
    const outcome = (id: string) => run1.outcomes.find((o) => o.id === id)!;
    expect(outcome('EMD-90200')).toMatchObject({ stage: 'download', reason: expect.stringMatching(/^EMD-90200 half map 2 \(emd_90200_half_map_2\.map\.gz\): not found in the archive \(HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/pub\/databases\/emdb\/structures\/EMD-90200\/other\/emd_90200_half_map_2\.map\.gz\)$/u) });
    expect(outcome('EMD-90201')).toMatchObject({ stage: 'analysis', reason: expect.stringMatching(/^corrupt map: .*emd_90201_half_map_2\.map\.gz.*truncated/su) });
    expect(outcome('EMD-90202')).toMatchObject({ stage: 'analysis', reason: expect.stringMatching(/^half map \S*emd_90202_half_map_1\.map\.gz \(84×84×84 voxels of 1\.2×1\.2×1\.2 Å\) is not on the grid of the map \S*emd_90202\.map\.gz \(80×80×80 voxels/u) });
    expect(outcome('EMD-90204')).toMatchObject({ stage: 'download', reason: expect.stringMatching(/^half map download failed: EMD-90204 half map 1 \(emd_90204_half_map_1\.map\.gz\): downloaded file is not valid gzip .*\(after 4 attempts\)$/su) });
    // The run's summary names each failure and its half map; the other entries were published.
    const text = formatSummary(run1);
    expect(text).toMatch(/analysed 2, reused 0, refused 1, failed 3/u);
    for (const f of ['emd_90200_half_map_2.map.gz', 'emd_90201_half_map_2.map.gz', 'emd_90202_half_map_1.map.gz', 'emd_90204_half_map_1.map.gz']) expect(text).toContain(f);
    // The half map off the map's grid is refused and published as such, its reason without the cache's folders.
    expect((await readdir(path.join(out, 'content', 'entries'))).sort()).toEqual(['EMD-90001', 'EMD-90202', 'EMD-90203']);
    const refused = parseRefusal(JSON.parse(await readFile(path.join(out, 'content', 'entries', 'EMD-90202', 'refusal.json'), 'utf8')));
    expect(refused.reason).toMatch(/^half map emd_90202_half_map_1\.map\.gz \(84×84×84 voxels of 1\.2×1\.2×1\.2 Å\) is not on the grid of the map emd_90202\.map\.gz /u);
    expect(refused.reason).not.toContain(out);
    // Nothing half-downloaded is left in the cache of the failed entries.
    expect((await tree(path.join(out, 'cache'))).size).toBeGreaterThan(0);
    expect([...(await tree(path.join(out, 'cache'))).keys()].filter((f) => f.includes('.part'))).toEqual([]);

    // The report records both half maps with the sha256 of the files the mirror served.
    const want = [await fileSha(other('EMD-90001', 1)), await fileSha(other('EMD-90001', 2))];
    const r1 = await reportOf(out, 'EMD-90001');
    expect(r1.inputs.halfMaps).toEqual([
      { file: 'emd_90001_half_map_1.map.gz', sha256: want[0], bytes: expect.any(Number) },
      { file: 'emd_90001_half_map_2.map.gz', sha256: want[1], bytes: expect.any(Number) },
    ]);
    expect(r1.inputs.map.notes).toEqual([]);
    // …and so does the ledger, with one fingerprint over both.
    const ledger = Ledger.open(path.join(out, 'ledger.sqlite'), { readOnly: true });
    const row = ledger.entryRuns(run1.runId).find((r) => r.entryId === 'EMD-90001')!;
    expect(row.extraInputs.map((x) => [x.kind, x.index, x.file, x.sha256])).toEqual([
      ['halfMap', 1, 'emd_90001_half_map_1.map.gz', want[0]],
      ['halfMap', 2, 'emd_90001_half_map_2.map.gz', want[1]],
    ]);
    const fingerprint = ledger.entry('EMD-90001')!.okExtraInputsSha256;
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/u);
    expect(ledger.entry('EMD-90203')!.okExtraInputsSha256).toMatch(/^[0-9a-f]{64}$/u);
    ledger.close();
    expect(existsSync(path.join(out, 'cache', 'EMD-90001', 'other', 'emd_90001_half_map_2.map.gz.json'))).toBe(true);

    // Three half maps listed: no half map used, and the ledger and the report say why.
    const r3 = await reportOf(out, 'EMD-90203');
    expect(r3.inputs.halfMaps).toBeUndefined();
    expect(r3.inputs.map.notes).toEqual([{ code: HALF_MAPS_NOT_TWO, message: expect.stringMatching(/^EMDB lists 3 half maps \("emd_90203_half_map_1\.map\.gz", .*\); Level 1 needs exactly two, so the entry is analysed without half maps$/u) }]);
    const db = new DatabaseSync(path.join(out, 'ledger.sqlite'), { readOnly: true });
    const notes = JSON.parse((db.prepare("SELECT notes FROM entry_runs WHERE entry_id = 'EMD-90203'").get() as { notes: string }).notes) as string[];
    db.close();
    expect(notes).toEqual([r3.inputs.map.notes[0].message]);
    console.log(`nightly with half maps: first run ${s1.toFixed(1)} s (2 analysed, 1 refused, 3 failed)`);

    // Unchanged: reused. Changed half maps (same map, same entry JSON): analysed again, with the new sha256s.
    const only = (ids: string[], extra: Partial<NightlyOptions> = {}) => runNightly(opts(out, mirror.url, { ids, site: { enabled: false, pdf: false }, ...extra }));
    expect(byId(await only(['EMD-90001']))).toEqual({ 'EMD-90001': 'reused' });
    await writeSimulatedEntries(mirrorDir, { names: ['well-behaved'], box: BOX, halfMaps: { resolution: 3.5 }, halfMapSeed: 2 });
    const changed = [await fileSha(other('EMD-90001', 1)), await fileSha(other('EMD-90001', 2))];
    expect(changed).not.toEqual(want);
    expect(byId(await only(['EMD-90001']))).toEqual({ 'EMD-90001': 'analysed' });
    expect((await reportOf(out, 'EMD-90001')).inputs.halfMaps.map((h: { sha256: string }) => h.sha256)).toEqual(changed);

    // Half maps that disappear from the entry: analysed again, without them.
    await writeSimulatedEntries(mirrorDir, { names: ['well-behaved'], box: BOX });
    expect(byId(await only(['EMD-90001']))).toEqual({ 'EMD-90001': 'analysed' });
    expect((await reportOf(out, 'EMD-90001')).inputs.halfMaps).toBeUndefined();
    const l2 = Ledger.open(path.join(out, 'ledger.sqlite'), { readOnly: true });
    expect(l2.entry('EMD-90001')!.okExtraInputsSha256).toBeNull();
    l2.close();

    // Half maps that appear (the entry now lists two): analysed with them; --prune-maps removes map and half maps from the cache.
    await entryWithHalves('EMD-90203', { halves: [h1, h2] });
    expect(byId(await only(['EMD-90203'], { pruneMaps: true }))).toEqual({ 'EMD-90203': 'analysed' });
    expect((await reportOf(out, 'EMD-90203')).inputs.halfMaps.map((h: { file: string }) => h.file)).toEqual(['emd_90203_half_map_1.map.gz', 'emd_90203_half_map_2.map.gz']);
    expect([...(await tree(path.join(out, 'cache', 'EMD-90203'))).keys()]).toEqual([]);
  });
});

describe('nightly: fitted models', () => {
  let mirrorDir = '';
  let mirror: Mirror;
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const reportOf = async (out: string, id: string) => JSON.parse(await readFile(path.join(out, 'content', 'entries', id, 'report.json'), 'utf8'));
  const variant = (id: string, pdbId: string) => ({ id, label: `model-${pdbId}`, phantom: 'well-behaved' as const, pdbId, title: `Model case ${id}` });
  const modelGz = (name: string) => gzipMap(new TextEncoder().encode(modelToMmcif(proceduralProtein({ seed: 1 }), name)));

  beforeAll(async () => {
    mirrorDir = await mkdtemp(path.join(tmpdir(), 'emvr-models-mirror-'));
    // EMD-90300 lists 9xyz, served; EMD-90301 lists 9nof, not in the archive (404); EMD-90302 lists 9bad, which gunzips but is not mmCIF.
    await writeModelEntries(mirrorDir, { box: BOX, variants: [variant('EMD-90300', '9xyz'), variant('EMD-90301', '9nof'), variant('EMD-90302', '9bad')] });
    await rm(path.join(mirrorDir, '_models', '9nof.cif.gz'));
    await writeMirrorModel(mirrorDir, '9bad', await gzipMap(new TextEncoder().encode('HEADER    NOT A CIF\nEND\n')));
    mirror = await startMirror({ dir: mirrorDir });
  });

  afterAll(async () => {
    await mirror?.close();
  });

  it('records the model with its sha256 and PDB ID, analyses without a missing or unreadable one (with a note), and re-analyses when the model changes or appears', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'emvr-models-out-'));
    const served = sha(new Uint8Array(await readFile(path.join(mirrorDir, '_models', '9xyz.cif.gz'))));
    const t0 = performance.now();
    const run1 = await runNightly(opts(out, mirror.url, { site: { enabled: false, pdf: false } }));
    const s1 = (performance.now() - t0) / 1000;
    expect(byId(run1)).toEqual({ 'EMD-90300': 'analysed', 'EMD-90301': 'analysed', 'EMD-90302': 'analysed' });
    expect(mirror.requests.filter((r) => r.path.startsWith('/pub/pdb/')).map((r) => [r.path, r.status]).sort()).toEqual([
      ['/pub/pdb/data/structures/divided/mmCIF/ba/9bad.cif.gz', 200],
      ['/pub/pdb/data/structures/divided/mmCIF/no/9nof.cif.gz', 404],
      ['/pub/pdb/data/structures/divided/mmCIF/xy/9xyz.cif.gz', 200],
    ]);

    const r0 = await reportOf(out, 'EMD-90300');
    expect(r0.inputs.model).toEqual({ file: '9xyz.cif.gz', sha256: served, bytes: expect.any(Number), pdbId: '9xyz' });
    expect(r0.inputs.map.notes).toEqual([]);
    const r1 = await reportOf(out, 'EMD-90301');
    expect(r1.inputs.model).toBeUndefined();
    expect(r1.inputs.map.notes).toEqual([{ code: MODEL_NOT_FETCHED, message: 'fitted model 9nof could not be fetched (EMD-90301 fitted model 9nof (9nof.cif.gz): not found in the PDB archive (HTTP 404)); the entry is analysed without the model' }]);
    const r2 = await reportOf(out, 'EMD-90302');
    expect(r2.inputs.model).toBeUndefined();
    expect(r2.inputs.map.notes).toEqual([{ code: MODEL_UNREADABLE, message: expect.stringMatching(/^fitted model 9bad is not usable \(EMD-90302 fitted model 9bad \(9bad\.cif\.gz\): not an mmCIF file.*\); the entry is analysed without the model$/u) }]);
    expect(existsSync(path.join(out, 'cache', 'EMD-90300', 'model', '9xyz.cif.gz.json'))).toBe(true);
    expect([...(await tree(path.join(out, 'cache'))).keys()].filter((f) => f.includes('.part'))).toEqual([]);

    const ledger = Ledger.open(path.join(out, 'ledger.sqlite'), { readOnly: true });
    const row = ledger.entryRuns(run1.runId).find((r) => r.entryId === 'EMD-90300')!;
    expect(row.extraInputs.map((x) => [x.kind, x.index, x.file, x.sha256])).toEqual([['model', 1, '9xyz.cif.gz', served]]);
    const db = new DatabaseSync(path.join(out, 'ledger.sqlite'), { readOnly: true });
    const notes = JSON.parse((db.prepare("SELECT notes FROM entry_runs WHERE entry_id = 'EMD-90301'").get() as { notes: string }).notes) as string[];
    db.close();
    expect(notes).toEqual([r1.inputs.map.notes[0].message]);
    const fp0 = ledger.entry('EMD-90300')!.okExtraInputsSha256;
    const fp1 = ledger.entry('EMD-90301')!.okExtraInputsSha256;
    expect(fp0).toMatch(/^[0-9a-f]{64}$/u);
    ledger.close();
    console.log(`nightly with fitted models: first run ${s1.toFixed(1)} s (3 analysed)`);

    // Unchanged: reused. A changed model (same map, same entry JSON): analysed again, new sha256, new fingerprint.
    const only = (ids: string[]) => runNightly(opts(out, mirror.url, { ids, site: { enabled: false, pdf: false } }));
    expect(byId(await only(['EMD-90300', 'EMD-90301']))).toEqual({ 'EMD-90300': 'reused', 'EMD-90301': 'reused' });
    const changed = await modelGz('9xyz_revised');
    await writeMirrorModel(mirrorDir, '9xyz', changed);
    // The model appears in the archive for EMD-90301.
    await writeMirrorModel(mirrorDir, '9nof', await modelGz('9nof'));
    expect(byId(await only(['EMD-90300', 'EMD-90301']))).toEqual({ 'EMD-90300': 'analysed', 'EMD-90301': 'analysed' });
    expect((await reportOf(out, 'EMD-90300')).inputs.model).toMatchObject({ sha256: sha(changed), pdbId: '9xyz' });
    const again = await reportOf(out, 'EMD-90301');
    expect(again.inputs.model).toMatchObject({ file: '9nof.cif.gz', pdbId: '9nof' });
    expect(again.inputs.map.notes).toEqual([]);
    const l2 = Ledger.open(path.join(out, 'ledger.sqlite'), { readOnly: true });
    expect(l2.entry('EMD-90300')!.okExtraInputsSha256).not.toBe(fp0);
    expect(l2.entry('EMD-90301')!.okExtraInputsSha256).not.toBe(fp1);
    l2.close();
  });
});

describe('nightly: hostile source', () => {
  let mirrorDir = '';
  let mirror: Mirror;
  let proxy: http.Server;
  let proxyUrl = '';
  const title = '<script>alert(1)</script> ../../../etc/passwd \u001b[31m';

  beforeAll(async () => {
    mirrorDir = await mkdtemp(path.join(tmpdir(), 'emvr-hostile-mirror-'));
    const [sim] = await writeSimulatedEntries(mirrorDir, { names: ['well-behaved'], box: BOX });
    const good = JSON.parse(await readFile(path.join(mirrorDir, sim.id, 'entry.json'), 'utf8'));
    const mapGz = await readFile(path.join(mirrorDir, sim.id, 'map', 'emd_90001.map.gz'));
    const hostile = structuredClone(good);
    hostile.emdb_id = 'EMD-90101';
    hostile.admin.title = title;
    hostile.admin.authors_list.author = [{ valueOf_: '../../x' }, { valueOf_: '<img src=x onerror=alert(1)>' }, 'a/b\\c'];
    hostile.crossreferences.pdb_list.pdb_reference = [{ pdb_id: '../../etc' }, { pdb_id: '1ABC' }, { pdb_id: '<b>' }];
    hostile.interpretation.half_map_list.half_map = [{ file: '../../evil.map.gz' }];
    hostile.map.file = '../../../evil.map.gz';
    await writeMirrorEntry(mirrorDir, 'EMD-90101', hostile, mapGz);
    const liar = structuredClone(good);
    liar.emdb_id = 'EMD-1/../../x';
    await writeMirrorEntry(mirrorDir, 'EMD-90102', liar, mapGz);
    mirror = await startMirror({ dir: mirrorDir });
    // A front that returns hostile accession strings from the search and proxies the rest.
    proxy = http.createServer(async (req, res) => {
      if ((req.url ?? '').startsWith('/emdb/api/search/')) {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end('emdb_id\nEMD-90101\nEMD-90102\n../../../tmp/evil\nEMD-12\n"EMD-1234/../../x"\nEMD-90101\n"EMD-99999\nEMD-1"\n');
        return;
      }
      const r = await fetch(`${mirror.url}${req.url}`, { headers: req.headers.range ? { range: req.headers.range } : {} });
      res.writeHead(r.status, Object.fromEntries(r.headers.entries()));
      res.end(Buffer.from(await r.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await mirror?.close();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  });

  it('never lets IDs or metadata escape the output folder or become markup', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'emvr-hostile-out-'));
    const run = await runNightly(opts(out, proxyUrl));
    expect(byId(run)).toEqual({ 'EMD-90101': 'analysed', 'EMD-90102': 'failed' });
    expect(run.outcomes.find((o) => o.id === 'EMD-90102')!.reason).toMatch(/the JSON is for "EMD-1\/\.\.\/\.\.\/x", not EMD-90102/u);
    expect(run.notes.join('\n')).toMatch(/ignored 4 search result\(s\) that are not EMDB IDs/u);
    const files = [...(await tree(out)).keys()];
    for (const f of files) {
      expect(f.split(path.sep).every((part) => /^[A-Za-z0-9_.-]+$/u.test(part) && part !== '..'), f).toBe(true);
      expect(f.startsWith('content/') || f.startsWith('cache/') || f.startsWith('site/') || f.startsWith('ledger.sqlite'), f).toBe(true);
    }
    expect(await readdir(path.join(out, 'content', 'entries'))).toEqual(['EMD-90101']);
    expect(existsSync(path.join(out, '..', 'evil.map.gz')) || existsSync(path.join(tmpdir(), 'evil'))).toBe(false);
    const report = JSON.parse(await readFile(path.join(out, 'content', 'entries', 'EMD-90101', 'report.json'), 'utf8'));
    // Kept as inert data (control characters dropped); escaping is the site's job, checked below when it exists.
    expect(report.entry.title).toBe('<script>alert(1)</script> ../../../etc/passwd [31m');
    expect(report.entry.authors).toEqual(['../../x', '<img src=x onerror=alert(1)>', 'a/b\\c']);
    expect(report.entry.pdbIds).toEqual(['1abc']);
    if (haveSite) {
      for (const f of files.filter((x) => x.startsWith('site/') && x.endsWith('.html'))) {
        const html = await readFile(path.join(out, f), 'utf8');
        expect(html.includes('<script>alert(1)</script>'), f).toBe(false);
        expect(html.includes('<img src=x onerror'), f).toBe(false);
      }
    }
  });
});

describe('nightly: kill -9 mid-analysis, then the same command again', () => {
  let mirrorDir = '';
  let mirror: Mirror;

  beforeAll(async () => {
    mirrorDir = await mkdtemp(path.join(tmpdir(), 'emvr-kill-mirror-'));
    await writeSimulatedEntries(mirrorDir, { names: ['well-behaved', 'decentred', 'noise-blobs'], box: BOX });
    mirror = await startMirror({ dir: mirrorDir });
  });

  afterAll(async () => {
    await mirror?.close();
  });

  /** The real CLI entry, as a user runs it. */
  function cliArgs(): string[] {
    return [path.join(projectRoot, 'scripts', 'cli.ts'), 'nightly'];
  }

  it('gives byte-identical content (and site) to an uninterrupted run, with no partial or temporary file left', async () => {
    const ref = await mkdtemp(path.join(tmpdir(), 'emvr-kill-ref-'));
    const reference = await runNightly(opts(ref, mirror.url, { figures: true }));
    expect(reference.counts.analysed).toBe(3);

    const out = await mkdtemp(path.join(tmpdir(), 'emvr-kill-out-'));
    const args = [...cliArgs(), '--emdb', mirror.url, '--out', out, '--no-pdf', '--request-interval', '0', '--backoff', '20', '--no-progress'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const ledgerFile = path.join(out, 'ledger.sqlite');
    // Kill once the first entry is committed (its report is published) while others are in flight.
    let committed = 0;
    for (let i = 0; i < 600 && committed === 0 && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(ledgerFile)) continue;
      try {
        const db = new DatabaseSync(ledgerFile, { readOnly: true });
        committed = Number((db.prepare('SELECT COUNT(*) AS n FROM entry_runs').get() as { n: number }).n);
        db.close();
      } catch {
        committed = 0;
      }
    }
    expect(child.exitCode, stderr).toBeNull();
    expect(committed).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(path.join(out, 'nightly.lock'))).toBe(true);

    // The same command again (asynchronously: the mirror lives in this process).
    const again = await run(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/analysed [12], reused [12], refused 0, failed 0/u);
    expect(existsSync(path.join(out, 'nightly.lock'))).toBe(false);

    const a = await tree(path.join(ref, 'content'));
    const b = await tree(path.join(out, 'content'));
    expect([...b.keys()].filter((f) => /\.tmp-|\.part|(^|\/)\.old-/u.test(f))).toEqual([]);
    // Reports and their figures (PNG, SVG): every byte compared.
    expect([...b.keys()].filter((f) => f.endsWith('.png')).length).toBeGreaterThan(3 * 10);
    expect(b).toEqual(a);
    if (haveSite) {
      const site = (root: string) => tree(path.join(root, 'site'));
      const refSite = await site(ref);
      expect(refSite.size).toBeGreaterThan(3);
      expect(await site(out)).toEqual(refSite);
    }

    // `emvr status` shows the killed run as interrupted and the rerun as completed.
    const status = await run([args[0], 'status', '--out', out, '--json']);
    expect(status.status, status.stderr).toBe(0);
    const st = JSON.parse(status.stdout) as { runs: { runId: number; status: string }[]; entries: { status: string }[]; failing: unknown[] };
    expect(st.runs.map((r) => r.status)).toEqual(['completed', 'interrupted']);
    expect(st.entries.length).toBe(3);
    expect(st.failing).toEqual([]);
    const table = await run([args[0], 'status', '--out', out]);
    expect(table.stdout).toMatch(/entries of run 2:\nentry +status/u);
    // Three full analyses with figures, two sites and a killed run: minutes on a loaded 2-core machine.
  }, 300_000);
});
