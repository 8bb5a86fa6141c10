/**
 * The float64 Stockham engine: 1-D complex plans of any length (mixed radix 2, 3, 4, 5, 7, 8, 11,
 * 13, Bluestein above) and the 3-D real kernel built on them (`StockhamKernel3d`, any grid).
 */
import { foldSquares, goodFftSize, type Fft3dKernel, type FftSign } from './contract.ts';
import type { Vec3 } from '../volume/volume.ts';

/** A 1-D complex FFT of one length, applied to `s` interleaved lines. */
export interface ComplexFftPlan {
  readonly n: number;
  /**
   * Complex elements per line that the two buffers of `transform` must hold: each buffer needs at
   * least 2·span·s float64 values (span = n for mixed radix, the padded length for Bluestein).
   */
  readonly span: number;
  /**
   * X_k = Σ_j x_j·exp(sign·2πi·jk/n) for each of `s` lines, unnormalised.
   *
   * Layout: sample k of line q is `a[2(q + s·k)]` (re), `a[2(q + s·k) + 1]` (im).
   * Reads `a`; overwrites both `a` and `b` (ping-pong scratch) and returns whichever of the two
   * holds the result, in the same layout.
   */
  transform(a: Float64Array, b: Float64Array, s: number, sign: FftSign): Float64Array;
}

// ---------------------------------------------------------------------------------------------
// Butterfly passes. One Stockham DIF stage of radix p on a sub-transform of length len = p·m:
//   y[q + s·(p·j + k)] = w^(j·k) · Σ_r x[q + s·(j + r·m)]·ω^(r·k),  ω = exp(sign·2πi/p),
//   w = exp(sign·2πi/len), for j < m, k < p, q < s. Twiddle table `tw` holds for each j, k = 1..p−1
//   the pair (cos θ, sin θ), θ = 2π·j·k/len, at 2·((p−1)·j + k − 1); the sign is applied here.
// ---------------------------------------------------------------------------------------------

function pass2(x: Float64Array, y: Float64Array, s: number, m: number, tw: Float64Array, sign: number): void {
  const s2 = 2 * s;
  const st = s2 * m;
  for (let j = 0; j < m; j++) {
    const ib = s2 * j;
    const ob = 2 * s2 * j;
    const end = ib + s2;
    if (j === 0) {
      for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
        const i1 = (i0 + st) | 0;
        const ar = x[i0], ai = x[(i0 + 1) | 0], br = x[i1], bi = x[(i1 + 1) | 0];
        const o1 = (o0 + s2) | 0;
        y[o0] = ar + br;
        y[(o0 + 1) | 0] = ai + bi;
        y[o1] = ar - br;
        y[(o1 + 1) | 0] = ai - bi;
      }
      continue;
    }
    const wr = tw[2 * j], wi = sign * tw[2 * j + 1];
    for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
      const i1 = (i0 + st) | 0;
      const ar = x[i0], ai = x[(i0 + 1) | 0], br = x[i1], bi = x[(i1 + 1) | 0];
      const o1 = (o0 + s2) | 0;
      y[o0] = ar + br;
      y[(o0 + 1) | 0] = ai + bi;
      const dr = ar - br, di = ai - bi;
      y[o1] = dr * wr - di * wi;
      y[(o1 + 1) | 0] = dr * wi + di * wr;
    }
  }
}

function pass4(x: Float64Array, y: Float64Array, s: number, m: number, tw: Float64Array, sign: number): void {
  const s2 = 2 * s;
  const st = s2 * m;
  for (let j = 0; j < m; j++) {
    const ib = s2 * j;
    const ob = 4 * s2 * j;
    const end = ib + s2;
    if (j === 0) {
      for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
        const i1 = (i0 + st) | 0, i2 = (i1 + st) | 0, i3 = (i2 + st) | 0;
        const a0r = x[i0], a0i = x[(i0 + 1) | 0], a1r = x[i1], a1i = x[(i1 + 1) | 0];
        const a2r = x[i2], a2i = x[(i2 + 1) | 0], a3r = x[i3], a3i = x[(i3 + 1) | 0];
        const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
        const t2r = a1r + a3r, t2i = a1i + a3i;
        // t3 = sign·i·(a1 − a3)
        const t3r = -sign * (a1i - a3i), t3i = sign * (a1r - a3r);
        const o1 = (o0 + s2) | 0, o2 = (o1 + s2) | 0, o3 = (o2 + s2) | 0;
        y[o0] = t0r + t2r;
        y[(o0 + 1) | 0] = t0i + t2i;
        y[o1] = t1r + t3r;
        y[(o1 + 1) | 0] = t1i + t3i;
        y[o2] = t0r - t2r;
        y[(o2 + 1) | 0] = t0i - t2i;
        y[o3] = t1r - t3r;
        y[(o3 + 1) | 0] = t1i - t3i;
      }
      continue;
    }
    const t = 6 * j;
    const w1r = tw[t], w1i = sign * tw[t + 1];
    const w2r = tw[t + 2], w2i = sign * tw[t + 3];
    const w3r = tw[t + 4], w3i = sign * tw[t + 5];
    for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
      const i1 = (i0 + st) | 0, i2 = (i1 + st) | 0, i3 = (i2 + st) | 0;
      const a0r = x[i0], a0i = x[(i0 + 1) | 0], a1r = x[i1], a1i = x[(i1 + 1) | 0];
      const a2r = x[i2], a2i = x[(i2 + 1) | 0], a3r = x[i3], a3i = x[(i3 + 1) | 0];
      const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
      const t2r = a1r + a3r, t2i = a1i + a3i;
      const t3r = -sign * (a1i - a3i), t3i = sign * (a1r - a3r);
      const c1r = t1r + t3r, c1i = t1i + t3i;
      const c2r = t0r - t2r, c2i = t0i - t2i;
      const c3r = t1r - t3r, c3i = t1i - t3i;
      const o1 = (o0 + s2) | 0, o2 = (o1 + s2) | 0, o3 = (o2 + s2) | 0;
      y[o0] = t0r + t2r;
      y[(o0 + 1) | 0] = t0i + t2i;
      y[o1] = c1r * w1r - c1i * w1i;
      y[(o1 + 1) | 0] = c1r * w1i + c1i * w1r;
      y[o2] = c2r * w2r - c2i * w2i;
      y[(o2 + 1) | 0] = c2r * w2i + c2i * w2r;
      y[o3] = c3r * w3r - c3i * w3i;
      y[(o3 + 1) | 0] = c3r * w3i + c3i * w3r;
    }
  }
}

const SQRT1_2 = Math.SQRT1_2;

/**
 * Radix 8 as two radix-4 halves: E = DFT4(a0, a2, a4, a6), O = DFT4(a1, a3, a5, a7),
 * c_k = E_k + ω^k·O_k, c_(k+4) = E_k − ω^k·O_k with ω = exp(sign·2πi/8).
 */
