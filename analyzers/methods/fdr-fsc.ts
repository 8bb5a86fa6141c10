/**
 * FDR-FSC: which shells of the FSC carry signal, by a permutation test per shell and a
 * false-discovery-rate correction over all shells (Beckers & Sachse, JSB 212:107579, 2020; the
 * SPOC program `FSC_FDRcontrol.py`; level1A-spec.md §1.b).
 *
 * 1. Both halves are multiplied by a sphere of radius R = min(dims)/2 − 4 voxels about the box
 *    centre (n − 1)/2 with a Gaussian fall-off exp(−(r − R)²/(2·2²)) outside it, weights below
 *    1e-6 set to 0.
 * 2. Shell i (i = 0 … floor(N/2), N = nx, f_i = i/(N·Ts)) holds the coefficients of the
 *    half-complex grid with i − ½ < N·|w| < i + ½; the grid is used as it is (no Hermitian
 *    weights, SPOC's choice), so n_i counts stored coefficients and the kx = 0 plane enters twice
 *    as often as the rest.
 * 3. FSC_i = Σ Re(a·b*) / √(Σ|a|² · Σ|b|²) over the whole shell (0 when a sum of squares is 0).
 * 4. Permutation test: m_i = min(max(⌊φ·n_i/units⌋, 1), cap) coefficient pairs drawn without
 *    replacement; each permutation pairs the drawn a's with the drawn b's in a random order and
 *    gives a permuted FSC with the drawn pairs' own denominator (the same for every
 *    permutation). p_i = share of permuted FSCs ≥ FSC_i. m_i < 10: p_i = 0 when FSC_i ≥ 0.75,
 *    else 1. p_0 = 0. φ is the mask's effective volume fraction (Σw²)²/(V·Σw⁴), 0.42–0.51 for
 *    this mask from 48³ to 360³: the FSC of independent noise under the mask varies like that of
 *    φ·n independent coefficients, so the permuted FSCs of φ·n pairs have the spread the
 *    observed one has under the null. SPOC uses the constant 0.7 (`sampleFraction: 0.7`), a null
 *    too narrow by √(0.7/φ): on independent noise halves at 48³ it called 1.2–1.7 % of the
 *    shells significant, φ 0.2 % (below the 1/(P + 1) = 0.5 % of an exact test). The cap
 *    (20 000 pairs; SPOC 200 000) bounds the cost and only widens the null of large shells.
 * 5. q = Benjamini–Yekutieli adjustment of all p_i; a shell is significant when q_i ≤ 1 %.
 * 6. Resolution = 1/f_j of the shell j before the first insignificant one (null when j = 0),
 *    2·Ts when every shell is significant.
 *
 * "≥", not SPOC's ">": ties have probability zero for continuous data, except where the shell
 * holds no information, e.g. one half is zero there; then every permuted FSC equals the observed
 * one and ">" would call the shell significant (p = 0), "≥" calls it what it is (p = 1).
 */
import { createRealFft3d } from '../fft/fft.ts';
import { parallelFor, threadsForVoxels } from '../fft/fft-pool.ts';
import { mulberry32Next } from '../util/random.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { squaredFrequencies } from './fsc.ts';
import { hypot2 } from '../util/hypot.ts';

export interface FdrFscOptions {
  /** Seed of the subsampling and permutations (default 3, SPOC's). */
  readonly seed?: number;
  /** Most permutations per shell (default 200; SPOC plans 1000). */
  readonly maxPermutations?: number;
  /** Permutations between two stopping checks (default 50). */
  readonly permutationBlock?: number;
  /** Most coefficient pairs drawn per shell (default 20 000; SPOC 200 000). */
  readonly maxSamples?: number;
  /** Share of a shell's coefficients drawn (default: the mask's effective volume fraction φ,
   *  ≈ 0.42–0.51 from 48³ to 360³; 0.7 is SPOC's constant). */
  readonly sampleFraction?: number;
  /** Asymmetric units of the point group (default 1, C1): fewer independent coefficients. */
  readonly asymmetricUnits?: number;
  /** False-discovery rate (default 0.01). */
  readonly fdr?: number;
  /** Threads of the permutation loop (default: the FFT pool's for maps of ≥ 64³ voxels, else 1). */
  readonly threads?: number;
  /** The shell table of the grid (`shellTable(dims)`), when the caller has it (it is shared with `spocBFactor`). */
  readonly shells?: ShellTable;
}

