import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { havePython, python } from '../testing/python.ts';
import { countNoun, formatBare, formatQuantities, formatQuantity, type Quantity } from './format-number.ts';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../testing/fixtures.ts';

describe('the one number formatter', () => {
  it('gives each quantity its precision and unit (the values the issue saw)', () => {
    expect(formatQuantity(23049.79, 'volume')).toBe('23\u202f050 Å³');
    expect(formatQuantity(23050, 'volume')).toBe('23\u202f050 Å³');
    expect(formatBare(0.01872820407152176, 'real')).toBe('0.01873');
    expect(formatQuantity(3.5, 'length')).toBe('3.5 Å');
    expect(formatQuantity(3.14159, 'length')).toBe('3.14 Å');
    expect(formatQuantity(-94.23, 'area')).toBe('−94.2 Å²');
    expect(formatBare(0.87449, 'correlation')).toBe('0.874');
    expect(formatQuantity(3.7041, 'percent')).toBe('3.7 %');
    expect(formatQuantity(0.000057, 'percent')).toBe('5.7 × 10⁻⁵ %');
    expect(formatBare(1157868, 'count')).toBe('1\u202f157\u202f868');
    expect(formatBare(4000, 'count')).toBe('4000');
    expect(formatBare(3.2e-12, 'pValue')).toBe('3.2 × 10⁻¹²');
    expect(formatBare(0.4321, 'pValue')).toBe('0.43');
    expect(formatQuantity(12.345, 'angle')).toBe('12.3 °');
    expect(formatQuantity(null, 'length')).toBe('—');
    expect(formatBare(Number.NaN, 'real')).toBe('NaN');
    expect(formatBare(-Infinity, 'real')).toBe('−∞');
    expect(formatQuantities([112.971, 126.87, null], 'length')).toBe('112.97, 126.87, — Å');
    expect(formatQuantity(12, 'count', 'voxels')).toBe('12 voxels');
  });

  it('never prints more than 6 significant digits of a real', () => {
    expect(formatQuantity(123456.789, 'length')).toBe('123\u202f457 Å');
    expect(formatQuantity(12345.678, 'length')).toBe('12\u202f345.7 Å');
    expect(formatQuantity(2345678.9, 'length')).toBe('2.346 × 10⁶ Å');
  });

  it('says "1 connected component" and "137 connected components"', () => {
    expect(countNoun(1, 'connected component')).toBe('1 connected component');
    expect(countNoun(137, 'connected component')).toBe('137 connected components');
    expect(countNoun(0, 'voxel')).toBe('0 voxels');
  });

  it.skipIf(!havePython([], 'the formatter reference'))('equals the Python reference (exact decimals) on 600 seeded values of every magnitude', () => {
    const rand = mulberry32(24);
    const quantities: Quantity[] = ['length', 'area', 'volume', 'correlation', 'fraction', 'real'];
    const cases: [number, Quantity][] = [];
    for (let i = 0; i < 600; i++) {
      const magnitude = 10 ** (rand() * 12 - 5);
      const x = (rand() < 0.3 ? -1 : 1) * magnitude;
      // A tenth of the values are exact decimal ties, where rounding rules differ most.
      cases.push([i % 10 === 0 ? Math.round(x * 8) / 8 : x, quantities[i % quantities.length]]);
    }
    const out = execFileSync(python, [path.join(projectRoot, 'scripts/reference/format_number_reference.py')], { input: JSON.stringify(cases), encoding: 'utf8' });
    const expected = JSON.parse(out) as string[];
    expect(cases.map(([x, q]) => formatBare(x, q))).toEqual(expected);
  });
});
