/**
 * Sphericity of a closed star-shaped surface given by its radius along a set of directions
 * (1.h: the surface of the per-direction 0.143 frequencies). Wadell's sphericity
 *   Ψ = π^(1/3)·(6V)^(2/3) / A,
 * 1 for a sphere and smaller for any other shape of the same volume, from the volume V and area A
 * of the polyhedron whose vertices are the radii r_i·u_i, triangulated as the convex hull of the
 * unit directions u_i (which, for points on a sphere, is their spherical Delaunay triangulation).
 */

/**
 * Triangles of the convex hull of points on the unit sphere (3 numbers per point), 3 vertex
 * indices each, counter-clockwise seen from outside. Incremental hull: each point removes the
 * faces it sees and closes the hole with faces to the horizon edges. The points must surround
 * the origin (an antipodal set does) and no four of them may be coplanar with the origin side.
 */
export function sphereTriangulation(points: Float64Array): Int32Array {
  const n = points.length / 3;
  if (n < 4) throw new RangeError(`sphereTriangulation: ${n} points cannot enclose a volume`);
  const P = (i: number): [number, number, number] => [points[3 * i], points[3 * i + 1], points[3 * i + 2]];
  // Faces as flat arrays (a hull of n points has 2n − 4 faces; removed ones stay, marked dead):
  // vertices, unit outward normal and offset, so that the visibility test is one dot product.
  const maxFaces = 8 * n;
  const fv = new Int32Array(3 * maxFaces);
  const fn = new Float64Array(4 * maxFaces);
  const alive = new Uint8Array(maxFaces);
  let count = 0;
  /** Owner face of each directed edge a→b, key a·n + b. */
  const owner = new Map<number, number>();
  const start = initialTetrahedron(points);
  const inside = centroid(start.map(P));
  const addFace = (a: number, b: number, c: number): void => {
    if (count === maxFaces) throw new RangeError('sphereTriangulation: too many faces (points not in convex position)');
    let [nb, nc] = [b, c];
    let normal = cross(sub(P(nb), P(a)), sub(P(nc), P(a)));
    if (dot(normal, sub(P(a), inside)) < 0) {
      [nb, nc] = [nc, nb];
      normal = [-normal[0], -normal[1], -normal[2]];
    }
    const len = norm(normal);
    const f = count++;
    fv.set([a, nb, nc], 3 * f);
    fn.set([normal[0] / len, normal[1] / len, normal[2] / len, dot(normal, P(a)) / len], 4 * f);
    alive[f] = 1;
    owner.set(a * n + nb, f);
    owner.set(nb * n + nc, f);
    owner.set(nc * n + a, f);
  };
  const [i0, i1, i2, i3] = start;
  addFace(i0, i1, i2);
  addFace(i0, i1, i3);
  addFace(i0, i2, i3);
  addFace(i1, i2, i3);
  const used = new Set(start);
  for (let p = 0; p < n; p++) {
    if (used.has(p)) continue;
    const qx = points[3 * p], qy = points[3 * p + 1], qz = points[3 * p + 2];
    const visible: number[] = [];
    for (let f = 0; f < count; f++) {
      if (alive[f] && fn[4 * f] * qx + fn[4 * f + 1] * qy + fn[4 * f + 2] * qz - fn[4 * f + 3] > 1e-12) visible.push(f);
    }
    if (visible.length === 0) continue; // inside (a duplicate point): not a vertex
    const seen = new Set(visible);
    const horizon: [number, number][] = [];
    for (const f of visible) {
      const [a, b, c] = fv.subarray(3 * f, 3 * f + 3);
      for (const [u, w] of [[a, b], [b, c], [c, a]] as const) {
        if (!seen.has(owner.get(w * n + u) as number)) horizon.push([u, w]);
      }
    }
    for (const f of visible) {
      const [a, b, c] = fv.subarray(3 * f, 3 * f + 3);
      alive[f] = 0;
      for (const [u, w] of [[a, b], [b, c], [c, a]] as const) if (owner.get(u * n + w) === f) owner.delete(u * n + w);
    }
    for (const [u, w] of horizon) addFace(u, w, p);
  }
  const out: number[] = [];
  for (let f = 0; f < count; f++) if (alive[f]) out.push(fv[3 * f], fv[3 * f + 1], fv[3 * f + 2]);
  return Int32Array.from(out);
}

