/**
 * Isosurface of a map by marching cubes, as an indexed triangle mesh in Å (the map frame).
 *
 * ## Case table (derived here, not copied)
 *
 * The triangles of each of the 256 corner configurations are traced at first use from the 8 corner
 * states, face by face:
 * - On every cube face, the level crosses each edge whose two corners differ (inside = value ≥
 *   level). Walking the face's corners counter-clockwise as seen from outside the cube, a crossing
 *   from an inside to an outside corner is an "exit", the reverse an "entry"; each face segment
 *   joins an exit to an entry so that the inside part of the face is on the segment's left.
 * - A face with 4 crossings (inside corners on one diagonal) is ambiguous. It is resolved by the
 *   asymptotic decider (Nielson & Hamann 1991): the two inside corners are joined when the saddle
 *   of the bilinear interpolant on that face is ≥ level, which for inside diagonal (a, c) and
 *   outside diagonal (b, d) is (a−L)(c−L) ≥ (b−L)(d−L). The test uses only the face's 4 values
 *   and is symmetric in them, so the two cubes sharing a face always agree: no cracks. The table is
 *   keyed by (configuration, decisions of the ambiguous faces): 256 × 64 entries, built lazily.
 * - Each crossed edge is an exit on exactly one of its two faces and an entry on the other, so the
 *   segments chain into closed loops; each loop becomes a triangle fan, or (when every fan would
 *   draw a chord between two crossings of one face, which the neighbour could draw too) a star
 *   around a vertex of its own at the loop centroid. Interior (body) ambiguities are not resolved:
 *   each loop is a disc, which is still a closed 2-manifold piece.
 *
 * Orientation: loops run counter-clockwise around the inside region seen from outside the cube,
 * so the fans are emitted reversed: every triangle (a, b, c) has its right-hand normal
 * (b−a)×(c−a) pointing towards LOWER values (out of the object), consistently over the mesh.
 *
 * ## Watertightness and the box boundary
 *
 * The sampled grid is padded by one virtual layer of "outside" corners, so a surface reaching the
 * box edge is capped in the plane of the outermost voxel centres (like ChimeraX's capped
 * surfaces): every surface is closed. Corners outside `mask` (mask = 0) count as outside too.
 * Vertices are welded per cube edge (one vertex per crossed grid edge, shared by the 4 cubes around
 * it) through per-slab index arrays, so the mesh is a closed 2-manifold by index: every edge is
 * shared by exactly two triangles, which traverse it in opposite directions (tested on white noise,
 * where nearly every cube is ambiguous).
 *
 * ## Cost
 *
 * One pass over z-slabs: two 0/1 planes of corner states, five Int32 planes of edge → vertex
 * indices (validated by vertex-count watermarks instead of being cleared), per-row x ranges of
 * inside corners to skip empty space. Memory beyond the output: ≈ 7 · 4 · (nx+2)(ny+2) bytes.
 * EMD-44046 (360³) at its contour 0.3: 164 k triangles in ≈ 0.25 s CPU; a 360³ sponge with
 * 4.9 M triangles: ≈ 1.3 s (2-core machine, shared).
 */
import type { Volume } from '../volume/volume.ts';

/** An indexed triangle mesh in Å. */
export interface Mesh {
  /** Vertex positions, x, y, z Å per vertex (map frame: origin + index · voxelSize). */
  readonly positions: Float32Array;
  /** Unit vertex normals, 3 per vertex, pointing outward (towards lower map values). */
  readonly normals: Float32Array;
  /** 3 vertex indices per triangle; (b−a)×(c−a) points outward. */
  readonly indices: Uint32Array;
}

/** Options of `isosurface`. */
export interface IsosurfaceOptions {
  /** Only voxels with mask ≠ 0 can be inside (same layout as the map). */
  readonly mask?: Uint8Array;
  /** Voxel stride ≥ 1: use voxels 0, step, 2·step, … on every axis (no smoothing). Default 1. */
  readonly step?: number;
}

