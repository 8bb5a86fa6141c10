/**
 * Local amplitude of a cubic map in a thin Fourier shell, by the spiral (Riesz) transform of
 * LocSpiral / LocBFactor / LocOccupancy (Kaur et al., Nat Commun 12:1240, 2021; level0-spec.md
 * §9–10), computed on the half-complex grid but equal to the full-grid numpy definition:
 *
 *   F = FFT(V) (unnormalised), f = fftfreq(n, Ts) per axis (Å⁻¹), ρ = |f|,
 *   S_f = exp(−(ρ − f)²/(2δ²)) / Σ_fullgrid exp(−(ρ − f)²/(2δ²)),   δ = width/(n·Ts),
 *   H_k = −i·f_k/ρ (0 at DC), v0 = IFFT(S_f·F), v_k = IFFT(H_k·S_f·F) (complex, numpy ifftn),
 *   A_f = √(|v0|² + |v_x|² + |v_y|² + |v_z|²).
 *
 * Why the Nyquist planes need care: for even n, numpy's fftfreq puts the index n/2 at −1/(2Ts), so
 * H_k on the plane k_k = n/2 is the same purely imaginary constant at k and at its mirror −k: that
 * plane is anti-Hermitian and makes v_k complex. |v_k|² = (Re v_k)² + (Im v_k)², where Re v_k is the
 * real inverse of H_k·S·F with that plane zeroed, and Im v_k(x) = (−1)^(x_k)·q(x_⊥)/n with q the 2-D
 * inverse (1/n² included) of (1/(2·Ts·ρ))·S·F on the plane. Both are computed here, so the result
 * matches numpy's fftn/ifftn to float32 precision.
 *
 * The shell sum Σ S over numpy's full n³ grid counts each half-complex column kx with weight 2,
 * except kx = 0 and (even n) kx = n/2, which have no separate mirror column.
 *
 * Cost (what makes it fast; the definition above is unchanged): S and 1/ρ depend on a half-complex
 * element only through the integer m = kx² + ky² + kz², so each shell tabulates them once per m;
 * the four spectra S·F, H_k·S·F are written in one pass over the shell's rows (`fillShellPlanes`,
 * planes split over the FFT worker pool), and `RealFft3d.inverseNorm` forms √(Σ r²)/Σ S slab by
 * slab on the workers, told the shell's support radius (f + 6δ)·n·Ts so that all-zero lines are
 * skipped, and clears the spectra behind it (only the rows the transforms can have touched).
 */
import { createRealFft3d, fftFreq, type RealFft3d } from '../fft/fft.ts';
import { parallelFor, threadsForVoxels } from '../fft/fft-pool.ts';
import { isShared, sharedFloat32 } from '../util/shared-memory.ts';
import type { Volume } from '../volume/volume.ts';

/**
 * Gaussian exponents beyond this are set to zero: exp(−18) ≈ 1.5e−8 of the shell peak, below the
 * float32 resolution (6e−8) of the spectrum they multiply; it bounds each shell to |ρ − f| ≤ 6δ.
 */
const MAX_EXPONENT = 18;

/** A map's spectrum ready for shell amplitudes at any frequency. */
export interface SpiralAmplitude {
  /** Cube edge (voxels). */
  readonly n: number;
  /** Voxel edge Ts (Å). */
  readonly voxelSize: number;
  /** Shell width δ = fVoxelWidth/(n·Ts) (Å⁻¹). */
  readonly delta: number;
  /**
   * Writes A_f (the local amplitude at shell frequency f, Å⁻¹, normalised shell) into `out`
   * (n³ float32, x fastest), overwriting it. Returns Σ S and Σ S² over the full grid before
   * normalisation. Reuses internal buffers: do not call concurrently on one instance.
   */
  amplitude(f: number, out: Float32Array): Promise<ShellSums>;
}

/** Full-grid sums of the unnormalised shell exp(−(ρ − f)²/(2δ²)). */
export interface ShellSums {
  readonly sum: number;
  readonly sumSquares: number;
}

/**
 * What the Σ S = 1 normalisation adds to a local B (Å²): for a signal with random phases the
 * expected amplitude in shell j is ∝ |F(f_j)|·√(Σ S_j²)/Σ S_j, so ln A_j carries
 * ½·ln Σ S_j² − ln Σ S_j, and the fitted B carries 4× its least-squares slope against f_j².
 * ≈ 4·slope(−½·ln f²) when δ ≪ f (−53 Å² for 10 shells from 15 Å to 3 Å). Exact for a flat
 * spectrum (B = 0); for |F| ∝ exp(B·s²/4) the shell's width also tilts the weights inside it, which
 * scales the fitted B by ≈ 1/(1 − B·δ²/2) (large on small grids, < 2 % for n·Ts ≳ 350 Å).
 */
