/**
 * Per-voxel math on WebAssembly SIMD for loops that run over whole maps many times: the weighted
 * log accumulation of 0.f (acc += w·ln(a²/(a + q)) for every voxel and shell).
 *
 * ln v in float64 lanes: v = 2^e·m with m ∈ [√½, √2) (mantissa bits, exponent from the high word),
 * ln v = e·ln 2 + 2·(t + t³/3 + … + t¹¹/11), t = (m − 1)/(m + 1), |t| ≤ 0.172: truncation error
 * below 1e-11 relative, i.e. ≈ 1e-10 absolute for |ln v| ≈ 25 (float64 rounding is smaller).
 * Inputs outside the normal float64 range (0, subnormal, ∞, NaN, negative) are flagged and their
 * chunk is recomputed with Math.log, so results match the plain loop's there exactly.
 *
 * The arrays live in JavaScript memory: each call copies chunks into its own instance's memory
 * (one instance per thread, built on first use) and back.
 */
import { block, br, brIf, buildModule, f64x2, get, i32, i32x4, loop, set, v128, F64, I32, V128, type Code, type FuncDef } from './wasm-emit.ts';

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Voxels per chunk copied into the instance's memory. */
const CHUNK = 16384;

/**
 * logacc(amp, acc, count, w, q) → flag: for count voxels (a multiple of 4), amp float32 at byte
 * amp, acc float64 at byte acc: acc += w·ln(a²/(a + q)) in float64. Returns 1 when a lane's
 * argument was outside the normal range (the caller then recomputes the chunk), else 0.
 */
function logAccFunction(): FuncDef {
  const AMP = 0, ACC = 1, COUNT = 2, W = 3, Q = 4;
  const locals: number[] = [];
  const local = (t: number) => {
    locals.push(t);
    return 5 + locals.length - 1;
  };
  const i = local(I32), flag = local(I32), pa = local(I32), pc = local(I32), end = local(I32);
  const a4 = local(V128), w2 = local(V128), q2 = local(V128);
  const v = local(V128), m = local(V128), e = local(V128), big = local(V128), t = local(V128), t2 = local(V128), a2 = local(V128);
  const K = (x: number): Code => f64x2.const(x, x);
  const mantMask = v128.constI32(-1, 0x000fffff, -1, 0x000fffff);
  const oneBits = v128.constI32(0, 0x3ff00000, 0, 0x3ff00000);
  // High 32-bit words of both f64 lanes into i32 lanes 0, 1.
  const HI = [4, 5, 6, 7, 12, 13, 14, 15, 4, 5, 6, 7, 12, 13, 14, 15];
  const LOW_TO_HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  // 2·(t + t³/3 + … + t¹¹/11) by Horner in t², then e·ln 2 + that, weighted, added to acc.
  const series = (): Code => {
    let h: Code = K(2 / 11);
    for (const c of [2 / 9, 2 / 7, 2 / 5, 2 / 3, 2]) h = f64x2.add(K(c), f64x2.mul(get(t2), h));
    return f64x2.mul(get(t), h);
  };
  const update = (off: number): Code => {
    const addr = i32.add(get(pc), i32.const(off));
    const ln = f64x2.add(f64x2.mul(get(e), K(Math.LN2)), series());
    return v128.store(addr, f64x2.add(v128.load(addr), f64x2.mul(get(w2), ln)));
  };
  // Two voxels (one f64x2 lane pair) at acc offset `off` from a2 = their amplitudes.
  const half = (off: number): Code[] => [
    set(v, f64x2.div(f64x2.mul(get(a2), get(a2)), f64x2.add(get(a2), get(q2)))),
    set(flag, i32.or(get(flag), v128.anyTrue(v128.not(v128.and(f64x2.ge(get(v), K(2.2250738585072014e-308)), f64x2.lt(get(v), K(Infinity))))))),
    set(e, f64x2.convertLowI32(i32x4.sub(i32x4.shrU(v128.shuffle(get(v), get(v), HI), i32.const(20)), i32x4.splat(i32.const(1023))))),
    set(m, v128.or(v128.and(get(v), mantMask), oneBits)),
    set(big, f64x2.gt(get(m), K(Math.SQRT2))),
    set(m, v128.bitselect(f64x2.mul(get(m), K(0.5)), get(m), get(big))),
    set(e, f64x2.add(get(e), v128.and(get(big), K(1)))),
    set(t, f64x2.div(f64x2.sub(get(m), K(1)), f64x2.add(get(m), K(1)))),
    set(t2, f64x2.mul(get(t), get(t))),
    update(off),
  ];
  const body: Code[] = [
    set(flag, i32.const(0)),
    set(w2, f64x2.splat(get(W))),
    set(q2, f64x2.splat(get(Q))),
    set(pa, get(AMP)),
    set(pc, get(ACC)),
    set(end, i32.add(get(AMP), i32.mul(get(COUNT), i32.const(4)))),
    set(i, i32.const(0)),
    block(loop(
      brIf(1, i32.geU(get(pa), get(end))),
      set(a4, v128.load(get(pa))),
      set(a2, f64x2.promoteLow(get(a4))),
      half(0),
      set(a2, f64x2.promoteLow(v128.shuffle(get(a4), get(a4), LOW_TO_HIGH))),
      half(16),
      set(pa, i32.add(get(pa), i32.const(16))),
      set(pc, i32.add(get(pc), i32.const(32))),
      br(0),
    )),
    get(flag),
  ];
  return { name: 'logacc', params: [I32, I32, I32, F64, F64], results: [I32], locals, body };
}

