/**
 * Per-element weights for map simulation.
 *
 * Two schemes:
 * - 'z' (default): every atom is one Gaussian of weight Z (atomic number). Simple, scheme-free, and
 *   what most quick simulators use; relative weights of C/N/O/S are roughly right for cryo-EM too.
 * - 'peng': the elastic electron scattering factor as a sum of five Gaussians,
 *   f(s) = Σᵢ aᵢ·exp(−bᵢ·s²), s = sinθ/λ = 1/(2d) in Å⁻¹, fitted for 0 ≤ s ≤ 2 Å⁻¹, f in Å
 *   (Peng, Ren, Dudarev & Whelan, Acta Cryst. A52:257–276, 1996; reprinted as International
 *   Tables for Crystallography Vol. C (2011) Table 4.3.2.2, "Elastic atomic scattering factors of
 *   electrons for neutral atoms and s up to 2.0 Å⁻¹").
 *   Coefficients below were transcribed from that table as distributed in cctbx
 *   (cctbx/eltbx/e_scattering.py, `ito_vol_c_2011_table_4_3_2_2`) and checked number by number
 *   against gemmi (include/gemmi/c4322.hpp) and, for H, C, N, O, P, S, Bsoft
 *   (parameters/scat_peng.star, "from Peng et al. (1996)"). Neutral atoms only: ions (Peng 1998)
 *   are not included, so Fe³⁺, Zn²⁺ … use the neutral-atom curve.
 *
 * Real-space form of the Peng scheme: with q = 1/d = 2s, f = Σ aᵢ·exp(−bᵢq²/4), and a normalised
 * 3-D Gaussian of per-axis variance v has Fourier transform exp(−2π²v q²), so each term is a
 * Gaussian of weight aᵢ and variance vᵢ = bᵢ/(8π²) Å².
 */

/** Weighting scheme of `simulateMap`. */
export type WeightScheme = 'z' | 'peng';

/** Atomic numbers of the elements a cryo-EM model usually holds (upper-case symbols, as in AtomModel). */
export const ATOMIC_NUMBER: Readonly<Record<string, number>> = {
  H: 1, D: 1, C: 6, N: 7, O: 8, NA: 11, MG: 12, P: 15, S: 16, CL: 17, K: 19, CA: 20,
  MN: 25, FE: 26, CO: 27, NI: 28, CU: 29, ZN: 30, SE: 34,
};

/** Weight used for an element that is not in the table (that of carbon). */
export const UNKNOWN_ELEMENT_Z = 6;

/** Five-Gaussian coefficients: a (Å) and b (Å²) of f(s) = Σ aᵢ·exp(−bᵢ·s²), s = sinθ/λ. */
export interface PengCoefficients {
  readonly a: readonly [number, number, number, number, number];
  readonly b: readonly [number, number, number, number, number];
}

/**
 * Peng et al. (1996) elastic 0–2 Å⁻¹ coefficients (ITC Vol. C 2011, Table 4.3.2.2) for the
 * elements of `ATOMIC_NUMBER`. D uses the H entry (same electron cloud).
 */
export const PENG_1996: Readonly<Record<string, PengCoefficients>> = {
  H: { a: [0.0349, 0.1201, 0.1970, 0.0573, 0.1195], b: [0.5347, 3.5867, 12.3471, 18.9525, 38.6269] },
  D: { a: [0.0349, 0.1201, 0.1970, 0.0573, 0.1195], b: [0.5347, 3.5867, 12.3471, 18.9525, 38.6269] },
  C: { a: [0.0893, 0.2563, 0.7570, 1.0487, 0.3575], b: [0.2465, 1.7100, 6.4094, 18.6113, 50.2523] },
  N: { a: [0.1022, 0.3219, 0.7982, 0.8197, 0.1715], b: [0.2451, 1.7481, 6.1925, 17.3894, 48.1431] },
  O: { a: [0.0974, 0.2921, 0.6910, 0.6990, 0.2039], b: [0.2067, 1.3815, 4.6943, 12.7105, 32.4726] },
  NA: { a: [0.2142, 0.6853, 0.7692, 1.6589, 1.4482], b: [0.3334, 2.3446, 10.0830, 48.3037, 138.2700] },
  MG: { a: [0.2314, 0.6866, 0.9677, 2.1882, 1.1339], b: [0.3278, 2.2720, 10.9241, 39.2898, 101.9748] },
  P: { a: [0.2548, 0.6106, 1.4541, 2.3204, 0.8477], b: [0.2908, 1.8740, 8.5176, 24.3434, 63.2996] },
  S: { a: [0.2497, 0.5628, 1.3899, 2.1865, 0.7715], b: [0.2681, 1.6711, 7.0267, 19.5377, 50.3888] },
  CL: { a: [0.2443, 0.5397, 1.3919, 2.0197, 0.6621], b: [0.2468, 1.5242, 6.1537, 16.6687, 42.3086] },
  K: { a: [0.4115, 1.4031, 2.2784, 2.6742, 2.2162], b: [0.3703, 3.3874, 13.1029, 68.9592, 194.4329] },
  CA: { a: [0.4054, 1.3880, 2.1602, 3.7532, 2.2063], b: [0.3499, 3.0991, 11.9608, 53.9353, 142.3892] },
  MN: { a: [0.3796, 1.2094, 1.7815, 2.5420, 1.5937], b: [0.2699, 2.0455, 7.4726, 31.0604, 91.5622] },
  FE: { a: [0.3946, 1.2725, 1.7031, 2.3140, 1.4795], b: [0.2717, 2.0443, 7.6007, 29.9714, 86.2265] },
  CO: { a: [0.4118, 1.3161, 1.6493, 2.1930, 1.2830], b: [0.2742, 2.0372, 7.7205, 29.9680, 84.9383] },
  NI: { a: [0.3860, 1.1765, 1.5451, 2.0730, 1.3814], b: [0.2478, 1.7660, 6.3107, 25.2204, 74.3146] },
  CU: { a: [0.4314, 1.3208, 1.5236, 1.4671, 0.8562], b: [0.2694, 1.9223, 7.3474, 28.9892, 90.6246] },
  ZN: { a: [0.4288, 1.2646, 1.4472, 1.8294, 1.0934], b: [0.2593, 1.7998, 6.7500, 25.5860, 73.5284] },
  SE: { a: [0.4477, 1.1678, 1.5843, 2.8087, 1.1956], b: [0.2405, 1.5442, 6.3231, 19.4610, 52.0233] },
};