// ---------------------------------------------------------------------------------------------
// Cube geometry. Corner c has offsets (c & 1, (c >> 1) & 1, (c >> 2) & 1). Edges 0–3 run along x
// (k = e: dy = k & 1, dz = k >> 1), 4–7 along y (k = e − 4: dx, dz), 8–11 along z (k = e − 8: dx, dy).

const EDGE_LO = new Int8Array(12);
const EDGE_HI = new Int8Array(12);
for (let e = 0; e < 12; e++) {
  const axis = e >> 2;
  const k = e & 3;
  const b0 = k & 1;
  const b1 = k >> 1;
  // The two offsets that are not along `axis`, in increasing axis order.
  const lo = axis === 0 ? (b0 << 1) | (b1 << 2) : axis === 1 ? b0 | (b1 << 2) : b0 | (b1 << 1);
  EDGE_LO[e] = lo;
  EDGE_HI[e] = lo | (1 << axis);
}

function edgeBetween(c1: number, c2: number): number {
  for (let e = 0; e < 12; e++) {
    if ((EDGE_LO[e] === c1 && EDGE_HI[e] === c2) || (EDGE_LO[e] === c2 && EDGE_HI[e] === c1)) return e;
  }
  throw new Error(`corners ${c1} and ${c2} do not share an edge`);
}

/**
 * Face f = 2·axis + side: its 4 corners counter-clockwise seen from outside the cube. With
 * u = axis+1, v = axis+2 (cyclic, so u × v = +axis), (u,v) = (0,0),(1,0),(1,1),(0,1) is
 * counter-clockwise seen from +axis; the side-0 face is seen from −axis, so it takes the reverse.
 */
const FACE_CORNERS: Int8Array = (() => {
  const out = new Int8Array(24);
  for (let axis = 0; axis < 3; axis++) {
    const u = (axis + 1) % 3;
    const v = (axis + 2) % 3;
    for (let side = 0; side < 2; side++) {
      const uv = side === 1 ? [[0, 0], [1, 0], [1, 1], [0, 1]] : [[0, 0], [0, 1], [1, 1], [1, 0]];
      for (let k = 0; k < 4; k++) out[(2 * axis + side) * 4 + k] = (side << axis) | (uv[k][0] << u) | (uv[k][1] << v);
    }
  }
  return out;
})();

/** Per configuration, bit f set when face f has its inside corners on one diagonal only. */
const AMBIGUOUS: Uint8Array = (() => {
  const out = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    for (let f = 0; f < 6; f++) {
      const s0 = (c >> FACE_CORNERS[4 * f]) & 1;
      const s1 = (c >> FACE_CORNERS[4 * f + 1]) & 1;
      const s2 = (c >> FACE_CORNERS[4 * f + 2]) & 1;
      const s3 = (c >> FACE_CORNERS[4 * f + 3]) & 1;
      if (s0 === s2 && s1 === s3 && s0 !== s1) out[c] |= 1 << f;
    }
  }
  return out;
})();

/** Faces (bit f) that each edge lies on. */
const EDGE_FACES: Uint8Array = (() => {
  const out = new Uint8Array(12);
  for (let f = 0; f < 6; f++) {
    for (let k = 0; k < 4; k++) out[edgeBetween(FACE_CORNERS[4 * f + k], FACE_CORNERS[4 * f + ((k + 1) & 3)])] |= 1 << f;
  }
  return out;
})();

/** At most 12 crossed edges → at most 12 triangles per cube (10 for fans, 12 with centre vertices). */
const MAX_TRI = 12;
/** Triangle count per key = config·64 + faceBits; −1 = not built yet. */
const TRI_COUNT = new Int8Array(256 * 64).fill(-1);
/**
 * Vertex codes of the triangles per key, MAX_TRI·3 slots each: 0–11 = the vertex on that cube
 * edge, 12 + m = the m-th centre vertex of the cube (see `buildEntry`).
 */
