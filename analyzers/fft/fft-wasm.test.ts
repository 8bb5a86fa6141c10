/**
 * The WebAssembly SIMD FFT kernel (fft-wasm.ts) and what it brought to fft.ts: naive float64 DFTs
 * and the float64 Stockham engine as references, the support-radius pruning (must give the same
 * bits as the full transform), the squared-sum folds and `inverseNorm` (against separate inverses
 * summed in float64), the pool's `parallelFor`, and the SIMD logarithm of wasm-math.ts against
 * Math.log.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { autoEngine, createRealFft3d } from './fft.ts';
import { parallelFor, shutdownFftPool, type FftEngine } from './fft-pool.ts';
import { simdRadices, wasmQualifies, WasmLineFft } from './fft-wasm.ts';
import { fft1d } from './stockham.ts';
import { copyRows, gainRows, markRange } from './parallel-task-fixture.ts';
import { accumulateWeightedLog } from './wasm-math.ts';
import { sharedFloat32, wasmMemoryOf } from '../util/shared-memory.ts';
import type { Vec3 } from '../volume/volume.ts';

function randomVolume(dims: Vec3, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const f = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let i = 0; i < f.length; i++) f[i] = rand() - 0.5;
  return f;
}

/** max |a − b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0, ref = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    ref = Math.max(ref, Math.abs(b[i]));
  }
  return err / ref;
}

/** Naive 3-D forward DFT of a real x-fastest grid on the half-complex grid, float64. */
function naiveRealDft3d(f: Float32Array, [nx, ny, nz]: Vec3): Float64Array {
  const cx = (nx >> 1) + 1;
  const out = new Float64Array(2 * cx * ny * nz);
  for (let kz = 0; kz < nz; kz++) {
    for (let ky = 0; ky < ny; ky++) {
      for (let kx = 0; kx < cx; kx++) {
        let re = 0, im = 0;
        for (let z = 0, i = 0; z < nz; z++) {
          for (let y = 0; y < ny; y++) {
            for (let x = 0; x < nx; x++, i++) {
              const t = -2 * Math.PI * (((kx * x) % nx) / nx + ((ky * y) % ny) / ny + ((kz * z) % nz) / nz);
              re += f[i] * Math.cos(t);
              im += f[i] * Math.sin(t);
            }
          }
        }
        out[2 * (kx + cx * (ky + ny * kz))] = re;
        out[2 * (kx + cx * (ky + ny * kz)) + 1] = im;
      }
    }
  }
  return out;
}

/** A random half-complex spectrum that is 0 wherever kx² + ky'² + kz'² > R². */
function ballSpectrum(dims: Vec3, R: number, seed: number): Float32Array {
  const [nx, ny, nz] = dims;
  const cx = (nx >> 1) + 1;
  const rand = mulberry32(seed);
  const spec = sharedFloat32(2 * cx * ny * nz);
  for (let z = 0; z < nz; z++) {
    const kz = z <= nz / 2 ? z : z - nz;
    for (let y = 0; y < ny; y++) {
      const ky = y <= ny / 2 ? y : y - ny;
      for (let x = 0; x < cx; x++) {
        if (x * x + ky * ky + kz * kz > R * R) continue;
        const p = 2 * (x + cx * (y + ny * z));
        spec[p] = rand() - 0.5;
        spec[p + 1] = rand() - 0.5;
      }
    }
  }
  return spec;
}

afterAll(async () => {
  await shutdownFftPool();
});