/** Four points spanning a tetrahedron: a first point, the farthest from it, the farthest from their line, the farthest from their plane. */
function initialTetrahedron(points: Float64Array): [number, number, number, number] {
  const n = points.length / 3;
  const P = (i: number): [number, number, number] => [points[3 * i], points[3 * i + 1], points[3 * i + 2]];
  const farthest = (score: (q: [number, number, number]) => number): number => {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      const s = score(P(i));
      if (s > bestScore) [best, bestScore] = [i, s];
    }
    return best;
  };
  const a = 0;
  const b = farthest((q) => norm(sub(q, P(a))));
  const ab = sub(P(b), P(a));
  const c = farthest((q) => norm(cross(ab, sub(q, P(a)))));
  const normal = cross(ab, sub(P(c), P(a)));
  const d = farthest((q) => Math.abs(dot(normal, sub(q, P(a)))));
  if (Math.abs(dot(normal, sub(P(d), P(a)))) < 1e-12) throw new RangeError('sphereTriangulation: the points are coplanar');
  return [a, b, c, d];
}

/** Volume (Å³ if radii are in Å) and area of the polyhedron with vertices radii[i]·u_i on the triangles of `tri`. */
export function starSurfaceMeasures(units: Float64Array, radii: ArrayLike<number>, tri: Int32Array): { volume: number; area: number } {
  const V = (i: number): [number, number, number] => [units[3 * i] * radii[i], units[3 * i + 1] * radii[i], units[3 * i + 2] * radii[i]];
  let volume = 0;
  let area = 0;
  for (let t = 0; t < tri.length; t += 3) {
    const a = V(tri[t]), b = V(tri[t + 1]), c = V(tri[t + 2]);
    volume += dot(a, cross(b, c)) / 6;
    area += norm(cross(sub(b, a), sub(c, a))) / 2;
  }
  return { volume, area };
}

/** Wadell's sphericity π^(1/3)(6V)^(2/3)/A. */
export function sphericity(volume: number, area: number): number {
  return (Math.cbrt(Math.PI) * Math.cbrt(6 * volume) ** 2) / area;
}

/**
 * Sphericity of the centrally symmetric surface with radius radii[i] along ±u_i, the u_i given on
 * a hemisphere (3 numbers each): the surface of an axial quantity such as a resolution per cone.
 */
export function antipodalSphericity(hemisphere: Float64Array, radii: ArrayLike<number>): number {
  const n = hemisphere.length / 3;
  const units = new Float64Array(6 * n);
  const r = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      units[3 * i + k] = hemisphere[3 * i + k];
      units[3 * (n + i) + k] = -hemisphere[3 * i + k];
    }
    r[i] = r[n + i] = radii[i];
  }
  const { volume, area } = starSurfaceMeasures(units, r, sphereTriangulation(units));
  return sphericity(volume, area);
}

type V3 = readonly [number, number, number];
const sub = (a: V3, b: V3): [number, number, number] => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): [number, number, number] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: V3): number => Math.hypot(a[0], a[1], a[2]);
const centroid = (ps: V3[]): [number, number, number] => [0, 1, 2].map((k) => ps.reduce((s, p) => s + p[k], 0) / ps.length) as [number, number, number];

/**
 * Mean of `values` over the directions within `angle` (radians) of ±u_i, for each i (the
 * directions on a hemisphere, 3 numbers each; NaN values left out): an axial quantity smoothed
 * on the sphere.
 */
export function smoothAxial(hemisphere: Float64Array, values: ArrayLike<number>, angle: number): Float64Array {
  const n = hemisphere.length / 3;
  const cosA = Math.cos(angle);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let count = 0;
    for (let j = 0; j < n; j++) {
      const c = Math.abs(hemisphere[3 * i] * hemisphere[3 * j] + hemisphere[3 * i + 1] * hemisphere[3 * j + 1] + hemisphere[3 * i + 2] * hemisphere[3 * j + 2]);
      if (c >= cosA && Number.isFinite(values[j])) {
        sum += values[j];
        count++;
      }
    }
    out[i] = count > 0 ? sum / count : Number.NaN;
  }
  return out;
}
