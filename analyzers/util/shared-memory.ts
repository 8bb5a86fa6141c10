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

/** A zero-filled Float32Array of `length` values on a new SharedArrayBuffer. */
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
  return new Float32Array(new SharedArrayBuffer(bytes));
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