interface MathExports {
  logacc(amp: number, acc: number, count: number, w: number, q: number): number;
}

let instance: { fn: MathExports; H: Float32Array; H64: Float64Array } | null = null;

function mathInstance(): { fn: MathExports; H: Float32Array; H64: Float64Array } | null {
  if (!WA) return null;
  if (!instance) {
    const module = new WA.Module(buildModule([logAccFunction()]));
    const memory = new WA.Memory({ initial: Math.ceil((64 + 12 * CHUNK) / 65536) + 1 });
    const inst = new WA.Instance(module, { env: { memory } });
    instance = { fn: inst.exports as unknown as MathExports, H: new Float32Array(memory.buffer), H64: new Float64Array(memory.buffer) };
  }
  return instance;
}

/** acc[i] += w·ln(a²/(a + q)), a = amp[i], plain float64 loop (the reference and the fallback). */
function logAccPlain(amp: Float32Array, acc: Float64Array, w: number, q: number, i0: number, i1: number): void {
  for (let i = i0; i < i1; i++) {
    const a = amp[i];
    acc[i] += w * Math.log((a * a) / (a + q));
  }
}

/**
 * acc[i] += w·ln(a²/(a + q)) with a = amp[i] for i in [i0, i1), computed as a²/(a + q) in float64
 * then the SIMD logarithm of this file (≈1e-10 absolute from Math.log); arguments outside the
 * normal float64 range go through Math.log. Falls back to the plain loop without WebAssembly.
 */
export function accumulateWeightedLog(amp: Float32Array, acc: Float64Array, w: number, q: number, i0: number, i1: number): void {
  const inst = mathInstance();
  if (!inst) {
    logAccPlain(amp, acc, w, q, i0, i1);
    return;
  }
  const { fn, H, H64 } = inst;
  const AMP = 64, ACC = 64 + 4 * CHUNK;
  for (let i = i0; i < i1; i += CHUNK) {
    const c = Math.min(CHUNK, i1 - i);
    const c4 = c & ~3;
    if (c4 > 0) {
      H.set(amp.subarray(i, i + c4), AMP >> 2);
      H64.set(acc.subarray(i, i + c4), ACC >> 3);
      if (fn.logacc(AMP, ACC, c4, w, q) === 0) acc.set(H64.subarray(ACC >> 3, (ACC >> 3) + c4), i);
      else logAccPlain(amp, acc, w, q, i, i + c4);
    }
    if (c4 < c) logAccPlain(amp, acc, w, q, i + c4, i + c);
  }
}
