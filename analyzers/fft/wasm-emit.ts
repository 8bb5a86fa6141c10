/**
 * A minimal WebAssembly binary writer, enough to build small numeric kernels at run time without
 * a compiler toolchain: one imported memory (and a shared data memory for copies), functions with i32/f32/f64 parameters, v128 locals,
 * structured control flow, i32 arithmetic, bulk memory, and the f32x4/f64x2/i32x4 SIMD operations
 * that fft-wasm.ts and wasm-math.ts use.
 *
 * Code is written as nested arrays of bytes (`Code`): every helper returns the bytes of one
 * expression in stack-machine order (operands first), so `f32x4.add(a, b)` reads like the formula
 * it computes. Encodings follow the WebAssembly core specification 2.0 and the fixed-width SIMD
 * proposal (opcodes after the 0xfd prefix as unsigned LEB128).
 */

/** Bytes of an expression or statement, possibly nested (flattened when the module is built). */
export type Code = number | Code[];

/** Value type i32 (addresses, counters). */
export const I32 = 0x7f;
/** Value type f32. */
export const F32 = 0x7d;
/** Value type f64. */
export const F64 = 0x7c;
/** Value type v128 (SIMD). */
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Appends every value of `src` to `out` (no spread: arrays can exceed the argument limit). */
function append(out: number[], src: readonly number[]): void {
  for (const b of src) out.push(b);
}

function flatten(c: Code, out: number[] = []): number[] {
  if (typeof c === 'number') out.push(c);
  else for (const x of c) flatten(x, out);
  return out;
}

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];

/** local.get of local index i (parameters first, then declared locals). */
export const get = (i: number): Code => [0x20, ...uleb(i)];
/** local.set of local index i to `value`. */
export const set = (i: number, value: Code): Code => [value, 0x21, ...uleb(i)];

/** i32 operations. */
export const i32 = {
  const: (v: number): Code => [0x41, ...sleb(v)],
  or: (a: Code, b: Code): Code => [a, b, 0x72],
  add: (a: Code, b: Code): Code => [a, b, 0x6a],
  sub: (a: Code, b: Code): Code => [a, b, 0x6b],
  mul: (a: Code, b: Code): Code => [a, b, 0x6c],
  shl: (a: Code, b: Code): Code => [a, b, 0x74],
  eqz: (a: Code): Code => [a, 0x45],
  eq: (a: Code, b: Code): Code => [a, b, 0x46],
  ne: (a: Code, b: Code): Code => [a, b, 0x47],
  ltU: (a: Code, b: Code): Code => [a, b, 0x49],
  geU: (a: Code, b: Code): Code => [a, b, 0x4f],
};

