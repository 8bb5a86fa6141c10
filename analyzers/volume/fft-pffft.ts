/**
 * The 3-D real FFT kernel built on PFFFT (SIMD WebAssembly, float32), for grids whose every axis
 * PFFFT can transform: complex lengths that are multiples of 16 and real lengths that are multiples
 * of 32, both with prime factors 2, 3, 5 only (`pffftQualifies`). Same layout, conventions and
 * range methods as the float64 Stockham kernel in `fft.ts`; precision is float32 (≈3e-7 of the
 * largest coefficient for 432³ random data, checked against the float64 engine in the tests).
 *
 * Why the data are transposed: PFFFT transforms one contiguous line per call, so each pass first
 * lays its lines out contiguously in the WebAssembly heap. Per z slab, x lines are transformed and
 * written transposed as [kx][y] (the y lines become contiguous), y is transformed in place, and the
 * slab is stored back transposed as [y][kx]. The z pass gathers, per y row, the block [z][kx]
 * transposed to [kx][z]. All these copies are needed anyway (PFFFT only sees its own heap), so
 * transposing while copying costs nothing extra.
 *
 * Real x lines: with nx a multiple of 32, PFFFT's real transform; otherwise (nx a multiple of 16)
 * two rows f, g go through one complex transform Z = FFT(f + i·g) and are separated with
 * F_k = (Z_k + conj Z_(n−k))/2, G_k = (Z_k − conj Z_(n−k))/(2i).
 */
import PFFFT, { type PffftModule } from '@echogarden/pffft-wasm/simd';
import type { Fft3dKernel, FftSign } from './fft.ts';
import type { Vec3 } from './volume.ts';

let modulePromise: Promise<PffftModule> | null = null;

/** The PFFFT module of this thread, instantiated once (about 10 ms) and then shared. */
export function loadPffft(): Promise<PffftModule> {
  modulePromise ??= PFFFT();
  return modulePromise;
}

function smooth235(n: number): boolean {
  for (const p of [2, 3, 5]) while (n % p === 0) n /= p;
  return n === 1;
}

/** True when PFFFT's complex transform accepts length n (n a multiple of 16, factors 2, 3, 5). */
export function pffftComplexOk(n: number): boolean {
  return n >= 16 && n % 16 === 0 && smooth235(n);
}

/** True when PFFFT's real transform accepts length n (n a multiple of 32, factors 2, 3, 5). */
export function pffftRealOk(n: number): boolean {
  return n >= 32 && n % 32 === 0 && smooth235(n);
}

/** True when the PFFFT kernel handles the grid: x real or pairable, y and z complex. */
export function pffftQualifies([nx, ny, nz]: Vec3): boolean {
  return (pffftRealOk(nx) || pffftComplexOk(nx)) && pffftComplexOk(ny) && pffftComplexOk(nz);
}

/** Rows handled together in the x pass (in pairs when pairing), so that each transposed write
 *  of one kx fills whole cache lines. */
const ROWS = 8;

/**
 * Complex values as float64 words (one (re, im) float32 pair per move; bit patterns are copied,
 * never computed on). Requires an 8-byte aligned array, which `fft.ts` guarantees by staging.
 */
export function complexView(a: Float32Array): Float64Array {
  return new Float64Array(a.buffer, a.byteOffset, a.length >> 1);
}

/** True when `a` can be viewed as float64 words (see `complexView`). */
export function aligned8(a: Float32Array): boolean {
  return a.byteOffset % 8 === 0;
}

/** Lines of the transposed blocks handled together (ny and nz are multiples of 16 here). */
const TILE = 8;

/**
 * dst[d0 + c·n + r] = src[s0 + r·rowStride + c] for r < n, c < cols (complex words): gathers n
 * rows of `cols` values into `cols` contiguous lines of n. TILE rows at a time, so that each line
 * receives whole cache lines.
 */
function transposeIn(src: Float64Array, s0: number, rowStride: number, dst: Float64Array, d0: number, n: number, cols: number): void {
  for (let r0 = 0; r0 < n; r0 += TILE) {
    const rEnd = Math.min(TILE, n - r0);
    for (let c = 0; c < cols; c++) {
      let s = s0 + r0 * rowStride + c;
      let d = d0 + c * n + r0;
      for (let r = 0; r < rEnd; r++, s += rowStride, d++) dst[d] = src[s];
    }
  }
}

