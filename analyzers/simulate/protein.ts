/**
 * Procedural protein-like models with correct backbone geometry, so that map simulation and the
 * phantoms work without any model file.
 *
 * Backbones are grown from internal coordinates (NeRF, "natural extension reference frame":
 * each new atom from the three previous ones, a bond length, a bond angle and a torsion), with
 * standard peptide geometry (bond lengths N–CA 1.458, CA–C 1.525, C–N 1.329, C=O 1.231 Å;
 * angles N-CA-C 111.2°, CA-C-N 116.2°, C-N-CA 121.7°; trans peptides ω = 180°). Torsions follow
 * the IUPAC sign convention (φ = C₋₁-N-CA-C, ψ = N-CA-C-N₊₁, positive = clockwise when looking
 * along the central bond), so φ = −57°, ψ = −47° gives the right-handed α-helix of real proteins.
 *
 * Side chains are real residue topologies (GLY … PHE, 0–7 atoms) built by NeRF from ideal-ish
 * bond lengths and angles, with (χ1, χ2) picked among staggered rotamers to avoid clashes; the
 * mean is ≈ 7.0–7.8 non-hydrogen atoms per residue (real proteins: ≈ 7.8). Hydrogens are omitted
 * (deposited cryo-EM models usually have none).
 *
 * All coordinates are built in float64 in flat arrays (`[x0, y0, z0, x1, …]`); the result is an
 * `AtomModel` (structure of arrays), never an array of atom objects.
 */
import type { AtomModel } from '../io/model.ts';
import { mulberry32 } from '../util/random.ts';

/** Standard trans-peptide backbone geometry (Å and degrees) used by every builder here. */
export const BACKBONE_GEOMETRY = {
  bondNCa: 1.458,
  bondCaC: 1.525,
  bondCN: 1.329,
  bondCO: 1.231,
  angleNCaC: 111.2,
  angleCaCN: 116.2,
  angleCNCa: 121.7,
  /** CA-C=O angle; with CA-C-N 116.2° the three angles round C sum to ≈ 360° (planar sp²). */
  angleCaCO: 120.5,
  omega: 180,
} as const;

/** Backbone torsions (degrees) of a right-handed α-helix (3.6 residues/turn, 1.5 Å rise). */
export const ALPHA_HELIX = { phi: -57, psi: -47 } as const;
/** Backbone torsions (degrees) of an antiparallel β-strand (≈ 3.3 Å rise per residue). */
export const BETA_STRAND = { phi: -120, psi: 130 } as const;

const DEG = Math.PI / 180;
/** Backbone atoms per residue in the flat backbone arrays: N, CA, C, O. */
const BB = 4;

// ---------------------------------------------------------------------------------------------
// Small vector helpers on flat float64 arrays (no allocation in the hot paths).
// ---------------------------------------------------------------------------------------------

/**
 * NeRF: writes atom d at `out[o..o+2]` such that |cd| = `bond`, angle(b, c, d) = `angleDeg` and
 * the IUPAC torsion a-b-c-d = `torsionDeg`. a, b, c are read from `p` at offsets ia, ib, ic.
 *
 * Frame: e1 = unit(c − b), n = unit((b − a) × e1), e2 = n × e1 (so (e1, e2, n) is right-handed
 * and a lies in the +e2 half-plane); d = c + r·(−cos θ·e1 + sin θ·cos τ·e2 + sin θ·sin τ·n).
 * Torsion 0 puts d cis to a; +90° puts d on the +n side, which is "clockwise looking from b to c",
 * the IUPAC sense (checked against the atan2 dihedral formula in the tests).
 */
export function placeAtom(
  p: Float64Array, ia: number, ib: number, ic: number,
  bond: number, angleDeg: number, torsionDeg: number,
  out: Float64Array, o: number,
): void {
  let e1x = p[ic] - p[ib], e1y = p[ic + 1] - p[ib + 1], e1z = p[ic + 2] - p[ib + 2];
  const l1 = Math.hypot(e1x, e1y, e1z);
  e1x /= l1; e1y /= l1; e1z /= l1;
  const abx = p[ib] - p[ia], aby = p[ib + 1] - p[ia + 1], abz = p[ib + 2] - p[ia + 2];
  let nx = aby * e1z - abz * e1y, ny = abz * e1x - abx * e1z, nz = abx * e1y - aby * e1x;
  const ln = Math.hypot(nx, ny, nz);
  nx /= ln; ny /= ln; nz /= ln;
  const e2x = ny * e1z - nz * e1y, e2y = nz * e1x - nx * e1z, e2z = nx * e1y - ny * e1x;
  const th = angleDeg * DEG, ta = torsionDeg * DEG;
  const d1 = -bond * Math.cos(th);
  const d2 = bond * Math.sin(th) * Math.cos(ta);
  const d3 = bond * Math.sin(th) * Math.sin(ta);
  out[o] = p[ic] + d1 * e1x + d2 * e2x + d3 * nx;
  out[o + 1] = p[ic + 1] + d1 * e1y + d2 * e2y + d3 * ny;
  out[o + 2] = p[ic + 2] + d1 * e1z + d2 * e2z + d3 * nz;
}

/**
 * IUPAC torsion angle a-b-c-d in degrees, (−180, 180]:
 * atan2(|b2|·b1·(b2 × b3), (b1 × b2)·(b2 × b3)) with b1 = b − a, b2 = c − b, b3 = d − c.
 * Points are read from `p` at flat offsets.
 */
export function torsionDeg(p: ArrayLike<number>, ia: number, ib: number, ic: number, id: number): number {
  const b1x = p[ib] - p[ia], b1y = p[ib + 1] - p[ia + 1], b1z = p[ib + 2] - p[ia + 2];
  const b2x = p[ic] - p[ib], b2y = p[ic + 1] - p[ib + 1], b2z = p[ic + 2] - p[ib + 2];
  const b3x = p[id] - p[ic], b3y = p[id + 1] - p[ic + 1], b3z = p[id + 2] - p[ic + 2];
  const n1x = b1y * b2z - b1z * b2y, n1y = b1z * b2x - b1x * b2z, n1z = b1x * b2y - b1y * b2x;
  const n2x = b2y * b3z - b2z * b3y, n2y = b2z * b3x - b2x * b3z, n2z = b2x * b3y - b2y * b3x;
  const y = Math.hypot(b2x, b2y, b2z) * (b1x * n2x + b1y * n2y + b1z * n2z);
  const x = n1x * n2x + n1y * n2y + n1z * n2z;
  return Math.atan2(y, x) / DEG;
}

