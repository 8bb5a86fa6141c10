/**
 * The FFT engine against known answers: naive O(n²) DFTs in float64 on seeded random data (1-D
 * plans for every length 1..64 and some larger ones, 3-D grids with odd and prime sizes), round
 * trips, Parseval, and an independent implementation (scipy.fft via Debian's /usr/bin/python3).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { complexFftPlan, createRealFft3d, fft1d, fftFreq, goodFftSize } from './fft.ts';
import type { FftSign } from './fft.ts';
import { fftPoolSize, fftThreads, poolSelfTest, runFftPhases, shutdownFftPool, type FftEngine } from './fft-pool.ts';
import { isShared, sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3 } from '../volume/volume.ts';

/** Naive X_k = Σ_j x_j·exp(sign·2πi·jk/n) in float64, interleaved (re, im). */
function naiveDft(x: Float64Array, sign: FftSign): Float64Array {
  const n = x.length >> 1;
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let re = 0, im = 0;
    for (let j = 0; j < n; j++) {
      const theta = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(theta), s = Math.sin(theta);
      re += x[2 * j] * c - x[2 * j + 1] * s;
      im += x[2 * j] * s + x[2 * j + 1] * c;
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

/** Naive 3-D forward DFT of a real x-fastest grid, on the half-complex grid [nx/2+1, ny, nz]. */
function naiveRealDft3d(f: Float32Array, [nx, ny, nz]: Vec3): Float64Array {
  const cx = (nx >> 1) + 1;
  const out = new Float64Array(2 * cx * ny * nz);
  for (let kz = 0; kz < nz; kz++) {
    for (let ky = 0; ky < ny; ky++) {
      for (let kx = 0; kx < cx; kx++) {
        let re = 0, im = 0;
        for (let z = 0; z < nz; z++) {
          for (let y = 0; y < ny; y++) {
            for (let x = 0; x < nx; x++) {
              const phase = ((kx * x) % nx) / nx + ((ky * y) % ny) / ny + ((kz * z) % nz) / nz;
              const v = f[x + nx * (y + ny * z)];
              re += v * Math.cos(-2 * Math.PI * phase);
              im += v * Math.sin(-2 * Math.PI * phase);
            }
          }
        }
        const o = 2 * (kx + cx * (ky + ny * kz));
        out[o] = re;
        out[o + 1] = im;
      }
    }
  }
  return out;
}

function randomComplex(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < x.length; i++) x[i] = rand() - 0.5;
  return x;
}

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

describe('1-D complex plans', () => {
  const lengths = [...Array.from({ length: 64 }, (_, i) => i + 1), 97, 100, 101, 121, 128, 143, 169, 360, 432, 512, 1000];

  it('match a naive float64 DFT to 1e-10 (relative to max |X|) for every length 1..64 and larger mixed/prime ones, both signs', () => {
    for (const n of lengths) {
      for (const sign of [-1, 1] as const) {
        const x = randomComplex(n, 1000 + n);
        const err = relativeError(fft1d(x, sign), naiveDft(x, sign));
        expect(err, `n = ${n}, sign = ${sign}`).toBeLessThan(1e-10);
      }
    }
  });

  it('transform several interleaved lines at once exactly like one line at a time', () => {
    for (const n of [12, 45, 47, 64, 94]) {
      const s = 5;
      const plan = complexFftPlan(n);
      const lines = Array.from({ length: s }, (_, q) => randomComplex(n, 77 * n + q));
      const a = new Float64Array(2 * plan.span * s);
      const b = new Float64Array(2 * plan.span * s);
      lines.forEach((line, q) => {
        for (let k = 0; k < n; k++) {
          a[2 * (q + s * k)] = line[2 * k];
          a[2 * (q + s * k) + 1] = line[2 * k + 1];
        }
      });
      const r = plan.transform(a, b, s, -1);
      lines.forEach((line, q) => {
        const one = fft1d(line, -1);
        const got = new Float64Array(2 * n);
        for (let k = 0; k < n; k++) {
          got[2 * k] = r[2 * (q + s * k)];
          got[2 * k + 1] = r[2 * (q + s * k) + 1];
        }
        expect(relativeError(got, one), `n = ${n}, line ${q}`).toBeLessThan(1e-13);
      });
    }
  });

  it('are cached per length', () => {
    expect(complexFftPlan(360)).toBe(complexFftPlan(360));
    expect(() => complexFftPlan(0)).toThrow(RangeError);
  });
});

describe('3-D real FFT', () => {
  const small: Vec3[] = [[5, 6, 7], [8, 3, 5], [7, 7, 7], [11, 4, 13], [1, 1, 9], [9, 1, 1], [2, 2, 2], [1, 1, 1], [6, 17, 2], [4, 5, 23], [16, 8, 12]];

  for (const dims of small) {
    it(`forward matches a naive 3-D DFT on ${dims.join('×')}`, async () => {
      const f = randomVolume(dims, dims[0] * 10000 + dims[1] * 100 + dims[2]);
      const copy = f.slice();
      const fft = createRealFft3d(dims);
      expect(fft.complexDims).toEqual([(dims[0] >> 1) + 1, dims[1], dims[2]]);
      const spec = await fft.forward(f);
      expect(f).toEqual(copy); // input untouched
      expect(relativeError(spec, naiveRealDft3d(f, dims))).toBeLessThan(1e-5);
    });
  }

  for (const dims of [[64, 48, 40], [35, 52, 47], [73, 43, 25], [100, 100, 100]] as Vec3[]) {
    it(`round-trips forward + inverse on ${dims.join('×')}`, async () => {
      const f = randomVolume(dims, 7 + dims[0]);
      const fft = createRealFft3d(dims);
      const spec = await fft.forward(f);
      const back = await fft.inverse(spec);
      expect(relativeError(back, f)).toBeLessThan(1e-5);
    });
  }

  it('reuses caller buffers and gives the same answer twice', async () => {
    const dims: Vec3 = [12, 10, 9];
    const f = randomVolume(dims, 5);
    const fft = createRealFft3d(dims);
    const spec = new Float32Array(2 * 7 * 10 * 9);
    const real = new Float32Array(f.length);
    expect(await fft.forward(f, spec)).toBe(spec);
    const first = spec.slice();
    await fft.forward(f, spec);
    expect(spec).toEqual(first);
    expect(await fft.inverse(spec, real)).toBe(real);
    expect(relativeError(real, f)).toBeLessThan(1e-5);
  });

  it('rejects buffers of the wrong length, naming both lengths', async () => {
    const fft = createRealFft3d([4, 4, 4]);
    await expect(fft.forward(new Float32Array(63))).rejects.toThrow('input has 63 values, grid [4, 4, 4] needs 64');
    await expect(fft.forward(new Float32Array(64), new Float32Array(10))).rejects.toThrow('out has 10 values, half-complex grid needs 96');
    await expect(fft.inverse(new Float32Array(95))).rejects.toThrow('spectrum has 95 values');
    expect(() => createRealFft3d([4, 0, 4])).toThrow(RangeError);
  });

  it('puts the sum of the map in the DC term and satisfies Parseval', async () => {
    for (const dims of [[32, 30, 28], [31, 29, 27]] as Vec3[]) {
      const [nx, ny, nz] = dims;
      const f = randomVolume(dims, 99);
      let sum = 0, energy = 0;
      for (const v of f) {
        sum += v;
        energy += v * v;
      }
      const spec = await createRealFft3d(dims).forward(f);
      expect(Math.abs(spec[0] - sum)).toBeLessThan(1e-5 * Math.sqrt(f.length));
      expect(Math.abs(spec[1])).toBeLessThan(1e-5 * Math.sqrt(f.length));
      // Σ|f|² = (1/N) Σ_k |F(k)|² over the full grid: half-complex columns 1..ceil(nx/2)−1 stand for two.
      const cx = (nx >> 1) + 1;
      let specEnergy = 0;
      for (let kz = 0; kz < nz; kz++) {
        for (let ky = 0; ky < ny; ky++) {
          for (let kx = 0; kx < cx; kx++) {
            const o = 2 * (kx + cx * (ky + ny * kz));
            const weight = kx === 0 || (nx % 2 === 0 && kx === nx / 2) ? 1 : 2;
            specEnergy += weight * (spec[o] * spec[o] + spec[o + 1] * spec[o + 1]);
          }
        }
      }
      expect(Math.abs(specEnergy / f.length - energy) / energy, dims.join('×')).toBeLessThan(1e-5);
    }
  });

  it('transforms a single cosine wave into two real peaks', async () => {
    const dims: Vec3 = [20, 18, 15];
    const [nx, ny, nz] = dims;
    const f = new Float32Array(nx * ny * nz);
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) f[x + nx * (y + ny * z)] = Math.cos(2 * Math.PI * (3 * x / nx + 2 * y / ny + 4 * z / nz));
      }
    }
    const spec = await createRealFft3d(dims).forward(f);
    const cx = nx / 2 + 1;
    const at = (kx: number, ky: number, kz: number) => spec[2 * (kx + cx * (ky + ny * kz))];
    const half = (nx * ny * nz) / 2;
    expect(at(3, 2, 4)).toBeCloseTo(half, 2);
    let rest = 0;
    for (let i = 0; i < spec.length; i++) rest = Math.max(rest, Math.abs(spec[i]));
    expect(rest).toBeCloseTo(half, 2);
    spec[2 * (3 + cx * (2 + ny * 4))] = 0;
    let others = 0;
    for (let i = 0; i < spec.length; i++) others = Math.max(others, Math.abs(spec[i]));
    expect(others).toBeLessThan(1e-3);
  });
});