export function shellNormalisationOffset(freqs: readonly number[], sums: readonly ShellSums[]): number {
  const m = freqs.length;
  const x = freqs.map((f) => f * f);
  const y = sums.map((s) => 0.5 * Math.log(s.sumSquares) - Math.log(s.sum));
  const xm = x.reduce((a, b) => a + b, 0) / m;
  const ym = y.reduce((a, b) => a + b, 0) / m;
  let num = 0;
  let den = 0;
  for (let j = 0; j < m; j++) {
    num += (x[j] - xm) * (y[j] - ym);
    den += (x[j] - xm) * (x[j] - xm);
  }
  return den > 0 ? (4 * num) / den : NaN;
}

/**
 * Precomputes F = FFT(V) of a cubic volume (dims n³, isotropic voxel Ts) and the scratch for
 * `amplitude`. Memory: 5 half-complex float32 spectra (F and the four shell spectra) + 2-D
 * scratch (+ 1 real volume when `amplitude` is given an output that is not
 * SharedArrayBuffer-backed, + the FFT pool's staging volume), plus one real volume per entry of `keep`: amplitudes at exactly
 * those frequencies are stored the first time and copied afterwards (0.f and 0.g both start at
 * 1/15 Å⁻¹ and end at 1/res).
 * Throws RangeError when the volume is not cubic or the voxel is not isotropic (≤ 1e−4 relative).
 */
export async function createSpiralAmplitude(v: Volume, fVoxelWidth = 4.8, keep: readonly number[] = []): Promise<SpiralAmplitude> {
  const [nx, ny, nz] = v.dims;
  if (nx !== ny || ny !== nz) throw new RangeError(`spiral amplitude needs a cubic map, got [${v.dims.join(', ')}]`);
  const Ts = v.voxelSize[0];
  if (!(Ts > 0) || Math.abs(v.voxelSize[1] - Ts) > 1e-4 * Ts || Math.abs(v.voxelSize[2] - Ts) > 1e-4 * Ts) {
    throw new RangeError(`spiral amplitude needs an isotropic voxel, got [${v.voxelSize.join(', ')}] Å`);
  }
  const n = nx;
  const fft = createRealFft3d([n, n, n]);
  const F = await fft.forward(v.data);
  const impl = new SpiralAmplitudeImpl(n, Ts, fVoxelWidth / (n * Ts), fft, F);
  return keep.length === 0 ? impl : new KeepingSpiralAmplitude(impl, keep);
}

/** Remembers the amplitude maps of a few frequencies (compared exactly). */
class KeepingSpiralAmplitude implements SpiralAmplitude {
  readonly n: number;
  readonly voxelSize: number;
  readonly delta: number;
  private readonly inner: SpiralAmplitude;
  private readonly kept = new Map<number, { map: Float32Array | null; sums: ShellSums | null }>();

  constructor(inner: SpiralAmplitude, keep: readonly number[]) {
    this.inner = inner;
    this.n = inner.n;
    this.voxelSize = inner.voxelSize;
    this.delta = inner.delta;
    for (const f of keep) this.kept.set(f, { map: null, sums: null });
  }

  async amplitude(f: number, out: Float32Array): Promise<ShellSums> {
    const slot = this.kept.get(f);
    if (slot?.map && slot.sums) {
      out.set(slot.map);
      return slot.sums;
    }
    const sums = await this.inner.amplitude(f, out);
    if (slot) {
      slot.map = out.slice();
      slot.sums = sums;
    }
    return sums;
  }
}

/** Index slack of the support radius handed to the inverse transforms (rounding of the bounds). */
const RADIUS_SLACK = 1;

/** Grids below this many voxels run their loops on the calling thread (as the FFT does). */

/** Inputs and outputs of `fillShellPlanes` (big arrays SharedArrayBuffer-backed). */
export interface ShellArgs {
  n: number;
  /** Bounds (f − cut)², (f + cut)² of ρ² (Å⁻²) and n·Ts (Å), for the row ranges. */
  lo2: number;
  hi2: number;
  nTs: number;
  /** Per integer m = kx² + ky² + kz² (signed indices): the shell S (0 beyond the cut) and 1/√m (0 at m = 0). */
  shell: Float64Array;
  invRoot: Float64Array;
  F: Float32Array;
  w0: Float32Array;
  wx: Float32Array;
  wy: Float32Array;
  wz: Float32Array;
  ff: Float64Array;
  colWeight: Float64Array;
  rowLo: Int32Array;
  rowHi: Int32Array;
  /** Per plane kz: full-grid Σ S at 2·kz, Σ S² at 2·kz + 1. */
  planeSums: Float64Array;
}

