/**
 * Seeded pseudo-random numbers for tests and simulations (mulberry32: 32-bit state, period 2^32,
 * good enough for noise and test data; not for cryptography).
 */
export function mulberry32(seed: number): () => number {
  const state = new Int32Array([seed | 0]);
  return () => mulberry32Next(state);
}

/** mulberry32's state grows by this constant at each draw (mod 2^32). */
const MULBERRY32_STEP = 0x6d2b79f5;

/**
 * mulberry32's state `draws` draws after `state`: the state grows by a constant per draw, so a
 * stream can be split into pieces whose starting states are known without drawing.
 */
export function mulberry32Skip(state: number, draws: number): number {
  return (state + Math.imul(draws, MULBERRY32_STEP)) | 0;
}

/**
 * The next number of the mulberry32 sequence whose state is state[0] (`new Int32Array([seed])`
 * gives the sequence of mulberry32(seed)). For hot loops: a closure variable holding a 32-bit
 * state is boxed by V8 on every update (~20 ns a call on the shared machine), a typed-array slot
 * is not (~3 ns).
 */
export function mulberry32Next(state: Int32Array): number {
  const a = (state[0] + MULBERRY32_STEP) | 0;
  state[0] = a;
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Standard normal deviates from a uniform source (Box–Muller, one value per call). */
export function gaussianSource(uniform: () => number): () => number {
  return () => {
    let u = uniform();
    while (u <= 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
