/**
 * Named phantom maps, each with a known answer for the Level 0 items 0.a–0.d.
 *
 * Every phantom starts from the same procedural protein (`proceduralProtein({ seed })`, ≈ 175
 * residues, ≈ 1200 atoms, ≈ 43 × 31 × 48 Å), simulated at 3.5 Å (σ_res = 0.79 Å) with a global
 * B-factor of −100 Å² (an unsharpened 3.5 Å map; 0.d Guinier B ≈ −150 Å²) on a cubic box of 1.2 Å
 * voxels (96³ by default = 115 Å), centred on the model's bounding box. Shared rules:
 *
 * - Noise: white Gaussian, designed so that the stated 3.5 Å is the map's resolution in the FSC
 *   sense: the phantom is distributed as the mean of two half maps S + N₁, S + N₂ whose FSC
 *   crosses 0.143 at 3.5 Å (`fullMapNoiseSigma` in half-maps.ts: σ_n² = 3.0·P_S(1/3.5 Å)/N_vox,
 *   P_S the signal's shell power). Without it the map is practically noise-free and "resolution"
 *   is not defined by any SNR in it (a local-resolution method finds signal up to Nyquist).
 *   Drawn from mulberry32(seed). The −100 Å² blur keeps this noise ≈ 10× below the threshold
 *   (a sharper map needs more noise for the same FSC: at −50 Å² the threshold sits at 2.5σ_n).
 * - Threshold: the level that encloses the protein's volume (residues × 110 Da × 1.21 Å³/Da, i.e.
 *   a density of 0.83 Da/Å³ ≈ 1.37 g/cm³), read off the noise-free map, lowered in 5 % steps
 *   if needed until the thresholded set of the final (noisy) map is a single 26-connected piece.
 * - Atom Gaussians are cut at ±4σ (simulate.ts), so beyond ≈ 3.2 Å from every atom the signal is
 *   exactly 0 and the background outside the hard mask (threshold set + 2 Å) is pure noise: the
 *   0.c t-test and 5σ-outlier ratio see Gaussian noise of mean 0.
 *
 * The Guinier item 0.d fits ln(mean |F|) over shells from 15 Å to the resolution. A protein's own
 * Wilson curve is not flat there: the procedural protein's unblurred atoms alone give a slope of
 * ≈ −27 Å² (hump at 10–15 Å from helix packing, dip near 6 Å), and that slope adds to the
 * Gaussian envelope's −8π²σ² (checked: envelopes −49/−100/−200/+50 Å² measured −76/−127/−227/+23).
 * The B-factor phantoms therefore calibrate: they measure that fit with the Level 0 algorithm and
 * correct the applied blur (or boost) until the fit gives the target to < 0.5 Å².
 */
import type { AtomModel } from '../io/model.ts';
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { componentMask, label26, largestComponent } from '../volume/labelling.ts';
import { dilate18 } from '../volume/morphology.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { proceduralProtein } from './protein.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';
import { fullMapNoiseSigma } from './half-maps.ts';
import { effectiveBFactor, mirrorVolume, simulateMap, type Grid } from './simulate.ts';

/** Every phantom, in report order. */
export const phantomNames = [
  'well-behaved',
  'decentred',
  'background-offset',
  'noise-blobs',
  'threshold-too-high',
  'b-factor-250',
  'b-factor-200',
  'b-factor-positive',
  'mirrored-hand',
  'masked-background',
] as const;

export type PhantomName = (typeof phantomNames)[number];

/** A Level 0 item that can warn. */
export type Level0Item = '0.a' | '0.b' | '0.c' | '0.d' | '0.f' | '0.h';

export interface Phantom {
  name: PhantomName;
  description: string;
  volume: Volume;
  /** Contour level to analyse the map at (map units). */
  threshold: number;
  /** Resolution (Å) to analyse the map with, or null. */
  resolution: number | null;
  /** The known answer: which Level 0 items must warn (and nothing else), plus the truths. */
  expect: {
    warns: Array<Level0Item>;
    inputError?: 'threshold-too-high';
    /** Guinier B (Å²) that item 0.d must measure (15 Å … resolution fit), ± a few Å². */
    bFactor?: number;
    mirrored?: boolean;
    backgroundExactlyZero?: boolean;
    /**
     * Resolution (Å) that 0.e's median must read within ±0.7 Å: the stated resolution, for the
     * phantoms whose noise is designed for it (all but the over-sharpened and the masked ones).
     */
    localResolution?: number;
  };
}