function pass8(x: Float64Array, y: Float64Array, s: number, m: number, tw: Float64Array, sign: number): void {
  const s2 = 2 * s;
  const st = s2 * m;
  for (let j = 0; j < m; j++) {
    const ib = s2 * j;
    const ob = 8 * s2 * j;
    const end = ib + s2;
    const t = 14 * j;
    const w1r = tw[t], w1i = sign * tw[t + 1];
    const w2r = tw[t + 2], w2i = sign * tw[t + 3];
    const w3r = tw[t + 4], w3i = sign * tw[t + 5];
    const w4r = tw[t + 6], w4i = sign * tw[t + 7];
    const w5r = tw[t + 8], w5i = sign * tw[t + 9];
    const w6r = tw[t + 10], w6i = sign * tw[t + 11];
    const w7r = tw[t + 12], w7i = sign * tw[t + 13];
    for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
      const i1 = (i0 + st) | 0, i2 = (i1 + st) | 0, i3 = (i2 + st) | 0, i4 = (i3 + st) | 0, i5 = (i4 + st) | 0, i6 = (i5 + st) | 0, i7 = (i6 + st) | 0;
      const o1 = (o0 + s2) | 0, o2 = (o1 + s2) | 0, o3 = (o2 + s2) | 0, o4 = (o3 + s2) | 0, o5 = (o4 + s2) | 0, o6 = (o5 + s2) | 0, o7 = (o6 + s2) | 0;
      let ar = x[i0], ai = x[(i0 + 1) | 0], br = x[i4], bi = x[(i4 + 1) | 0];
      const p0r = ar + br, p0i = ai + bi, p1r = ar - br, p1i = ai - bi;
      ar = x[i2]; ai = x[(i2 + 1) | 0]; br = x[i6]; bi = x[(i6 + 1) | 0];
      const p2r = ar + br, p2i = ai + bi, p3r = -sign * (ai - bi), p3i = sign * (ar - br);
      ar = x[i1]; ai = x[(i1 + 1) | 0]; br = x[i5]; bi = x[(i5 + 1) | 0];
      const q0r = ar + br, q0i = ai + bi, q1r = ar - br, q1i = ai - bi;
      ar = x[i3]; ai = x[(i3 + 1) | 0]; br = x[i7]; bi = x[(i7 + 1) | 0];
      const q2r = ar + br, q2i = ai + bi, q3r = -sign * (ai - bi), q3i = sign * (ar - br);
      // k = 0, 4, 2, 6 from e0, e2 = p0 ± p2 and f0, f2 = q0 ± q2
      let er = p0r + p2r, ei = p0i + p2i, fr = q0r + q2r, fi = q0i + q2i;
      y[o0] = er + fr;
      y[(o0 + 1) | 0] = ei + fi;
      let cr = er - fr, ci = ei - fi;
      y[o4] = cr * w4r - ci * w4i;
      y[(o4 + 1) | 0] = cr * w4i + ci * w4r;
      er = p0r - p2r; ei = p0i - p2i;
      // ω²·f2 = sign·i·(q0 − q2)
      fr = -sign * (q0i - q2i); fi = sign * (q0r - q2r);
      cr = er + fr; ci = ei + fi;
      y[o2] = cr * w2r - ci * w2i;
      y[(o2 + 1) | 0] = cr * w2i + ci * w2r;
      cr = er - fr; ci = ei - fi;
      y[o6] = cr * w6r - ci * w6i;
      y[(o6 + 1) | 0] = cr * w6i + ci * w6r;
      // k = 1, 5 from e1 = p1 + p3, f1 = q1 + q3 (times ω)
      er = p1r + p3r; ei = p1i + p3i;
      let gr = q1r + q3r, gi = q1i + q3i;
      fr = SQRT1_2 * (gr - sign * gi); fi = SQRT1_2 * (gi + sign * gr);
      cr = er + fr; ci = ei + fi;
      y[o1] = cr * w1r - ci * w1i;
      y[(o1 + 1) | 0] = cr * w1i + ci * w1r;
      cr = er - fr; ci = ei - fi;
      y[o5] = cr * w5r - ci * w5i;
      y[(o5 + 1) | 0] = cr * w5i + ci * w5r;
      // k = 3, 7 from e3 = p1 − p3, f3 = q1 − q3 (times ω³)
      er = p1r - p3r; ei = p1i - p3i;
      gr = q1r - q3r; gi = q1i - q3i;
      fr = -SQRT1_2 * (gr + sign * gi); fi = SQRT1_2 * (sign * gr - gi);
      cr = er + fr; ci = ei + fi;
      y[o3] = cr * w3r - ci * w3i;
      y[(o3 + 1) | 0] = cr * w3i + ci * w3r;
      cr = er - fr; ci = ei - fi;
      y[o7] = cr * w7r - ci * w7i;
      y[(o7 + 1) | 0] = cr * w7i + ci * w7r;
    }
  }
}

const SQRT3_2 = Math.sqrt(3) / 2;

function pass3(x: Float64Array, y: Float64Array, s: number, m: number, tw: Float64Array, sign: number): void {
  const s2 = 2 * s;
  const st = s2 * m;
  const k3 = sign * SQRT3_2;
  for (let j = 0; j < m; j++) {
    const ib = s2 * j;
    const ob = 3 * s2 * j;
    const end = ib + s2;
    const t = 4 * j;
    const w1r = tw[t], w1i = sign * tw[t + 1];
    const w2r = tw[t + 2], w2i = sign * tw[t + 3];
    for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
      const i1 = (i0 + st) | 0, i2 = (i1 + st) | 0;
      const a0r = x[i0], a0i = x[(i0 + 1) | 0];
      const a1r = x[i1], a1i = x[(i1 + 1) | 0], a2r = x[i2], a2i = x[(i2 + 1) | 0];
      const sr = a1r + a2r, si = a1i + a2i;
      const dr = a1r - a2r, di = a1i - a2i;
      const mr = a0r - 0.5 * sr, mi = a0i - 0.5 * si;
      // c1 = m + sign·i·(√3/2)·d, c2 = m − sign·i·(√3/2)·d
      const c1r = mr - k3 * di, c1i = mi + k3 * dr;
      const c2r = mr + k3 * di, c2i = mi - k3 * dr;
      const o1 = (o0 + s2) | 0, o2 = (o1 + s2) | 0;
      y[o0] = a0r + sr;
      y[(o0 + 1) | 0] = a0i + si;
      y[o1] = c1r * w1r - c1i * w1i;
      y[(o1 + 1) | 0] = c1r * w1i + c1i * w1r;
      y[o2] = c2r * w2r - c2i * w2i;
      y[(o2 + 1) | 0] = c2r * w2i + c2i * w2r;
    }
  }
}

const C5_1 = Math.cos((2 * Math.PI) / 5);
const C5_2 = Math.cos((4 * Math.PI) / 5);
const S5_1 = Math.sin((2 * Math.PI) / 5);
const S5_2 = Math.sin((4 * Math.PI) / 5);