/** Angle a-b-c in degrees (b is the vertex); points at flat offsets of `p`. */
export function angleDeg(p: ArrayLike<number>, ia: number, ib: number, ic: number): number {
  const ux = p[ia] - p[ib], uy = p[ia + 1] - p[ib + 1], uz = p[ia + 2] - p[ib + 2];
  const vx = p[ic] - p[ib], vy = p[ic + 1] - p[ib + 1], vz = p[ic + 2] - p[ib + 2];
  const c = (ux * vx + uy * vy + uz * vz) / (Math.hypot(ux, uy, uz) * Math.hypot(vx, vy, vz));
  return Math.acos(Math.max(-1, Math.min(1, c))) / DEG;
}

/** Row-major 3×3 rotation taking unit vector u onto unit vector v (Rodrigues; u = −v → 180° turn). */
function rotationOnto(u: readonly number[], v: readonly number[]): Float64Array {
  const cx = u[1] * v[2] - u[2] * v[1], cy = u[2] * v[0] - u[0] * v[2], cz = u[0] * v[1] - u[1] * v[0];
  const c = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  if (c < -1 + 1e-12) {
    // Antiparallel: rotate 180° about any axis perpendicular to u.
    const a = Math.abs(u[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    let px = u[1] * a[2] - u[2] * a[1], py = u[2] * a[0] - u[0] * a[2], pz = u[0] * a[1] - u[1] * a[0];
    const l = Math.hypot(px, py, pz);
    px /= l; py /= l; pz /= l;
    return axisAngle(px, py, pz, Math.PI);
  }
  const k = 1 / (1 + c);
  return Float64Array.of(
    c + k * cx * cx, k * cx * cy - cz, k * cx * cz + cy,
    k * cy * cx + cz, c + k * cy * cy, k * cy * cz - cx,
    k * cz * cx - cy, k * cz * cy + cx, c + k * cz * cz,
  );
}

/** Row-major 3×3 rotation by `angle` radians about unit axis (x, y, z), right-hand rule. */
function axisAngle(x: number, y: number, z: number, angle: number): Float64Array {
  const c = Math.cos(angle), s = Math.sin(angle), t = 1 - c;
  return Float64Array.of(
    t * x * x + c, t * x * y - s * z, t * x * z + s * y,
    t * x * y + s * z, t * y * y + c, t * y * z - s * x,
    t * x * z - s * y, t * y * z + s * x, t * z * z + c,
  );
}

const IDENTITY = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);

/** p ← R·(p − centre) + shift for every point of a flat array. */
function transformPoints(p: Float64Array, r: Float64Array, centre: readonly number[], shift: readonly number[]): void {
  for (let i = 0; i < p.length; i += 3) {
    const x = p[i] - centre[0], y = p[i + 1] - centre[1], z = p[i + 2] - centre[2];
    p[i] = r[0] * x + r[1] * y + r[2] * z + shift[0];
    p[i + 1] = r[3] * x + r[4] * y + r[5] * z + shift[1];
    p[i + 2] = r[6] * x + r[7] * y + r[8] * z + shift[2];
  }
}

// ---------------------------------------------------------------------------------------------
// Backbone segments
// ---------------------------------------------------------------------------------------------

/**
 * Backbone N, CA, C, O of `n` residues with constant torsions φ, ψ (degrees), ω = 180°, grown by
 * NeRF from a fixed start. Layout: atom a ∈ {0 N, 1 CA, 2 C, 3 O} of residue i at flat offset
 * 3·(4i + a). O_i is placed in the peptide plane with torsion N_i-CA_i-C_i-O_i = ψ + 180°
 * (i.e. trans to N_{i+1}).
 */
export function backboneSegment(n: number, phiDeg: number, psiDeg: number): Float64Array {
  const g = BACKBONE_GEOMETRY;
  const p = new Float64Array(3 * BB * n);
  if (n === 0) return p;
  // Residue 0: N at the origin, CA on +x, C in the xy plane.
  p[3] = g.bondNCa;
  const t = (180 - g.angleNCaC) * DEG;
  p[6] = g.bondNCa + g.bondCaC * Math.cos(t);
  p[7] = g.bondCaC * Math.sin(t);
  for (let i = 0; i < n; i++) {
    const N = 3 * BB * i, CA = N + 3, C = N + 6, O = N + 9;
    if (i + 1 < n) {
      const N1 = N + 3 * BB, CA1 = N1 + 3, C1 = N1 + 6;
      placeAtom(p, N, CA, C, g.bondCN, g.angleCaCN, psiDeg, p, N1);
      placeAtom(p, CA, C, N1, g.bondNCa, g.angleCNCa, g.omega, p, CA1);
      placeAtom(p, C, N1, CA1, g.bondCaC, g.angleNCaC, phiDeg, p, C1);
    }
    placeAtom(p, N, CA, C, g.bondCO, g.angleCaCO, psiDeg + 180, p, O);
  }
  return p;
}

/**
 * The rigid trans peptide unit CA_i–C_i(=O_i)–N_{i+1}–CA_{i+1} in a local frame: CA_i at the
 * origin, CA_{i+1} on +x at distance `caCa` (≈ 3.80 Å, which follows from the geometry above),
 * C_i in the +y half of the xy plane (the unit is planar, z = 0 for all atoms).
 */
function peptideUnit(): { caCa: number; c: number[]; o: number[]; n: number[] } {
  const seg = backboneSegment(2, -60, 120);
  // Local frame from CA0, CA1, C0.
  const ca0 = [seg[3], seg[4], seg[5]];
  const ex = [seg[15] - ca0[0], seg[16] - ca0[1], seg[17] - ca0[2]];
  const caCa = Math.hypot(ex[0], ex[1], ex[2]);
  ex[0] /= caCa; ex[1] /= caCa; ex[2] /= caCa;
  const c0 = [seg[6] - ca0[0], seg[7] - ca0[1], seg[8] - ca0[2]];
  const d = c0[0] * ex[0] + c0[1] * ex[1] + c0[2] * ex[2];
  const ey = [c0[0] - d * ex[0], c0[1] - d * ex[1], c0[2] - d * ex[2]];
  const ly = Math.hypot(ey[0], ey[1], ey[2]);
  ey[0] /= ly; ey[1] /= ly; ey[2] /= ly;
  const local = (off: number) => {
    const v = [seg[off] - ca0[0], seg[off + 1] - ca0[1], seg[off + 2] - ca0[2]];
    return [v[0] * ex[0] + v[1] * ex[1] + v[2] * ex[2], v[0] * ey[0] + v[1] * ey[1] + v[2] * ey[2]];
  };
  return { caCa, c: local(6), o: local(9), n: local(12) };
}

const PEPTIDE = peptideUnit();

/** CA–CA distance (Å) across a trans peptide with the standard geometry (≈ 3.80 Å). */
export const CA_CA_DISTANCE = PEPTIDE.caCa;

/**
 * CA positions of a loop: `n` equal chords of length `CA_CA_DISTANCE` on a circular arc from `a`
 * to `b` (both excluded from the output, which holds n − 1 points), bulging towards `bulge`
 * (a unit vector, made perpendicular to the chord). Needs |b − a| < n·chord.
 *
 * Arc: half-step angle α/2 with 2R·sin(α/2) = c and 2R·sin(nα/2) = D, solved by bisection on
 * sin(nα/2)/sin(α/2) = D/c, which falls from n (α → 0) to 0 (α = 2π/n).
 */
function arcPoints(a: readonly number[], b: readonly number[], n: number, bulge: readonly number[]): Float64Array {
  const c = CA_CA_DISTANCE;
  const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const D = Math.hypot(u[0], u[1], u[2]);
  if (!(D < n * c)) throw new RangeError(`arcPoints: chord ${D.toFixed(2)} Å cannot be spanned by ${n} steps of ${c.toFixed(2)} Å`);
  u[0] /= D; u[1] /= D; u[2] /= D;
  const bd = bulge[0] * u[0] + bulge[1] * u[1] + bulge[2] * u[2];
  let w = [bulge[0] - bd * u[0], bulge[1] - bd * u[1], bulge[2] - bd * u[2]];
  let lw = Math.hypot(w[0], w[1], w[2]);
  if (lw < 1e-6) {
    w = Math.abs(u[2]) < 0.9 ? [-u[1], u[0], 0] : [0, -u[2], u[1]];
    lw = Math.hypot(w[0], w[1], w[2]);
  }
  w = [w[0] / lw, w[1] / lw, w[2] / lw];
  let lo = 1e-9, hi = (2 * Math.PI) / n - 1e-9;
  const target = D / c;
  for (let it = 0; it < 100; it++) {
    const mid = 0.5 * (lo + hi);
    const f = Math.sin((n * mid) / 2) / Math.sin(mid / 2);
    if (f > target) lo = mid; else hi = mid;
  }
  const alpha = 0.5 * (lo + hi);
  const R = c / (2 * Math.sin(alpha / 2));
  const half = (n * alpha) / 2;
  // Centre of the circle: on the perpendicular bisector, on the side opposite to the bulge.
  const h = R * Math.cos(half);
  const m = [(a[0] + b[0]) / 2 - h * w[0], (a[1] + b[1]) / 2 - h * w[1], (a[2] + b[2]) / 2 - h * w[2]];
  const out = new Float64Array(3 * (n - 1));
  for (let k = 1; k < n; k++) {
    const ang = -half + k * alpha; // angle from the bulge direction, towards +u
    const s = Math.sin(ang), co = Math.cos(ang);
    for (let d = 0; d < 3; d++) out[3 * (k - 1) + d] = m[d] + R * (s * u[d] + co * w[d]);
  }
  return out;
}

/**
 * Joins backbone segments into one chain, inserting loop residues between consecutive segments.
 * Loop CAs lie on an arc (`arcPoints`) bulging along `bulges[s]`; every peptide of the loop,
 * including the two that meet the segments (which replace C, O of the last residue of segment s
 * and N of the first residue of segment s + 1), is the exact planar trans unit, turned about its
 * CA–CA axis to bring the N-CA-C angle at its first CA (and, for the last unit, also at its
 * second CA) as close as possible to 111.2°. Returns the flat backbone and per-residue flags
 * (1 = loop residue).
 */
function joinSegments(segments: Float64Array[], bulges: ReadonlyArray<readonly number[]>): { bb: Float64Array; loop: Uint8Array } {
  const chunks: Float64Array[] = [];
  const loopFlags: number[] = [];
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s].slice();
    const nRes = seg.length / (3 * BB);
    if (s > 0) {
      // Stitch: loop from the last residue of the previous chunk to residue 0 of `seg`.
      const prev = chunks[chunks.length - 1];
      const lastOff = prev.length - 3 * BB;
      const a = [prev[lastOff + 3], prev[lastOff + 4], prev[lastOff + 5]];
      const b = [seg[3], seg[4], seg[5]];
      const D = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
      const steps = Math.ceil(D / CA_CA_DISTANCE) + 2;
      const cas = arcPoints(a, b, steps, bulges[s - 1]);
      const nLoop = steps - 1;
      const loopBb = new Float64Array(3 * BB * nLoop);
      for (let k = 0; k < nLoop; k++) for (let d = 0; d < 3; d++) loopBb[3 * BB * k + 3 + d] = cas[3 * k + d];
      // Peptide units u = 0..steps−1 join CA_u → CA_{u+1}; CA_0 = a, CA_steps = b.
      // Work array holding, in order, [N, CA, C] of residue before, then the loop, then residue after.
      const caAt = (u: number) => (u === 0 ? a : u === steps ? b : [cas[3 * (u - 1)], cas[3 * (u - 1) + 1], cas[3 * (u - 1) + 2]]);
      let nPrev = [prev[lastOff], prev[lastOff + 1], prev[lastOff + 2]]; // N of the residue at CA_u
      const cNext = [seg[6], seg[7], seg[8]];
      const bl = bulges[s - 1];
      const tmp = new Float64Array(12);
      for (let u = 0; u < steps; u++) {
        const p0 = caAt(u), p1 = caAt(u + 1);
        const ex = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
        const l = Math.hypot(ex[0], ex[1], ex[2]);
        ex[0] /= l; ex[1] /= l; ex[2] /= l;
        // Perpendicular basis (q, r) of the CA–CA axis.
        const ref = Math.abs(ex[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
        const rd = ref[0] * ex[0] + ref[1] * ex[1] + ref[2] * ex[2];
        const q = [ref[0] - rd * ex[0], ref[1] - rd * ex[1], ref[2] - rd * ex[2]];
        const lq = Math.hypot(q[0], q[1], q[2]);
        q[0] /= lq; q[1] /= lq; q[2] /= lq;
        const r = [ex[1] * q[2] - ex[2] * q[1], ex[2] * q[0] - ex[0] * q[2], ex[0] * q[1] - ex[1] * q[0]];
        let best = Infinity;
        const bestPos = new Float64Array(9); // C, O, N
        for (let step = 0; step < 720; step++) {
          const th = step * 0.5 * DEG;
          const ey = [Math.cos(th) * q[0] + Math.sin(th) * r[0], Math.cos(th) * q[1] + Math.sin(th) * r[1], Math.cos(th) * q[2] + Math.sin(th) * r[2]];
          for (let d = 0; d < 3; d++) {
            tmp[d] = nPrev[d];
            tmp[3 + d] = p0[d];
            tmp[6 + d] = p0[d] + PEPTIDE.c[0] * ex[d] + PEPTIDE.c[1] * ey[d]; // C_u
            tmp[9 + d] = p0[d] + PEPTIDE.n[0] * ex[d] + PEPTIDE.n[1] * ey[d]; // N_{u+1}
          }
          const d1 = angleDeg(tmp, 0, 3, 6) - BACKBONE_GEOMETRY.angleNCaC;
          let cost = d1 * d1;
          if (u === steps - 1) {
            for (let d = 0; d < 3; d++) { tmp[d] = p1[d]; tmp[3 + d] = cNext[d]; }
            const d2 = angleDeg(tmp, 9, 0, 3) - BACKBONE_GEOMETRY.angleNCaC;
            cost += d2 * d2;
          }
          // Tie-break between the two mirror solutions: carbonyl O towards the bulge (outside).
          const oy = PEPTIDE.o[1];
          cost -= 0.5 * oy * (ey[0] * bl[0] + ey[1] * bl[1] + ey[2] * bl[2]);
          if (cost < best) {
            best = cost;
            for (let d = 0; d < 3; d++) {
              bestPos[d] = p0[d] + PEPTIDE.c[0] * ex[d] + PEPTIDE.c[1] * ey[d];
              bestPos[3 + d] = p0[d] + PEPTIDE.o[0] * ex[d] + PEPTIDE.o[1] * ey[d];
              bestPos[6 + d] = p0[d] + PEPTIDE.n[0] * ex[d] + PEPTIDE.n[1] * ey[d];
            }
          }
        }
        // Write C_u, O_u into the residue at CA_u and N_{u+1} into the residue at CA_{u+1}.
        const cTarget = u === 0 ? prev : loopBb;
        const cOff = u === 0 ? lastOff : 3 * BB * (u - 1);
        for (let d = 0; d < 3; d++) {
          cTarget[cOff + 6 + d] = bestPos[d];
          cTarget[cOff + 9 + d] = bestPos[3 + d];
        }
        const nTarget = u === steps - 1 ? seg : loopBb;
        const nOff = u === steps - 1 ? 0 : 3 * BB * u;
        for (let d = 0; d < 3; d++) nTarget[nOff + d] = bestPos[6 + d];
        nPrev = [bestPos[6], bestPos[7], bestPos[8]];
      }
      chunks.push(loopBb);
      for (let k = 0; k < nLoop; k++) loopFlags.push(1);
    }
    chunks.push(seg);
    for (let k = 0; k < nRes; k++) loopFlags.push(0);
  }
  let total = 0;
  for (const c of chunks) total += c.length;
  const bb = new Float64Array(total);
  let off = 0;
  for (const c of chunks) { bb.set(c, off); off += c.length; }
  return { bb, loop: Uint8Array.from(loopFlags) };
}

/** Mean CA position and principal axis (unit, oriented first → last CA) of a backbone segment. */
function segmentAxis(seg: Float64Array): { centre: number[]; axis: number[] } {
  const n = seg.length / (3 * BB);
  const c = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) c[d] += seg[3 * BB * i + 3 + d] / n;
  const m = new Float64Array(9);
  for (let i = 0; i < n; i++) {
    const o = 3 * BB * i + 3;
    const v = [seg[o] - c[0], seg[o + 1] - c[1], seg[o + 2] - c[2]];
    for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) m[3 * r + s] += v[r] * v[s];
  }
  // Power iteration from the end-to-end vector (close to the answer already).
  const last = 3 * BB * (n - 1) + 3;
  let a = [seg[last] - seg[3], seg[last + 1] - seg[4], seg[last + 2] - seg[5]];
  for (let it = 0; it < 200; it++) {
    const b = [
      m[0] * a[0] + m[1] * a[1] + m[2] * a[2],
      m[3] * a[0] + m[4] * a[1] + m[5] * a[2],
      m[6] * a[0] + m[7] * a[1] + m[8] * a[2],
    ];
    const l = Math.hypot(b[0], b[1], b[2]);
    a = [b[0] / l, b[1] / l, b[2] / l];
  }
  const e = [seg[last] - seg[3], seg[last + 1] - seg[4], seg[last + 2] - seg[5]];
  if (a[0] * e[0] + a[1] * e[1] + a[2] * e[2] < 0) a = [-a[0], -a[1], -a[2]];
  return { centre: c, axis: a };
}

