import { describe, expect, it } from 'vitest';
import type { AtomModel } from '../io/model.ts';
import {
  ALPHA_HELIX, BACKBONE_GEOMETRY, BETA_STRAND, CA_CA_DISTANCE, CB_GEOMETRY,
  angleDeg, backboneSegment, betaSheet, helixBundle, idealHelix, idealStrand, mirrorModel,
  placeAtom, proceduralProtein, torsionDeg,
} from './protein.ts';

/** Flat xyz of the atoms named `name`, in order. */
function atomsNamed(m: AtomModel, name: string): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < m.count; i++) if (m.atomName[i] === name) out.push(m.x[i], m.y[i], m.z[i]);
  return Float64Array.from(out);
}

function dist(p: ArrayLike<number>, i: number, j: number): number {
  return Math.hypot(p[3 * i] - p[3 * j], p[3 * i + 1] - p[3 * j + 1], p[3 * i + 2] - p[3 * j + 2]);
}

/**
 * Screw sense of the CA trace: (d1 × d2)·d3 with dk = CA(i+k) − CA(i+k−1).
 * Hand calculation for the right-handed helix P(t) = (cos t, sin t, h·t), h > 0 (counter-clockwise
 * seen from +z while rising along +z: right-hand rule, thumb along the axis), sampled at
 * t = 0, 90°, 180°, 270°: P0 = (1, 0, 0), P1 = (0, 1, h), P2 = (−1, 0, 2h), P3 = (0, −1, 3h);
 * d1 = (−1, 1, h), d2 = (−1, −1, h), d3 = (1, −1, h); d1 × d2 = (2h, 0, 2); (d1 × d2)·d3 = 4h > 0.
 * So right-handed ⇔ positive (and mirroring flips the sign).
 */
function screwSense(ca: Float64Array, i: number): number {
  const d = (k: number, c: number) => ca[3 * (i + k) + c] - ca[3 * (i + k - 1) + c];
  const a = [d(1, 0), d(1, 1), d(1, 2)], b = [d(2, 0), d(2, 1), d(2, 2)], c = [d(3, 0), d(3, 1), d(3, 2)];
  return (a[1] * b[2] - a[2] * b[1]) * c[0] + (a[2] * b[0] - a[0] * b[2]) * c[1] + (a[0] * b[1] - a[1] * b[0]) * c[2];
}

/** Rise per residue and residues per turn of an ideal helix, from its CA trace (bisector method). */
function helixParameters(ca: Float64Array, i: number): { rise: number; perTurn: number } {
  const bis = (k: number) => [0, 1, 2].map((c) => ca[3 * (k - 1) + c] + ca[3 * (k + 1) + c] - 2 * ca[3 * k + c]);
  const b1 = bis(i), b2 = bis(i + 1);
  const ax = [b1[1] * b2[2] - b1[2] * b2[1], b1[2] * b2[0] - b1[0] * b2[2], b1[0] * b2[1] - b1[1] * b2[0]];
  const l = Math.hypot(ax[0], ax[1], ax[2]);
  const step = [0, 1, 2].map((c) => ca[3 * (i + 1) + c] - ca[3 * i + c]);
  const rise = Math.abs((step[0] * ax[0] + step[1] * ax[1] + step[2] * ax[2]) / l);
  const cos = (b1[0] * b2[0] + b1[1] * b2[1] + b1[2] * b2[2]) / (Math.hypot(b1[0], b1[1], b1[2]) * Math.hypot(b2[0], b2[1], b2[2]));
  return { rise, perTurn: 360 / (Math.acos(cos) * 180 / Math.PI) };
}