function pass5(x: Float64Array, y: Float64Array, s: number, m: number, tw: Float64Array, sign: number): void {
  const s2 = 2 * s;
  const st = s2 * m;
  const s1 = sign * S5_1, sn2 = sign * S5_2;
  for (let j = 0; j < m; j++) {
    const ib = s2 * j;
    const ob = 5 * s2 * j;
    const end = ib + s2;
    const t = 8 * j;
    const w1r = tw[t], w1i = sign * tw[t + 1];
    const w2r = tw[t + 2], w2i = sign * tw[t + 3];
    const w3r = tw[t + 4], w3i = sign * tw[t + 5];
    const w4r = tw[t + 6], w4i = sign * tw[t + 7];
    for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
      const i1 = (i0 + st) | 0, i2 = (i1 + st) | 0, i3 = (i2 + st) | 0, i4 = (i3 + st) | 0;
      const o1 = (o0 + s2) | 0, o2 = (o1 + s2) | 0, o3 = (o2 + s2) | 0, o4 = (o3 + s2) | 0;
      let ar = x[i1], ai = x[(i1 + 1) | 0], br = x[i4], bi = x[(i4 + 1) | 0];
      const p1r = ar + br, p1i = ai + bi, d1r = ar - br, d1i = ai - bi;
      ar = x[i2]; ai = x[(i2 + 1) | 0]; br = x[i3]; bi = x[(i3 + 1) | 0];
      const p2r = ar + br, p2i = ai + bi, d2r = ar - br, d2i = ai - bi;
      const a0r = x[i0], a0i = x[(i0 + 1) | 0];
      y[o0] = a0r + p1r + p2r;
      y[(o0 + 1) | 0] = a0i + p1i + p2i;
      // A_k = a0 + Σ cos(2πrk/5)·p_r ; B_k = sign·Σ sin(2πrk/5)·d_r ; c_k = A_k + i·B_k, c_(5−k) = A_k − i·B_k
      let Ar = a0r + C5_1 * p1r + C5_2 * p2r, Ai = a0i + C5_1 * p1i + C5_2 * p2i;
      let Br = s1 * d1r + sn2 * d2r, Bi = s1 * d1i + sn2 * d2i;
      let cr = Ar - Bi, ci = Ai + Br;
      y[o1] = cr * w1r - ci * w1i;
      y[(o1 + 1) | 0] = cr * w1i + ci * w1r;
      cr = Ar + Bi; ci = Ai - Br;
      y[o4] = cr * w4r - ci * w4i;
      y[(o4 + 1) | 0] = cr * w4i + ci * w4r;
      Ar = a0r + C5_2 * p1r + C5_1 * p2r; Ai = a0i + C5_2 * p1i + C5_1 * p2i;
      Br = sn2 * d1r - s1 * d2r; Bi = sn2 * d1i - s1 * d2i;
      cr = Ar - Bi; ci = Ai + Br;
      y[o2] = cr * w2r - ci * w2i;
      y[(o2 + 1) | 0] = cr * w2i + ci * w2r;
      cr = Ar + Bi; ci = Ai - Br;
      y[o3] = cr * w3r - ci * w3i;
      y[(o3 + 1) | 0] = cr * w3i + ci * w3r;
    }
  }
}

const C7_1 = Math.cos((2 * Math.PI) / 7);
const C7_2 = Math.cos((4 * Math.PI) / 7);
const C7_3 = Math.cos((6 * Math.PI) / 7);
const S7_1 = Math.sin((2 * Math.PI) / 7);
const S7_2 = Math.sin((4 * Math.PI) / 7);
const S7_3 = Math.sin((6 * Math.PI) / 7);

/**
 * Radix 7. Odd radix p with h = (p−1)/2: p_r = a_r + a_(p−r), d_r = a_r − a_(p−r) for r ≤ h,
 * c_0 = a0 + Σ p_r, c_k = A_k + i·B_k and c_(p−k) = A_k − i·B_k for k ≤ h, where
 * A_k = a0 + Σ_r cos(2πrk/p)·p_r and B_k = sign·Σ_r sin(2πrk/p)·d_r.
 */
function pass7(x: Float64Array, y: Float64Array, s: number, m: number, tw: Float64Array, sign: number): void {
  const s2 = 2 * s;
  const st = s2 * m;
  const s1 = sign * S7_1, sn2 = sign * S7_2, s3 = sign * S7_3;
  for (let j = 0; j < m; j++) {
    const ib = s2 * j;
    const ob = 7 * s2 * j;
    const end = ib + s2;
    const t = 12 * j;
    for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
      const i1 = (i0 + st) | 0, i2 = (i1 + st) | 0, i3 = (i2 + st) | 0, i4 = (i3 + st) | 0, i5 = (i4 + st) | 0, i6 = (i5 + st) | 0;
      let ar = x[i1], ai = x[(i1 + 1) | 0], br = x[i6], bi = x[(i6 + 1) | 0];
      const p1r = ar + br, p1i = ai + bi, d1r = ar - br, d1i = ai - bi;
      ar = x[i2]; ai = x[(i2 + 1) | 0]; br = x[i5]; bi = x[(i5 + 1) | 0];
      const p2r = ar + br, p2i = ai + bi, d2r = ar - br, d2i = ai - bi;
      ar = x[i3]; ai = x[(i3 + 1) | 0]; br = x[i4]; bi = x[(i4 + 1) | 0];
      const p3r = ar + br, p3i = ai + bi, d3r = ar - br, d3i = ai - bi;
      const a0r = x[i0], a0i = x[(i0 + 1) | 0];
      y[o0] = a0r + p1r + p2r + p3r;
      y[(o0 + 1) | 0] = a0i + p1i + p2i + p3i;
      // k = 1: cos (1, 2, 3), sin (1, 2, 3)
      let Ar = a0r + C7_1 * p1r + C7_2 * p2r + C7_3 * p3r, Ai = a0i + C7_1 * p1i + C7_2 * p2i + C7_3 * p3i;
      let Br = s1 * d1r + sn2 * d2r + s3 * d3r, Bi = s1 * d1i + sn2 * d2i + s3 * d3i;
      let ok = (o0 + s2) | 0, om = (o0 + 6 * s2) | 0, tk = t, tm = (t + 10) | 0;
      let cr = Ar - Bi, ci = Ai + Br, wr = tw[tk], wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 2: cos (2, 3, 1), sin (2, −3, −1)
      Ar = a0r + C7_2 * p1r + C7_3 * p2r + C7_1 * p3r; Ai = a0i + C7_2 * p1i + C7_3 * p2i + C7_1 * p3i;
      Br = sn2 * d1r - s3 * d2r - s1 * d3r; Bi = sn2 * d1i - s3 * d2i - s1 * d3i;
      ok = (o0 + 2 * s2) | 0; om = (o0 + 5 * s2) | 0; tk = (t + 2) | 0; tm = (t + 8) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 3: cos (3, 1, 2), sin (3, −1, 2)
      Ar = a0r + C7_3 * p1r + C7_1 * p2r + C7_2 * p3r; Ai = a0i + C7_3 * p1i + C7_1 * p2i + C7_2 * p3i;
      Br = s3 * d1r - s1 * d2r + sn2 * d3r; Bi = s3 * d1i - s1 * d2i + sn2 * d3i;
      ok = (o0 + 3 * s2) | 0; om = (o0 + 4 * s2) | 0; tk = (t + 4) | 0; tm = (t + 6) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
    }
  }
}



const C11_1 = Math.cos((2 * Math.PI) / 11);
const C11_2 = Math.cos((4 * Math.PI) / 11);
const C11_3 = Math.cos((6 * Math.PI) / 11);
const C11_4 = Math.cos((8 * Math.PI) / 11);
const C11_5 = Math.cos((10 * Math.PI) / 11);
const S11_1 = Math.sin((2 * Math.PI) / 11);
const S11_2 = Math.sin((4 * Math.PI) / 11);
const S11_3 = Math.sin((6 * Math.PI) / 11);
const S11_4 = Math.sin((8 * Math.PI) / 11);
const S11_5 = Math.sin((10 * Math.PI) / 11);

