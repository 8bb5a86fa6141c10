/**
 * A small persistent pool of worker threads (`fft-worker.ts`) that run the phases of 3-D FFTs on
 * SharedArrayBuffer-backed arrays, and parallel loops over such arrays (`parallelFor`: a named
 * export of a module, imported by each worker). One job (a phase) uses every worker: each claims chunks of the
 * range [0, count) from a shared atomic counter until none are left, so a worker slowed by another
 * process on the machine simply takes fewer chunks. Jobs are serialised (one at a time).
 *
 * Lifetime: workers start on first use and stay; they are `unref`ed while idle so that they never
 * keep the process alive, and `ref`ed while a job runs (an awaited promise alone would not).
 * `shutdownFftPool` terminates them. A worker that throws, errors or exits rejects the job (after
 * the other workers have finished touching the buffers) and is replaced on the next job.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FftSign } from './contract.ts';
import { isShared, sharedEpoch, sharedFloat32, wasmMemoryOf, type WasmMemory } from '../util/shared-memory.ts';
import type { Vec3 } from '../volume/volume.ts';

/** Which kernel the workers build: the generated WebAssembly SIMD kernel (float32, fft-wasm.ts)
 *  or the float64 Stockham engine. */
export type FftEngine = 'wasm' | 'stockham';

/** A phase of a 3-D FFT, run over [0, count) by all workers. */
export interface FftPhase {
  kind: 'slabsForward' | 'rowsZ' | 'slabsInverse';
  engine: FftEngine;
  dims: Vec3;
  /** Real grid (input of slabsForward, output of slabsInverse); SharedArrayBuffer-backed. */
  real: Float32Array;
  /** Half-complex spectrum; SharedArrayBuffer-backed. */
  spec: Float32Array;
  /** rowsZ only. */
  sign: FftSign;
  /** nz for slab phases, ny for rowsZ. */
  count: number;
  /** Backward phases: support bound (`InverseOptions.radius`), when known. */
  radius?: number;
  /** slabsInverse: fold the real result into this SharedArrayBuffer-backed accumulator with
   *  `foldSquares` mode accMode (1 set, 2 add, 3 sqrt) and accScale. */
  acc?: Float32Array;
  accMode?: 1 | 2 | 3;
  accScale?: number;
  /** Several spectra at once (`inverseNorm`): rowsZ transforms each; slabsInverse sets
   *  acc = Σ_k r_k² (or √(Σ_k r_k²)·accScale with normRoot). `spec` is then unused. */
  specs?: Float32Array[];
  normRoot?: boolean;
  /** With specs: zero them afterwards (`zeroTouchedRows`, chunk by chunk). */
  zeroSpecs?: boolean;
  /**
   * rowsZ only: a loop body run on each claimed range of rows [y0, y1) while they are in cache:
   * before the z transforms (it fills the spectra, `InverseNormOptions.fill`), or with `roundTrip`
   * between a forward z pass of `spec` and a backward one (a Fourier filter, `RealFft3d.filter`;
   * `radius` then bounds the backward pass).
   */
  rowTask?: RowTaskRef;
  roundTrip?: boolean;
  /** Set by the pool: the WebAssembly memories of the phase's arrays (`wasmMemoryOf`), which the worker registers so that its SIMD kernel reaches them directly. */
  memories?: WasmMemory[];
}

/** A `parallelFor`-style body named for the workers: the export `fn` of the module at file URL `module`, called as fn(args, y0, y1). */
export interface RowTaskRef {
  module: string;
  fn: string;
  args: unknown;
}

/**
 * A parallel loop (`parallelFor`): every worker imports `module` (a file URL) and calls its export
 * `fn(args, a, b)` on claimed chunks [a, b) of [0, count).
 */
export interface TaskPhase {
  kind: 'task';
  module: string;
  fn: string;
  args: unknown;
  count: number;
}

/** Message to a worker (the phase plus its claim counter), or a test request. `epoch`: the
 *  caller's `sharedEpoch()`, after which the worker collects its garbage when it changed. */
export type WorkerRequest = { epoch?: number } & (
  | (FftPhase & { id: number; counter: Int32Array; chunk: number })
  | (TaskPhase & { id: number; counter: Int32Array; chunk: number })
  | { id: number; kind: 'test-throw' | 'test-exit' | 'test-ping' });

