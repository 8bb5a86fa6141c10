/**
 * A.e on known answers: a procedural protein in its own noisy simulated map (no warning, averages
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
import { modelMapOnGrid } from '../../simulate/model-map.ts';
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