/** Radix 11: the odd-radix formula (see `pass7`) unrolled mechanically for h = 5. */
function pass11(x: Float64Array, y: Float64Array, s: number, m: number, tw: Float64Array, sign: number): void {
  const s2 = 2 * s;
  const st = s2 * m;
  const sn1 = sign * S11_1, sn2 = sign * S11_2, sn3 = sign * S11_3, sn4 = sign * S11_4, sn5 = sign * S11_5;
  for (let j = 0; j < m; j++) {
    const ib = s2 * j;
    const ob = 11 * s2 * j;
    const end = ib + s2;
    const t = 20 * j;
    for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
      let ia = i0, ib2 = i0;
      let ar = 0, ai = 0, br = 0, bi = 0;
      ia = (ia + st) | 0; ib2 = (i0 + 10 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p1r = ar + br, p1i = ai + bi, d1r = ar - br, d1i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 9 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p2r = ar + br, p2i = ai + bi, d2r = ar - br, d2i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 8 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p3r = ar + br, p3i = ai + bi, d3r = ar - br, d3i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 7 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p4r = ar + br, p4i = ai + bi, d4r = ar - br, d4i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 6 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p5r = ar + br, p5i = ai + bi, d5r = ar - br, d5i = ai - bi;
      const a0r = x[i0], a0i = x[(i0 + 1) | 0];
      y[o0] = a0r + p1r + p2r + p3r + p4r + p5r;
      y[(o0 + 1) | 0] = a0i + p1i + p2i + p3i + p4i + p5i;
      let Ar = 0, Ai = 0, Br = 0, Bi = 0, cr = 0, ci = 0, wr = 0, wi = 0, ok = 0, om = 0, tk = 0, tm = 0;
      // k = 1: cos index (1, 2, 3, 4, 5), sin (1, 2, 3, 4, 5)
      Ar = a0r + C11_1 * p1r + C11_2 * p2r + C11_3 * p3r + C11_4 * p4r + C11_5 * p5r;
      Ai = a0i + C11_1 * p1i + C11_2 * p2i + C11_3 * p3i + C11_4 * p4i + C11_5 * p5i;
      Br = sn1 * d1r + sn2 * d2r + sn3 * d3r + sn4 * d4r + sn5 * d5r;
      Bi = sn1 * d1i + sn2 * d2i + sn3 * d3i + sn4 * d4i + sn5 * d5i;
      ok = (o0 + s2) | 0; om = (o0 + 10 * s2) | 0; tk = (t + 0) | 0; tm = (t + 18) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 2: cos index (2, 4, 5, 3, 1), sin (2, 4, −5, −3, −1)
      Ar = a0r + C11_2 * p1r + C11_4 * p2r + C11_5 * p3r + C11_3 * p4r + C11_1 * p5r;
      Ai = a0i + C11_2 * p1i + C11_4 * p2i + C11_5 * p3i + C11_3 * p4i + C11_1 * p5i;
      Br = sn2 * d1r + sn4 * d2r - sn5 * d3r - sn3 * d4r - sn1 * d5r;
      Bi = sn2 * d1i + sn4 * d2i - sn5 * d3i - sn3 * d4i - sn1 * d5i;
      ok = (o0 + 2 * s2) | 0; om = (o0 + 9 * s2) | 0; tk = (t + 2) | 0; tm = (t + 16) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 3: cos index (3, 5, 2, 1, 4), sin (3, −5, −2, 1, 4)
      Ar = a0r + C11_3 * p1r + C11_5 * p2r + C11_2 * p3r + C11_1 * p4r + C11_4 * p5r;
      Ai = a0i + C11_3 * p1i + C11_5 * p2i + C11_2 * p3i + C11_1 * p4i + C11_4 * p5i;
      Br = sn3 * d1r - sn5 * d2r - sn2 * d3r + sn1 * d4r + sn4 * d5r;
      Bi = sn3 * d1i - sn5 * d2i - sn2 * d3i + sn1 * d4i + sn4 * d5i;
      ok = (o0 + 3 * s2) | 0; om = (o0 + 8 * s2) | 0; tk = (t + 4) | 0; tm = (t + 14) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 4: cos index (4, 3, 1, 5, 2), sin (4, −3, 1, 5, −2)
      Ar = a0r + C11_4 * p1r + C11_3 * p2r + C11_1 * p3r + C11_5 * p4r + C11_2 * p5r;
      Ai = a0i + C11_4 * p1i + C11_3 * p2i + C11_1 * p3i + C11_5 * p4i + C11_2 * p5i;
      Br = sn4 * d1r - sn3 * d2r + sn1 * d3r + sn5 * d4r - sn2 * d5r;
      Bi = sn4 * d1i - sn3 * d2i + sn1 * d3i + sn5 * d4i - sn2 * d5i;
      ok = (o0 + 4 * s2) | 0; om = (o0 + 7 * s2) | 0; tk = (t + 6) | 0; tm = (t + 12) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 5: cos index (5, 1, 4, 2, 3), sin (5, −1, 4, −2, 3)
      Ar = a0r + C11_5 * p1r + C11_1 * p2r + C11_4 * p3r + C11_2 * p4r + C11_3 * p5r;
      Ai = a0i + C11_5 * p1i + C11_1 * p2i + C11_4 * p3i + C11_2 * p4i + C11_3 * p5i;
      Br = sn5 * d1r - sn1 * d2r + sn4 * d3r - sn2 * d4r + sn3 * d5r;
      Bi = sn5 * d1i - sn1 * d2i + sn4 * d3i - sn2 * d4i + sn3 * d5i;
      ok = (o0 + 5 * s2) | 0; om = (o0 + 6 * s2) | 0; tk = (t + 8) | 0; tm = (t + 10) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
    }
  }
}


const C13_1 = Math.cos((2 * Math.PI) / 13);
const C13_2 = Math.cos((4 * Math.PI) / 13);
const C13_3 = Math.cos((6 * Math.PI) / 13);
const C13_4 = Math.cos((8 * Math.PI) / 13);
const C13_5 = Math.cos((10 * Math.PI) / 13);
const C13_6 = Math.cos((12 * Math.PI) / 13);
const S13_1 = Math.sin((2 * Math.PI) / 13);
const S13_2 = Math.sin((4 * Math.PI) / 13);
const S13_3 = Math.sin((6 * Math.PI) / 13);
const S13_4 = Math.sin((8 * Math.PI) / 13);
const S13_5 = Math.sin((10 * Math.PI) / 13);
const S13_6 = Math.sin((12 * Math.PI) / 13);

