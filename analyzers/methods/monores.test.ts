/**
 * 0.e MonoRes single-map local resolution on simulated maps with a known resolution.
 *
 * Maps: the default procedural protein (≈ 43 × 31 × 48 Å) simulated with molmap-style Gaussians
 * (σ = 0.225·res) on a 96³ grid of 1 Å voxels, plus white Gaussian noise; masks from `buildMasks`
 * on the noise-free map (15 % of its maximum, or half the maximum of the 6 Å map for the split
 * map: the mask's rim resolves worse, so the mask level shifts the medians by a few tenths of Å). MonoRes measures where the local signal sinks into the
 * noise, so for a Gaussian-blurred map its answer depends on the noise level: the noise levels
 * below were chosen once (a scan is in the commit notes) and are stated with each test. A map
 * band-limited by a sharp cut-off has a resolution that does not depend on the noise, which gives
 * the least arbitrary check.
 */
import { formatCount } from '../report/format-number.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AtomModel } from '../io/model.ts';
import { readMrc } from '../io/mrc.ts';
import { proceduralProtein } from '../simulate/protein.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';
import { gridAroundModel, simulateMap, type Grid } from '../simulate/simulate.ts';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import { createRealFft3d, fftFreq, goodFftSize } from '../fft/fft.ts';
import { toVolume } from '../volume/from-mrc.ts';
import type { Volume } from '../volume/volume.ts';
import { localResolution, localResolutionStatistics, noiseQuantile, type LocalResolutionOutput } from './monores.ts';
import { histogramSorted, percentileSorted } from './order-statistics.ts';
import { normalQuantile } from './distributions.ts';
import { measureLocalResolution } from '../items/level0/0e-local-resolution.ts';
import { localResolutionWarnings } from '../items/local-resolution-report.ts';
import type { ItemResult } from '../items/item.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';
import { buildMasks } from './masks.ts';
import { componentMask } from '../volume/labelling.ts';
import { dilate18 } from '../volume/morphology.ts';

/** MonoRes and the 0.e item's report part built from it (values, warnings, sentences, table). */
async function monoRes(v: Volume, mask: Uint8Array, res: number): Promise<LocalResolutionOutput & { result: ItemResult }> {
  const out = await localResolution(v, mask, res);
  return { ...out, result: measureLocalResolution(out.resmap, res, out.run) };
}

/** Noise σ as a fraction of the noise-free map's maximum, and the mask level likewise. */
const SPLIT_NOISE = 0.04;
const UNIFORM_NOISE = 0.06;
const MASK_LEVEL = 0.15;

let model: AtomModel;
let grid: Grid;
let map3: Volume;
let map4: Volume;
let map6: Volume;

beforeAll(async () => {
  model = proceduralProtein({ seed: 1 });
  const g = gridAroundModel(model, 1, 20, { cubic: true });
  // A multiple of 16 with factors 2, 3, 5 (96 here): the fast FFT engine takes it.
  const n = 16 * Math.ceil(goodFftSize(g.dims[0]) / 16);
  const shift = ((n - g.dims[0]) / 2) * g.voxelSize[0];
  grid = { dims: [n, n, n], voxelSize: g.voxelSize, origin: [g.origin[0] - shift, g.origin[1] - shift, g.origin[2] - shift] };
  [map3, map4, map6] = await Promise.all([3, 4, 6].map((resolution) => simulateMap(model, grid, { resolution })));
});

function maxOf(a: Float32Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** data + N(0, σ²) from a fixed seed (new array). */
function withNoise(data: Float32Array, sigma: number, seed: number): Float32Array {
  const g = gaussianSource(mulberry32(seed));
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] + sigma * g();
  return out;
}

/**
 * Noisy copy of a noise-free map (σ = noiseFraction × its maximum) and the hard mask of the
 * noise-free map at `threshold` (default MASK_LEVEL × its maximum). The mask comes from the
 * noise-free map so that it does not change with the noise draw.
 */
