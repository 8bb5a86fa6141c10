/**
 * The 3-D real FFT kernel on WebAssembly SIMD butterflies generated at run time (no toolchain, no
 * binary shipped): float32, four lanes = two complex values of two adjacent lines. It serves the
 * grids whose axes have prime factors 2, 3, 5 only and an
 * even x edge (`wasmQualifies`): 250, 360, 300, 200, … — most EMDB boxes and every resized map
 * of 0.f/0.g.
 *
 * Transform: the Stockham autosort algorithm of fft.ts (decimation in frequency, radices 2, 3, 4,
 * 5, 8; same twiddle formula y[q + s·(p·j + k)] = w^(j·k)·Σ_r x[q + s·(j + r·m)]·ω^(r·k)), applied
 * to s interleaved lines at once: sample k of line q at complex index q + s·k. The innermost loop
 * runs over lines with one twiddle, two lines per f32x4 vector, so the butterflies need no
 * shuffles except the swap of real and imaginary parts for a product by i or by a twiddle
 * (x·w = x·Re w + swap(x)·(−Im w, Im w)). Line counts are padded to even (pad lanes are zeroed
 * or hold finite leftovers that are never copied out: lanes never mix).
 *
 * 3-D layout and steps (like fft.ts's float64 kernel): per z slab, batches of real x lines are
 * gathered in pairs of lines, transformed as half-length complex lines z_j = f_2j + i·f_(2j+1) and
 * split into the half-complex spectrum (all in WebAssembly, two lines per vector) straight into a
 * [y][kx] slab whose rows are padded to an even count sP ≥ cx: the interleaved layout of the y pass
 * (s = sP). The z pass stages ROW_GROUP rows ky (one copy per kz) and transforms each row's nz
 * samples with s = its line count. Copies between caller arrays and the instance's memory are
 * whole slabs or row groups (TypedArray.set, one call each); row re-layouts run inside. A spectrum
 * on a shared WebAssembly memory of its own (`sharedFloat32`, `wasmMemoryOf`) skips the staging:
 * a bridge instance importing both memories (multi-memory `memory.copy`) moves each row's lines
 * between it and the work buffers directly (the z pass ~40 % faster, same bits).
 *
 * Support radius (`InverseOptions.radius` in fft.ts): in the backward z pass a row ky only
 * transforms its lines kx ≤ √(R² − ky²) + 1 (rows beyond R are skipped) and the y pass only lines
 * kx ≤ R + 1; lanes are independent, so the result has the same bits as without the radius.
 * Precision: float32 twiddles and arithmetic, ≈3e-7 of the largest coefficient.
 */
import type { Fft3dKernel, FftSign } from './contract.ts';
import type { Vec3 } from '../volume/volume.ts';
import { wasmMemoryOf, type WasmMemory } from '../util/shared-memory.ts';
import { block, br, brIf, buildModule, f32x4, get, i32, ifElse, ifThen, loop, memory, set, v128, F32, I32, V128, type Code, type FuncDef } from './wasm-emit.ts';

/** The parts of the WebAssembly JS API used here (tsconfig has no DOM lib, which declares it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Radices with a SIMD butterfly. */
const RADICES = [2, 3, 4, 5, 8] as const;

function smooth235(n: number): boolean {
  for (const p of [2, 3, 5]) while (n % p === 0) n /= p;
  return n === 1;
}

/** True when the SIMD kernel handles the grid: even nx, and nx/2, ny, nz with prime factors 2, 3, 5. */
export function wasmQualifies([nx, ny, nz]: Vec3): boolean {
  return nx >= 2 && nx % 2 === 0 && smooth235(nx / 2) && smooth235(ny) && smooth235(nz) && WA !== undefined;
}

/**
 * Radices of a Stockham plan for a 2·3·5-smooth n: powers of two as radix 4 with one radix 8 (odd
 * exponent ≥ 3) or one radix 2 (exponent 1), then 3s and 5s. n = 1 has no pass.
 */
