/**
 * The Slurm executor. Without a cluster: the resource formula (more with half maps), the batch
 * script (run by bash with a stand-in Node), the parsing of Slurm's output, and one array task run
 * by hand (statuses of a good map, a corrupt map, a map with its half maps and one whose half maps
 * are on another grid). On a real one-node cluster (test-cluster.ts; skipped, with the reason
 * printed, where Slurm cannot start): the nightly run with --executor slurm publishes
 * byte-identical content to --executor local, an entry with half maps included; a corrupt map fails alone with its reason; a task
 * SIGKILLed like an out-of-memory kill is resubmitted with twice the memory, then recorded failed
 * at the limit; and a driver cancelled with SIGTERM resumes without re-analysing finished entries.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp as mkdtempRaw, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMrc, writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { simulateHalfMaps } from '../../analyzers/simulate/half-maps.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { ANALYZER_VERSION } from '../../analyzers/util/version.ts';
import { resolveEndpoints } from '../emdb/endpoints.ts';
import { buildEntryJson } from '../emdb/entry-json.ts';
import { startMirror, type Mirror } from '../mirror/mirror.ts';
import { modelToMmcif } from '../mirror/mmcif-write.ts';
import { gzipMap, HALF_MAP_VARIANTS, writeHalfMapEntries, writeMirrorEntry, writeSimulatedEntries } from '../mirror/mirror-folder.ts';
import { Ledger, LEDGER_SCHEMA_VERSION } from '../nightly/ledger.ts';
import { runNightly, type NightlyOptions, type NightlySummary } from '../nightly/pipeline.ts';
import { batchScript, sbatchDirectives, shellQuote } from './batch-script.ts';
import { lossReason, memoryClass, unitResources } from './driver.ts';
import { estimateResources, MEM_BASE_MB, MEM_FACTOR, MEM_HALF_MAPS_FACTOR, MEM_MODEL_FACTOR, slurmTime, TIME_BASE_MIN, TIME_HALF_MAPS_PER_MVOXEL_MIN, TIME_PER_MVOXEL_MIN } from './resources.ts';
import { parseSbatchId, parseScontrolJob, parseSqueue, runCommand } from './slurm-commands.ts';
import { readStatus, TASK_FILE_VERSION, unitKey, type TaskFile } from './task-file.ts';
import { runSlurmTask } from './task.ts';
import { startTestCluster } from './test-cluster.ts';

const BOX = 80;
const made: string[] = [];
async function mkdtemp(prefix: string): Promise<string> {
  const d = await mkdtempRaw(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Every file under `root` (relative path → sha256), sorted. */
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

/** A gzip map whose header is fine but whose voxel data is cut in half. */
async function corruptMapBytes(): Promise<Uint8Array> {
  const p = await makePhantom('well-behaved', { box: BOX });
  const full = encodeMrc(p.volume);
  return full.subarray(0, 1024 + (full.length - 1024) / 2);
}

