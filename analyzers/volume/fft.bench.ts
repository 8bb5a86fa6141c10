/**
 * Benchmark of the 3-D real FFT against scipy (not a test).
 *
 *   npx node analyzers/volume/fft.bench.ts [sizes…]      default sizes: 256 360 432
 *
 * For each cube size n: median of 3 runs of our forward and inverse on random float32 data, then
 * the same with `/usr/bin/python3` scipy.fft.rfftn / irfftn on float32 input with workers=1 and 2.
 * Prints one markdown table (seconds). scipy columns show "n/a" when scipy cannot be imported.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../simulate/random.ts';
import { createRealFft3d } from './fft.ts';

const PYTHON = '/usr/bin/python3';
const REPEATS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

interface Timing {
  forward: number;
  inverse: number;
}

async function timeOurs(n: number): Promise<Timing> {
  const fft = createRealFft3d([n, n, n]);
  const rand = mulberry32(n);
  const data = new Float32Array(n * n * n);
  for (let i = 0; i < data.length; i++) data[i] = rand() - 0.5;
  const spec = new Float32Array(2 * fft.complexDims[0] * n * n);
  const back = new Float32Array(data.length);
  const fw: number[] = [];
  const inv: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    let t = performance.now();
    await fft.forward(data, spec);
    fw.push((performance.now() - t) / 1000);
    t = performance.now();
    await fft.inverse(spec, back);
    inv.push((performance.now() - t) / 1000);
  }
  let err = 0, ref = 0;
  for (let i = 0; i < data.length; i++) {
    err = Math.max(err, Math.abs(back[i] - data[i]));
    ref = Math.max(ref, Math.abs(data[i]));
  }
  if (err / ref > 1e-5) throw new Error(`round trip error ${err / ref} at ${n}³`);
  return { forward: median(fw), inverse: median(inv) };
}

const scipyScript = `
import json, sys, time
import numpy as np, scipy.fft
n = int(sys.argv[1]); reps = int(sys.argv[2])
a = np.random.default_rng(n).random((n, n, n), dtype=np.float32) - np.float32(0.5)
out = {}
for w in (1, 2):
    fw, inv = [], []
    for _ in range(reps):
        t = time.perf_counter(); F = scipy.fft.rfftn(a, workers=w); fw.append(time.perf_counter() - t)
        t = time.perf_counter(); b = scipy.fft.irfftn(F, s=a.shape, workers=w); inv.append(time.perf_counter() - t)
        del F, b  # free before the next run, so that each call gets recycled memory (scipy's best case)
    out[w] = {"forward": sorted(fw)[reps // 2], "inverse": sorted(inv)[reps // 2]}
print(json.dumps(out))
`;

function timeScipy(n: number): Record<'1' | '2', Timing> | null {
  const r = spawnSync(PYTHON, ['-c', scipyScript, String(n), String(REPEATS)], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.warn(`scipy timing skipped for ${n}³: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`);
    return null;
  }
  return JSON.parse(r.stdout) as Record<'1' | '2', Timing>;
}

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(256, 360, 432);

const f = (x: number | undefined): string => (x === undefined ? 'n/a' : x.toFixed(2));
const rows: string[] = [
  '| size | ours fwd | ours inv | scipy w1 fwd | scipy w1 inv | scipy w2 fwd | scipy w2 inv | fwd ours/w1 |',
  '|---|---|---|---|---|---|---|---|',
];
for (const n of sizes) {
  const ours = await timeOurs(n);
  const sp = timeScipy(n);
  const ratio = sp ? (ours.forward / sp['1'].forward).toFixed(2) : 'n/a';
  rows.push(`| ${n}³ | ${f(ours.forward)} | ${f(ours.inverse)} | ${f(sp?.['1'].forward)} | ${f(sp?.['1'].inverse)} | ${f(sp?.['2'].forward)} | ${f(sp?.['2'].inverse)} | ${ratio} |`);
  console.error(rows[rows.length - 1]);
}
console.log(rows.join('\n'));