describe('WebAssembly SIMD kernel', () => {
  it('qualifies even x with x/2, y, z 2·3·5-smooth; auto prefers it to Stockham', () => {
    expect(wasmQualifies([250, 250, 250])).toBe(true);
    expect(wasmQualifies([360, 360, 360])).toBe(true);
    expect(wasmQualifies([30, 9, 25])).toBe(true);
    expect(wasmQualifies([31, 30, 30])).toBe(false); // odd x
    expect(wasmQualifies([28, 30, 30])).toBe(false); // 14 = 2·7
    expect(wasmQualifies([30, 22, 30])).toBe(false); // 11
    expect(autoEngine([256, 256, 256])).toBe('wasm');
    expect(autoEngine([250, 250, 250])).toBe('wasm');
    expect(autoEngine([252, 252, 252])).toBe('stockham'); // 7 divides 252
    expect(() => createRealFft3d([28, 30, 30], { engine: 'wasm' })).toThrow(RangeError);
    expect(simdRadices(250)).toEqual([2, 5, 5, 5]);
    expect(simdRadices(360)).toEqual([8, 3, 3, 5]);
    expect(simdRadices(1)).toEqual([]);
  });

  // cx odd and even, odd y and z, lengths 1 and 2, every radix (2, 3, 4, 5, 8).
  for (const dims of [[2, 1, 1], [6, 5, 3], [10, 9, 4], [24, 10, 6], [16, 8, 12], [20, 1, 15], [12, 27, 2]] as Vec3[]) {
    it(`forward matches a naive float64 DFT and round-trips on ${dims.join('×')}`, async () => {
      const f = randomVolume(dims, 5 + dims[0] * 7 + dims[1]);
      const fft = createRealFft3d(dims, { engine: 'wasm', threads: 1 });
      const spec = await fft.forward(f);
      expect(relativeError(spec, naiveRealDft3d(f, dims))).toBeLessThan(2e-6);
      expect(relativeError(await fft.inverse(spec), f)).toBeLessThan(2e-6);
    });
  }

  for (const dims of [[250, 12, 10], [90, 45, 36], [64, 50, 30], [150, 24, 40]] as Vec3[]) {
    it(`agrees with the float64 Stockham engine on ${dims.join('×')} (forward and inverse)`, async () => {
      const f = randomVolume(dims, 17);
      const a = await createRealFft3d(dims, { engine: 'wasm', threads: 1 }).forward(f);
      const b = await createRealFft3d(dims, { engine: 'stockham', threads: 1 }).forward(f);
      expect(relativeError(a, b)).toBeLessThan(2e-6);
      const ia = await createRealFft3d(dims, { engine: 'wasm', threads: 1 }).inverse(b.slice());
      const ib = await createRealFft3d(dims, { engine: 'stockham', threads: 1 }).inverse(b.slice());
      expect(relativeError(ia, ib)).toBeLessThan(2e-6);
    });
  }

  it('on 2 threads gives exactly the single-thread result', async () => {
    const dims: Vec3 = [60, 54, 72];
    const f = randomVolume(dims, 3);
    const one = createRealFft3d(dims, { engine: 'wasm', threads: 1 });
    const two = createRealFft3d(dims, { engine: 'wasm', threads: 2 });
    const ref = await one.forward(f);
    expect(await two.forward(f, new Float32Array(ref.length))).toEqual(ref);
    expect(await two.inverse(ref.slice())).toEqual(await one.inverse(ref.slice()));
  });
});

describe('WasmLineFft (batched complex lines)', () => {
  for (const n of [40, 48, 60]) {
    it(`n = ${n}: each of 6 interleaved lines equals fft1d in both directions (float32: 1e-5 of the peak)`, () => {
      const s = 6;
      const f = new WasmLineFft(n, [8 * n * s, 8 * n * s]);
      const rand = mulberry32(n);
      const lines = Array.from({ length: s }, () => Float64Array.from({ length: 2 * n }, () => rand() - 0.5));
      for (const sign of [-1, 1] as const) {
        const [a, b] = f.buffers;
        for (let q = 0; q < s; q++) {
          for (let k = 0; k < n; k++) {
            f.heap[(a >> 2) + 2 * (q + s * k)] = lines[q][2 * k];
            f.heap[(a >> 2) + 2 * (q + s * k) + 1] = lines[q][2 * k + 1];
          }
        }
        const r = f.transform(a, b, s, sign) >> 2;
        for (let q = 0; q < s; q++) {
          const want = fft1d(lines[q], sign);
          const peak = Math.max(...want.map(Math.abs));
          for (let k = 0; k < 2 * n; k++) expect(Math.abs(f.heap[r + 2 * q * 1 + 2 * s * (k >> 1) + (k & 1)] - want[k])).toBeLessThan(1e-5 * peak);
        }
      }
    });
  }
  it('refuses an odd line count (two lines per vector)', () => {
    const f = new WasmLineFft(40, [8 * 40 * 4, 8 * 40 * 4]);
    expect(() => f.transform(f.buffers[0], f.buffers[1], 3, -1)).toThrow(RangeError);
  });
});

