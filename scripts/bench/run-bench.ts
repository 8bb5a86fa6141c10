/**
 * `npm run bench`: our analyzer step by step against the numpy/scipy/mrcfile script a user would
 * write, on the same machine in the same run. Each step runs in its own process (ours: Node;
 * theirs: Debian python3) so that its peak memory is its own; times are medians over --runs.
 *
 * usage: npm run bench [-- --map <file> --threshold t --resolution r] [--runs 3] [--json out.json]
 * Default map: EMD-44046 (360³) from ../shared/fixtures when present, else a simulated 360³ map.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { writeMrc } from '../../analyzers/io/mrc-write.ts';
import { analyzeEntry } from '../../analyzers/level0/analyze.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { simulateMap } from '../../analyzers/simulate/simulate.ts';
import { fixturesDir, projectRoot } from '../../analyzers/testing/fixtures.ts';

const { values } = parseArgs({
  options: { map: { type: 'string' }, threshold: { type: 'string' }, resolution: { type: 'string' }, runs: { type: 'string' }, json: { type: 'string' } },
});
const python = process.env.EMVR_PYTHON ?? '/usr/bin/python3';
const runs = Number(values.runs ?? 3);

interface Measure { seconds: number[]; peakRssMB: number; check: Record<string, unknown> }

async function defaultMap(): Promise<{ map: string; threshold: number; resolution: number | null; label: string }> {
  const real = path.join(fixturesDir, 'EMD-44046', 'emd_44046.map.gz');
  if (existsSync(real)) return { map: real, threshold: 0.3, resolution: 2.99, label: 'EMD-44046 (360³, 1.044 Å, threshold 0.3, 2.99 Å)' };
  const model = proceduralProtein({ seed: 1, helices: 24, strands: 16 });
  const h = (359 / 2) * 1.044;
  const v = await simulateMap(model, { dims: [360, 360, 360], voxelSize: [1.044, 1.044, 1.044], origin: [-h, -h, -h] }, { resolution: 3, noiseSigma: 0.002, seed: 1 });
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'emvr-bench-')), 'simulated-360.mrc');
  await writeMrc(file, v);
  return { map: file, threshold: 0.02, resolution: 3, label: 'simulated 360³ map (no ../shared fixtures found)' };
}

function ours(step: string, map: string, t: number, res: number | null): Measure {
  const r = spawnSync(process.execPath, [path.join(projectRoot, 'scripts/bench/bench-step.ts'), step, map, String(t), res === null ? 'none' : String(res), String(runs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`our step ${step} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function theirs(step: string, map: string, t: number, res: number | null): Measure | null {
  const r = spawnSync(python, [path.join(projectRoot, 'scripts/reference/bench_level0.py'), step, map, String(t), res === null ? 'none' : String(res), String(runs)], { encoding: 'utf8', maxBuffer: 1 << 26, cwd: path.join(projectRoot, 'scripts/reference') });
  if (r.status !== 0) {
    process.stderr.write(`python step ${step} failed: ${r.stderr.split('\n').slice(-3).join(' ')}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Agreement of the check values: exact for integers, relative 1e-4 for reals (B: 1 Å²). */
function agree(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const bad: string[] = [];
  const cmp = (x: unknown, y: unknown, key: string): void => {
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) bad.push(`${key} length`);
      else x.forEach((v, i) => cmp(v, y[i], key));
      return;
    }
    if (typeof x === 'number' && typeof y === 'number') {
      const tol = key === 'bFactor' ? 1 : Number.isInteger(x) && Number.isInteger(y) && Math.abs(x) < 1e7 ? 0 : 1e-4 * Math.max(Math.abs(y), 1e-12);
      if (Math.abs(x - y) > tol) bad.push(`${key} ${x} vs ${y}`);
      return;
    }
    if (x !== y) bad.push(`${key} ${String(x)} vs ${String(y)}`);
  };
  for (const key of Object.keys(b)) cmp(a[key], b[key], key);
  return bad.length === 0 ? 'agree' : `DIFFER: ${bad.slice(0, 2).join('; ')}`;
}

