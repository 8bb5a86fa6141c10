import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { isosurface, meshArea, meshVolume, type Mesh } from './marching-cubes.ts';

/** Smooth ball: 1/(1 + exp((r − R)/w)), exactly 0.5 on the sphere r = R (Å). */
function ball(dims: Vec3, voxel: Vec3, origin: Vec3, centre: Vec3, R: number, w: number): Volume {
  const [nx, ny, nz] = dims;
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const r = Math.hypot(origin[0] + x * voxel[0] - centre[0], origin[1] + y * voxel[1] - centre[1], origin[2] + z * voxel[2] - centre[2]);
        data[x + nx * (y + ny * z)] = 1 / (1 + Math.exp((r - R) / w));
      }
    }
  }
  return { dims, voxelSize: voxel, origin, data };
}

/**
 * Topology of a triangle mesh by vertex index: how many undirected edges are not used by exactly
 * two triangles, how many directed edges occur other than exactly once, and V − E + F.
 */
function topology(m: Mesh): { nonManifold: number; badDirected: number; euler: number } {
  const t = m.indices;
  const nV = m.positions.length / 3;
  const directed = new Map<number, number>();
  for (let k = 0; k < t.length; k += 3) {
    for (let e = 0; e < 3; e++) {
      const a = t[k + e];
      const b = t[k + ((e + 1) % 3)];
      const key = a * nV + b;
      directed.set(key, (directed.get(key) ?? 0) + 1);
    }
  }
  let badDirected = 0;
  const undirected = new Map<number, number>();
  for (const [key, n] of directed) {
    const a = Math.floor(key / nV);
    const b = key % nV;
    if (n !== 1 || directed.get(b * nV + a) !== 1) badDirected++;
    const u = Math.min(a, b) * nV + Math.max(a, b);
    undirected.set(u, (undirected.get(u) ?? 0) + n);
  }
  let nonManifold = 0;
  for (const n of undirected.values()) if (n !== 2) nonManifold++;
  return { nonManifold, badDirected, euler: nV - undirected.size + t.length / 3 };
}

describe('isosurface of a smooth sphere', () => {
  // 64³ grid of 1 Å voxels, R = 20 Å, edge width 1.5 Å, centre off the grid points.
  const c: Vec3 = [31.3, 32.1, 30.7];
  const v = ball([64, 64, 64], [1, 1, 1], [0, 0, 0], c, 20, 1.5);
  const m = isosurface(v, 0.5);

  it('has the area 4πR² and volume 4/3πR³ within 2 %', () => {
    expect(Math.abs(meshArea(m) / (4 * Math.PI * 400) - 1)).toBeLessThan(0.02);
    // Positive: triangles wind outward (right-hand normal towards lower values).
    expect(Math.abs(meshVolume(m) / ((4 / 3) * Math.PI * 8000) - 1)).toBeLessThan(0.02);
  });

  it('is a closed, consistently oriented sphere: each edge in two triangles, once each way, V − E + F = 2', () => {
    expect(topology(m)).toEqual({ nonManifold: 0, badDirected: 0, euler: 2 });
  });

  it('has every vertex on the sphere and gradient normals pointing outward', () => {
    const p = m.positions;
    const n = m.normals;
    let worstR = 0;
    let worstDot = 1;
    for (let i = 0; i < p.length; i += 3) {
      const dx = p[i] - c[0], dy = p[i + 1] - c[1], dz = p[i + 2] - c[2];
      const r = Math.hypot(dx, dy, dz);
      worstR = Math.max(worstR, Math.abs(r - 20));
      worstDot = Math.min(worstDot, (dx * n[i] + dy * n[i + 1] + dz * n[i + 2]) / r);
      expect(Math.hypot(n[i], n[i + 1], n[i + 2])).toBeCloseTo(1, 5);
    }
    expect(worstR).toBeLessThan(0.1);
    expect(worstDot).toBeGreaterThan(0.999);
  });

  it('winds every triangle so that its face normal points away from the centre', () => {
    const p = m.positions;
    const t = m.indices;
    let inward = 0;
    for (let k = 0; k < t.length; k += 3) {
      const a = 3 * t[k], b = 3 * t[k + 1], d = 3 * t[k + 2];
      const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
      const wx = p[d] - p[a], wy = p[d + 1] - p[a + 1], wz = p[d + 2] - p[a + 2];
      const nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
      if (nx * (p[a] - c[0]) + ny * (p[a + 1] - c[1]) + nz * (p[a + 2] - c[2]) < 0) inward++;
    }
    expect(inward).toBe(0);
  });
});

