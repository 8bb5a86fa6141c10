/**
 * Validation set of the 0.h helix-chirality hand test (level0-spec.md §11.1 step 6): maps
 * simulated from atomic models at several resolutions, with noise, in both hands (the mirror is
 * `mirrorVolume` of the simulated noisy map, so both hands carry the same noise), scored by
 * `handTest` and tallied in a confusion table.
 *
 * Simulation: `simulateMap` (one Gaussian per atom, weight Z, σ = 0.225·res) on a grid with
 * `paddingA` Å around the model, voxel size min(1.3, res/3) Å (a typical deposition sampling; it
 * also exercises the resampling to 1 Å). Noise: white Gaussian noise whose power per Fourier
 * coefficient is 3× the mean signal power in the shell |s| ∈ [0.95, 1.05]/res, i.e. a spectral
 * SNR of 1/3 at the reported resolution, the SNR at which two half maps, each carrying twice
 * the noise variance, have a gold-standard FSC of 0.143. (Lower frequencies, including the
 * 1/5.4 Å⁻¹ of the helix pitch, have a higher SNR, as in real maps.) The real-space SNR,
 * var(signal) over the thresholded mask / var(noise as deposited), is reported per map.
 * The deposited map is then low-passed at the resolution (raised cosine, 0.02 Å⁻¹ wide edge),
 * as post-processed EMDB maps are (FSC weighting removes the noise beyond the resolution); the
 * option `filter: false` keeps the white noise up to Nyquist.
 * Threshold: the value enclosing 17 Å³ per atom (≈ 1.21 Å³/Da × ≈ 14 Da per non-hydrogen atom)
 * in the deposited map, as a depositor's contour enclosing the molecular volume would.
 */
import { readModel } from '../../analyzers/io/model-read.ts';
import type { AtomModel } from '../../analyzers/io/model.ts';
import { gaussianSource, mulberry32 } from '../../analyzers/util/random.ts';
import { gridAroundModel, mirrorVolume, simulateMap } from '../../analyzers/simulate/simulate.ts';
import { createRealFft3d, fftFreq } from '../../analyzers/fft/fft.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';
import { handTest, type HandOptions } from '../../analyzers/methods/helix-hand.ts';
import { NotApplicable, NotMeasurable } from '../../analyzers/util/errors.ts';

/** Resolutions (Å) of the validation set. */
export const HAND_VALIDATION_RESOLUTIONS: readonly number[] = [3, 3.5, 4, 4.5, 5];

/** Spectral SNR at the reported resolution (see the file comment). */
export const SHELL_SNR = 1 / 3;

/** Molecular volume per non-hydrogen atom used to pick the threshold, Å³. */
export const VOLUME_PER_ATOM_A3 = 17;

/** One simulated test map. */
export interface HandCaseMap {
  readonly volume: Volume;
  readonly threshold: number;
  readonly noiseSigma: number;
  /** var(clean signal) over the voxels ≥ threshold / var(noise as deposited, after the low-pass). */
  readonly realSpaceSnr: number;
}

/** Options of `simulateHandCase`. */
export interface HandCaseOptions {
  /** Spectral SNR at 1/res (default SHELL_SNR); Infinity for no noise. */
  readonly shellSnr?: number;
  readonly seed?: number;
  readonly paddingA?: number;
  /** Voxel size (Å); default min(1.3, res/3). */
  readonly voxelA?: number;
  /** Low-pass the noisy map at the resolution (default true). */
  readonly filter?: boolean;
}

/**
 * Raised-cosine low-pass of `v` in place: multiplier 1 for |s| ≤ 1/res − w/2, 0 for
 * |s| ≥ 1/res + w/2, ½(1 + cos(π(|s| − 1/res + w/2)/w)) between; s in Å⁻¹, w = 0.02 Å⁻¹.
 * Returns the mean of the squared multiplier over the full spectrum, the factor by which the
 * filter scales the variance of white noise.
 */
