/**
 * quantised-histogram.ts: the step found on grids of known spacing (float32-rounded, with stray
 * values), bins that hold whole grid values (no comb), numpy.histogram's bins for continuous data,
 * and the same edges and counts as numpy (scripts/reference/quantised_histogram_reference.py).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { havePython, runReference } from '../testing/python.ts';
import { mulberry32 } from '../util/random.ts';
import { histogram } from './order-statistics.ts';
import { ValueMask } from '../volume/value-mask.ts';
import { quantisationStep, quantisedHistogram, sortedValuesWhere } from './quantised-histogram.ts';

/** Local resolutions as MonoRes gives them: a 0.25 Å sweep from 2.35 Å, stored as float32, a bell of counts. */
function sweepValues(seed: number, n: number): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = (r() + r() + r() + r() - 2) * 1.7; // ≈ normal, sd ≈ 1
    out[i] = 2.35 + 0.25 * Math.max(0, Math.min(22, Math.round(9 + 4 * g)));
  }
  return out.sort();
}

/** MonoRes on a phantom: 60 % of the values on the sweep's uneven levels (Å), the rest between them. */
const SWEEP_LEVELS = [2.504, 3.032, 3.491, 3.972, 4.431];
function mixtureValues(seed: number, n: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, () => (r() < 0.6 ? Math.fround(SWEEP_LEVELS[Math.floor(r() * 5)]) : Math.fround(3.5 + 1.4 * r()))).sort();
}

const interiorEmpty = (counts: readonly number[]) => {
  const first = counts.findIndex((c) => c > 0);
  const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
  return counts.slice(first, last + 1).filter((c) => c === 0).length;
};

describe('the values a local-value histogram counts', () => {
  it('are the finite values where the mask is above its cut, ascending, as a plain filter and sort finds them', () => {
    const rnd = mulberry32(5);
    const n = 5000;
    const map = Float32Array.from({ length: n }, () => 2 + 8 * rnd());
    const mask = Float32Array.from({ length: n }, () => rnd());
    for (const i of [3, 400, 4999]) map[i] = NaN;
    for (const i of [10, 2000]) map[i] = Infinity;
    mask[3] = mask[10] = mask[4999] = 0.9; // non-finite values inside the mask are not counted
    const plain = Float64Array.from(Array.from(map).filter((v, i) => mask[i] > 0.7 && Number.isFinite(v))).sort();
    const got = sortedValuesWhere(map, new ValueMask(mask, 0.7));
    expect(got.length).toBeGreaterThan(1000);
    expect(Array.from(got)).toEqual(Array.from(plain));
    // A local-resolution map is its own mask (0 and NaN: no value).
    const resmap = Float32Array.from(map, (v, i) => (mask[i] > 0.1 ? v : i % 2 ? 0 : NaN));
    const inside = new ValueMask(resmap, 0);
    expect(Array.from(sortedValuesWhere(resmap, inside))).toEqual(Array.from(Float64Array.from(Array.from(resmap).filter((v) => v > 0 && Number.isFinite(v))).sort()));
  });
});

describe('the quantisation step', () => {
  it('is the spacing of a 0.25 Å sweep stored as float32, of integers, and of 1/20 levels', () => {
    expect(quantisationStep(sweepValues(1, 20_000))).toBeCloseTo(0.25, 6);
    expect(quantisationStep(Float64Array.from({ length: 500 }, (_, i) => 3 * Math.floor(i / 7) - 40))).toBe(3);
    expect(quantisationStep(Float64Array.from({ length: 2000 }, (_, i) => Math.floor((i * 21) / 2000) / 20))).toBeCloseTo(0.05, 12);
  });
  it('survives a few stray values off the grid (0.5 %), and finds none in continuous data or a single value', () => {
    const v = Array.from(sweepValues(2, 20_000));
    for (let i = 0; i < 100; i++) v[i * 200] += 0.1;
    expect(quantisationStep(Float64Array.from(v).sort())).toBeCloseTo(0.25, 6);
    const r = mulberry32(3);
    expect(quantisationStep(Float64Array.from({ length: 5000 }, () => r() * 10).sort())).toBeNull();
    expect(quantisationStep(Float64Array.of(4, 4, 4))).toBeNull();
  });
});