describe('placeAtom and torsionDeg (NeRF, IUPAC convention)', () => {
  it('measures +90° for a hand-checked clockwise torsion', () => {
    // a = (0,1,0), b = 0, c = (1,0,0), d = (1,0,1). Looking from b along +x, +y is up and +z is to
    // the right (y × z = x points away from the viewer); the front bond (up) reaches the back bond
    // (right) by a 90° clockwise turn: IUPAC torsion +90°.
    const p = Float64Array.of(0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1);
    expect(torsionDeg(p, 0, 3, 6, 9)).toBeCloseTo(90, 10);
    expect(angleDeg(p, 0, 3, 6)).toBeCloseTo(90, 10);
  });

  it('places an atom with the requested bond, angle and torsion', () => {
    const p = new Float64Array(12);
    p.set([0.3, 1.2, -0.4, 0, 0, 0, 1.5, 0.2, 0.1]);
    for (const tors of [-179, -122.6, -60, 0, 47, 90, 135, 180]) {
      placeAtom(p, 0, 3, 6, 1.33, 116.2, tors, p, 9);
      expect(dist(p, 2, 3)).toBeCloseTo(1.33, 12);
      expect(angleDeg(p, 3, 6, 9)).toBeCloseTo(116.2, 9);
      const t = torsionDeg(p, 0, 3, 6, 9);
      expect(Math.abs(((t - tors + 540) % 360) - 180)).toBeLessThan(1e-9);
    }
  });
});

describe('backboneSegment', () => {
  it('has the standard bond lengths, angles and the requested φ, ψ, ω', () => {
    const g = BACKBONE_GEOMETRY;
    const s = backboneSegment(10, ALPHA_HELIX.phi, ALPHA_HELIX.psi);
    const at = (res: number, a: number) => 3 * (4 * res + a); // a: 0 N, 1 CA, 2 C, 3 O
    for (let r = 1; r < 9; r++) {
      const d = (i: number, j: number) => Math.hypot(s[i] - s[j], s[i + 1] - s[j + 1], s[i + 2] - s[j + 2]);
      expect(d(at(r, 0), at(r, 1))).toBeCloseTo(g.bondNCa, 10);
      expect(d(at(r, 1), at(r, 2))).toBeCloseTo(g.bondCaC, 10);
      expect(d(at(r, 2), at(r + 1, 0))).toBeCloseTo(g.bondCN, 10);
      expect(d(at(r, 2), at(r, 3))).toBeCloseTo(g.bondCO, 10);
      expect(angleDeg(s, at(r, 0), at(r, 1), at(r, 2))).toBeCloseTo(g.angleNCaC, 8);
      expect(angleDeg(s, at(r, 1), at(r, 2), at(r + 1, 0))).toBeCloseTo(g.angleCaCN, 8);
      expect(angleDeg(s, at(r, 2), at(r + 1, 0), at(r + 1, 1))).toBeCloseTo(g.angleCNCa, 8);
      expect(torsionDeg(s, at(r - 1, 2), at(r, 0), at(r, 1), at(r, 2))).toBeCloseTo(ALPHA_HELIX.phi, 8);
      expect(torsionDeg(s, at(r, 0), at(r, 1), at(r, 2), at(r + 1, 0))).toBeCloseTo(ALPHA_HELIX.psi, 8);
      expect(Math.abs(torsionDeg(s, at(r, 1), at(r, 2), at(r + 1, 0), at(r + 1, 1)))).toBeCloseTo(180, 8);
    }
    // The peptide plane: O trans to N(i+1) about CA–C.
    expect(Math.abs(torsionDeg(s, at(3, 3), at(3, 2), at(3, 1), at(4, 0)) - 0)).toBeGreaterThan(170);
    expect(CA_CA_DISTANCE).toBeCloseTo(3.80, 2);
  });
});