/** Shell of every half-complex coefficient and the coefficients per shell (`shellTable`). */
export interface ShellTable {
  readonly table: Uint16Array;
  readonly counts: Int32Array;
}

/** Per-shell result, shells i = 0 … floor(N/2) (shell 0 is the DC term alone). */
export interface FdrFsc {
  readonly shell: Int32Array;
  /** f_i = i/(N·Ts), Å⁻¹. */
  readonly frequency: Float64Array;
  /** FSC of the masked halves over the whole shell. */
  readonly fsc: Float64Array;
  readonly pValue: Float64Array;
  /** Benjamini–Yekutieli adjusted p-values. */
  readonly qValue: Float64Array;
  /** 1 where q ≤ the FDR. */
  readonly significant: Uint8Array;
  /** n_i: half-complex coefficients in the shell. */
  readonly coefficients: Int32Array;
  /** m_i: coefficient pairs drawn for the permutation test. */
  readonly samples: Int32Array;
  /** Permutations run (0: shell 0, or m_i < 10 and the 0.75 rule). */
  readonly permutations: Int32Array;
  /** Å; null when shell 1 is already insignificant. */
  readonly resolution: number | null;
  /** Radius R of the spherical mask, voxels. */
  readonly maskRadius: number;
}

/** Shells drawn fewer pairs than this are decided by FSC ≥ SMALL_SHELL_FSC instead of permutations. */
export const MIN_SAMPLES = 10;
export const SMALL_SHELL_FSC = 0.75;
/** Width σ (voxels) of the mask's Gaussian fall-off, and the weight below which it is 0. */
export const FALLOFF_SIGMA = 2;
const FALLOFF_FLOOR = 1e-6;
/** Distance beyond R where the fall-off reaches the floor: exp(−d²/(2σ²)) = 1e-6. */
const FALLOFF_REACH = FALLOFF_SIGMA * Math.sqrt(-2 * Math.log(FALLOFF_FLOOR));
/** SPOC's convergence rule: stop once p moves by less than this between two blocks. */
const P_CONVERGED = 0.001;
/**
 * A coefficient this close to a shell boundary (in shell units) lies on it: on a non-cubic grid some
 * do exactly (nx = 50, nz = 40: kz = 2 is at 2.5), and rounding must not decide their shell.
 */
const ON_BOUNDARY = 1e-9;
/** Marks a half-complex coefficient outside every shell in the shell table. */
const NO_SHELL = 0xffff;

/**
 * FDR-FSC of two half maps on the same grid (steps 1–6 of the module comment). Throws a RangeError
 * when the grids differ or the box is too small for the mask (min(dims) ≤ 8).
 *
 * Why 200 permutations suffice: the smallest non-zero p is 1/200 = 0.005, and BY at 1 % over M
 * shells keeps a p only if p·(M/l)·H_M ≤ 0.01 for some rank l at or above its own, i.e. at best
 * p ≤ 0.01/H_M ≈ 0.0017 (M = 181 shells of a 360³ box, H_M ≈ 5.8; 0.0023 for 49 shells of a 96³
 * box). So a shell is significant exactly when no permutation reaches its FSC (p = 0, as SPOC
 * reports it; SPOC too stops after its first block of 200 when none does). That is still a
 * proper test: under the null (no shared signal) the observed FSC behaves like one more permuted
 * one (the draw of φ·n pairs gives the permuted FSCs its spread, step 4), so p = 0 has probability
 * ≈ 1/(P + 1) ≈ 0.5 % per shell, below the 1 % target (0.2–0.4 % measured on noise halves).
 * Where there is signal, even FSC = 0.05 lies 10 standard deviations (1/√(2m) = 0.005 at
 * m = 20 000) above the permuted FSCs, whose largest of 200 is typically 2.8 deviations out: p = 0
 * is then the right answer, and more permutations would only refine the p-values of shells that fail anyway.
 */