/**
 * For the planes kz in [z0, z1) of all-zero spectra: writes the shell S·F into w0 and the Riesz spectra
 * H_k·S·F into wx, wy, wz (H_k = −i·f_k/ρ = −i·k_k/√m in index units, 0 at DC and on axis k's
 * Nyquist plane, even n), the non-zero kx range of each row into rowLo/rowHi and the plane's
 * full-grid Σ S, Σ S² into planeSums. S and 1/ρ depend on the element only through the integer
 * m = kx² + ky² + kz², so they come from per-shell tables. Elements outside the shell stay 0.
 * (A `parallelFor` body: planes are disjoint.)
 */
export function fillShellPlanes(a: ShellArgs, z0: number, z1: number): void {
  const { n, lo2, hi2, nTs, shell, invRoot, F, w0, wx, wy, wz, ff, colWeight, rowLo, rowHi, planeSums } = a;
  const cx = (n >> 1) + 1;
  const row = 2 * cx;
  const half = n % 2 === 0 ? n / 2 : -1;
  for (let z = z0; z < z1; z++) {
    const kz = z <= n / 2 ? z : z - n;
    const fz = ff[z];
    const fz2 = fz * fz;
    // On an axis's Nyquist plane its Riesz multiplier is taken as 0 here (the imaginary part
    // it makes is added from the plane's 2-D transform, see the file comment).
    const mz = z === half ? 0 : kz;
    let sumS = 0;
    let sumS2 = 0;
    for (let y = 0; y < n; y++) {
      const r = y + n * z;
      const fy = ff[y];
      const fyz2 = fy * fy + fz2;
      if (fyz2 > hi2) {
        rowLo[r] = 0;
        rowHi[r] = 0;
        continue;
      }
      const ky = y <= n / 2 ? y : y - n;
      const my = y === half ? 0 : ky;
      const myz = ky * ky + kz * kz;
      const x0 = lo2 > fyz2 ? Math.max(0, Math.floor(Math.sqrt(lo2 - fyz2) * nTs) - 1) : 0;
      const x1 = Math.min(cx, Math.floor(Math.sqrt(hi2 - fyz2) * nTs) + 2);
      rowLo[r] = x0;
      rowHi[r] = x1;
      let rowSum = 0;
      let rowSum2 = 0;
      // H_k·(re + i·im) = (−i·h)·(re + i·im) = h·im − i·h·re.
      for (let x = x0, p = 2 * (cx * r + x0); x < x1; x++, p += 2) {
        const m = x * x + myz;
        const s = shell[m];
        if (s === 0) continue;
        rowSum += colWeight[x] * s;
        rowSum2 += colWeight[x] * s * s;
        const re = s * F[p];
        const im = s * F[p + 1];
        w0[p] = re;
        w0[p + 1] = im;
        const g = invRoot[m];
        const hx = x === half ? 0 : x * g;
        const hy = my * g;
        const hz = mz * g;
        wx[p] = hx * im;
        wx[p + 1] = -hx * re;
        wy[p] = hy * im;
        wy[p + 1] = -hy * re;
        wz[p] = hz * im;
        wz[p + 1] = -hz * re;
      }
      sumS += rowSum;
      sumS2 += rowSum2;
    }
    planeSums[2 * z] = sumS;
    planeSums[2 * z + 1] = sumS2;
  }
}

/** Inputs of `finishImaginary`. */
export interface FinishArgs {
  n: number;
  acc: Float32Array;
  ix: Float32Array;
  iy: Float32Array;
  iz: Float32Array;
  scale: number;
}

/**
 * acc ← √(acc + (Im v_x)² + (Im v_y)² + (Im v_z)²)·scale for the z slabs [z0, z1) (layouts of the
 * planes as in `nyquistImaginary`). A `parallelFor` body.
 */
export function finishImaginary(a: FinishArgs, z0: number, z1: number): void {
  const { n, acc, ix, iy, iz, scale } = a;
  for (let z = z0, i = z0 * n * n; z < z1; z++) {
    for (let y = 0; y < n; y++) {
      const v = ix[y + n * z];
      const rowY = n * z;
      const rowZ = n * y;
      for (let x = 0; x < n; x++, i++) acc[i] = Math.sqrt(acc[i] + v + iy[x + rowY] + iz[x + rowZ]) * scale;
    }
  }
}