/** The inverse of `transposeIn`: dst[d0 + r·rowStride + c] = src[s0 + c·n + r]. */
function transposeOut(src: Float64Array, s0: number, dst: Float64Array, d0: number, rowStride: number, n: number, cols: number): void {
  for (let r0 = 0; r0 < n; r0 += TILE) {
    const rEnd = Math.min(TILE, n - r0);
    for (let c = 0; c < cols; c++) {
      let s = s0 + c * n + r0;
      let d = d0 + r0 * rowStride + c;
      for (let r = 0; r < rEnd; r++, s++, d += rowStride) dst[d] = src[s];
    }
  }
}

const setupCache = new WeakMap<PffftModule, Map<number, number>>();

/** Cached setup for length n (kind 0 real, 1 complex) in module `m`. */
function setupFor(m: PffftModule, n: number, kind: 0 | 1): number {
  let cache = setupCache.get(m);
  if (!cache) {
    cache = new Map();
    setupCache.set(m, cache);
  }
  const key = 2 * n + kind;
  let s = cache.get(key);
  if (s === undefined) {
    s = m._pffft_new_setup(n, kind);
    if (s === 0) throw new Error(`PFFFT cannot transform length ${n} (${kind === 0 ? 'real' : 'complex'})`);
    cache.set(key, s);
  }
  return s;
}

/**
 * Kernel for one grid shape on one thread. Owns heap scratch (ROWS lines of 2·nx floats, one
 * block of 2·cx·max(ny, nz) floats, PFFFT work space); free it with `dispose`. Precondition:
 * `pffftQualifies(dims)`.
 */
export class PffftKernel3d implements Fft3dKernel {
  private readonly m: PffftModule;
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;
  private readonly cx: number;
  private readonly realX: boolean;
  private readonly setupX: number;
  private readonly setupY: number;
  private readonly setupZ: number;
  /** Byte pointers. */
  private readonly lines: number;
  private readonly block: number;
  private readonly work: number;
  private disposed = false;

  constructor(m: PffftModule, dims: Vec3) {
    if (!pffftQualifies(dims)) throw new RangeError(`PffftKernel3d: grid [${dims.join(', ')}] does not qualify`);
    const [nx, ny, nz] = dims;
    this.m = m;
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    this.cx = (nx >> 1) + 1;
    this.realX = pffftRealOk(nx);
    this.setupX = setupFor(m, nx, this.realX ? 0 : 1);
    this.setupY = setupFor(m, ny, 1);
    this.setupZ = setupFor(m, nz, 1);
    this.lines = m._pffft_aligned_malloc(4 * ROWS * 2 * nx);
    this.block = m._pffft_aligned_malloc(4 * 2 * this.cx * Math.max(ny, nz));
    this.work = m._pffft_aligned_malloc(4 * 2 * Math.max(nx, ny, nz));
  }