export async function fdrFsc(h1: Volume, h2: Volume, opts: FdrFscOptions = {}): Promise<FdrFsc> {
  const dims = h1.dims;
  const [nx, ny, nz] = dims;
  if (h2.dims[0] !== nx || h2.dims[1] !== ny || h2.dims[2] !== nz) {
    throw new RangeError(`fdrFsc: half maps of ${h1.dims.join('×')} and ${h2.dims.join('×')} voxels`);
  }
  const radius = Math.min(nx, ny, nz) / 2 - 4;
  if (!(radius > 0)) throw new RangeError(`fdrFsc: a ${dims.join('×')} box is too small for the mask of radius min/2 − 4`);
  const seed = opts.seed ?? 3;
  const maxPermutations = opts.maxPermutations ?? 200;
  const block = opts.permutationBlock ?? 50;
  const alpha = opts.fdr ?? 0.01;
  const threads = opts.threads ?? threadsForVoxels(nx * ny * nz);

  const { outs: [m1, m2], fraction } = await masked([h1.data, h2.data], dims, radius);
  const fft = createRealFft3d(dims);
  const F1 = await fft.forward(m1);
  const F2 = await fft.forward(m2);
  const { table, counts } = opts.shells ?? (await shellTable(dims));
  const shells = counts.length;
  const samples = counts.map((n) => sampleCount(n, opts.sampleFraction ?? fraction, opts));
  const drawn = samples.map((m, i) => (i > 0 && m >= MIN_SAMPLES ? m : 0));
  const g = gatherShells(F1, F2, table, drawn, counts, seed);
  const fsc = new Float64Array(shells).map((_, i) => correlation(g.cross[i], g.power1[i], g.power2[i]));

  const H = harmonicApprox(shells);
  const args: PermutationArgs = {
    a: g.a,
    b: g.b,
    offsets: g.offsets,
    drawn,
    observed: fsc,
    seed,
    maxPermutations,
    block,
    // A shell with this many exceedances ends with p ≥ count/maxPermutations whatever the
    // remaining permutations give, and every BY term of that p is ≥ p·H > alpha: neither its
    // significance nor any other shell's can change, so it stops.
    decisive: Math.floor((alpha * maxPermutations) / H) + 1,
    exceed: new Int32Array(new SharedArrayBuffer(4 * shells)),
    used: new Int32Array(new SharedArrayBuffer(4 * shells)),
  };
  await parallelFor(import.meta.url, 'permuteShells', permuteShells, args, shells, threads);

  const pValue = new Float64Array(shells).map((_, i) => {
    if (i === 0) return 0;
    if (drawn[i] === 0) return fsc[i] >= SMALL_SHELL_FSC ? 0 : 1;
    return args.exceed[i] / args.used[i];
  });
  const qValue = adjustBY(pValue);
  const significant = Uint8Array.from(qValue, (q) => (q <= alpha ? 1 : 0));
  const frequency = new Float64Array(shells).map((_, i) => i / (nx * h1.voxelSize[0]));
  return {
    shell: Int32Array.from(counts, (_, i) => i),
    frequency,
    fsc,
    pValue,
    qValue,
    significant,
    coefficients: counts,
    samples,
    permutations: Int32Array.from(args.used),
    resolution: fdrResolution(frequency, significant, h1.voxelSize[0]),
    maskRadius: radius,
  };
}

/** m = min(max(⌊fraction·n/units⌋, 1), cap): the pairs drawn from a shell of n coefficients. */
function sampleCount(n: number, fraction: number, opts: FdrFscOptions): number {
  if (n === 0) return 0;
  const m = Math.floor((fraction * n) / (opts.asymmetricUnits ?? 1));
  return Math.min(Math.max(m, 1), opts.maxSamples ?? 20000);
}

function correlation(cross: number, p1: number, p2: number): number {
  const den = Math.sqrt(p1 * p2);
  return den > 0 ? cross / den : 0;
}

/**
 * Resolution from the significance flags: 1/f_j for the shell j before the first insignificant
 * one, null when j is shell 0 (no resolution), 2·Ts when no shell is insignificant.
 */
