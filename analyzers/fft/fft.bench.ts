/**
 * Benchmark of the 3-D real FFT and the Gaussian filter against scipy (not a test).
 *
 *   npx node analyzers/fft/fft.bench.ts [sizes…]      default sizes: 256 360 432
 *   options: --reps N (default 5), --no-gauss, --threads N (our thread count; default fftThreads()),
 *            --gauss N (size of the Gaussian-filter row), --shared (caller arrays on SharedArrayBuffers)
 *
 * For each cube size n: N rounds of (our forward + inverse, scipy.fft.rfftn + irfftn workers=1,
 * the same with workers=2), interleaved so that load changes on the shared machine hit all alike;
 * medians per method. Ours uses the default engine and threads with ordinary Float32Array caller
 * arrays (as a map read from disk), so the staging copies are included (--shared removes them); scipy runs on float32 data
 * in one persistent Debian /usr/bin/python3 process. Then gaussianFilter (σ = 2 voxels) at the size given by --gauss
 * (default 360) against scipy.ndimage.gaussian_filter(mode='wrap') and a scipy FFT equivalent
 * (rfftn · exp(−2π²σ²|w|²) · irfftn, workers=2). Prints markdown tables (seconds) and the peak RSS of
 * this process. The machine is shared: repeat, and read medians, not single runs.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../util/random.ts';
import { createRealFft3d } from './fft.ts';
import { fftThreads, shutdownFftPool } from './fft-pool.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import { gaussianFilter } from '../methods/filters.ts';

const PYTHON = '/usr/bin/python3';

const args = process.argv.slice(2);
function option(name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
}
const REPEATS = option('--reps', 5);
const threads = option('--threads', fftThreads());
const gaussSize = option('--gauss', 360);
const noGauss = args.includes('--no-gauss');
// --shared: caller arrays on SharedArrayBuffers (no staging copies), the best case for callers.
const sharedArrays = args.includes('--shared');
const alloc = (len: number): Float32Array => (sharedArrays ? sharedFloat32(len) : new Float32Array(len));
const sizes = args.filter((a) => !a.startsWith('--')).map(Number);
if (sizes.length === 0) sizes.push(256, 360, 432);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

interface Timing {
  forward: number;
  inverse: number;
}

function randomData(n: number): Float32Array {
  const rand = mulberry32(n);
  const data = alloc(n * n * n);
  for (let i = 0; i < data.length; i++) data[i] = rand() - 0.5;
  return data;
}

/** A persistent python process that times one scipy rfftn + irfftn per request ("w n"). */
class ScipyTimer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor(n: number) {
    this.proc = spawn(PYTHON, ['-u', '-c', scipyServer, String(n)]);
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  async time(workers: number): Promise<Timing> {
    this.proc.stdin.write(`${workers}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error('scipy timer exited');
    return JSON.parse(r.value) as Timing;
  }

  close(): void {
    this.proc.stdin.end();
  }
}

const scipyServer = `
import json, sys, time
import numpy as np, scipy.fft
n = int(sys.argv[1])
a = np.random.default_rng(n).random((n, n, n), dtype=np.float32) - np.float32(0.5)
for w in (1, 2):
    scipy.fft.irfftn(scipy.fft.rfftn(a, workers=w), s=a.shape, workers=w)
for line in sys.stdin:
    w = int(line)
    t = time.perf_counter(); F = scipy.fft.rfftn(a, workers=w); f = time.perf_counter() - t
    t = time.perf_counter(); b = scipy.fft.irfftn(F, s=a.shape, workers=w); i = time.perf_counter() - t
    del F, b  # free before the next run, so that each call gets recycled memory (scipy's best case)
    print(json.dumps({"forward": f, "inverse": i}))
`;

/**
 * Rounds of (ours, scipy workers=1, scipy workers=2), interleaved so that a change of load on the
 * shared machine hits all three alike; medians per method.
 */
interface SizeTimings {
  ours: Timing;
  w1: Timing | null;
  w2: Timing | null;
  /** Minima over the rounds: the least disturbed run of each method. */
  min: { ours: Timing; w1: Timing | null; w2: Timing | null };
}

async function timeSize(n: number): Promise<SizeTimings> {
  const fft = createRealFft3d([n, n, n], { threads });
  const data = randomData(n);
  const spec = alloc(2 * fft.complexDims[0] * n * n);
  const back = alloc(data.length);
  // One untimed round: starts the workers, builds plans and staging buffers.
  await fft.forward(data, spec);
  await fft.inverse(spec, back);
  let scipy: ScipyTimer | null = null;
  try {
    scipy = new ScipyTimer(n);
    await scipy.time(1);
  } catch (e) {
    console.warn(`scipy timing skipped for ${n}³: ${String(e)}`);
    scipy = null;
  }
  const ours: Timing[] = [], w1: Timing[] = [], w2: Timing[] = [];
  for (let r = 0; r < REPEATS; r++) {
    let t = performance.now();
    await fft.forward(data, spec);
    const fw = (performance.now() - t) / 1000;
    t = performance.now();
    await fft.inverse(spec, back);
    ours.push({ forward: fw, inverse: (performance.now() - t) / 1000 });
    if (scipy) {
      w1.push(await scipy.time(1));
      w2.push(await scipy.time(2));
    }
  }
  scipy?.close();
  let err = 0, ref = 0;
  for (let i = 0; i < data.length; i++) {
    err = Math.max(err, Math.abs(back[i] - data[i]));
    ref = Math.max(ref, Math.abs(data[i]));
  }
  if (err / ref > 1e-5) throw new Error(`round trip error ${err / ref} at ${n}³`);
  const med = (ts: Timing[]): Timing | null => (ts.length ? { forward: median(ts.map((t) => t.forward)), inverse: median(ts.map((t) => t.inverse)) } : null);
  const min = (ts: Timing[]): Timing | null => (ts.length ? { forward: Math.min(...ts.map((t) => t.forward)), inverse: Math.min(...ts.map((t) => t.inverse)) } : null);
  return { ours: med(ours) as Timing, w1: med(w1), w2: med(w2), min: { ours: min(ours) as Timing, w1: min(w1), w2: min(w2) } };
}

const gaussScript = `
import json, sys, time
import numpy as np, scipy.fft, scipy.ndimage
n = int(sys.argv[1]); reps = int(sys.argv[2]); s = float(sys.argv[3])
a = np.random.default_rng(n).random((n, n, n), dtype=np.float32) - np.float32(0.5)
w = np.fft.fftfreq(n).astype(np.float32); wr = np.fft.rfftfreq(n).astype(np.float32)
def fft_gauss(a):
    g = np.exp(-2 * np.pi**2 * s**2 * w**2).astype(np.float32)
    gr = np.exp(-2 * np.pi**2 * s**2 * wr**2).astype(np.float32)
    F = scipy.fft.rfftn(a, workers=2)
    F *= g[:, None, None]; F *= g[None, :, None]; F *= gr[None, None, :]
    return scipy.fft.irfftn(F, s=a.shape, workers=2)
res = {}
for name, fn in (("ndimage", lambda: scipy.ndimage.gaussian_filter(a, s, mode='wrap')), ("fft", lambda: fft_gauss(a))):
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); r = fn(); ts.append(time.perf_counter() - t); del r
    res[name] = sorted(ts)[reps // 2]
print(json.dumps(res))
`;

async function timeGauss(n: number): Promise<{ ours: number; ndimage: number | null; fft: number | null }> {
  const data = randomData(n);
  const v = { dims: [n, n, n] as const, voxelSize: [1, 1, 1] as const, origin: [0, 0, 0] as const, data };
  const fft = createRealFft3d(v.dims, { threads });
  const out = alloc(data.length);
  await gaussianFilter(v, 2, { fft, out });
  const ts: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t = performance.now();
    await gaussianFilter(v, 2, { fft, out });
    ts.push((performance.now() - t) / 1000);
  }
  const r = spawnSync(PYTHON, ['-c', gaussScript, String(n), String(REPEATS), '2'], { encoding: 'utf8' });
  const sp = r.status === 0 ? (JSON.parse(r.stdout) as { ndimage: number; fft: number }) : null;
  return { ours: median(ts), ndimage: sp?.ndimage ?? null, fft: sp?.fft ?? null };
}

const f = (x: number | null | undefined): string => (x === undefined || x === null ? 'n/a' : x.toFixed(3));
const header = ['| size | ours fwd | ours inv | scipy w1 fwd | scipy w1 inv | scipy w2 fwd | scipy w2 inv | fwd ours/w2 | inv ours/w2 |', '|---|---|---|---|---|---|---|---|---|'];
const row = (n: number, t: { ours: Timing; w1: Timing | null; w2: Timing | null }): string => {
  const rf = t.w2 ? (t.ours.forward / t.w2.forward).toFixed(2) : 'n/a';
  const ri = t.w2 ? (t.ours.inverse / t.w2.inverse).toFixed(2) : 'n/a';
  return `| ${n}³ | ${f(t.ours.forward)} | ${f(t.ours.inverse)} | ${f(t.w1?.forward)} | ${f(t.w1?.inverse)} | ${f(t.w2?.forward)} | ${f(t.w2?.inverse)} | ${rf} | ${ri} |`;
};
const rows: string[] = [`FFT, ${threads} thread(s), ${sharedArrays ? 'SharedArrayBuffer' : 'plain'} caller arrays, medians of ${REPEATS} rounds (s)`, '', ...header];
const minRows: string[] = [];
for (const n of sizes) {
  const t = await timeSize(n);
  rows.push(row(n, t));
  minRows.push(row(n, t.min));
  console.error(rows[rows.length - 1]);
}
rows.push('', `Minima over the ${REPEATS} rounds (s)`, '', ...header, ...minRows);
if (!noGauss) {
  const g = await timeGauss(gaussSize);
  rows.push('', `Gaussian filter σ = 2 voxels, ${gaussSize}³ (s)`, '', '| ours gaussianFilter | scipy.ndimage.gaussian_filter (wrap) | scipy FFT equivalent (workers=2) |', '|---|---|---|');
  rows.push(`| ${f(g.ours)} | ${f(g.ndimage)} | ${f(g.fft)} |`);
}
rows.push('', `peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
console.log(rows.join('\n'));
await shutdownFftPool();
