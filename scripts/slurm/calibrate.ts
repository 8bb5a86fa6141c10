/**
 * Measures what one analysis costs, to set the Slurm memory and time requests (resources.ts):
 * each map is analysed in its own fresh process (so its peak RSS is its own) and the peak RSS (MB)
 * and wall time (s) are printed with the map's size, then fitted by least squares as
 * RSS = base + k × (dims × 4 bytes)  and  seconds = t0 + c × voxels.
 *
 * With --half-maps each phantom is analysed a second time with two simulated half maps (FSC
 * crossing 0.143 at its resolution), so Level 1 runs too, and the extra peak RSS and time are
 * printed and fitted per MB of map and per million voxels (MEM_HALF_MAPS_FACTOR,
 * TIME_HALF_MAPS_PER_MVOXEL_MIN).
 *
 * usage: node scripts/slurm/calibrate.ts [--boxes 96,128,160] [--fixtures] [--figures] [--half-maps] [map:threshold:resolution ...]
 * Runs on whatever machine it is started on (a compute node gives the numbers of that node).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { simulateHalfMaps } from '../../analyzers/simulate/half-maps.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { fixture, haveFixtures } from '../../analyzers/testing/fixtures.ts';
import { fitLine } from './resources.ts';

const SELF = fileURLToPath(import.meta.url);

/** One measured analysis. */
interface Sample {
  readonly what: string;
  readonly voxels: number;
  readonly seconds: number;
  readonly peakRssMB: number;
}

/** One map to measure; `halfMaps` analyses it with them (Level 1 too). */
interface Job {
  readonly what: string;
  readonly map: string;
  readonly threshold: number;
  readonly resolution: number | null;
  readonly halfMaps?: readonly [string, string];
}

