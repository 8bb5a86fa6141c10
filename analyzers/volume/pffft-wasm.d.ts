/**
 * Types for the parts of `@echogarden/pffft-wasm` (PFFFT compiled to WebAssembly by Emscripten; the
 * package ships no declarations) that `fft-pffft.ts` uses. Pointers are byte offsets into the
 * module's heap; `HEAPF32` is replaced by a new view whenever the heap grows.
 */
declare module '@echogarden/pffft-wasm/simd' {
  /** An instantiated PFFFT module (one per thread). */
  export interface PffftModule {
    /** float32 view of the whole heap; re-read after any allocation. */
    HEAPF32: Float32Array;
    /** float64 view of the whole heap; re-read after any allocation. */
    HEAPF64: Float64Array;
    /** Setup for length n; kind 0 = real, 1 = complex. 0 when n does not factor into 2, 3, 5. */
    _pffft_new_setup(n: number, kind: 0 | 1): number;
    _pffft_destroy_setup(setup: number): void;
    /** Ordered transform of one line; direction 0 = forward (exp −2πi jk/n), 1 = backward; unscaled. */
    _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: 0 | 1): void;
    /** 64-byte aligned allocation of `bytes` bytes. */
    _pffft_aligned_malloc(bytes: number): number;
    _pffft_aligned_free(ptr: number): void;
    _pffft_simd_size(): number;
  }
  const factory: (options?: object) => Promise<PffftModule>;
  export default factory;
}