  /** Frees the heap scratch; the kernel must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.m._pffft_aligned_free(this.lines);
    this.m._pffft_aligned_free(this.block);
    this.m._pffft_aligned_free(this.work);
  }

  slabsForward(input: Float32Array, spec: Float32Array, z0: number, z1: number): void {
    const { m, nx, ny, cx } = this;
    const H = m.HEAPF32; // re-read: the heap may have grown since construction
    const H64 = m.HEAPF64;
    const spec64 = complexView(spec);
    const slabLen = 2 * cx * ny;
    for (let z = z0; z < z1; z++) {
      if (this.realX) this.xForwardReal(H, input, z * nx * ny);
      else this.xForwardPairs(H, input, z * nx * ny);
      // y lines are contiguous in the [kx][y] block.
      for (let k = 0, p = this.block; k < cx; k++, p += 8 * ny) m._pffft_transform_ordered(this.setupY, p, p, this.work, 0);
      // Transposed store [kx][ky] → spec[z][ky][kx], one complex value per float64 move.
      transposeOut(H64, this.block >> 3, spec64, (z * slabLen) >> 1, cx, ny, cx);
    }
  }

  slabsInverse(spec: Float32Array, real: Float32Array, z0: number, z1: number): void {
    const { m, nx, ny, nz, cx } = this;
    const H = m.HEAPF32;
    const H64 = m.HEAPF64;
    const spec64 = complexView(spec);
    const slabLen = 2 * cx * ny;
    const scale = 1 / (nx * ny * nz);
    for (let z = z0; z < z1; z++) {
      transposeIn(spec64, (z * slabLen) >> 1, cx, H64, this.block >> 3, ny, cx);
      for (let k = 0, p = this.block; k < cx; k++, p += 8 * ny) m._pffft_transform_ordered(this.setupY, p, p, this.work, 1);
      if (this.realX) this.xInverseReal(H, real, z * nx * ny, scale);
      else this.xInversePairs(H, real, z * nx * ny, scale);
    }
  }

  rowsZ(spec: Float32Array, y0: number, y1: number, sign: FftSign): void {
    const { m, ny, nz, cx } = this;
    const H64 = m.HEAPF64;
    const spec64 = complexView(spec);
    const dir = sign === -1 ? 0 : 1;
    const B = this.block >> 3;
    for (let y = y0; y < y1; y++) {
      // Rows (z, y) of cx values, stride cx·ny, ↔ block [kx][z].
      transposeIn(spec64, cx * y, cx * ny, H64, B, nz, cx);
      for (let k = 0, p = this.block; k < cx; k++, p += 8 * nz) m._pffft_transform_ordered(this.setupZ, p, p, this.work, dir);
      transposeOut(H64, B, spec64, cx * y, cx * ny, nz, cx);
    }
  }

  /** Real x lines of one slab (from input[off…]) → block [kx][y], PFFFT real transform. Its ordered
   *  output is [F_0, F_(n/2), Re F_1, Im F_1, …] (both end values real). */
  private xForwardReal(H: Float32Array, input: Float32Array, off: number): void {
    const { m, nx, ny, cx } = this;
    const L = this.lines >> 2, S = this.block >> 2;
    const h = nx >> 1, lineLen = 2 * nx;
    for (let y0 = 0; y0 < ny; y0 += ROWS) {
      const nr = Math.min(ROWS, ny - y0);
      for (let r = 0; r < nr; r++) {
        const src = off + (y0 + r) * nx;
        H.set(input.subarray(src, src + nx), L + r * lineLen);
        const p = this.lines + 4 * r * lineLen;
        m._pffft_transform_ordered(this.setupX, p, p, this.work, 0);
      }
      for (let r = 0; r < nr; r++) {
        const l = L + r * lineLen, d = S + 2 * (y0 + r);
        H[d] = H[l];
        H[d + 1] = 0;
        H[d + 2 * h * ny] = H[l + 1];
        H[d + 2 * h * ny + 1] = 0;
      }
      for (let k = 1; k < cx - 1; k++) {
        const d0 = S + 2 * (k * ny + y0);
        for (let r = 0, d = d0, l = L + 2 * k; r < nr; r++, d = (d + 2) | 0, l = (l + lineLen) | 0) {
          H[d] = H[l];
          H[(d + 1) | 0] = H[(l + 1) | 0];
        }
      }
    }
  }

  /** Real x lines in pairs through complex transforms (see the file comment), → block [kx][y]. */
  private xForwardPairs(H: Float32Array, input: Float32Array, off: number): void {
    const { m, nx, ny, cx } = this;
    const L = this.lines >> 2, S = this.block >> 2;
    const lineLen = 2 * nx;
    // Interleaving only moves bits: int32 views avoid two float conversions per value.
    const H32 = new Int32Array(H.buffer);
    const I32 = new Int32Array(input.buffer, input.byteOffset, input.length);
    for (let y0 = 0; y0 < ny; y0 += ROWS) {
      const nr = Math.min(ROWS, ny - y0);
      const np = (nr + 1) >> 1;
      for (let p = 0; p < np; p++) {
        const f = off + (y0 + 2 * p) * nx;
        const l = L + p * lineLen;
        if (2 * p + 1 < nr) {
          for (let j = f, d = l, end = f + nx; j < end; j = (j + 1) | 0, d = (d + 2) | 0) {
            H32[d] = I32[j];
            H32[(d + 1) | 0] = I32[(j + nx) | 0];
          }
        } else {
          for (let j = f, d = l, end = f + nx; j < end; j = (j + 1) | 0, d = (d + 2) | 0) {
            H32[d] = I32[j];
            H32[(d + 1) | 0] = 0;
          }
        }
        const ptr = this.lines + 4 * p * lineLen;
        m._pffft_transform_ordered(this.setupX, ptr, ptr, this.work, 0);
      }
      for (let k = 0; k < cx; k++) {
        const a0 = L + 2 * k, b0 = L + 2 * (k === 0 ? 0 : nx - k);
        let d = S + 2 * (k * ny + y0);
        for (let p = 0; p < np; p++) {
          const a = a0 + p * lineLen, b = b0 + p * lineLen;
          const zr = H[a], zi = H[a + 1], nr_ = H[b], ni = H[b + 1];
          H[d] = 0.5 * (zr + nr_);
          H[d + 1] = 0.5 * (zi - ni);
          if (2 * p + 1 < nr) {
            H[d + 2] = 0.5 * (zi + ni);
            H[d + 3] = -0.5 * (zr - nr_);
          }
          d += 4;
        }
      }
    }
  }