describe('isosurface in Å on anisotropic grids, with a stride, and at the box boundary', () => {
  it('places the surface in Å with anisotropic voxels and an origin', () => {
    // R = 18 Å ball on a 0.8 × 1.0 × 1.3 Å grid with origin (−30, −35, −40).
    const v = ball([76, 64, 56], [0.8, 1, 1.3], [-30, -35, -40], [0.4, -2.3, -3.1], 18, 1.5);
    const m = isosurface(v, 0.5);
    expect(Math.abs(meshArea(m) / (4 * Math.PI * 18 * 18) - 1)).toBeLessThan(0.02);
    expect(Math.abs(meshVolume(m) / ((4 / 3) * Math.PI * 18 ** 3) - 1)).toBeLessThan(0.02);
    expect(topology(m)).toEqual({ nonManifold: 0, badDirected: 0, euler: 2 });
  });

  it('decimates with step 2 (every other voxel) and keeps the geometry within 3 %', () => {
    const v = ball([64, 64, 64], [1, 1, 1], [0, 0, 0], [31.3, 32.1, 30.7], 20, 2.5);
    const full = isosurface(v, 0.5);
    const half = isosurface(v, 0.5, { step: 2 });
    expect(half.indices.length).toBeLessThan(full.indices.length / 3);
    expect(Math.abs(meshArea(half) / (4 * Math.PI * 400) - 1)).toBeLessThan(0.03);
    expect(topology(half)).toEqual({ nonManifold: 0, badDirected: 0, euler: 2 });
  });

  it('caps a ball cut by the box face: half sphere + disc, closed', () => {
    // Centre on the x = 0 voxel plane: the part inside the box is a half ball, capped by a disc
    // of radius R in the plane x = 0. Area 2πR² + πR², volume 2/3·πR³.
    const R = 16;
    const v = ball([40, 64, 64], [1, 1, 1], [0, 0, 0], [0, 31.5, 32.2], R, 1.5);
    const m = isosurface(v, 0.5);
    expect(Math.abs(meshArea(m) / (3 * Math.PI * R * R) - 1)).toBeLessThan(0.02);
    expect(Math.abs(meshVolume(m) / ((2 / 3) * Math.PI * R ** 3) - 1)).toBeLessThan(0.02);
    expect(topology(m)).toEqual({ nonManifold: 0, badDirected: 0, euler: 2 });
    // Cap normals point out of the box (−x).
    let capVertices = 0;
    for (let i = 0; i < m.positions.length; i += 3) {
      if (m.positions[i] === 0 && m.normals[i] === -1) capVertices++;
    }
    expect(capVertices).toBeGreaterThan(100);
  });

  it('respects a mask: masked-out voxels are outside', () => {
    const v = ball([48, 48, 48], [1, 1, 1], [0, 0, 0], [23.5, 23.5, 23.5], 15, 1.5);
    const mask = new Uint8Array(v.data.length);
    // Keep only z ≤ 23: the ball is cut in half, the cut capped between z = 23 and z = 24.
    for (let i = 0; i < mask.length; i++) mask[i] = Math.floor(i / (48 * 48)) <= 23 ? 1 : 0;
    const m = isosurface(v, 0.5, { mask });
    let maxZ = -Infinity;
    for (let i = 2; i < m.positions.length; i += 3) maxZ = Math.max(maxZ, m.positions[i]);
    expect(maxZ).toBeCloseTo(23.5, 5); // cut vertices sit midway on the masked edges
    expect(Math.abs(meshVolume(m) / ((2 / 3) * Math.PI * 15 ** 3) - 1)).toBeLessThan(0.03);
    expect(topology(m)).toEqual({ nonManifold: 0, badDirected: 0, euler: 2 });
  });
});

describe('isosurface of noise (every ambiguous configuration)', () => {
  // White noise makes most cubes ambiguous: the asymptotic decider must agree across shared faces
  // and loops without a safe fan apex must get their centre vertex, or edges go unmatched.
  const n = 18;
  const rnd = mulberry32(7);
  const data = new Float32Array(n * n * n);
  for (let i = 0; i < data.length; i++) data[i] = rnd();
  const v: Volume = { dims: [n, n, n], voxelSize: [1, 1.5, 0.7], origin: [2, -3, 5], data };
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = rnd() < 0.8 ? 1 : 0;

  for (const [name, opts] of [['plain', {}], ['masked', { mask }], ['step 3', { step: 3 }]] as const) {
    it(`is a closed 2-manifold (${name})`, () => {
      const m = isosurface(v, 0.5, opts);
      expect(m.indices.length).toBeGreaterThan(1000 / (name === 'step 3' ? 20 : 1));
      const topo = topology(m);
      expect(topo.nonManifold).toBe(0);
      expect(topo.badDirected).toBe(0);
      expect(meshVolume(m)).toBeGreaterThan(0);
    });
  }

  it('is deterministic', () => {
    const a = isosurface(v, 0.5, { mask });
    const b = isosurface(v, 0.5, { mask });
    expect(Buffer.from(a.positions.buffer).equals(Buffer.from(b.positions.buffer))).toBe(true);
    expect(Buffer.from(a.indices.buffer).equals(Buffer.from(b.indices.buffer))).toBe(true);
  });

  it('returns an empty mesh when nothing reaches the level', () => {
    const m = isosurface(v, 2);
    expect(m.indices.length).toBe(0);
    expect(m.positions.length).toBe(0);
  });
});
