/**
 * Worker thread of the FFT pool (`fft-pool.ts`). A 'task' request (`parallelFor`) imports its
 * module (cached by the module loader) and runs the named export on claimed chunks. For each FFT
 * phase request it takes the kernel for
 * (engine, dims) from a small cache (plans, twiddles and scratch are built once per worker and
 * shape), claims chunks of [0, count) from the shared counter with Atomics.add until the range is
 * exhausted, runs the kernel's range method on each, and replies `{ ok: true }` or the error text.
 */
import { parentPort } from 'node:worker_threads';
import { slabsInverseNormWith, slabsInverseWithFold, zeroTouchedRows, type Fft3dKernel } from './contract.ts';
import { StockhamKernel3d } from './stockham.ts';
import { WasmKernel3d } from './fft-wasm.ts';
import type { WorkerReply, WorkerRequest } from './fft-pool.ts';
import { collectIfEpochChanged, registerWasmMemory } from '../util/shared-memory.ts';
import type { Vec3 } from '../volume/volume.ts';

/** Kernels kept per worker (least recently used dropped first); each holds a few MB of scratch. */
const MAX_KERNELS = 3;
const kernels = new Map<string, Fft3dKernel>();

async function kernelFor(engine: string, dims: Vec3): Promise<Fft3dKernel> {
  const key = `${engine}:${dims.join('x')}`;
  let k = kernels.get(key);
  if (k) {
    kernels.delete(key); // re-insert: Map order is the LRU order
    kernels.set(key, k);
    return k;
  }
  k = engine === 'wasm' ? new WasmKernel3d(dims) : new StockhamKernel3d(dims);
  kernels.set(key, k);
  if (kernels.size > MAX_KERNELS) {
    const [oldKey, old] = kernels.entries().next().value as [string, Fft3dKernel];
    kernels.delete(oldKey);
  }
  return k;
}

async function handle(msg: WorkerRequest): Promise<void> {
  switch (msg.kind) {
    case 'test-ping':
      return;
    case 'test-throw':
      throw new Error('test failure requested');
    case 'test-exit':
      process.exit(3);
  }
  if (msg.kind === 'task') {
    const fn = await exported(msg.module, msg.fn);
    for (;;) {
      const a = Atomics.add(msg.counter, 0, 1) * msg.chunk;
      if (a >= msg.count) break;
      fn(msg.args, a, Math.min(msg.count, a + msg.chunk));
    }
    return;
  }
  for (const m of msg.memories ?? []) registerWasmMemory(m);
  const kernel = await kernelFor(msg.engine, msg.dims);
  const { counter, chunk, count } = msg;
  if (msg.kind === 'rowsZ' && msg.rowTask) {
    const task = msg.rowTask;
    const fn = await exported(task.module, task.fn);
    for (;;) {
      const a = Atomics.add(counter, 0, 1) * chunk;
      if (a >= count) break;
      const b = Math.min(count, a + chunk);
      if (msg.roundTrip) {
        kernel.rowsZ(msg.spec, a, b, -1);
        fn(task.args, a, b);
        kernel.rowsZ(msg.spec, a, b, 1, msg.radius);
      } else {
        fn(task.args, a, b);
        for (const sp of msg.specs ?? [msg.spec]) kernel.rowsZ(sp, a, b, msg.sign, msg.radius);
      }
    }
    return;
  }
  for (;;) {
    const a = Atomics.add(counter, 0, 1) * chunk;
    if (a >= count) break;
    const b = Math.min(count, a + chunk);
    if (msg.kind === 'slabsForward') kernel.slabsForward(msg.real, msg.spec, a, b);
    else if (msg.kind === 'slabsInverse') {
      if (msg.specs && msg.acc) {
        slabsInverseNormWith(kernel, msg.dims, msg.specs, msg.real, msg.acc, a, b, msg.radius, msg.normRoot ?? false, msg.accScale ?? 1);
        if (msg.zeroSpecs) for (const sp of msg.specs) zeroTouchedRows(sp, msg.dims, a, b, msg.radius);
      }
      else slabsInverseWithFold(kernel, msg.dims, msg.spec, msg.real, msg.acc, a, b, msg.radius, msg.accMode ?? 0, msg.accScale ?? 1);
    } else if (msg.specs) for (const sp of msg.specs) kernel.rowsZ(sp, a, b, msg.sign, msg.radius);
    else kernel.rowsZ(msg.spec, a, b, msg.sign, msg.radius);
  }
}

/** The export `name` of the module at file URL `module` (imported once, cached by the loader), as a range body. */
async function exported(module: string, name: string): Promise<(args: unknown, a: number, b: number) => void> {
  const fn = ((await import(module)) as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`parallelFor: ${module} has no export ${name}`);
  return fn as (args: unknown, a: number, b: number) => void;
}

const port = parentPort;
if (!port) throw new Error('fft-worker.ts must run as a worker thread');
port.on('message', (msg: WorkerRequest) => {
  const { id, epoch } = msg;
  const reply = (r: WorkerReply): void => {
    port.postMessage(r);
    // After the reply, once this job's references are gone: the shared buffers of earlier jobs
    // are freed only when every thread that saw them has collected (shared-memory.ts).
    if (epoch !== undefined) setImmediate(() => collectIfEpochChanged(epoch));
  };
  handle(msg).then(
    () => reply({ id, ok: true }),
    (e: unknown) => reply({ id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
