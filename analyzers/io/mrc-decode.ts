/**
 * Turns the raw voxel bytes of each mode into float32 values, in one pass, in either byte order.
 * The only place that converts voxel bytes; byte order arrives as one flag.
 */
import type { MrcMode } from './mrc-mode.ts';

const machineIsLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when a file in this byte order can be viewed without swapping. */
export function nativeOrder(littleEndian: boolean): boolean {
  return littleEndian === machineIsLittle;
}

/**
 * Decodes `raw` (the voxel block, `count` values of `mode`) into float32.
 * For float32 in native order the caller should have read straight into the destination instead.
 * `out` may share its buffer with `raw` only for float32 (in-place byte swap).
 */
export function decodeVoxels(raw: Uint8Array, mode: MrcMode, littleEndian: boolean, count: number, out: Float32Array): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (mode) {
    case 0: {
      const src = new Int8Array(raw.buffer, raw.byteOffset, count);
      for (let i = 0; i < count; i++) out[i] = src[i];
      return;
    }
    case 1:
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, littleEndian);
      return;
    case 6:
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, littleEndian);
      return;
    case 12:
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, littleEndian));
      return;
    case 2:
      if (nativeOrder(littleEndian) && out.buffer === raw.buffer && out.byteOffset === raw.byteOffset) return;
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, littleEndian);
      return;
    default: {
      const never: never = mode;
      throw new Error(`unhandled mode ${String(never)}`);
    }
  }
}

const halfTable = buildHalfTable();

function buildHalfTable(): Float32Array {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac === 0 ? sign * Infinity : NaN;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return t;
}

/** IEEE 754 binary16 bits → value. */
export function halfToFloat(bits: number): number {
  return halfTable[bits & 0xffff];
}

/** Value → IEEE 754 binary16 bits, round to nearest even (for writing mode 12). */
export function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && (half & 1)) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  e = half + (rem > 0x1000 || (rem === 0x1000 && (half & 1)) ? 1 : 0);
  return sign | e;
}
