/**
 * EMRinger's pieces on hand-computed answers: the rotameric windows (39 of the 72 angles, so
 * p = 39/72 is the chance of a random peak), the Z-score, the γ circle (χ1 = its angle, bond and
 * angle kept, the model's γ on it), a one-residue map whose only density is a blob at a chosen χ1,
 * the 20 thresholds and their counts on a hand-made scan, the rolling windows by residue number,
 * and the first-altloc rule.
 */
import { describe, expect, it } from 'vitest';
import type { AtomModel } from '../io/model.ts';
import type { Volume } from '../volume/volume.ts';
import { ANGLES, ANGLE_STEP_DEG, dihedralDeg, emringerScore, gammaCircle, isRotameric, P_ROTAMERIC, rollingWindows, rotamerZ, scanChi1, scannedResidueAtoms, type Chi1Scan } from './emringer.ts';

/** A model from rows [name, resName, chain, resSeq, altLoc, x, y, z]. */
function model(rows: [string, string, string, number, string, number, number, number][]): AtomModel {
  return {
    count: rows.length,
    x: Float32Array.from(rows.map((r) => r[5])),
    y: Float32Array.from(rows.map((r) => r[6])),
    z: Float32Array.from(rows.map((r) => r[7])),
    bFactor: new Float32Array(rows.length).fill(20),
    occupancy: new Float32Array(rows.length).fill(1),
    element: rows.map((r) => r[0][0]),
    atomName: rows.map((r) => r[0]),
    altLoc: rows.map((r) => r[4]),
    resName: rows.map((r) => r[1]),
    chainId: rows.map((r) => r[2]),
    resSeq: Int32Array.from(rows.map((r) => r[3])),
    insCode: rows.map(() => ''),
    isHetero: new Uint8Array(rows.length),
  };
}

/** A serine with a real-looking geometry (N, CA, CB, OG; χ1 ≈ 180°). */
const SER: [string, string, string, number, string, number, number, number][] = [
  ['N', 'SER', 'A', 1, '', 0, 1.45, 0],
  ['CA', 'SER', 'A', 1, '', 0, 0, 0],
  ['C', 'SER', 'A', 1, '', 1.45, -0.5, 0.2],
  ['CB', 'SER', 'A', 1, '', -0.55, -0.7, 1.25],
  ['OG', 'SER', 'A', 1, '', -0.4, -2.1, 1.3],
];

/** A scan from peaks and means only (what the scoring reads). */
function fakeScan(peaks: { chain?: string; resSeq?: number; angle: number; peak: number; mean: number }[]): Chi1Scan {
  return {
    chain: peaks.map((p) => p.chain ?? 'A'),
    resSeq: Int32Array.from(peaks, (p, k) => p.resSeq ?? k + 1),
    insCode: peaks.map(() => ''),
    resName: peaks.map(() => 'LEU'),
    modelChi1: new Float64Array(peaks.length),
    peakAngle: Int32Array.from(peaks, (p) => p.angle),
    peakValue: Float64Array.from(peaks, (p) => p.peak),
    meanValue: Float64Array.from(peaks, (p) => p.mean),
    samples: new Float64Array(ANGLES * peaks.length),
    skippedMissingAtoms: 0,
    skippedOutsideMap: 0,
  };
}

describe('rotameric windows and the Z-score', () => {
  it('windows are ±30° inclusive about 60°, 180°, 300°: 39 of the 72 sampled angles, which is p', () => {
    expect([30, 60, 90, 150, 210, 270, 300, 330].every(isRotameric)).toBe(true);
    expect([0, 25, 95, 145, 215, 265, 335, 355].some(isRotameric)).toBe(false);
    const hits = Array.from({ length: ANGLES }, (_, k) => k * ANGLE_STEP_DEG).filter(isRotameric).length;
    expect(hits).toBe(39);
    expect(P_ROTAMERIC).toBe(hits / ANGLES);
  });

  it('Z = (r − n·p)/√(n·p·(1−p)): 0 at chance, known values, null without peaks', () => {
    expect(rotamerZ(72, 39)).toBeCloseTo(0, 12);
    // n = 100, r = 100: (100 − 54.1667)/√(100·0.541667·0.458333) = 45.8333/4.98260 = 9.19866.
    expect(rotamerZ(100, 100)!).toBeCloseTo(9.198662, 6);
    expect(rotamerZ(1, 0)!).toBeCloseTo(-Math.sqrt(39 / 33), 12);
    expect(rotamerZ(0, 0)).toBeNull();
  });
});