/** Upper-case, trimmed element symbol (AtomModel already stores upper case; this also accepts "Fe"). */
function symbol(element: string): string {
  return element.trim().toUpperCase();
}

/** Atomic number of `element`, or undefined when it is not in `ATOMIC_NUMBER`. */
export function atomicNumber(element: string): number | undefined {
  return ATOMIC_NUMBER[symbol(element)];
}

/**
 * Peng electron scattering factor f(s) = Σ aᵢ·exp(−bᵢ·s²) in Å at s = sinθ/λ = 1/(2d) (Å⁻¹),
 * valid for 0 ≤ s ≤ 2 Å⁻¹; undefined for elements outside the table. f(0) = Σ aᵢ
 * (carbon: 2.5088 Å).
 */
export function pengScatteringFactor(element: string, s: number): number | undefined {
  const c = PENG_1996[symbol(element)];
  if (!c) return undefined;
  let f = 0;
  for (let i = 0; i < 5; i++) f += c.a[i] * Math.exp(-c.b[i] * s * s);
  return f;
}

/**
 * Gaussian components of every atom, flat: for atom j and term t < `terms`, weight
 * `weight[j·terms + t]` and intrinsic per-axis variance `variance[j·terms + t]` (Å²).
 * 'z': one term per atom, weight Z, variance 0 (point atom). 'peng': five terms, weight aᵢ,
 * variance bᵢ/(8π²). Unknown elements get carbon's entry and are counted in `unknown`
 * (symbol → number of atoms), for the caller to report.
 */
export interface AtomGaussians {
  readonly terms: 1 | 5;
  readonly weight: Float64Array;
  readonly variance: Float64Array;
  readonly unknown: ReadonlyMap<string, number>;
}

/** Per-atom Gaussian terms for `elements` under `scheme` (see `AtomGaussians`). */
export function atomGaussians(elements: readonly string[], scheme: WeightScheme = 'z'): AtomGaussians {
  const n = elements.length;
  const unknown = new Map<string, number>();
  const terms = scheme === 'peng' ? 5 : 1;
  const weight = new Float64Array(n * terms);
  const variance = new Float64Array(n * terms);
  const eightPi2 = 8 * Math.PI * Math.PI;
  for (let j = 0; j < n; j++) {
    const sym = symbol(elements[j]);
    switch (scheme) {
      case 'z': {
        let z = ATOMIC_NUMBER[sym];
        if (z === undefined) {
          unknown.set(sym, (unknown.get(sym) ?? 0) + 1);
          z = UNKNOWN_ELEMENT_Z;
        }
        weight[j] = z;
        break;
      }
      case 'peng': {
        let c = PENG_1996[sym];
        if (c === undefined) {
          unknown.set(sym, (unknown.get(sym) ?? 0) + 1);
          c = PENG_1996.C;
        }
        for (let t = 0; t < 5; t++) {
          weight[5 * j + t] = c.a[t];
          variance[5 * j + t] = c.b[t] / eightPi2;
        }
        break;
      }
      default: {
        const never: never = scheme;
        throw new RangeError(`atomGaussians: unknown weight scheme ${String(never)}`);
      }
    }
  }
  return { terms, weight, variance, unknown };
}

/** Total weight of one atom of `element` under `scheme` (Z, or f(0) = Σ aᵢ in Å); unknown → carbon. */
export function elementWeight(element: string, scheme: WeightScheme = 'z'): number {
  const g = atomGaussians([element], scheme);
  let w = 0;
  for (let t = 0; t < g.terms; t++) w += g.weight[t];
  return w;
}