/**
 * Moves a segment so that its axis runs along `dir` (unit) with its CA centroid at `at`, after
 * spinning it by `spin` radians about its own axis.
 */
function placeSegment(seg: Float64Array, dir: readonly number[], at: readonly number[], spin: number): void {
  const { centre, axis } = segmentAxis(seg);
  const r1 = rotationOnto(axis, [0, 0, 1]);
  transformPoints(seg, r1, centre, [0, 0, 0]);
  transformPoints(seg, axisAngle(0, 0, 1, spin), [0, 0, 0], [0, 0, 0]);
  transformPoints(seg, rotationOnto([0, 0, 1], dir), [0, 0, 0], at);
}

// ---------------------------------------------------------------------------------------------
// Side chains
// ---------------------------------------------------------------------------------------------

/**
 * Ideal Cβ of an L-amino acid, placed by NeRF from C, N, CA: CA–CB 1.53 Å, N-CA-CB 110.5°,
 * torsion C-N-CA-CB −122.6°. Checked on real data: the refined 3ajo model of EMD-20026 gives
 * −122.9 ± 0.9° over its 165 Cβ atoms, and a positive signed volume
 * (N−CA)·((C−CA) × (CB−CA)) ≈ +2.5 Å³ for every residue (L chirality; D would be negative).
 */