describe('support radius and folds of the inverse', () => {
  for (const [engine, dims, R] of [['wasm', [40, 36, 30], 7.3], ['wasm', [50, 50, 50], 20], ['wasm', [30, 30, 30], 100], ['wasm', [18, 20, 24], 0.5], ['stockham', [31, 20, 18], 6]] as [FftEngine, Vec3, number][]) {
    for (const threads of [1, 2]) {
      it(`${engine} ${dims.join('×')}, radius ${R}, ${threads} thread(s): same bits as without the radius, untouched lines stay 0`, async () => {
        const [nx, ny, nz] = dims;
        const cx = (nx >> 1) + 1;
        const spec = ballSpectrum(dims, R, 11);
        const fft = createRealFft3d(dims, { engine, threads });
        const full = await fft.inverse(spec.slice(), sharedFloat32(nx * ny * nz));
        const work = spec.slice();
        const pruned = await fft.inverse(work, sharedFloat32(nx * ny * nz), { radius: R });
        expect(pruned).toEqual(full);
        // The documented bound: lines kx > √(R² − ky²) + 2 are still 0 after the transform.
        let touched = 0;
        for (let z = 0; z < nz; z++) {
          for (let y = 0; y < ny; y++) {
            const ky = y <= ny / 2 ? y : y - ny;
            const bound = R * R >= ky * ky ? Math.sqrt(R * R - ky * ky) + 2 : -1;
            for (let x = 0; x < cx; x++) {
              const p = 2 * (x + cx * (y + ny * z));
              if (x > bound && (work[p] !== 0 || work[p + 1] !== 0)) touched++;
            }
          }
        }
        expect(touched).toBe(0);
      });
    }
  }

  for (const [engine, dims] of [['wasm', [36, 30, 20]], ['stockham', [33, 20, 18]]] as [FftEngine, Vec3][]) {
    for (const threads of [1, 2]) {
      it(`${engine} ${dims.join('×')}, ${threads} thread(s): squares set/add/sqrt and inverseNorm match separate inverses`, async () => {
        const [nx, ny, nz] = dims;
        const N = nx * ny * nz;
        const specs = [0, 1, 2].map((k) => ballSpectrum(dims, 1e9, 40 + k));
        const one = createRealFft3d(dims, { engine: 'stockham', threads: 1 });
        const r = await Promise.all(specs.map((s) => one.inverse(s.slice())));
        const sum2 = new Float64Array(N);
        for (const x of r) for (let i = 0; i < N; i++) sum2[i] += x[i] * x[i];
        const scale = 0.37;
        const root = Float64Array.from(sum2, (v) => Math.sqrt(v) * scale);
        const fft = createRealFft3d(dims, { engine, threads });
        // Folds, one inverse at a time.
        const acc = sharedFloat32(N);
        await fft.inverse(specs[0].slice(), sharedFloat32(N), { squares: { acc, mode: 'set' } });
        await fft.inverse(specs[1].slice(), sharedFloat32(N), { squares: { acc, mode: 'add' } });
        await fft.inverse(specs[2].slice(), sharedFloat32(N), { squares: { acc, mode: 'sqrt', scale } });
        expect(relativeError(acc, root)).toBeLessThan(3e-6);
        // Plain (not shared) accumulator: folded afterwards on the calling thread.
        const plainAcc = new Float32Array(N);
        await fft.inverse(specs[0].slice(), undefined, { squares: { acc: plainAcc, mode: 'set' } });
        expect(relativeError(plainAcc, Float64Array.from(r[0], (v) => v * v))).toBeLessThan(3e-6);
        // All at once.
        const norm = sharedFloat32(N);
        await fft.inverseNorm(specs.map((s) => s.slice()), norm, { root: true, scale });
        expect(relativeError(norm, root)).toBeLessThan(3e-6);
        await fft.inverseNorm(specs.map((s) => s.slice()), norm);
        expect(relativeError(norm, sum2)).toBeLessThan(3e-6);
        await fft.inverseNorm([specs[1].slice()], norm, { root: true, scale: 2 });
        expect(relativeError(norm, Float64Array.from(r[1], (v) => 2 * Math.abs(v)))).toBeLessThan(3e-6);
      });
    }
  }

  it('inverseNorm with a radius equals it without, clears the spectra on request, and rejects bad lengths', async () => {
    const dims: Vec3 = [60, 48, 50];
    const N = dims[0] * dims[1] * dims[2];
    const fft = createRealFft3d(dims, { threads: 2 });
    const specs = [0, 1, 2, 3].map((k) => ballSpectrum(dims, 13.5, 70 + k));
    const a = sharedFloat32(N), b = sharedFloat32(N);
    await fft.inverseNorm(specs.map((s) => s.slice()), a, { root: true });
    await fft.inverseNorm(specs.map((s) => s.slice()), b, { root: true, radius: 13.5 });
    expect(b).toEqual(a);
    for (const [engine, threads] of [['wasm', 1], ['wasm', 2], ['stockham', 2]] as [FftEngine, number][]) {
      const work = specs.map((s) => s.slice());
      const c = sharedFloat32(N);
      await createRealFft3d(dims, { engine, threads }).inverseNorm(work, c, { root: true, radius: 13.5, zeroSpectra: true });
      if (engine === 'wasm') expect(c).toEqual(a);
      else expect(relativeError(c, a)).toBeLessThan(3e-6);
      expect(work.every((w) => w.every((v) => v === 0)), `${engine}, ${threads} thread(s): spectra cleared`).toBe(true);
    }
    await expect(fft.inverseNorm([], a)).rejects.toThrow(RangeError);
    await expect(fft.inverseNorm([specs[0]], new Float32Array(5))).rejects.toThrow('acc has 5 values');
  });
});

