/**
 * The sphere triangulation (a closed, outward surface: Euler's formula, the area and volume of
 * the unit sphere) and Wadell's sphericity against the closed forms for spheroids.
 */
import { describe, expect, it } from 'vitest';
import { fibonacciHemisphere } from './conical-fsc.ts';
import { antipodalSphericity, sphereTriangulation, sphericity, starSurfaceMeasures } from './sphericity.ts';

/** The hemisphere set and its antipodes. */
function fullSphere(n: number): Float64Array {
  const h = fibonacciHemisphere(n);
  return Float64Array.from([...h, ...h.map((x) => -x)]);
}

/** Closed-form sphericity of the spheroid with semi-axes 1, 1, c. */
function spheroidSphericity(c: number): number {
  const volume = (4 * Math.PI * c) / 3;
  let area: number;
  if (c < 1) {
    const e = Math.sqrt(1 - c * c);
    area = 2 * Math.PI * (1 + ((c * c) / e) * Math.atanh(e));
  } else {
    const e = Math.sqrt(1 - 1 / (c * c));
    area = 2 * Math.PI * (1 + (c * Math.asin(e)) / e);
  }
  return sphericity(volume, area);
}

describe('sphereTriangulation', () => {
  it('1000 points: 1996 triangles (Euler: F = 2V − 4), every edge shared by two faces in opposite directions, outward normals', () => {
    const pts = fullSphere(500);
    const tri = sphereTriangulation(pts);
    expect(tri.length / 3).toBe(2 * 1000 - 4);
    const edges = new Map<string, number>();
    for (let t = 0; t < tri.length; t += 3) {
      for (const [a, b] of [[tri[t], tri[t + 1]], [tri[t + 1], tri[t + 2]], [tri[t + 2], tri[t]]]) edges.set(`${a}>${b}`, (edges.get(`${a}>${b}`) ?? 0) + 1);
    }
    for (const [key, count] of edges) {
      expect(count).toBe(1);
      const [a, b] = key.split('>');
      expect(edges.get(`${b}>${a}`)).toBe(1);
    }
    const ones = new Float64Array(1000).fill(1);
    const { volume, area } = starSurfaceMeasures(pts, ones, tri);
    // An inscribed polyhedron: a little less than the sphere's 4π/3 and 4π.
    expect(volume).toBeGreaterThan(0.99 * (4 * Math.PI) / 3);
    expect(volume).toBeLessThan((4 * Math.PI) / 3);
    expect(area).toBeGreaterThan(0.99 * 4 * Math.PI);
    expect(area).toBeLessThan(4 * Math.PI);
  });
});

describe('sphericity', () => {
  it('a sphere gives 1 to 1e-3 at any radius; spheroids their closed form to 2e-3', () => {
    const h = fibonacciHemisphere(500);
    const radial = (f: (ux: number, uy: number, uz: number) => number) => Float64Array.from({ length: 500 }, (_, i) => f(h[3 * i], h[3 * i + 1], h[3 * i + 2]));
    expect(Math.abs(antipodalSphericity(h, radial(() => 0.25)) - 1)).toBeLessThan(1e-3);
    for (const c of [2 / 3, 0.5, 1.5]) {
      // Radius of the spheroid x² + y² + z²/c² = 1 along u.
      const psi = antipodalSphericity(h, radial((x, y, z) => 1 / Math.sqrt(x * x + y * y + (z * z) / (c * c))));
      const exact = spheroidSphericity(c);
      console.log(`spheroid c = ${c.toFixed(3)}: Ψ ${psi.toFixed(4)}, closed form ${exact.toFixed(4)}`);
      expect(Math.abs(psi - exact)).toBeLessThan(2e-3);
    }
  });
});