export const CB_GEOMETRY = { bond: 1.53, angle: 110.5, torsion: -122.6 } as const;

/**
 * One side-chain atom: name, element, the three reference atoms (names within the residue) for
 * NeRF, bond (Å), angle (°) and torsion: a number (°), or 'chi1' / 'chi2' for the rotamer
 * chosen per residue, plus `offset` (°) for branches (VAL CG2 = χ1 + 120°).
 */
type SideAtom = readonly [name: string, element: string, a: string, b: string, c: string, bond: number, angle: number, torsion: number | 'chi1' | 'chi2', offset?: number];

const CB: SideAtom = ['CB', 'C', 'C', 'N', 'CA', CB_GEOMETRY.bond, CB_GEOMETRY.angle, CB_GEOMETRY.torsion];

/**
 * Residue library: heavy atoms beyond the backbone with ideal-ish geometry (sp³ C–C 1.53 Å,
 * 110–116°; C–O(H) 1.43 Å; carboxylate C–O 1.25 Å, 118°; C–S 1.81 Å, S–C 1.79 Å; aromatic ring
 * 1.39 Å, 120°). Rings and carboxylates are planar by construction (torsions 0/180°).
 */
const RESIDUES: Readonly<Record<string, readonly SideAtom[]>> = {
  GLY: [],
  ALA: [CB],
  SER: [CB, ['OG', 'O', 'N', 'CA', 'CB', 1.43, 111, 'chi1']],
  VAL: [CB, ['CG1', 'C', 'N', 'CA', 'CB', 1.53, 110.5, 'chi1'], ['CG2', 'C', 'N', 'CA', 'CB', 1.53, 110.5, 'chi1', 120]],
  THR: [CB, ['OG1', 'O', 'N', 'CA', 'CB', 1.43, 109.5, 'chi1'], ['CG2', 'C', 'N', 'CA', 'CB', 1.53, 110.5, 'chi1', -120]],
  LEU: [
    CB,
    ['CG', 'C', 'N', 'CA', 'CB', 1.53, 116, 'chi1'],
    ['CD1', 'C', 'CA', 'CB', 'CG', 1.53, 110.5, 'chi2'],
    ['CD2', 'C', 'CA', 'CB', 'CG', 1.53, 110.5, 'chi2', 120],
  ],
  ILE: [
    CB,
    ['CG1', 'C', 'N', 'CA', 'CB', 1.53, 110, 'chi1'],
    ['CG2', 'C', 'N', 'CA', 'CB', 1.53, 110.5, 'chi1', -120],
    ['CD1', 'C', 'CA', 'CB', 'CG1', 1.53, 114, 'chi2'],
  ],
  ASP: [
    CB,
    ['CG', 'C', 'N', 'CA', 'CB', 1.52, 113, 'chi1'],
    ['OD1', 'O', 'CA', 'CB', 'CG', 1.25, 118, 'chi2'],
    ['OD2', 'O', 'CA', 'CB', 'CG', 1.25, 118, 'chi2', 180],
  ],
  MET: [
    CB,
    ['CG', 'C', 'N', 'CA', 'CB', 1.53, 114, 'chi1'],
    ['SD', 'S', 'CA', 'CB', 'CG', 1.81, 112.7, 'chi2'],
    ['CE', 'C', 'CB', 'CG', 'SD', 1.79, 100.5, 180],
  ],
  GLU: [
    CB,
    ['CG', 'C', 'N', 'CA', 'CB', 1.53, 114, 'chi1'],
    ['CD', 'C', 'CA', 'CB', 'CG', 1.52, 113, 'chi2'],
    ['OE1', 'O', 'CB', 'CG', 'CD', 1.25, 118, 0],
    ['OE2', 'O', 'CB', 'CG', 'CD', 1.25, 118, 180],
  ],
  LYS: [
    CB,
    ['CG', 'C', 'N', 'CA', 'CB', 1.53, 114, 'chi1'],
    ['CD', 'C', 'CA', 'CB', 'CG', 1.53, 111.5, 'chi2'],
    ['CE', 'C', 'CB', 'CG', 'CD', 1.53, 111.5, 180],
    ['NZ', 'N', 'CG', 'CD', 'CE', 1.49, 111.5, 180],
  ],
  PHE: [
    CB,
    ['CG', 'C', 'N', 'CA', 'CB', 1.50, 114, 'chi1'],
    ['CD1', 'C', 'CA', 'CB', 'CG', 1.39, 120.7, 'chi2', -90],
    ['CD2', 'C', 'CA', 'CB', 'CG', 1.39, 120.7, 'chi2', 90],
    ['CE1', 'C', 'CB', 'CG', 'CD1', 1.39, 120, 180],
    ['CE2', 'C', 'CB', 'CG', 'CD2', 1.39, 120, 180],
    ['CZ', 'C', 'CG', 'CD1', 'CE1', 1.39, 120, 0],
  ],
};