export function fdrResolution(frequency: ArrayLike<number>, significant: ArrayLike<number>, ts: number): number | null {
  for (let i = 0; i < significant.length; i++) {
    if (significant[i]) continue;
    return i <= 1 ? null : 1 / frequency[i - 1];
  }
  return 2 * ts;
}

/** H_M ≈ ln M + γ + 1/(2M) − 1/(12M²) + 1/(120M⁴), SPOC's expansion with γ ≈ 0.5772. */
export function harmonicApprox(m: number): number {
  return Math.log(m) + 0.5772 + 1 / (2 * m) - 1 / (12 * m * m) + 1 / (120 * m ** 4);
}

/**
 * Benjamini–Yekutieli adjusted p-values (valid under any dependence between the tests): with p
 * sorted ascending, q_(j) = min over l ≥ j of p_(l)·(M/l)·H_M, at most 1, in the input order.
 */
export function adjustBY(p: ArrayLike<number>): Float64Array {
  const m = p.length;
  const H = harmonicApprox(m);
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => p[i] - p[j] || i - j);
  const q = new Float64Array(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r];
    running = Math.min(running, p[i] * (m / (r + 1)) * H);
    q[i] = running;
  }
  return q;
}

/**
 * The spherical mask with Gaussian fall-off (module comment, step 1) on a grid, for tests and
 * for callers that want to see it; `fdrFsc` applies it row by row without storing it.
 */
export function fallOffMask(dims: Vec3, radius: number): Float32Array {
  const [nx, ny, nz] = dims;
  const out = new Float32Array(nx * ny * nz);
  const row = new Float64Array(nx);
  const sums = new Float64Array(2);
  for (let z = 0, o = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++, o += nx) {
      maskRow(row, dims, y, z, radius, sums);
      out.set(row, o);
    }
  }
  return out;
}

/** Weights of the mask along row (y, z), written to row[0 … nx); adds Σw² and Σw⁴ of the row to sums. */
function maskRow(row: Float64Array, [nx, ny, nz]: Vec3, y: number, z: number, radius: number, sums: Float64Array): void {
  const dy = y - (ny - 1) / 2;
  const dz = z - (nz - 1) / 2;
  const dyz2 = dy * dy + dz * dz;
  const inner2 = radius * radius;
  // Beyond the reach every weight is below the floor: no exp (the box corners are ~40 % of it).
  const outer2 = (radius + FALLOFF_REACH) ** 2;
  const cx = (nx - 1) / 2;
  const k = 1 / (2 * FALLOFF_SIGMA * FALLOFF_SIGMA);
  let s2 = 0;
  let s4 = 0;
  for (let x = 0; x < nx; x++) {
    const r2 = (x - cx) * (x - cx) + dyz2;
    let w = 0;
    if (r2 <= inner2) {
      w = 1;
    } else if (r2 <= outer2) {
      const d = Math.sqrt(r2) - radius;
      w = Math.exp(-d * d * k);
      if (w < FALLOFF_FLOOR) w = 0;
    }
    row[x] = w;
    s2 += w * w;
    s4 += w * w * w * w;
  }
  sums[0] += s2;
  sums[1] += s4;
}

/**
 * Each input times the mask, on shared arrays (the FFT pool transforms them in place), and the
 * mask's effective volume fraction φ = (Σw²)²/(V·Σw⁴) (1 for a full box, the volume fraction for a
 * 0/1 mask): the FSC of independent noise under the mask varies as that of φ·n coefficients.
 * Rows are masked on the pool; each row's Σw² and Σw⁴ are summed here in row order, as one loop would.
 */
async function masked(inputs: Float32Array[], dims: Vec3, radius: number, meanOfPair = false): Promise<{ outs: Float32Array[]; fraction: number }> {
  const rows = dims[1] * dims[2];
  const outs = (meanOfPair ? inputs.slice(0, 1) : inputs).map((d) => sharedFloat32(d.length));
  const args: MaskRowsArgs = { inputs, outs, dims, radius, rowSums: new Float64Array(new SharedArrayBuffer(16 * rows)), meanOfPair };
  await parallelFor(import.meta.url, 'maskRows', maskRows, args, rows, threadsForVoxels(inputs[0].length));
  let s2 = 0;
  let s4 = 0;
  for (let r = 0; r < rows; r++) {
    s2 += args.rowSums[2 * r];
    s4 += args.rowSums[2 * r + 1];
  }
  return { outs: args.outs, fraction: (s2 * s2) / (inputs[0].length * s4) };
}