/** Radix 13: the odd-radix formula (see `pass7`) unrolled mechanically for h = 6. */
function pass13(x: Float64Array, y: Float64Array, s: number, m: number, tw: Float64Array, sign: number): void {
  const s2 = 2 * s;
  const st = s2 * m;
  const sn1 = sign * S13_1, sn2 = sign * S13_2, sn3 = sign * S13_3, sn4 = sign * S13_4, sn5 = sign * S13_5, sn6 = sign * S13_6;
  for (let j = 0; j < m; j++) {
    const ib = s2 * j;
    const ob = 13 * s2 * j;
    const end = ib + s2;
    const t = 24 * j;
    for (let i0 = ib, o0 = ob; i0 < end; i0 = (i0 + 2) | 0, o0 = (o0 + 2) | 0) {
      let ia = i0, ib2 = i0;
      let ar = 0, ai = 0, br = 0, bi = 0;
      ia = (ia + st) | 0; ib2 = (i0 + 12 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p1r = ar + br, p1i = ai + bi, d1r = ar - br, d1i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 11 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p2r = ar + br, p2i = ai + bi, d2r = ar - br, d2i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 10 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p3r = ar + br, p3i = ai + bi, d3r = ar - br, d3i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 9 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p4r = ar + br, p4i = ai + bi, d4r = ar - br, d4i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 8 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p5r = ar + br, p5i = ai + bi, d5r = ar - br, d5i = ai - bi;
      ia = (ia + st) | 0; ib2 = (i0 + 7 * st) | 0;
      ar = x[ia]; ai = x[(ia + 1) | 0]; br = x[ib2]; bi = x[(ib2 + 1) | 0];
      const p6r = ar + br, p6i = ai + bi, d6r = ar - br, d6i = ai - bi;
      const a0r = x[i0], a0i = x[(i0 + 1) | 0];
      y[o0] = a0r + p1r + p2r + p3r + p4r + p5r + p6r;
      y[(o0 + 1) | 0] = a0i + p1i + p2i + p3i + p4i + p5i + p6i;
      let Ar = 0, Ai = 0, Br = 0, Bi = 0, cr = 0, ci = 0, wr = 0, wi = 0, ok = 0, om = 0, tk = 0, tm = 0;
      // k = 1: cos index (1, 2, 3, 4, 5, 6), sin (1, 2, 3, 4, 5, 6)
      Ar = a0r + C13_1 * p1r + C13_2 * p2r + C13_3 * p3r + C13_4 * p4r + C13_5 * p5r + C13_6 * p6r;
      Ai = a0i + C13_1 * p1i + C13_2 * p2i + C13_3 * p3i + C13_4 * p4i + C13_5 * p5i + C13_6 * p6i;
      Br = sn1 * d1r + sn2 * d2r + sn3 * d3r + sn4 * d4r + sn5 * d5r + sn6 * d6r;
      Bi = sn1 * d1i + sn2 * d2i + sn3 * d3i + sn4 * d4i + sn5 * d5i + sn6 * d6i;
      ok = (o0 + s2) | 0; om = (o0 + 12 * s2) | 0; tk = (t + 0) | 0; tm = (t + 22) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 2: cos index (2, 4, 6, 5, 3, 1), sin (2, 4, 6, −5, −3, −1)
      Ar = a0r + C13_2 * p1r + C13_4 * p2r + C13_6 * p3r + C13_5 * p4r + C13_3 * p5r + C13_1 * p6r;
      Ai = a0i + C13_2 * p1i + C13_4 * p2i + C13_6 * p3i + C13_5 * p4i + C13_3 * p5i + C13_1 * p6i;
      Br = sn2 * d1r + sn4 * d2r + sn6 * d3r - sn5 * d4r - sn3 * d5r - sn1 * d6r;
      Bi = sn2 * d1i + sn4 * d2i + sn6 * d3i - sn5 * d4i - sn3 * d5i - sn1 * d6i;
      ok = (o0 + 2 * s2) | 0; om = (o0 + 11 * s2) | 0; tk = (t + 2) | 0; tm = (t + 20) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 3: cos index (3, 6, 4, 1, 2, 5), sin (3, 6, −4, −1, 2, 5)
      Ar = a0r + C13_3 * p1r + C13_6 * p2r + C13_4 * p3r + C13_1 * p4r + C13_2 * p5r + C13_5 * p6r;
      Ai = a0i + C13_3 * p1i + C13_6 * p2i + C13_4 * p3i + C13_1 * p4i + C13_2 * p5i + C13_5 * p6i;
      Br = sn3 * d1r + sn6 * d2r - sn4 * d3r - sn1 * d4r + sn2 * d5r + sn5 * d6r;
      Bi = sn3 * d1i + sn6 * d2i - sn4 * d3i - sn1 * d4i + sn2 * d5i + sn5 * d6i;
      ok = (o0 + 3 * s2) | 0; om = (o0 + 10 * s2) | 0; tk = (t + 4) | 0; tm = (t + 18) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 4: cos index (4, 5, 1, 3, 6, 2), sin (4, −5, −1, 3, −6, −2)
      Ar = a0r + C13_4 * p1r + C13_5 * p2r + C13_1 * p3r + C13_3 * p4r + C13_6 * p5r + C13_2 * p6r;
      Ai = a0i + C13_4 * p1i + C13_5 * p2i + C13_1 * p3i + C13_3 * p4i + C13_6 * p5i + C13_2 * p6i;
      Br = sn4 * d1r - sn5 * d2r - sn1 * d3r + sn3 * d4r - sn6 * d5r - sn2 * d6r;
      Bi = sn4 * d1i - sn5 * d2i - sn1 * d3i + sn3 * d4i - sn6 * d5i - sn2 * d6i;
      ok = (o0 + 4 * s2) | 0; om = (o0 + 9 * s2) | 0; tk = (t + 6) | 0; tm = (t + 16) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 5: cos index (5, 3, 2, 6, 1, 4), sin (5, −3, 2, −6, −1, 4)
      Ar = a0r + C13_5 * p1r + C13_3 * p2r + C13_2 * p3r + C13_6 * p4r + C13_1 * p5r + C13_4 * p6r;
      Ai = a0i + C13_5 * p1i + C13_3 * p2i + C13_2 * p3i + C13_6 * p4i + C13_1 * p5i + C13_4 * p6i;
      Br = sn5 * d1r - sn3 * d2r + sn2 * d3r - sn6 * d4r - sn1 * d5r + sn4 * d6r;
      Bi = sn5 * d1i - sn3 * d2i + sn2 * d3i - sn6 * d4i - sn1 * d5i + sn4 * d6i;
      ok = (o0 + 5 * s2) | 0; om = (o0 + 8 * s2) | 0; tk = (t + 8) | 0; tm = (t + 14) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
      // k = 6: cos index (6, 1, 5, 2, 4, 3), sin (6, −1, 5, −2, 4, −3)
      Ar = a0r + C13_6 * p1r + C13_1 * p2r + C13_5 * p3r + C13_2 * p4r + C13_4 * p5r + C13_3 * p6r;
      Ai = a0i + C13_6 * p1i + C13_1 * p2i + C13_5 * p3i + C13_2 * p4i + C13_4 * p5i + C13_3 * p6i;
      Br = sn6 * d1r - sn1 * d2r + sn5 * d3r - sn2 * d4r + sn4 * d5r - sn3 * d6r;
      Bi = sn6 * d1i - sn1 * d2i + sn5 * d3i - sn2 * d4i + sn4 * d5i - sn3 * d6i;
      ok = (o0 + 6 * s2) | 0; om = (o0 + 7 * s2) | 0; tk = (t + 10) | 0; tm = (t + 12) | 0;
      cr = Ar - Bi; ci = Ai + Br; wr = tw[tk]; wi = sign * tw[(tk + 1) | 0];
      y[ok] = cr * wr - ci * wi;
      y[(ok + 1) | 0] = cr * wi + ci * wr;
      cr = Ar + Bi; ci = Ai - Br; wr = tw[tm]; wi = sign * tw[(tm + 1) | 0];
      y[om] = cr * wr - ci * wi;
      y[(om + 1) | 0] = cr * wi + ci * wr;
    }
  }
}


/**
 * Radices for a mixed-radix plan, or null if a prime above 13 divides n. Powers of two go in
 * radix-4 passes, with one radix-8 (or radix-2 for a single factor 2) when the exponent is odd;
 * then 3, 5, 7, 11, 13. (Measured under V8: radix-4 passes beat radix-8 ones per point, but one
 * radix-8 beats a radix-4 plus a radix-2.)
 */
function radixList(n: number): number[] | null {
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
  for (const p of [3, 5, 7, 11, 13]) {
    while (r % p === 0) {
      out.push(p);
      r /= p;
    }
  }
  return r === 1 ? out : null;
}

/** Stockham mixed-radix plan; only lengths whose prime factors are ≤ 13. */
class MixedRadixPlan implements ComplexFftPlan {
  readonly n: number;
  readonly span: number;
  private readonly radices: number[];
  private readonly twiddles: Float64Array[];

  constructor(n: number, radices: number[]) {
    this.n = n;
    this.span = n;
    this.radices = radices;
    this.twiddles = [];
    let len = n;
    for (const p of radices) {
      const m = len / p;
      const tw = new Float64Array(2 * (p - 1) * m);
      for (let j = 0; j < m; j++) {
        for (let k = 1; k < p; k++) {
          const theta = (2 * Math.PI * ((j * k) % len)) / len;
          tw[2 * ((p - 1) * j + k - 1)] = Math.cos(theta);
          tw[2 * ((p - 1) * j + k - 1) + 1] = Math.sin(theta);
        }
      }
      this.twiddles.push(tw);
      len = m;
    }
  }

  transform(a: Float64Array, b: Float64Array, s: number, sign: FftSign): Float64Array {
    let x = a, y = b;
    let stride = s;
    let len = this.n;
    const radices = this.radices;
    for (let i = 0; i < radices.length; i++) {
      const p = radices[i];
      const m = len / p;
      const tw = this.twiddles[i];
      switch (p) {
        case 8:
          pass8(x, y, stride, m, tw, sign);
          break;
        case 4:
          pass4(x, y, stride, m, tw, sign);
          break;
        case 2:
          pass2(x, y, stride, m, tw, sign);
          break;
        case 3:
          pass3(x, y, stride, m, tw, sign);
          break;
        case 5:
          pass5(x, y, stride, m, tw, sign);
          break;
        case 7:
          pass7(x, y, stride, m, tw, sign);
          break;
        case 11:
          pass11(x, y, stride, m, tw, sign);
          break;
        case 13:
          pass13(x, y, stride, m, tw, sign);
          break;
        default:
          throw new Error(`MixedRadixPlan: no butterfly for radix ${p}`);
      }
      const t = x;
      x = y;
      y = t;
      stride *= p;
      len = m;
    }
    return x;
  }
}

/**
 * Bluestein (chirp-z): with c_k = exp(sign·iπk²/n), X_k = c_k · Σ_j (x_j c_j)·conj(c_(k−j)), a linear
 * convolution done as a cyclic one of 2·3·5-smooth length M ≥ 2n−1 through the inner plan.
 */
class BluesteinPlan implements ComplexFftPlan {
  readonly n: number;
  readonly span: number;
  private readonly inner: ComplexFftPlan;
  /** cos, sin of πk²/n for k < n. */
  private readonly chirp: Float64Array;
  /** FFT_M of the conj chirp, scaled by 1/M, for sign −1 and sign +1. */
  private readonly kernelFwd: Float64Array;
  private readonly kernelBwd: Float64Array;

  constructor(n: number) {
    this.n = n;
    // Any cyclic length ≥ 2n−1 works; a 2·3·5-smooth one is up to ~2× shorter than a power of two.
    const M = goodFftSize(2 * n - 1);
    this.span = M;
    this.inner = complexFftPlan(M);
    this.chirp = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      const theta = (Math.PI * ((k * k) % (2 * n))) / n;
      this.chirp[2 * k] = Math.cos(theta);
      this.chirp[2 * k + 1] = Math.sin(theta);
    }
    this.kernelFwd = this.kernel(-1);
    this.kernelBwd = this.kernel(1);
  }

  private kernel(sign: FftSign): Float64Array {
    const M = this.span, n = this.n;
    const a = new Float64Array(2 * M);
    const b = new Float64Array(2 * M);
    // h_t = conj(c_t) = exp(−sign·iπt²/n) for |t| < n, wrapped cyclically.
    for (let t = 0; t < n; t++) {
      const re = this.chirp[2 * t], im = -sign * this.chirp[2 * t + 1];
      a[2 * t] = re;
      a[2 * t + 1] = im;
      if (t > 0) {
        a[2 * (M - t)] = re;
        a[2 * (M - t) + 1] = im;
      }
    }
    const r = this.inner.transform(a, b, 1, -1);
    const out = new Float64Array(2 * M);
    for (let i = 0; i < 2 * M; i++) out[i] = r[i] / M;
    return out;
  }

  transform(a: Float64Array, b: Float64Array, s: number, sign: FftSign): Float64Array {
    const n = this.n, M = this.span, s2 = 2 * s;
    const chirp = this.chirp;
    // b = x·c, zero-padded to M.
    for (let k = 0; k < n; k++) {
      const cr = chirp[2 * k], ci = sign * chirp[2 * k + 1];
      for (let i = k * s2, end = i + s2; i < end; i += 2) {
        const xr = a[i], xi = a[i + 1];
        b[i] = xr * cr - xi * ci;
        b[i + 1] = xr * ci + xi * cr;
      }
    }
    b.fill(0, n * s2, M * s2);
    const f = this.inner.transform(b, a, s, -1);
    const g = f === a ? b : a;
    const ker = sign === -1 ? this.kernelFwd : this.kernelBwd;
    for (let k = 0; k < M; k++) {
      const hr = ker[2 * k], hi = ker[2 * k + 1];
      for (let i = k * s2, end = i + s2; i < end; i += 2) {
        const xr = f[i], xi = f[i + 1];
        f[i] = xr * hr - xi * hi;
        f[i + 1] = xr * hi + xi * hr;
      }
    }
    const r = this.inner.transform(f, g, s, 1);
    for (let k = 0; k < n; k++) {
      const cr = chirp[2 * k], ci = sign * chirp[2 * k + 1];
      for (let i = k * s2, end = i + s2; i < end; i += 2) {
        const xr = r[i], xi = r[i + 1];
        r[i] = xr * cr - xi * ci;
        r[i + 1] = xr * ci + xi * cr;
      }
    }
    return r;
  }
}