const TRI_EDGES = new Int8Array(256 * 64 * MAX_TRI * 3);
/** Number of centre vertices per key (0–4). */
const CENTRE_COUNT = new Int8Array(256 * 64);
/** Per key, 4 × (start, length) into CENTRE_EDGES' 12 slots of that key. */
const CENTRE_SPAN = new Int8Array(256 * 64 * 8);
/** Per key, the loop edges of its centre vertices (loops are edge-disjoint: ≤ 12 in all). */
const CENTRE_EDGES = new Int8Array(256 * 64 * 12);

/**
 * Builds the triangles of configuration `config` (bit c = corner c inside) with ambiguous faces
 * decided by `faceBits` (bit f = 1: the inside corners of face f are joined). Writes TRI_COUNT,
 * TRI_EDGES and the centre-vertex tables at key config·64 + faceBits.
 *
 * A loop is triangulated as a fan from the first apex whose diagonals never join two crossings of
 * one cube face: such a chord could also be drawn by the neighbour sharing that face (both see the
 * same crossings), giving an edge used by 4 triangles. Loops with no such apex (only with
 * ambiguous faces: 656 of the 20 936 loops of the table) get a vertex of their own at the loop's
 * centroid and a star around it, which no neighbour can share.
 */
function buildEntry(config: number, faceBits: number): void {
  const next = new Int8Array(12).fill(-1);
  for (let f = 0; f < 6; f++) {
    const q = FACE_CORNERS.subarray(4 * f, 4 * f + 4);
    const exits: number[] = [];
    const entries: number[] = [];
    const crossing = new Int8Array(4).fill(-1); // crossing edge on face side k (q[k] → q[k+1])
    for (let k = 0; k < 4; k++) {
      const a = (config >> q[k]) & 1;
      const b = (config >> q[(k + 1) & 3]) & 1;
      if (a === b) continue;
      crossing[k] = edgeBetween(q[k], q[(k + 1) & 3]);
      (a === 1 ? exits : entries).push(k);
    }
    if (exits.length === 1) {
      next[crossing[exits[0]]] = crossing[entries[0]];
    } else if (exits.length === 2) {
      // Inside joined: each exit continues to the entry after it (the band between the two inside
      // corners); separated: back to the entry before it (cutting each inside corner off).
      const joined = ((faceBits >> f) & 1) === 1;
      for (const k of exits) next[crossing[k]] = crossing[joined ? (k + 1) & 3 : (k + 3) & 3];
    }
  }
  const key = config * 64 + faceBits;
  const base = key * MAX_TRI * 3;
  let n = 0;
  let centres = 0;
  let centreFill = 0;
  const seen = new Uint8Array(12);
  const emit = (a: number, b: number, c: number): void => {
    TRI_EDGES[base + 3 * n] = a;
    TRI_EDGES[base + 3 * n + 1] = b;
    TRI_EDGES[base + 3 * n + 2] = c;
    n++;
  };
  for (let start = 0; start < 12; start++) {
    if (next[start] < 0 || seen[start]) continue;
    const loop: number[] = [];
    for (let e = start; !seen[e]; e = next[e]) {
      seen[e] = 1;
      loop.push(e);
    }
    const len = loop.length;
    let apex = -1;
    for (let a = 0; a < len && apex < 0; a++) {
      let ok = true;
      for (let j = 2; j < len - 1 && ok; j++) ok = (EDGE_FACES[loop[a]] & EDGE_FACES[loop[(a + j) % len]]) === 0;
      if (ok) apex = a;
    }
    // Triangles are emitted reversed: the loop winds counter-clockwise around the inside as seen
    // from outside, and triangles must wind counter-clockwise seen from the outside of the object.
    if (apex >= 0) {
      for (let j = 1; j + 1 < len; j++) emit(loop[apex], loop[(apex + j + 1) % len], loop[(apex + j) % len]);
    } else {
      CENTRE_SPAN[key * 8 + 2 * centres] = centreFill;
      CENTRE_SPAN[key * 8 + 2 * centres + 1] = len;
      for (const e of loop) CENTRE_EDGES[key * 12 + centreFill++] = e;
      for (let j = 0; j < len; j++) emit(12 + centres, loop[(j + 1) % len], loop[j]);
      centres++;
    }
  }
  TRI_COUNT[key] = n;
  CENTRE_COUNT[key] = centres;
}