describe('idealHelix', () => {
  const h = idealHelix(20);
  const ca = atomsNamed(h, 'CA');
  it('is right-handed: positive CA screw sense, negative after mirroring', () => {
    for (let i = 0; i + 3 < 20; i++) expect(screwSense(ca, i)).toBeGreaterThan(20);
    const m = atomsNamed(mirrorModel(h), 'CA');
    for (let i = 0; i + 3 < 20; i++) expect(screwSense(m, i)).toBeLessThan(-20);
  });

  it('has α-helix geometry: CA–CA 3.80 Å, CA(i)–CA(i+4) ≈ 6.2 Å, 3.6 residues/turn, 1.5 Å rise', () => {
    for (let i = 0; i + 1 < 20; i++) expect(dist(ca, i, i + 1)).toBeCloseTo(3.80, 2);
    // With N-CA-C = 111.2° (not Pauling's 110°) the ideal φ/ψ give 6.40 Å, 3.62 residues/turn,
    // 1.56 Å rise (pitch 5.64 Å); the textbook values are 6.2, 3.6, 1.5 (5.4).
    for (let i = 0; i + 4 < 20; i++) expect(Math.abs(dist(ca, i, i + 4) - 6.2)).toBeLessThan(0.25);
    const { rise, perTurn } = helixParameters(ca, 8);
    expect(Math.abs(rise - 1.5)).toBeLessThan(0.1);
    expect(Math.abs(perTurn - 3.6)).toBeLessThan(0.05);
    expect(Math.abs(rise * perTurn - 5.4)).toBeLessThan(0.3);
  });

  it('is centred with its axis along z', () => {
    let cx = 0, cy = 0, cz = 0;
    for (let i = 0; i < h.count; i++) { cx += h.x[i]; cy += h.y[i]; cz += h.z[i]; }
    expect(Math.hypot(cx, cy, cz) / h.count).toBeLessThan(1e-4);
    const ext = (a: Float32Array) => Math.max(...a) - Math.min(...a);
    expect(ext(h.z)).toBeGreaterThan(25);
  });
});

describe('idealStrand', () => {
  it('rises ≈ 3.3 Å per residue: CA(i)–CA(i+4) ≈ 13 Å', () => {
    const ca = atomsNamed(idealStrand(10), 'CA');
    for (let i = 0; i + 1 < 10; i++) expect(dist(ca, i, i + 1)).toBeCloseTo(3.80, 2);
    for (let i = 0; i + 4 < 10; i++) expect(Math.abs(dist(ca, i, i + 4) - 13)).toBeLessThan(0.6);
    expect(Math.abs(dist(ca, 0, 8) / 8 - 3.3)).toBeLessThan(0.15);
  });

  it('uses the β torsions', () => {
    const s = backboneSegment(5, BETA_STRAND.phi, BETA_STRAND.psi);
    expect(torsionDeg(s, 3 * 6, 3 * 8, 3 * 9, 3 * 10)).toBeCloseTo(BETA_STRAND.phi, 8);
  });
});

describe('side chains', () => {
  it('have L chirality: positive (N−CA)·((C−CA)×(CB−CA)) and C-N-CA-CB = −122.6°', () => {
    const m = proceduralProtein({ seed: 5 });
    const byRes = new Map<number, Record<string, number[]>>();
    for (let i = 0; i < m.count; i++) {
      const r = byRes.get(m.resSeq[i]) ?? {};
      r[m.atomName[i]] = [m.x[i], m.y[i], m.z[i]];
      byRes.set(m.resSeq[i], r);
    }
    let n = 0;
    for (const r of byRes.values()) {
      if (!r.CB) continue;
      const p = Float64Array.from([...r.C, ...r.N, ...r.CA, ...r.CB]);
      expect(torsionDeg(p, 0, 3, 6, 9)).toBeCloseTo(CB_GEOMETRY.torsion, 2);
      const u = [0, 1, 2].map((k) => r.N[k] - r.CA[k]);
      const v = [0, 1, 2].map((k) => r.C[k] - r.CA[k]);
      const w = [0, 1, 2].map((k) => r.CB[k] - r.CA[k]);
      const vol = u[0] * (v[1] * w[2] - v[2] * w[1]) + u[1] * (v[2] * w[0] - v[0] * w[2]) + u[2] * (v[0] * w[1] - v[1] * w[0]);
      expect(vol).toBeGreaterThan(1.5); // D-amino acids give ≈ −2.5 Å³
      n++;
    }
    expect(n).toBeGreaterThan(100);
  });
});