/** v128 / f32x4 operations. */
export const v128 = {
  load: (addr: Code, offset = 0): Code => [addr, simd(0x00), ...memarg(4, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [addr, value, simd(0x0b), ...memarg(4, offset)],
  /** Four f32 lanes. */
  constF32: (a: number, b: number, c: number, d: number): Code => {
    const bytes = new Uint8Array(new Float32Array([a, b, c, d]).buffer);
    return [simd(0x0c), ...bytes];
  },
  /** Four i32 lanes. */
  constI32: (a: number, b: number, c: number, d: number): Code => {
    const bytes = new Uint8Array(new Int32Array([a, b, c, d]).buffer);
    return [simd(0x0c), ...bytes];
  },
  /** i8x16.shuffle with 16 lane indices (0–15 from a, 16–31 from b). */
  shuffle: (a: Code, b: Code, lanes: readonly number[]): Code => [a, b, simd(0x0d), ...lanes],
  xor: (a: Code, b: Code): Code => [a, b, simd(0x51)],
  and: (a: Code, b: Code): Code => [a, b, simd(0x4e)],
  or: (a: Code, b: Code): Code => [a, b, simd(0x50)],
  not: (a: Code): Code => [a, simd(0x4d)],
  /** Lanes of a where mask bits are 1, else of b. */
  bitselect: (a: Code, b: Code, mask: Code): Code => [a, b, mask, simd(0x52)],
  /** 1 when any bit is set. */
  anyTrue: (a: Code): Code => [a, simd(0x53)],
  /** 64 bits from memory into lane 0, lane 1 zeroed. */
  load64Zero: (addr: Code, offset = 0): Code => [addr, simd(0x5d), ...memarg(3, offset)],
  /** 64 bits from memory into 64-bit lane `lane` of vector v (other lane kept). */
  load64Lane: (addr: Code, v: Code, lane: number, offset = 0): Code => [addr, v, simd(0x57), ...memarg(3, offset), lane],
  /** Stores 64-bit lane `lane` of v. */
  store64Lane: (addr: Code, v: Code, lane: number, offset = 0): Code => [addr, v, simd(0x5b), ...memarg(3, offset), lane],
};

/** f64x2 operations (comparisons give all-ones lanes where true). */
export const f64x2 = {
  splat: (a: Code): Code => [a, simd(0x14)],
  const: (a: number, b: number): Code => {
    const bytes = new Uint8Array(new Float64Array([a, b]).buffer);
    return [simd(0x0c), ...bytes];
  },
  add: (a: Code, b: Code): Code => [a, b, simd(0xf0)],
  sub: (a: Code, b: Code): Code => [a, b, simd(0xf1)],
  mul: (a: Code, b: Code): Code => [a, b, simd(0xf2)],
  div: (a: Code, b: Code): Code => [a, b, simd(0xf3)],
  lt: (a: Code, b: Code): Code => [a, b, simd(0x49)],
  gt: (a: Code, b: Code): Code => [a, b, simd(0x4a)],
  ge: (a: Code, b: Code): Code => [a, b, simd(0x4c)],
  /** Lanes 0, 1 of an f32x4 widened to f64. */
  promoteLow: (a: Code): Code => [a, simd(0x5f)],
  /** Lanes 0, 1 of an i32x4 converted to f64. */
  convertLowI32: (a: Code): Code => [a, simd(0xfe)],
};

/** i32x4 operations. */
export const i32x4 = {
  splat: (a: Code): Code => [a, simd(0x11)],
  shrU: (a: Code, bits: Code): Code => [a, bits, simd(0xad)],
  sub: (a: Code, b: Code): Code => [a, b, simd(0xb1)],
};

/** f32x4 operations. */
export const f32x4 = {
  splat: (a: Code): Code => [a, simd(0x13)],
  add: (a: Code, b: Code): Code => [a, b, simd(0xe4)],
  sub: (a: Code, b: Code): Code => [a, b, simd(0xe5)],
  mul: (a: Code, b: Code): Code => [a, b, simd(0xe6)],
  sqrt: (a: Code): Code => [a, simd(0xe3)],
};

/** Bulk memory: memmove of n bytes from src to dst; memset of n bytes at dst to byte value v. */
export const memory = {
  copy: (dst: Code, src: Code, n: Code): Code => [dst, src, n, 0xfc, 10, 0x00, 0x00],
  /** memory.copy from memory `srcMem` to memory `dstMem` (multi-memory: 0 = own, 1 = data). */
  copyBetween: (dst: Code, src: Code, n: Code, dstMem: number, srcMem: number): Code => [dst, src, n, 0xfc, 10, ...uleb(dstMem), ...uleb(srcMem)],
  fill: (dst: Code, v: Code, n: Code): Code => [dst, v, n, 0xfc, 11, 0x00],
};

/** A block without result: `br` to it (depth counted outwards from the branch) leaves it. */
export const block = (...body: Code[]): Code => [0x02, 0x40, body, 0x0b];
/** A loop without result: `br` to it jumps back to its start. */
export const loop = (...body: Code[]): Code => [0x03, 0x40, body, 0x0b];
/** if (cond ≠ 0) body. */
export const ifThen = (cond: Code, ...body: Code[]): Code => [cond, 0x04, 0x40, body, 0x0b];
/** if (cond ≠ 0) then else otherwise. */
export const ifElse = (cond: Code, then: Code[], otherwise: Code[]): Code => [cond, 0x04, 0x40, then, 0x05, otherwise, 0x0b];
/** Unconditional branch to the enclosing block/loop at `depth` (0 = innermost). */
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
/** Branch to `depth` when cond ≠ 0. */
export const brIf = (depth: number, cond: Code): Code => [cond, 0x0d, ...uleb(depth)];

/** One function of a module: parameter types (all results empty), extra locals, body. */
export interface FuncDef {
  name: string;
  params: number[];
  /** Result types (default none); the body leaves them on the stack. */
  results?: number[];
  locals: number[];
  body: Code[];
}

function section(id: number, payload: number[]): number[] {
  const out = [id, ...uleb(payload.length)];
  append(out, payload);
  return out;
}

function name(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...uleb(b.length), ...b];
}

/**
 * The bytes of a module that imports one memory as env.memory (minimum `minPages` pages of 64 KiB,
 * not shared), with `dataMemory` a second, shared one as env.data (multi-memory: only
 * `memory.copyBetween` reaches it), and exports every function of `funcs` under its name.
 * Function types are deduplicated by signature.
 */
export function buildModule(funcs: FuncDef[], minPages = 1, dataMemory = false): Uint8Array {
  const typeKeys: string[] = [];
  const typeOf = funcs.map((f) => {
    const key = `${f.params.join(',')}>${(f.results ?? []).join(',')}`;
    let t = typeKeys.indexOf(key);
    if (t < 0) {
      typeKeys.push(key);
      t = typeKeys.length - 1;
    }
    return t;
  });
  const types: number[] = [...uleb(typeKeys.length)];
  for (const key of typeKeys) {
    const [p, r] = key.split('>');
    const params = p === '' ? [] : p.split(',').map(Number);
    const results = r === '' ? [] : r.split(',').map(Number);
    types.push(0x60, ...uleb(params.length), ...params, ...uleb(results.length), ...results);
  }
  // With `dataMemory`, memory 1 is env.data: a shared memory of any size (limits 0 … 4 GiB, flag 3 = shared with a maximum).
  const data = dataMemory ? [...name('env'), ...name('data'), 0x02, 0x03, ...uleb(0), ...uleb(65536)] : [];
  const imports = [...uleb(dataMemory ? 2 : 1), ...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(minPages), ...data];
  const fsec = [...uleb(funcs.length), ...typeOf.flatMap((t) => uleb(t))];
  const exports: number[] = [...uleb(funcs.length)];
  funcs.forEach((f, i) => exports.push(...name(f.name), 0x00, ...uleb(i)));
  const code: number[] = [...uleb(funcs.length)];
  for (const f of funcs) {
    // Locals in runs of equal type.
    const runs: [number, number][] = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const body = [...uleb(runs.length), ...runs.flatMap(([c, t]) => [...uleb(c), t])];
    flatten(f.body, body);
    body.push(0x0b);
    append(code, uleb(body.length));
    append(code, body);
  }
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const s of [section(1, types), section(2, imports), section(3, fsec), section(7, exports), section(10, code)]) append(out, s);
  return new Uint8Array(out);
}