/** Residue types drawn for helices/strands (mean 7.8 heavy atoms) and loops (mean 6.9). */
const CORE_TYPES = ['ALA', 'LEU', 'GLU', 'LYS', 'VAL', 'ILE', 'PHE', 'MET', 'THR', 'SER', 'ASP', 'LEU'] as const;
const LOOP_TYPES = ['GLY', 'SER', 'ASP', 'LYS', 'GLU', 'THR', 'ASP', 'GLY'] as const;
/** Staggered χ1 rotamers tried in order of preference (g−, t, g+). */
const CHI1 = [-60, 180, 60] as const;
/** Staggered χ2 rotamers tried in order of preference (t, g+, g−). */
const CHI2 = [180, 60, -60] as const;
/**
 * A side chain whose best rotamer still has a clash penalty above this (Å, see `buildModel`) is
 * truncated to ALA; a Cβ above it makes the residue GLY.
 */
const CLASH_LIMIT_A = 0.6;

/** Growable structure-of-arrays atom list used while building. */
class AtomList {
  xyz = new Float64Array(3 * 1024);
  count = 0;
  readonly element: string[] = [];
  readonly atomName: string[] = [];
  readonly resName: string[] = [];
  readonly resSeq: number[] = [];

  push(p: ArrayLike<number>, o: number, element: string, name: string, resName: string, resSeq: number): void {
    if (3 * (this.count + 1) > this.xyz.length) {
      const grown = new Float64Array(this.xyz.length * 2);
      grown.set(this.xyz);
      this.xyz = grown;
    }
    this.xyz[3 * this.count] = p[o];
    this.xyz[3 * this.count + 1] = p[o + 1];
    this.xyz[3 * this.count + 2] = p[o + 2];
    this.element.push(element);
    this.atomName.push(name);
    this.resName.push(resName);
    this.resSeq.push(resSeq);
    this.count++;
  }
}

