/**
 * quantiles.ts against numpy (scripts/reference/quantiles_reference.py): numpy.quantile 'linear'
 * to 1e-12 relative and numpy.histogram counts exactly, on random data with many ties, sorted and
 * reversed input, tiny arrays, and values on the bin edges.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { havePython, runReference } from '../testing/python.ts';
import { histogram, linspace, quantile, quantileInPlace, quantiles, quantileSorted } from './order-statistics.ts';

const QS = [0, 0.005, 0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 0.995, 1];

describe('quantiles without numpy (definitions by hand)', () => {
  it('linear interpolation between order statistics', () => {
    // sorted: 1 2 3 4 → h = 3q
    expect(quantile([4, 1, 3, 2], 0)).toBe(1);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.9)).toBeCloseTo(3.7, 12);
    expect(quantileSorted(Float64Array.of(5), 0.3)).toBe(5);
    expect(quantile([1, NaN, 3], 0.5)).toBeNaN();
  });
  it('selection equals sorting on data with many ties and adversarial orders', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 300);
      const a = new Float32Array(n).map(() => Math.floor(rand() * (trial % 3 === 0 ? 3 : 50)));
      if (trial % 5 === 1) a.sort();
      if (trial % 5 === 2) a.sort().reverse();
      const sorted = Float64Array.from(a).sort();
      for (const q of QS) expect(quantileInPlace(a.slice(), q)).toBe(quantileSorted(sorted, q));
    }
  });
  it('rejects empty input and q outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });
  it('linspace ends exactly at stop', () => {
    const l = linspace(1 / 15, 1 / 3, 10);
    expect(l[9]).toBe(1 / 3);
    expect(l[0]).toBe(1 / 15);
    expect(linspace(2, 5, 1)).toEqual([2]);
  });
  it('histogram puts values on edges where numpy does', () => {
    const h = histogram([0, 0.25, 0.5, 0.75, 1, 1, -1, 2, NaN], 4, [0, 1]);
    expect(h.counts).toEqual([1, 1, 1, 3]);
    expect(h.below).toBe(1);
    expect(h.above).toBe(1);
    expect(histogram([3, 3, 3], 2).edges).toEqual([2.5, 3, 3.5]);
  });
});

const ready = havePython(['numpy'], 'quantiles vs numpy');

describe.skipIf(!ready)('quantiles and histogram agree with numpy', () => {
  let work = '';
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });
  const cases: Array<{ name: string; make: (r: () => number) => Float64Array; range?: [number, number] }> = [
    { name: '100 000 normal-ish values', make: (r) => new Float64Array(100_000).map(() => r() + r() + r() - 1.5) },
    { name: '50 001 values with heavy ties', make: (r) => new Float64Array(50_001).map(() => Math.floor(r() * 7) / 4) },
    { name: 'sorted 10 000', make: (r) => new Float64Array(10_000).map(() => r() * 100).sort() },
    { name: '7 values', make: (r) => new Float64Array(7).map(() => r() - 0.5) },
    { name: 'occupancy-like levels in [0, 1] on a fixed range', make: (r) => new Float64Array(20_000).map(() => Math.floor(r() * 21) / 20), range: [0, 1] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      work ||= await mkdtemp(path.join(tmpdir(), 'emvr-q-'));
      const values = c.make(mulberry32(c.name.length));
      const file = path.join(work, `${c.name.replace(/\W+/g, '_')}.f64`);
      await writeFile(file, new Uint8Array(values.buffer));
      const ref = JSON.parse(await runReference('quantiles_reference.py', [file, QS.join(','), '25', ...(c.range ? c.range.map(String) : [])]));
      const ours = quantiles(values, QS);
      ours.forEach((q, k) => expect(Math.abs(q - ref.quantiles[k]), `q=${QS[k]}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref.quantiles[k]))));
      QS.forEach((q, k) => expect(quantileInPlace(values.slice(), q), `selection q=${q}`).toBe(ours[k]));
      const h = histogram(values, 25, c.range);
      h.edges.forEach((e, k) => expect(Math.abs(e - ref.edges[k])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e))));
      expect(h.counts).toEqual(ref.counts);
    });
  }
});