/** Growable Float32/Uint32 storage for the output (capacity doubles, deterministic). */
class Grow32 {
  f: Float32Array | null;
  u: Uint32Array | null;
  length = 0;
  constructor(float: boolean, cap: number) {
    this.f = float ? new Float32Array(cap) : null;
    this.u = float ? null : new Uint32Array(cap);
  }
  reserve(extra: number): void {
    const cur = (this.f ?? this.u)!;
    if (this.length + extra <= cur.length) return;
    let cap = cur.length * 2;
    while (cap < this.length + extra) cap *= 2;
    if (this.f) {
      const nf = new Float32Array(cap);
      nf.set(this.f.subarray(0, this.length));
      this.f = nf;
    } else {
      const nu = new Uint32Array(cap);
      nu.set(this.u!.subarray(0, this.length));
      this.u = nu;
    }
  }
}

/**
 * The closed isosurface {value = level} of `v` (inside = value ≥ level and mask ≠ 0), by marching
 * cubes on the grid sampled every `step` voxels, capped at the box boundary (see file comment).
 *
 * Vertices: linear interpolation along each crossed grid edge, position in Å
 * (origin + index · voxelSize). Normals: the map gradient by central differences on the sampled
 * grid (one-sided at the box faces), averaged over the 3 × 3 neighbouring grid lines with 1-2-1
 * weights, interpolated along the edge, negated and normalised, so they point towards lower
 * values; cap vertices take the outward box-face normal; centre vertices the mean normal of their
 * loop. A vertex whose edge
 * has a masked-out outside corner whose value is ≥ level (or NaN) sits at the edge midpoint.
 * Triangles wind so that (b−a)×(c−a) points outward. Deterministic: vertices are numbered in scan
 * order (z-slab, then y, then x, then table order).
 *
 * Preconditions: `v.data.length = nx·ny·nz`, `mask` (if given) the same length; `step` integer ≥ 1.
 */