/** Spatial hash of placed atoms (cubic cells of `cell` Å), each tagged with its residue, for clash scoring. */
class ClashGrid {
  private readonly cells = new Map<number, number[]>();
  private readonly pts: number[] = [];
  private readonly res: number[] = [];
  private readonly cell: number;
  constructor(cell: number) {
    this.cell = cell;
  }
  private key(i: number, j: number, k: number): number {
    return ((i + 512) * 1024 + (j + 512)) * 1024 + (k + 512);
  }
  add(x: number, y: number, z: number, residue: number): void {
    const id = this.res.length;
    this.pts.push(x, y, z);
    this.res.push(residue);
    const k = this.key(Math.floor(x / this.cell), Math.floor(y / this.cell), Math.floor(z / this.cell));
    const list = this.cells.get(k);
    if (list) list.push(id); else this.cells.set(k, [id]);
  }
  /** Σ (r − d) over placed atoms of other residues closer than r (≤ cell) Å: a soft clash penalty. */
  penalty(x: number, y: number, z: number, r: number, residue: number): number {
    const ci = Math.floor(x / this.cell), cj = Math.floor(y / this.cell), ck = Math.floor(z / this.cell);
    let p = 0;
    for (let i = ci - 1; i <= ci + 1; i++) for (let j = cj - 1; j <= cj + 1; j++) for (let k = ck - 1; k <= ck + 1; k++) {
      const list = this.cells.get(this.key(i, j, k));
      if (!list) continue;
      for (const id of list) {
        if (this.res[id] === residue) continue;
        const d = Math.hypot(this.pts[3 * id] - x, this.pts[3 * id + 1] - y, this.pts[3 * id + 2] - z);
        if (d < r) p += r - d;
      }
    }
    return p;
  }
}

/** Clash distance (Å) for heavy atoms of different residues (≈ sum of van der Waals radii − 0.4). */
const CLASH_DISTANCE_A = 3.0;

/**
 * Full-atom model from a backbone. Residue types are drawn from `rng` (loop residues from a
 * loop-friendly set). Side chains are built by NeRF with the (χ1, χ2) rotamer of least clash
 * penalty Σ(3.0 Å − d) against the backbone of every residue and the side chains placed so far;
 * a type whose best rotamer scores above 0.6 Å is redrawn (up to four draws, then ALA), and a
 * residue whose Cβ alone scores above it becomes GLY (crude packing, but it keeps non-bonded
 * heavy atoms apart while keeping ≈ 7 atoms per residue in packed assemblies).
 */
function buildModel(bb: Float64Array, loop: Uint8Array, rng: () => number): AtomModel {
  const nRes = bb.length / (3 * BB);
  const grid = new ClashGrid(CLASH_DISTANCE_A);
  for (let i = 0; i < nRes * BB; i++) grid.add(bb[3 * i], bb[3 * i + 1], bb[3 * i + 2], Math.floor(i / BB));
  const atoms = new AtomList();
  const local = new Float64Array(3 * 16); // N, CA, C, O, then the side-chain atoms of one residue
  const trial = new Float64Array(3 * 16);
  const names: string[] = [];
  const place = (lib: readonly SideAtom[], chi1: number, chi2: number, out: Float64Array, r: number): number => {
    out.set(local.subarray(0, 12));
    let pen = 0;
    for (let k = 0; k < lib.length; k++) {
      const atom = lib[k];
      const t = atom[7];
      const tors = (t === 'chi1' ? chi1 : t === 'chi2' ? chi2 : t) + (atom[8] ?? 0);
      placeAtom(out, 3 * names.indexOf(atom[2]), 3 * names.indexOf(atom[3]), 3 * names.indexOf(atom[4]), atom[5], atom[6], tors, out, 3 * (4 + k));
      pen += grid.penalty(out[3 * (4 + k)], out[3 * (4 + k) + 1], out[3 * (4 + k) + 2], CLASH_DISTANCE_A, r);
    }
    return pen;
  };
  for (let r = 0; r < nRes; r++) {
    const pool = loop[r] ? LOOP_TYPES : CORE_TYPES;
    local.set(bb.subarray(3 * BB * r, 3 * BB * (r + 1)));
    names.length = 0;
    names.push('N', 'CA', 'C', 'O', 'CB');
    let type = 'GLY';
    let best = { pen: Infinity, chi1: 0, chi2: 0 };
    if (place(RESIDUES.ALA, 0, 0, trial, r) <= CLASH_LIMIT_A) {
      // Up to four draws of a residue type whose best rotamer fits; else ALA.
      type = 'ALA';
      for (let attempt = 0; attempt < 4; attempt++) {
        const candidate = pool[Math.floor(rng() * pool.length)];
        const lib = RESIDUES[candidate];
        if (lib.length <= 1) { type = candidate; break; }
        names.length = 4;
        for (const atom of lib) names.push(atom[0]);
        const usesChi2 = lib.some((atom) => atom[7] === 'chi2');
        let fit = { pen: Infinity, chi1: 0, chi2: 0 };
        for (const chi1 of CHI1) for (const chi2 of usesChi2 ? CHI2 : [180]) {
          const pen = place(lib, chi1, chi2, trial, r);
          if (pen < fit.pen - 1e-9) fit = { pen, chi1, chi2 };
        }
        if (fit.pen <= CLASH_LIMIT_A) { type = candidate; best = fit; break; }
      }
    }
    const lib = RESIDUES[type];
    names.length = 4;
    for (const atom of lib) names.push(atom[0]);
    place(lib, best.chi1, best.chi2, local, r);
    const seq = r + 1;
    for (let k = 0; k < 4 + lib.length; k++) {
      const name = names[k];
      const element = k < 4 ? (k === 0 ? 'N' : k === 3 ? 'O' : 'C') : lib[k - 4][1];
      atoms.push(local, 3 * k, element, name, type, seq);
      if (k >= 4) grid.add(local[3 * k], local[3 * k + 1], local[3 * k + 2], r);
    }
  }
  return toAtomModel(atoms, true);
}

