/**
 * A.e on known answers: identical isolated backbone units (homogeneous warning; no resolution, no
 * expected Q), a procedural protein in its own noisy simulated map (no warning, averages
 * equal to the per-atom method's, Q_relative equal to a direct rank), the same model in pure
 * noise (median below 0.1 and well below the expected Q: both warnings), the residue classes,
 * and the fitted EMDB fixtures through the whole analysis (apoferritin above its expected Q; the
 * page's Q_relative a direct rank in the archive CSV of the shared fixtures; figures written).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMrc } from '../../io/mrc.ts';
import { toVolume } from '../../volume/from-mrc.ts';
import { expectedQ } from '../../methods/q-expected.ts';
import { qScores } from '../../methods/q-score.ts';
import { fitModel, type ModelFit } from '../../simulate/model-alignment.ts';
import { modelMapOnGrid, selectAtoms } from '../../simulate/model-map.ts';
import type { AtomModel } from '../../io/model.ts';
import { proceduralProtein } from '../../simulate/protein.ts';
import { gridAroundModel } from '../../simulate/simulate.ts';
import { fixture, fixturesDir, haveFixtures } from '../../testing/fixtures.ts';
import { gaussianSource, mulberry32 } from '../../util/random.ts';
import { analyzeEntry } from '../analyze-entry.ts';
import { qScoreItem, residueClasses } from './Ae-q-score.ts';
import { residuesOf } from '../../methods/model-fit.ts';
import type { ItemValues } from '../../report/catalog.ts';
import { percentileBars } from '../../../site/src/lib/entry-view.ts';

const RES = 3;
let work = '';
beforeAll(() => {
  work = process.env.EMVR_KEEP_AE ?? mkdtempSync(path.join(tmpdir(), 'emvr-Ae-'));
});
afterAll(() => {
  if (work && !process.env.EMVR_KEEP_AE) rmSync(work, { recursive: true, force: true });
});

/** Mid-rank percentile by counting, from the CSV text itself. */
function rankInCsv(csv: string, q: number, keep: (res: number) => boolean): { percentile: number; n: number } {
  let below = 0, equal = 0, n = 0;
  for (const line of csv.trim().split('\n').slice(1)) {
    const c = line.split(',');
    const res = Number(c[2]), s = Number(c[3]);
    if (!keep(res)) continue;
    n++;
    if (s < q) below++;
    else if (s === q) equal++;
  }
  return { percentile: (100 * (below + equal / 2)) / n, n };
}