const planCache = new Map<number, ComplexFftPlan>();

/** The cached 1-D complex plan for length n (any integer n ≥ 1). */
export function complexFftPlan(n: number): ComplexFftPlan {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`complexFftPlan: length must be an integer ≥ 1, got ${n}`);
  let plan = planCache.get(n);
  if (!plan) {
    const radices = radixList(n);
    plan = radices ? new MixedRadixPlan(n, radices) : new BluesteinPlan(n);
    planCache.set(n, plan);
  }
  return plan;
}

/**
 * One-line convenience: X_k = Σ_j x_j·exp(sign·2πi·jk/n) of an interleaved (re, im) Float64Array of
 * n complex values. Allocates its scratch; meant for tests and small jobs. Input untouched.
 */
export function fft1d(input: Float64Array, sign: FftSign = -1): Float64Array {
  const n = input.length >> 1;
  const plan = complexFftPlan(n);
  const a = new Float64Array(2 * plan.span);
  const b = new Float64Array(2 * plan.span);
  a.set(input);
  return plan.transform(a, b, 1, sign).slice(0, 2 * n);
}


/** Real lines per batch of the x transform (measured on 256³–432³). */
const BLOCK_X = 32;

/**
 * Float64 Stockham kernel for any grid. Layout of the spectrum: F[kx, ky, kz] for kx ≤ nx/2 at
 * complex index kx + cx·(ky + ny·kz), cx = floor(nx/2)+1, (re, im) interleaved in a Float32Array;
 * ky, kz in FFT order (0, 1, …, then negative frequencies). The other half follows from
 * F(−k) = conj F(k).
 *
 * Forward: for each z slab, x lines (real → half-complex, batches of BLOCK_X lines) go straight into
 * a float64 slab buffer laid out [y][x], which is already the interleaved layout of `transform`
 * with s = cx, so y needs no gather; the slab is then stored once as float32. Then for each y row
 * the nz rows of cx values are gathered (contiguous copies) and transformed along z with s = cx.
 * The inverse runs the same steps backwards.
 */