/** Arguments of `maskRows` (big arrays on shared memory). */
export interface MaskRowsArgs {
  inputs: Float32Array[];
  outs: Float32Array[];
  dims: Vec3;
  radius: number;
  /** Out: Σw² and Σw⁴ of each row (y, z), at 2·(y + ny·z). */
  rowSums: Float64Array;
  /** Mask the float32 mean (inputs[0] + inputs[1])/2 into outs[0] instead of each input into its own. */
  meanOfPair?: boolean;
}

/** Rows [r0, r1) (row r = y + ny·z) of every input times the mask, and each row's sums; a `parallelFor` body. */
export function maskRows(a: MaskRowsArgs, r0: number, r1: number): void {
  const [nx, ny] = a.dims;
  const row = new Float64Array(nx);
  const sums = new Float64Array(2);
  for (let r = r0; r < r1; r++) {
    sums[0] = 0;
    sums[1] = 0;
    maskRow(row, a.dims, r % ny, Math.floor(r / ny), a.radius, sums);
    a.rowSums[2 * r] = sums[0];
    a.rowSums[2 * r + 1] = sums[1];
    const o = r * nx;
    if (a.meanOfPair) {
      const [d1, d2] = a.inputs;
      const out = a.outs[0];
      for (let x = 0; x < nx; x++) out[o + x] = Math.fround(0.5 * (d1[o + x] + d2[o + x])) * row[x];
      continue;
    }
    for (let j = 0; j < a.inputs.length; j++) {
      const d = a.inputs[j];
      const out = a.outs[j];
      for (let x = 0; x < nx; x++) out[o + x] = d[o + x] * row[x];
    }
  }
}

/**
 * Shell of every half-complex coefficient (NO_SHELL beyond shell floor(N/2) or on a boundary,
 * which the strict inequalities of step 2 leave out) and the coefficients per shell.
 */
export async function shellTable(dims: Vec3): Promise<ShellTable> {
  const [nx, ny, nz] = dims;
  const hx = (nx >> 1) + 1;
  const shells = (nx >> 1) + 1;
  const args: ShellTableArgs = { dims, table: new Uint16Array(new SharedArrayBuffer(2 * hx * ny * nz)), planeCounts: new Int32Array(new SharedArrayBuffer(4 * nz * shells)) };
  await parallelFor(import.meta.url, 'shellTablePlanes', shellTablePlanes, args, nz, threadsForVoxels(nx * ny * nz));
  const counts = new Int32Array(shells);
  for (let z = 0; z < nz; z++) for (let k = 0; k < shells; k++) counts[k] += args.planeCounts[z * shells + k];
  return { table: args.table, counts };
}

/** Arguments of `shellTablePlanes`: the table and each z plane's coefficients per shell, on shared memory. */
export interface ShellTableArgs {
  readonly dims: Vec3;
  readonly table: Uint16Array;
  readonly planeCounts: Int32Array;
}

/** Planes [z0, z1) of the shell table, and their counts per shell; a `parallelFor` body. */
export function shellTablePlanes({ dims, table, planeCounts }: ShellTableArgs, z0: number, z1: number): void {
  const [nx, ny] = dims;
  const { hx, wx, wy, wz } = squaredFrequencies(dims);
  const last = nx >> 1;
  for (let z = z0, p = z0 * ny * hx; z < z1; z++) {
    const counts = planeCounts.subarray(z * (last + 1), (z + 1) * (last + 1));
    for (let y = 0; y < ny; y++) {
      const ryz = wy[y] + wz[z];
      for (let x = 0; x < hx; x++, p++) {
        const d = Math.sqrt(wx[x] + ryz) * nx;
        const k = Math.round(d);
        if (k > last || Math.abs(Math.abs(d - k) - 0.5) < ON_BOUNDARY) {
          table[p] = NO_SHELL;
          continue;
        }
        table[p] = k;
        counts[k]++;
      }
    }
  }
}