/** Options of `makePhantom`. */
export interface PhantomOptions {
  /** Seed of the protein, the noise and the blobs. Default 1. */
  seed?: number;
  /** Box edge in voxels (cubic). Default 96 (128 for 'decentred'); at least 80. */
  box?: number;
}

/** Voxel edge of every phantom (Å). */
export const PHANTOM_VOXEL_A = 1.2;
/** Resolution every phantom is simulated at and reports (Å). */
export const PHANTOM_RESOLUTION_A = 3.5;
/** Threshold / noise σ of the over-sharpened phantom (its spiky density breaks up under more noise). */
const SHARPENED_THRESHOLD_OVER_NOISE = 16;
/** Threshold / noise σ of the noise-blobs phantom (its defect: a contour so low that noise peaks reach it). */
const NOISE_BLOBS_THRESHOLD_OVER_NOISE = 3;
/** Contour of the blurred B-factor phantoms, as a multiple of the protein volume (keeps their tails inside the hard mask). */
const BLURRED_VOLUME_FACTOR = 1.6;
/** Global B-factor (Å²) of every phantom but the B-factor ones: an unsharpened 3.5 Å map. */
export const PHANTOM_BLUR_B = -100;
/** The threshold is lowered to join the molecule into one piece only while it stays this many σ_n above the noise. */
const MIN_THRESHOLD_OVER_NOISE = 7;
/** Low-resolution end of the 0.d Guinier fit (Å). */
const GUINIER_LOW_RES_A = 15;
/** Protein volume per dalton (Å³/Da) and mass per residue (Da). */
const A3_PER_DALTON = 1.21;
const DALTON_PER_RESIDUE = 110;

