/**
 * One `npm run bench` step of ours, timed in a fresh process (so its peak RSS is its own).
 * usage: node scripts/bench/bench-step.ts STEP MAP THRESHOLD RESOLUTION RUNS
 * prints JSON {"seconds": [...], "peakRssMB": n, "check": {...}} with the same check keys as
 * scripts/reference/bench_level0.py.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readMrc } from '../../analyzers/io/mrc.ts';
import { massAnalysis } from '../../analyzers/level0/0a-mass-analysis.ts';
import { maskAnalysis } from '../../analyzers/level0/0b-mask-analysis.ts';
import { backgroundAnalysis } from '../../analyzers/level0/0c-background-analysis.ts';
import { bFactorAnalysis } from '../../analyzers/level0/0d-bfactor-analysis.ts';
import { NotMeasurable } from '../../analyzers/level0/item-result.ts';
import { FigureWriter } from '../../analyzers/level0/figures.ts';
import { buildMasks, softMask } from '../../analyzers/level0/masks.ts';
import { createRealFft3d, fftFreq } from '../../analyzers/volume/fft.ts';
import { toVolume } from '../../analyzers/volume/from-mrc.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';

const [step, mapPath, tText, resText, runsText] = process.argv.slice(2);
const threshold = Number(tText);
const resolution = resText === 'none' ? null : Number(resText);
const runs = Number(runsText);

async function load(): Promise<Volume> {
  return toVolume(await readMrc(mapPath)).volume;
}

/** Same synthetic volume as the python side: ((7x + 13y + 31z) mod 97)/97 − 0.5. */
function synthetic(n: number): Float32Array {
  const a = new Float32Array(n * n * n);
  let i = 0;
  for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) a[i++] = ((7 * x + 13 * y + 31 * z) % 97) / 97 - 0.5;
  return a;
}

/** Σ v (float64). */
function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Gaussian filter of std σ voxels by its Fourier multiplier exp(−2π²σ²|w|²) (circular boundary). */
async function gaussian(v: Volume, sigma: number): Promise<Float32Array> {
  const fft = createRealFft3d(v.dims);
  const spec = await fft.forward(v.data);
  const [hx, ny, nz] = fft.complexDims;
  const k = 2 * Math.PI * Math.PI * sigma * sigma;
  let p = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) {
    const wyz = fftFreq(y, ny) ** 2 + fftFreq(z, nz) ** 2;
    for (let x = 0; x < hx; x++, p += 2) {
      const g = Math.exp(-k * (fftFreq(x, v.dims[0]) ** 2 + wyz));
      spec[p] *= g;
      spec[p + 1] *= g;
    }
  }
  return fft.inverse(spec);
}

const needsMap = !['fft256', 'fft432'].includes(step);
const volume = needsMap && step !== 'read' ? await load() : null;
const masks = volume && ['0.a', '0.b', '0.c', 'soft-mask', 'figures'].includes(step) ? buildMasks(volume, threshold) : null;
const syn = step === 'fft256' ? synthetic(256) : step === 'fft432' ? synthetic(432) : null;
let check: Record<string, unknown> = {};
const seconds: number[] = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  switch (step) {
    case 'read': {
      const v = await load();
      check = { dims: v.dims, sum: sum(v.data) };
      break;
    }
    case 'hard-mask': {
      const m = buildMasks(volume!, threshold);
      check = { components: m.labelling.count, hardVoxels: m.hardCount };
      break;
    }
    case 'soft-mask':
      check = { sum: sum(await softMask(masks!.hard, volume!.dims)) };
      break;
    case '0.a': {
      const a = massAnalysis(volume!, masks!.hard).values;
      check = { decentering: a.decentering, centerOfMass: a.centerOfMass };
      break;
    }
    case '0.b': {
      const b = maskAnalysis(volume!, threshold, masks!.raw, masks!.labelling, masks!.hard).values;
      check = { components95: b.components95, overlap: b.overlap, tableVoxels: (b.thresholdTable as number[][]).map((row) => row[1]) };
      break;
    }
    case '0.c':
      try {
        const c = backgroundAnalysis(volume!, masks!.hard).values;
        check = { t: c.t, outlierRatio: c.outlierRatio };
      } catch (err) {
        if (!(err instanceof NotMeasurable)) throw err;
        check = { masked: true };
      }
      break;
    case '0.d':
      check = { bFactor: resolution === null ? null : (await bFactorAnalysis(volume!, resolution)).values.bFactor };
      break;
    case 'fft256':
    case 'fft432': {
      const n = step === 'fft256' ? 256 : 432;
      const F = await createRealFft3d([n, n, n]).forward(syn!);
      const hx = n / 2 + 1;
      // Power over the full grid from the half spectrum: columns 1..n/2−1 stand for two coefficients.
      let power = 0;
      for (let i = 0, x = 0; i < F.length; i += 2, x = (x + 1) % hx) power += (x === 0 || x === n / 2 ? 1 : 2) * (F[i] * F[i] + F[i + 1] * F[i + 1]);
      const at = 2 * (1 + hx * (2 + n * 3));
      check = { power, f123: [F[at], F[at + 1]], halfSpectrum: true };
      break;
    }
    case 'gaussian': {
      const g = await gaussian(volume!, 2);
      let s2 = 0;
      for (let i = 0; i < g.length; i++) s2 += g[i] * g[i];
      check = { sum: sum(g), sumSq: s2 };
      break;
    }
    case 'figures': {
      const dir = await mkdtemp(path.join(tmpdir(), 'emvr-bench-fig-'));
      const w = new FigureWriter(path.join(dir, 'figures'), true);
      const soft = await softMask(masks!.hard, volume!.dims);
      const figs = await w.inputFigures(volume!, masks!.hard, soft, threshold);
      await rm(dir, { recursive: true, force: true });
      check = { figures: figs.length };
      break;
    }
    default:
      throw new Error(`unknown step ${step}`);
  }
  seconds.push((performance.now() - t0) / 1000);
}
process.stdout.write(`${JSON.stringify({ seconds, peakRssMB: process.resourceUsage().maxRSS / 1024, check })}\n`);