/** Reply of a worker: done, or the error text (with stack). */
export type WorkerReply = { id: number; ok: true } | { id: number; ok: false; error: string };

/**
 * Threads for large FFTs: env `EMVR_THREADS` (integer ≥ 1) when set, else
 * min(4, os.availableParallelism()). 1 means the calling thread only.
 */
export function fftThreads(): number {
  const env = process.env.EMVR_THREADS;
  if (env !== undefined && env.trim() !== '') {
    const t = Number(env);
    if (!Number.isInteger(t) || t < 1) throw new RangeError(`EMVR_THREADS must be an integer ≥ 1, got "${env}"`);
    return t;
  }
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

interface PoolWorker {
  worker: Worker;
  /** Settles the request in flight, if any. */
  pending: { id: number; resolve: () => void; reject: (e: Error) => void } | null;
  dead: boolean;
}

const workers: PoolWorker[] = [];
let nextId = 1;
let queue: Promise<unknown> = Promise.resolve();

function spawn(): PoolWorker {
  // No inherited execArgv: flags of the parent such as --input-type or -e break a worker's start,
  // and the worker (plain TypeScript run by Node's type stripping) needs none.
  const worker = new Worker(new URL('./fft-worker.ts', import.meta.url), { execArgv: [] });
  const pw: PoolWorker = { worker, pending: null, dead: false };
  const fail = (e: Error): void => {
    pw.dead = true;
    const i = workers.indexOf(pw);
    if (i >= 0) workers.splice(i, 1);
    const p = pw.pending;
    pw.pending = null;
    p?.reject(e);
  };
  worker.on('message', (r: WorkerReply) => {
    const p = pw.pending;
    if (!p || p.id !== r.id) return;
    pw.pending = null;
    if (r.ok) p.resolve();
    else p.reject(new Error(`FFT worker failed: ${r.error}`));
  });
  worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
  worker.on('messageerror', (e) => fail(new Error(`FFT worker message error: ${String(e)}`)));
  worker.on('exit', (code) => fail(new Error(`FFT worker exited (code ${code})`)));
  worker.unref();
  return pw;
}

function send(pw: PoolWorker, msg: WorkerRequest): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (pw.dead) {
      reject(new Error('FFT worker is gone'));
      return;
    }
    pw.pending = { id: msg.id, resolve, reject };
    pw.worker.postMessage(msg);
  });
}

/**
 * Runs `fn` after every earlier pool job has settled, and before any later one starts: the pool
 * and the staging buffers (`stagingBuffer`) are used by one job at a time. Inside `fn`, run phases
 * with `runPhasesLocked`, not `runFftPhases` (which would wait for `fn` itself).
 */
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

/** Process-wide staging buffers, one per role, grown on demand (see `stagingBuffer`). */
const staging: { real: Float32Array | null; spec: Float32Array | null } = { real: null, spec: null };

/**
 * A SharedArrayBuffer-backed array of `length` values for copying caller arrays that workers cannot
 * see, filled from `from` when given. One buffer per role for the whole process, reused and grown
 * (never shrunk) so that repeated transforms touch memory that is already mapped; valid only
 * inside `exclusive`. `shutdownFftPool` releases them.
 */
export function stagingBuffer(role: 'real' | 'spec', length: number, from?: Float32Array): Float32Array {
  let buf = staging[role];
  if (!buf || buf.length < length) {
    buf = sharedFloat32(length);
    staging[role] = buf;
  }
  const view = buf.length === length ? buf : buf.subarray(0, length);
  if (from) view.set(from);
  return view;
}

/** Sends one request to `threads` workers (starting them as needed) and waits for all replies. */
async function broadcast(threads: number, make: () => WorkerRequest): Promise<void> {
  while (workers.length < threads) workers.push(spawn());
  const used = workers.slice(0, threads);
  for (const pw of used) pw.worker.ref();
  try {
    const epoch = sharedEpoch();
    const results = await Promise.allSettled(used.map((pw) => send(pw, { ...make(), epoch })));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    for (const pw of used) if (!pw.dead) pw.worker.unref();
  }
}

/**
 * Runs the phases one after the other on `threads` workers, with a barrier between phases (every
 * worker has replied). Arrays must be SharedArrayBuffer-backed. Rejects with the first worker
 * error once all workers of the phase have stopped. Waits for earlier jobs (see `exclusive`).
 */
