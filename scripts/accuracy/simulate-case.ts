/**
 * The inputs of one accuracy case and the answers they were designed to have. Every truth is
 * computed from the design (atoms, applied blur, noise σ, FSC design), never from the item being
 * measured; the one exception is stated where it is made (0.d's structure term).
 */
import { bFactorAnalysis } from '../../analyzers/items/level0/0d-bfactor-analysis.ts';
import { A3_PER_DALTON, DALTON_PER_RESIDUE } from '../../analyzers/items/level0/0b-mask-analysis.ts';
import type { EntryInputs } from '../../analyzers/items/context.ts';
import type { AtomModel } from '../../analyzers/io/model.ts';
import { buildMasks } from '../../analyzers/methods/masks.ts';
import { atomMask, maskRadius } from '../../analyzers/methods/model-fit.ts';
import { fullMapNoiseSigma, simulateHalfMaps, simulateLocalHalfMaps, splitAlongX } from '../../analyzers/simulate/half-maps.ts';
import { modelMapOnGrid, translateModel } from '../../analyzers/simulate/model-map.ts';
import { centredGrid } from '../../analyzers/simulate/phantoms.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { mirrorVolume, simulateMap, type Grid } from '../../analyzers/simulate/simulate.ts';
import { gaussianSource, mulberry32 } from '../../analyzers/util/random.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';
import { COARSE_FACTOR, HIGH_NOISE_FACTOR, type AccuracyCase } from './cases.ts';

/** What each item should find; absent where the case has no designed answer for it. */
export interface CaseTruth {
  /** 0.a: |high − low| empty space from the atoms to the box faces, % of the box, per axis. */
  decentringPct?: [number, number, number];
  /** 0.b: residues of the model (the contour encloses their volume in the noise-free map). */
  residues?: number;
  /** 0.c: background mean and σ (map units). */
  backgroundMean?: number;
  noiseSigma?: number;
  /** 0.d, 0.f: Guinier B (Å², 15 Å to the resolution) of the map as designed. */
  guinierB?: number;
  /** 0.e (single map): the resolution the noise was designed for (Å). */
  resolution?: number;
  /** 0.g: occupancy (every atom at 1). */
  occupancy?: number;
  /** 0.h: 0 correct hand, 1 mirrored. */
  hand?: 0 | 1;
  /** Local resolution (Å) per voxel, NaN where the design is ambiguous (the blend between regions). */
  localResolution?: Float32Array;
  /** 1.a/1.b: where the designed FSC crosses 0.143 (Å). */
  fsc0143?: number;
  /** 1.g: where half the directions still pass 0.143 (Å). */
  fso?: number;
  /** 1.h: resolution along x and z (Å). */
  axisX?: number;
  axisZ?: number;
  /** A.a: the noise-limited CC of the map with its own (noise-free) model map, in the atom mask and over the box. */
  ccMask?: number;
  ccBox?: number;
}

export interface SimulatedCase {
  readonly inputs: EntryInputs;
  readonly truth: CaseTruth;
}

/** Global B (Å²) applied to the single maps of seed s: three blurs, so 0.d's truth varies. */
const BLUR_B = [-100, -80, -150];
/** The seeds (one in three: 2, 5, …) whose single map is decentred, offset and mirrored. */
const withDefects = (seed: number) => seed % 3 === 2;
/** Decentring shift (fraction of the box along x) of those seeds. */
const SHIFT_FRACTION = 0.1;
/** Background offset (× σ_n) of those seeds. */
const OFFSET_SIGMAS = 0.3;
/** Voxels either side of the region boundary whose designed resolution is a blend (logistic edge of 2 voxels: weight < 0.95). */
const BLEND_VOXELS = 6;

export async function simulateCase(c: AccuracyCase): Promise<SimulatedCase> {
  switch (c.family) {
    case 'map':
      return singleMapCase(c);
    case 'halves':
      return halfMapCase(c);
    case 'model':
      return modelCase(c);
    default: {
      const never: never = c.family;
      throw new RangeError(`simulateCase: unknown family ${String(never)}`);
    }
  }
}

function residueCount(model: AtomModel): number {
  let n = 0, last = Number.NaN;
  for (let i = 0; i < model.count; i++) if (model.resSeq[i] !== last) { n++; last = model.resSeq[i]; }
  return n;
}

/** The count-th largest value: the contour enclosing `count` voxels. */
function levelForCount(data: Float32Array, count: number): number {
  const sorted = data.slice().sort();
  return sorted[Math.max(0, sorted.length - Math.max(1, count))];
}