/** Builds a named phantom (deterministic for a given name, seed and box). */
export async function makePhantom(name: PhantomName, opts: PhantomOptions = {}): Promise<Phantom> {
  const seed = opts.seed ?? 1;
  const box = opts.box ?? (name === 'decentred' ? 128 : 96);
  if (!Number.isInteger(box) || box < 80) throw new RangeError(`makePhantom: box must be an integer ≥ 80 voxels, got ${box}`);
  const model = proceduralProtein({ seed });
  const res = PHANTOM_RESOLUTION_A;
  switch (name) {
    case 'well-behaved': {
      // Centred molecule, 3.5 Å, global B −100 Å², noise designed for FSC 0.143 at 3.5 Å (≈ t/10):
      // nothing outside the molecule reaches t, background is N(0, σ_n²) (atoms cut at 4σ), one
      // connected piece at t. 0.d: Guinier B ≈ −150 Å² (−49 from σ_res, −27 from the protein
      // itself, −100 applied, +25 from the noise floor near 3.5 Å), inside [−300, 0]. 0.e: the
      // noise defines the resolution, MonoRes's median ≈ 4.0 Å.
      const p = await noisyProtein(model, centredGrid(model, box), seed);
      return {
        name, resolution: res, threshold: p.threshold, volume: p.volume,
        description: 'centred procedural protein at 3.5 Å, 1.2 Å voxels, white noise of an FSC crossing 0.143 at 3.5 Å: passes 0.a–0.d',
        expect: { warns: [], localResolution: res },
      };
    }
    case 'decentred': {
      // Molecule shifted along x so that its atoms start 28 Å from the low-x face (the hard mask,
      // ≈ 2 Å of threshold shell + 2.4 Å of dilation beyond the atoms, then starts ≈ 23 Å in: every
      // margin stays ≥ 20 Å) in a 153.6 Å box, leaving ≈ 80 Å on the high-x side:
      // |right − left|/box ≈ 37 % > 20 %. Other axes centred. Only 0.a warns.
      const grid = centredGrid(model, box);
      const lo = Math.min(...model.x);
      const shifted = translateModel(model, [grid.origin[0] + 28 - lo, 0, 0]);
      const p = await noisyProtein(shifted, grid, seed);
      return {
        name, resolution: res, threshold: p.threshold, volume: p.volume,
        description: 'the well-behaved protein moved towards the low-x face (x margins ≈ 23 Å and ≈ 80 Å): 0.a warns (decentred), margins stay ≥ 20 Å',
        expect: { warns: ['0.a'], localResolution: res },
      };
    }
    case 'background-offset': {
      // Well-behaved + a constant c = 0.5σ_n everywhere, threshold raised by c (same voxel set).
      // Background mean c over n ≈ 8·10⁵ voxels: t = 0.5·√n ≈ 450, p ≈ 0 → 0.c warns. The
      // 5σ-outlier ratio stays low: P(|c + N| > 5σ) ≈ P(Z > 4.5) = 3.4e−6 → ratio ≈ 6 < 20.
      // 0.d ignores the constant (only the k = 0 coefficient changes, outside the fit).
      const p = await noisyProtein(model, centredGrid(model, box), seed);
      const c = 0.5 * p.noiseSigma;
      const data = p.volume.data;
      for (let i = 0; i < data.length; i++) data[i] += c;
      return {
        name, resolution: res, threshold: p.threshold + c, volume: p.volume,
        description: 'the well-behaved map plus a constant 0.5σ_noise (threshold shifted alike): 0.c warns (background mean ≠ 0)',
        expect: { warns: ['0.c'], localResolution: res },
      };
    }
    case 'noise-blobs': {
      // The well-behaved map (same designed noise) contoured too low, at 3σ_n: P(Z ≥ 3) = 1.35e−3
      // of the ≈ 8·10⁵ background voxels (≈ 1100, mostly single voxels) pass it as hundreds of
      // small blobs, ≈ 5–8 % of the thresholded mass: the 95 % set needs many of them (n95 ≫ 5)
      // → 0.b warns. The background is still white Gaussian noise of mean 0, so
      // 0.c passes (5σ ratio ≈ 1); 0.a and 0.d see the same molecule.
      const clean = await simulateMap(model, centredGrid(model, box), { resolution: res, bFactor: PHANTOM_BLUR_B });
      const sigma = await fullMapNoiseSigma(clean, res);
      const p = finishNoisy(clean, model, seed, { sigma }, NOISE_BLOBS_THRESHOLD_OVER_NOISE * sigma);
      return {
        name, resolution: res, threshold: p.threshold, volume: p.volume,
        description: 'the well-behaved map contoured at 3σ of its noise: hundreds of noise blobs reach the threshold, 0.b warns (more than 5 components for 95 % of the mass)',
        expect: { warns: ['0.b'], localResolution: res },
      };
    }
    case 'threshold-too-high': {
      // Well-behaved map, threshold 1.5 × its maximum: the hard mask is empty → input error.
      const p = await noisyProtein(model, centredGrid(model, box), seed);
      let max = -Infinity;
      for (const v of p.volume.data) if (v > max) max = v;
      return {
        name, resolution: res, threshold: 1.5 * max, volume: p.volume,
        description: 'the well-behaved map with a threshold 1.5× its maximum: refused as an input error (threshold too high)',
        expect: { warns: [], inputError: 'threshold-too-high' },
      };
    }
    case 'b-factor-250':
    case 'b-factor-200': {
      // Pure real-space Gaussian blur (σ² from the resolution plus a global B ≤ 0; no ringing,
      // atoms still cut at 4σ), calibrated so that the 0.d fit gives the target to < 0.5 Å²:
      // blur B ≈ target + 27 Å² (the protein's own slope), noise designed for 3.5 Å on each
      // blurred map (the calibration absorbs the noise floor it adds to the high shells).
      // The targets are −200 and −250 Å², not a milder −100 Å²: at 3.5 Å with designed noise a map
      // whose Guinier B is −100 Å² is so sharp that its FSC needs noise at a third of the
      // protein-volume contour (1700 noise components: a 0.b defect, not a B-factor phantom).
      // The blurred tails (σ ≈ 1.5–1.7 Å, cut at 4σ) would leak past a hard mask drawn at the
      // protein-volume contour (t-statistic of the background mean ≈ +2 from signal alone), so
      // these phantoms are contoured at VOLUME_FACTOR × the protein volume, which moves the mask
      // out until the leak is negligible. Background: pure noise → 0.c passes.
      const target = name === 'b-factor-250' ? -250 : -200;
      const p = await blurredToB(model, centredGrid(model, box), seed, target, BLURRED_VOLUME_FACTOR);
      return {
        name, resolution: res, threshold: p.threshold, volume: p.volume,
        description: `procedural protein blurred so that the 0.d Guinier fit (15–3.5 Å) gives B = ${target} Å² (within −300…0: no warning)`,
        expect: { warns: [], bFactor: target, localResolution: res },
      };
    }
    case 'b-factor-positive': {
      // Over-sharpened: amplitudes boosted by exp(ΔB s²/4) up to 3.5 Å (simulateMap's B > 0 path),
      // ΔB calibrated so the 0.d fit gives +50 Å² → warns. A boosted map rings well beyond the
      // 2 Å hard-mask margin, which would also fail 0.c; like a sharpened-and-masked deposit it is
      // multiplied by its own thresholded component dilated by one voxel (inside the hard mask),
      // then white noise is added: background = pure noise, one component at t.
      const p = await sharpenedToB(model, centredGrid(model, box), seed, 50);
      return {
        name, resolution: res, threshold: p.threshold, volume: p.volume,
        description: 'procedural protein over-sharpened so that the 0.d Guinier fit gives B = +50 Å², masked tightly, white noise outside: 0.d and 0.f warn (over-sharpened)',
        expect: { warns: ['0.d', '0.f'], bFactor: 50 },
      };
    }
    case 'mirrored-hand': {
      // The well-behaved map flipped in z (exact mirror): left-handed helices, identical 0.a–0.d
      // statistics up to the mirror (margins swap on z only, still equal within a voxel).
      const p = await noisyProtein(model, centredGrid(model, box), seed);
      return {
        name, resolution: res, threshold: p.threshold, volume: mirrorVolume(p.volume),
        description: 'the well-behaved map mirrored (z flipped): wrong hand, left-handed helices; 0.h warns (flipped), 0.a–0.d pass',
        expect: { warns: ['0.h'], mirrored: true, localResolution: res },
      };
    }
    case 'masked-background': {
      // Well-behaved × its own hard mask built exactly as Level 0 builds it (threshold, largest
      // 26-connected component, ceil(2/1.2) = 2 dilations with the 18-neighbourhood, box shell
      // untouched), like masked EMDB deposits (EMD-44046): the analysis rebuilds the same mask,
      // so every background voxel is exactly 0 (σ = 0: 0.c "could not be measured", no warning).
      const p = await noisyProtein(model, centredGrid(model, box), seed);
      const mask = hardMask(p.volume, p.threshold);
      const data = p.volume.data;
      for (let i = 0; i < data.length; i++) if (mask[i] === 0) data[i] = 0;
      return {
        name, resolution: res, threshold: p.threshold, volume: p.volume,
        description: 'the well-behaved map multiplied by its dilated molecular mask: background exactly 0 (0.c cannot be measured)',
        expect: { warns: [], backgroundExactlyZero: true },
      };
    }
    default: {
      const never: never = name;
      throw new RangeError(`makePhantom: unknown phantom ${String(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Cubic grid of `box` voxels of `v` Å (the phantoms' 1.2 Å by default) centred on the model's bounding box. */
export function centredGrid(model: AtomModel, box: number, v: number = PHANTOM_VOXEL_A): Grid {
  const c = [model.x, model.y, model.z].map((a) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < a.length; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i]; }
    return (lo + hi) / 2;
  });
  const h = ((box - 1) / 2) * v;
  return { dims: [box, box, box], voxelSize: [v, v, v], origin: [c[0] - h, c[1] - h, c[2] - h] };
}

function translateModel(model: AtomModel, t: Vec3): AtomModel {
  const x = new Float32Array(model.count), y = new Float32Array(model.count), z = new Float32Array(model.count);
  for (let i = 0; i < model.count; i++) {
    x[i] = model.x[i] + t[0];
    y[i] = model.y[i] + t[1];
    z[i] = model.z[i] + t[2];
  }
  return { ...model, x, y, z };
}

/** Voxels the protein occupies: residues × 110 Da × 1.21 Å³/Da / voxel volume. */
function proteinVoxels(model: AtomModel, voxelA: number): number {
  let residues = 0;
  let last = Number.NaN;
  for (let i = 0; i < model.count; i++) if (model.resSeq[i] !== last) { residues++; last = model.resSeq[i]; }
  return Math.round((residues * DALTON_PER_RESIDUE * A3_PER_DALTON) / voxelA ** 3);
}

/** Value v such that about `count` voxels are ≥ v (the count-th largest value). */
function levelForCount(data: Float32Array, count: number): number {
  const sorted = data.slice().sort();
  return sorted[Math.max(0, sorted.length - Math.max(1, count))];
}

/** Adds N(0, σ²) noise from mulberry32(seed) to every voxel, in memory order. */
function addNoise(data: Float32Array, sigma: number, seed: number): void {
  const g = gaussianSource(mulberry32(seed));
  for (let i = 0; i < data.length; i++) data[i] += sigma * g();
}

/** Number of 26-connected components of {data ≥ t}. */
function componentCount(v: Volume, t: number): number {
  const m = new Uint8Array(v.data.length);
  for (let i = 0; i < m.length; i++) m[i] = v.data[i] >= t ? 1 : 0;
  return label26(m, v.dims).count;
}

/**
 * The Level 0 hard mask (spec 2.2): {V ≥ t}, its largest 26-connected component, dilated
 * ceil(2 Å / voxel) times with the 18-neighbourhood, box shell never written.
 */
function hardMask(v: Volume, t: number): Uint8Array {
  const m = new Uint8Array(v.data.length);
  for (let i = 0; i < m.length; i++) m[i] = v.data[i] >= t ? 1 : 0;
  const l = label26(m, v.dims);
  return dilate18(componentMask(l, largestComponent(l)), v.dims, Math.ceil(2 / v.voxelSize[0]));
}

interface NoisyProtein {
  volume: Volume;
  threshold: number;
  noiseSigma: number;
  /** Voxels ≥ threshold in the final map (the molecule). */
  molecularVoxels: number;
}

/**
 * The shared recipe: simulate at 3.5 Å with B = PHANTOM_BLUR_B, noise designed for an FSC of
 * 0.143 at 3.5 Å, threshold by protein volume, lowered as `finishNoisy` says.
 */
async function noisyProtein(model: AtomModel, grid: Grid, seed: number): Promise<NoisyProtein> {
  const clean = await simulateMap(model, grid, { resolution: PHANTOM_RESOLUTION_A, bFactor: PHANTOM_BLUR_B });
  return finishNoisy(clean, model, seed, { sigma: await fullMapNoiseSigma(clean, PHANTOM_RESOLUTION_A) });
}

/** Noise of a phantom: a designed σ_n, or σ_n = threshold / `thresholdOver`. */
type NoiseRule = { sigma: number } | { thresholdOver: number };

/**
 * Adds the noise to a copy of `clean` at threshold `level` (default: the level enclosing
 * `volumeFactor` × the protein volume), then lowers the threshold in 5 % steps, while it stays
 * ≥ MIN_THRESHOLD_OVER_NOISE·σ_n, until {V ≥ t} is one 26-connected component.
 */
function finishNoisy(clean: Volume, model: AtomModel, seed: number, noise: NoiseRule, level?: number, volumeFactor = 1): NoisyProtein {
  let t = level ?? levelForCount(clean.data, Math.round(volumeFactor * proteinVoxels(model, clean.voxelSize[0])));
  const noiseSigma = 'sigma' in noise ? noise.sigma : t / noise.thresholdOver;
  const data = clean.data.slice();
  addNoise(data, noiseSigma, seed);
  const volume: Volume = { ...clean, data };
  for (let k = 0; k < 20 && componentCount(volume, t) > 1 && 0.95 * t >= MIN_THRESHOLD_OVER_NOISE * noiseSigma; k++) t *= 0.95;
  let molecularVoxels = 0;
  for (let i = 0; i < data.length; i++) if (data[i] >= t) molecularVoxels++;
  return { volume, threshold: t, noiseSigma, molecularVoxels };
}

/**
 * Guinier B of item 0.d (spec section 7): radial mean of |F| in shells k = round(|w|·N)
 * (w digital frequency, |w|² ≤ 0.25, N = nx), points 1/d² with d = N·Ts/k, weight 1 for
 * resolution ≤ d ≤ 15 Å, ordinary least squares of ln(mean |F|), B = 4·slope.
 */
async function guinierB(v: Volume, resolution: number): Promise<number> {
  const [nx, ny, nz] = v.dims;
  const ts = v.voxelSize[0];
  const fft = createRealFft3d(v.dims);
  const spec = await fft.forward(v.data);
  const cx = fft.complexDims[0];
  const sum = new Float64Array(nx + 1);
  const cnt = new Float64Array(nx + 1);
  const fx2 = new Float64Array(cx);
  for (let i = 0; i < cx; i++) fx2[i] = fftFreq(i, nx) ** 2;
  for (let kz = 0; kz < nz; kz++) {
    const wz2 = fftFreq(kz, nz) ** 2;
    for (let ky = 0; ky < ny; ky++) {
      const wyz2 = wz2 + fftFreq(ky, ny) ** 2;
      const base = 2 * cx * (ky + ny * kz);
      for (let kx = 0; kx < cx; kx++) {
        const w2 = wyz2 + fx2[kx];
        if (w2 > 0.25) continue;
        const k = Math.round(Math.sqrt(w2) * nx);
        sum[k] += Math.hypot(spec[base + 2 * kx], spec[base + 2 * kx + 1]);
        cnt[k]++;
      }
    }
  }
  let sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  for (let k = 1; k < nx; k++) {
    const d = (nx * ts) / k;
    if (d < resolution) break;
    if (d > GUINIER_LOW_RES_A || sum[k] <= 0) continue;
    const x = 1 / (d * d), y = Math.log(sum[k] / cnt[k]);
    sx += x; sy += y; sxx += x * x; sxy += x * y; n++;
  }
  return (4 * (n * sxy - sx * sy)) / (n * sxx - sx * sx);
}

/**
 * Real-space blur calibrated to a Guinier target: start from global B = target − B_structure
 * + 8π²σ_res² with B_structure measured on the noise-free 3.5 Å map, then up to 4 corrections
 * B ← B + (target − measured) on the final noisy map (the fit is additive in B to < 1 Å²).
 * Threshold: the level enclosing `volumeFactor` × the protein volume; noise designed for 3.5 Å.
 */
async function blurredToB(model: AtomModel, grid: Grid, seed: number, target: number, volumeFactor: number): Promise<NoisyProtein> {
  const res = PHANTOM_RESOLUTION_A;
  const ref = await simulateMap(model, grid, { resolution: res });
  const structureB = (await guinierB(ref, res)) - effectiveBFactor(res);
  let bFactor = Math.min(0, target - structureB - effectiveBFactor(res));
  let best: NoisyProtein | undefined;
  for (let it = 0; it < 5; it++) {
    const clean = await simulateMap(model, grid, { resolution: res, bFactor });
    best = finishNoisy(clean, model, seed, { sigma: await fullMapNoiseSigma(clean, res) }, undefined, volumeFactor);
    const measured = await guinierB(best.volume, res);
    if (Math.abs(measured - target) < 0.5) break;
    bFactor = Math.min(0, bFactor + (target - measured));
  }
  return best as NoisyProtein;
}

/**
 * Over-sharpened map calibrated to a positive Guinier target: simulateMap with B = ΔB > 0 (boost
 * up to 3.5 Å), threshold t by protein volume, multiply by the largest component of {V ≥ t}
 * dilated once (18-neighbourhood), add noise σ_n = t/16 and lower t until one component (as
 * `finishNoisy`); ΔB corrected up to 6 times by (target − measured). The noise is not designed for
 * 3.5 Å: the boosted map is so sharp that its FSC would need noise well above its contour (as for
 * any over-sharpened map, whose halves carry boosted noise too); its 0.e reads the 2·Ts clamp.
 */
async function sharpenedToB(model: AtomModel, grid: Grid, seed: number, target: number): Promise<NoisyProtein> {
  const res = PHANTOM_RESOLUTION_A;
  const ref = await simulateMap(model, grid, { resolution: res });
  const structureB = (await guinierB(ref, res)) - effectiveBFactor(res);
  let boost = target - structureB - effectiveBFactor(res);
  let best: NoisyProtein | undefined;
  for (let it = 0; it < 7; it++) {
    const clean = await simulateMap(model, grid, { resolution: res, bFactor: boost });
    const t = levelForCount(clean.data, proteinVoxels(model, clean.voxelSize[0]));
    const m = new Uint8Array(clean.data.length);
    for (let i = 0; i < m.length; i++) m[i] = clean.data[i] >= t ? 1 : 0;
    const l = label26(m, clean.dims);
    const keep = dilate18(componentMask(l, largestComponent(l)), clean.dims, 1);
    for (let i = 0; i < m.length; i++) if (keep[i] === 0) clean.data[i] = 0;
    best = finishNoisy(clean, model, seed, { thresholdOver: SHARPENED_THRESHOLD_OVER_NOISE }, t);
    const measured = await guinierB(best.volume, res);
    if (Math.abs(measured - target) < 0.5) break;
    boost = Math.max(1e-6, boost + (target - measured));
  }
  return best as NoisyProtein;
}