export class StockhamKernel3d implements Fft3dKernel {
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;
  private readonly cx: number;
  private readonly planX: ComplexFftPlan;
  private readonly planY: ComplexFftPlan;
  private readonly planZ: ComplexFftPlan;
  /** Even nx: cos, sin of 2πk/nx for k ≤ nx/2 (real post/pre-processing twiddles). */
  private readonly realTw: Float64Array;
  /** Scratch pair for batches of x lines. */
  private readonly lineA: Float64Array;
  private readonly lineB: Float64Array;
  /** Scratch pair for a y slab or a z row block (2·cx·max(span_y, span_z) values each). */
  private readonly slabA: Float64Array;
  private readonly slabB: Float64Array;

  constructor(dims: Vec3) {
    const [nx, ny, nz] = dims;
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    this.cx = (nx >> 1) + 1;
    const even = nx % 2 === 0;
    this.planX = complexFftPlan(even ? nx / 2 : nx);
    this.planY = complexFftPlan(ny);
    this.planZ = complexFftPlan(nz);
    const h = nx >> 1;
    this.realTw = new Float64Array(2 * (h + 1));
    if (even) {
      for (let k = 0; k <= h; k++) {
        this.realTw[2 * k] = Math.cos((2 * Math.PI * k) / nx);
        this.realTw[2 * k + 1] = Math.sin((2 * Math.PI * k) / nx);
      }
    }
    this.lineA = new Float64Array(2 * this.planX.span * BLOCK_X);
    this.lineB = new Float64Array(2 * this.planX.span * BLOCK_X);
    const slab = 2 * this.cx * Math.max(this.planY.span, this.planZ.span);
    this.slabA = new Float64Array(slab);
    this.slabB = new Float64Array(slab);
  }
  /** Forward along x (real → half-complex) then y, for z slabs [z0, z1). Writes those slabs of `spec`. */
  slabsForward(input: Float32Array, spec: Float32Array, z0: number, z1: number): void {
    const { nx, ny, cx } = this;
    const slabLen = 2 * cx * ny;
    for (let z = z0; z < z1; z++) {
      if (nx % 2 === 0) this.linesForwardEven(input, z * nx * ny, ny, this.slabA);
      else this.linesForwardOdd(input, z * nx * ny, ny, this.slabA);
      const r = this.planY.transform(this.slabA, this.slabB, cx, -1);
      spec.set(r.subarray(0, slabLen), z * slabLen);
    }
  }

  /** Inverse along y then x (half-complex → real, scaled by 1/N) for z slabs [z0, z1). */
  slabsInverse(spec: Float32Array, real: Float32Array, z0: number, z1: number): void {
    const { nx, ny, nz, cx } = this;
    const slabLen = 2 * cx * ny;
    const scale = 1 / (nx * ny * nz);
    for (let z = z0; z < z1; z++) {
      this.slabA.set(spec.subarray(z * slabLen, (z + 1) * slabLen));
      const r = this.planY.transform(this.slabA, this.slabB, cx, 1);
      if (nx % 2 === 0) this.linesInverseEven(r, ny, real, z * nx * ny, scale);
      else this.linesInverseOdd(r, ny, real, z * nx * ny, scale);
    }
  }

  /** Complex FFT along z, in place in `spec`, for rows y in [y0, y1): all cx columns of a row at once. */
  rowsZ(spec: Float32Array, y0: number, y1: number, sign: FftSign): void {
    const { ny, nz, cx } = this;
    if (nz === 1) return;
    const row = 2 * cx;
    const zStride = row * ny;
    const A = this.slabA;
    for (let y = y0; y < y1; y++) {
      for (let z = 0, src = row * y; z < nz; z++, src += zStride) A.set(spec.subarray(src, src + row), z * row);
      const r = this.planZ.transform(A, this.slabB, cx, sign);
      for (let z = 0, dst = row * y; z < nz; z++, dst += zStride) spec.set(r.subarray(z * row, z * row + row), dst);
    }
  }

  /**
   * Even nx = 2h: `count` real lines from input[off + nx·i] go to dst[2·cx·i …] as half-complex lines.
   * z_j = f_2j + i·f_(2j+1), Z = FFT_h(z), then F_k = E_k + W^k·O_k with E_k = (Z_k + conj Z_(h−k))/2,
   * O_k = (Z_k − conj Z_(h−k))/(2i), W = exp(−2πi/nx).
   */
  private linesForwardEven(input: Float32Array, off: number, count: number, dst: Float64Array): void {
    const nx = this.nx, h = nx >> 1, cx = this.cx;
    const A = this.lineA, B = this.lineB, tw = this.realTw;
    for (let l = 0; l < count; l += BLOCK_X) {
      const bc = Math.min(BLOCK_X, count - l);
      const step = 2 * bc;
      for (let b = 0; b < bc; b++) {
        let src = off + (l + b) * nx;
        for (let d = 2 * b, end = d + h * step; d < end; d = (d + step) | 0, src = (src + 2) | 0) {
          A[d] = input[src];
          A[(d + 1) | 0] = input[(src + 1) | 0];
        }
      }
      const R = this.planX.transform(A, B, bc, -1);
      for (let b = 0; b < bc; b++) {
        const ob = 2 * cx * (l + b);
        // k = 0 and k = h from Z_0: F_0 = Re Z0 + Im Z0, F_h = Re Z0 − Im Z0 (both real).
        const z0r = R[2 * b], z0i = R[2 * b + 1];
        dst[ob] = z0r + z0i;
        dst[ob + 1] = 0;
        dst[ob + 2 * h] = z0r - z0i;
        dst[ob + 2 * h + 1] = 0;
        // Pairs k and h−k share the same two Z values: E_(h−k) = conj E_k, W^(h−k)·O_(h−k) = −conj(W^k·O_k).
        // k2 = 2k runs over k = 1..floor(h/2); ok, oh index F_k and F_(h−k) in dst, ik, ih index Z_k, Z_(h−k) in R.
        let ik = 2 * (bc + b), ih = 2 * ((h - 1) * bc + b), ok = ob + 2, oh = ob + 2 * (h - 1);
        for (let k2 = 2; k2 <= h; k2 = (k2 + 2) | 0, ik = (ik + step) | 0, ih = (ih - step) | 0, ok = (ok + 2) | 0, oh = (oh - 2) | 0) {
          const zr = R[ik], zi = R[(ik + 1) | 0], hr = R[ih], hi = R[(ih + 1) | 0];
          const er = 0.5 * (zr + hr), ei = 0.5 * (zi - hi);
          const or = 0.5 * (zi + hi), oi = -0.5 * (zr - hr);
          const wr = tw[k2], wi = -tw[(k2 + 1) | 0];
          const tr = wr * or - wi * oi, ti = wr * oi + wi * or;
          dst[ok] = er + tr;
          dst[(ok + 1) | 0] = ei + ti;
          dst[oh] = er - tr;
          dst[(oh + 1) | 0] = ti - ei;
        }
      }
    }
  }