/** Freezes an AtomList into an AtomModel (chain A, occupancy 1, B 20 Å²), centred if asked. */
function toAtomModel(atoms: AtomList, centre: boolean): AtomModel {
  const n = atoms.count;
  const c = [0, 0, 0];
  if (centre && n > 0) {
    for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) c[d] += atoms.xyz[3 * i + d];
    for (let d = 0; d < 3; d++) c[d] /= n;
  }
  const x = new Float32Array(n), y = new Float32Array(n), z = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = atoms.xyz[3 * i] - c[0];
    y[i] = atoms.xyz[3 * i + 1] - c[1];
    z[i] = atoms.xyz[3 * i + 2] - c[2];
  }
  return {
    count: n,
    x, y, z,
    bFactor: new Float32Array(n).fill(20),
    occupancy: new Float32Array(n).fill(1),
    element: atoms.element.slice(),
    atomName: atoms.atomName.slice(),
    altLoc: new Array<string>(n).fill(''),
    resName: atoms.resName.slice(),
    chainId: new Array<string>(n).fill('A'),
    resSeq: Int32Array.from(atoms.resSeq),
    insCode: new Array<string>(n).fill(''),
    isHetero: new Uint8Array(n),
  };
}

// ---------------------------------------------------------------------------------------------
// Public builders
// ---------------------------------------------------------------------------------------------

/**
 * A single ideal α-helix (φ −57°, ψ −47°) of `residues` residues with side chains, centred at the
 * origin (atom centroid), axis along +z. Right-handed: 3.6 residues per turn, 1.5 Å rise,
 * CA(i)–CA(i+4) ≈ 6.2 Å.
 */
export function idealHelix(residues: number, seed = 1): AtomModel {
  const seg = backboneSegment(residues, ALPHA_HELIX.phi, ALPHA_HELIX.psi);
  if (residues >= 4) placeSegment(seg, [0, 0, 1], [0, 0, 0], 0);
  return buildModel(seg, new Uint8Array(residues), mulberry32(seed));
}

/**
 * A single ideal β-strand (φ −120°, ψ +130°) of `residues` residues with side chains, centred at
 * the origin, running along +z: ≈ 3.3 Å rise per residue, CA(i)–CA(i+4) ≈ 13 Å.
 */
export function idealStrand(residues: number, seed = 1): AtomModel {
  const seg = backboneSegment(residues, BETA_STRAND.phi, BETA_STRAND.psi);
  if (residues >= 3) placeSegment(seg, [0, 0, 1], [0, 0, 0], 0);
  return buildModel(seg, new Uint8Array(residues), mulberry32(seed));
}

/** Options of `helixBundle`. */
export interface HelixBundleOptions {
  /** Number of helices (≥ 1). */
  helices: number;
  /** Residues per helix (≥ 7 so that the helix axis is well defined). */
  residuesPerHelix: number;
  /** PRNG seed (spin of each helix about its axis, residue types, χ1 ties). Default 1. */
  seed?: number;
}

/** Options of `betaSheet`. */
export interface BetaSheetOptions {
  /** Number of strands (≥ 1). */
  strands: number;
  /** Residues per strand (≥ 3). */
  residuesPerStrand: number;
  /** PRNG seed. Default 1. */
  seed?: number;
}

/** Options of `proceduralProtein`: a helix bundle with a β-sheet packed against one side. */
export interface ProceduralProteinOptions {
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Helices of the bundle (≥ 0). Default 6. */
  helices?: number;
  /** Residues per helix. Default 18 (27 Å long). */
  residuesPerHelix?: number;
  /** Strands of the sheet (≥ 0). Default 4. */
  strands?: number;
  /** Residues per strand. Default 7. */
  residuesPerStrand?: number;
}

/** Distance (Å) between neighbouring helix axes in a bundle. */
export const HELIX_PACKING_A = 10;
/** Distance (Å) between neighbouring strand axes in a sheet. */
export const STRAND_SPACING_A = 4.8;

/**
 * Helix axis positions (x, y) for `h` helices: points of a hexagonal lattice of spacing
 * `HELIX_PACKING_A`, the h closest to the origin (ties by angle), visited as a nearest-neighbour
 * path so that consecutive helices are usually lattice neighbours (10 Å apart).
 */
function bundleLayout(h: number): number[][] {
  const pts: number[][] = [];
  const a = HELIX_PACKING_A;
  const R = Math.ceil(Math.sqrt(h)) + 2;
  for (let i = -R; i <= R; i++) for (let j = -R; j <= R; j++) pts.push([a * (i + j / 2), a * (j * Math.sqrt(3) / 2)]);
  const key = (p: number[]) => Math.hypot(p[0], p[1]) * 1000 + ((Math.atan2(p[1], p[0]) + 2 * Math.PI) % (2 * Math.PI));
  pts.sort((p, q) => key(p) - key(q));
  const chosen = pts.slice(0, h);
  // Nearest-neighbour path, starting from the outermost point (so the path can sweep around).
  const path: number[][] = [chosen.pop() as number[]];
  while (chosen.length > 0) {
    const last = path[path.length - 1];
    let bi = 0, bd = Infinity;
    chosen.forEach((p, i) => {
      const d = Math.hypot(p[0] - last[0], p[1] - last[1]) + 1e-6 * i;
      if (d < bd) { bd = d; bi = i; }
    });
    path.push(chosen.splice(bi, 1)[0]);
  }
  return path;
}

/** Backbone segments and loop bulge directions of a bundle (helix k runs +z for even k, −z odd). */
function bundleSegments(h: number, perHelix: number, rng: () => number): { segs: Float64Array[]; bulges: number[][]; ends: number[] } {
  const layout = bundleLayout(h);
  const segs: Float64Array[] = [];
  const bulges: number[][] = [];
  const ends: number[] = [];
  for (let k = 0; k < h; k++) {
    const seg = backboneSegment(perHelix, ALPHA_HELIX.phi, ALPHA_HELIX.psi);
    const up = k % 2 === 0 ? 1 : -1;
    placeSegment(seg, [0, 0, up], [layout[k][0], layout[k][1], 0], 2 * Math.PI * rng());
    segs.push(seg);
    ends.push(up);
    if (k > 0) bulges.push([0, 0, ends[k - 1]]);
  }
  return { segs, bulges, ends };
}

/**
 * Backbone segments of an antiparallel sheet: strand k along +z or −z (alternating, strand 0 up
 * if `startUp`), axes in the plane x = origin[0] at y = origin[1] + yStep·k·4.8 Å, each strand spun about its axis so that its side chains point
 * out of the sheet plane (±x), as in real sheets where Cβ atoms alternate above and below.
 */
