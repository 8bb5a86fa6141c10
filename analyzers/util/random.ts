/**
 * Seeded pseudo-random numbers for tests and simulations (mulberry32: 32-bit state, period 2^32,
 * good enough for noise and test data; not for cryptography).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates from a uniform source (Box–Muller, one value per call). */
export function gaussianSource(uniform: () => number): () => number {
  return () => {
    let u = uniform();
    while (u <= 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
