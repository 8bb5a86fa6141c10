/**
 * SharedArrayBuffer-backed arrays, and the garbage collection that V8 does not do for them.
 *
 * Map data live on SharedArrayBuffers (the MRC reader, `createVolume`, FFT outputs) so that the FFT
 * and per-voxel worker threads (fft-pool.ts) work on them in place instead of through staging
 * copies. V8 does not count SharedArrayBuffer backing stores as memory pressure, so dead ones are
 * freed only when a collection happens for other reasons: a loop of 432³ FFTs that each return a
 * new spectrum grew by 650 MB per round to 4.8 GB. Every thread that saw a buffer (it was posted
 * to a worker) holds it until that thread collects too. So `sharedFloat32` counts the bytes it
 * hands out and forces a full collection of the calling thread after every `COLLECT_EVERY` bytes,
 * and bumps `sharedEpoch()`; pool workers receive the epoch with each job and collect once when it
 * changed (`collectIfEpochChanged`).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** Bytes of shared arrays handed out between two forced collections: the most garbage they can
 *  add to the peak. One collection of the main thread took 20-30 ms in a 360³ report. */
const COLLECT_EVERY = 512 * 2 ** 20;

let allocatedSinceCollect = 0;
let epoch = 0;
let workerEpoch = 0;
let gcFunction: (() => void) | null | undefined;

/** The engine's `gc()`, exposed at run time (no command-line flag needed), or null if refused. */
function gc(): (() => void) | null {
  if (gcFunction === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFunction = null;
    }
  }
  return gcFunction;
}

/**
 * A zero-filled Float32Array of `length` values on a new SharedArrayBuffer. From
 * WASM_MEMORY_MIN_BYTES up that buffer is a shared WebAssembly memory of its own
 * (`wasmMemoryOf`): the SIMD FFT kernel then reads and writes the array with its own copies,
 * without staging it through JavaScript (fft-wasm.ts).
 */
export function sharedFloat32(length: number): Float32Array {
  const bytes = 4 * length;
  allocatedSinceCollect += bytes;
  if (allocatedSinceCollect > COLLECT_EVERY) {
    allocatedSinceCollect = bytes;
    const collect = gc();
    if (collect) {
      collect();
      epoch++;
    }
  }
  const offset = bytes >= WASM_MEMORY_MIN_BYTES ? nextStagger() : 0;
  const memory = bytes >= WASM_MEMORY_MIN_BYTES ? sharedWasmMemory(offset + bytes) : undefined;
  return memory ? new Float32Array(memory.buffer, offset, length) : new Float32Array(new SharedArrayBuffer(bytes));
}

let staggers = 0;

/**
 * Where the next memory's array starts: each memory begins on the same high alignment, so arrays
 * at offset 0 of theirs share their low address bits, and a loop writing four of them at one index
 * (a spectrum fill) stalled on cache-set conflicts: 12× slower in a test. One page plus one cache
 * line more per array gives 64 different offsets, modulo 4 KiB as modulo 64 KiB.
 */
function nextStagger(): number {
  staggers = (staggers + 1) % 64;
  return (staggers * 4160) % 65536;
}

/** Arrays from this size (bytes) get a WebAssembly memory: the spectra and volumes of the FFTs, not the small tables (each memory reserves address space). */
export const WASM_MEMORY_MIN_BYTES = 4 * 2 ** 20;

/** The shared WebAssembly.Memory API, typed to what is used here (absent in a runtime without WebAssembly). */
interface SharedMemoryApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
}
/** A shared WebAssembly.Memory: its buffer is a SharedArrayBuffer. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
const WASM = (globalThis as unknown as { WebAssembly?: SharedMemoryApi }).WebAssembly;
/** Pages of a 32-bit WebAssembly memory at most (4 GiB). */
const MAX_PAGES = 65536;

/** Each memory by its buffer: on the thread that made it, and on a worker for the arrays of the job it runs (`registerWasmMemory`). */
const memories = new WeakMap<ArrayBufferLike, WasmMemory>();

/** A new shared memory of at least `bytes`, or undefined when none can be had (too large, no WebAssembly, address space refused). */
function sharedWasmMemory(bytes: number): WasmMemory | undefined {
  const pages = Math.ceil(bytes / 65536);
  if (WASM === undefined || pages > MAX_PAGES) return undefined;
  try {
    const memory = new WASM.Memory({ initial: pages, maximum: pages, shared: true });
    memories.set(memory.buffer, memory);
    return memory;
  } catch {
    return undefined;
  }
}

/** The WebAssembly memory whose buffer `a` views (from `sharedFloat32`), if any. */
export function wasmMemoryOf(a: ArrayBufferView): WasmMemory | undefined {
  return memories.get(a.buffer);
}

/** On a worker: makes `wasmMemoryOf` know the memories posted with a job (a posted memory and the arrays posted with it share one buffer object). */
export function registerWasmMemory(memory: WasmMemory): void {
  memories.set(memory.buffer, memory);
}

/** True when `a` views a SharedArrayBuffer (workers can read and write it in place). */
export function isShared(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** Number of forced collections so far on this thread (sent to the pool workers with each job). */
export function sharedEpoch(): number {
  return epoch;
}

/**
 * For pool workers, after a job: a full collection of this thread when the main thread has forced
 * one since the last call, so that the buffers of earlier jobs are released here too.
 */
export function collectIfEpochChanged(mainEpoch: number): void {
  if (mainEpoch === workerEpoch) return;
  workerEpoch = mainEpoch;
  gc()?.();
}
