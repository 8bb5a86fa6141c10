/**
 * The accuracy suite: its statistics against known answers and scipy
 * (scripts/reference/accuracy_stats_reference.py), and a small slice of its grid (small boxes,
 * the cheap items) whose errors must stay within stated bounds, in process and through the worker
 * pool (same observations whichever worker runs a case).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccuracyTable } from '../../analyzers/report/accuracy.ts';
import { havePython, runReference } from '../../analyzers/testing/python.ts';
import { mulberry32 } from '../../analyzers/util/random.ts';
import { orderRows, tagObservations } from './accuracy.ts';
import { accuracyCases, type AccuracyCase } from './cases.ts';
import { measureCase, type Observation } from './measure-case.ts';
import { runCases } from './run-cases.ts';
import { averageRanks, errorSummary, spearman, summariseRows } from './statistics.ts';

describe('statistics', () => {
  it('averageRanks gives tied values the mean of their ranks', () => {
    expect([...averageRanks([10, 20, 20, 5, 20])]).toEqual([2, 4, 4, 1, 4]);
  });
  it('spearman is 1 for any increasing relation, −1 for a decreasing one, NaN for a constant', () => {
    const a = [1, 2, 3, 4, 5, 6];
    expect(spearman(a, a.map((x) => x ** 3))).toBeCloseTo(1, 12);
    expect(spearman(a, a.map((x) => -Math.exp(x)))).toBeCloseTo(-1, 12);
    expect(spearman(a, a.map(() => 2))).toBeNaN();
  });
  it('errorSummary: median and 95th percentile of |e| (numpy linear), bias the signed mean', () => {
    expect(errorSummary([1, -2, 3])).toEqual({ medianAbsError: 2, p95AbsError: 2.9, bias: 2 / 3 });
    expect(errorSummary([])).toEqual({ medianAbsError: null, p95AbsError: null, bias: null });
  });
  it('rows pool cases of one condition (boxes listed), group refusals by kind, keep ρ median', () => {
    const base = { item: '1.c', metric: 'local map', unit: 'Å', truth: 't', spearman: null, refused: null };
    const cond = { resolution: 3.5, noise: 'nominal' as const, layout: 'two-region' as const, masked: false, voxelA: 1.2 };
    const rows = summariseRows([
      { ...base, conditions: { ...cond, box: 96 }, errors: [1, -1], spearman: 0.8 },
      { ...base, conditions: { ...cond, box: 128 }, errors: [3], spearman: 0.6 },
      { ...base, conditions: { ...cond, box: 96 }, errors: [], refused: 'only 4 segments, 5 needed' },
      { ...base, conditions: { ...cond, box: 96 }, errors: [], refused: 'only 2 segments, 5 needed' },
      { ...base, conditions: { ...cond, resolution: 5, box: 96 }, errors: [0.5] },
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ cases: 4, n: 3, medianAbsError: 1, bias: 1, spearman: 0.7, refused: 2, refusedReasons: [{ reason: 'only 4 segments, 5 needed', count: 2 }] });
    expect(rows[0].conditions.boxes).toEqual([96, 128]);
    expect(rows[1]).toMatchObject({ cases: 1, n: 1, spearman: null, refused: 0 });
  });
  it('the full grid has 148 distinct cases, 2.5–8 Å, both boxes, masked and not; --quick 6 at 3.5 Å', () => {
    const full = accuracyCases('full');
    expect(full).toHaveLength(148);
    expect(new Set(full.map((c) => c.id)).size).toBe(148);
    expect([...new Set(full.map((c) => c.resolution))]).toEqual([2.5, 3.5, 5, 8]);
    expect([...new Set(full.map((c) => c.box))].sort()).toEqual([128, 96]);
    expect(full.filter((c) => c.masked)).toHaveLength(8);
    const quick = accuracyCases('quick');
    expect(quick).toHaveLength(6);
    expect(quick.every((c) => c.resolution === 3.5 && c.box === 96)).toBe(true);
  });
});

const ready = havePython(['numpy', 'scipy'], 'accuracy statistics vs scipy');

describe.skipIf(!ready)('statistics agree with scipy.stats.spearmanr and numpy.quantile', () => {
  let work = '';
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });
  for (const [name, n, levels] of [['continuous', 5000, 0], ['heavy ties', 3001, 9]] as const) {
    it(name, async () => {
      work ||= await mkdtemp(path.join(tmpdir(), 'emvr-accuracy-'));
      const r = mulberry32(n);
      const b = new Float64Array(n).map(() => (levels ? Math.floor(r() * levels) : r() * 8 - 2));
      const a = b.map((x) => x * 0.5 + (r() - 0.5) * 3);
      const fa = path.join(work, `${name}-a.f64`), fb = path.join(work, `${name}-b.f64`);
      await writeFile(fa, new Uint8Array(a.buffer));
      await writeFile(fb, new Uint8Array(b.buffer));
      const ref = JSON.parse(await runReference('accuracy_stats_reference.py', [fa, fb]));
      const ours = { spearman: spearman(a, b), ...errorSummary([...a]) };
      for (const k of ['spearman', 'medianAbsError', 'p95AbsError', 'bias'] as const) expect(Math.abs(ours[k]! - ref[k]), k).toBeLessThanOrEqual(1e-12);
    });
  }
});

/** Cheap cases: small boxes, the fast items (the full grid runs in `npm run accuracy`). */
const SLICE: AccuracyCase[] = [
  { id: 'map-test', family: 'map', resolution: 3.5, noise: 'nominal', layout: 'uniform', masked: false, box: 64, voxelA: 1.2, seed: 2, items: ['0.a', '0.c', '0.d'] },
  { id: 'halves-test', family: 'halves', resolution: 5, noise: 'nominal', layout: 'uniform', masked: false, box: 64, voxelA: 1.6, seed: 1, items: ['1.a'] },
  { id: 'model-test', family: 'model', resolution: 3.5, noise: 'high', layout: 'uniform', masked: false, box: 64, voxelA: 1.2, seed: 1, items: ['A.a'] },
];

