/**
 * A.f EMRinger on known answers: a procedural protein (χ1 exactly at the staggered rotamers 60°,
 * 180°, 300°) simulated into a noisy 2.5 Å map scores high; the map simulated from the same model
 * with every side chain turned about CA–CB off its rotamer (γ and beyond) scores low; the model's
 * own χ1 plays no part (turning the model's side chains leaves the scan unchanged); the real
 * apoferritin fixture (EMD-20026 crop + 3ajo, 1.75 Å) scores well above 1 and drops when the
 * model is moved 1.5 Å off its density, and a 3.2 Å ribosomal protein (EMD-2566 crop + 3J6B
 * chain 9, with truncated side chains) scores above 1; scores, Z, thresholds, peak angles and rolling windows
 * agree with the independent numpy reference; above 4.5 Å the item does not apply, and a model
 * without scannable side chains could not be measured.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtomModel } from '../../io/model.ts';
import { readModel } from '../../io/model-read.ts';
import { readMrc } from '../../io/mrc.ts';
import { GAMMA_ATOM, scanChi1 } from '../../methods/emringer.ts';
import { modelMapOnGrid, translateModel } from '../../simulate/model-map.ts';
import { gridAroundModel } from '../../simulate/simulate.ts';
import { proceduralProtein } from '../../simulate/protein.ts';
import { fixture, haveFixtures } from '../../testing/fixtures.ts';
import { havePython, runReference } from '../../testing/python.ts';
import { NotApplicable, NotMeasurable } from '../../util/errors.ts';
import { gaussianSource, mulberry32 } from '../../util/random.ts';
import { toVolume } from '../../volume/from-mrc.ts';
import type { Volume } from '../../volume/volume.ts';
import { checkResolution, emringer, MAX_RESOLUTION_A, peakHistogram, type EmringerExtra } from './Af-emringer.ts';

const RES = 2.5;
const BACKBONE_AND_CB = new Set(['N', 'CA', 'C', 'O', 'OXT', 'CB']);

/**
 * The designed defect: every side chain of a scanned type turned by `deg` about its CA→CB axis
 * (right hand, through CB), γ and every atom beyond it; backbone and CB stay.
 */
function turnSideChains(model: AtomModel, deg: number): AtomModel {
  const x = model.x.slice(), y = model.y.slice(), z = model.z.slice();
  const t = (deg * Math.PI) / 180, c = Math.cos(t), s = Math.sin(t);
  const residues = new Map<string, number[]>();
  for (let j = 0; j < model.count; j++) {
    if (!GAMMA_ATOM.has(model.resName[j])) continue;
    const key = `${model.chainId[j]}|${model.resSeq[j]}|${model.insCode[j]}`;
    residues.set(key, [...(residues.get(key) ?? []), j]);
  }
  for (const atoms of residues.values()) {
    const ca = atoms.find((j) => model.atomName[j] === 'CA'), cb = atoms.find((j) => model.atomName[j] === 'CB');
    if (ca === undefined || cb === undefined) continue;
    let ux = x[cb] - x[ca], uy = y[cb] - y[ca], uz = z[cb] - z[ca];
    const l = Math.hypot(ux, uy, uz);
    ux /= l; uy /= l; uz /= l;
    for (const j of atoms) {
      if (BACKBONE_AND_CB.has(model.atomName[j])) continue;
      // Rodrigues' rotation of v = atom − CB.
      const vx = x[j] - x[cb], vy = y[j] - y[cb], vz = z[j] - z[cb];
      const d = ux * vx + uy * vy + uz * vz;
      const cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
      x[j] = x[cb] + vx * c + cx * s + ux * d * (1 - c);
      y[j] = y[cb] + vy * c + cy * s + uy * d * (1 - c);
      z[j] = z[cb] + vz * c + cz * s + uz * d * (1 - c);
    }
  }
  return { ...model, x, y, z };
}