export function isosurface(v: Volume, level: number, opts: IsosurfaceOptions = {}): Mesh {
  const [nx, ny, nz] = v.dims;
  const data = v.data;
  if (data.length !== nx * ny * nz) throw new RangeError(`isosurface: ${data.length} values for ${nx}×${ny}×${nz}`);
  const mask = opts.mask;
  if (mask && mask.length !== data.length) throw new RangeError(`isosurface: mask has ${mask.length} values, map ${data.length}`);
  const step = opts.step ?? 1;
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`isosurface: step must be an integer ≥ 1, got ${step}`);
  if (!Number.isFinite(level)) throw new RangeError(`isosurface: level ${level} is not finite`);

  // Sampled grid (sx, sy, sz) and the padded grid around it (P = sampled + 2, padded p = i + 1).
  const sx = Math.floor((nx - 1) / step) + 1;
  const sy = Math.floor((ny - 1) / step) + 1;
  const sz = Math.floor((nz - 1) / step) + 1;
  const P0 = sx + 2;
  const P1 = sy + 2;
  const P2 = sz + 2;
  const planeSize = P0 * P1;
  const strideY = nx * step;
  const strideZ = nx * ny * step;
  const [ox, oy, oz] = v.origin;
  const hx = v.voxelSize[0] * step;
  const hy = v.voxelSize[1] * step;
  const hz = v.voxelSize[2] * step;

  const pos = new Grow32(true, 1 << 16);
  const nrm = new Grow32(true, 1 << 16);
  const tri = new Grow32(false, 1 << 17);
  let nVert = 0;

  // Corner states of planes pz (A) and pz + 1 (B), with the x range of inside corners per row.
  let planeA = new Uint8Array(planeSize);
  let planeB = new Uint8Array(planeSize);
  let rowMinA = new Int32Array(P1);
  let rowMaxA = new Int32Array(P1);
  let rowMinB = new Int32Array(P1);
  let rowMaxB = new Int32Array(P1);
  let anyA = false;
  let anyB = false;

  /** Fills plane `out` with the states of padded plane pz; returns whether any corner is inside. */
  const fillPlane = (pz: number, out: Uint8Array, rowMin: Int32Array, rowMax: Int32Array): boolean => {
    out.fill(0);
    rowMin.fill(0x7fffffff);
    rowMax.fill(-1);
    if (pz === 0 || pz === P2 - 1) return false;
    let any = false;
    const zBase = strideZ * (pz - 1);
    for (let j = 0; j < sy; j++) {
      const rowBase = zBase + strideY * j;
      const o = P0 * (j + 1) + 1;
      let lo = 0x7fffffff;
      let hi = -1;
      for (let i = 0, src = rowBase; i < sx; i++, src += step) {
        if (data[src] >= level && (mask === undefined || mask[src] !== 0)) {
          out[o + i] = 1;
          if (i < lo) lo = i;
          hi = i;
        }
      }
      if (hi >= 0) {
        rowMin[j + 1] = lo + 1;
        rowMax[j + 1] = hi + 1;
        any = true;
      }
    }
    return any;
  };

  /** Flat voxel index of padded corner (qx, qy, qz), or −1 for a padding corner. */
  const voxelOf = (qx: number, qy: number, qz: number): number => {
    if (qx < 1 || qy < 1 || qz < 1 || qx > sx || qy > sy || qz > sz) return -1;
    return (qx - 1) * step + strideY * (qy - 1) + strideZ * (qz - 1);
  };
  const insideAt = (vi: number): boolean => vi >= 0 && data[vi] >= level && (mask === undefined || mask[vi] !== 0);

  // Gradient (∂v/∂x, ∂v/∂y, ∂v/∂z in map units per Å) at real padded corner (qx, qy, qz), written
  // to g[o..o+2]: central differences on the sampled grid (one-sided at the box faces), each
  // averaged over the 3 × 3 neighbouring lines with weights (1 2 1)⊗(1 2 1)/16. The averaging is
  // there because plain central differences of a noisy map (phantoms: σ = level/8) tilt normals
  // by ~10° per voxel, which the specular highlight turns into a visible voxel-sized pattern.
  const g = new Float64Array(6);
  const W121 = [1, 2, 1];
  const gradientAt = (qx: number, qy: number, qz: number, o: number): void => {
    const i = qx - 1, j = qy - 1, k = qz - 1;
    const ix0 = i > 0 ? i - 1 : 0, ix1 = i < sx - 1 ? i + 1 : sx - 1;
    const iy0 = j > 0 ? j - 1 : 0, iy1 = j < sy - 1 ? j + 1 : sy - 1;
    const iz0 = k > 0 ? k - 1 : 0, iz1 = k < sz - 1 ? k + 1 : sz - 1;
    let gx = 0, gy = 0, gz = 0;
    for (let b = -1; b <= 1; b++) {
      for (let c = -1; c <= 1; c++) {
        const w = W121[b + 1] * W121[c + 1];
        // x differences along the lines (y = j+b, z = k+c), clamped into the box.
        const yb = clamp(j + b, sy), zc = clamp(k + c, sz);
        const rowX = strideY * yb + strideZ * zc;
        gx += w * (data[rowX + step * ix1] - data[rowX + step * ix0]);
        const xb = clamp(i + b, sx);
        const rowY = step * xb + strideZ * zc;
        gy += w * (data[rowY + strideY * iy1] - data[rowY + strideY * iy0]);
        const yc = clamp(j + c, sy);
        const rowZ = step * xb + strideY * yc;
        gz += w * (data[rowZ + strideZ * iz1] - data[rowZ + strideZ * iz0]);
      }
    }
    g[o] = ix1 > ix0 ? gx / (16 * (ix1 - ix0) * hx) : 0;
    g[o + 1] = iy1 > iy0 ? gy / (16 * (iy1 - iy0) * hy) : 0;
    g[o + 2] = iz1 > iz0 ? gz / (16 * (iz1 - iz0) * hz) : 0;
  };
  const clamp = (q: number, n: number): number => (q < 0 ? 0 : q >= n ? n - 1 : q);

  /** New vertex on the grid edge from padded corner (qx, qy, qz) one step along `axis`. */
  const makeVertex = (axis: number, qx: number, qy: number, qz: number): number => {
    const rx = axis === 0 ? qx + 1 : qx;
    const ry = axis === 1 ? qy + 1 : qy;
    const rz = axis === 2 ? qz + 1 : qz;
    const v0 = voxelOf(qx, qy, qz);
    const v1 = voxelOf(rx, ry, rz);
    pos.reserve(3);
    nrm.reserve(3);
    const p = pos.f!;
    const nr = nrm.f!;
    const o = 3 * nVert;
    if (v0 < 0 || v1 < 0) {
      // Cap vertex: at the real (inside) corner, normal out of the box along `axis`.
      const inLow = v1 < 0;
      const cx = inLow ? qx : rx;
      const cy = inLow ? qy : ry;
      const cz = inLow ? qz : rz;
      p[o] = ox + (cx - 1) * hx;
      p[o + 1] = oy + (cy - 1) * hy;
      p[o + 2] = oz + (cz - 1) * hz;
      nr[o] = nr[o + 1] = nr[o + 2] = 0;
      nr[o + axis] = inLow ? 1 : -1;
    } else {
      const a = data[v0];
      const b = data[v1];
      let t = (level - a) / (b - a);
      if (!(t >= 0 && t <= 1)) t = 0.5; // masked-out corner at/above level, or NaN
      const x0 = ox + (qx - 1) * hx;
      const y0 = oy + (qy - 1) * hy;
      const z0 = oz + (qz - 1) * hz;
      p[o] = axis === 0 ? x0 + t * hx : x0;
      p[o + 1] = axis === 1 ? y0 + t * hy : y0;
      p[o + 2] = axis === 2 ? z0 + t * hz : z0;
      gradientAt(qx, qy, qz, 0);
      gradientAt(rx, ry, rz, 3);
      let gx = g[0] + t * (g[3] - g[0]);
      let gy = g[1] + t * (g[4] - g[1]);
      let gz = g[2] + t * (g[5] - g[2]);
      let len = Math.hypot(gx, gy, gz);
      if (!(len > 0)) {
        // Flat or NaN gradient: fall back to the edge direction from inside to outside.
        gx = gy = gz = 0;
        const up = insideAt(v0) ? 1 : -1;
        if (axis === 0) gx = up;
        else if (axis === 1) gy = up;
        else gz = up;
        len = -1;
      }
      nr[o] = -gx / len;
      nr[o + 1] = -gy / len;
      nr[o + 2] = -gz / len;
    }
    pos.length += 3;
    nrm.length += 3;
    return nVert++;
  };

  // Edge → vertex index planes. x- and y-edges of planes pz (…0) and pz+1 (…1), z-edges of the
  // slab. An entry is valid when ≥ the watermark of its plane (vertex count when the plane's
  // first slab began), so the planes never need clearing.
  let xe0 = new Int32Array(planeSize).fill(-1);
  let xe1 = new Int32Array(planeSize).fill(-1);
  let ye0 = new Int32Array(planeSize).fill(-1);
  let ye1 = new Int32Array(planeSize).fill(-1);
  const ze = new Int32Array(planeSize).fill(-1);
  let from0 = 0;
  let from1 = 0;

  let fromZ = 0;

  /** Index of the vertex on edge `e` of cube (px, py, pz), created on first use. */
  const edgeVertex = (e: number, px: number, py: number, pz: number): number => {
    let vi: number;
    if (e < 4) {
      const buf = e < 2 ? xe0 : xe1;
      const slot = px + P0 * (py + (e & 1));
      vi = buf[slot];
      if (vi < (e < 2 ? from0 : from1)) {
        vi = makeVertex(0, px, py + (e & 1), pz + (e >> 1));
        buf[slot] = vi;
      }
    } else if (e < 8) {
      const m = e - 4;
      const buf = m < 2 ? ye0 : ye1;
      const slot = px + (m & 1) + P0 * py;
      vi = buf[slot];
      if (vi < (m < 2 ? from0 : from1)) {
        vi = makeVertex(1, px + (m & 1), py, pz + (m >> 1));
        buf[slot] = vi;
      }
    } else {
      const m = e - 8;
      const slot = px + (m & 1) + P0 * (py + (m >> 1));
      vi = ze[slot];
      if (vi < fromZ) {
        vi = makeVertex(2, px + (m & 1), py + (m >> 1), pz);
        ze[slot] = vi;
      }
    }
    return vi;
  };

  /** The m-th centre vertex of cube (px, py, pz): mean position and mean normal of its loop. */
  const centreIds = new Int32Array(4);
  const makeCentre = (key: number, m: number, px: number, py: number, pz: number): number => {
    const start = CENTRE_SPAN[key * 8 + 2 * m];
    const len = CENTRE_SPAN[key * 8 + 2 * m + 1];
    let x = 0, y = 0, z = 0, gx = 0, gy = 0, gz = 0;
    for (let k = 0; k < len; k++) {
      const o = 3 * edgeVertex(CENTRE_EDGES[key * 12 + start + k], px, py, pz);
      const p = pos.f!;
      const nr = nrm.f!;
      x += p[o]; y += p[o + 1]; z += p[o + 2];
      gx += nr[o]; gy += nr[o + 1]; gz += nr[o + 2];
    }
    pos.reserve(3);
    nrm.reserve(3);
    const o = 3 * nVert;
    pos.f![o] = x / len;
    pos.f![o + 1] = y / len;
    pos.f![o + 2] = z / len;
    const g = Math.hypot(gx, gy, gz) || 1;
    nrm.f![o] = gx / g;
    nrm.f![o + 1] = gy / g;
    nrm.f![o + 2] = gz / g;
    pos.length += 3;
    nrm.length += 3;
    return nVert++;
  };

  const cornerVal = new Float64Array(8);

  anyA = fillPlane(0, planeA, rowMinA, rowMaxA);
  for (let pz = 0; pz < P2 - 1; pz++) {
    anyB = fillPlane(pz + 1, planeB, rowMinB, rowMaxB);
    from1 = nVert; // plane pz+1's vertices and this slab's z-edges are all created from here on
    fromZ = nVert;
    if (anyA || anyB) {
      for (let py = 0; py < P1 - 1; py++) {
        const lo = Math.min(rowMinA[py], rowMinA[py + 1], rowMinB[py], rowMinB[py + 1]);
        const hi = Math.max(rowMaxA[py], rowMaxA[py + 1], rowMaxB[py], rowMaxB[py + 1]);
        if (hi < 0) continue;
        const pxEnd = Math.min(P0 - 2, hi);
        for (let px = Math.max(0, lo - 1); px <= pxEnd; px++) {
          const i = px + P0 * py;
          const j = i + P0;
          const config =
            planeA[i] | (planeA[i + 1] << 1) | (planeA[j] << 2) | (planeA[j + 1] << 3) |
            (planeB[i] << 4) | (planeB[i + 1] << 5) | (planeB[j] << 6) | (planeB[j + 1] << 7);
          if (config === 0 || config === 255) continue;
          let faceBits = 0;
          const amb = AMBIGUOUS[config];
          if (amb !== 0) {
            for (let c = 0; c < 8; c++) {
              const vi = voxelOf(px + (c & 1), py + ((c >> 1) & 1), pz + (c >> 2));
              cornerVal[c] = vi < 0 || (mask !== undefined && mask[vi] === 0) ? NaN : data[vi] - level;
            }
            for (let f = 0; f < 6; f++) {
              if (((amb >> f) & 1) === 0) continue;
              const q0 = FACE_CORNERS[4 * f];
              const q1 = FACE_CORNERS[4 * f + 1];
              const q2 = FACE_CORNERS[4 * f + 2];
              const q3 = FACE_CORNERS[4 * f + 3];
              const p02 = cornerVal[q0] * cornerVal[q2];
              const p13 = cornerVal[q1] * cornerVal[q3];
              // Inside diagonal product ≥ outside diagonal product ⇔ saddle ≥ level (NaN: separate).
              const joined = ((config >> q0) & 1) === 1 ? p02 >= p13 : p13 >= p02;
              if (joined) faceBits |= 1 << f;
            }
          }
          const key = config * 64 + faceBits;
          let nt = TRI_COUNT[key];
          if (nt < 0) {
            buildEntry(config, faceBits);
            nt = TRI_COUNT[key];
          }
          const nc = CENTRE_COUNT[key];
          for (let m = 0; m < nc; m++) centreIds[m] = makeCentre(key, m, px, py, pz);
          tri.reserve(3 * nt);
          const out = tri.u!;
          const base = key * MAX_TRI * 3;
          for (let k = 0; k < 3 * nt; k++) {
            const e = TRI_EDGES[base + k];
            out[tri.length++] = e < 12 ? edgeVertex(e, px, py, pz) : centreIds[e - 12];
          }
        }
      }
    }
    // Plane pz+1 becomes the lower plane; its x/y-edge entries stay valid from `from1` on.
    [planeA, planeB] = [planeB, planeA];
    [rowMinA, rowMinB] = [rowMinB, rowMinA];
    [rowMaxA, rowMaxB] = [rowMaxB, rowMaxA];
    [xe0, xe1] = [xe1, xe0];
    [ye0, ye1] = [ye1, ye0];
    anyA = anyB;
    from0 = from1;
  }
  return {
    positions: pos.f!.slice(0, pos.length),
    normals: nrm.f!.slice(0, nrm.length),
    indices: tri.u!.slice(0, tri.length),
  };
}