interface Gathered {
  cross: Float64Array;
  power1: Float64Array;
  power2: Float64Array;
  /** Drawn coefficients of half 1 and half 2, interleaved (re, im), shell after shell, on shared memory. */
  a: Float32Array;
  b: Float32Array;
  /** First drawn pair of each shell. */
  offsets: Int32Array;
}

/**
 * One pass over both spectra: the shell sums of the FSC and a uniform random subset of `drawn[k]`
 * pairs of each shell, by selection sampling (Knuth's algorithm S: keep the t-th of n with
 * probability (still needed)/(n − t)), which draws exactly m without replacement and without
 * storing the shell.
 */
function gatherShells(F1: Float32Array, F2: Float32Array, table: Uint16Array, drawn: Int32Array, counts: Int32Array, seed: number): Gathered {
  const shells = counts.length;
  const offsets = new Int32Array(shells + 1);
  for (let k = 0; k < shells; k++) offsets[k + 1] = offsets[k] + drawn[k];
  const a = sharedFloat32(2 * offsets[shells]);
  const b = sharedFloat32(2 * offsets[shells]);
  const cross = new Float64Array(shells);
  const power1 = new Float64Array(shells);
  const power2 = new Float64Array(shells);
  const seen = new Int32Array(shells);
  const taken = new Int32Array(shells);
  const state = new Int32Array([seed]);
  for (let p = 0; p < table.length; p++) {
    const k = table[p];
    if (k === NO_SHELL) continue;
    const ar = F1[2 * p], ai = F1[2 * p + 1], br = F2[2 * p], bi = F2[2 * p + 1];
    cross[k] += ar * br + ai * bi;
    power1[k] += ar * ar + ai * ai;
    power2[k] += br * br + bi * bi;
    const need = drawn[k] - taken[k];
    const left = counts[k] - seen[k]++;
    if (need > 0 && mulberry32Next(state) * left < need) {
      const q = 2 * (offsets[k] + taken[k]++);
      a[q] = ar;
      a[q + 1] = ai;
      b[q] = br;
      b[q + 1] = bi;
    }
  }
  return { cross, power1, power2, a, b, offsets };
}

/** Inputs of `permuteShells` (arrays written by the workers on shared memory). */
export interface PermutationArgs {
  a: Float32Array;
  b: Float32Array;
  offsets: Int32Array;
  /** Pairs drawn per shell; 0 = no permutation test. */
  drawn: Int32Array;
  observed: Float64Array;
  seed: number;
  maxPermutations: number;
  block: number;
  /** Exceedances that decide a shell as insignificant. */
  decisive: number;
  /** Out: permuted FSCs ≥ the observed one, and permutations run, per shell. */
  exceed: Int32Array;
  used: Int32Array;
}

/**
 * The permutation tests of shells [k0, k1); a `parallelFor` body. Each shell has its own random
 * stream (from the seed and the shell index) and its own slice of `b`, so the result does not
 * depend on the threads or on which worker took which shell.
 */
export function permuteShells(args: PermutationArgs, k0: number, k1: number): void {
  for (let k = k0; k < k1; k++) {
    const m = args.drawn[k];
    if (m === 0) continue;
    const state = new Int32Array([shellSeed(args.seed, k)]);
    const r = permutationTest(args.a, args.b, args.offsets[k], m, args.observed[k], state, args);
    args.exceed[k] = r.exceed;
    args.used[k] = r.used;
  }
}

function shellSeed(seed: number, k: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(k + 1, 0xc2b2ae35)) >>> 0;
}

/**
 * Permutations in blocks until the cap, or until the shell is decided (`decisive` exceedances),
 * or, once some permuted FSC has reached the observed one, until p moves by less than 0.001
 * between two blocks (SPOC's rule). A p of 0 always runs to the cap: stopping it early would
 * raise the false-positive rate 1/(P + 1) of step 4.
 */