export function simdRadices(n: number): number[] {
  const out: number[] = [];
  let r = n;
  let e = 0;
  while (r % 2 === 0) {
    e++;
    r /= 2;
  }
  if (e === 1) out.push(2);
  else if (e % 2 === 1) {
    out.push(8);
    e -= 3;
  }
  for (; e >= 2; e -= 2) out.push(4);
  for (const p of [3, 5]) {
    while (r % p === 0) {
      out.push(p);
      r /= p;
    }
  }
  if (r !== 1) throw new RangeError(`simdRadices: ${n} has a prime factor above 5`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Butterfly code generation.
// ---------------------------------------------------------------------------------------------

/** Lanes of i8x16.shuffle that swap re and im of both complex values. */
const SWAP = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11];
const NEG = 0x80000000 | 0;

/** Straight-line v128 code of one function body: each `let` stores a value in a fresh local. */
class Body {
  readonly stmts: Code[] = [];
  readonly locals: number[] = [];
  private readonly base: number;
  private readonly consts = new Map<string, Code>();
  readonly prologue: Code[] = [];

  constructor(params: number) {
    this.base = params;
  }

  local(type: number): number {
    this.locals.push(type);
    return this.base + this.locals.length - 1;
  }

  let(value: Code): Code {
    const l = this.local(V128);
    this.stmts.push(set(l, value));
    return get(l);
  }

  /** A constant vector kept in a local set once in the prologue. */
  constant(key: string, make: () => Code): Code {
    let c = this.consts.get(key);
    if (!c) {
      const l = this.local(V128);
      this.prologue.push(set(l, make()));
      c = get(l);
      this.consts.set(key, c);
    }
    return c;
  }

  real(c: number): Code {
    return this.constant(`r${c}`, () => v128.constF32(c, c, c, c));
  }

  add = (a: Code, b: Code): Code => f32x4.add(a, b);
  sub = (a: Code, b: Code): Code => f32x4.sub(a, b);
  scale = (a: Code, c: number): Code => f32x4.mul(a, this.real(c));

  /** s·i·a for s = ±1: i·(x + iy) = −y + ix. */
  mulI(a: Code, s: number): Code {
    const mask = s > 0 ? this.constant('negRe', () => v128.constI32(NEG, 0, NEG, 0)) : this.constant('negIm', () => v128.constI32(0, NEG, 0, NEG));
    return v128.xor(v128.shuffle(a, a, SWAP), mask);
  }
}

/** Outputs (before twiddles) of one radix-p DFT of the inputs a (each a v128 expression, used once). */
function butterfly(b: Body, p: number, a: Code[], sign: number): Code[] {
  switch (p) {
    case 2: {
      const a0 = b.let(a[0]), a1 = b.let(a[1]);
      return [b.add(a0, a1), b.sub(a0, a1)];
    }
    case 3: {
      const a0 = b.let(a[0]), a1 = b.let(a[1]), a2 = b.let(a[2]);
      const s = b.let(b.add(a1, a2));
      const m = b.let(b.sub(a0, b.scale(s, 0.5)));
      const id = b.let(b.mulI(b.scale(b.sub(a1, a2), Math.sqrt(3) / 2), sign));
      return [b.add(a0, s), b.add(m, id), b.sub(m, id)];
    }
    case 4: {
      const a0 = b.let(a[0]), a1 = b.let(a[1]), a2 = b.let(a[2]), a3 = b.let(a[3]);
      const t0 = b.let(b.add(a0, a2)), t1 = b.let(b.sub(a0, a2));
      const t2 = b.let(b.add(a1, a3)), t3 = b.let(b.mulI(b.sub(a1, a3), sign));
      return [b.add(t0, t2), b.add(t1, t3), b.sub(t0, t2), b.sub(t1, t3)];
    }
    case 5: {
      const c1 = Math.cos((2 * Math.PI) / 5), c2 = Math.cos((4 * Math.PI) / 5);
      const s1 = Math.sin((2 * Math.PI) / 5), s2 = Math.sin((4 * Math.PI) / 5);
      const a0 = b.let(a[0]), a1 = b.let(a[1]), a2 = b.let(a[2]), a3 = b.let(a[3]), a4 = b.let(a[4]);
      const p1 = b.let(b.add(a1, a4)), d1 = b.let(b.sub(a1, a4));
      const p2 = b.let(b.add(a2, a3)), d2 = b.let(b.sub(a2, a3));
      const A1 = b.let(b.add(a0, b.add(b.scale(p1, c1), b.scale(p2, c2))));
      const B1 = b.let(b.mulI(b.add(b.scale(d1, s1), b.scale(d2, s2)), sign));
      const A2 = b.let(b.add(a0, b.add(b.scale(p1, c2), b.scale(p2, c1))));
      const B2 = b.let(b.mulI(b.sub(b.scale(d1, s2), b.scale(d2, s1)), sign));
      return [b.add(a0, b.add(p1, p2)), b.add(A1, B1), b.add(A2, B2), b.sub(A2, B2), b.sub(A1, B1)];
    }
    case 8: {
      const r = Math.SQRT1_2;
      const x = a.map((v) => b.let(v));
      const p0 = b.let(b.add(x[0], x[4])), p1 = b.let(b.sub(x[0], x[4]));
      const p2 = b.let(b.add(x[2], x[6])), p3 = b.let(b.mulI(b.sub(x[2], x[6]), sign));
      const q0 = b.let(b.add(x[1], x[5])), q1 = b.let(b.sub(x[1], x[5]));
      const q2 = b.let(b.add(x[3], x[7])), q3 = b.let(b.mulI(b.sub(x[3], x[7]), sign));
      const e0 = b.let(b.add(p0, p2)), f0 = b.let(b.add(q0, q2));
      const e2 = b.let(b.sub(p0, p2)), f2 = b.let(b.mulI(b.sub(q0, q2), sign));
      const e1 = b.let(b.add(p1, p3)), g1 = b.let(b.add(q1, q3));
      const f1 = b.let(b.scale(b.add(g1, b.mulI(g1, sign)), r));
      const e3 = b.let(b.sub(p1, p3)), g3 = b.let(b.sub(q1, q3));
      const f3 = b.let(b.scale(b.sub(b.mulI(g3, sign), g3), r));
      return [b.add(e0, f0), b.add(e1, f1), b.add(e2, f2), b.add(e3, f3), b.sub(e0, f0), b.sub(e1, f1), b.sub(e2, f2), b.sub(e3, f3)];
    }
    default:
      throw new Error(`no SIMD butterfly for radix ${p}`);
  }
}

/**
 * pass{p}{f|b}(x, y, sB, m, tw): one Stockham stage of radix p (sign −1 "f", +1 "b") from the
 * buffer at byte x to the buffer at byte y, for lines of sB bytes per sample (8·s, s even) and
 * sub-length m. tw: per j < m, k = 1..p−1, two vectors (cos θ ×4) and (−sin, sin, −sin, sin)·sign.
 */
function passFunction(p: number, sign: number): FuncDef {
  const X = 0, Y = 1, SB = 2, M = 3, TW = 4;
  const b = new Body(5);
  const stB = b.local(I32), j = b.local(I32), ib = b.local(I32), ob = b.local(I32), end = b.local(I32);
  const iP = b.local(I32), oP = b.local(I32), twP = b.local(I32), pSB = b.local(I32);
  const inOff: number[] = [];
  const outOff: number[] = [];
  const setup: Code[] = [set(stB, i32.mul(get(SB), get(M))), set(pSB, i32.mul(get(SB), i32.const(p)))];
  for (let r = 1; r < p; r++) {
    const li = b.local(I32), lo = b.local(I32);
    inOff.push(li);
    outOff.push(lo);
    setup.push(set(li, i32.mul(get(stB), i32.const(r))), set(lo, i32.mul(get(SB), i32.const(r))));
  }
  const inAddr = (r: number): Code => (r === 0 ? get(iP) : i32.add(get(iP), get(inOff[r - 1])));
  const outAddr = (k: number): Code => (k === 0 ? get(oP) : i32.add(get(oP), get(outOff[k - 1])));

  const inner = (twiddled: boolean): Code => {
    const saved = b.stmts.length;
    const wr: Code[] = [];
    const wi: Code[] = [];
    const load: Code[] = [];
    if (twiddled) {
      for (let k = 1; k < p; k++) {
        const lr = b.local(V128), li = b.local(V128);
        load.push(set(lr, v128.load(get(twP), 32 * (k - 1))), set(li, v128.load(get(twP), 32 * (k - 1) + 16)));
        wr.push(get(lr));
        wi.push(get(li));
      }
    }
    const a: Code[] = [];
    for (let r = 0; r < p; r++) a.push(v128.load(inAddr(r)));
    const outs = butterfly(b, p, a, sign);
    const stores: Code[] = [];
    for (let k = 0; k < p; k++) {
      if (k === 0 || !twiddled) stores.push(v128.store(outAddr(k), outs[k]));
      else {
        const c = b.let(outs[k]);
        stores.push(v128.store(outAddr(k), f32x4.add(f32x4.mul(c, wr[k - 1]), f32x4.mul(v128.shuffle(c, c, SWAP), wi[k - 1]))));
      }
    }
    const body = b.stmts.splice(saved);
    return [
      load,
      set(iP, get(ib)),
      set(oP, get(ob)),
      loop(
        body,
        stores,
        set(iP, i32.add(get(iP), i32.const(16))),
        set(oP, i32.add(get(oP), i32.const(16))),
        brIf(0, i32.ltU(get(iP), get(end))),
      ),
    ];
  };

  const plain = inner(false);
  const twiddled = inner(true);
  const main: Code[] = [
    setup,
    set(j, i32.const(0)),
    set(ib, get(X)),
    set(ob, get(Y)),
    set(twP, get(TW)),
    loop(
      set(end, i32.add(get(ib), get(SB))),
      ifElse(i32.eqz(get(j)), [plain], [twiddled]),
      set(twP, i32.add(get(twP), i32.const(32 * (p - 1)))),
      set(ib, i32.add(get(ib), get(SB))),
      set(ob, i32.add(get(ob), get(pSB))),
      set(j, i32.add(get(j), i32.const(1))),
      brIf(0, i32.ltU(get(j), get(M))),
    ),
  ];
  return { name: `pass${p}${sign < 0 ? 'f' : 'b'}`, params: [I32, I32, I32, I32, I32], locals: b.locals, body: [b.prologue, main] };
}

/** A counted loop: i from `from` while i < `to` (unsigned), step `step`; body may be empty-run. */
function forRange(i: number, from: Code, to: Code, step: number, body: Code[]): Code {
  return [set(i, from), block(loop(brIf(1, i32.geU(get(i), to)), body, set(i, i32.add(get(i), i32.const(step))), br(0)))];
}

const add = (a: Code, b: Code): Code => i32.add(a, b);
const addK = (a: Code, k: number): Code => i32.add(a, i32.const(k));

/**
 * gatherReal(src, rowB, A, h, pairs, stepB): 2·pairs real lines of 2h floats (line l at src + l·rowB)
 * → interleaved complex lines at A: sample j of line l at A + j·stepB + 8·l (z_j = f_2j + i·f_(2j+1)).
 */
function gatherRealFunction(): FuncDef {
  const SRC = 0, ROWB = 1, A = 2, H = 3, PAIRS = 4, STEPB = 5;
  const b = new Body(6);
  const pr = b.local(I32), j = b.local(I32), s0 = b.local(I32), s1 = b.local(I32), d = b.local(I32);
  const body = forRange(pr, i32.const(0), get(PAIRS), 1, [
    set(s0, add(get(SRC), i32.mul(get(pr), i32.shl(get(ROWB), i32.const(1))))),
    set(s1, add(get(s0), get(ROWB))),
    set(d, add(get(A), i32.shl(get(pr), i32.const(4)))),
    forRange(j, i32.const(0), get(H), 1, [
      v128.store(get(d), v128.load64Lane(get(s1), v128.load64Zero(get(s0)), 1)),
      set(s0, addK(get(s0), 8)),
      set(s1, addK(get(s1), 8)),
      set(d, add(get(d), get(STEPB))),
    ]),
  ]);
  return { name: 'gatherReal', params: [I32, I32, I32, I32, I32, I32], locals: b.locals, body: [b.prologue, body] };
}

/** x·w for w stored at ptr as (Re w ×4), (−Im w, Im w, −Im w, Im w). */
function twiddle(b: Body, x: Code, ptr: Code): Code {
  const v = b.let(x);
  return f32x4.add(f32x4.mul(v, v128.load(ptr)), f32x4.mul(v128.shuffle(v, v, SWAP), v128.load(ptr, 16)));
}

/**
 * splitForward(R, dst, tw, h, half, pairs, stepB, rowB): from Z = FFT_h(z) of 2·pairs interleaved
 * lines (sample k of line l at R + k·stepB + 8·l) to their half-complex spectra F_0 … F_h, line l
 * written at dst + l·rowB + 8k. F_0 = Re Z_0 + Im Z_0, F_h = Re Z_0 − Im Z_0, and for k ≤ half =
 * floor(h/2): E = (Z_k + conj Z_(h−k))/2, O = −i·(Z_k − conj Z_(h−k))/2, F_k = E + W^k·O,
 * F_(h−k) = conj(E − W^k·O), W^k at tw + 32k.
 */
function splitForwardFunction(): FuncDef {
  const R = 0, DST = 1, TW = 2, H = 3, HALF = 4, PAIRS = 5, STEPB = 6, ROWB = 7;
  const b = new Body(8);
  const pr = b.local(I32), k = b.local(I32), rb = b.local(I32), d0 = b.local(I32), d1 = b.local(I32);
  const ik = b.local(I32), ih = b.local(I32), ok = b.local(I32), oh = b.local(I32), tk = b.local(I32);
  const reMask = b.constant('reMask', () => v128.constI32(-1, 0, -1, 0));
  const negIm = b.constant('negIm', () => v128.constI32(0, NEG, 0, NEG));
  const half = b.real(0.5);
  const stmts = (build: () => Code[]): Code[] => {
    const saved = b.stmts.length;
    const tail = build();
    return [...b.stmts.splice(saved), ...tail];
  };
  const edge = stmts(() => {
    const z0 = b.let(v128.load(get(rb)));
    const sw = b.let(v128.shuffle(z0, z0, SWAP));
    const f0 = b.let(v128.and(f32x4.add(z0, sw), reMask));
    const fh = b.let(v128.and(f32x4.sub(z0, sw), reMask));
    const hB = i32.shl(get(H), i32.const(3));
    return [
      v128.store64Lane(get(d0), f0, 0), v128.store64Lane(get(d1), f0, 1),
      v128.store64Lane(add(get(d0), hB), fh, 0), v128.store64Lane(add(get(d1), hB), fh, 1),
    ];
  });
  const pair = stmts(() => {
    const zk = b.let(v128.load(get(ik)));
    const cz = b.let(v128.xor(v128.load(get(ih)), negIm));
    const e = b.let(f32x4.mul(f32x4.add(zk, cz), half));
    const o = b.mulI(f32x4.mul(f32x4.sub(zk, cz), half), -1);
    const t = b.let(twiddle(b, o, get(tk)));
    const fk = b.let(f32x4.add(e, t));
    const fh = b.let(v128.xor(f32x4.sub(e, t), negIm));
    return [
      v128.store64Lane(add(get(d0), get(ok)), fk, 0), v128.store64Lane(add(get(d1), get(ok)), fk, 1),
      v128.store64Lane(add(get(d0), get(oh)), fh, 0), v128.store64Lane(add(get(d1), get(oh)), fh, 1),
      set(ik, add(get(ik), get(STEPB))), set(ih, i32.sub(get(ih), get(STEPB))),
      set(ok, addK(get(ok), 8)), set(oh, addK(get(oh), -8)), set(tk, addK(get(tk), 32)),
    ];
  });
  const body = forRange(pr, i32.const(0), get(PAIRS), 1, [
    set(rb, add(get(R), i32.shl(get(pr), i32.const(4)))),
    set(d0, add(get(DST), i32.mul(get(pr), i32.shl(get(ROWB), i32.const(1))))),
    set(d1, add(get(d0), get(ROWB))),
    edge,
    set(ik, add(get(rb), get(STEPB))),
    set(ih, add(get(rb), i32.mul(i32.sub(get(H), i32.const(1)), get(STEPB)))),
    set(ok, i32.const(8)),
    set(oh, i32.shl(i32.sub(get(H), i32.const(1)), i32.const(3))),
    set(tk, addK(get(TW), 32)),
    forRange(k, i32.const(1), addK(get(HALF), 1), 1, pair),
  ]);
  return { name: 'splitForward', params: [I32, I32, I32, I32, I32, I32, I32, I32], locals: b.locals, body: [b.prologue, body] };
}

/**
 * mergeInverse(src, A, tw, h, pairs, stepB, rowB): half-complex lines (line l at src + l·rowB,
 * F_k at + 8k) → Z'_k = (F_k + conj F_(h−k)) + i·W^(−k)·(F_k − conj F_(h−k)) for k < h, written
 * as interleaved lines at A (sample k of line l at A + k·stepB + 8·l); W^(−k) at tw + 32k. For
 * k = 0 the imaginary parts of F_0 and F_h are dropped (numpy's irfftn does the same).
 */
function mergeInverseFunction(): FuncDef {
  const SRC = 0, A = 1, TW = 2, H = 3, PAIRS = 4, STEPB = 5, ROWB = 6;
  const b = new Body(7);
  const pr = b.local(I32), k = b.local(I32), s0 = b.local(I32), s1 = b.local(I32), d = b.local(I32);
  const fk = b.local(I32), gk = b.local(I32), tk = b.local(I32);
  const reMask = b.constant('reMask', () => v128.constI32(-1, 0, -1, 0));
  const negIm = b.constant('negIm', () => v128.constI32(0, NEG, 0, NEG));
  const pairAt = (off: Code): Code => v128.load64Lane(add(get(s1), off), v128.load64Zero(add(get(s0), off)), 1);
  const stmts = (build: () => Code[]): Code[] => {
    const saved = b.stmts.length;
    const tail = build();
    return [...b.stmts.splice(saved), ...tail];
  };
  const edge = stmts(() => {
    const f = b.let(v128.and(pairAt(i32.const(0)), reMask));
    const g = b.let(v128.and(pairAt(i32.shl(get(H), i32.const(3))), reMask));
    return [v128.store(get(d), f32x4.add(f32x4.add(f, g), b.mulI(f32x4.sub(f, g), 1)))];
  });
  const general = stmts(() => {
    const f = b.let(pairAt(get(fk)));
    const cg = b.let(v128.xor(pairAt(get(gk)), negIm));
    const t = twiddle(b, f32x4.sub(f, cg), get(tk));
    return [
      set(d, add(get(d), get(STEPB))),
      v128.store(get(d), f32x4.add(f32x4.add(f, cg), b.mulI(t, 1))),
      set(fk, addK(get(fk), 8)), set(gk, addK(get(gk), -8)), set(tk, addK(get(tk), 32)),
    ];
  });
  const body = forRange(pr, i32.const(0), get(PAIRS), 1, [
    set(s0, add(get(SRC), i32.mul(get(pr), i32.shl(get(ROWB), i32.const(1))))),
    set(s1, add(get(s0), get(ROWB))),
    set(d, add(get(A), i32.shl(get(pr), i32.const(4)))),
    edge,
    set(fk, i32.const(8)),
    set(gk, i32.shl(i32.sub(get(H), i32.const(1)), i32.const(3))),
    set(tk, addK(get(TW), 32)),
    forRange(k, i32.const(1), get(H), 1, general),
  ]);
  return { name: 'mergeInverse', params: [I32, I32, I32, I32, I32, I32, I32], locals: b.locals, body: [b.prologue, body] };
}

/**
 * scatterReal(R, out, h, pairs, stepB, rowB, scale): interleaved complex lines (sample j of line l
 * at R + j·stepB + 8·l) → real lines out + l·rowB (re, im of sample j at floats 2j, 2j+1), × scale.
 */
function scatterRealFunction(): FuncDef {
  const R = 0, OUT = 1, H = 2, PAIRS = 3, STEPB = 4, ROWB = 5, SCALE = 6;
  const b = new Body(7);
  const pr = b.local(I32), j = b.local(I32), r = b.local(I32), o0 = b.local(I32), o1 = b.local(I32), sc = b.local(V128);
  const v = b.local(V128);
  const inner: Code[] = [
    set(v, f32x4.mul(v128.load(get(r)), get(sc))),
    v128.store64Lane(get(o0), get(v), 0),
    v128.store64Lane(get(o1), get(v), 1),
    set(r, add(get(r), get(STEPB))),
    set(o0, addK(get(o0), 8)),
    set(o1, addK(get(o1), 8)),
  ];
  const main = [
    set(sc, f32x4.splat(get(SCALE))),
    forRange(pr, i32.const(0), get(PAIRS), 1, [
      set(r, add(get(R), i32.shl(get(pr), i32.const(4)))),
      set(o0, add(get(OUT), i32.mul(get(pr), i32.shl(get(ROWB), i32.const(1))))),
      set(o1, add(get(o0), get(ROWB))),
      forRange(j, i32.const(0), get(H), 1, inner),
    ]),
  ];
  return { name: 'scatterReal', params: [I32, I32, I32, I32, I32, I32, F32], locals: b.locals, body: [b.prologue, main] };
}

/**
 * expandRows(buf, rows, srcRowB, dstRowB, lenB): rows of lenB bytes at stride srcRowB become rows
 * at stride dstRowB ≥ srcRowB (in place, last row first, memmove), zero-filled from lenB to dstRowB.
 */
function expandRowsFunction(): FuncDef {
  const BUF = 0, ROWS = 1, SRC = 2, DST = 3, LEN = 4;
  const b = new Body(5);
  const r = b.local(I32), d = b.local(I32);
  const main = [
    set(r, get(ROWS)),
    block(loop(
      brIf(1, i32.eqz(get(r))),
      set(r, i32.sub(get(r), i32.const(1))),
      set(d, add(get(BUF), i32.mul(get(r), get(DST)))),
      memory.copy(get(d), add(get(BUF), i32.mul(get(r), get(SRC))), get(LEN)),
      memory.fill(add(get(d), get(LEN)), i32.const(0), i32.sub(get(DST), get(LEN))),
      br(0),
    )),
  ];
  return { name: 'expandRows', params: [I32, I32, I32, I32, I32], locals: b.locals, body: [b.prologue, main] };
}

/**
 * fold{1,2,3}(r, acc, bytes, scale): for the floats of [0, bytes) (a multiple of 16) at r and acc:
 * acc = r² (1), acc + r² (2), √(acc + r²)·scale (3); see fft.ts's `foldSquares`.
 */
function foldFunction(mode: 1 | 2 | 3): FuncDef {
  const R = 0, ACC = 1, BYTES = 2, SCALE = 3;
  const b = new Body(4);
  const i = b.local(I32), sc = b.local(V128), v = b.local(V128);
  const sq = f32x4.mul(get(v), get(v));
  const value = mode === 1 ? sq : mode === 2 ? f32x4.add(v128.load(add(get(ACC), get(i))), sq) : f32x4.mul(f32x4.sqrt(f32x4.add(v128.load(add(get(ACC), get(i))), sq)), get(sc));
  const main = [
    set(sc, f32x4.splat(get(SCALE))),
    forRange(i, i32.const(0), get(BYTES), 16, [set(v, v128.load(add(get(R), get(i)))), v128.store(add(get(ACC), get(i)), value)]),
  ];
  return { name: `fold${mode}`, params: [I32, I32, I32, F32], locals: b.locals, body: [b.prologue, main] };
}

/**
 * A row copy: count rows of lenB bytes from stride srcStrideB to stride dstStrideB (memory.copy
 * each), between memories `dstMem` ← `srcMem` (0 = the instance's own, 1 = the bridge's data
 * memory). `pad`: zero the rest of each destination row (lenB to dstStrideB) always, never, or when
 * a seventh parameter is non-zero.
 *   copyRows(src, srcStrideB, dst, dstStrideB, lenB, count, pad)   within the kernel's memory;
 *   gatherRows(…6) data → kernel, padded; scatterRows(…6) kernel → data.
 */
function rowCopyFunction(name: string, dstMem: number, srcMem: number, pad: 'param' | 'always' | 'never'): FuncDef {
  const SRC = 0, SS = 1, DST = 2, DS = 3, LEN = 4, COUNT = 5, PAD = 6;
  const params = pad === 'param' ? 7 : 6;
  const b = new Body(params);
  const r = b.local(I32), sp = b.local(I32), dp = b.local(I32);
  const zeroRest = memory.fill(add(get(dp), get(LEN)), i32.const(0), i32.sub(get(DS), get(LEN)));
  const main = [
    set(sp, get(SRC)),
    set(dp, get(DST)),
    forRange(r, i32.const(0), get(COUNT), 1, [
      memory.copyBetween(get(dp), get(sp), get(LEN), dstMem, srcMem),
      pad === 'always' ? zeroRest : pad === 'param' ? ifThen(get(PAD), zeroRest) : [],
      set(sp, add(get(sp), get(SS))),
      set(dp, add(get(dp), get(DS))),
    ]),
  ];
  return { name, params: Array(params).fill(I32), locals: b.locals, body: [b.prologue, main] };
}

interface BridgeExports {
  gatherRows(src: number, srcStrideB: number, dst: number, dstStrideB: number, lenB: number, count: number): void;
  scatterRows(src: number, srcStrideB: number, dst: number, dstStrideB: number, lenB: number, count: number): void;
}

let bridgeCompiled: object | null = null;

/** The data bridge module (compiled once per thread): row copies between a kernel's memory and a shared data memory. */
function bridgeModule(): object {
  bridgeCompiled ??= new (WA as WasmApi).Module(buildModule([rowCopyFunction('gatherRows', 0, 1, 'always'), rowCopyFunction('scatterRows', 1, 0, 'never')], 1, true));
  return bridgeCompiled;
}

/** rootScale(acc, bytes, scale): acc ← √acc·scale over [0, bytes) (a multiple of 16). */
function rootScaleFunction(): FuncDef {
  const ACC = 0, BYTES = 1, SCALE = 2;
  const b = new Body(3);
  const i = b.local(I32), sc = b.local(V128);
  const main = [
    set(sc, f32x4.splat(get(SCALE))),
    forRange(i, i32.const(0), get(BYTES), 16, [v128.store(add(get(ACC), get(i)), f32x4.mul(f32x4.sqrt(v128.load(add(get(ACC), get(i)))), get(sc)))]),
  ];
  return { name: 'rootScale', params: [I32, I32, F32], locals: b.locals, body: [b.prologue, main] };
}

type PassFn = (x: number, y: number, sB: number, m: number, tw: number) => void;

interface SimdExports {
  [pass: string]: (...args: number[]) => void;
  gatherReal(src: number, rowB: number, a: number, h: number, pairs: number, stepB: number): void;
  splitForward(r: number, dst: number, tw: number, h: number, half: number, pairs: number, stepB: number, rowB: number): void;
  mergeInverse(src: number, a: number, tw: number, h: number, pairs: number, stepB: number, rowB: number): void;
  scatterReal(r: number, out: number, h: number, pairs: number, stepB: number, rowB: number, scale: number): void;
  expandRows(buf: number, rows: number, srcRowB: number, dstRowB: number, lenB: number): void;
  fold1(r: number, acc: number, bytes: number, scale: number): void;
  fold2(r: number, acc: number, bytes: number, scale: number): void;
  fold3(r: number, acc: number, bytes: number, scale: number): void;
  rootScale(acc: number, bytes: number, scale: number): void;
  copyRows(src: number, srcStrideB: number, dst: number, dstStrideB: number, lenB: number, count: number, pad: number): void;
}

let compiled: object | null = null;

/** The compiled module (built once per thread, a few ms): butterflies and the real-line steps. */
export function simdFftModule(): object {
  if (!compiled) {
    const funcs: FuncDef[] = [];
    for (const p of RADICES) for (const s of [-1, 1]) funcs.push(passFunction(p, s));
    funcs.push(gatherRealFunction(), splitForwardFunction(), mergeInverseFunction(), scatterRealFunction(), expandRowsFunction(), foldFunction(1), foldFunction(2), foldFunction(3), rootScaleFunction(), rowCopyFunction('copyRows', 0, 0, 'param'));
    compiled = new (WA as WasmApi).Module(buildModule(funcs));
  }
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Plans and the heap of one kernel.
// ---------------------------------------------------------------------------------------------

/** A bump allocator over one instance's memory (16-byte aligned blocks). */
class Heap {
  top = 64;
  alloc(bytes: number): number {
    const p = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    return p;
  }
}

interface PlanLayout {
  n: number;
  radices: number[];
  /** Byte pointers of each pass's twiddles, forward and backward. */
  twF: number[];
  twB: number[];
}

function planLayout(n: number, heap: Heap): PlanLayout {
  const radices = simdRadices(n);
  const twF: number[] = [];
  const twB: number[] = [];
  let len = n;
  for (const p of radices) {
    const bytes = 32 * (p - 1) * (len / p);
    twF.push(heap.alloc(bytes));
    twB.push(heap.alloc(bytes));
    len /= p;
  }
  return { n, radices, twF, twB };
}

function fillTwiddles(plan: PlanLayout, H: Float32Array): void {
  let len = plan.n;
  plan.radices.forEach((p, i) => {
    const m = len / p;
    for (const [ptr, sign] of [[plan.twF[i], -1], [plan.twB[i], 1]] as const) {
      let o = ptr >> 2;
      for (let j = 0; j < m; j++) {
        for (let k = 1; k < p; k++, o += 8) {
          const theta = (2 * Math.PI * ((j * k) % len)) / len;
          const c = Math.cos(theta), s = sign * Math.sin(theta);
          H[o] = c; H[o + 1] = c; H[o + 2] = c; H[o + 3] = c;
          H[o + 4] = -s; H[o + 5] = s; H[o + 6] = -s; H[o + 7] = s;
        }
      }
    }
    len = m;
  });
}

/** Real x lines per batch (even: two lines per vector). */
const BLOCK_X = 32;
/** Rows ky staged together by the z pass: one copy per kz moves them all (fewer calls from JS). */
const ROW_GROUP = 8;

/**
 * SIMD kernel for one grid shape on one thread (its own WebAssembly instance and memory, a few MB).
 * Precondition: `wasmQualifies(dims)`. Same range methods, layout and conventions as fft.ts's
 * float64 kernel. Buffers in the instance's memory: lineA/lineB (BLOCK_X interleaved x lines),
 * slabA/slabB (max(ny, nz) + 1 rows of sP complex), realSlab (ny + 1 real rows); the extra row
 * receives the pad line of an odd batch, so that every kernel call runs on whole vectors.
 */
export class WasmKernel3d implements Fft3dKernel {
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;
  private readonly cx: number;
  /** Padded line count of the y and z passes (cx rounded up to even). */
  private readonly sP: number;
  private readonly planX: PlanLayout;
  private readonly planY: PlanLayout;
  private readonly planZ: PlanLayout;
  private readonly fn: SimdExports;
  private readonly H: Float32Array;
  private readonly lineA: number;
  private readonly lineB: number;
  private readonly slabA: number;
  private readonly slabB: number;
  private readonly realSlab: number;
  /** An accumulator slab for `slabsInverseFold` (same size as realSlab). */
  private readonly accSlab: number;
  /** Staging for copies from and to caller arrays: a spectrum slab, or ROW_GROUP rows × nz. */
  private readonly stage: number;
  /** W^k (forward split) and W^(−k) (inverse merge) for k ≤ nx/2, as twiddle vector pairs. */
  private readonly twSplit: number;
  private readonly twMerge: number;
  /** This kernel's memory, and a bridge instance per data memory it was given (`wasmMemoryOf`). */
  private readonly memory: object;
  private readonly bridges = new WeakMap<WasmMemory, BridgeExports>();

  constructor(dims: Vec3) {
    if (!wasmQualifies(dims)) throw new RangeError(`WasmKernel3d: grid [${dims.join(', ')}] does not qualify`);
    const [nx, ny, nz] = dims;
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    const h = nx >> 1;
    this.cx = h + 1;
    this.sP = this.cx + (this.cx & 1);
    const heap = new Heap();
    this.planX = planLayout(h, heap);
    this.planY = planLayout(ny, heap);
    this.planZ = planLayout(nz, heap);
    this.twSplit = heap.alloc(32 * (h + 1));
    this.twMerge = heap.alloc(32 * (h + 1));
    this.lineA = heap.alloc(8 * h * BLOCK_X);
    this.lineB = heap.alloc(8 * h * BLOCK_X);
    const slab = 8 * this.sP * (Math.max(ny, nz) + 1);
    this.slabA = heap.alloc(slab);
    this.slabB = heap.alloc(slab);
    this.realSlab = heap.alloc(4 * nx * (ny + 1));
    this.accSlab = heap.alloc(4 * nx * (ny + 1));
    this.stage = heap.alloc(8 * this.cx * Math.max(ny, ROW_GROUP * nz));
    const api = WA as WasmApi;
    const memory = new api.Memory({ initial: Math.ceil(heap.top / 65536) + 1 });
    const instance = new api.Instance(simdFftModule(), { env: { memory } });
    this.memory = memory;
    this.fn = instance.exports as unknown as SimdExports;
    this.H = new Float32Array(memory.buffer);
    for (const plan of [this.planX, this.planY, this.planZ]) fillTwiddles(plan, this.H);
    const H = this.H;
    for (let k = 0; k <= h; k++) {
      const c = Math.cos((2 * Math.PI * k) / nx), sn = Math.sin((2 * Math.PI * k) / nx);
      // Forward W^k = c − i·sn; inverse W^(−k) = c + i·sn.
      for (const [ptr, wi] of [[this.twSplit, -sn], [this.twMerge, sn]] as const) {
        const o = (ptr >> 2) + 8 * k;
        H[o] = H[o + 1] = H[o + 2] = H[o + 3] = c;
        H[o + 4] = -wi; H[o + 5] = wi; H[o + 6] = -wi; H[o + 7] = wi;
      }
    }
  }

  /**
   * Runs `plan` on s interleaved lines (s even) in buffers a, b (byte pointers); returns the byte
   * pointer of the buffer that holds the result.
   */
  private transform(plan: PlanLayout, a: number, b: number, s: number, sign: FftSign): number {
    let x = a, y = b, stride = s, len = plan.n;
    const tws = sign < 0 ? plan.twF : plan.twB;
    const suffix = sign < 0 ? 'f' : 'b';
    for (let i = 0; i < plan.radices.length; i++) {
      const p = plan.radices[i];
      const m = len / p;
      (this.fn[`pass${p}${suffix}`] as PassFn)(x, y, 8 * stride, m, tws[i]);
      const t = x;
      x = y;
      y = t;
      stride *= p;
      len = m;
    }
    return x;
  }

  slabsForward(input: Float32Array, spec: Float32Array, z0: number, z1: number): void {
    const { nx, ny, cx, sP, H } = this;
    const row = 2 * cx;
    const data = wasmMemoryOf(spec);
    for (let z = z0; z < z1; z++) {
      this.linesForward(input, z * nx * ny);
      let r = this.transform(this.planY, this.slabA, this.slabB, sP, -1);
      if (data) {
        this.bridgeFor(data).scatterRows(r, 8 * sP, spec.byteOffset + 4 * z * row * ny, 8 * cx, 8 * cx, ny);
        continue;
      }
      if (sP !== cx) {
        this.fn.copyRows(r, 8 * sP, this.stage, 8 * cx, 8 * cx, ny, 0);
        r = this.stage;
      }
      spec.set(H.subarray(r >> 2, (r >> 2) + row * ny), z * row * ny);
    }
  }

  slabsInverse(spec: Float32Array, real: Float32Array, z0: number, z1: number, radius?: number): void {
    const count = this.nx * this.ny;
    const rs = this.realSlab >> 2;
    for (let z = z0; z < z1; z++) {
      this.inverseSlab(spec, z, radius);
      real.set(this.H.subarray(rs, rs + count), z * count);
    }
  }

  /**
   * `slabsInverse` folding the result into acc instead of writing `real` (mode 1: acc = r²,
   * 2: acc + r², 3: √(acc + r²)·scale, as fft.ts's `foldSquares`), while each slab is in this
   * kernel's memory.
   */
  slabsInverseFold(spec: Float32Array, _real: Float32Array, acc: Float32Array, z0: number, z1: number, radius: number | undefined, mode: 1 | 2 | 3, scale: number): void {
    const count = this.nx * this.ny;
    const as = this.accSlab >> 2;
    for (let z = z0; z < z1; z++) {
      const off = z * count;
      this.inverseSlab(spec, z, radius);
      if (mode !== 1) this.H.set(acc.subarray(off, off + count), as);
      this.fold(mode, scale);
      acc.set(this.H.subarray(as, as + count), off);
    }
  }

  /**
   * acc ← Σ_k r_k² (root false) or √(Σ_k r_k²)·scale (root true) for z slabs [z0, z1), r_k the
   * inverse y/x step of specs[k]: the sum stays in this kernel's memory until the slab is done.
   */
  slabsInverseNorm(specs: readonly Float32Array[], acc: Float32Array, z0: number, z1: number, radius: number | undefined, root: boolean, scale: number): void {
    const count = this.nx * this.ny;
    const as = this.accSlab >> 2;
    const last = specs.length - 1;
    for (let z = z0; z < z1; z++) {
      for (let k = 0; k <= last; k++) {
        this.inverseSlab(specs[k], z, radius);
        this.fold(k === 0 ? 1 : 2, scale);
      }
      if (root) this.fn.rootScale(this.accSlab, 16 * Math.ceil(count / 4), scale);
      acc.set(this.H.subarray(as, as + count), z * count);
    }
  }

  /** accSlab ← fold(realSlab) over the whole slab (whole vectors: up to 3 floats past the slab
   *  fall in the spare row of both buffers). */
  private fold(mode: 1 | 2 | 3, scale: number): void {
    const bytes = 16 * Math.ceil((this.nx * this.ny) / 4);
    this.fn[mode === 1 ? 'fold1' : mode === 2 ? 'fold2' : 'fold3'](this.realSlab, this.accSlab, bytes, scale);
  }

  /** Inverse along y then x of slab z of `spec` (after the z pass) into realSlab (times 1/N). */
  private inverseSlab(spec: Float32Array, z: number, radius: number | undefined): void {
    const { nx, ny, nz, cx, sP, H } = this;
    const row = 2 * cx;
    const invN = 1 / (nx * ny * nz);
    const A = this.slabA >> 2;
    // After the z pass only lines kx ≤ radius can be non-zero: transform those (compact rows of
    // lp, an even count), then widen the rows to sP with zeros for the x step.
    const lines = radius === undefined ? cx : Math.min(cx, Math.floor(radius) + 2);
    const lp = lines < sP - 1 ? lines + (lines & 1) : sP;
    const from = z * row * ny;
    if (lp === sP && sP === cx) {
      H.set(spec.subarray(from, from + row * ny), A);
      this.linesInverse(this.transform(this.planY, this.slabA, this.slabB, sP, 1), invN);
      return;
    }
    // Rows of `lines` values (pad lane zeroed) at stride lp: by the data bridge, else one copy of the slab and a re-layout.
    const data = wasmMemoryOf(spec);
    if (data) this.bridgeFor(data).gatherRows(spec.byteOffset + 4 * from, 8 * cx, this.slabA, 8 * lp, 8 * Math.min(lines, lp), ny);
    else {
      H.set(spec.subarray(from, from + row * ny), this.stage >> 2);
      this.fn.copyRows(this.stage, 8 * cx, this.slabA, 8 * lp, 8 * Math.min(lines, lp), ny, 1);
    }
    if (lp === sP) {
      this.linesInverse(this.transform(this.planY, this.slabA, this.slabB, sP, 1), invN);
      return;
    }
    const r = this.transform(this.planY, this.slabA, this.slabB, lp, 1);
    this.fn.expandRows(r, ny, 8 * lp, 8 * sP, 8 * lp);
    this.linesInverse(r, invN);
  }

  rowsZ(spec: Float32Array, y0: number, y1: number, sign: FftSign, radius?: number): void {
    const { ny, nz, cx, sP, H, fn } = this;
    if (nz === 1) return;
    const row = 2 * cx;
    const zStride = row * ny;
    const bounded = sign > 0 && radius !== undefined;
    // With a support radius, only the lines kx ≤ √(radius² − ky²) of row ky can be non-zero (one
    // line of slack for rounding); a row beyond the radius is all zero and stays so.
    const linesOf = (y: number): number => {
      if (!bounded) return cx;
      const ky = y <= ny / 2 ? y : y - ny;
      const r2 = (radius as number) ** 2 - ky * ky;
      return r2 < 0 ? 0 : Math.min(cx, Math.floor(Math.sqrt(r2)) + 2);
    };
    const data = wasmMemoryOf(spec);
    if (data) {
      this.rowsZDirect(spec, data, y0, y1, sign, linesOf);
      return;
    }
    for (let ya = y0; ya < y1;) {
      if (linesOf(ya) === 0) {
        ya++;
        continue;
      }
      // Rows [ya, yb) are contiguous for each kz: staged with one copy per kz, as [kz][row][kx].
      let yb = ya + 1;
      while (yb < y1 && yb - ya < ROW_GROUP && linesOf(yb) > 0) yb++;
      const g = yb - ya;
      const block = g * row;
      const st = this.stage >> 2;
      for (let z = 0, s = row * ya; z < nz; z++, s += zStride) H.set(spec.subarray(s, s + block), st + z * block);
      for (let y = ya; y < yb; y++) {
        const lines = linesOf(y);
        const lp = lines < sP - 1 ? lines + (lines & 1) : sP;
        const src = this.stage + 4 * (y - ya) * row;
        fn.copyRows(src, 4 * block, this.slabA, 8 * lp, 8 * lines, nz, 1);
        const r = this.transform(this.planZ, this.slabA, this.slabB, lp, sign);
        fn.copyRows(r, 8 * lp, src, 4 * block, 8 * lines, nz, 0);
      }
      for (let z = 0, d = row * ya; z < nz; z++, d += zStride) spec.set(H.subarray(st + z * block, st + (z + 1) * block), d);
      ya = yb;
    }
  }

  /**
   * `rowsZ` on a spectrum in a shared WebAssembly memory: each row's lines go from the spectrum to
   * slabA and back by the data bridge, with no staging through JavaScript (the staged copies were
   * ~45 % of the z pass). The same lines and layout reach the transform: same bits.
   */
  private rowsZDirect(spec: Float32Array, data: WasmMemory, y0: number, y1: number, sign: FftSign, linesOf: (y: number) => number): void {
    const { ny, nz, cx, sP } = this;
    const bridge = this.bridgeFor(data);
    const rowB = 8 * cx;
    const zStrideB = rowB * ny;
    for (let y = y0; y < y1; y++) {
      const lines = linesOf(y);
      if (lines === 0) continue;
      const lp = lines < sP - 1 ? lines + (lines & 1) : sP;
      const src = spec.byteOffset + y * rowB;
      bridge.gatherRows(src, zStrideB, this.slabA, 8 * lp, 8 * lines, nz);
      const r = this.transform(this.planZ, this.slabA, this.slabB, lp, sign);
      bridge.scatterRows(r, 8 * lp, src, zStrideB, 8 * lines, nz);
    }
  }

  private bridgeFor(data: WasmMemory): BridgeExports {
    let b = this.bridges.get(data);
    if (!b) {
      b = new (WA as WasmApi).Instance(bridgeModule(), { env: { memory: this.memory, data } }).exports as unknown as BridgeExports;
      this.bridges.set(data, b);
    }
    return b;
  }

  /** The ny real x lines of one slab (input[off …]) → half-complex rows [y][kx] (stride sP) in slabA. */
  private linesForward(input: Float32Array, off: number): void {
    const { nx, ny, sP, H, fn } = this;
    const h = nx >> 1;
    const rs = this.realSlab >> 2;
    H.set(input.subarray(off, off + nx * ny), rs);
    if (ny % 2 === 1) H.fill(0, rs + nx * ny, rs + nx * (ny + 1));
    for (let l = 0; l < ny; l += BLOCK_X) {
      const bp = Math.min(BLOCK_X, ny - l + ((ny - l) & 1));
      fn.gatherReal(this.realSlab + 4 * nx * l, 4 * nx, this.lineA, h, bp >> 1, 8 * bp);
      const R = this.transform(this.planX, this.lineA, this.lineB, bp, -1);
      fn.splitForward(R, this.slabA + 8 * sP * l, this.twSplit, h, h >> 1, bp >> 1, 8 * bp, 8 * sP);
    }
  }

  /** Half-complex rows [y][kx] (stride sP) at byte `src` → ny real x lines ·scale in realSlab. */
  private linesInverse(src: number, scale: number): void {
    const { nx, ny, sP, H, fn } = this;
    const h = nx >> 1;
    for (let l = 0; l < ny; l += BLOCK_X) {
      const bp = Math.min(BLOCK_X, ny - l + ((ny - l) & 1));
      fn.mergeInverse(src + 8 * sP * l, this.lineA, this.twMerge, h, bp >> 1, 8 * bp, 8 * sP);
      const R = this.transform(this.planX, this.lineA, this.lineB, bp, 1);
      fn.scatterReal(R, this.realSlab + 4 * nx * l, h, bp >> 1, 8 * bp, 4 * nx, scale);
    }
  }
}

/**
 * Batched complex transforms of one length n (2·3·5-smooth) on buffers of a private WebAssembly
 * memory, for work on many small boxes (the local FSC): the caller fills and reads the buffers
 * through `heap` (a Float32Array view; buffer i starts at float index `buffers[i] >> 2`) and runs
 * `transform` on s interleaved lines (the Stockham layout of stockham.ts: sample k of line q at
 * complex index q + s·k; s even, two lines per vector). One instance per thread.
 */
export class WasmLineFft {
  readonly n: number;
  /** Byte offsets of the buffers, in the order of the sizes given. */
  readonly buffers: number[];
  readonly heap: Float32Array;
  private readonly plan: PlanLayout;
  private readonly fn: SimdExports;

  /** `bufferBytes`: the size of each buffer, bytes. */
  constructor(n: number, bufferBytes: readonly number[]) {
    if (WA === undefined) throw new Error('WasmLineFft: this runtime has no WebAssembly');
    this.n = n;
    const heap = new Heap();
    this.plan = planLayout(n, heap);
    this.buffers = bufferBytes.map((b) => heap.alloc(b));
    const api = WA;
    const memory = new api.Memory({ initial: Math.ceil(heap.top / 65536) + 1 });
    this.fn = new api.Instance(simdFftModule(), { env: { memory } }).exports as unknown as SimdExports;
    this.heap = new Float32Array(memory.buffer);
    fillTwiddles(this.plan, this.heap);
  }

  /**
   * X_k = Σ_j x_j·exp(sign·2πi·jk/n) of s lines (s even) held at byte offset `a`; `b` is the
   * ping-pong scratch (both overwritten). Returns the byte offset of the buffer holding the result.
   */
  transform(a: number, b: number, s: number, sign: FftSign): number {
    if (s % 2 !== 0) throw new RangeError(`WasmLineFft: the line count must be even, got ${s}`);
    let x = a, y = b, stride = s, len = this.n;
    const tws = sign < 0 ? this.plan.twF : this.plan.twB;
    const suffix = sign < 0 ? 'f' : 'b';
    for (let i = 0; i < this.plan.radices.length; i++) {
      const p = this.plan.radices[i];
      const m = len / p;
      (this.fn[`pass${p}${suffix}`] as PassFn)(x, y, 8 * stride, m, tws[i]);
      const t = x;
      x = y;
      y = t;
      stride *= p;
      len = m;
    }
    return x;
  }

  /** `count` rows of `lenB` bytes from stride `srcStrideB` to stride `dstStrideB` (byte offsets). */
  copyRows(src: number, srcStrideB: number, dst: number, dstStrideB: number, lenB: number, count: number): void {
    this.fn.copyRows(src, srcStrideB, dst, dstStrideB, lenB, count, 0);
  }
}