function noisyWithMask(clean: Volume, data: Float32Array, noiseFraction: number, threshold = MASK_LEVEL * maxOf(data), seed = 7): { v: Volume; mask: Uint8Array } {
  const v: Volume = { ...clean, data: withNoise(data, noiseFraction * maxOf(data), seed) };
  return { v, mask: buildMasks({ ...clean, data }, threshold).hard };
}

/** The 4 Å map with UNIFORM_NOISE, its mask, and its MonoRes run at res 4 Å (computed once, shared). */
let uniform4: Promise<{ v: Volume; mask: Uint8Array; out: LocalResolutionOutput & { result: ItemResult } }> | null = null;
function runUniform4() {
  uniform4 ??= (async () => {
    const { v, mask } = noisyWithMask(map4, map4.data, UNIFORM_NOISE);
    return { v, mask, out: await monoRes(v, mask, 4) };
  })();
  return uniform4;
}

/** Ascending in-mask values of the resolution map whose voxel satisfies `keep(x)`. */
function valuesWhere(resmap: Float32Array, dims: readonly number[], keep: (x: number) => boolean): Float32Array {
  const out: number[] = [];
  const [nx] = dims;
  for (let i = 0; i < resmap.length; i++) if (resmap[i] > 0 && keep(i % nx)) out.push(resmap[i]);
  return Float32Array.from(out).sort();
}

