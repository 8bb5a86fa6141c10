/**
 * `parallelFor` and row-task bodies for the tests of fft-pool.ts, fft.ts and shared-memory.ts
 * (workers import them by URL). markRange: hits[i] += 1 for every i of [a, b) (atomically), or
 * throws when `fail` is set.
 */
export function markRange(args: { hits: Int32Array; fail: boolean }, a: number, b: number): void {
  if (args.fail) throw new Error('task failure requested');
  for (let i = a; i < b; i++) Atomics.add(args.hits, i, 1);
}

/** data[i] = value for every i of [a, b): touches the pages of a shared array from the workers. */
export function fillRange(args: { data: Float32Array; value: number }, a: number, b: number): void {
  args.data.fill(args.value, a, b);
}

/** Arguments of the row bodies below: the half-complex grid [cx, ny, nz] of their spectra. */
interface RowArgs {
  cx: number;
  ny: number;
  nz: number;
}

/**
 * A Fourier filter body (`RealFft3d.filter`): rows ky ∈ [y0, y1) of spec times a gain that varies
 * with the element, and 0 outside the ball of radius `radius` (index units) when it is given.
 */
export function gainRows(args: RowArgs & { spec: Float32Array; radius?: number }, y0: number, y1: number): void {
  const { spec, cx, ny, nz, radius } = args;
  for (let z = 0; z < nz; z++) {
    const kz = z <= nz / 2 ? z : z - nz;
    for (let y = y0; y < y1; y++) {
      const ky = y <= ny / 2 ? y : y - ny;
      for (let x = 0, q = cx * (y + ny * z); x < cx; x++, q++) {
        const g = radius !== undefined && x * x + ky * ky + kz * kz > radius * radius ? 0 : 1 / (1 + (q % 7));
        spec[2 * q] *= g;
        spec[2 * q + 1] *= g;
      }
    }
  }
}

/** A spectrum fill body (`InverseNormOptions.fill`): rows ky ∈ [y0, y1) of to[k] ← from[k]. */
export function copyRows(args: RowArgs & { from: Float32Array[]; to: Float32Array[] }, y0: number, y1: number): void {
  const { cx, ny, nz } = args;
  for (let k = 0; k < args.to.length; k++) {
    for (let z = 0; z < nz; z++) {
      const p = 2 * cx * (y0 + ny * z);
      args.to[k].set(args.from[k].subarray(p, p + 2 * cx * (y1 - y0)), p);
    }
  }
}