function sheetSegments(
  n: number, perStrand: number, startUp: boolean, origin: readonly number[] = [0, 0], yStep: 1 | -1 = 1,
): { segs: Float64Array[]; bulges: number[][] } {
  const segs: Float64Array[] = [];
  const bulges: number[][] = [];
  for (let k = 0; k < n; k++) {
    const seg = backboneSegment(perStrand, BETA_STRAND.phi, BETA_STRAND.psi);
    const up = (k % 2 === 0) === startUp ? 1 : -1;
    placeSegment(seg, [0, 0, 1], [0, 0, 0], 0);
    // Alternating ideal Cβ directions (projected ⊥ to the axis, z): their alternating sum is the
    // out-of-sheet direction of the strand (≈ that of its middle residue; the strand twists by
    // ≈ 11° per residue because 2.13, not 2, residues make one turn at φ −120°, ψ +130°).
    let sx = 0, sy = 0;
    const cb = new Float64Array(3);
    for (let i = 0; i < perStrand; i++) {
      const o = 3 * BB * i;
      placeAtom(seg, o + 6, o, o + 3, CB_GEOMETRY.bond, CB_GEOMETRY.angle, CB_GEOMETRY.torsion, cb, 0);
      const sgn = i % 2 === 0 ? 1 : -1;
      sx += sgn * (cb[0] - seg[o + 3]);
      sy += sgn * (cb[1] - seg[o + 4]);
    }
    const spin = -Math.atan2(sy, sx); // brings the alternating side-chain direction onto ±x
    transformPoints(seg, axisAngle(0, 0, 1, spin), [0, 0, 0], [0, 0, 0]);
    if (up < 0) transformPoints(seg, axisAngle(1, 0, 0, Math.PI), [0, 0, 0], [0, 0, 0]);
    transformPoints(seg, IDENTITY, [0, 0, 0], [origin[0], origin[1] + yStep * STRAND_SPACING_A * k, 0]);
    segs.push(seg);
    // Strand k − 1 ran the other way (−up), so it ended, and the hairpin sits, on the −up side.
    if (k > 0) bulges.push([0, 0, -up]);
  }
  return { segs, bulges };
}

/**
 * An antiparallel bundle of ideal α-helices (axes 10 Å apart on a hexagonal lattice, consecutive
 * helices antiparallel), joined by short arc loops over the helix ends. Centred at the origin
 * (atom centroid); bundle axis along z.
 */
export function helixBundle(opts: HelixBundleOptions): AtomModel {
  checkCount('helices', opts.helices, 1);
  checkCount('residuesPerHelix', opts.residuesPerHelix, 7);
  const rng = mulberry32(opts.seed ?? 1);
  const { segs, bulges } = bundleSegments(opts.helices, opts.residuesPerHelix, rng);
  const { bb, loop } = joinSegments(segs, bulges);
  return buildModel(bb, loop, rng);
}

/**
 * A flat antiparallel β-sheet of ideal strands 4.8 Å apart, joined by hairpin loops. Centred at
 * the origin; strands along z, sheet in the yz plane.
 */
export function betaSheet(opts: BetaSheetOptions): AtomModel {
  checkCount('strands', opts.strands, 1);
  checkCount('residuesPerStrand', opts.residuesPerStrand, 3);
  const rng = mulberry32(opts.seed ?? 1);
  const { segs, bulges } = sheetSegments(opts.strands, opts.residuesPerStrand, true);
  const { bb, loop } = joinSegments(segs, bulges);
  return buildModel(bb, loop, rng);
}

/**
 * A protein-like single chain: a helix bundle (axis z) with an antiparallel β-sheet packed
 * against its +x side (sheet plane 10 Å beyond the outermost helix axes, strands parallel to
 * the helices), all joined by arc loops. Centred at the origin (atom centroid). Defaults (6 × 18
 * helix residues, 4 × 7 strand residues) give ≈ 175 residues, ≈ 1200–1260 atoms (≈ 7.0 per
 * residue after clash-driven truncations), ≈ 43 × 31 × 48 Å.
 */
export function proceduralProtein(opts: ProceduralProteinOptions = {}): AtomModel {
  const h = opts.helices ?? 6;
  const s = opts.strands ?? 4;
  const perHelix = opts.residuesPerHelix ?? 18;
  const perStrand = opts.residuesPerStrand ?? 7;
  checkCount('helices', h, 0);
  checkCount('strands', s, 0);
  if (h + s === 0) throw new RangeError('proceduralProtein: needs at least one helix or strand');
  if (h > 0) checkCount('residuesPerHelix', perHelix, 7);
  if (s > 0) checkCount('residuesPerStrand', perStrand, 3);
  const rng = mulberry32(opts.seed ?? 1);
  const segs: Float64Array[] = [];
  const bulges: number[][] = [];
  let lastEnd = 1;
  let maxX = -Infinity;
  let endXY = [0, 0];
  if (h > 0) {
    const b = bundleSegments(h, perHelix, rng);
    segs.push(...b.segs);
    bulges.push(...b.bulges);
    lastEnd = b.ends[h - 1];
    for (const seg of b.segs) {
      const ax = segmentAxis(seg);
      maxX = Math.max(maxX, ax.centre[0]);
    }
    const last = b.segs[h - 1];
    endXY = [last[last.length - 3 * BB + 3], last[last.length - 3 * BB + 4]];
  }
  if (s > 0) {
    // The first strand starts where the last helix ends (top if it ran up), so it runs the other
    // way; the strands are laid out along ±y starting from the end nearer that helix.
    const startUp = !(h > 0 && lastEnd > 0);
    const span = (s - 1) * STRAND_SPACING_A;
    const forward = !(h > 0) || Math.abs(-span / 2 - endXY[1]) <= Math.abs(span / 2 - endXY[1]);
    const x0 = h > 0 ? maxX + HELIX_PACKING_A : 0;
    const sheet = sheetSegments(s, perStrand, startUp, [x0, forward ? -span / 2 : span / 2], forward ? 1 : -1);
    if (h > 0) bulges.push([0, 0, lastEnd]);
    segs.push(...sheet.segs);
    bulges.push(...sheet.bulges);
  }
  const { bb, loop } = joinSegments(segs, bulges);
  return buildModel(bb, loop, rng);
}

/** Mirror image of a model (z → −z); every other field is shared or copied unchanged. */
export function mirrorModel(model: AtomModel): AtomModel {
  const z = new Float32Array(model.count);
  for (let i = 0; i < model.count; i++) z[i] = -model.z[i];
  return { ...model, x: model.x.slice(), y: model.y.slice(), z };
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
}