describe('histogram bins follow the quantisation', () => {
  it('0.25 Å grid, 25 bins asked: 0.25 Å bins centred on the values, no empty interior bin, each count that of one value (numpy.histogram has empty bins)', () => {
    const v = sweepValues(4, 50_000);
    const comb = histogram(v, 25);
    expect(interiorEmpty(comb.counts)).toBeGreaterThan(0);
    const h = quantisedHistogram(v, 25);
    expect(interiorEmpty(h.counts)).toBe(0);
    expect(h.edges.length - 1).toBe(23); // 2.35 … 7.85: 23 grid values
    h.edges.slice(1).forEach((e, k) => expect(e - h.edges[k]).toBeCloseTo(0.25, 6));
    expect(h.edges[0]).toBeCloseTo(2.225, 6);
    for (let k = 0; k < 23; k++) {
      const grid = Math.fround(2.35 + 0.25 * k);
      expect(h.counts[k], `bin ${k}`).toBe(v.filter((x) => x === grid).length);
    }
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(v.length);
  });
  it('uneven levels with values between them (MonoRes): bins as wide as the closest two levels, one level each, no empty interior bin (numpy.histogram has some)', () => {
    const v = mixtureValues(8, 20_000);
    expect(interiorEmpty(histogram(v, 25).counts)).toBeGreaterThan(0);
    expect(quantisationStep(v)).toBeCloseTo(Math.fround(4.431) - Math.fround(3.972), 6);
    const h = quantisedHistogram(v, 25);
    expect(interiorEmpty(h.counts)).toBe(0);
    for (const level of SWEEP_LEVELS) {
      const k = h.edges.findIndex((e) => e > level) - 1;
      expect(level - h.edges[k], `level ${level} inside its bin`).toBeGreaterThan(0.1 * (h.edges[1] - h.edges[0]));
      expect(h.edges[k + 1] - level).toBeGreaterThan(0.1 * (h.edges[1] - h.edges[0]));
    }
  });
  it('integers 0…199, 25 bins asked: 8 values per bin, equal counts for uniform data', () => {
    const v = Float64Array.from({ length: 2000 }, (_, i) => i % 200).sort();
    const h = quantisedHistogram(v, 25);
    expect(h.edges[0]).toBe(-0.5);
    expect(h.edges[1] - h.edges[0]).toBe(8);
    expect(h.counts).toEqual(new Array(25).fill(80));
  });
  it('a fixed range on a 1/20 grid ([0, 1], 25 bins asked: one level per bin); values outside it counted apart', () => {
    const v = Float64Array.from({ length: 2100 }, (_, i) => Math.floor(i / 100) / 20 - 0.05).sort(); // −0.05 … 0.95
    const h = quantisedHistogram(v, 25, [0, 1]);
    expect(h.edges.length - 1).toBe(21);
    expect(h.below).toBe(100);
    expect(h.counts.slice(0, 20)).toEqual(new Array(20).fill(100));
    expect(h.counts[20]).toBe(0); // the level 1.0 is in range but absent
  });
  it('continuous values: numpy.histogram\'s equal bins', () => {
    const r = mulberry32(5);
    const v = Float64Array.from({ length: 3000 }, () => r() * 7 - 2).sort();
    const h = quantisedHistogram(v, 25);
    const ref = histogram(v, 25);
    expect(h.counts).toEqual(ref.counts);
    h.edges.forEach((e, k) => expect(e).toBeCloseTo(ref.edges[k], 12));
  });
});

const pythonReady = havePython(['numpy'], 'quantised histogram against numpy');
let work = '';
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!pythonReady)('the same step, edges and counts as numpy', () => {
  const cases: { name: string; values: Float64Array; step: number | null; range?: [number, number] }[] = [
    { name: 'float32 sweep', values: Float64Array.from(sweepValues(6, 30_000)), step: 0.25 },
    { name: 'integers, 13 per bin', values: Float64Array.from({ length: 4000 }, (_, i) => (i * 7919) % 331).sort(), step: 1 },
    { name: 'levels on a range', values: Float64Array.from({ length: 3000 }, (_, i) => Math.floor((i * 37) % 23) / 20).sort(), step: 0.05, range: [0, 1] },
    { name: 'uneven levels and values between', values: mixtureValues(9, 10_000), step: Math.fround(4.431) - Math.fround(3.972) },
    { name: 'continuous', values: Float64Array.from({ length: 3000 }, (_, i) => Math.sin(i) * 3).sort(), step: null },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      work ||= await mkdtemp(path.join(tmpdir(), 'emvr-qh-'));
      const file = path.join(work, `${c.name.replace(/\W+/gu, '_')}.f64`);
      await writeFile(file, new Uint8Array(c.values.buffer));
      const ref = JSON.parse(await runReference('quantised_histogram_reference.py', [file, '25', ...(c.range ?? []).map(String)])) as { step: number | null; edges: number[]; counts: number[] };
      const step = quantisationStep(c.values);
      if (c.step === null) expect(ref.step).toBeNull();
      else expect(ref.step).toBeCloseTo(c.step, 6);
      if (ref.step === null) expect(step).toBeNull();
      else expect(step).toBeCloseTo(ref.step, 12);
      const h = quantisedHistogram(c.values, 25, c.range);
      expect(h.edges.length).toBe(ref.edges.length);
      h.edges.forEach((e, k) => expect(Math.abs(e - ref.edges[k])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e))));
      expect(h.counts).toEqual(ref.counts);
    });
  }
});
