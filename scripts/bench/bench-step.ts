/**
 * One `npm run bench` step of ours, in a process of its own (so that its peak RSS is its own).
 *
 * usage: node scripts/bench/bench-step.ts --step S --map MAP --threshold T --resolution R|none
 *        --work DIR [--runs N]
 *
 * Protocol (one JSON object per stdout line), shared with scripts/reference/bench_level0.py so
 * that run-bench.ts can interleave the two sides' runs (ours, theirs, ours, …) and a change of
 * load on the shared machine hits both alike:
 *   1. prepares the step's inputs (the map, its masks, the resized map…: not timed, as on the
 *      python side), then prints {"ready": true};
 *   2. for each line "run" on stdin: one timed run, then {"seconds": s, "cpuSeconds": c}
 *      (wall time; user + system CPU of the whole process, FFT worker threads included);
 *   3. on "end" (or end of input): untimed checks, then {"done": true, "peakRssMB": m,
 *      "check": {...}} (peak = this process's maxRSS in MiB, inputs included).
 * With --runs N it does N runs by itself instead of reading stdin (for use by hand).
 *
 * Steps whose python equivalent compares whole arrays write ours into DIR at "end"
 * (`<step>.ours.f32`, raw little-endian float32 in the map's x-fastest layout, which is numpy's C
 * order of an array [z][y][x]); python reads them at its own "end", which the driver sends after
 * ours has finished. Inputs that python needs too (FFT input, resized map and mask) are written
 * while preparing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { readMrc } from '../../analyzers/io/mrc.ts';
import { massAnalysis } from '../../analyzers/items/level0/0a-mass-analysis.ts';
import { maskAnalysis } from '../../analyzers/items/level0/0b-mask-analysis.ts';
import { backgroundAnalysis } from '../../analyzers/items/level0/0c-background-analysis.ts';
import { bFactorAnalysis, type GuinierResult } from '../../analyzers/items/level0/0d-bfactor-analysis.ts';
import { localResolution } from '../../analyzers/methods/monores.ts';
import { fdrFsc } from '../../analyzers/methods/fdr-fsc.ts';
import { fscCurve } from '../../analyzers/methods/fsc.ts';
import { CALIBRATED_CUTOFF, latticeStep, localFsc, localFscBox, nodeCorner, REGION_FLOOR, regionNodes } from '../../analyzers/methods/local-fsc.ts';
import { conicalFsc, fibonacciHemisphere, FSC3D_CONE, FSO_CONE, maskedHalfMapSpectra } from '../../analyzers/methods/conical-fsc.ts';
import { FSO_DIRECTIONS } from '../../analyzers/items/level1/1g-fso.ts';
import { FSC3D_DIRECTIONS } from '../../analyzers/items/level1/1h-fsc3d.ts';
import { simulateHalfMaps } from '../../analyzers/simulate/half-maps.ts';
import { measureLocalResolution } from '../../analyzers/items/level0/0e-local-resolution.ts';
import { measureLocalBFactor } from '../../analyzers/items/level0/0f-local-bfactor.ts';
import { measureLocalOccupancy } from '../../analyzers/items/level0/0g-local-occupancy.ts';
import { measureHand } from '../../analyzers/items/level0/0h-hand.ts';
import { localBFactor } from '../../analyzers/methods/local-bfactor.ts';
import { localOccupancy } from '../../analyzers/methods/local-occupancy.ts';
import { handTest } from '../../analyzers/methods/helix-hand.ts';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { qScores, scoredAtoms } from '../../analyzers/methods/q-score.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { geometricCentre, translateModel } from '../../analyzers/simulate/model-map.ts';
import { FigureWriter } from '../../analyzers/figures/report-figures.ts';
import { NotApplicable, NotMeasurable } from '../../analyzers/util/errors.ts';
import { buildMasks, softMask } from '../../analyzers/methods/masks.ts';
import { reportItems, type Report } from '../../analyzers/report/schema.ts';
import { gaussianSource, mulberry32 } from '../../analyzers/util/random.ts';
import { createRealFft3d } from '../../analyzers/fft/fft.ts';
import { shutdownFftPool } from '../../analyzers/fft/fft-pool.ts';
import { gaussianFilter } from '../../analyzers/methods/filters.ts';
import { toVolume } from '../../analyzers/volume/from-mrc.ts';
import { resizeToResolution } from '../../analyzers/methods/resize.ts';
import { sharedFloat32 } from '../../analyzers/util/shared-memory.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';
import { simulateMap } from '../../analyzers/simulate/simulate.ts';
import { atomGaussians } from '../../analyzers/simulate/elements.ts';
import { fitModel } from '../../analyzers/simulate/model-alignment.ts';
import { BACKBONE_NAMES, residuesOf } from '../../analyzers/methods/model-fit.ts';
import { mapModelFit } from '../../analyzers/items/levelA/Aa-map-model-fit.ts';

const { values: opt } = parseArgs({
  options: {
    step: { type: 'string' },
    map: { type: 'string' },
    threshold: { type: 'string' },
    resolution: { type: 'string', default: 'none' },
    runs: { type: 'string' },
    work: { type: 'string' },
  },
});
if (!opt.step || !opt.work) throw new Error('bench-step: --step and --work are required');
const step = opt.step;
const work = opt.work;
const mapPath = opt.map ?? '';
const threshold = Number(opt.threshold);
const resolution = opt.resolution === 'none' ? null : Number(opt.resolution);

/** Standard deviation of the Gaussian-smoothing step, voxels (same on the python side). */
const GAUSSIAN_SIGMA = 2;
/** Design resolution (Å) of the simulated half maps when the bench has none. */
const HALF_MAP_DESIGN = 3;