describe('0.e MonoRes local resolution on simulated maps', () => {
  it('a map simulated at 3 Å on its left half and 6 Å on its right half reads ≈ 3 and ≈ 6 Å', async () => {
    // Splice the two simulations by x with a smoothstep over 4 voxels around the centre.
    const n = grid.dims[0];
    const c = n / 2;
    const spliced = new Float32Array(map3.data.length);
    for (let i = 0; i < spliced.length; i++) {
      const t = Math.min(1, Math.max(0, ((i % n) - (c - 2)) / 4));
      const w = t * t * (3 - 2 * t);
      spliced[i] = (1 - w) * map3.data[i] + w * map6.data[i];
    }
    // Mask at half the maximum of the weaker (6 Å) half, so that both halves are covered alike.
    const { v, mask } = noisyWithMask(map3, spliced, SPLIT_NOISE, 0.5 * maxOf(map6.data));
    const { resmap, result } = await monoRes(v, mask, 3);
    const left = valuesWhere(resmap, v.dims, (x) => x < c);
    const right = valuesWhere(resmap, v.dims, (x) => x >= c);
    const q = (s: Float32Array, p: number) => percentileSorted(s, p);
    console.log(`split map: left p25/p50/p75 = ${[25, 50, 75].map((p) => q(left, p).toFixed(2))}, right = ${[25, 50, 75].map((p) => q(right, p).toFixed(2))}`);
    expect(left.length).toBeGreaterThan(5000);
    expect(right.length).toBeGreaterThan(5000);
    expect(Math.abs(q(left, 50) - 3)).toBeLessThanOrEqual(0.7);
    expect(Math.abs(q(right, 50) - 6)).toBeLessThanOrEqual(0.7);
    expect(q(left, 75)).toBeLessThan(q(right, 25));
    // The item's own numbers describe the same map.
    const all = valuesWhere(resmap, v.dims, () => true);
    const vals = result.values as { median: number; percentiles: Record<string, number>; histogram: { edges: number[]; counts: number[] } };
    expect(vals.median).toBeCloseTo(q(all, 50), 5);
    expect(vals.histogram.counts.reduce((a, b) => a + b, 0)).toBe(all.length);
    expect(vals.histogram.edges).toHaveLength(26);
  });

  it('a map at 4 Å gives a narrow distribution around 4 Å', async () => {
    const { mask, out: { resmap, result } } = await runUniform4();
    const vals = result.values as { percentiles: { p25: number; p50: number; p75: number }; reportedResolutionPercentile: number };
    const { p25, p50, p75 } = vals.percentiles;
    console.log(`4 Å map: p25/p50/p75 = ${p25.toFixed(2)} / ${p50.toFixed(2)} / ${p75.toFixed(2)} Å, P = ${vals.reportedResolutionPercentile.toFixed(1)}%`);
    expect(Math.abs(p50 - 4)).toBeLessThanOrEqual(0.5);
    expect(p75 - p25).toBeLessThan(1.6);
    expect(p25).toBeGreaterThanOrEqual(3);
    expect(p75).toBeLessThanOrEqual(5.25);
    // Reported 4 Å sits inside the distribution: no warning.
    expect(vals.reportedResolutionPercentile).toBeGreaterThan(10);
    expect(vals.reportedResolutionPercentile).toBeLessThan(90);
    expect(result.warnings).toEqual([]);
    // Nothing outside the mask (NaN: no value, never 0); everything inside the range
    // [2·Ts, max(10, 5·res)]; every mask voxel either has a value or is counted as unassigned.
    let outside = 0;
    let outOfRange = 0;
    let zeros = 0;
    let inMaskWithout = 0;
    for (let i = 0; i < resmap.length; i++) {
      if (resmap[i] === 0) zeros++;
      if (!mask[i] && !Number.isNaN(resmap[i])) outside++;
      if (mask[i] && Number.isNaN(resmap[i])) inMaskWithout++;
      if (!Number.isNaN(resmap[i]) && (resmap[i] < 2 || resmap[i] > 20)) outOfRange++;
    }
    expect(zeros).toBe(0);
    expect(outside).toBe(0);
    expect(outOfRange).toBe(0);
    const u = (result.values as { unassignedVoxels: { noiseLike: number; neverAbove: number } }).unassignedVoxels;
    expect(u.noiseLike + u.neverAbove).toBe(inMaskWithout);
  });

  it('a map band-limited at 5 Å (sharp cut-off) reads 5 Å at two noise levels', async () => {
    // Simulated at 2 Å, then every Fourier coefficient beyond 1/5 Å⁻¹ set to 0.
    const fine = await simulateMap(model, grid, { resolution: 2 });
    const fft = createRealFft3d(grid.dims);
    const spec = await fft.forward(fine.data);
    const [cx, ny, nz] = fft.complexDims;
    const n = grid.dims[0];
    for (let z = 0, p = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < cx; x++, p += 2) {
          if (Math.hypot(fftFreq(x, n), fftFreq(y, ny), fftFreq(z, nz)) > 1 / 5) spec[p] = spec[p + 1] = 0;
        }
      }
    }
    const limited = await fft.inverse(spec);
    for (const noise of [0.02, 0.05]) {
      const { v, mask } = noisyWithMask(fine, limited, noise);
      const vals = (await monoRes(v, mask, 5)).result.values as { percentiles: { p25: number; p50: number; p75: number } };
      const { p25, p50, p75 } = vals.percentiles;
      console.log(`band-limited 5 Å, noise ${noise}: p25/p50/p75 = ${p25.toFixed(2)} / ${p50.toFixed(2)} / ${p75.toFixed(2)} Å`);
      expect(Math.abs(p50 - 5)).toBeLessThanOrEqual(0.5);
    }
  });

  it('flags a reported resolution better than almost every local value', async () => {
    // The 4 Å map claimed at 2 Å: every local value is ≥ 2·Ts = 2 Å, so P = 0 %.
    const { v, mask } = await runUniform4();
    const claimed = await monoRes(v, mask, 2);
    expect((claimed.result.values as { reportedResolutionPercentile: number }).reportedResolutionPercentile).toBe(0);
    expect(claimed.result.warnings.map((w) => w.code)).toEqual(['0e.resolution-better-than-local']);
    expect(claimed.result.warnings[0].text).toContain('2.00 Å');
  });

  it('is deterministic', async () => {
    const { v, mask } = noisyWithMask(map6, map6.data, UNIFORM_NOISE);
    const a = await monoRes(v, mask, 6);
    const b = await monoRes(v, mask, 6);
    expect(Buffer.from(b.resmap.buffer).equals(Buffer.from(a.resmap.buffer))).toBe(true);
    expect(b.result).toEqual(a.result);
  });
});