class SpiralAmplitudeImpl implements SpiralAmplitude {
  readonly n: number;
  readonly voxelSize: number;
  readonly delta: number;
  private readonly fft: RealFft3d;
  private readonly F: Float32Array;
  /**
   * Spectra handed to the inverse transforms: S·F (v0) and H_x·S·F, H_y·S·F, H_z·S·F (Riesz,
   * Nyquist plane of the axis zeroed). All zero between calls (`inverseNorm` clears them), non-zero
   * only on the current shell while one is filled.
   */
  private readonly spectra: Float32Array[];
  /** Set while the spectra may hold values (an interrupted call): the next call clears them. */
  private dirty = false;
  /** Accumulator for callers whose output array is not shared memory (workers fold into it). */
  private accShared: Float32Array | null = null;
  /** Per half-complex row (ky + n·kz): the kx range where the current shell is non-zero. */
  private readonly rowLo: Int32Array;
  private readonly rowHi: Int32Array;
  /** Per integer m = kx² + ky² + kz²: the current shell's S, and 1/√m (0 at m = 0). */
  private readonly shell: Float64Array;
  private readonly invRoot: Float64Array;
  /** Per plane: Σ S and Σ S² of the current shell (written by the fill). */
  private readonly planeSums: Float64Array;
  /** Threads of the per-shell loops. */
  private readonly threads: number;
  /** Frequency (Å⁻¹) per index along the half axis (cx) and the full axis (n). */
  private readonly fh: Float64Array;
  private readonly ff: Float64Array;
  /** Weight of each half-complex column in a full-grid sum. */
  private readonly colWeight: Float64Array;
  /** 2-D real transform of one Nyquist plane (even n only) and its buffers. */
  private readonly fft2: RealFft3d | null;
  private readonly plane: Float32Array;
  private readonly planeReal: Float32Array;
  /** (Im v_k)² per axis k on the plane of the other two axes (even n only). */
  private readonly imag2: Float32Array[];

  constructor(n: number, Ts: number, delta: number, fft: RealFft3d, F: Float32Array) {
    this.n = n;
    this.voxelSize = Ts;
    this.delta = delta;
    this.fft = fft;
    this.F = F;
    // Shared memory lets a worker-pool FFT transform these in place instead of staging copies.
    this.spectra = [0, 1, 2, 3].map(() => sharedFloat32(F.length));
    this.rowLo = new Int32Array(new SharedArrayBuffer(4 * n * n));
    this.rowHi = new Int32Array(new SharedArrayBuffer(4 * n * n));
    this.planeSums = new Float64Array(new SharedArrayBuffer(16 * n));
    this.threads = threadsForVoxels(n * n * n);
    const cx = (n >> 1) + 1;
    const mMax = (cx - 1) ** 2 + 2 * (n >> 1) ** 2;
    this.shell = new Float64Array(new SharedArrayBuffer(8 * (mMax + 1)));
    this.invRoot = new Float64Array(new SharedArrayBuffer(8 * (mMax + 1)));
    for (let m = 1; m <= mMax; m++) this.invRoot[m] = 1 / Math.sqrt(m);
    this.fh = new Float64Array(cx).map((_, i) => fftFreq(i, n) / Ts);
    this.ff = new Float64Array(n).map((_, i) => fftFreq(i, n) / Ts);
    this.colWeight = new Float64Array(cx).map((_, i) => (i === 0 || (n % 2 === 0 && i === n / 2) ? 1 : 2));
    const even = n % 2 === 0;
    this.fft2 = even ? createRealFft3d([n, n, 1]) : null;
    this.plane = new Float32Array(even ? 2 * cx * n : 0);
    this.planeReal = new Float32Array(even ? n * n : 0);
    this.imag2 = even ? [0, 1, 2].map(() => sharedFloat32(n * n)) : [];
  }