type Check = Record<string, unknown>;

/** A prepared step: `run` is what is timed; `finish` (untimed, after the last run) gives the check. */
interface Prepared {
  run(): Promise<void> | void;
  finish(): Promise<Check> | Check;
}

async function load(): Promise<Volume> {
  return toVolume(await readMrc(mapPath)).volume;
}

/** Writes a typed array's bytes (little-endian on every platform Node runs on here). */
function writeRaw(name: string, a: Float32Array | Uint8Array): Promise<void> {
  return writeFile(path.join(work, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** Σ v in float64. */
function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** max |a − b| / max |b|. */
function maxRelErr(a: Float32Array, b: Float32Array): number {
  let err = 0, ref = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    ref = Math.max(ref, Math.abs(b[i]));
  }
  return ref > 0 ? err / ref : err;
}

/** Uniform deviates in [−0.5, 0.5) from mulberry32(seed): the FFT steps' input (python reads the file),
 *  on a shared array like every map the MRC reader returns. */
function randomCube(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const a = sharedFloat32(n * n * n);
  for (let i = 0; i < a.length; i++) a[i] = rand() - 0.5;
  return a;
}

/**
 * Adds white Gaussian noise of std `sigma` in place (mulberry32(seed), Box–Muller): a masked
 * deposit made to look unmasked, so that 0.e (which needs noise outside the mask) runs in full.
 */
function addNoise(data: Float32Array, sigma: number, seed: number): void {
  const normal = gaussianSource(mulberry32(seed));
  for (let i = 0; i < data.length; i++) data[i] += sigma * normal();
}

/** An item's own "not applicable" / "could not be measured" outcome as a check value. */
function outcome(err: unknown): Check {
  if (err instanceof NotApplicable) return { notApplicable: err.message };
  if (err instanceof NotMeasurable) return { notMeasurable: err.message };
  throw err;
}

/** Runs an item, keeping its result or its not-applicable / not-measurable outcome. */
async function attempt<T>(fn: () => Promise<T> | T): Promise<{ value: T } | { outcome: Check }> {
  try {
    return { value: await fn() };
  } catch (err) {
    return { outcome: outcome(err) };
  }
}

/** The percentile summary of 0.f/0.g as flat check keys. */
function percentiles(values: Record<string, unknown>): Check {
  const p = values.percentiles as Record<string, number>;
  return { p2_5: p.p2_5, p25: p.p25, p50: p.p50, p75: p.p75, p97_5: p.p97_5 };
}

/** The map resized to res/2 and its hard mask (inputs of 0.f and 0.g), written for python too. */
async function resizedInputs(v: Volume, res: number): Promise<{ volume: Volume; hard: Uint8Array }> {
  const { volume } = await resizeToResolution(v, res);
  const { hard } = buildMasks(volume, threshold);
  await writeRaw('resized.f32', volume.data);
  await writeRaw('resized-mask.u8', hard);
  await writeFile(path.join(work, 'resized.json'), JSON.stringify({ n: volume.dims[0], voxelSize: volume.voxelSize[0] }));
  return { volume, hard };
}

/**
 * Two half maps of the map whose FSC crosses 0.143 at the resolution (simulate/half-maps.ts, seed
 * 1; the fixtures hold no real pair), written for python (half1.f32, half2.f32, halves.json) and
 * read back by the next step of the same run instead of simulated again.
 */
async function halfMapPair(): Promise<{ half1: Volume; half2: Volume }> {
  const meta = path.join(work, 'halves.json');
  if (existsSync(meta)) {
    const { dims, voxelSize, origin } = JSON.parse(await readFile(meta, 'utf8')) as Pick<Volume, 'dims' | 'voxelSize' | 'origin'>;
    const half = async (name: string): Promise<Volume> => {
      const bytes = await readFile(path.join(work, name));
      const data = sharedFloat32(bytes.byteLength / 4);
      data.set(new Float32Array(bytes.buffer, bytes.byteOffset, data.length));
      return { dims, voxelSize, origin, data };
    };
    return { half1: await half('half1.f32'), half2: await half('half2.f32') };
  }
  const v = await load();
  const pair = await simulateHalfMaps(v, { resolution: resolution ?? HALF_MAP_DESIGN }, 1);
  await writeRaw('half1.f32', pair.half1.data);
  await writeRaw('half2.f32', pair.half2.data);
  await writeFile(meta, JSON.stringify({ dims: v.dims, voxelSize: v.voxelSize, origin: v.origin }));
  return pair;
}

/** Share of the box the 1.c row's region covers: a typical mask (EMD-44046's own covers 0.6 %). */
const LOCAL_FSC_REGION_FRACTION = 0.1;
/** The numpy side of the 1.c row computes every LOCAL_FSC_SUBSET-th node and scales its time. */
const LOCAL_FSC_SUBSET = 40;

/** A centred sphere covering `fraction` of the box (the 1.c row's analysed region). */
function centredSphere(dims: readonly [number, number, number], fraction: number): Float32Array {
  const [nx, ny, nz] = dims;
  const r = Math.cbrt((3 * fraction * nx * ny * nz) / (4 * Math.PI));
  const out = sharedFloat32(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) out[i] = Math.hypot(x - nx / 2, y - ny / 2, z - nz / 2) <= r ? 1 : 0;
  return out;
}

/**
 * 1.c on the simulated pair over a centred sphere of 10 % of the box. Every LOCAL_FSC_SUBSET-th
 * node is written for python (corners `local-fsc-nodes.i32`, parameters `local-fsc.json`), which
 * computes those and scales its time by the subset factor; the check compares their values.
 */
async function localFscStep(): Promise<Prepared> {
  const h = await halfMapPair();
  const region = centredSphere(h.half1.dims, LOCAL_FSC_REGION_FRACTION);
  const ts = h.half1.voxelSize[0];
  const box = localFscBox(resolution ?? HALF_MAP_DESIGN, ts);
  const step = latticeStep(box);
  const { lattice, nodes } = regionNodes(region, h.half1.dims, step, REGION_FLOOR);
  const subset = Int32Array.from({ length: Math.ceil(nodes.length / LOCAL_FSC_SUBSET) }, (_, j) => j * LOCAL_FSC_SUBSET);
  const corners = new Int32Array(3 * subset.length);
  subset.forEach((q, j) => corners.set(nodeCorner(nodes[q], lattice, step, box), 3 * j));
  await writeFile(path.join(work, 'local-fsc-nodes.i32'), new Uint8Array(corners.buffer));
  await writeFile(path.join(work, 'local-fsc.json'), JSON.stringify({ box, cutoff: CALIBRATED_CUTOFF, scale: nodes.length / subset.length }));
  return simple(() => localFsc(h.half1, h.half2, region, { box, step, cutoff: CALIBRATED_CUTOFF }), async (o) => {
    const sorted = Float32Array.from(o.lattice.values).sort();
    const mine = Float32Array.from(subset, (q) => o.lattice.values[q]);
    await writeRaw('1.c.ours.f32', mine);
    return { nodes: o.lattice.nodes.length, box, step, medianNode: sorted[sorted.length >> 1], subsetNodes: subset.length, resolution: Array.from(mine) };
  });
}

/** Where `half-map-files` writes the simulated pair as MRC files (in the bench's work folder). */
const HALF_MAP_FILES: [string, string] = [path.join(work, 'half1.mrc'), path.join(work, 'half2.mrc')];

/**
 * The simulated pair as MRC files, written once by a process of its own (this script's step
 * `half-map-files`): simulating or loading the pair here would leave ~0.4 GB in this process's
 * peak RSS that the report itself, reading the files, does not use.
 */
function halfMapFiles(): [string, string] {
  if (HALF_MAP_FILES.every((f) => existsSync(f))) return HALF_MAP_FILES;
  const argv = [...process.execArgv, process.argv[1], '--step', 'half-map-files', '--map', mapPath, '--threshold', String(threshold), '--resolution', resolution === null ? 'none' : String(resolution), '--work', work, '--runs', '1'];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
  if (r.status !== 0 || !HALF_MAP_FILES.every((f) => existsSync(f))) throw new Error(`bench-step: writing the half maps failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).slice(-500)}`);
  return HALF_MAP_FILES;
}

/** A step whose timed part returns a value and whose check is derived from the last one. */
function simple<T>(run: () => Promise<T> | T, check: (last: T) => Promise<Check> | Check): Prepared {
  let last: T | undefined;
  return {
    run: async () => {
      last = await run();
    },
    finish: () => check(last as T),
  };
}

async function prepare(): Promise<Prepared> {
  const needsResolution = ['0.d', '0.e', '0.e-noisy', '0.f', '0.g', '0.h'];
  if (resolution === null && needsResolution.includes(step)) throw new NotApplicable('no resolution given');
  switch (step) {
    case 'read':
      return simple(load, (v) => ({ dims: v.dims, sum: sum(v.data) }));
    case 'hard-mask': {
      const v = await load();
      return simple(() => buildMasks(v, threshold), (m) => ({ components: m.labelling.count, hardVoxels: m.hardCount }));
    }
    case 'soft-mask': {
      const v = await load();
      const { hard } = buildMasks(v, threshold);
      return simple(() => softMask(hard, v.dims), async (soft) => {
        await writeRaw('soft-mask.ours.f32', soft);
        return { sum: sum(soft) };
      });
    }
    case '0.a':
    case '0.b':
    case '0.c': {
      const v = await load();
      const m = buildMasks(v, threshold);
      if (step === '0.a') {
        return simple(() => massAnalysis(v, m.hard).values, (a) => ({ decentering: a.decentering, centerOfMass: a.centerOfMass }));
      }
      if (step === '0.b') {
        return simple(() => maskAnalysis(v, threshold, m).values, (b) => ({ components95: b.components95, overlap: b.overlap, tableVoxels: (b.thresholdTable as number[][]).map((row) => row[1]) }));
      }
      // A masked deposit (mostly exact zeros outside the mask) is "not measurable"; python says "masked".
      return simple(() => attempt(() => backgroundAnalysis(v, m.hard).values), (c) => ('value' in c ? { t: c.value.t, outlierRatio: c.value.outlierRatio } : { masked: true }));
    }
    case '0.d': {
      const v = await load();
      return simple(() => attempt(() => bFactorAnalysis(v, resolution)), async (d) => {
        if (!('value' in d)) return d.outcome;
        await writeRaw('0.d.ours.f32', d.value.fit.corrected);
        return { bFactor: d.value.values.bFactor };
      });
    }
    case 'fft256':
    case 'fft432': {
      const n = step === 'fft256' ? 256 : 432;
      const data = randomCube(n, n);
      await writeRaw(`${step}.in.f32`, data);
      const fft = createRealFft3d([n, n, n]);
      // One round trip before the clock (starts the worker pool, plans); python does the same.
      await fft.inverse(await fft.forward(data));
      // New output arrays per call, as scipy returns new arrays.
      return simple(async () => fft.inverse(await fft.forward(data)), async (back) => {
        // The spectrum for python's comparison (inverse may overwrite its input, so a fresh one).
        await writeRaw(`${step}.spec.ours.f32`, await fft.forward(data));
        await writeRaw(`${step}.back.ours.f32`, back);
        return { roundTripErr: maxRelErr(back, data) };
      });
    }
    case 'gaussian': {
      const v = await load();
      return simple(async () => (await gaussianFilter(v, GAUSSIAN_SIGMA)).data, async (g) => {
        await writeRaw('gaussian.ours.f32', g);
        return { sum: sum(g) };
      });
    }
    case '0.e':
    case '0.e-noisy': {
      const v = await load();
      const { hard } = buildMasks(v, threshold);
      if (step === '0.e-noisy') addNoise(v.data, threshold / 5, 7);
      return simple(() => attempt(async () => {
        const out = await localResolution(v, hard, resolution);
        return measureLocalResolution(out.resmap, resolution!, out.run);
      }), (e) => ('value' in e ? { median: e.value.values.median } : e.outcome));
    }
    case '1.e': {
      // MonoRes in half-map mode on the simulated pair, inside the map's hard mask (the mean and
      // difference maps are formed before the clock starts, as the context does once per entry).
      const v = await load();
      const { hard } = buildMasks(v, threshold);
      const h = await halfMapPair();
      const mean = { ...h.half1, data: h.half1.data.map((x, i) => 0.5 * (x + h.half2.data[i])) };
      const diff = h.half1.data.map((x, i) => 0.5 * (x - h.half2.data[i]));
      return simple(() => attempt(async () => (await localResolution(mean, hard, resolution, { noise: diff })).resmap), (e) => {
        if (!('value' in e)) return e.outcome;
        const vals = Array.from(e.value.filter((x) => x > 0)).sort((a, b) => a - b);
        return { median: vals[vals.length >> 1] };
      });
    }
    case '0.f': {
      const r = await resizedInputs(await load(), resolution!);
      return simple(() => attempt(async () => {
        const o = await localBFactor(r.volume, r.hard, resolution);
        return { bmap: o.bmap, result: measureLocalBFactor(o.bmap, r.hard, resolution!, o.run) };
      }), async (b) => {
        if (!('value' in b)) return b.outcome;
        await writeRaw('0.f.ours.f32', b.value.bmap);
        return { noise: b.value.result.values.noiseLevels, ...percentiles(b.value.result.values) };
      });
    }
    case '0.g': {
      const r = await resizedInputs(await load(), resolution!);
      return simple(() => attempt(async () => {
        const o = await localOccupancy(r.volume, r.hard, resolution);
        return { omap: o.omap, result: measureLocalOccupancy(o.omap, r.hard, resolution!, o.run) };
      }), async (o) => {
        if (!('value' in o)) return o.outcome;
        await writeRaw('0.g.ours.f32', o.value.omap);
        return { levels: o.value.result.values.amplitudeLevels, ...percentiles(o.value.result.values) };
      });
    }
    case '0.h': {
      const v = await load();
      return simple(() => attempt(async () => {
        const h = await handTest(v, threshold, resolution);
        return { ...h, result: measureHand(h) };
      }), (h) => ('value' in h ? { score: h.value.result.values.score, segments: h.value.segments.filter((s) => s.used).length } : h.outcome));
    }
    case 'fsc-pair': {
      const h = await halfMapPair();
      return simple(() => fscCurve(h.half1, h.half2), (c) => ({ voxels: Array.from(c.voxels), fsc: Array.from(c.fsc) }));
    }
    case 'fdr-fsc': {
      const h = await halfMapPair();
      return simple(() => fdrFsc(h.half1, h.half2), (r) => ({
        resolution: r.resolution,
        coefficients: Array.from(r.coefficients),
        samples: Array.from(r.samples),
        fsc: Array.from(r.fsc),
        significantShells: r.significant.reduce((a, b) => a + b, 0),
        permutations: r.permutations.reduce((a, b) => a + b, 0),
      }));
    }
    case '1.c':
      return localFscStep();
    case 'conical-fsc':
      return conicalStep();
    case 'figures':
      return figures();
    case 'model-fit':
      return modelFitStep();
    case 'level0':
    case 'level01': {
      const out = await mkdtemp(path.join(work, `${step}-`));
      const entry = { id: 'EMD-0000', title: 'bench', authors: [], depositionDate: null, releaseDate: null, resolution, threshold, method: null, pdbIds: [] };
      // Level 0 + 1: the simulated pair as MRC files, as `emvr analyze` would be given them.
      const halfMapPaths = step === 'level01' ? halfMapFiles() : undefined;
      return simple(() => analyzeEntry({ mapPath, halfMapPaths, entryDir: path.join(out, 'EMD-0000'), entry }), (report: Report) => {
        // Status and wall time (figures included) of every item, for the breakdown line.
        const status: Record<string, string> = {};
        const itemSeconds: Record<string, number | null> = {};
        for (const item of reportItems(report)) {
          status[item.id] = item.status;
          itemSeconds[item.id] = item.timing?.seconds ?? null;
        }
        return { score: `${report.score.passing}/${report.score.evaluable}`, status, itemSeconds };
      });
    }
    case 'q-score':
      return qScoreStep();
    case 'half-map-files': {
      const h = await halfMapPair();
      await writeMrc(HALF_MAP_FILES[0], h.half1);
      await writeMrc(HALF_MAP_FILES[1], h.half2);
      return simple(() => undefined, () => ({ written: HALF_MAP_FILES }));
    }
    default:
      throw new Error(`unknown step ${step}`);
  }
}

/** Helices and strands of the procedural protein the Q-score row scores: about 10,000 atoms. */
const Q_MODEL = { seed: 1, helices: 52, strands: 34 };

/**
 * A.e's per-atom Q-score of a procedural protein of ~10,000 atoms centred in the map (the bench
 * maps have no fitted model; the cost depends on the atoms' packing and the map's size, not on
 * the fit). The scored atoms' coordinates and the map's origin are written for python
 * (`q-score.atoms.f64`, `q-score.json`); the check compares the average Q.
 */
async function qScoreStep(): Promise<Prepared> {
  const v = await load();
  const c = [0, 1, 2].map((a) => v.origin[a] + ((v.dims[a] - 1) * v.voxelSize[a]) / 2) as [number, number, number];
  const m0 = proceduralProtein(Q_MODEL);
  const g = geometricCentre(m0);
  const model = translateModel(m0, [c[0] - g[0], c[1] - g[1], c[2] - g[2]]);
  const idx = scoredAtoms(model);
  const xyz = new Float64Array(3 * idx.length);
  idx.forEach((j, k) => xyz.set([model.x[j], model.y[j], model.z[j]], 3 * k));
  await writeFile(path.join(work, 'q-score.atoms.f64'), new Uint8Array(xyz.buffer));
  await writeFile(path.join(work, 'q-score.json'), JSON.stringify({ origin: v.origin, voxelSize: v.voxelSize }));
  return simple(() => qScores(v, model), (s) => {
    let sum = 0, n = 0;
    for (const j of s.scored) if (Number.isFinite(s.q[j])) {
      sum += s.q[j];
      n++;
    }
    return { atoms: s.scored.length, averageQ: sum / n };
  });
}

/**
 * 1.g + 1.h: the half maps times the soft mask of the bench map, transformed once, then the FSO's
 * 321 directions (17°, Xmipp's weight) and the 3-D FSC's 500 + 3 (20°, hard), as the two items
 * compute them. The mask and both direction sets are written for python; at the end the
 * directional curves (float64, [cone set][direction][shell]) for its comparison.
 */
async function conicalStep(): Promise<Prepared> {
  const h = await halfMapPair();
  const v = await load();
  const mask = await softMask(buildMasks(v, threshold).hard, v.dims);
  await writeRaw('conical-mask.f32', mask);
  const sets = [
    { name: 'fso', dirs: fibonacciHemisphere(FSO_DIRECTIONS), cone: FSO_CONE },
    { name: 'fsc3d', dirs: Float64Array.from([...fibonacciHemisphere(FSC3D_DIRECTIONS), 1, 0, 0, 0, 1, 0, 0, 0, 1]), cone: FSC3D_CONE },
  ];
  for (const c of sets) await writeFile(path.join(work, `conical-${c.name}.f64`), new Uint8Array(c.dirs.buffer));
  return simple(async () => {
    const sp = await maskedHalfMapSpectra(h.half1, h.half2, mask);
    const out = [];
    for (const c of sets) out.push(await conicalFsc(sp, c.dirs, c.cone));
    return out;
  }, async (out) => {
    const all = new Float64Array(out.reduce((n, c) => n + c.fsc.length, 0));
    let o = 0;
    for (const c of out) {
      all.set(c.fsc, o);
      o += c.fsc.length;
    }
    await writeFile(path.join(work, 'conical.ours.f64'), new Uint8Array(all.buffer));
    return { globalFsc: Array.from(out[0].global.fsc), directions: out.map((c) => c.directions.length / 3), emptyCones: all.filter((x) => Number.isNaN(x)).length };
  });
}

/** The model-fit row's grid and model: 360³ at 1.044 Å, a ≈ 10 000-atom procedural protein, 3 Å, noise σ. */
const MODEL_FIT = { n: 360, voxel: 1.044, resolution: 3, noiseSigma: 0.05, protein: { seed: 1, helices: 28, residuesPerHelix: 40, strands: 14, residuesPerStrand: 10 } };

/**
 * A.0 + A.a on a map simulated from a ≈ 10 000-atom model (whatever --map is: the row needs the
 * model the map comes from): model map at the map's grid, atom mask with each voxel's nearest
 * atom, the fit check, the CC family (mask, box, volume, peaks, main/side chain, per residue), the
 * soft atom mask and the masked and unmasked map–model FSC with d99. Written for python: the map,
 * the atoms with their Peng terms (the table is data; the sums are python's own), each atom's
 * residue and backbone flag; at the end our model map and per-residue CC.
 */
async function modelFitStep(): Promise<Prepared> {
  const { n, voxel, resolution: d } = MODEL_FIT;
  const model = proceduralProtein(MODEL_FIT.protein);
  const h = ((n - 1) / 2) * voxel;
  const grid = { dims: [n, n, n] as [number, number, number], voxelSize: [voxel, voxel, voxel] as [number, number, number], origin: [-h, -h, -h] as [number, number, number] };
  const sim = await simulateMap(model, grid, { resolution: d, weights: 'peng', noiseSigma: MODEL_FIT.noiseSigma, seed: 1 });
  const map: Volume = { ...sim, data: sharedFloat32(sim.data.length) };
  map.data.set(sim.data);
  const g = atomGaussians(model.element, 'peng');
  const atoms = new Float64Array(14 * model.count);
  for (let j = 0; j < model.count; j++) {
    atoms.set([model.x[j], model.y[j], model.z[j], model.occupancy[j]], 14 * j);
    atoms.set(g.weight.subarray(5 * j, 5 * j + 5), 14 * j + 4);
    atoms.set(g.variance.subarray(5 * j, 5 * j + 5), 14 * j + 9);
  }
  const { residueOfAtom } = residuesOf(model);
  await writeRaw('model-fit-map.f32', map.data);
  await writeFile(path.join(work, 'model-fit-atoms.f64'), new Uint8Array(atoms.buffer));
  await writeFile(path.join(work, 'model-fit-residue.i32'), new Uint8Array(residueOfAtom.buffer));
  await writeRaw('model-fit-backbone.u8', Uint8Array.from(model.atomName, (a) => (BACKBONE_NAMES.has(a) ? 1 : 0)));
  await writeFile(path.join(work, 'model-fit.json'), JSON.stringify({ n, voxel, origin: grid.origin, resolution: d, atoms: model.count }));
  return simple(async () => {
    const fit = await fitModel(map, model, d);
    if (!fit.usable) throw new Error(fit.reason);
    return { fit, m: await mapModelFit(map, fit, d) };
  }, async ({ fit, m }) => {
    await writeRaw('model-fit.ours.f32', fit.modelMap.data);
    await writeFile(path.join(work, 'model-fit-residue-cc.ours.f64'), new Uint8Array(Float64Array.from(m.extra.partition.residue, (c) => c ?? Number.NaN).buffer));
    const v = m.values;
    return {
      atoms: model.count, status: fit.status, maskVoxels: fit.mask.voxels.length,
      ccMask: v.ccMask, ccBox: v.ccBox, ccVolume: v.ccVolume, ccPeaks: v.ccPeaks, ccMainChain: v.ccMainChain, ccSideChain: v.ccSideChain,
      fscMasked: Array.from(m.extra.masked!.curve.fsc), fscUnmasked: Array.from(m.extra.unmasked!.curve.fsc),
      dFscModel0143: v.dFscModel0143, dFscModel05: v.dFscModel05, d99: v.d99, d99Masked: v.d99Masked,
    };
  });
}

/**
 * Every figure of a report whose input is cheap to prepare, drawn from the real item results:
 * input figures, 0.b, 0.c (when measurable), 0.d; plus the three local-map outputs (histogram,
 * coloured surface views, colour bar, MRC) of 0.e (full grid) and 0.f/0.g (resized grid) with a
 * stand-in property (the map itself): drawing does not depend on the values, and computing the
 * real ones would cost a minute before the clock starts. The 0.h figure is left out (it needs
 * the hand test's working maps); it is inside the whole-report time.
 */
async function figures(): Promise<Prepared> {
  const v = await load();
  const m = buildMasks(v, threshold);
  const soft = await softMask(m.hard, v.dims);
  const table = maskAnalysis(v, threshold, m).values.thresholdTable as number[][];
  const background = await attempt(() => backgroundAnalysis(v, m.hard));
  const sigma = 'value' in background ? background.value.sigma : null;
  let guinier: GuinierResult | null = null;
  // The 0.f/0.g views are drawn on the resized map × its soft mask, as in the report.
  let resized: Volume | null = null;
  let resizedSurface: Volume | null = null;
  if (resolution !== null) {
    const g = await attempt(() => bFactorAnalysis(v, resolution));
    guinier = 'value' in g ? g.value : null;
    resized = (await resizeToResolution(v, resolution)).volume;
    const rSoft = await softMask(buildMasks(resized, threshold).hard, resized.dims);
    const data = new Float32Array(resized.data.length);
    for (let i = 0; i < data.length; i++) data[i] = resized.data[i] * rSoft[i];
    resizedSurface = { ...resized, data };
  }
  let max = -Infinity;
  for (let i = 0; i < v.data.length; i++) if (v.data[i] > max) max = v.data[i];
  const range: [number, number] = [threshold, max];
  const hist = { edges: [threshold, (threshold + max) / 2, max], counts: [1, 1] };
  const dir = await mkdtemp(path.join(work, 'figures-'));
  return simple(async () => {
    const w = new FigureWriter(path.join(dir, 'figures'), true);
    let count = (await w.inputFigures(v, m.hard, soft, threshold)).length;
    count += (await w.maskFigures(m.raw, v, table)).length;
    if (sigma !== null) count += (await w.backgroundFigures(v, m.hard, sigma)).length;
    if (guinier) count += (await w.guinierFigures(v, guinier.fit)).length;
    count += (await w.localMapOutputs({ stem: '0e-bench', itemId: '0e', name: 'Local resolution', surface: v, level: threshold, property: v, range, label: 'stand-in', histogram: hist })).figures.length;
    if (resized && resizedSurface) {
      for (const id of ['0f', '0g']) {
        count += (await w.localMapOutputs({ stem: `${id}-bench`, itemId: id, name: id, surface: resizedSurface, level: threshold, property: resized, range, label: 'stand-in', histogram: hist })).figures.length;
      }
    }
    return count;
  }, async (count) => {
    await rm(dir, { recursive: true, force: true });
    return { figures: count };
  });
}

const send = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

async function timedRun(p: Prepared): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await p.run();
  const c = process.cpuUsage(c0);
  send({ seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 });
}

// Start the FFT worker pool before the clock: a long-running analyzer pays that once, not per step
// (python warms scipy.fft up alike).
await createRealFft3d([64, 64, 64]).forward(new Float32Array(64 ** 3));
let prepared: Prepared | null = null;
let check: Check | null = null;
try {
  prepared = await prepare();
} catch (err) {
  check = outcome(err); // no resolution: nothing to time
}
send({ ready: true });
if (prepared && opt.runs !== undefined) {
  for (let r = 0; r < Math.max(1, Number(opt.runs)); r++) await timedRun(prepared);
} else {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === 'end') break;
    if (line.trim() === 'run' && prepared) await timedRun(prepared);
    else if (line.trim() === 'run') send({ skipped: true });
  }
  lines.close();
}
// The peak of the runs, before the checks (which may allocate, e.g. a fresh spectrum to write).
const peakRssMB = process.resourceUsage().maxRSS / 1024;
if (prepared) check = await prepared.finish();
await shutdownFftPool();
send({ done: true, peakRssMB, check });
process.stdin.destroy();