describe('0.e applicability and failures', () => {
  const tiny: Volume = { dims: [8, 8, 8], voxelSize: [1, 1, 1], origin: [0, 0, 0], data: new Float32Array(512) };
  const mask = new Uint8Array(512).fill(1);

  it('does not apply without a resolution or outside [2, 13] Å', async () => {
    for (const res of [null, 0]) {
      await expect(localResolution(tiny, mask, res)).rejects.toThrow(new NotApplicable('no resolution reported'));
    }
    await expect(localResolution(tiny, mask, 1.9)).rejects.toThrow(new NotApplicable('resolution better than 2 Å'));
    await expect(localResolution(tiny, mask, 13.1)).rejects.toThrow(new NotApplicable('resolution worse than 13 Å'));
  });

  it('cannot measure a map whose background was masked to 0 before deposition', async () => {
    const { v, mask: hard } = noisyWithMask(map4, map4.data, UNIFORM_NOISE);
    const masked = v.data.map((x, i) => (hard[i] ? x : 0));
    const run = localResolution({ ...v, data: masked }, hard, 4);
    await expect(run).rejects.toBeInstanceOf(NotMeasurable);
    await expect(run).rejects.toThrow(/masked before deposition/);
  });

  it('drops a zeroed shell outside a spherical mask from the noise (cliff test) and still measures', async () => {
    const { v, mask, out } = await runUniform4();
    const n = v.dims[0];
    const c = Math.floor(n / 2);
    const R = 40;
    const sphere = v.data.map((x, i) => {
      const ix = i % n, iy = Math.floor(i / n) % n, iz = Math.floor(i / (n * n));
      return Math.hypot(ix - c, iy - c, iz - c) < R ? x : 0;
    });
    const open = out.result.values as { median: number };
    const cut = (await monoRes({ ...v, data: sphere }, mask, 4)).result.values as { median: number; cliff: { found: boolean; cutRadiusPx: number } };
    expect(cut.cliff.found).toBe(true);
    expect(cut.cliff.cutRadiusPx).toBeGreaterThanOrEqual(R - 2);
    expect(cut.cliff.cutRadiusPx).toBeLessThanOrEqual(R);
    expect(Math.abs(cut.median - open.median)).toBeLessThanOrEqual(0.25);
  });
});

describe.skipIf(!haveFixtures('0.e on EMD-44046'))('0.e on a real masked deposit', () => {
  it('EMD-44046 (background exactly 0 outside the molecule) could not be measured', async () => {
    // 360³ at 1.044 Å, recommended contour 0.3, reported resolution 2.99 Å (PROVENANCE.md).
    const v = toVolume(await readMrc(fixture('EMD-44046', 'emd_44046.map.gz'))).volume;
    const run = localResolution(v, buildMasks(v, 0.3).hard, 2.99);
    await expect(run).rejects.toBeInstanceOf(NotMeasurable);
    await expect(run).rejects.toThrow(/% of the \d+ background voxels outside the mask are exactly 0/);
  });
});

