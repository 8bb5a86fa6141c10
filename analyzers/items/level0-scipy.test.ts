/**
 * Cross-check of 0.a–0.d on the real EMDB fixtures against an independent numpy/scipy computation
 * of the same definitions (scripts/reference/level0_reference.py): component counts exactly,
 * means and fractions to 1e-4 relative, B within 1 Å².
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import { havePython, runReference } from '../testing/python.ts';
import { reportItem, type Report } from '../report/schema.ts';
import { sharedAnalysis } from '../../scripts/testing/shared-analysis.ts';

/** Maps with a known recommended contour (PROVENANCE.md) and, where known, the resolution. */
const CASES: Array<{ id: string; file: string; threshold: number; resolution: number | null }> = [
  { id: 'EMD-1997', file: 'EMD-1997/emd_1997.map', threshold: 1.0, resolution: 7 },
  { id: 'EMD-5168', file: 'EMD-5168/emd_5168.map', threshold: 10.0, resolution: 6.6 },
  { id: 'EMD-5170', file: 'EMD-5170/emd_5170.map', threshold: 0.61, resolution: null },
  { id: 'EMD-6824', file: 'EMD-6824/emd_6824.mrc', threshold: 2, resolution: 5.8 },
  { id: 'EMD-1832', file: 'EMD-1832/emd_1832.map', threshold: 0.42, resolution: null },
  { id: 'EMD-44046', file: 'EMD-44046/emd_44046.map.gz', threshold: 0.3, resolution: 2.99 },
];

const ready = haveFixtures('Level 0 scipy cross-check') && havePython(['numpy', 'scipy', 'mrcfile'], 'Level 0 scipy cross-check');

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe.skipIf(!ready)('0.a–0.d agree with numpy/scipy on real maps', () => {
  let work = '';
  // The whole Level 0 report (0.e–0.h included) of EMD-44046 takes about a minute on 2 cores: made once, checked twice.
  const reports = new Map<string, Report>();
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });
  for (const c of CASES) {
    it(`${c.id} at threshold ${c.threshold}${c.resolution ? `, ${c.resolution} Å` : ''}`, async () => {
      work ||= await mkdtemp(path.join(tmpdir(), 'emvr-l0-'));
      const map = fixture(c.file);
      const [report, refText] = await Promise.all([
        sharedAnalysis({
          mapPath: map,
          entryDir: path.join(work, c.id),
          figures: false,
          entry: { id: c.id, title: null, authors: [], depositionDate: null, releaseDate: null, resolution: c.resolution, threshold: c.threshold, method: null, pdbIds: [] },
        }),
        runReference('level0_reference.py', [map, String(c.threshold), c.resolution === null ? 'none' : String(c.resolution)]),
      ]);
      reports.set(c.id, report);
      const ref = JSON.parse(refText);
      const a = reportItem(report, '0.a')!.values as Record<string, number[]>;
      for (const key of ['leftSpace', 'rightSpace', 'decentering', 'centerOfMass', 'comDecentering']) {
        a[key].forEach((v, k) => expect(Math.abs(v - ref['0.a'][key][k]), `${key}[${k}]`).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref['0.a'][key][k]))));
      }
      const b = reportItem(report, '0.b')!.values as Record<string, number>;
      // The structure's large pieces (EMD-1997's contour splits GroEL into 12) and the blobs outside them.
      for (const key of ['rawVoxels', 'components', 'components95', 'constructedVoxels', 'largePieces', 'largePiecesVoxels', 'remainingComponents']) expect(b[key], key).toBe(ref['0.b'][key]);
      expect(rel(b.largePieceMinVolume, ref['0.b'].largePieceMinVolume)).toBeLessThan(1e-6);
      expect(rel(b.overlap, ref['0.b'].overlap)).toBeLessThan(1e-4);
      if (ref['0.b'].remainingAvgVolume > 0) expect(rel(b.remainingAvgVolume, ref['0.b'].remainingAvgVolume)).toBeLessThan(1e-4);
      const table = reportItem(report, '0.b')!.values.thresholdTable as number[][];
      expect(table.length).toBe(ref['0.b'].thresholdTable.length);
      table.forEach((row, k) => {
        expect(row[1], `threshold row ${k} voxels`).toBe(ref['0.b'].thresholdTable[k][1]);
        expect(rel(row[0], ref['0.b'].thresholdTable[k][0])).toBeLessThan(1e-6);
      });
      // The recommended contour's own row (issue 24): the mass at the contour, counted afresh by numpy (mrcfile's voxel size is float32: 1e-6).
      const contour = reportItem(report, '0.b')!.values.contourRow as number[];
      expect(contour[0]).toBe(c.threshold);
      expect(contour[1], 'voxels at the contour').toBe(ref['0.b'].contourRow[1]);
      for (const k of [2, 3]) expect(rel(contour[k], ref['0.b'].contourRow[k]), `contour row [${k}]`).toBeLessThan(1e-6);

      const cItem = reportItem(report, '0.c')!;
      if (ref['0.c'].masked) {
        expect(cItem.status).toBe('failed');
        expect(cItem.reason).toMatch(/masked before deposition/);
      } else {
        const cv = cItem.values as Record<string, number>;
        expect(cv.n).toBe(ref['0.c'].n);
        for (const key of ['mean', 'std', 't', 'outlierFraction', 'outlierRatio']) {
          if (ref['0.c'][key] === 0) expect(cv[key], key).toBe(0);
          else expect(rel(cv[key], ref['0.c'][key]), key).toBeLessThan(1e-4);
        }
        expect(Math.abs(cv.p - ref['0.c'].p)).toBeLessThan(1e-6 + 1e-4 * ref['0.c'].p);
      }

      const dItem = reportItem(report, '0.d')!;
      if (c.resolution === null) {
        expect(dItem.status).toBe('not-applicable');
        expect(dItem.reason).toBe('no resolution reported');
      } else {
        expect(Math.abs((dItem.values.bFactor as number) - ref['0.d'].bFactor)).toBeLessThan(1);
        expect(dItem.values.fitPoints).toBe(ref['0.d'].fitPoints);
      }
    }, 600_000);
  }

  it('EMD-44046 (background exactly 0 outside its deposited mask) gets "could not be measured" for 0.c, not a false OK', async () => {
    work ||= await mkdtemp(path.join(tmpdir(), 'emvr-l0-'));
    const report = reports.get('EMD-44046') ?? await sharedAnalysis({
      mapPath: fixture('EMD-44046/emd_44046.map.gz'),
      entryDir: path.join(work, 'EMD-44046-bg'),
      figures: false,
      entry: { id: 'EMD-44046', title: null, authors: [], depositionDate: null, releaseDate: null, resolution: 2.99, threshold: 0.3, method: null, pdbIds: [] },
    });
    const c = reportItem(report, '0.c')!;
    expect(c.status).toBe('failed');
    expect(c.evaluable).toBe(false);
    expect(c.reason).toMatch(/^99\.\d\d% of the \d+ background voxels are exactly 0: the map was masked before deposition/);
  }, 600_000);
});
