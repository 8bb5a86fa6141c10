/**
 * `parallelFor` bodies for the tests of fft-pool.ts and shared-memory.ts (workers import them by
 * URL). markRange: hits[i] += 1 for every i of [a, b) (atomically), or throws when `fail` is set.
 */
export function markRange(args: { hits: Int32Array; fail: boolean }, a: number, b: number): void {
  if (args.fail) throw new Error('task failure requested');
  for (let i = a; i < b; i++) Atomics.add(args.hits, i, 1);
}

/** data[i] = value for every i of [a, b): touches the pages of a shared array from the workers. */
export function fillRange(args: { data: Float32Array; value: number }, a: number, b: number): void {
  args.data.fill(args.value, a, b);
}