export function runFftPhases(threads: number, phases: FftPhase[]): Promise<void> {
  return exclusive(() => runPhasesLocked(threads, phases));
}

/** `runFftPhases` for use inside `exclusive` (no queueing). */
export async function runPhasesLocked(threads: number, phases: FftPhase[]): Promise<void> {
  if (!(threads >= 1)) throw new RangeError(`runFftPhases: threads must be ≥ 1, got ${threads}`);
  for (const p of phases) {
    if (!isShared(p.real) || !isShared(p.spec) || (p.acc && !isShared(p.acc)) || (p.specs && !p.specs.every(isShared))) {
      throw new TypeError('runFftPhases: arrays must be SharedArrayBuffer-backed');
    }
  }
  for (const phase of phases) {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    // ~16 chunks per worker: a worker descheduled by another process while holding a chunk delays
    // the barrier by at most one small chunk; claiming one costs a single atomic add.
    const chunk = Math.max(1, Math.floor(phase.count / (16 * threads)));
    const id = nextId++;
    const memories = [phase.real, phase.spec, ...(phase.specs ?? []), ...(phase.acc ? [phase.acc] : [])].flatMap((a) => wasmMemoryOf(a) ?? []);
    await broadcast(threads, () => ({ ...phase, id, counter, chunk, memories }));
  }
}

/**
 * `parallelFor`'s thread count for a loop that writes or reads `arrays`: the pool when every one
 * is shared memory, else the calling thread alone (a worker would work on a copy of any other).
 */
export function threadsFor(...arrays: ArrayBufferView[]): number {
  return arrays.every(isShared) ? fftThreads() : 1;
}

/** Grids from this many voxels run their loops and transforms on the pool; smaller ones are not worth a round trip. */
export const PARALLEL_MIN_VOXELS = 64 ** 3;

/** Threads for a loop or transform over a grid of `voxels`: the pool's from PARALLEL_MIN_VOXELS up, else the calling thread. */
export function threadsForVoxels(voxels: number): number {
  return voxels >= PARALLEL_MIN_VOXELS ? fftThreads() : 1;
}

/** Signature of a `parallelFor` body: handles items [a, b) of the loop, with shared `args`. */
export type RangeTask<A> = (args: A, a: number, b: number) => void;

/**
 * Runs `body(args, a, b)` over chunks of [0, count) on `threads` pool workers (default
 * `fftThreads()`), as one pool job (after earlier jobs, see `exclusive`). `body` must be the export
 * named `name` of the module at file URL `module` (workers import it by that URL); `args` is sent
 * by structured clone, so big arrays should be SharedArrayBuffer-backed (they are then shared, not
 * copied). Chunks of one loop must write disjoint memory. With 1 thread, or fewer than 2 items,
 * the body runs on the calling thread. Rejects with the first error of a worker.
 */
export async function parallelFor<A>(module: string, name: string, body: RangeTask<A>, args: A, count: number, threads = fftThreads()): Promise<void> {
  if (count <= 0) return;
  if (threads <= 1 || count < 2) {
    body(args, 0, count);
    return;
  }
  const t = Math.min(threads, count);
  await exclusive(async () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const chunk = Math.max(1, Math.floor(count / (16 * t)));
    const id = nextId++;
    await broadcast(t, () => ({ kind: 'task', module, fn: name, args, count, id, counter, chunk }));
  });
}

/**
 * Test hook: asks `threads` workers to throw ('test-throw'), to exit ('test-exit') or to answer
 * ('test-ping'), through the same path as real jobs, so tests can check that failures reject.
 */
export function poolSelfTest(kind: 'test-throw' | 'test-exit' | 'test-ping', threads = 1): Promise<void> {
  return exclusive(() => {
    const id = nextId++;
    return broadcast(threads, () => ({ id, kind }));
  });
}

/** Number of live pool workers (for tests). */
export function fftPoolSize(): number {
  return workers.length;
}

/** Terminates every pool worker (waits for them) and drops the staging buffers; the next job
 *  starts new ones. */
export async function shutdownFftPool(): Promise<void> {
  staging.real = null;
  staging.spec = null;
  const all = workers.splice(0, workers.length);
  await Promise.all(
    all.map((pw) => {
      pw.dead = true;
      return pw.worker.terminate();
    }),
  );
}
