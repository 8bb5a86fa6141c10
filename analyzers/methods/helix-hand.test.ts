import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readMrc } from '../io/mrc.ts';
import { PALETTE } from '../figures/plots.ts';
import { betaSheet, helixBundle } from '../simulate/protein.ts';
import { mirrorVolume } from '../simulate/simulate.ts';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import { toVolume } from '../volume/from-mrc.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { chiralityIndex, handScore, handTest, type HelixSegment } from './helix-hand.ts';
import { kthLargest } from './order-statistics.ts';
import { handWarnings, measureHand } from '../items/level0/0h-hand.ts';
import { handSegmentsFigure } from '../figures/hand-figure.ts';
import { modelFromFile, scoreBothHands, simulateHandCase, thresholdForCount } from '../../scripts/validation/hand-cases.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';

/**
 * A continuous helix of Gaussian beads (σ 1 Å, every 0.1 Å of arc) on an n³ grid of 1 Å voxels:
 * p(θ) = c + R(cos θ·u + sin θ·v) + (P θ/2π)·t with u × v = t, which is right-handed for P > 0
 * and left-handed for P < 0, θ over `turns` turns centred on c.
 */
function helixDensity(n: number, c: Vec3, t: Vec3, R: number, P: number, turns: number): Float32Array {
  const tn = Math.hypot(...t);
  const tt = t.map((x) => x / tn);
  const a = Math.abs(tt[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const dot = a[0] * tt[0] + a[1] * tt[1] + a[2] * tt[2];
  const u0 = [a[0] - dot * tt[0], a[1] - dot * tt[1], a[2] - dot * tt[2]];
  const un = Math.hypot(...u0);
  const u = u0.map((x) => x / un);
  const v = [tt[1] * u[2] - tt[2] * u[1], tt[2] * u[0] - tt[0] * u[2], tt[0] * u[1] - tt[1] * u[0]];
  const out = new Float32Array(n * n * n);
  const arcPerRad = Math.hypot(R, P / (2 * Math.PI));
  const dTheta = 0.1 / arcPerRad;
  for (let th = -Math.PI * turns; th <= Math.PI * turns; th += dTheta) {
    const z = (P * th) / (2 * Math.PI);
    const p = [0, 1, 2].map((k) => c[k] + R * (Math.cos(th) * u[k] + Math.sin(th) * v[k]) + z * tt[k]);
    const lo = p.map((x) => Math.max(0, Math.floor(x - 4)));
    const hi = p.map((x) => Math.min(n - 1, Math.ceil(x + 4)));
    for (let k = lo[2]; k <= hi[2]; k++) {
      for (let j = lo[1]; j <= hi[1]; j++) {
        for (let i = lo[0]; i <= hi[0]; i++) {
          const d2 = (i - p[0]) ** 2 + (j - p[1]) ** 2 + (k - p[2]) ** 2;
          out[i + n * (j + n * k)] += Math.exp(-d2 / 2);
        }
      }
    }
  }
  return out;
}

describe('chirality index (spec step 3) on ideal helices', () => {
  const n = 40;
  const dims: Vec3 = [n, n, n];
  const c: Vec3 = [19.3, 20.1, 19.6];
  const t: Vec3 = [1 / 3, 2 / 3, 2 / 3];

  it('is close to −1 for a right-handed helix of pitch 5.4 Å and close to +1 for a left-handed one', () => {
    const right = chiralityIndex(helixDensity(n, c, t, 2.3, 5.4, 3), dims, c, t, 7, 5.4, 1.5, 3.5);
    const left = chiralityIndex(helixDensity(n, c, t, 2.3, -5.4, 3), dims, c, t, 7, 5.4, 1.5, 3.5);
    expect(right.h).toBeLessThan(-0.95);
    expect(left.h).toBeGreaterThan(0.95);
    expect(right.helicity).toBeGreaterThan(0.7);
  });

  it('does not depend on the direction of the axis, and a mirror image of the map negates it', () => {
    const rho = helixDensity(n, c, t, 2.3, 5.4, 3);
    const fwd = chiralityIndex(rho, dims, c, t, 7, 5.4, 1.5, 3.5);
    const back = chiralityIndex(rho, dims, c, [-t[0], -t[1], -t[2]], 7, 5.4, 1.5, 3.5);
    expect(back.h).toBeCloseTo(fwd.h, 6);
    // Mirror through the grid's central z plane: z → n − 1 − z.
    const mir = new Float32Array(rho.length);
    for (let z = 0; z < n; z++) mir.set(rho.subarray(n * n * (n - 1 - z), n * n * (n - z)), n * n * z);
    const m = chiralityIndex(mir, dims, [c[0], c[1], n - 1 - c[2]], [t[0], t[1], -t[2]], 7, 5.4, 1.5, 3.5);
    expect(m.h).toBeCloseTo(-fwd.h, 2);
  });

  it('finds almost no helical power in a straight rod of the same mass', () => {
    const helix = chiralityIndex(helixDensity(n, c, t, 2.3, 5.4, 3), dims, c, t, 7, 5.4, 1.5, 3.5);
    // R = 0: beads on the axis; the bead spacing along the arc is the same 0.1 Å.
    const rod = chiralityIndex(helixDensity(n, c, t, 0, 5.4, 3), dims, c, t, 7, 5.4, 1.5, 3.5);
    expect(rod.cPlus2 + rod.cMinus2).toBeLessThan(1e-3 * (helix.cPlus2 + helix.cMinus2));
  });
});

describe('score, warnings and helpers', () => {
  const seg = (h: number, lengthA: number, used = true): HelixSegment => ({
    start: [0, 0, 0], end: [0, 0, lengthA], lengthA, h, helicity: 0.8, depth: 0.3, profilePeakA: 0, weight: used ? lengthA * Math.abs(h) : 0, used,
  });

  it('weights segments by length·|h| and ignores unused ones', () => {
    // Left: 10·0.5 = 5; right: 20·1 + 10·0.5 = 25; unused left one ignored.
    expect(handScore([seg(0.5, 10), seg(-1, 20), seg(-0.5, 10), seg(0.9, 30, false)])).toBeCloseTo(5 / 30, 12);
    expect(handScore([])).toBeNaN();
  });

  it('emits one warning per condition: none ≤ 0.4, uncertain in (0.4, 0.5], flipped above 0.5', () => {
    expect(handWarnings(0.4)).toEqual([]);
    expect(handWarnings(0.41).map((w) => w.code)).toEqual(['0h.uncertain']);
    expect(handWarnings(0.5).map((w) => w.code)).toEqual(['0h.uncertain']);
    expect(handWarnings(0.51).map((w) => w.code)).toEqual(['0h.flipped']);
    expect(handWarnings(0.51)[0].text).toMatch(/^The map seems to be mirrored \(wrong hand\)/);
  });

  it('kthLargest agrees with a full sort', () => {
    const a = new Float32Array(5000);
    for (let i = 0; i < a.length; i++) a[i] = Math.sin(i * 12.9898) * 43758.5453 % 1;
    a[17] = NaN;
    const sorted = Float32Array.from(a.filter((x) => !Number.isNaN(x))).sort();
    for (const k of [1, 2, 100, 2500, 4999]) expect(kthLargest(a, k)).toBe(sorted[sorted.length - k]);
    const ties = Float32Array.from([3, 1, 2, 2, 5, 2]);
    expect([1, 2, 3, 5, 6].map((k) => kthLargest(ties, k))).toEqual([5, 3, 2, 2, 1]);
  });
});

describe('applicability', () => {
  const v: Volume = { dims: [8, 8, 8], voxelSize: [1, 1, 1], origin: [0, 0, 0], data: new Float32Array(512).fill(1) };

  it('does not apply without a resolution (null or 0) or above 5 Å', async () => {
    await expect(handTest(v, 0.5, null)).rejects.toThrow(new NotApplicable('no resolution reported'));
    await expect(handTest(v, 0.5, 0)).rejects.toThrow(new NotApplicable('no resolution reported'));
    await expect(handTest(v, 0.5, 5.2)).rejects.toThrow(new NotApplicable('resolution worse than 5 Å'));
  });

  it('cannot measure a β-only map: no α-helix segment is found', async () => {
    const beta = betaSheet({ strands: 8, residuesPerStrand: 9 });
    for (const res of [3.5, 4.5]) {
      const map = await simulateHandCase(beta, res, {});
      const err = await handTest(map.volume, map.threshold, res).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotMeasurable);
      expect((err as Error).message).toMatch(/^too little α-helix to decide the hand: \d+ helix pieces? \([\d.]+ Å in total\) with chirality evidence Σ length·\|h\| = [\d.]+ Å; at least 30 Å are needed$/);
    }
  });
});

describe('simulated maps in both hands (validation subset, spectral SNR 1/3 at the resolution)', () => {
  const check = async (name: string, load: () => Promise<Parameters<typeof simulateHandCase>[0]>) => {
    const model = await load();
    for (const res of [3.5, 4.5]) {
      const [right, mirrored] = await scoreBothHands(name, res, await simulateHandCase(model, res, {}));
      expect(right.call, `${name} ${res} Å correct hand, score ${right.score}`).toBe('correct');
      expect(mirrored.call, `${name} ${res} Å mirrored, score ${mirrored.score}`).toBe('mirrored');
      expect(Math.abs(mirrored.score - (1 - right.score))).toBeLessThan(0.05);
    }
  };

  it('calls a 7-helix bundle and its mirror image correctly at 3.5 and 4.5 Å', async () => {
    await check('bundle', async () => helixBundle({ helices: 7, residuesPerHelix: 18, seed: 2 }));
  });

  it.skipIf(!haveFixtures('0.h apoferritin model'))('calls apoferritin (3AJO) and its mirror image correctly at 3.5 and 4.5 Å', async () => {
    await check('apoferritin', modelFromFile('apoferritin', fixture('EMD-20026-crop', 'model', '3ajo_fitted_refined.pdb')).load);
  });
});

describe.skipIf(!haveFixtures('0.h EMD-20026 real map'))('real map: EMD-20026 apoferritin crop (1.75 Å)', () => {
  it('is called correct and its mirror image flipped; the figure colours the segments by hand', async () => {
    const v = toVolume(await readMrc(fixture('EMD-20026-crop', 'emd20026_prot.mrc'))).volume;
    // Threshold: the 95th percentile of the crop (83 % of its voxels are exactly 0), which
    // encloses ≈ 15 000 Å³ (≈ 11 Å³ per atom of the 1413-atom subunit): a side-chain-level contour.
    const threshold = thresholdForCount(v.data, 0.05 * v.data.length);
    const rightTest = await handTest(v, threshold, 1.75);
    const leftTest = await handTest(mirrorVolume(v), threshold, 1.75);
    const right = { ...rightTest, result: measureHand(rightTest) };
    const left = { ...leftTest, result: measureHand(leftTest) };
    expect(right.result.values.helixSegments).toBeGreaterThanOrEqual(5);
    expect(right.result.values.score).toBeLessThan(0.1);
    expect(right.result.warnings).toEqual([]);
    expect(left.result.values.score).toBeGreaterThan(0.9);
    expect(left.result.warnings.map((w) => w.code)).toEqual(['0h.flipped']);
    expect(Math.abs((left.result.values.score as number) - (1 - (right.result.values.score as number)))).toBeLessThan(0.05);
    expect(right.result.tables[0].rows.length).toBe(right.segments.length);
    expect(right.result.values.evidenceA as number).toBeGreaterThanOrEqual(30);

    // Figure: the pixel at the middle of the longest used segment has the segment's colour.
    for (const [r, colour] of [[right, PALETTE[0]], [left, PALETTE[1]]] as const) {
      const fig = await handSegmentsFigure(r.maps, r.segments);
      const { data, info } = await sharp(fig.png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([fig.width, fig.height]);
      const g = r.segments.filter((s) => s.used).sort((a, b) => b.lengthA - a.lengthA)[0];
      const s = fig.width / r.maps.dims[0];
      const mx = (g.start[0] + g.end[0]) / 2, my = (g.start[1] + g.end[1]) / 2;
      const col = Math.floor(((mx - r.maps.origin[0]) / r.maps.voxelA + 0.5) * s);
      const row = Math.floor((r.maps.dims[1] - 1 - (my - r.maps.origin[1]) / r.maps.voxelA + 0.5) * s);
      const o = 3 * (row * info.width + col);
      const want = [1, 3, 5].map((k) => parseInt(colour.slice(k, k + 2), 16));
      expect(Array.from(data.subarray(o, o + 3))).toEqual(want);
    }
  });
});

describe.skipIf(!haveFixtures('0.h EMD-20026 at high contours'))('real map: EMD-20026 crop at high contours (few, long helices)', () => {
  it('is scored on helix evidence, not a count of pieces: 4 pieces at the 98.5th percentile, correct < 0.5, mirror > 0.5', async () => {
    const v = toVolume(await readMrc(fixture('EMD-20026-crop', 'emd20026_prot.mrc'))).volume;
    const mirrored = mirrorVolume(v);
    for (const q of [0.985, 0.99, 0.996]) {
      const threshold = thresholdForCount(v.data, (1 - q) * v.data.length);
      const right = await handTest(v, threshold, 1.75);
      const left = await handTest(mirrored, threshold, 1.75);
      console.log(`EMD-20026 crop at the ${q * 100}th percentile: ${right.usedSegments} pieces, ${right.totalLengthA.toFixed(1)} Å, evidence ${right.evidenceA.toFixed(1)} Å, score ${right.score.toFixed(3)}, mirror ${left.score.toFixed(3)}`);
      if (q === 0.985) expect(right.usedSegments).toBeLessThan(5); // the spec's "at least 5 segments" refused it
      expect(right.evidenceA).toBeGreaterThanOrEqual(30);
      expect(right.score).toBeLessThan(0.5);
      expect(left.score).toBeGreaterThan(0.5);
      expect(handWarnings(right.score)).toEqual([]);
      expect(handWarnings(left.score).map((w) => w.code)).toEqual(['0h.flipped']);
    }
  });
});