/** Number of triangles of a mesh. */
export function triangleCount(mesh: Mesh): number {
  return mesh.indices.length / 3;
}

/**
 * Total area (Å²) of the mesh: Σ |(b−a)×(c−a)| / 2 over triangles, accumulated in float64.
 */
export function meshArea(mesh: Mesh): number {
  const p = mesh.positions;
  const t = mesh.indices;
  let area = 0;
  for (let k = 0; k < t.length; k += 3) {
    const a = 3 * t[k], b = 3 * t[k + 1], c = 3 * t[k + 2];
    const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    const vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
    area += 0.5 * Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
  }
  return area;
}

/**
 * Signed enclosed volume (Å³) by the divergence theorem, Σ a·(b×c)/6 over triangles: positive for a
 * closed mesh wound outward (as `isosurface` makes it), negative if wound inward.
 */
export function meshVolume(mesh: Mesh): number {
  const p = mesh.positions;
  const t = mesh.indices;
  let vol = 0;
  for (let k = 0; k < t.length; k += 3) {
    const a = 3 * t[k], b = 3 * t[k + 1], c = 3 * t[k + 2];
    const ax = p[a], ay = p[a + 1], az = p[a + 2];
    const bx = p[b], by = p[b + 1], bz = p[b + 2];
    const cx = p[c], cy = p[c + 1], cz = p[c + 2];
    vol += ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
  }
  return vol / 6;
}