describe('the γ circle', () => {
  it('puts γ at χ1 = 0, 5, …, 355° with the model\'s bond length and angle, passing through the model\'s γ', () => {
    const m = model(SER);
    const circle = gammaCircle(m, 0, 1, 3, 4)!;
    const chi0 = dihedralDeg(m, 0, 1, 3, 4);
    const bond = Math.hypot(m.x[4] - m.x[3], m.y[4] - m.y[3], m.z[4] - m.z[3]);
    const withPoint = (k: number): AtomModel => model([...SER.slice(0, 4), ['OG', 'SER', 'A', 1, '', circle[3 * k], circle[3 * k + 1], circle[3 * k + 2]]]);
    for (let k = 0; k < ANGLES; k++) {
      const p = withPoint(k);
      const chi = dihedralDeg(p, 0, 1, 3, 4);
      expect(Math.abs(((chi - k * ANGLE_STEP_DEG + 540) % 360) - 180)).toBeLessThan(1e-3);
      expect(Math.hypot(p.x[4] - p.x[3], p.y[4] - p.y[3], p.z[4] - p.z[3])).toBeCloseTo(bond, 5);
    }
    // The model's own γ lies on the circle at its χ1 (between two samples: rebuild at that angle from the two neighbours' frame).
    const k = Math.round(chi0 / ANGLE_STEP_DEG) % ANGLES;
    const d = Math.hypot(circle[3 * k] - m.x[4], circle[3 * k + 1] - m.y[4], circle[3 * k + 2] - m.z[4]);
    // Chord of at most 2.5° on a circle of radius ≤ bond.
    expect(d).toBeLessThan(2 * bond * Math.sin((2.5 * Math.PI) / 180) + 1e-5);
  });

  it('a degenerate frame (N on the CA–CB line) gives no circle', () => {
    // N = CA − (CB − CA): (CA − N) × (CB − CA) = 0.
    expect(gammaCircle(model([['N', 'SER', 'A', 1, '', 0.55, 0.7, -1.25], ...SER.slice(1)]), 0, 1, 3, 4)).toBeNull();
    expect(gammaCircle(model(SER), 0, 1, 3, 4)).not.toBeNull();
  });
});

describe('the scan in a map', () => {
  it('a map whose only density is a blob at χ1 = 65° peaks at 65° (σ-scaled samples)', () => {
    const m = model(SER);
    const circle = gammaCircle(m, 0, 1, 3, 4)!;
    const k65 = 65 / ANGLE_STEP_DEG;
    const blob = [circle[3 * k65], circle[3 * k65 + 1], circle[3 * k65 + 2]];
    const n = 40, h = 0.25, origin: [number, number, number] = [-5, -5, -4];
    const data = new Float32Array(n * n * n);
    for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      const r2 = (origin[0] + x * h - blob[0]) ** 2 + (origin[1] + y * h - blob[1]) ** 2 + (origin[2] + z * h - blob[2]) ** 2;
      data[x + n * (y + n * z)] = 3 + 10 * Math.exp(-r2 / (2 * 0.5 * 0.5));
    }
    const map: Volume = { dims: [n, n, n], voxelSize: [h, h, h], origin, data } as Volume;
    const s = scanChi1(map, m);
    expect(Array.from(s.peakAngle)).toEqual([65]);
    expect(isRotameric(65)).toBe(true);
    expect(s.meanValue[0]).toBeGreaterThan(0);
    expect(s.peakValue[0]).toBeGreaterThan(s.meanValue[0]);
    expect(Math.max(...s.samples)).toBe(s.peakValue[0]);
    // σ-scaled samples: shifting and scaling the map changes none of them (to float32 rounding).
    const s2 = scanChi1({ ...map, data: data.map((v) => 7 * v - 100) }, m);
    s2.samples.forEach((v, k) => expect(v).toBeCloseTo(s.samples[k], 4));
    expect(Array.from(s2.peakAngle)).toEqual([65]);
  });

  it('takes the first alternate location only, blank atoms shared; types without a γ are not scanned', () => {
    const m = model([
      ...SER.slice(0, 4),
      ['OG', 'SER', 'A', 1, 'A', -0.4, -2.1, 1.3],
      ['OG', 'SER', 'A', 1, 'B', 0.9, -1.4, 1.9],
      ['N', 'VAL', 'A', 2, '', 1, 1, 1],
      ['CA', 'VAL', 'A', 2, '', 2, 1, 1],
      ['CB', 'VAL', 'A', 2, '', 2, 2, 1],
      ['CG1', 'VAL', 'A', 2, '', 2, 3, 1],
    ]);
    const r = scannedResidueAtoms(m);
    expect(r.length).toBe(1);
    expect([r[0].n, r[0].ca, r[0].cb, r[0].g]).toEqual([0, 1, 3, 4]);
  });
});

