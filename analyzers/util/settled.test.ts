import { describe, expect, it } from 'vitest';
import { settledBoth } from './settled.ts';

const later = <T>(ms: number, v: T, fail = false) => new Promise<T>((res, rej) => setTimeout(() => (fail ? rej(new Error(String(v))) : res(v)), ms));

describe('settledBoth', () => {
  it("returns a's value once b has settled", async () => {
    const order: string[] = [];
    const b = later(30, 'b').then((v) => order.push(v));
    const v = await settledBoth(later(1, 'a'), b);
    order.push('returned');
    expect(v).toBe('a');
    expect(order).toEqual(['b', 'returned']);
  });

  it("waits for b before it throws a's error, and prefers a's error to b's", async () => {
    let bDone = false;
    const b = later(30, 'b').then(() => { bDone = true; });
    await expect(settledBoth(later(1, 'a failed', true), b)).rejects.toThrow('a failed');
    expect(bDone).toBe(true);
    await expect(settledBoth(later(1, 'a failed', true), later(5, 'b failed', true))).rejects.toThrow('a failed');
  });

  it("throws b's error after a has succeeded, and takes an absent b", async () => {
    await expect(settledBoth(later(1, 'a'), later(5, 'b failed', true))).rejects.toThrow('b failed');
    expect(await settledBoth(Promise.resolve(3), undefined)).toBe(3);
  });
});