export async function lowPassInPlace(v: Volume, resolution: number, width = 0.02): Promise<number> {
  const fft = createRealFft3d(v.dims);
  const spec = await fft.forward(v.data);
  const [cx, cy, cz] = fft.complexDims;
  const [nx, ny, nz] = v.dims;
  const [vx, vy, vz] = v.voxelSize;
  const fc = 1 / resolution;
  let g2 = 0;
  for (let kz = 0, p = 0; kz < cz; kz++) {
    const fz2 = (fftFreq(kz, nz) / vz) ** 2;
    for (let ky = 0; ky < cy; ky++) {
      const fyz2 = fz2 + (fftFreq(ky, ny) / vy) ** 2;
      for (let kx = 0; kx < cx; kx++, p += 2) {
        const s = Math.sqrt(fyz2 + (fftFreq(kx, nx) / vx) ** 2);
        const g = s <= fc - width / 2 ? 1 : s >= fc + width / 2 ? 0 : 0.5 * (1 + Math.cos((Math.PI * (s - fc + width / 2)) / width));
        spec[p] *= g;
        spec[p + 1] *= g;
        // Half-complex storage: columns kx = 0 and nx/2 stand for themselves, the others for a pair.
        g2 += (kx === 0 || 2 * kx === nx ? 1 : 2) * g * g;
      }
    }
  }
  await fft.inverse(spec, v.data);
  return g2 / (nx * ny * nz);
}

/**
 * Noise σ giving spectral SNR `shellSnr` at 1/res: σ² = mean_{shell}|F|²/(shellSnr·N), F the
 * unnormalised FFT of `clean`, N its voxel count, shell |s|·res ∈ [0.95, 1.05].
 */
export async function noiseSigmaForShellSnr(clean: Volume, resolution: number, shellSnr: number): Promise<number> {
  const fft = createRealFft3d(clean.dims);
  const spec = await fft.forward(clean.data);
  const [cx, cy, cz] = fft.complexDims;
  const [nx, ny, nz] = clean.dims;
  const [vx, vy, vz] = clean.voxelSize;
  const lo = 0.95 / resolution, hi = 1.05 / resolution;
  let sum = 0, n = 0;
  for (let kz = 0, p = 0; kz < cz; kz++) {
    const fz2 = (fftFreq(kz, nz) / vz) ** 2;
    for (let ky = 0; ky < cy; ky++) {
      const fyz2 = fz2 + (fftFreq(ky, ny) / vy) ** 2;
      for (let kx = 0; kx < cx; kx++, p += 2) {
        const s = Math.sqrt(fyz2 + (fftFreq(kx, nx) / vx) ** 2);
        if (s < lo || s > hi) continue;
        // Half-complex storage: kx = 0 (and nx/2) columns stand for themselves, others for a pair.
        const mult = kx === 0 || 2 * kx === nx ? 1 : 2;
        sum += mult * (spec[p] * spec[p] + spec[p + 1] * spec[p + 1]);
        n += mult;
      }
    }
  }
  if (n === 0) throw new RangeError(`noiseSigmaForShellSnr: no Fourier coefficient at ${resolution} Å on this grid`);
  return Math.sqrt(sum / n / (shellSnr * nx * ny * nz));
}

/** The value t such that `count` voxels of `data` are ≥ t (the count-th largest value). */
export function thresholdForCount(data: Float32Array, count: number): number {
  const sorted = Float32Array.from(data).sort();
  const k = Math.max(1, Math.min(sorted.length, Math.round(count)));
  return sorted[sorted.length - k];
}