/** Checks shared by every assembled model: chain geometry, clashes, atoms per residue. */
function checkChain(m: AtomModel): { residues: number } {
  const ca = atomsNamed(m, 'CA'), c = atomsNamed(m, 'C'), n = atomsNamed(m, 'N');
  const residues = ca.length / 3;
  for (let i = 0; i + 1 < residues; i++) {
    expect(dist(ca, i, i + 1)).toBeCloseTo(CA_CA_DISTANCE, 4);
    expect(Math.hypot(c[3 * i] - n[3 * i + 3], c[3 * i + 1] - n[3 * i + 4], c[3 * i + 2] - n[3 * i + 5])).toBeCloseTo(1.329, 3);
  }
  // No two heavy atoms of non-adjacent residues closer than 2.0 Å.
  let minD = Infinity;
  for (let i = 0; i < m.count; i++) {
    for (let j = i + 1; j < m.count; j++) {
      if (Math.abs(m.resSeq[i] - m.resSeq[j]) <= 1) continue;
      const d = Math.hypot(m.x[i] - m.x[j], m.y[i] - m.y[j], m.z[i] - m.z[j]);
      if (d < minD) minD = d;
    }
  }
  expect(minD).toBeGreaterThan(2.0);
  const perResidue = m.count / residues;
  expect(perResidue).toBeGreaterThan(6.7);
  expect(perResidue).toBeLessThan(8.2);
  return { residues };
}

describe('helixBundle', () => {
  it('joins 4 helices into one chain with short loops and no clashes', () => {
    const m = helixBundle({ helices: 4, residuesPerHelix: 16, seed: 2 });
    const { residues } = checkChain(m);
    expect(residues).toBeGreaterThan(64);
    expect(residues).toBeLessThan(64 + 3 * 8);
    // Neighbouring helix axes ≈ 10 Å apart: the bundle is ≈ 2 × 10 Å + a helix wide.
    const w = Math.max(...m.x) - Math.min(...m.x);
    expect(w).toBeGreaterThan(15);
    expect(w).toBeLessThan(40);
  });
});

describe('betaSheet', () => {
  it('packs antiparallel strands 4.8 Å apart', () => {
    const m = betaSheet({ strands: 4, residuesPerStrand: 7, seed: 2 });
    checkChain(m);
    // Strand 0 = residues 1..7: the nearest CA of a residue ≥ 3 apart in sequence (on the next
    // strand) is 4.0–5.8 Å away (pleat and strand twist spread the 4.8 Å axis spacing).
    const ca = atomsNamed(m, 'CA');
    const n = ca.length / 3;
    for (let i = 1; i < 6; i++) {
      let best = Infinity;
      for (let j = 0; j < n; j++) if (Math.abs(i - j) > 2) best = Math.min(best, dist(ca, i, j));
      expect(best).toBeGreaterThan(4.0);
      expect(best).toBeLessThan(5.8);
    }
  });
});

describe('proceduralProtein', () => {
  it('is centred, protein-like and deterministic by seed', () => {
    const a = proceduralProtein({ seed: 3 });
    const b = proceduralProtein({ seed: 3 });
    const c = proceduralProtein({ seed: 4 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(a.resName).toEqual(b.resName);
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
    let sx = 0, sy = 0, sz = 0;
    for (let i = 0; i < a.count; i++) { sx += a.x[i]; sy += a.y[i]; sz += a.z[i]; }
    expect(Math.hypot(sx, sy, sz) / a.count).toBeLessThan(1e-3);
    const { residues } = checkChain(a);
    expect(residues).toBeGreaterThan(150);
    expect(new Set(a.element)).toEqual(new Set(['C', 'N', 'O', 'S']));
    expect(a.chainId.every((s) => s === 'A')).toBe(true);
  });

  it('builds helix-only and sheet-only variants', () => {
    expect(proceduralProtein({ strands: 0, helices: 3 }).count).toBeGreaterThan(300);
    expect(proceduralProtein({ helices: 0, strands: 3 }).count).toBeGreaterThan(100);
    expect(() => proceduralProtein({ helices: 0, strands: 0 })).toThrow(RangeError);
  });
});

describe('mirrorModel', () => {
  it('negates z only', () => {
    const m = idealHelix(8);
    const r = mirrorModel(m);
    for (let i = 0; i < m.count; i++) {
      expect(r.x[i]).toBe(m.x[i]);
      expect(r.y[i]).toBe(m.y[i]);
      expect(r.z[i]).toBe(-m.z[i]);
    }
    expect(r.element).toEqual(m.element);
  });
});