  /**
   * Even nx inverse: `count` half-complex lines from src[2·cx·i …] to real[off + nx·i …]·scale.
   * Z'_k = (F_k + conj F_(h−k)) + i·W^(−k)·(F_k − conj F_(h−k)) for k < h, then
   * IFFT_h(Z') = nx·(f_2j + i·f_(2j+1)). Imaginary parts of F_0 and F_h are ignored (as numpy does).
   */
  private linesInverseEven(src: Float64Array, count: number, real: Float32Array, off: number, scale: number): void {
    const nx = this.nx, h = nx >> 1, cx = this.cx;
    const A = this.lineA, B = this.lineB, tw = this.realTw;
    for (let l = 0; l < count; l += BLOCK_X) {
      const bc = Math.min(BLOCK_X, count - l);
      const step = 2 * bc;
      for (let b = 0; b < bc; b++) {
        const ib = 2 * cx * (l + b);
        const f0 = src[ib], fh = src[ib + 2 * h];
        A[2 * b] = f0 + fh;
        A[2 * b + 1] = f0 - fh;
        for (let k = 1, d = 2 * (bc + b); k < h; k++, d += step) {
          const fr = src[ib + 2 * k], fi = src[ib + 2 * k + 1];
          const gr = src[ib + 2 * (h - k)], gi = src[ib + 2 * (h - k) + 1];
          const sr = fr + gr, si = fi - gi;
          const dr = fr - gr, di = fi + gi;
          const c = tw[2 * k], sn = tw[2 * k + 1];
          const tr = c * dr - sn * di, ti = c * di + sn * dr;
          A[d] = sr - ti;
          A[d + 1] = si + tr;
        }
      }
      const R = this.planX.transform(A, B, bc, 1);
      for (let b = 0; b < bc; b++) {
        let d = off + (l + b) * nx;
        for (let j = 0, s = 2 * b; j < h; j++, s += step, d += 2) {
          real[d] = R[s] * scale;
          real[d + 1] = R[s + 1] * scale;
        }
      }
    }
  }

  /**
   * Odd nx: two real lines f, g per complex FFT of length nx on f + i·g, then
   * F_k = (Z_k + conj Z_(n−k))/2 and G_k = (Z_k − conj Z_(n−k))/(2i) for k ≤ (nx−1)/2.
   */
  private linesForwardOdd(input: Float32Array, off: number, count: number, dst: Float64Array): void {
    const nx = this.nx, cx = this.cx;
    const A = this.lineA, B = this.lineB;
    for (let l = 0; l < count; l += 2 * BLOCK_X) {
      const nl = Math.min(2 * BLOCK_X, count - l);
      const bc = (nl + 1) >> 1;
      const step = 2 * bc;
      for (let b = 0; b < bc; b++) {
        const sf = off + (l + 2 * b) * nx;
        const hasG = 2 * b + 1 < nl;
        const sg = sf + nx;
        for (let j = 0, d = 2 * b; j < nx; j++, d += step) {
          A[d] = input[sf + j];
          A[d + 1] = hasG ? input[sg + j] : 0;
        }
      }
      const R = this.planX.transform(A, B, bc, -1);
      for (let b = 0; b < bc; b++) {
        const of = 2 * cx * (l + 2 * b);
        const hasG = 2 * b + 1 < nl;
        const og = of + 2 * cx;
        for (let k = 0; k < cx; k++) {
          const ik = 2 * (k * bc + b), in_ = 2 * (((nx - k) % nx) * bc + b);
          const zr = R[ik], zi = R[ik + 1], nr = R[in_], ni = R[in_ + 1];
          dst[of + 2 * k] = 0.5 * (zr + nr);
          dst[of + 2 * k + 1] = 0.5 * (zi - ni);
          if (hasG) {
            dst[og + 2 * k] = 0.5 * (zi + ni);
            dst[og + 2 * k + 1] = -0.5 * (zr - nr);
          }
        }
      }
    }
  }

  /** Odd nx inverse: Z = F + i·G over the full Hermitian line, z = IFFT_nx(Z); f = Re z, g = Im z. */
  private linesInverseOdd(src: Float64Array, count: number, real: Float32Array, off: number, scale: number): void {
    const nx = this.nx, cx = this.cx;
    const A = this.lineA, B = this.lineB;
    for (let l = 0; l < count; l += 2 * BLOCK_X) {
      const nl = Math.min(2 * BLOCK_X, count - l);
      const bc = (nl + 1) >> 1;
      const step = 2 * bc;
      for (let b = 0; b < bc; b++) {
        const f = 2 * cx * (l + 2 * b);
        const hasG = 2 * b + 1 < nl;
        const g = f + 2 * cx;
        // k = 0: imaginary parts ignored.
        A[2 * b] = src[f];
        A[2 * b + 1] = hasG ? src[g] : 0;
        for (let k = 1; k < cx; k++) {
          const fr = src[f + 2 * k], fi = src[f + 2 * k + 1];
          const gr = hasG ? src[g + 2 * k] : 0, gi = hasG ? src[g + 2 * k + 1] : 0;
          const dk = 2 * (k * bc + b), dm = 2 * ((nx - k) * bc + b);
          // Z_k = F_k + i·G_k ; Z_(n−k) = conj F_k + i·conj G_k
          A[dk] = fr - gi;
          A[dk + 1] = fi + gr;
          A[dm] = fr + gi;
          A[dm + 1] = -fi + gr;
        }
      }
      const R = this.planX.transform(A, B, bc, 1);
      for (let b = 0; b < bc; b++) {
        const df = off + (l + 2 * b) * nx;
        const hasG = 2 * b + 1 < nl;
        for (let j = 0, s = 2 * b; j < nx; j++, s += step) {
          real[df + j] = R[s] * scale;
          if (hasG) real[df + nx + j] = R[s + 1] * scale;
        }
      }
    }
  }
}