describe('A.e on a simulated map', () => {
  it('the model that made the map: no warning, averages from the per-atom Q, residue classes', async () => {
    const model = proceduralProtein({ seed: 4 });
    const clean = await modelMapOnGrid(model, gridAroundModel(model, 1, 8), RES);
    let mx = 0;
    for (const x of clean.data) mx = Math.max(mx, x);
    const g = gaussianSource(mulberry32(11));
    const map = { ...clean, data: clean.data.map((x) => x + 0.1 * mx * g()) };
    const fit = (await fitModel(map, model, RES)) as ModelFit;
    const m = await qScoreItem(map, fit, RES);
    const v = m.values as ItemValues<'A.e'>;
    const s = await qScores(map, fit.model);
    const all = [...s.scored].map((j) => s.q[j]).filter(Number.isFinite);
    console.log(`simulated ${RES} Å: averageQ ${v.averageQ?.toFixed(4)}, expected ${v.expectedQ?.toFixed(4)}, median ${v.medianQ?.toFixed(3)}, p2.5–p97.5 ${v.percentiles.p2_5?.toFixed(3)}–${v.percentiles.p97_5?.toFixed(3)}, Q_rel ${v.qRelativeAll?.toFixed(1)} / ${v.qRelativeResolution?.toFixed(1)} (${v.qRelativePopulations.resolution.entries} entries, ${v.qRelativePopulations.resolution.band?.join('–')} Å); warnings ${m.warnings.map((w) => w.code).join(', ') || 'none'}`);
    // A protein without waters or ligands: every scored atom is a polymer atom.
    expect(v.atoms).toBe(all.length);
    expect(v.averageQ).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 12);
    expect(v.nucleicFraction).toBe(0);
    expect(v.expectedQ).toBeCloseTo(expectedQ(RES, 'protein'), 12);
    expect(v.estimatedResolution! < RES).toBe(true);
    expect(m.warnings).toEqual([]);
    expect(v.perChain.reduce((a, c) => a + c.atoms, 0)).toBe(v.atoms);
    const { residues, residueOfAtom } = residuesOf(fit.model);
    expect(new Set(residueClasses(fit.model, residues, residueOfAtom))).toEqual(new Set(['protein']));
    expect(m.tables.find((t) => t.id === 'residue-q')!.rows).toHaveLength(residues.length);
  }, 120_000);

  it('the same model in pure noise: median below 0.1 and far below the expected Q warn', async () => {
    const model = proceduralProtein({ seed: 4 });
    const clean = await modelMapOnGrid(model, gridAroundModel(model, 1, 8), RES);
    const fit = (await fitModel(clean, model, RES)) as ModelFit;
    const g = gaussianSource(mulberry32(12));
    const noise = { ...clean, data: clean.data.map(() => g()) };
    const m = await qScoreItem(noise, fit, RES);
    const v = m.values as ItemValues<'A.e'>;
    console.log(`pure noise: averageQ ${v.averageQ?.toFixed(4)}, median ${v.medianQ?.toFixed(3)}; warnings ${m.warnings.map((w) => w.code).join(', ')}`);
    expect(Math.abs(v.averageQ!)).toBeLessThan(0.1);
    expect(m.warnings.map((w) => w.code)).toEqual(['Ae.low-median', 'Ae.below-expected']);
    expect(v.qRelativeAll).toBeLessThan(5);
  }, 120_000);
});

/** Copies of `m` moved by each of `shifts`, each its own residue (resSeq 1, 2, …) of chain A. */
function lattice(m: AtomModel, shifts: readonly (readonly [number, number, number])[]): AtomModel {
  const n = m.count * shifts.length;
  const out = { count: n, x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n), bFactor: new Float32Array(n), occupancy: new Float32Array(n).fill(1), element: [] as string[], atomName: [] as string[], altLoc: [] as string[], resName: [] as string[], chainId: [] as string[], resSeq: new Int32Array(n), insCode: [] as string[], isHetero: new Uint8Array(n) };
  shifts.forEach(([dx, dy, dz], c) => {
    for (let j = 0; j < m.count; j++) {
      const k = c * m.count + j;
      out.x[k] = m.x[j] + dx;
      out.y[k] = m.y[j] + dy;
      out.z[k] = m.z[j] + dz;
      out.element.push(m.element[j]);
      out.atomName.push(m.atomName[j]);
      out.altLoc.push('');
      out.resName.push(m.resName[j]);
      out.chainId.push('A');
      out.resSeq[k] = c + 1;
      out.insCode.push('');
    }
  });
  return out;
}

describe('A.e on designed cases', () => {
  it('identical, isolated backbone units in their own map: every atom scores alike (homogeneous warning); no resolution: no expected Q', async () => {
    const p = proceduralProtein({ seed: 4 });
    const first = Array.from({ length: p.count }, (_, j) => j).filter((j) => p.resSeq[j] === p.resSeq[0] && ['N', 'CA', 'C', 'O'].includes(p.atomName[j]));
    const unit = selectAtoms(p, first);
    // 12 Å apart: no point of one unit is nearer to another unit, and its density is negligible there.
    const shifts: [number, number, number][] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) shifts.push([12 * i, 12 * j, 12 * k]);
    const model = lattice(unit, shifts);
    const map = await modelMapOnGrid(model, gridAroundModel(model, 0.8, 8), RES);
    const fit = (await fitModel(map, model, RES)) as ModelFit;
    const m = await qScoreItem(map, fit, null);
    const v = m.values as ItemValues<'A.e'>;
    console.log(`lattice of ${shifts.length} backbone units: averageQ ${v.averageQ?.toFixed(4)}, p2.5–p97.5 ${v.percentiles.p2_5?.toFixed(4)}–${v.percentiles.p97_5?.toFixed(4)}; warnings ${m.warnings.map((w) => w.code).join(', ')}`);
    expect(v.atoms).toBe(4 * shifts.length);
    expect(v.residues).toBe(shifts.length);
    expect(v.percentiles.p97_5! - v.percentiles.p2_5!).toBeLessThan(0.1);
    expect(m.warnings.map((w) => w.code)).toEqual(['Ae.homogeneous']);
    expect(v.expectedQ).toBeNull();
    expect(v.qRelativeResolution).toBeNull();
    expect(v.qRelativePopulations.resolution).toEqual({ entries: 0, band: null, description: 'no reported resolution' });
    expect(v.qRelativeAll).not.toBeNull();
  }, 120_000);
});