  async amplitude(f: number, out: Float32Array): Promise<ShellSums> {
    const { n } = this;
    const [w0, wx, wy, wz] = this.spectra;
    const N = n * n * n;
    if (out.length !== N) throw new RangeError(`amplitude: out has ${out.length} values, needs ${N}`);
    const half = n % 2 === 0 ? n / 2 : -1;
    const k2 = 1 / (2 * this.delta * this.delta);
    // |ρ − f| ≤ cut ⇔ exponent ≤ MAX_EXPONENT; rows are scanned only where ρ can be that close
    // (fh increases with kx), one index of slack each side; the exponent test stays exact.
    const cut = Math.sqrt(MAX_EXPONENT / k2);
    const nTs = n * this.voxelSize;
    const radius = (f + cut) * nTs + RADIUS_SLACK;
    // S(ρ) with ρ = √m/(n·Ts) for every integer m = kx² + ky² + kz² on the grid.
    const { shell } = this;
    if (this.dirty) for (const w of this.spectra) w.fill(0);
    this.dirty = true;
    for (let m = 0; m < shell.length; m++) {
      const d = Math.sqrt(m) / nTs - f;
      const e = d * d * k2;
      shell[m] = e > MAX_EXPONENT ? 0 : Math.exp(-e);
    }
    const args: ShellArgs = {
      n, lo2: Math.max(0, f - cut) ** 2, hi2: (f + cut) ** 2, nTs, shell, invRoot: this.invRoot,
      F: this.F, w0, wx, wy, wz, ff: this.ff, colWeight: this.colWeight, rowLo: this.rowLo, rowHi: this.rowHi, planeSums: this.planeSums,
    };
    await parallelFor(import.meta.url, 'fillShellPlanes', fillShellPlanes, args, n, this.threads);
    let sumS = 0;
    let sumS2 = 0;
    for (let z = 0; z < n; z++) {
      sumS += this.planeSums[2 * z];
      sumS2 += this.planeSums[2 * z + 1];
    }
    let imaginary = false;
    if (half >= 0) for (let axis = 0; axis < 3; axis++) if (await this.nyquistImaginary(axis)) imaginary = true;

    // A² = v0² + v_x² + v_y² + v_z² (+ (Im v_k)² on even grids), summed by the transforms.
    const acc = isShared(out) ? out : (this.accShared ??= sharedFloat32(N));
    const scale = sumS > 0 ? 1 / sumS : 0;
    const spectra = [w0, wx, wy, wz];
    if (!imaginary) {
      await this.fft.inverseNorm(spectra, acc, { radius, root: true, scale, zeroSpectra: true });
    } else {
      await this.fft.inverseNorm(spectra, acc, { radius, zeroSpectra: true });
      const [ix, iy, iz] = this.imag2;
      await parallelFor(import.meta.url, 'finishImaginary', finishImaginary, { n, acc, ix, iy, iz, scale }, n, this.threads);
    }
    this.dirty = false;
    if (acc !== out) out.set(acc);
    return { sum: sumS, sumSquares: sumS2 };
  }

  /**
   * imag2[axis] = (Im v_axis)² = q²/n² on the plane of the two other axes, q = 2-D inverse of
   * (1/(2·Ts·ρ))·S·F on the plane k_axis = n/2 (a Hermitian 2-D spectrum, so its half-complex
   * part suffices). Layout: axis x → [y + n·z], axis y → [x + n·z], axis z → [x + n·y].
   */
  private async nyquistImaginary(axis: number): Promise<boolean> {
    const { n, fh, ff, plane, planeReal, rowLo, rowHi } = this;
    const sf = this.spectra[0];
    const dest = this.imag2[axis];
    const fft2 = this.fft2 as RealFft3d;
    const cx = (n >> 1) + 1;
    const half = n / 2;
    const c = 0.5 / this.voxelSize;
    // 2-D half-complex layout [cx, n]: fast index u ≤ n/2, slow index w.
    // axis x: (u, w) = (ky, kz); axis y: (kx, kz); axis z: (kx, ky).
    let any = false;
    for (let w = 0; w < n; w++) {
      for (let u = 0; u < cx; u++) {
        const kx = axis === 0 ? half : u;
        const ky = axis === 0 ? u : axis === 1 ? half : w;
        const kz = axis === 2 ? half : w;
        const r = ky + n * kz;
        const q = 2 * (u + cx * w);
        if (kx < rowLo[r] || kx >= rowHi[r]) {
          plane[q] = 0;
          plane[q + 1] = 0;
          continue;
        }
        const p = 2 * (kx + cx * r);
        const g = c / Math.sqrt(fh[kx] * fh[kx] + ff[ky] * ff[ky] + ff[kz] * ff[kz]);
        plane[q] = g * sf[p];
        plane[q + 1] = g * sf[p + 1];
        if (sf[p] !== 0 || sf[p + 1] !== 0) any = true;
      }
    }
    if (!any) {
      dest.fill(0);
      return false;
    }
    await fft2.inverse(plane, planeReal);
    const inv = 1 / (n * n);
    for (let i = 0; i < n * n; i++) dest[i] = planeReal[i] * planeReal[i] * inv;
    return true;
  }
}