describe('thresholds and their counts', () => {
  // Means 0, 0, 1, 1 (a = 0.5); peaks up to 10.5 (M): t_j = 0.5 + j·0.5.
  const scan = fakeScan([
    { angle: 60, peak: 10.5, mean: 0 },
    { angle: 180, peak: 5.2, mean: 0 },
    { angle: 0, peak: 3.1, mean: 1 },
    { angle: 120, peak: 0.6, mean: 1 },
  ]);

  it('20 thresholds from the mean of the means to the highest peak; n and r are the peaks strictly above each', () => {
    const e = emringerScore(scan)!;
    expect(e.rows.map((r) => r.threshold)).toEqual(Array.from({ length: 20 }, (_, j) => 0.5 + j * 0.5));
    // t = 0.5: all four (2 rotameric); t = 1, 1.5 … 3: three (2); 3.5 … 5: two (2); 5.5 … 10: one (1).
    expect(e.rows.map((r) => r.n)).toEqual([4, ...Array(5).fill(3), ...Array(4).fill(2), ...Array(10).fill(1)]);
    expect(e.rows.map((r) => r.r)).toEqual([2, ...Array(5).fill(2), ...Array(4).fill(2), ...Array(10).fill(1)]);
    // The highest Z is that of n = 2, r = 2 (first at t = 3.5); score 10·Z/√4.
    const z22 = rotamerZ(2, 2)!;
    expect(e.maxZ).toBeCloseTo(z22, 12);
    expect(e.optimal).toBe(6);
    expect(e.optimalThreshold).toBe(3.5);
    expect(e.rotamerRatio).toBe(1);
    expect(e.score).toBeCloseTo((10 * z22) / 2, 12);
    expect(e.scanned).toBe(4);
  });

  it('nothing scanned, or peaks that do not rise above the mean: no result', () => {
    expect(emringerScore(fakeScan([]))).toBeNull();
    expect(emringerScore(fakeScan([{ angle: 60, peak: 1, mean: 1 }]))).toBeNull();
  });
});

describe('rolling windows', () => {
  it('counts, per chain, the scanned residues numbered centre ± 10 and their peaks above the threshold', () => {
    const scan = fakeScan([
      { chain: 'A', resSeq: 1, angle: 60, peak: 2, mean: 0 },
      { chain: 'A', resSeq: 5, angle: 0, peak: 2, mean: 0 },
      { chain: 'A', resSeq: 11, angle: 180, peak: 0.5, mean: 0 },
      { chain: 'A', resSeq: 30, angle: 300, peak: 2, mean: 0 },
      { chain: 'B', resSeq: 3, angle: 60, peak: 2, mean: 0 },
    ]);
    const w = rollingWindows(scan, 1);
    expect(w.map((c) => c.chain)).toEqual(['A', 'B']);
    expect(Array.from(w[0].centre)).toEqual([1, 5, 11, 30]);
    // Windows: 1 → {1, 5, 11}; 5 → {1, 5, 11}; 11 → {1, 5, 11}; 30 → {30}.
    expect(Array.from(w[0].total)).toEqual([3, 3, 3, 1]);
    expect(Array.from(w[0].n)).toEqual([2, 2, 2, 1]);
    expect(Array.from(w[0].r)).toEqual([1, 1, 1, 1]);
    expect(w[0].z[0]).toBeCloseTo(rotamerZ(2, 1)!, 12);
    expect(w[0].z[3]).toBeCloseTo(rotamerZ(1, 1)!, 12);
    expect(Array.from(w[1].n)).toEqual([1]);
    expect(Number.isNaN(rollingWindows(scan, 5)[1].z[0])).toBe(true);
  });
});