/** Child mode: analyse one map (with its half maps when given), print one JSON line. */
async function one(map: string, threshold: number, resolution: number | null, figures: boolean, halfMaps: readonly [string, string] | undefined): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'emvr-calibrate-'));
  try {
    const t0 = performance.now();
    const r = await analyzeEntry({
      mapPath: map,
      ...(halfMaps ? { halfMapPaths: halfMaps } : {}),
      entryDir: dir,
      figures,
      entry: { id: 'local-calibrate', title: null, authors: [], depositionDate: null, releaseDate: null, resolution, threshold, method: null, pdbIds: [] },
    });
    const voxels = r.inputs.map.dims[0] * r.inputs.map.dims[1] * r.inputs.map.dims[2];
    process.stdout.write(`${JSON.stringify({ voxels, seconds: (performance.now() - t0) / 1000, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function measure({ what, map, threshold, resolution, halfMaps }: Job, figures: boolean): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const args = [SELF, '--one', map, String(threshold), resolution === null ? 'null' : String(resolution), figures ? 'figures' : 'none', ...(halfMaps ?? [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${what}: analysis exited with code ${code}`));
      const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Omit<Sample, 'what'>;
      resolve({ what, ...r });
    });
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--one') {
    const [map, t, res, fig, h1, h2] = process.argv.slice(3);
    await one(map, Number(t), res === 'null' ? null : Number(res), fig === 'figures', h1 && h2 ? [h1, h2] : undefined);
    return;
  }
  const { values, positionals } = parseArgs({
    options: { boxes: { type: 'string' }, fixtures: { type: 'boolean' }, figures: { type: 'boolean' }, 'half-maps': { type: 'boolean' } },
    allowPositionals: true,
  });
  const figures = values.figures === true;
  const jobs: Job[] = [];
  const tmp = await mkdtemp(path.join(tmpdir(), 'emvr-calibrate-maps-'));
  try {
    for (const b of (values.boxes ?? '96,128,160').split(',').filter((s) => s !== '')) {
      const box = Number(b);
      const p = await makePhantom('well-behaved', { box });
      const file = path.join(tmp, `phantom-${box}.mrc`);
      await writeMrc(file, p.volume);
      jobs.push({ what: `phantom ${box}³`, map: file, threshold: p.threshold, resolution: p.resolution });
      if (values['half-maps']) {
        const { half1, half2 } = await simulateHalfMaps(p.volume, { resolution: p.resolution ?? 3.5 }, 1);
        const halves = [path.join(tmp, `phantom-${box}-half1.mrc`), path.join(tmp, `phantom-${box}-half2.mrc`)] as const;
        await writeMrc(halves[0], half1);
        await writeMrc(halves[1], half2);
        jobs.push({ what: `phantom ${box}³ + halves`, map: file, threshold: p.threshold, resolution: p.resolution, halfMaps: halves });
      }
    }
    if (values.fixtures && haveFixtures('calibration on real maps')) {
      jobs.push({ what: 'EMD-6824 (70³)', map: fixture('EMD-6824', 'emd_6824.mrc'), threshold: 2, resolution: 5.8 });
      jobs.push({ what: 'EMD-1997 (100³)', map: fixture('EMD-1997', 'emd_1997.map'), threshold: 1, resolution: 7 });
      jobs.push({ what: 'EMD-44046 (360³)', map: fixture('EMD-44046', 'emd_44046.map.gz'), threshold: 0.3, resolution: 2.99 });
    }
    for (const p of positionals) {
      const [map, t, res] = p.split(':');
      jobs.push({ what: path.basename(map), map, threshold: Number(t), resolution: res ? Number(res) : null });
    }
    const samples: Sample[] = [];
    const withHalves: { plain: Sample; halves: Sample }[] = [];
    for (const j of jobs) {
      const s = await measure(j, figures);
      if (j.halfMaps) {
        const plain = samples.find((x) => x.what === j.what.replace(' + halves', ''));
        if (plain) withHalves.push({ plain, halves: s });
      } else {
        samples.push(s);
      }
      const mapMB = (s.voxels * 4) / 2 ** 20;
      process.stdout.write(`${s.what.padEnd(20)} voxels ${String(s.voxels).padStart(10)}  map ${mapMB.toFixed(1).padStart(7)} MB  peak RSS ${s.peakRssMB.toFixed(0).padStart(6)} MB  (${(s.peakRssMB / mapMB).toFixed(1)} × map)  ${s.seconds.toFixed(1)} s\n`);
    }
    for (const { plain, halves } of withHalves) {
      const mapMB = (plain.voxels * 4) / 2 ** 20;
      const extra = halves.peakRssMB - plain.peakRssMB;
      process.stdout.write(`${halves.what.padEnd(20)} half maps add ${extra.toFixed(0)} MB (${(extra / mapMB).toFixed(1)} × map) and ${(halves.seconds - plain.seconds).toFixed(1)} s\n`);
    }
    if (withHalves.length >= 2) {
      const mem = fitLine(withHalves.map((w) => (w.plain.voxels * 4) / 2 ** 20), withHalves.map((w) => w.halves.peakRssMB - w.plain.peakRssMB));
      const time = fitLine(withHalves.map((w) => w.plain.voxels / 1e6), withHalves.map((w) => w.halves.seconds - w.plain.seconds));
      process.stdout.write(`fit with half maps: extra peak RSS ≈ ${mem.intercept.toFixed(0)} MB + ${mem.slope.toFixed(2)} × map MB;  extra time ≈ ${time.intercept.toFixed(1)} s + ${time.slope.toFixed(2)} s per million voxels\n`);
    }
    if (samples.length >= 2) {
      const mem = fitLine(samples.map((s) => (s.voxels * 4) / 2 ** 20), samples.map((s) => s.peakRssMB));
      const time = fitLine(samples.map((s) => s.voxels / 1e6), samples.map((s) => s.seconds));
      process.stdout.write(`fit: peak RSS ≈ ${mem.intercept.toFixed(0)} MB + ${mem.slope.toFixed(2)} × map MB;  time ≈ ${time.intercept.toFixed(1)} s + ${time.slope.toFixed(2)} s per million voxels (this machine)\n`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