/** The model cut back to poly-ALA (no atom beyond CB). */
function polyAla(model: AtomModel): AtomModel {
  const keep = Array.from({ length: model.count }, (_, j) => j).filter((j) => BACKBONE_AND_CB.has(model.atomName[j]));
  const pick = <T>(a: ArrayLike<T>) => keep.map((j) => a[j]);
  return {
    count: keep.length,
    x: Float32Array.from(pick(model.x)), y: Float32Array.from(pick(model.y)), z: Float32Array.from(pick(model.z)),
    bFactor: Float32Array.from(pick(model.bFactor)), occupancy: Float32Array.from(pick(model.occupancy)),
    element: pick(model.element), atomName: pick(model.atomName), altLoc: pick(model.altLoc), resName: keep.map(() => 'ALA'),
    chainId: pick(model.chainId), resSeq: Int32Array.from(pick(model.resSeq)), insCode: pick(model.insCode), isHetero: Uint8Array.from(pick(model.isHetero)),
  };
}

/** PDB text of a model (fixed columns, 3 decimals), for the reference. */
function pdbText(m: AtomModel): string {
  const lines: string[] = [];
  for (let j = 0; j < m.count; j++) {
    const name = m.atomName[j].length < 4 ? ` ${m.atomName[j]}`.padEnd(4) : m.atomName[j];
    lines.push(`${m.isHetero[j] ? 'HETATM' : 'ATOM  '}${String(j + 1).padStart(5)} ${name}${m.altLoc[j] || ' '}${m.resName[j].padStart(3)} ${m.chainId[j] || ' '}${String(m.resSeq[j]).padStart(4)}${m.insCode[j] || ' '}   ${m.x[j].toFixed(3).padStart(8)}${m.y[j].toFixed(3).padStart(8)}${m.z[j].toFixed(3).padStart(8)}  1.00 20.00          ${m.element[j].padStart(2)}`);
  }
  return `${lines.join('\n')}\nEND\n`;
}

/** Noisy simulated map of `model` at RES on a 0.8 Å grid (noise σ = 0.5 × the map's σ inside the protein). */
async function noisyMap(model: AtomModel, seed: number): Promise<Volume> {
  const clean = await modelMapOnGrid(model, gridAroundModel(model, 0.8, 8), RES);
  let max = 0;
  for (const v of clean.data) max = Math.max(max, v);
  const g = gaussianSource(mulberry32(seed));
  return { ...clean, data: clean.data.map((v) => v + 0.05 * max * g()) };
}

interface Reference {
  residues: [string, number, string, number, number, number][];
  rows: [number, number, number, number | null][];
  maxZ: number;
  score: number;
  optimalThreshold: number;
  rotamerRatio: number;
  scanned: number;
  rolling: Record<string, [number, number | null][]>;
  seconds: number;
}

async function reference(dir: string, stem: string, map: Volume, modelPdb: string): Promise<Reference> {
  const mapPath = path.join(dir, `${stem}.f32`);
  writeFileSync(mapPath, Buffer.from(map.data.buffer, map.data.byteOffset, map.data.byteLength));
  const args = [mapPath, ...map.dims.map(String), ...map.voxelSize.map(String), ...map.origin.map(String), modelPdb];
  return JSON.parse(await runReference('emringer_reference.py', args)) as Reference;
}

/** Every number of the measurement against the reference: peak angles identical, the rest to 1e-3 or better. */
function expectAgreement(e: EmringerExtra, ref: Reference): void {
  const s = e.scan;
  expect(s.peakAngle.length).toBe(ref.scanned);
  ref.residues.forEach(([chain, resSeq, , angle, peak, mean], k) => {
    expect([s.chain[k], s.resSeq[k]]).toEqual([chain, resSeq]);
    expect(s.peakAngle[k]).toBe(angle);
    expect(s.peakValue[k]).toBeCloseTo(peak, 5);
    expect(s.meanValue[k]).toBeCloseTo(mean, 5);
  });
  ref.rows.forEach(([t, n, r, z], j) => {
    const row = e.result.rows[j];
    expect(row.threshold).toBeCloseTo(t, 5);
    expect([row.n, row.r]).toEqual([n, r]);
    if (z === null) expect(row.z).toBeNull();
    else expect(row.z!).toBeCloseTo(z, 6);
  });
  expect(e.result.score).toBeCloseTo(ref.score, 3);
  expect(e.result.maxZ).toBeCloseTo(ref.maxZ, 3);
  expect(e.result.optimalThreshold).toBeCloseTo(ref.optimalThreshold, 5);
  expect(e.result.rotamerRatio).toBeCloseTo(ref.rotamerRatio, 9);
  for (const w of e.windows) {
    const prof = ref.rolling[w.chain];
    expect(Array.from(w.centre)).toEqual(prof.map((p) => p[0]));
    prof.forEach(([, z], i) => (z === null ? expect(Number.isNaN(w.z[i])).toBe(true) : expect(w.z[i]).toBeCloseTo(z, 6)));
  }
}