describe('row tasks inside the transforms (filter, inverseNorm fill)', () => {
  const url = new URL('./parallel-task-fixture.ts', import.meta.url).href;
  for (const [engine, dims] of [['wasm', [36, 30, 20]], ['stockham', [33, 20, 18]]] as [FftEngine, Vec3][]) {
    for (const threads of [1, 2]) {
      it(`${engine} ${dims.join('×')}, ${threads} thread(s): the same bits as a forward, the loop and an inverse, and as a fill before inverseNorm`, async () => {
        const [nx, ny, nz] = dims;
        const N = nx * ny * nz;
        const cx = (nx >> 1) + 1;
        const fft = createRealFft3d(dims, { engine, threads });
        const rand = mulberry32(5);
        const data = sharedFloat32(N).map(() => rand() - 0.5);
        for (const radius of [undefined, 6.5]) {
          const spec = sharedFloat32(2 * cx * ny * nz);
          const args = { spec, cx, ny, nz, radius };
          const want = sharedFloat32(N);
          await fft.forward(data, spec);
          gainRows(args, 0, ny);
          await fft.inverse(spec, want, { radius });
          const got = data.slice(0);
          await fft.filter(got, spec, { module: url, fn: 'gainRows', body: gainRows, args }, { radius });
          expect(got, `radius ${radius}`).toEqual(want);
          // Arrays the workers cannot see: the three steps on the calling thread and the pool.
          const plain = Float32Array.from(data);
          const plainSpec = new Float32Array(spec.length);
          await fft.filter(plain, plainSpec, { module: url, fn: 'gainRows', body: gainRows, args: { ...args, spec: plainSpec } }, { radius });
          expect(plain).toEqual(want);
        }
        const from = [0, 1, 2].map((k) => ballSpectrum(dims, 1e9, 90 + k));
        const norm = sharedFloat32(N);
        await fft.inverseNorm(from.map((s) => s.slice()), norm, { root: true });
        const to = from.map((s) => sharedFloat32(s.length));
        const filled = sharedFloat32(N);
        await fft.inverseNorm(to, filled, { root: true, fill: { module: url, fn: 'copyRows', body: copyRows, args: { from, to, cx, ny, nz } } });
        expect(filled).toEqual(norm);
      });
    }
  }
});

describe('parallelFor', () => {
  it('visits every index once on 2 threads (and inline on 1), and rejects with a worker error', async () => {
    const url = new URL('./parallel-task-fixture.ts', import.meta.url).href;
    for (const threads of [1, 2]) {
      const hits = new Int32Array(new SharedArrayBuffer(4 * 10007));
      await parallelFor(url, 'markRange', markRange, { hits, fail: false }, hits.length, threads);
      expect(hits.every((h) => h === 1)).toBe(true);
    }
    const hits = new Int32Array(new SharedArrayBuffer(4 * 100));
    await expect(parallelFor(url, 'markRange', markRange, { hits, fail: true }, hits.length, 2)).rejects.toThrow('task failure requested');
    await expect(parallelFor(url, 'noSuchExport', markRange, { hits, fail: false }, hits.length, 2)).rejects.toThrow(/no export noSuchExport/);
  });
});