/** Voxels of the model's protein volume (residues × 110 Da × 1.207 Å³/Da, the constants of 0.b). */
function proteinVoxels(model: AtomModel, voxelA: number): number {
  return Math.round((residueCount(model) * DALTON_PER_RESIDUE * A3_PER_DALTON) / voxelA ** 3);
}

function addNoise(v: Volume, sigma: number, seed: number): Volume {
  const g = gaussianSource(mulberry32(seed));
  const data = v.data.slice();
  for (let i = 0; i < data.length; i++) data[i] += sigma * g();
  return { ...v, data };
}

/** |right − left| / box (%) per axis of the empty space between the atoms and the box faces. */
function atomDecentring(model: AtomModel, grid: Grid): [number, number, number] {
  const axes = [model.x, model.y, model.z];
  return [0, 1, 2].map((a) => {
    let lo = Infinity, hi = -Infinity;
    for (const v of axes[a]) { if (v < lo) lo = v; if (v > hi) hi = v; }
    const ts = grid.voxelSize[a], n = grid.dims[a];
    const left = lo - grid.origin[a];
    const right = grid.origin[a] + (n - 1) * ts - hi;
    return (Math.abs(right - left) / (n * ts)) * 100;
  }) as [number, number, number];
}

function entry(resolution: number, threshold: number): EntryInputs['metadata'] {
  return { id: 'EMD-90000', title: 'accuracy case', authors: [], depositionDate: null, releaseDate: null, resolution, threshold, method: null, pdbIds: [] };
}

/**
 * Level 0 map: the procedural protein (seeds 2, 5: moved along x by a tenth of the box) simulated at
 * the resolution with the seed's blur, white noise designed for an FSC crossing 0.143 at the
 * resolution ('high': at 1.25 × it, and that is the resolution reported), contoured at the level
 * enclosing the protein volume in the noise-free map. Seeds 2 and 5 also get a background offset of
 * 0.3 σ_n (contour raised alike) and is mirrored. Masked: times its own hard mask.
 *
 * 0.d's truth is the applied blur plus the Guinier slope of the unblurred, noise-free map at the
 * same resolution (the protein's own Wilson curve and the resolution Gaussian, which no design
 * can remove), measured by 0.d's own function on that map: the error is then what the blur-free
 * noise, the noise and the mask-free box do to the fit.
 */
async function singleMapCase(c: AccuracyCase): Promise<SimulatedCase> {
  const base = proceduralProtein({ seed: c.seed });
  const grid = centredGrid(base, c.box, c.voxelA);
  const model = withDefects(c.seed) ? translateModel(base, [SHIFT_FRACTION * c.box * c.voxelA, 0, 0]) : base;
  const blur = BLUR_B[(c.seed - 1) % BLUR_B.length];
  const reported = c.noise === 'high' ? HIGH_NOISE_FACTOR * c.resolution : c.resolution;
  const clean = await simulateMap(model, grid, { resolution: c.resolution, bFactor: blur });
  const structure = await structureB(model, grid, c.resolution, reported);
  const sigma = await fullMapNoiseSigma(clean, reported);
  let threshold = levelForCount(clean.data, proteinVoxels(model, c.voxelA));
  let map = addNoise(clean, sigma, 1000 + c.seed);
  const offset = withDefects(c.seed) ? OFFSET_SIGMAS * sigma : 0;
  if (offset !== 0) {
    for (let i = 0; i < map.data.length; i++) map.data[i] += offset;
    threshold += offset;
  }
  const mirrored = withDefects(c.seed);
  if (mirrored) map = mirrorVolume(map);
  if (c.masked) {
    const hard = buildMasks(map, threshold).hard;
    for (let i = 0; i < hard.length; i++) if (hard[i] === 0) map.data[i] = 0;
  }
  return {
    inputs: { map, metadata: entry(reported, threshold) },
    truth: {
      decentringPct: atomDecentring(model, grid),
      residues: residueCount(model),
      ...(c.masked ? {} : { backgroundMean: offset, noiseSigma: sigma }),
      ...(structure === undefined ? {} : { guinierB: structure + blur }),
      resolution: reported,
      occupancy: 1,
      hand: mirrored ? 1 : 0,
    },
  };
}