function permutationTest(
  a: Float32Array,
  b: Float32Array,
  first: number,
  m: number,
  observed: number,
  state: Int32Array,
  plan: { maxPermutations: number; block: number; decisive: number },
): { exceed: number; used: number } {
  const den = Math.sqrt(sumSquares(a, first, m) * sumSquares(b, first, m));
  let exceed = 0;
  let used = 0;
  let previous = -1;
  while (used < plan.maxPermutations) {
    const n = Math.min(plan.block, plan.maxPermutations - used);
    for (let r = 0; r < n; r++) {
      const f = den > 0 ? permutedCross(a, b, first, m, state) / den : 0;
      if (f >= observed) exceed++;
    }
    used += n;
    const p = exceed / used;
    if (exceed >= plan.decisive) break;
    if (exceed > 0 && previous >= 0 && Math.abs(p - previous) < P_CONVERGED) break;
    previous = p;
  }
  return { exceed, used };
}

function sumSquares(v: Float32Array, first: number, m: number): number {
  let s = 0;
  for (let i = 2 * first; i < 2 * (first + m); i++) s += v[i] * v[i];
  return s;
}

/**
 * Σ Re(a_i·b*_π(i)) for a uniformly random permutation π of the m pairs from `first`: a
 * Fisher–Yates shuffle of b in place whose position i is final once swapped, so the product is
 * accumulated in the same pass. Shuffling the previous permutation again is as uniform as
 * shuffling the original order.
 */
function permutedCross(a: Float32Array, b: Float32Array, first: number, m: number, state: Int32Array): number {
  let s = 0;
  for (let i = m - 1; i > 0; i--) {
    const pi = 2 * (first + i);
    const pj = 2 * (first + ((mulberry32Next(state) * (i + 1)) | 0));
    const br = b[pj];
    const bi = b[pj + 1];
    b[pj] = b[pi];
    b[pj + 1] = b[pi + 1];
    b[pi] = br;
    b[pi + 1] = bi;
    s += a[pi] * br + a[pi + 1] * bi;
  }
  const p0 = 2 * first;
  return s + a[p0] * b[p0] + a[p0 + 1] * b[p0 + 1];
}

/** SPOC fits its B-factor only for maps resolved beyond this (Å). */
export const BFACTOR_MAX_RESOLUTION = 8;
/** Low end of the B-factor fit (Å). */
export const BFACTOR_LOW_RESOLUTION = 10;

/**
 * SPOC's B-factor (level1A-spec.md §1.b step 7): the mean |F| per shell of the half-map average
 * (h1 + h2)/2 times a sphere of radius min(dims)/4 − 4 with the same fall-off, ln(mean |F|)
 * fitted by least squares against f_i² over the shells with 1/10 < f_i < 1/resolution. Returns
 * 4·slope (Å²; negative for a map whose amplitudes fall with frequency), the value SPOC prints and
 * VRS reports (SPOC's own B is its negative); null when the resolution is not finer than 8 Å (SPOC
 * skips the fit), the box is too small for the mask, or fewer than 2 shells fall in the range.
 * Shells as in `fdrFsc` (SPOC puts a coefficient exactly on a boundary in the lower shell; on a
 * cubic grid none is).
 */
export async function spocBFactor(h1: Volume, h2: Volume, resolution: number | null, shells?: ShellTable): Promise<number | null> {
  if (resolution === null || !(resolution < BFACTOR_MAX_RESOLUTION)) return null;
  const dims = h1.dims;
  const radius = Math.min(...dims) / 4 - 4;
  if (!(radius > 0)) return null;
  // The float32 mean of the halves, masked in the same pass.
  const F = await createRealFft3d(dims).forward((await masked([h1.data, h2.data], dims, radius, true)).outs[0]);
  const { table, counts } = shells ?? (await shellTable(dims));
  const sums = new Float64Array(counts.length);
  for (let p = 0; p < table.length; p++) {
    const k = table[p];
    if (k !== NO_SHELL) sums[k] += hypot2(F[2 * p], F[2 * p + 1]);
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < counts.length; k++) {
    const f = k / (dims[0] * h1.voxelSize[0]);
    if (f > 1 / BFACTOR_LOW_RESOLUTION && f < 1 / resolution && sums[k] > 0) {
      x.push(f * f);
      y.push(Math.log(sums[k] / counts[k]));
    }
  }
  return x.length < 2 ? null : 4 * leastSquaresSlope(x, y);
}

function leastSquaresSlope(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxy / sxx;
}