let work = '';
let ideal: AtomModel;
let idealMap: Volume;
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'emvr-Af-'));
  // Through PDB text, so that the analyzer and the reference read the same coordinates.
  writeFileSync(path.join(work, 'ideal.pdb'), pdbText(proceduralProtein({ seed: 5 })));
  ideal = await readModel(path.join(work, 'ideal.pdb'));
  idealMap = await noisyMap(ideal, 11);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('A.f on simulated maps', () => {
  it('a model with ideal rotamers in its own noisy 2.5 Å map: almost every peak rotameric, a high score', () => {
    const m = emringer(idealMap, ideal, RES);
    const v = m.values as Record<string, number>;
    console.log(`ideal rotamers: score ${v.emringerScore.toFixed(3)}, maxZ ${v.maxZ.toFixed(3)}, ratio ${v.rotamerRatio.toFixed(3)}, threshold ${v.optimalThreshold.toFixed(3)} σ, N ${v.scannedResidues}`);
    expect(v.scannedResidues).toBeGreaterThan(60);
    // χ1 was built at exactly 60°, 180° or 300°: the peaks above the optimal threshold sit at it, half of them within one 5° step.
    const s = m.extra.scan;
    const off = Array.from(s.peakAngle, (a, k) => Math.abs(((a - s.modelChi1[k] + 540) % 360) - 180)).filter((_, k) => s.peakValue[k] > v.optimalThreshold);
    console.log(`peak offsets from the built χ1 (peaks above the optimal threshold): ${off.map((d) => Math.round(d)).sort((a, b) => a - b).join(" ")}`);
    // The δ atoms and the neighbours' density pull some peaks along the circle, never out of the window (0.1° for the coordinates' 1e-3 Å rounding in PDB text).
    const sorted = off.slice().sort((a, b) => a - b);
    expect(sorted[sorted.length >> 1]).toBeLessThanOrEqual(5.1);
    expect(sorted.at(-1)!).toBeLessThanOrEqual(25.1);
    expect(v.rotamerRatio).toBeGreaterThan(0.9);
    expect(v.emringerScore).toBeGreaterThan(4);
    expect(m.warnings).toEqual([]);
  });

  it('the map of the same model with its side chains turned 60° (eclipsed): peaks off the rotamers, a negative score, both warnings', async () => {
    const map = await noisyMap(turnSideChains(ideal, 60), 11);
    const m = emringer(map, ideal, RES);
    const v = m.values as Record<string, number>;
    console.log(`side chains turned 60°: score ${v.emringerScore.toFixed(3)}, maxZ ${v.maxZ.toFixed(3)}, ratio ${v.rotamerRatio.toFixed(3)}`);
    expect(v.rotamerRatio).toBeLessThan(0.3);
    expect(v.emringerScore).toBeLessThan(0);
    expect(m.warnings.map((w) => w.code)).toEqual(['Af.low-score', 'Af.low-z']);
  });

  it('the map with side chains turned 30° (peaks at the window edges): a clearly lower score', async () => {
    const good = emringer(idealMap, ideal, RES).values as Record<string, number>;
    const m = emringer(await noisyMap(turnSideChains(ideal, 30), 11), ideal, RES);
    const v = m.values as Record<string, number>;
    console.log(`side chains turned 30°: score ${v.emringerScore.toFixed(3)} (ideal ${good.emringerScore.toFixed(3)}), ratio ${v.rotamerRatio.toFixed(3)}`);
    expect(v.emringerScore).toBeLessThan(0.6 * good.emringerScore);
  });

  it('the model\'s own χ1 plays no part: the same map scanned with the model\'s side chains turned gives the same peaks and score', () => {
    const a = emringer(idealMap, ideal, RES);
    const b = emringer(idealMap, turnSideChains(ideal, 60), RES);
    expect(Array.from(b.extra.scan.peakAngle)).toEqual(Array.from(a.extra.scan.peakAngle));
    expect(b.values.emringerScore as number).toBeCloseTo(a.values.emringerScore as number, 9);
    // …while the model's own χ1 did move by 60°.
    expect(((b.extra.scan.modelChi1[0] - a.extra.scan.modelChi1[0] + 360) % 360)).toBeCloseTo(60, 2);
  });

  it('the χ1 peak histogram at the optimal threshold counts exactly the peaks above it', () => {
    const m = emringer(idealMap, ideal, RES);
    const h = peakHistogram(m.extra.scan, m.extra.result.optimalThreshold);
    expect(h.reduce((s, c) => s + c, 0)).toBe(m.extra.result.rows[m.extra.result.optimal].n);
  });

  it.skipIf(!havePython(['numpy', 'scipy'], 'A.f numpy cross-check'))('peaks, thresholds, Z, score and rolling windows agree with numpy (ideal and turned maps)', async () => {
    for (const [stem, map] of [['ideal', idealMap], ['turned', await noisyMap(turnSideChains(ideal, 60), 11)]] as const) {
      const ref = await reference(work, stem, map, path.join(work, 'ideal.pdb'));
      const m = emringer(map, ideal, RES);
      console.log(`${stem}: score ${(m.values.emringerScore as number).toFixed(6)} vs numpy ${ref.score.toFixed(6)}`);
      expectAgreement(m.extra, ref);
    }
  });
});