describe.skipIf(!haveFixtures('0.e on EMD-1997'))('0.e on a map where most mask voxels get no value', () => {
  it('EMD-1997 (GroEL, 7 Å): every mask voxel has a value or is counted with its reason; no 0 is stored', async () => {
    // 100³ at 2.02 Å (PROVENANCE.md), recommended contour 1.0, reported resolution 7 Å. At that
    // contour the largest piece holds only half of the thresholded mass: with that piece alone as
    // the mask (VRS's mask; ours now holds all 12 large pieces), the rest lies in the "noise"
    // outside the mask, which raises the noise model, and the mask refinement relabels about two
    // thirds of the mask as noise.
    const v = toVolume(await readMrc(fixture('EMD-1997', 'emd_1997.map'))).volume;
    const m = buildMasks(v, 1.0);
    const mask = dilate18(componentMask(m.labelling, m.pieces[0]), v.dims, m.dilations);
    const { resmap, run, result } = await monoRes(v, mask, 7);
    let inMask = 0, valued = 0, zeros = 0, outside = 0;
    for (let i = 0; i < resmap.length; i++) {
      if (resmap[i] === 0) zeros++;
      if (mask[i]) {
        inMask++;
        if (resmap[i] > 0) valued++;
      } else if (!Number.isNaN(resmap[i])) outside++;
    }
    const { noiseLike, neverAbove } = run.unassigned;
    console.log(`EMD-1997 0.e: ${inMask} mask voxels, ${valued} with a value, ${noiseLike} noise-like, ${neverAbove} never above the noise`);
    expect(zeros).toBe(0);
    expect(outside).toBe(0);
    expect(run.proteinCount).toBe(inMask);
    expect(valued + noiseLike + neverAbove).toBe(inMask);
    expect(noiseLike).toBeGreaterThan(inMask / 2);
    const vals = result.values as { voxels: number; unassignedVoxels: { noiseLike: number; neverAbove: number } };
    expect(vals.voxels).toBe(valued);
    expect(vals.unassignedVoxels).toEqual({ noiseLike, neverAbove });
    expect(result.results.join(' ')).toContain(`${formatCount(noiseLike + neverAbove)} of the ${formatCount(inMask)} mask voxels received no local resolution`);
    expect(result.results.join(' ')).toMatch(/below the 95th percentile of the noise model/);
  });
});

describe('0.e statistics helpers (numpy semantics)', () => {
  it('percentiles interpolate linearly like numpy.percentile', () => {
    const s = Float32Array.from([1, 2, 3, 4]);
    // numpy.percentile([1, 2, 3, 4], [0, 2.5, 25, 50, 97.5, 100]) = 1, 1.075, 1.75, 2.5, 3.925, 4
    expect(percentileSorted(s, 0)).toBe(1);
    expect(percentileSorted(s, 2.5)).toBeCloseTo(1.075, 12);
    expect(percentileSorted(s, 25)).toBeCloseTo(1.75, 12);
    expect(percentileSorted(s, 50)).toBeCloseTo(2.5, 12);
    expect(percentileSorted(s, 97.5)).toBeCloseTo(3.925, 12);
    expect(percentileSorted(s, 100)).toBe(4);
  });

  it('histograms like numpy.histogram (last bin closed, constant data widened by ±0.5)', () => {
    // numpy.histogram([0, 1, 1, 2, 5], bins=5) → counts [1, 2, 1, 0, 1], edges 0, 1, …, 5
    const h = histogramSorted(Float32Array.from([0, 1, 1, 2, 5]), 5);
    expect(h.counts).toEqual([1, 2, 1, 0, 1]);
    expect(h.edges).toEqual([0, 1, 2, 3, 4, 5]);
    // numpy.histogram([3, 3], bins=2) → counts [0, 2], edges [2.5, 3, 3.5]
    const c = histogramSorted(Float32Array.from([3, 3]), 2);
    expect(c.counts).toEqual([0, 2]);
    expect(c.edges).toEqual([2.5, 3, 3.5]);
  });

  it('P is the percentage of local values strictly better than the reported resolution; warnings fire as in §8', () => {
    // Values 1, 2, …, 100 Å (and zeros, which are outside the mask): 49 values below 50 Å.
    const ramp = new Float32Array(150);
    for (let i = 0; i < 100; i++) ramp[i + 50] = i + 1;
    const st = localResolutionStatistics(ramp, 50);
    expect(st.count).toBe(100);
    expect(st.reportedResolutionPercentile).toBe(49);
    expect(st.percentiles.p50).toBeCloseTo(50.5, 12);
    expect(st.percentiles.p2_5).toBeCloseTo(3.475, 5);
    expect(st.histogram.counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(st.histogram.counts).toHaveLength(25);
    expect(localResolutionWarnings('0e', st, 50)).toEqual([]);
    // 1 value in 1000 below the reported resolution: P = 0.1 % does not warn (strict); none below warns.
    const thousand = new Float32Array(1000).map((_, i) => 3 + (2 * i) / 999);
    thousand[0] = 2.5;
    expect(localResolutionWarnings('0e', localResolutionStatistics(thousand, 3), 3).map((w) => w.code)).toEqual([]);
    expect(localResolutionWarnings('0e', localResolutionStatistics(thousand, 2.5), 2.5).map((w) => w.code)).toEqual(['0e.resolution-better-than-local']);
    // A constant map is "homogeneous".
    const flat = localResolutionStatistics(new Float32Array(500).fill(3.2), 3.5);
    expect(localResolutionWarnings('0e', flat, 3.5).map((w) => w.code)).toEqual(["0e.homogeneous"]);
    expect(() => localResolutionStatistics(new Float32Array(10), 3)).toThrow(NotMeasurable);
  });

  it('z_α of the significance test is the standard normal quantile', () => {
    // scipy.stats.norm.ppf(0.95) = 1.6448536269514722, ppf(0.99) = 2.3263478740408408
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536, 5);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263479, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
  });
});