/** Stated bounds of the slice (|value − truth|), well inside what the full table reports for these items. */
const BOUNDS: Record<string, number> = {
  '0.a decentring (x, y, z)': 2.5,
  '0.c background mean': 0.02,
  '0.c background σ': 1,
  '0.d B-factor': 40,
  '1.a FSC 0.143 (unmasked)': 0.15,
  '1.a FSC 0.143 (masked, corrected)': 1.5,
  'A.a CC_mask': 0.01,
  'A.a CC_box': 0.01,
};

describe('a slice of the grid: errors within stated bounds', () => {
  let observed: Observation[][] = [];
  beforeAll(async () => {
    observed = [];
    for (const c of SLICE) observed.push(await measureCase(c));
  }, 120_000);

  it('every metric of the slice is measured, with its error within its bound', () => {
    const seen = observed.flat();
    expect(seen.map((o) => `${o.item} ${o.metric}`).sort()).toEqual(Object.keys(BOUNDS).sort());
    for (const o of seen) {
      expect(o.refused, `${o.item} ${o.metric}`).toBeNull();
      for (const e of o.errors) expect(Math.abs(e), `${o.item} ${o.metric}: error ${e}`).toBeLessThanOrEqual(BOUNDS[`${o.item} ${o.metric}`]);
    }
    // Seed 2 is built decentred by a tenth of the box along x (truth ≈ 20 %) with a background offset of 0.3 σ: a truth
    // not applied (or applied twice) would put 0.a's x error near 20 % and 0.c's mean error at 0.3 σ, far outside the bounds.
    expect(seen.find((o) => o.item === '0.a')!.errors).toHaveLength(3);
  });

  it('the worker pool gives the same observations whatever worker runs a case, and a valid table', async () => {
    const cases = SLICE.slice(0, 2);
    const { observations: pooled, failures, cpuSeconds } = await runCases(cases, 2);
    expect(failures).toEqual([]);
    expect(cpuSeconds).toBeGreaterThan(0);
    expect(pooled).toEqual(observed.slice(0, 2));
    const table = {
      schemaVersion: 1, measuredAt: '2026-01-01', commit: 'test', slice: 'quick', seconds: 1, cpuSeconds, workers: 2, cases: cases.length,
      rows: orderRows(summariseRows(tagObservations(cases, pooled))),
    };
    expect(AccuracyTable.safeParse(table).success).toBe(true);
    expect(table.rows.map((r) => r.item)).toEqual(['0.a', '0.c', '0.c', '0.d', '1.a', '1.a']);
  }, 120_000);
});