const STEPS: Array<{ step: string; label: string; python: boolean }> = [
  { step: 'read', label: 'read + decompress', python: true },
  { step: 'hard-mask', label: 'hard mask (threshold, labelling, dilation)', python: true },
  { step: 'soft-mask', label: 'soft mask (FFT Gaussian)', python: true },
  { step: '0.a', label: '0.a mass analysis', python: true },
  { step: '0.b', label: '0.b mask analysis + threshold table', python: true },
  { step: '0.c', label: '0.c background analysis', python: true },
  { step: '0.d', label: '0.d Guinier B-factor + corrected map', python: true },
  { step: 'fft256', label: '3-D r2c FFT 256³ (scipy workers=2)', python: true },
  { step: 'fft432', label: '3-D r2c FFT 432³ (scipy workers=2)', python: true },
  { step: 'gaussian', label: 'Gaussian smoothing σ = 2 voxels', python: true },
  { step: 'figures', label: 'input figures (slices, projections, masks)', python: false },
];

const input = values.map
  ? { map: values.map, threshold: Number(values.threshold), resolution: values.resolution ? Number(values.resolution) : null, label: values.map }
  : await defaultMap();
process.stdout.write(`emvr bench on ${input.label}; median of ${runs} runs; ours = Node ${process.version}, theirs = ${python} numpy/scipy/mrcfile\n\n`);
const rows: Array<Record<string, unknown>> = [];
const header = '| step | ours (s) | ours peak (MB) | scipy (s) | scipy peak (MB) | ours/scipy | check |';
process.stdout.write(`${header}\n|---|---|---|---|---|---|---|\n`);
for (const s of STEPS) {
  const a = ours(s.step, input.map, input.threshold, input.resolution);
  const b = s.python ? theirs(s.step, input.map, input.threshold, input.resolution) : null;
  const ma = median(a.seconds);
  const mb = b ? median(b.seconds) : null;
  const check = s.step.startsWith('fft') || s.step === 'gaussian' ? agree(a.check, b?.check ?? {}) : b ? agree(a.check, b.check) : '–';
  const row = { step: s.label, ours: ma, oursPeakMB: a.peakRssMB, scipy: mb, scipyPeakMB: b?.peakRssMB ?? null, ratio: mb ? ma / mb : null, check };
  rows.push(row);
  process.stdout.write(`| ${s.label} | ${ma.toFixed(3)} | ${a.peakRssMB.toFixed(0)} | ${mb === null ? '–' : mb.toFixed(3)} | ${b ? b.peakRssMB.toFixed(0) : '–'} | ${mb ? (ma / mb).toFixed(2) : '–'} | ${check} |\n`);
}
for (const item of ['0.e local resolution', '0.f local B-factor', '0.g local occupancy', '0.h hand']) {
  process.stdout.write(`| ${item} | not implemented yet | | | | | |\n`);
}
// Whole Level 0 report with figures, in this process (after the steps above, so a fresh heap).
const out = await mkdtemp(path.join(tmpdir(), 'emvr-bench-l0-'));
const t0 = performance.now();
const report = await analyzeEntry({
  mapPath: input.map,
  entryDir: path.join(out, 'EMD-0000'),
  entry: { id: 'EMD-0000', title: 'bench', authors: [], depositionDate: null, releaseDate: null, resolution: input.resolution, threshold: input.threshold, method: null, pdbIds: [] },
});
const whole = (performance.now() - t0) / 1000;
process.stdout.write(`\nwhole Level 0 report with figures: ${whole.toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (score ${report.score.passing}/${report.score.evaluable})\n`);
if (values.json) await writeFileAtomic(values.json, `${JSON.stringify({ input, runs, rows, wholeLevel0: { seconds: whole, peakRssMB: process.resourceUsage().maxRSS / 1024 } }, null, 2)}\n`);
