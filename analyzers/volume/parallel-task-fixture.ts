/**
 * A `parallelFor` body for the tests of fft-pool.ts (workers import it by URL): hits[i] += 1 for
 * every i of [a, b) (atomically), or throws when `fail` is set.
 */
export function markRange(args: { hits: Int32Array; fail: boolean }, a: number, b: number): void {
  if (args.fail) throw new Error('task failure requested');
  for (let i = a; i < b; i++) Atomics.add(args.hits, i, 1);
}