// The cluster starts while the file is collected, so its describe can skip with the reason shown.
const started = await startTestCluster({ log: (m) => console.log(m) });
const cluster = started.cluster;
if (started.skip !== undefined) console.warn(`SKIPPED Slurm cluster tests: ${started.skip}`);
afterAll(async () => {
  await cluster?.stop();
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe('slurm: resources, batch script, parsing', () => {
  it('asks memory from the float32 map size and time from the voxel count, scaled and capped', () => {
    const d: [number, number, number] = [360, 360, 360];
    const mapMB = (360 ** 3 * 4) / 2 ** 20;
    const r = estimateResources(d);
    expect(r.memMB).toBe(Math.ceil((MEM_BASE_MB + MEM_FACTOR * mapMB) / 100) * 100);
    expect(r.timeMin).toBe(Math.ceil(TIME_BASE_MIN + (TIME_PER_MVOXEL_MIN * 360 ** 3) / 1e6));
    // The measured peak RSS of EMD-44046 (360³, calibrate.ts: 2461 MB) fits with room to spare.
    expect(r.memMB).toBeGreaterThan(2461 * 1.3);
    const big = estimateResources([512, 512, 512], { memScale: 2, timeScale: 3, maxTimeMin: 20 });
    expect(big.memMB).toBe(Math.ceil(((MEM_BASE_MB + MEM_FACTOR * 512) * 2) / 100) * 100);
    expect(big.timeMin).toBe(20);
    expect(estimateResources([512, 512, 512], { timeScale: 0.5 }).timeMin).toBe(Math.ceil((TIME_BASE_MIN + (TIME_PER_MVOXEL_MIN * 512 ** 3) / 1e6) * 0.5));
    expect(estimateResources([512, 512, 512], { maxMemMB: 4000 }).memMB).toBe(4000);
    expect([slurmTime(1), slurmTime(59.2), slurmTime(61), slurmTime(1501)]).toEqual(['00:01:00', '01:00:00', '01:01:00', '1-01:01:00']);
    expect([700, 1024, 1025, 1600, 3448, 9000].map(memoryClass)).toEqual([1024, 1024, 1536, 2048, 4096, 12288]);
  });

  it('asks more memory and time when the half maps are analysed too, and the driver passes that on per entry', () => {
    const d: [number, number, number] = [360, 360, 360];
    const mapMB = (360 ** 3 * 4) / 2 ** 20;
    const plain = estimateResources(d);
    const halves = estimateResources(d, {}, { halfMaps: true });
    expect(halves.memMB).toBe(Math.ceil((MEM_BASE_MB + (MEM_FACTOR + MEM_HALF_MAPS_FACTOR) * mapMB) / 100) * 100);
    expect(halves.memMB - plain.memMB).toBeGreaterThanOrEqual(Math.floor(6 * mapMB / 100) * 100);
    expect(halves.timeMin).toBe(Math.ceil(TIME_BASE_MIN + ((TIME_PER_MVOXEL_MIN + TIME_HALF_MAPS_PER_MVOXEL_MIN) * 360 ** 3) / 1e6));
    expect(halves.timeMin).toBeGreaterThan(plain.timeMin);
    // Scales and caps apply to the larger request as to any other.
    expect(estimateResources(d, { memScale: 2, maxMemMB: 5000 }, { halfMaps: true }).memMB).toBe(5000);
    expect(estimateResources(d, {}, { halfMaps: false })).toEqual(plain);
    expect(unitResources({ dims: d, halfMapPaths: ['/a', '/b'] }, {})).toEqual(halves);
    expect(unitResources({ dims: d }, {})).toEqual(plain);
  });

  it('asks two more float32 maps of memory (and no more time) when a fitted model comes with the entry', () => {
    const d: [number, number, number] = [256, 256, 256];
    const mapMB = (256 ** 3 * 4) / 2 ** 20;
    const plain = estimateResources(d);
    const model = estimateResources(d, {}, { model: true });
    expect(MEM_MODEL_FACTOR).toBe(2);
    expect(model.memMB).toBe(Math.ceil((MEM_BASE_MB + (MEM_FACTOR + MEM_MODEL_FACTOR) * mapMB) / 100) * 100);
    expect(model.timeMin).toBe(plain.timeMin);
    const all = estimateResources(d, {}, { halfMaps: true, model: true });
    expect(all.memMB).toBe(Math.ceil((MEM_BASE_MB + (MEM_FACTOR + MEM_HALF_MAPS_FACTOR + MEM_MODEL_FACTOR) * mapMB) / 100) * 100);
    expect(unitResources({ dims: d, halfMapPaths: ['/a', '/b'], modelPath: '/m.cif.gz' }, {})).toEqual(all);
  });

  it('writes a batch script that bash runs: the task command with quoted paths, the task index and EMVR_THREADS', async () => {
    const dir = await mkdtemp("emvr-sbatch-it's ");
    const spec = {
      jobName: 'emvr-r3', tasks: 4, maxRunning: 2, resources: { memMB: 1024, timeMin: 7 }, cpusPerTask: 3, partition: 'short', account: 'cryoem',
      chdir: '/shared/out', output: '/shared/out/logs/%A_%a.log', node: '/bin/echo', cli: path.join(dir, 'cli.ts'), taskFile: path.join(dir, 'tasks.json'),
    };
    expect(sbatchDirectives(spec)).toEqual([
      '--job-name=emvr-r3', '--array=0-3%2', '--nodes=1', '--ntasks=1', '--cpus-per-task=3', '--mem=1024M', '--time=00:07:00',
      '--chdir=/shared/out', '--output=/shared/out/logs/%A_%a.log', '--partition=short', '--account=cryoem',
    ]);
    expect(() => sbatchDirectives({ ...spec, chdir: '/a b' })).toThrow(/cannot be written into an #SBATCH line/u);
    const script = path.join(dir, 'analyze.sbatch');
    await writeFile(script, batchScript(spec));
    await writeFile(spec.cli, '');
    await chmod(script, 0o755);
    // Node replaced by echo: the script's command line is printed instead of run.
    const r = await runCommand('/bin/bash', [script], { env: { PATH: '/usr/bin:/bin', SLURM_ARRAY_TASK_ID: '2', SLURM_CPUS_PER_TASK: '3' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${spec.cli} analyze-batch --task-file ${spec.taskFile} --task-index 2`);
    const env = await runCommand('/bin/bash', ['-c', `sed 's#^exec "\\$NODE".*#exec /usr/bin/env#' ${shellQuote(script)} | bash`], { env: { PATH: '/usr/bin:/bin', SLURM_ARRAY_TASK_ID: '0', SLURM_CPUS_PER_TASK: '3' } });
    expect(env.stdout).toMatch(/^EMVR_THREADS=3$/mu);
    // Outside an array task, and with the Node binary missing, it stops with a clear message.
    expect((await runCommand('/bin/bash', [script], { env: { PATH: '/usr/bin:/bin' } })).stderr).toMatch(/not started as an array task/u);
    await writeFile(script, batchScript({ ...spec, node: path.join(dir, 'no-node') }));
    const missing = await runCommand('/bin/bash', [script], { env: { PATH: '/usr/bin:/bin', SLURM_ARRAY_TASK_ID: '0' } });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/is not reachable on .*shared storage/u);
  });

  it('reads sbatch, squeue and scontrol output as Slurm 22.05 prints it', () => {
    expect(parseSbatchId('1234\n')).toBe('1234');
    expect(parseSbatchId('77;emvrci\n')).toBe('77');
    expect(parseSbatchId('sbatch: error\n')).toBeNull();
    expect(parseSqueue('1_2|PENDING|Resources|\n1_0|RUNNING|None|ci1\n')).toEqual([
      { id: '1_2', state: 'PENDING', reason: 'Resources', nodes: '' },
      { id: '1_0', state: 'RUNNING', reason: 'None', nodes: 'ci1' },
    ]);
    const line = 'JobId=4 ArrayJobId=1 ArrayTaskId=2 JobName=wrap UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=0:9 RunTime=00:00:02 NodeList=ci1 BatchHost=ci1';
    const info = parseScontrolJob(line)!;
    expect(info).toEqual({ state: 'FAILED', exitCode: '0:9', reason: 'NonZeroExitCode', nodes: 'ci1', runTime: '00:00:02' });
    expect(lossReason('1_2', info, { memMB: 1024, timeMin: 6 }, 30)).toMatch(/^Slurm task 1_2 ended with state FAILED \(killed by signal 9 \(SIGKILL: out of memory\?\), NonZeroExitCode\) without writing its status file$/u);
    expect(lossReason('1_2', { ...info, state: 'OUT_OF_MEMORY' }, { memMB: 1024, timeMin: 6 }, 30)).toMatch(/exceeding its memory \(1024 MB requested/u);
    expect(lossReason('1_2', null, { memMB: 1024, timeMin: 6 }, 30)).toMatch(/left the queue without writing its status file/u);
  });

  it('keeps each cluster attempt in the ledger, upgrading a schema-1 ledger in place', async () => {
    const file = path.join(await mkdtemp('emvr-ledger-'), 'ledger.sqlite');
    const l0 = Ledger.open(file);
    l0.close();
    // What a ledger written before the Slurm executor looks like.
    const db = new DatabaseSync(file);
    db.exec("DROP TABLE task_attempts; UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    db.close();
    const l = Ledger.open(file);
    const run = l.startRun({ emdbApi: 'http://x', emdbFiles: 'http://x', mode: 'ids', since: null, analyzerVersion: 'v' });
    const a = { entryId: 'EMD-1234', executor: 'slurm' as const, task: '7_0', state: 'FAILED', exitCode: '0:9', node: 'n1', memMB: 1024, timeMin: 11, outcome: 'lost', reason: 'killed', submittedAt: 't0', finishedAt: 't1' };
    l.recordAttempt(run, { ...a, attempt: 2, task: '8_0', state: 'COMPLETED', exitCode: null, memMB: 2048, outcome: 'analysed', reason: null });
    l.recordAttempt(run, { ...a, attempt: 1 });
    expect(l.attempts(run).map((x) => [x.attempt, x.task, x.state, x.memMB, x.outcome])).toEqual([[1, '7_0', 'FAILED', 1024, 'lost'], [2, '8_0', 'COMPLETED', 2048, 'analysed']]);
    expect(l.getMeta('schema_version')).toBe(String(LEDGER_SCHEMA_VERSION));
    l.finishRun(run, 'interrupted');
    expect(l.runs(1)[0].status).toBe('interrupted');
    l.close();
  });

  it('runs an array task by hand: one status per entry, written after its report, the corrupt map reported as corrupt, half maps analysed or refused, the model recorded', async () => {
    const dir = await mkdtemp('emvr-task-');
    const p = await makePhantom('well-behaved', { box: BOX });
    const good = path.join(dir, 'good.mrc');
    await writeMrc(good, p.volume);
    const bad = path.join(dir, 'bad.mrc');
    await writeFile(bad, await corruptMapBytes());
    const halves = await simulateHalfMaps(p.volume, { resolution: 3.5 }, 3);
    const h = [path.join(dir, 'emd_90011_half_map_1.mrc'), path.join(dir, 'emd_90011_half_map_2.mrc')] as const;
    await writeMrc(h[0], halves.half1);
    await writeMrc(h[1], halves.half2);
    const big = await makePhantom('well-behaved', { box: BOX + 4 });
    const offGrid = path.join(dir, 'emd_90102_half_map_1.mrc');
    await writeMrc(offGrid, big.volume);
    // The fitted model of EMD-90001 (task files carry it since version 3).
    const modelPath = path.join(dir, '9xyz.cif.gz');
    await writeFile(modelPath, gzipSync(modelToMmcif(proceduralProtein({ seed: 1 }), '9xyz')));
    const entry = (id: string) => ({ id, title: null, authors: [], depositionDate: null, releaseDate: null, resolution: p.resolution, threshold: p.threshold, method: null, pdbIds: [] });
    const unit = (id: string, map: string, halfMapPaths?: readonly [string, string]) => ({
      id, key: unitKey({ id, mapSha256: id, metadataSha256: 'm', analyzerVersion: ANALYZER_VERSION, figures: false, maxVoxels: null }), resultDir: path.join(dir, 'results', id), mapPath: map, entry: entry(id), figures: false,
      ...(halfMapPaths ? { halfMapPaths } : {}),
    });
    const file: TaskFile = { version: TASK_FILE_VERSION, analyzerVersion: ANALYZER_VERSION, tasks: [[{ ...unit('EMD-90001', good), modelPath, modelPdbId: '9xyz' }, unit('EMD-90100', bad), unit('EMD-90011', good, h), unit('EMD-90102', good, [offGrid, h[1]])]] };
    const taskFile = path.join(dir, 'tasks.json');
    await writeFile(taskFile, JSON.stringify(file));
    const lines: string[] = [];
    const env = { SLURM_ARRAY_JOB_ID: process.env.SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID: process.env.SLURM_ARRAY_TASK_ID };
    process.env.SLURM_ARRAY_JOB_ID = '41';
    process.env.SLURM_ARRAY_TASK_ID = '0';
    try {
      expect(await runSlurmTask(taskFile, 0, (l) => lines.push(l))).toBe(0);
    } finally {
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const s1 = (await readStatus(path.join(dir, 'results', 'EMD-90001', 'status.json')))!;
    expect(s1).toMatchObject({ id: 'EMD-90001', task: '41_0', work: 'work-41_0', key: file.tasks[0][0].key, outcome: { ok: true } });
    const report = await readFile(path.join(dir, 'results', 'EMD-90001', 'work-41_0', 'report.json'));
    expect(s1.outcome.ok && s1.outcome.reportSha256).toBe(createHash('sha256').update(report).digest('hex'));
    // The published bytes are the deterministic copy (timings moved out).
    expect(JSON.parse(report.toString()).provenance.totalSeconds).toBeNull();
    expect(JSON.parse(report.toString()).inputs.model).toEqual({ file: '9xyz.cif.gz', sha256: createHash('sha256').update(readFileSync(modelPath)).digest('hex'), bytes: expect.any(Number), pdbId: '9xyz' });
    expect(lines.join('\n')).toMatch(/EMD-90001 \(.*good\.mrc \+ model .*9xyz\.cif\.gz\)/u);
    const s2 = (await readStatus(path.join(dir, 'results', 'EMD-90100', 'status.json')))!;
    expect(s2.outcome).toMatchObject({ ok: false, kind: 'corrupt' });
    expect(s2.outcome.ok ? '' : s2.outcome.message).toMatch(/truncated/u);
    // A failed attempt leaves no folder behind, and no temporary file is left anywhere.
    expect(readdirSync(path.join(dir, 'results', 'EMD-90100'))).toEqual(['status.json']);
    expect(readdirSync(path.join(dir, 'results', 'EMD-90001')).sort()).toEqual(['status.json', 'work-41_0']);
    expect(lines.join('\n')).toMatch(/EMD-90100 corrupt: /u);
    // The half maps reach the analysis: recorded in the report; on another grid, the analyzer's refusal.
    const s3 = (await readStatus(path.join(dir, 'results', 'EMD-90011', 'status.json')))!;
    expect(s3.outcome).toMatchObject({ ok: true });
    const withHalves = JSON.parse(await readFile(path.join(dir, 'results', 'EMD-90011', 'work-41_0', 'report.json'), 'utf8'));
    expect(withHalves.inputs.halfMaps.map((x: { file: string }) => x.file)).toEqual(['emd_90011_half_map_1.mrc', 'emd_90011_half_map_2.mrc']);
    const s4 = (await readStatus(path.join(dir, 'results', 'EMD-90102', 'status.json')))!;
    expect(s4.outcome).toMatchObject({ ok: false, kind: 'refused', message: expect.stringMatching(/^half map \S*emd_90102_half_map_1\.mrc \(84×84×84 voxels .*\) is not on the grid of the map \S*good\.mrc \(80×80×80 voxels/u) });
    expect(lines.join('\n')).toMatch(/EMD-90011 \(\S*good\.mrc \+ half maps \S*emd_90011_half_map_1\.mrc, /u);
    // A task index the file does not have is refused.
    expect(await runSlurmTask(taskFile, 5, () => undefined)).toBe(2);
  });
});

describe.skipIf(cluster === undefined)('slurm: on a real one-node cluster', () => {
  let mirrorDir = '';
  let mirror: Mirror;
  let localContent: Map<string, string>;
  const fast = { minIntervalMs: 0, backoffMs: 20, retries: 3, timeoutMs: 10_000, idleTimeoutMs: 10_000 };
  const slurmOpts = () => ({ env: cluster!.env, pollMs: 200, cpusPerTask: 1, statusGraceMs: 3000 });
  const opts = (out: string, extra: Partial<NightlyOptions> = {}): NightlyOptions => ({
    out, endpoints: resolveEndpoints({ base: mirror.url }), http: fast, workers: 2, figures: true, progress: false, log: () => undefined, site: { enabled: false, pdf: false }, ...extra,
  });
  const byId = (s: NightlySummary) => Object.fromEntries(s.outcomes.map((o) => [o.id, o.status]));
  const squeueAll = async () => parseSqueue((await runCommand('squeue', ['-h', '-r', '-o', '%i|%T|%r|%N'], { env: cluster!.env })).stdout);

  /** The real CLI (the mirror lives in this process, so never spawnSync). */
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'cli.ts'), ...args], { env: cluster!.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let so = '';
      let se = '';
      c.stdout.on('data', (b: Buffer) => (so += b.toString()));
      c.stderr.on('data', (b: Buffer) => (se += b.toString()));
      c.once('exit', (code) => resolve({ code, stdout: so, stderr: se }));
    });
  const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 120_000) => {
    const t0 = performance.now();
    while (!(await cond())) {
      if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    mirrorDir = await mkdtemp('emvr-slurm-mirror-');
    await writeSimulatedEntries(mirrorDir, { names: ['well-behaved', 'noise-blobs', 'threshold-too-high'], box: BOX });
    await writeHalfMapEntries(mirrorDir, { box: BOX, variants: [HALF_MAP_VARIANTS[0]] });
    const json = buildEntryJson({ id: 'EMD-90100', title: 'A map cut short at the source', authors: ['Doe J'], depositionDate: '2024-01-02', releaseDate: '2024-01-15', resolution: 3.5, contour: 0.02, dims: [BOX, BOX, BOX], voxelSize: [1.2, 1.2, 1.2] });
    await writeMirrorEntry(mirrorDir, 'EMD-90100', json, await gzipMap(await corruptMapBytes()));
    mirror = await startMirror({ dir: mirrorDir });
  });
  afterAll(async () => {
    await mirror?.close();
  });

  it('refuses a partition the cluster does not have, before fetching anything', async () => {
    const out = await mkdtemp('emvr-slurm-nopart-');
    const before = mirror.requests.length;
    await expect(runNightly(opts(out, { executor: 'slurm', slurm: { ...slurmOpts(), partition: 'gpu-nope' } }))).rejects.toThrow(/no partition "gpu-nope" \(it has: main\)/u);
    expect(mirror.requests.length).toBe(before);
    const ledger = Ledger.open(path.join(out, 'ledger.sqlite'), { readOnly: true });
    expect(ledger.runs(1)[0]).toMatchObject({ status: 'failed', notes: expect.stringMatching(/no partition "gpu-nope"/u) });
    ledger.close();
  });

  it('publishes byte-identical content to the local executor, half maps included; the corrupt map fails alone with its reason', async () => {
    const outL = await mkdtemp('emvr-slurm-local-');
    const t0 = performance.now();
    const local = await runNightly(opts(outL));
    const tLocal = (performance.now() - t0) / 1000;
    const outS = await mkdtemp('emvr-slurm-out-');
    const t1 = performance.now();
    const onSlurm = await runNightly(opts(outS, { executor: 'slurm', slurm: slurmOpts() }));
    const tSlurm = (performance.now() - t1) / 1000;
    console.log(`slurm vs local: ${onSlurm.outcomes.length} entries; local ${tLocal.toFixed(1)} s, slurm ${tSlurm.toFixed(1)} s (cluster up in ${cluster!.startSeconds} s)`);
    const expected = { 'EMD-90001': 'analysed', 'EMD-90004': 'analysed', 'EMD-90005': 'refused', 'EMD-90011': 'analysed', 'EMD-90100': 'failed' };
    expect(byId(local)).toEqual(expected);
    expect(byId(onSlurm)).toEqual(expected);
    const corrupt = onSlurm.outcomes.find((o) => o.id === 'EMD-90100')!;
    expect(corrupt.stage).toBe('analysis');
    expect(corrupt.reason).toMatch(/^corrupt map: .*truncated/su);
    // The same reason word for word, apart from the output folder in the map's path.
    expect(corrupt.reason!.replaceAll(outS, '<out>')).toBe(local.outcomes.find((o) => o.id === 'EMD-90100')!.reason!.replaceAll(outL, '<out>'));
    expect(onSlurm.outcomes.find((o) => o.id === 'EMD-90005')!.reason).toMatch(/threshold .* is too high/u);

    localContent = await tree(path.join(outL, 'content'));
    const slurmContent = await tree(path.join(outS, 'content'));
    expect([...localContent.keys()].filter((f) => f.endsWith('report.json')).length).toBe(3);
    expect([...localContent.keys()].filter((f) => f.endsWith('.png')).length).toBeGreaterThan(3 * 10);
    expect(slurmContent).toEqual(localContent);
    // The half maps reached the task: its report records them.
    const halves = JSON.parse(await readFile(path.join(outS, 'content', 'entries', 'EMD-90011', 'report.json'), 'utf8')).inputs.halfMaps;
    expect(halves.map((x: { file: string }) => x.file)).toEqual(['emd_90011_half_map_1.map.gz', 'emd_90011_half_map_2.map.gz']);

    // Each analysis ran as a task of one array on ci1, with the memory asked from its map size.
    const ledger = Ledger.open(path.join(outS, 'ledger.sqlite'), { readOnly: true });
    const attempts = ledger.attempts(onSlurm.runId);
    ledger.close();
    expect(attempts.map((a) => [a.entryId, a.attempt, a.state, a.node, a.outcome])).toEqual([
      ['EMD-90001', 1, 'COMPLETED', 'ci1', 'analysed'],
      ['EMD-90004', 1, 'COMPLETED', 'ci1', 'analysed'],
      ['EMD-90005', 1, 'COMPLETED', 'ci1', 'refused'],
      ['EMD-90011', 1, 'COMPLETED', 'ci1', 'analysed'],
      ['EMD-90100', 1, 'COMPLETED', 'ci1', 'corrupt'],
    ]);
    expect(new Set(attempts.map((a) => a.task.split('_')[0])).size).toBe(1);
    for (const a of attempts) expect(a.memMB, a.entryId).toBe(memoryClass(estimateResources([BOX, BOX, BOX], {}, { halfMaps: a.entryId === 'EMD-90011' }).memMB));
    // Nothing of the cluster's working area is left once every entry is collected.
    expect(readdirSync(path.join(outS, 'cache', 'slurm', 'results'))).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(outS, 'cache', 'slurm', 'jobs.json'), 'utf8'))).toEqual({ jobs: [] });
  });

  it('resubmits a task SIGKILLed like an out-of-memory kill with twice the memory, and records it failed at the limit', async () => {
    const out = await mkdtemp('emvr-slurm-kill-');
    // The OOM killer's part: SIGKILL the Node process of every attempt of EMD-90001 (our own
    // process, found by this test's unique output folder in its command line).
    const killed: string[] = [];
    let stop = false;
    const killer = (async () => {
      while (!stop) {
        await new Promise((r) => setTimeout(r, 100));
        for (const pid of readdirSync('/proc').filter((n) => /^\d+$/u.test(n))) {
          let cmd = '';
          try {
            cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/gu, ' ');
          } catch {
            continue;
          }
          if (!cmd.includes('analyze-batch --task-file') || !cmd.includes(out)) continue;
          const tf = /--task-file (\S+)/u.exec(cmd)?.[1] ?? '';
          const idx = Number(/--task-index (\d+)/u.exec(cmd)?.[1]);
          let ids: string[] = [];
          try {
            ids = (JSON.parse(readFileSync(tf, 'utf8')) as TaskFile).tasks[idx].map((u) => u.id);
          } catch {
            continue;
          }
          const key = `${tf}#${idx}`;
          if (ids.includes('EMD-90001') && !killed.includes(key)) {
            process.kill(Number(pid), 'SIGKILL');
            killed.push(key);
          }
        }
      }
    })();
    let run: NightlySummary;
    try {
      run = await runNightly(opts(out, { ids: ['EMD-90001', 'EMD-90004'], figures: false, executor: 'slurm', slurm: { ...slurmOpts(), retries: 1 } }));
    } finally {
      stop = true;
      await killer;
    }
    expect(killed.length).toBe(2);
    expect(byId(run)).toEqual({ 'EMD-90001': 'failed', 'EMD-90004': 'analysed' });
    const failed = run.outcomes.find((o) => o.id === 'EMD-90001')!;
    expect(failed.stage).toBe('analysis');
    expect(failed.reason).toMatch(/Slurm task \d+_0 ended with state FAILED \(killed by signal 9 \(SIGKILL: out of memory\?\).*without writing its status file.*\(after 2 attempts\)/su);
    const ledger = Ledger.open(path.join(out, 'ledger.sqlite'), { readOnly: true });
    const attempts = ledger.attempts(run.runId).filter((a) => a.entryId === 'EMD-90001');
    ledger.close();
    expect(attempts.map((a) => [a.attempt, a.state, a.exitCode, a.outcome])).toEqual([
      [1, 'FAILED', '0:9', 'lost'],
      [2, 'FAILED', '0:9', 'lost'],
    ]);
    // The second attempt asks for twice the memory the killed task had.
    expect(attempts[1].memMB).toBe(memoryClass(2 * memoryClass(estimateResources([BOX, BOX, BOX]).memMB)));
    expect(attempts[0].task).not.toBe(attempts[1].task);
    expect(existsSync(path.join(out, 'content', 'entries', 'EMD-90004', 'report.json'))).toBe(true);
    expect(existsSync(path.join(out, 'content', 'entries', 'EMD-90001'))).toBe(false);
  });

  it('cancelled with SIGTERM, the driver cancels its jobs; the same command resumes without re-analysing finished entries', async () => {
    const out = await mkdtemp('emvr-slurm-cancel-');
    // Two entries per task: the first of a task is collected while the task runs on; cancelling
    // then kills the second, which the rerun must submit again.
    const args = [path.join(projectRoot, 'scripts', 'cli.ts'), 'nightly', '--executor', 'slurm', '--slurm-chunk', '2', '--slurm-poll', '0.2', '--slurm-cpus', '1', '--emdb', mirror.url, '--out', out, '--no-site', '--request-interval', '0', '--backoff', '20', '--no-progress'];
    const child = spawn(process.execPath, args, { env: cluster!.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ledgerFile = path.join(out, 'ledger.sqlite');
    const analysedIn = (runId: number): string[] => {
      try {
        const db = new DatabaseSync(ledgerFile, { readOnly: true });
        const rows = db.prepare("SELECT entry_id FROM entry_runs WHERE run_id = ? AND status IN ('analysed', 'refused')").all(runId) as { entry_id: string }[];
        db.close();
        return rows.map((r) => r.entry_id).sort();
      } catch {
        return [];
      }
    };
    let finished: string[] = [];
    for (let i = 0; i < 1200 && finished.length === 0 && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(ledgerFile)) finished = analysedIn(1);
    }
    expect(child.exitCode, stderr).toBeNull();
    expect(finished.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toMatch(/cancelled job\(s\) \d+/u);
    finished = analysedIn(1);
    // Its jobs leave the queue (scancel), and the run is recorded as interrupted.
    let left = await squeueAll();
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await squeueAll();
    }
    expect(left).toEqual([]);
    const l1 = Ledger.open(ledgerFile, { readOnly: true });
    expect(l1.runs(1)[0].status).toBe('interrupted');
    l1.close();
    expect(finished.length).toBeLessThan(4);

    const again = await cli(args.slice(1));
    expect(again.code, again.stderr).toBe(0);
    const ledger = Ledger.open(ledgerFile, { readOnly: true });
    const run2 = ledger.runs(1)[0];
    const rows2 = ledger.entryRuns(run2.runId);
    const attempts2 = ledger.attempts(run2.runId);
    ledger.close();
    // What run 1 finished is reused, never submitted again; the rest is analysed now.
    for (const id of finished) expect(rows2.find((r) => r.entryId === id)?.status, id).toBe('reused');
    expect(attempts2.filter((a) => finished.includes(a.entryId))).toEqual([]);
    expect(rows2.filter((r) => r.status === 'analysed' || r.status === 'refused').length + finished.length).toBe(4);
    expect(rows2.find((r) => r.entryId === 'EMD-90100')?.status).toBe('failed');
    expect(await tree(path.join(out, 'content'))).toEqual(localContent);
  });

  it('killed with SIGKILL, its tasks run on; the same command adopts their results instead of analysing again', async () => {
    expect(localContent).toBeDefined();
    const out = await mkdtemp('emvr-slurm-sigkill-');
    const ids = ['EMD-90001', 'EMD-90004'];
    const args = ['nightly', '--ids', ids.join(','), '--executor', 'slurm', '--slurm-poll', '0.2', '--slurm-cpus', '1', '--emdb', mirror.url, '--out', out, '--no-site', '--request-interval', '0', '--backoff', '20', '--no-progress'];
    const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'cli.ts'), ...args], { env: cluster!.env, stdio: ['ignore', 'ignore', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const jobsFile = path.join(out, 'cache', 'slurm', 'jobs.json');
    const submitted = () => {
      try {
        return (JSON.parse(readFileSync(jobsFile, 'utf8')) as { jobs: string[] }).jobs.length > 0;
      } catch {
        return false;
      }
    };
    await until('the array submission', submitted);
    child.kill('SIGKILL');
    await exited;
    // Nobody cancels the tasks: they finish and leave their statuses on shared storage.
    await until('both statuses', () => ids.every((id) => existsSync(path.join(out, 'cache', 'slurm', 'results', id, 'status.json'))));
    await until('an empty queue', async () => (await squeueAll()).length === 0);
    const again = await cli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.match(/adopting the finished result of task \d+_\d+ from an interrupted run/gu)?.length).toBe(2);
    const ledger = Ledger.open(path.join(out, 'ledger.sqlite'), { readOnly: true });
    const run = ledger.runs(1)[0];
    expect(ledger.entryRuns(run.runId).map((r) => [r.entryId, r.status])).toEqual(ids.map((id) => [id, 'analysed']));
    expect(ledger.attempts(run.runId)).toEqual([]);
    ledger.close();
    const mine = new Map([...localContent].filter(([f]) => ids.some((id) => f.startsWith(`entries/${id}/`))));
    expect(mine.size).toBeGreaterThan(2 * 10);
    expect(await tree(path.join(out, 'content'))).toEqual(mine);
  });
});