/** Guinier B of the unblurred noise-free map (0.d's fit up to `reported`), or undefined when 0.d cannot fit it (then 0.d has no truth in the case). */
async function structureB(model: AtomModel, grid: Grid, resolution: number, reported: number): Promise<number | undefined> {
  try {
    const b = (await bFactorAnalysis(await simulateMap(model, grid, { resolution }), reported)).values.bFactor;
    return typeof b === 'number' && Number.isFinite(b) ? b : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Half maps of the protein simulated at the resolution (no blur) with a designed FSC: uniform
 * (0.143 at R everywhere), two regions split at the box centre along x (R below, 1.6 R above), or
 * anisotropic (R in xy, 1.6 R along z). The map is their mean, contoured at the level enclosing
 * the protein volume; the reported resolution is R.
 */
async function halfMapCase(c: AccuracyCase): Promise<SimulatedCase> {
  const model = proceduralProtein({ seed: c.seed });
  const grid = centredGrid(model, c.box, c.voxelA);
  const signal = await simulateMap(model, grid, { resolution: c.resolution });
  const R = c.resolution, coarse = COARSE_FACTOR * R;
  const n = signal.data.length;
  const x0 = (c.box - 1) / 2;
  let halves;
  const truth: CaseTruth = {};
  if (c.layout === 'two-region') {
    const [a, b] = splitAlongX(signal.dims, x0);
    halves = await simulateLocalHalfMaps(signal, [{ weight: a, design: { resolution: R } }, { weight: b, design: { resolution: coarse } }], 2000 + c.seed);
    const local = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = i % c.box;
      local[i] = Math.abs(x - x0) < BLEND_VOXELS ? Number.NaN : x < x0 ? R : coarse;
    }
    truth.localResolution = local;
  } else if (c.layout === 'anisotropic') {
    halves = await simulateHalfMaps(signal, { resolution: R, resolutionZ: coarse }, 2000 + c.seed);
    truth.fso = 1 / Math.sqrt(0.75 / R ** 2 + 0.25 / coarse ** 2);
    truth.axisX = R;
    truth.axisZ = coarse;
  } else {
    halves = await simulateHalfMaps(signal, { resolution: R }, 2000 + c.seed);
    truth.localResolution = new Float32Array(n).fill(R);
    truth.fsc0143 = R;
    truth.fso = R;
    truth.axisX = R;
    truth.axisZ = R;
  }
  const mean = new Float32Array(n);
  for (let i = 0; i < n; i++) mean[i] = 0.5 * (halves.half1.data[i] + halves.half2.data[i]);
  const map: Volume = { ...signal, data: mean };
  const threshold = levelForCount(mean, proteinVoxels(model, c.voxelA));
  return { inputs: { map, halfMaps: [halves.half1, halves.half2], metadata: entry(R, threshold) }, truth };
}

/**
 * Level A: the analyzer's own model map of the model (at the reported resolution, as A.a draws
 * it) plus white noise designed for an FSC crossing 0.143 at R ('high': at 1.25 R). The CC of
 * S + N with S is then σ_S / √(σ_S² + σ_n²) over any region: the noise-limited ceiling a perfect
 * model reaches. A.e's "truth" is the resolution itself, against which Q's published line is read.
 */
async function modelCase(c: AccuracyCase): Promise<SimulatedCase> {
  const model = proceduralProtein({ seed: c.seed });
  const grid = centredGrid(model, c.box, c.voxelA);
  const R = c.resolution;
  const signal = await modelMapOnGrid(model, grid, Math.max(R, 2 * c.voxelA));
  const sigma = await fullMapNoiseSigma(signal, c.noise === 'high' ? HIGH_NOISE_FACTOR * R : R);
  const map = addNoise(signal, sigma, 3000 + c.seed);
  const threshold = levelForCount(signal.data, proteinVoxels(model, c.voxelA));
  const ceiling = (voxels: ArrayLike<number> | null) => {
    let s = 0, ss = 0, k = 0;
    const count = voxels ? voxels.length : signal.data.length;
    for (let j = 0; j < count; j++) {
      const v = signal.data[voxels ? voxels[j] : j];
      s += v; ss += v * v; k++;
    }
    const varS = ss / k - (s / k) ** 2;
    return Math.sqrt(varS / (varS + sigma * sigma));
  };
  return {
    inputs: { map, model, modelFile: 'procedural.cif', metadata: entry(R, threshold) },
    truth: { ccMask: ceiling(atomMask(model, grid, maskRadius(R)).voxels), ccBox: ceiling(null), resolution: R },
  };
}
