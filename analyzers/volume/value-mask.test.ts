import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { ValueMask, valueMaskOf } from './value-mask.ts';

describe('the voxels that have a value', () => {
  it('are the indices where the mask is above its cut, ascending, past many growths of the list', () => {
    const rnd = mulberry32(3);
    const n = 100_000; // the list starts at n/64 entries and grows to the ~50 000 found
    const soft = Float32Array.from({ length: n }, () => rnd());
    soft[7] = NaN; // never above a cut
    const plain = Array.from(soft.keys()).filter((i) => soft[i] > 0.5);
    expect(plain.length).toBeGreaterThan(40_000);
    expect(Array.from(new ValueMask(soft, 0.5).indices())).toEqual(plain);
    const hard = Uint8Array.from(soft, (v) => (v > 0.5 ? 1 : 0));
    expect(Array.from(new ValueMask(hard, 0.5).indices())).toEqual(plain);
    expect(new ValueMask(new Float32Array(10), 0).indices().length).toBe(0);
  });

  it('are found once per array and cut (valueMaskOf)', () => {
    const map = Float32Array.of(0, 3, NaN, 2.5, -1);
    const a = valueMaskOf(map, 0);
    expect(valueMaskOf(map, 0)).toBe(a);
    expect(a.indices()).toBe(a.indices());
    expect(Array.from(a.indices())).toEqual([1, 3]);
    expect(Array.from(valueMaskOf(map, 2.75).indices())).toEqual([1]);
    expect(valueMaskOf(Float32Array.from(map), 0)).not.toBe(a);
  });
});