describe('SIMD logarithm (wasm-math.ts)', () => {
  it('acc += w·ln(a²/(a + q)) agrees with Math.log to 1e-10 and exactly on 0, NaN, ∞ and subnormal arguments', () => {
    const n = 100_003;
    const rand = mulberry32(9);
    const amp = new Float32Array(n).map(() => Math.exp(-70 * rand()));
    amp[3] = 0;
    amp[20_000] = NaN;
    amp[16_500] = Infinity;
    amp[17_000] = 1e-45; // float32 subnormal: a² underflows the normal float64 range
    for (const q of [1e-11, 0.3]) {
      const a = new Float64Array(n).map((_, i) => i * 1e-3);
      const b = a.slice();
      accumulateWeightedLog(amp, a, -0.7, q, 0, n);
      for (let i = 0; i < n; i++) b[i] += -0.7 * Math.log((amp[i] * amp[i]) / (amp[i] + q));
      let worst = 0;
      let inexact = 0;
      for (let i = 0; i < n; i++) {
        if (Number.isFinite(b[i])) {
          worst = Math.max(worst, Math.abs(a[i] - b[i]));
          if (a[i] !== b[i]) inexact++;
        } else expect(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])), `voxel ${i}`).toBe(true);
      }
      expect(worst).toBeLessThan(1e-10);
      // Chunks without special values took the SIMD path (last bits differ from Math.log).
      expect(inexact).toBeGreaterThan(1000);
    }
  });
});

describe('arrays on shared WebAssembly memories (the data bridge)', () => {
  it('transforms them with the bits of plain shared buffers, on 1 and 2 threads, with and without a radius', async () => {
    const dims: Vec3 = [128, 128, 128];
    const n = dims[0] * dims[1] * dims[2];
    const rnd = mulberry32(11);
    const onWasm = sharedFloat32(n);
    expect(wasmMemoryOf(onWasm)).toBeDefined();
    for (let i = 0; i < n; i++) onWasm[i] = rnd() - 0.5;
    const plain = new Float32Array(new SharedArrayBuffer(4 * n));
    plain.set(onWasm);
    expect(wasmMemoryOf(plain)).toBeUndefined();
    for (const threads of [1, 2]) {
      const fft = createRealFft3d(dims, { threads, engine: 'wasm' });
      const specLen = 2 * 65 * 128 * 128;
      const specW = await fft.forward(onWasm, sharedFloat32(specLen));
      const specP = await fft.forward(plain, new Float32Array(new SharedArrayBuffer(4 * specLen)));
      expect(wasmMemoryOf(specW)).toBeDefined();
      expect(Buffer.compare(Buffer.from(specW.buffer, specW.byteOffset, specW.byteLength), Buffer.from(specP.buffer, specP.byteOffset, specP.byteLength))).toBe(0);
      for (const radius of [undefined, 30]) {
        const backW = await fft.inverse(specW.slice(), sharedFloat32(n), { radius });
        const backP = await fft.inverse(specP.slice(), new Float32Array(new SharedArrayBuffer(4 * n)), { radius });
        expect(Buffer.compare(Buffer.from(backW.buffer, backW.byteOffset, backW.byteLength), Buffer.from(backP.buffer, backP.byteOffset, backP.byteLength))).toBe(0);
      }
      // The round trip without a radius gives the input back (float32 precision).
      const back = await fft.inverse(specW, sharedFloat32(n));
      let worst = 0;
      for (let i = 0; i < n; i += 97) worst = Math.max(worst, Math.abs(back[i] - onWasm[i]));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('starts successive arrays at different cache-line offsets, and leaves small arrays on plain buffers', () => {
    const offsets = Array.from({ length: 8 }, () => sharedFloat32(2 ** 20).byteOffset % 4096);
    expect(new Set(offsets).size).toBe(8);
    expect(offsets.every((o) => o % 64 === 0)).toBe(true);
    expect(wasmMemoryOf(sharedFloat32(1000))).toBeUndefined();
  });
});