/** Simulated noisy map of `model` at `resolution` and its threshold (file comment). */
export async function simulateHandCase(model: AtomModel, resolution: number, opts: HandCaseOptions = {}): Promise<HandCaseMap> {
  const voxel = opts.voxelA ?? Math.min(1.3, resolution / 3);
  const grid = gridAroundModel(model, voxel, opts.paddingA ?? 12);
  const clean = await simulateMap(model, grid, { resolution });
  const shellSnr = opts.shellSnr ?? SHELL_SNR;
  const sigma = Number.isFinite(shellSnr) ? await noiseSigmaForShellSnr(clean, resolution, shellSnr) : 0;
  const data = Float32Array.from(clean.data);
  if (sigma > 0) {
    const gauss = gaussianSource(mulberry32(opts.seed ?? 7));
    for (let i = 0; i < data.length; i++) data[i] += sigma * gauss();
  }
  const noisy: Volume = { ...clean, data };
  const noiseGain = opts.filter ?? true ? await lowPassInPlace(noisy, resolution) : 1;
  const threshold = thresholdForCount(data, (VOLUME_PER_ATOM_A3 * model.count) / voxel ** 3);
  let s = 0, ss = 0, n = 0;
  for (let i = 0; i < data.length; i++) {
    if (!(data[i] >= threshold)) continue;
    s += clean.data[i];
    ss += clean.data[i] * clean.data[i];
    n++;
  }
  const varSignal = n > 0 ? ss / n - (s / n) ** 2 : 0;
  return { volume: noisy, threshold, noiseSigma: sigma, realSpaceSnr: sigma > 0 ? varSignal / (sigma * sigma * noiseGain) : Infinity };
}

/** A model of the validation set. */
export interface HandValidationModel {
  readonly name: string;
  readonly load: () => Promise<AtomModel>;
}

/** One scored map. */
export interface HandValidationRow {
  readonly model: string;
  readonly resolution: number;
  /** The hand of the map: 'correct' (as simulated) or 'mirrored'. */
  readonly hand: 'correct' | 'mirrored';
  /** Hand score, NaN when not measurable. */
  readonly score: number;
  /** 'correct' (score ≤ 0.4), 'uncertain' (0.4–0.5), 'mirrored' (> 0.5) or 'not measurable'. */
  readonly call: 'correct' | 'uncertain' | 'mirrored' | 'not measurable';
  readonly segments: number;
  readonly realSpaceSnr: number;
  readonly seconds: number;
  /** Reason when not measurable. */
  readonly reason?: string;
}

/** The call of a score, with the VRS thresholds (0.4, 0.5). */
export function callOf(score: number): HandValidationRow['call'] {
  if (!Number.isFinite(score)) return 'not measurable';
  return score > 0.5 ? 'mirrored' : score > 0.4 ? 'uncertain' : 'correct';
}

/** Scores both hands of `map`; the mirrored one is `mirrorVolume(map.volume)` at the same threshold. */
export async function scoreBothHands(
  name: string, resolution: number, map: HandCaseMap, options: Partial<HandOptions> = {},
): Promise<HandValidationRow[]> {
  const rows: HandValidationRow[] = [];
  for (const hand of ['correct', 'mirrored'] as const) {
    const vol = hand === 'correct' ? map.volume : mirrorVolume(map.volume);
    const t0 = performance.now();
    let score = NaN, segments = 0, reason: string | undefined;
    try {
      const r = await handTest(vol, map.threshold, resolution, options);
      score = r.score;
      segments = r.usedSegments;
    } catch (err) {
      if (!(err instanceof NotMeasurable || err instanceof NotApplicable)) throw err;
      reason = err.message;
    }
    rows.push({ model: name, resolution, hand, score, call: callOf(score), segments, realSpaceSnr: map.realSpaceSnr, seconds: (performance.now() - t0) / 1000, reason });
  }
  return rows;
}

/** Runs every model × resolution × hand; `onRow` sees each row as it is done. */
export async function runHandValidation(
  models: readonly HandValidationModel[],
  resolutions: readonly number[] = HAND_VALIDATION_RESOLUTIONS,
  opts: HandCaseOptions & { hand?: Partial<HandOptions>; onRow?: (row: HandValidationRow) => void } = {},
): Promise<HandValidationRow[]> {
  const rows: HandValidationRow[] = [];
  for (const m of models) {
    const model = await m.load();
    for (const res of resolutions) {
      const map = await simulateHandCase(model, res, opts);
      for (const row of await scoreBothHands(m.name, res, map, opts.hand)) {
        rows.push(row);
        opts.onRow?.(row);
      }
    }
  }
  return rows;
}