const ARCHIVE_CSV = path.resolve(fixturesDir, '../archive/emdb-qscores.csv');

describe.skipIf(!haveFixtures('A.e on the EMDB fixtures') || !existsSync(ARCHIVE_CSV))('A.e on the fitted fixtures, through the whole analysis', () => {
  it('EMD-20026 crop + 3ajo at 1.75 Å: above the expected Q, Q_relative a direct rank in the archive CSV, figures written', async () => {
    // Contour at mean + 3·std of the crop (it has no recommended level of its own).
    const { volume } = toVolume(await readMrc(fixture('EMD-20026-crop/emd20026_prot.mrc')));
    let s = 0, ss = 0;
    for (const x of volume.data) {
      s += x;
      ss += x * x;
    }
    const m = s / volume.data.length;
    const threshold = m + 3 * Math.sqrt(ss / volume.data.length - m * m);
    const entry = { id: 'EMD-20026', title: null, authors: [], depositionDate: null, releaseDate: null, resolution: 1.75, threshold, method: null, pdbIds: [] };
    const entryDir = path.join(work, 'EMD-20026');
    const report = await analyzeEntry({ mapPath: fixture('EMD-20026-crop/emd20026_prot.mrc'), modelPath: fixture('EMD-20026-crop/model/3ajo_fitted_refined.pdb'), entryDir, figures: true, entry });
    const item = report.items.A?.['A.e'];
    expect(item?.status).toBe('ok');
    const v = (item as unknown as { values: ItemValues<'A.e'> }).values;
    const csv = readFileSync(ARCHIVE_CSV, 'utf8');
    const all = rankInCsv(csv, v.averageQ!, () => true);
    const [lo, hi] = v.qRelativePopulations.resolution.band as [number, number];
    const near = rankInCsv(csv, v.averageQ!, (r) => r >= lo && r <= hi);
    console.log(`3ajo: averageQ ${v.averageQ?.toFixed(4)} (expected ${v.expectedQ?.toFixed(4)}), Q_relative_all ${v.qRelativeAll?.toFixed(2)} % of ${all.n}, Q_relative_resolution ${v.qRelativeResolution?.toFixed(2)} % of ${near.n} (${lo}–${hi} Å); figures ${(item as unknown as { figures: unknown[] }).figures.length}`);
    expect(v.averageQ!).toBeGreaterThan(v.expectedQ!);
    expect(v.qRelativeAll).toBe(all.percentile);
    expect(v.qRelativePopulations.all.entries).toBe(all.n);
    expect(v.qRelativeResolution).toBe(near.percentile);
    expect(v.qRelativePopulations.resolution.entries).toBe(near.n);
    expect((item as unknown as { figures: unknown[] }).figures.length).toBeGreaterThanOrEqual(5);
    // What the page and the PDF draw: the same ranks on the two bars, with their populations.
    const bars = percentileBars(item!);
    expect(bars.map((b) => [b.label, b.percentile])).toEqual([['Q_relative_all', all.percentile], ['Q_relative_resolution', near.percentile]]);
    expect(bars[1].population).toContain(`${near.n.toLocaleString('en-US')} entries nearest in resolution`);
  }, 600_000);
});
