/** The statistics page's plot helpers: histogram counts against a direct count, tick values, what a scatter draws. */
import { describe, expect, it } from 'vitest';
import { binCounts, histogramSvg, niceTicks, scatterSvg } from '../../site/src/lib/svg-plot.ts';

describe('svg plots', () => {
  it('bins every value in range once, the top edge in the last bin', () => {
    const values = [0, 0.05, 0.1, 0.15, 0.999, 1, -0.1, 1.1, 0.5, 0.5];
    const counts = binCounts(values, 0, 1, 10);
    const direct = Array.from({ length: 10 }, (_, k) => values.filter((v) => v >= k / 10 && (k === 9 ? v <= 1 : v < (k + 1) / 10)).length);
    expect(counts).toEqual(direct);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('ticks are round, cover the range, and are whole numbers for counts', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 12, 5, true)).toEqual([0, 3, 6, 9, 12]);
    expect(niceTicks(0, 2, 5, true)).toEqual([0, 1, 2]);
    expect(niceTicks(-300, 50)).toEqual([-300, -200, -100, 0]);
  });

  it('draws one bar per non-empty bin and one dot per point in range', () => {
    const h = histogramSvg([1, 1, 2, 9], { xLabel: 'x', title: 't', bins: 4, lo: 0, hi: 10 });
    expect(h.match(/<rect [^>]*fill="#9e9e9e"/gu)).toHaveLength(2);
    const s = scatterSvg([[1, 1], [2, 2], [50, 50]], { xLabel: 'x', yLabel: 'y', title: 't', xRange: [0, 10], yRange: [0, 10] });
    expect(s.match(/<circle /gu)).toHaveLength(2);
  });
});
