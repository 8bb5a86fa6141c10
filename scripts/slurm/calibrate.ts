/**
 * Measures what one Level 0 analysis costs, to set the Slurm memory and time requests
 * (resources.ts): each map is analysed in its own fresh process (so its peak RSS is its own) and
 * the peak RSS (MB) and wall time (s) are printed with the map's size, then fitted by least
 * squares as  RSS = base + k × (dims × 4 bytes)  and  seconds = t0 + c × voxels.
 *
 * usage: node scripts/slurm/calibrate.ts [--boxes 96,128,160] [--fixtures] [--figures] [map:threshold:resolution ...]
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

/** Child mode: analyse one map, print one JSON line. */
async function one(map: string, threshold: number, resolution: number | null, figures: boolean): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'emvr-calibrate-'));
  try {
    const t0 = performance.now();
    const r = await analyzeEntry({
      mapPath: map,
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

function measure(what: string, map: string, threshold: number, resolution: number | null, figures: boolean): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const args = [SELF, '--one', map, String(threshold), resolution === null ? 'null' : String(resolution), figures ? 'figures' : 'none'];
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
    const [map, t, res, fig] = process.argv.slice(3);
    await one(map, Number(t), res === 'null' ? null : Number(res), fig === 'figures');
    return;
  }
  const { values, positionals } = parseArgs({
    options: { boxes: { type: 'string' }, fixtures: { type: 'boolean' }, figures: { type: 'boolean' } },
    allowPositionals: true,
  });
  const figures = values.figures === true;
  const jobs: { what: string; map: string; threshold: number; resolution: number | null }[] = [];
  const tmp = await mkdtemp(path.join(tmpdir(), 'emvr-calibrate-maps-'));
  try {
    for (const b of (values.boxes ?? '96,128,160').split(',').filter((s) => s !== '')) {
      const box = Number(b);
      const p = await makePhantom('well-behaved', { box });
      const file = path.join(tmp, `phantom-${box}.mrc`);
      await writeMrc(file, p.volume);
      jobs.push({ what: `phantom ${box}³`, map: file, threshold: p.threshold, resolution: p.resolution });
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
    for (const j of jobs) {
      const s = await measure(j.what, j.map, j.threshold, j.resolution, figures);
      samples.push(s);
      const mapMB = (s.voxels * 4) / 2 ** 20;
      process.stdout.write(`${s.what.padEnd(20)} voxels ${String(s.voxels).padStart(10)}  map ${mapMB.toFixed(1).padStart(7)} MB  peak RSS ${s.peakRssMB.toFixed(0).padStart(6)} MB  (${(s.peakRssMB / mapMB).toFixed(1)} × map)  ${s.seconds.toFixed(1)} s\n`);
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