describe('A.f gates', () => {
  it(`does not apply above ${MAX_RESOLUTION_A} Å, with the reason; applies at ${MAX_RESOLUTION_A} Å and without a reported resolution`, () => {
    expect(() => emringer(idealMap, ideal, 4.6)).toThrow(NotApplicable);
    expect(() => checkResolution(6)).toThrow('EMRinger needs resolved side chains: the reported resolution 6 Å is worse than 4.5 Å');
    expect(() => checkResolution(MAX_RESOLUTION_A)).not.toThrow();
    const m = emringer(idealMap, ideal, null);
    expect(m.results.at(-1)).toContain('No resolution was reported');
  });

  it('a poly-ALA model could not be measured: no residues could be scanned', () => {
    expect(() => emringer(idealMap, polyAla(ideal), RES)).toThrow(NotMeasurable);
    expect(() => emringer(idealMap, polyAla(ideal), RES)).toThrow(/^no residues could be scanned/);
  });

  it('residues missing their γ atom are skipped and counted', () => {
    const drop = ideal.atomName.findIndex((n, j) => n === 'CG' && GAMMA_ATOM.get(ideal.resName[j]) === 'CG');
    const keep = Array.from({ length: ideal.count }, (_, j) => j).filter((j) => j !== drop);
    const pick = <T>(a: ArrayLike<T>) => keep.map((j) => a[j]);
    const cut: AtomModel = {
      ...ideal, count: keep.length,
      x: Float32Array.from(pick(ideal.x)), y: Float32Array.from(pick(ideal.y)), z: Float32Array.from(pick(ideal.z)),
      bFactor: Float32Array.from(pick(ideal.bFactor)), occupancy: Float32Array.from(pick(ideal.occupancy)),
      element: pick(ideal.element), atomName: pick(ideal.atomName), altLoc: pick(ideal.altLoc), resName: pick(ideal.resName),
      chainId: pick(ideal.chainId), resSeq: Int32Array.from(pick(ideal.resSeq)), insCode: pick(ideal.insCode), isHetero: Uint8Array.from(pick(ideal.isHetero)),
    };
    const full = scanChi1(idealMap, ideal), less = scanChi1(idealMap, cut);
    expect(less.peakAngle.length).toBe(full.peakAngle.length - 1);
    expect([less.skippedMissingAtoms, full.skippedMissingAtoms]).toEqual([1, 0]);
  });
});