  /** Block [kx][y] → real x lines of one slab (real[off…]·scale), PFFFT real inverse. Imaginary
   *  parts of F_0 and F_(n/2) are ignored, as numpy's irfft does. */
  private xInverseReal(H: Float32Array, real: Float32Array, off: number, scale: number): void {
    const { m, nx, ny, cx } = this;
    const L = this.lines >> 2, S = this.block >> 2;
    const h = nx >> 1, lineLen = 2 * nx;
    for (let y0 = 0; y0 < ny; y0 += ROWS) {
      const nr = Math.min(ROWS, ny - y0);
      for (let r = 0; r < nr; r++) {
        const l = L + r * lineLen, s = S + 2 * (y0 + r);
        H[l] = H[s];
        H[l + 1] = H[s + 2 * h * ny];
      }
      for (let k = 1; k < cx - 1; k++) {
        const s0 = S + 2 * (k * ny + y0);
        for (let r = 0, s = s0, l = L + 2 * k; r < nr; r++, s = (s + 2) | 0, l = (l + lineLen) | 0) {
          H[l] = H[s];
          H[(l + 1) | 0] = H[(s + 1) | 0];
        }
      }
      for (let r = 0; r < nr; r++) {
        const p = this.lines + 4 * r * lineLen;
        m._pffft_transform_ordered(this.setupX, p, p, this.work, 1);
        const l = L + r * lineLen;
        for (let j = 0, d = off + (y0 + r) * nx; j < nx; j++, d = (d + 1) | 0) real[d] = H[l + j] * scale;
      }
    }
  }

  /** Block [kx][y] → real x lines in pairs: Z_k = F_k + i·G_k, Z_(n−k) = conj F_k + i·conj G_k,
   *  z = IFFT(Z), f = Re z, g = Im z. Imaginary parts of F_0, F_(n/2) (and G's) are ignored. */
  private xInversePairs(H: Float32Array, real: Float32Array, off: number, scale: number): void {
    const { m, nx, ny, cx } = this;
    const L = this.lines >> 2, S = this.block >> 2;
    const h = nx >> 1, lineLen = 2 * nx;
    for (let y0 = 0; y0 < ny; y0 += ROWS) {
      const nr = Math.min(ROWS, ny - y0);
      const np = (nr + 1) >> 1;
      for (let k = 0; k < cx; k++) {
        let s = S + 2 * (k * ny + y0);
        const edge = k === 0 || k === h;
        for (let p = 0; p < np; p++, s += 4) {
          const hasG = 2 * p + 1 < nr;
          const fr = H[s], fi = edge ? 0 : H[s + 1];
          const gr = hasG ? H[s + 2] : 0, gi = hasG && !edge ? H[s + 3] : 0;
          const a = L + p * lineLen + 2 * k;
          H[a] = fr - gi;
          H[a + 1] = fi + gr;
          if (!edge) {
            const b = L + p * lineLen + 2 * (nx - k);
            H[b] = fr + gi;
            H[b + 1] = gr - fi;
          }
        }
      }
      for (let p = 0; p < np; p++) {
        const ptr = this.lines + 4 * p * lineLen;
        m._pffft_transform_ordered(this.setupX, ptr, ptr, this.work, 1);
        const l = L + p * lineLen;
        const f = off + (y0 + 2 * p) * nx;
        if (2 * p + 1 < nr) {
          const g = f + nx;
          for (let j = 0, s = l; j < nx; j++, s = (s + 2) | 0) {
            real[f + j] = H[s] * scale;
            real[g + j] = H[(s + 1) | 0] * scale;
          }
        } else {
          for (let j = 0, s = l; j < nx; j++, s = (s + 2) | 0) real[f + j] = H[s] * scale;
        }
      }
    }
  }
}