describe('0.e noise quantile', () => {
  /** Amplitudes with many ties (rounded) spread over many radix bins, and mixed labels. */
  function sample(n: number, seed: number): { A: Float32Array; labels: Int8Array } {
    const rand = mulberry32(seed);
    const A = new Float32Array(n);
    const labels = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      A[i] = Math.round(rand() ** 3 * 5000) / 1000;
      const r = rand();
      labels[i] = r < 0.1 ? -1 : r < 0.7 ? 0 : 1;
    }
    return { A, labels };
  }

  function reference(A: Float32Array, labels: Int8Array, alpha: number) {
    const noise = [...A].filter((_, i) => labels[i] === 0);
    const sorted = noise.toSorted((a, b) => a - b);
    const k = Math.min(noise.length - 1, Math.floor(alpha * noise.length));
    return { threshold: sorted[k], count: noise.length, mean: noise.reduce((s, a) => s + a, 0) / noise.length };
  }

  /** The noise sample's indices (label 0), ascending. */
  const noiseOf = (labels: Int8Array) => Int32Array.from([...labels.keys()].filter((i) => labels[i] === 0));

  it('is the exact k-th smallest noise amplitude, with the noise mean of the same pass', () => {
    for (const [seed, alpha] of [[1, 0.95], [2, 0.5], [3, 0.999], [4, 0]] as const) {
      const { A, labels } = sample(200_001, seed);
      const got = noiseQuantile(A, noiseOf(labels), new Float32Array(A.length), alpha);
      const want = reference(A, labels, alpha);
      expect(got.threshold).toBe(want.threshold);
      expect(got.count).toBe(want.count);
      // Summed in the same order as the reference: the same bits.
      expect(got.mean).toBe(want.mean);
    }
  });

  it('finds the k-th value when the counts below its bin add up to exactly k', () => {
    // Ten noise amplitudes 1 and ten 2 (different top-16-bit bins): k = 10 is the first 2.
    const A = Float32Array.from([...Array(10).fill(1), ...Array(10).fill(2), 0.5, 7]);
    const labels = Int8Array.from([...Array(20).fill(0), 1, -1]);
    const got = noiseQuantile(A, noiseOf(labels), new Float32Array(A.length), 0.5);
    expect(got.threshold).toBe(2);
    expect(noiseQuantile(A, noiseOf(labels), new Float32Array(A.length), 0.45).threshold).toBe(1);
    expect(got.mean).toBe(1.5);
    expect(got.count).toBe(20);
  });

  it('stays exact when a noise amplitude is negative, −0 or infinite (values whose bits do not sort)', () => {
    const { A, labels } = sample(50_000, 5);
    const noiseAt = [...labels.keys()].filter((i) => labels[i] === 0);
    A[noiseAt[0]] = -1;
    A[noiseAt[1]] = -0;
    A[noiseAt[2]] = Infinity;
    for (const alpha of [0, 0.5, 0.95]) {
      const got = noiseQuantile(A, noiseOf(labels), new Float32Array(A.length), alpha);
      expect(got.threshold).toBe(reference(A, labels, alpha).threshold);
    }
  });
});