describe.skipIf(!haveFixtures('A.f on the EMDB fixtures'))('A.f on apoferritin (EMD-20026 crop + 3ajo, 1.75 Å)', () => {
  const MAP = 'EMD-20026-crop/emd20026_prot.mrc';
  const MODEL = 'EMD-20026-crop/model/3ajo_fitted_refined.pdb';

  it('scores well above 1; the model moved 1.5 Å off its density scores clearly lower', async () => {
    const { volume } = toVolume(await readMrc(fixture(MAP)));
    const model = await readModel(fixture(MODEL));
    const good = emringer(volume, model, 1.75);
    const moved = emringer(volume, translateModel(model, [1.5, 0, 0]), 1.75);
    const v = good.values as Record<string, number>, w = moved.values as Record<string, number>;
    console.log(`apoferritin: score ${v.emringerScore.toFixed(3)}, maxZ ${v.maxZ.toFixed(3)}, ratio ${v.rotamerRatio.toFixed(3)}, threshold ${v.optimalThreshold.toFixed(3)} σ, N ${v.scannedResidues}; moved 1.5 Å: score ${w.emringerScore.toFixed(3)}, ratio ${w.rotamerRatio.toFixed(3)}`);
    expect(v.scannedResidues).toBeGreaterThan(100);
    expect(v.emringerScore).toBeGreaterThan(3);
    expect(v.rotamerRatio).toBeGreaterThan(0.85);
    expect(good.warnings).toEqual([]);
    expect(w.emringerScore).toBeLessThan(0.5 * v.emringerScore);
  });

  it.skipIf(!havePython(['numpy', 'scipy'], 'A.f numpy cross-check on apoferritin'))('agrees with numpy: identical peak angles, score within 1e-3', async () => {
    const { volume } = toVolume(await readMrc(fixture(MAP)));
    const model = await readModel(fixture(MODEL));
    const m = emringer(volume, model, 1.75);
    const ref = await reference(work, 'apoferritin', volume, fixture(MODEL));
    console.log(`apoferritin: score ${(m.values.emringerScore as number).toFixed(6)} vs numpy ${ref.score.toFixed(6)} (numpy ${ref.seconds.toFixed(2)} s)`);
    expectAgreement(m.extra, ref);
  });
});

describe.skipIf(!haveFixtures('A.f on the EMDB fixtures'))('A.f on the ribosome protein (EMD-2566 crop + 3J6B chain 9, 3.2 Å)', () => {
  const MAP = 'EMD-2566-crop/2566_3J6B_9.mrc';
  const MODEL = 'EMD-2566-crop/model/3J6B_9.pdb';

  it('scores above 1; the 28 residues of scanned types cut back to CB (no γ in the file) are skipped and counted; agrees with numpy', async () => {
    const { volume } = toVolume(await readMrc(fixture(MAP)));
    const model = await readModel(fixture(MODEL));
    const m = emringer(volume, model, 3.2);
    const v = m.values as Record<string, number>;
    console.log(`3J6B chain 9: score ${v.emringerScore.toFixed(3)}, maxZ ${v.maxZ.toFixed(3)}, ratio ${v.rotamerRatio.toFixed(3)}, N ${v.scannedResidues}, skipped ${v.skippedResidues}`);
    // 131 residues of scanned types in the file (counted with awk), 28 of them without a γ atom.
    expect([v.scannedResidues, v.skippedResidues]).toEqual([103, 28]);
    expect(v.emringerScore).toBeGreaterThan(1);
    if (havePython(['numpy', 'scipy'], 'A.f numpy cross-check on 3J6B chain 9')) expectAgreement(m.extra, await reference(work, 'ribosome', volume, fixture(MODEL)));
  });
});