/** A model file read with `readModel`, keeping only protein atoms of the given chains (all when empty). */
export function modelFromFile(name: string, path: string, chains: readonly string[] = []): HandValidationModel {
  return {
    name,
    load: async () => selectAtoms(await readModel(path), (m, i) => !m.isHetero[i] && (chains.length === 0 || chains.includes(m.chainId[i]))),
  };
}

/** The atoms of `m` for which `keep` is true, as a new model. */
export function selectAtoms(m: AtomModel, keep: (m: AtomModel, i: number) => boolean): AtomModel {
  const sel: number[] = [];
  for (let i = 0; i < m.count; i++) if (keep(m, i)) sel.push(i);
  const f32 = (a: Float32Array) => Float32Array.from(sel, (i) => a[i]);
  const str = (a: string[]) => sel.map((i) => a[i]);
  return {
    count: sel.length,
    x: f32(m.x), y: f32(m.y), z: f32(m.z), bFactor: f32(m.bFactor), occupancy: f32(m.occupancy),
    element: str(m.element), atomName: str(m.atomName), altLoc: str(m.altLoc), resName: str(m.resName), chainId: str(m.chainId),
    resSeq: Int32Array.from(sel, (i) => m.resSeq[i]), insCode: str(m.insCode), isHetero: Uint8Array.from(sel, (i) => m.isHetero[i]),
  };
}

/**
 * Confusion table as text: per resolution, for each true hand, how many maps were called
 * correct / uncertain / mirrored / not measurable; accuracy = right calls / maps (a not-measurable
 * or uncertain call counts as not right), and the largest |score(mirror) − (1 − score)|.
 */
export function confusionTable(rows: readonly HandValidationRow[]): string {
  const lines: string[] = [];
  const res = [...new Set(rows.map((r) => r.resolution))].sort((a, b) => a - b);
  lines.push('res Å | true hand | n | called correct | uncertain | mirrored | not measurable | accuracy');
  lines.push('---|---|---|---|---|---|---|---');
  const total = { n: 0, right: 0 };
  for (const r of res) {
    let nAll = 0, rightAll = 0;
    for (const hand of ['correct', 'mirrored'] as const) {
      const sub = rows.filter((x) => x.resolution === r && x.hand === hand);
      const c = (k: HandValidationRow['call']) => sub.filter((x) => x.call === k).length;
      const right = c(hand);
      nAll += sub.length;
      rightAll += right;
      lines.push(`${r} | ${hand} | ${sub.length} | ${c('correct')} | ${c('uncertain')} | ${c('mirrored')} | ${c('not measurable')} | ${pct(right, sub.length)}`);
    }
    lines.push(`${r} | both | ${nAll} | | | | | **${pct(rightAll, nAll)}**`);
    total.n += nAll;
    total.right += rightAll;
  }
  lines.push(`all | both | ${total.n} | | | | | **${pct(total.right, total.n)}**`);
  let worst = 0;
  for (const a of rows) {
    if (a.hand !== 'correct') continue;
    const b = rows.find((x) => x.model === a.model && x.resolution === a.resolution && x.hand === 'mirrored');
    if (b && Number.isFinite(a.score) && Number.isFinite(b.score)) worst = Math.max(worst, Math.abs(b.score - (1 - a.score)));
  }
  lines.push('', `largest |score(mirror) − (1 − score)| = ${worst.toFixed(3)}`);
  return lines.join('\n');
}

const pct = (a: number, n: number) => (n > 0 ? `${((100 * a) / n).toFixed(0)} % (${a}/${n})` : '–');