describe('scipy cross-check', () => {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import numpy, scipy.fft'], { encoding: 'utf8' });
  const ready = probe.status === 0;
  if (!ready) {
    console.warn(`SKIPPED scipy cross-check of the FFT: \`${python} -c "import numpy, scipy.fft"\` failed (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()})`);
  }

  it.skipIf(!ready)('forward agrees with scipy.fft.rfftn on a random 64×48×40 volume (and inverse with irfftn)', async () => {
    const dims: Vec3 = [64, 48, 40];
    const [nx, ny, nz] = dims;
    const work = mkdtempSync(path.join(tmpdir(), 'emvr-fft-'));
    try {
      const f = randomVolume(dims, 2024);
      const inFile = path.join(work, 'in.f32');
      const outFile = path.join(work, 'out.c128');
      writeFileSync(inFile, new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
      // numpy array of an x-fastest volume is [nz][ny][nx]; rfftn puts the half axis last = x.
      const script = [
        'import sys, numpy as np, scipy.fft',
        `a = np.fromfile(sys.argv[1], dtype='<f4').reshape(${nz}, ${ny}, ${nx}).astype(np.float64)`,
        "scipy.fft.rfftn(a).astype('<c16').tofile(sys.argv[2])",
      ].join('\n');
      const r = spawnSync(python, ['-c', script, inFile, outFile], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const bytes = readFileSync(outFile);
      const ref = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
      const fft = createRealFft3d(dims);
      const spec = await fft.forward(f);
      expect(ref.length).toBe(spec.length);
      expect(relativeError(spec, ref)).toBeLessThan(1e-5);
      expect(relativeError(await fft.inverse(spec), f)).toBeLessThan(1e-5);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('inverse of a non-Hermitian spectrum (numpy irfftn semantics)', () => {
  const python = '/usr/bin/python3';
  const ready = spawnSync(python, ['-c', 'import numpy, scipy.fft'], { encoding: 'utf8' }).status === 0;
  if (!ready) console.warn('SKIPPED irfftn cross-check: /usr/bin/python3 cannot import numpy, scipy.fft');

  for (const [engine, dims] of [['wasm', [48, 32, 16]], ['wasm', [64, 16, 32]], ['stockham', [30, 20, 18]], ['stockham', [31, 20, 18]], ['wasm', [30, 20, 18]], ['wasm', [24, 15, 9]]] as [FftEngine, Vec3][]) {
    it.skipIf(!ready)(`${engine} ${dims.join('×')}: random half-complex spectrum agrees with scipy.fft.irfftn`, async () => {
      const [nx, ny, nz] = dims;
      const cx = (nx >> 1) + 1;
      const rand = mulberry32(nx + ny);
      const spec = new Float32Array(2 * cx * ny * nz).map(() => rand() - 0.5);
      const work = mkdtempSync(path.join(tmpdir(), 'emvr-irfft-'));
      try {
        const inFile = path.join(work, 'in.c64');
        const outFile = path.join(work, 'out.f64');
        writeFileSync(inFile, new Uint8Array(spec.buffer));
        const script = [
          'import sys, numpy as np, scipy.fft',
          `F = np.fromfile(sys.argv[1], dtype='<c8').reshape(${nz}, ${ny}, ${cx}).astype(np.complex128)`,
          `scipy.fft.irfftn(F, s=(${nz}, ${ny}, ${nx})).astype('<f8').tofile(sys.argv[2])`,
        ].join('\n');
        const r = spawnSync(python, ['-c', script, inFile, outFile], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const bytes = readFileSync(outFile);
        const ref = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
        const got = await createRealFft3d(dims, { engine, threads: 1 }).inverse(spec.slice());
        expect(relativeError(got, ref)).toBeLessThan(2e-6);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
});

describe('size helpers', () => {
  it('goodFftSize gives the smallest 2·3·5-smooth size ≥ n (7 on request)', () => {
    expect([1, 2, 7, 11, 13, 97, 101, 257, 361, 433, 500].map((n) => goodFftSize(n))).toEqual([1, 2, 8, 12, 15, 100, 108, 270, 375, 450, 500]);
    expect([7, 11, 13, 97, 101, 127].map((n) => goodFftSize(n, { allow7: true }))).toEqual([7, 12, 14, 98, 105, 128]);
    expect(goodFftSize(0)).toBe(1);
  });

  it('fftFreq follows i ≤ n/2 ? i/n : (i − n)/n', () => {
    expect([0, 1, 2, 3, 4, 5].map((i) => fftFreq(i, 6))).toEqual([0, 1 / 6, 2 / 6, 0.5, -2 / 6, -1 / 6]);
    expect([0, 1, 2, 3, 4].map((i) => fftFreq(i, 5))).toEqual([0, 0.2, 0.4, -0.4, -0.2]);
  });
});


describe('worker pool', () => {
  afterAll(async () => {
    await shutdownFftPool();
    expect(fftPoolSize()).toBe(0);
  });

  for (const [engine, dims] of [['stockham', [30, 22, 18]], ['wasm', [48, 32, 16]], ['stockham', [33, 17, 20]], ['wasm', [30, 25, 18]]] as [FftEngine, Vec3][]) {
    it(`${engine} on 2 threads gives exactly the single-thread result (${dims.join('×')}), with shared and plain buffers`, async () => {
      const f = randomVolume(dims, 77);
      const one = createRealFft3d(dims, { engine, threads: 1 });
      const two = createRealFft3d(dims, { engine, threads: 2 });
      const ref = await one.forward(f);
      const plain = await two.forward(f, new Float32Array(ref.length));
      expect(plain).toEqual(ref);
      const sharedIn = sharedFloat32(f.length);
      sharedIn.set(f);
      const shared = await two.forward(sharedIn);
      expect(isShared(shared)).toBe(true);
      expect(shared).toEqual(ref);
      const back = await two.inverse(shared);
      expect(back).toEqual(await one.inverse(ref.slice()));
      expect(relativeError(back, f)).toBeLessThan(2e-6);
      expect(fftPoolSize()).toBe(2);
    });
  }

  it('rejects (never hangs) when a worker throws or exits, and recovers', async () => {
    await expect(poolSelfTest('test-throw', 2)).rejects.toThrow('test failure requested');
    await expect(poolSelfTest('test-exit', 2)).rejects.toThrow(/exited \(code 3\)/);
    await poolSelfTest('test-ping', 2);
    const dims: Vec3 = [20, 18, 16];
    const f = randomVolume(dims, 5);
    const spec = await createRealFft3d(dims, { threads: 2 }).forward(f);
    expect(relativeError(spec, naiveRealDft3d(f, dims))).toBeLessThan(1e-5);
  });

  it('a kernel error inside a worker rejects the transform', async () => {
    // Arrays of the right length but a grid the worker cannot build (dims lie): the worker's
    // kernel throws on construction, the promise must reject.
    const spec = sharedFloat32(2 * 8 * 16 * 24);
    const real = sharedFloat32(14 * 16 * 24);
    await expect(runFftPhases(2, [{ kind: 'rowsZ', engine: 'wasm', dims: [14, 16, 24], real, spec, sign: -1, count: 16 }])).rejects.toThrow(/does not qualify/);
  });

  it('serialises concurrent transforms of different instances that share the staging buffers', async () => {
    const dims: Vec3[] = [[24, 20, 18], [26, 20, 18]];
    const fs = dims.map((d, i) => randomVolume(d, 100 + i));
    const results = await Promise.all(dims.map((d, i) => createRealFft3d(d, { threads: 2 }).forward(fs[i], new Float32Array(2 * ((d[0] >> 1) + 1) * d[1] * d[2]))));
    for (let i = 0; i < dims.length; i++) {
      expect(results[i]).toEqual(await createRealFft3d(dims[i], { threads: 1 }).forward(fs[i]));
    }
  });

  it('does not keep a process alive: a script that used the pool exits without shutdown', () => {
    const url = new URL('./fft.ts', import.meta.url).href;
    const script = `import { createRealFft3d } from ${JSON.stringify(url)};
      const f = new Float32Array(32 * 32 * 32).fill(1);
      const s = await createRealFft3d([32, 32, 32], { threads: 2 }).forward(f);
      console.log('dc', s[0]);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr, r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('dc 32768');
  });

  it('fftThreads reads EMVR_THREADS (integer ≥ 1), else min(4, cores)', () => {
    const saved = process.env.EMVR_THREADS;
    try {
      process.env.EMVR_THREADS = '3';
      expect(fftThreads()).toBe(3);
      process.env.EMVR_THREADS = '0';
      expect(() => fftThreads()).toThrow(RangeError);
      delete process.env.EMVR_THREADS;
      expect(fftThreads()).toBe(Math.min(4, availableParallelism()));
    } finally {
      if (saved === undefined) delete process.env.EMVR_THREADS;
      else process.env.EMVR_THREADS = saved;
    }
  });
});
