import { describe, expect, it } from 'vitest';
import type { AtomModel } from '../io/model.ts';
import { readModel } from '../io/model-read.ts';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { resampleOnto } from '../volume/interpolate.ts';
import { correlation } from '../volume/stats-pair.ts';
import type { Volume } from '../volume/volume.ts';
import { PENG_1996, atomGaussians, atomicNumber, elementWeight, pengScatteringFactor } from './elements.ts';
import { mirrorModel, proceduralProtein } from './protein.ts';
import { effectiveBFactor, gridAroundModel, mirrorVolume, simulateMap, type Grid } from './simulate.ts';

/** A model of the given atoms (occupancy 1 unless given, B 20 Å²). */
function atoms(xyz: number[], elements: string[], occupancy?: number[]): AtomModel {
  const n = elements.length;
  return {
    count: n,
    x: Float32Array.from(xyz.filter((_, i) => i % 3 === 0)),
    y: Float32Array.from(xyz.filter((_, i) => i % 3 === 1)),
    z: Float32Array.from(xyz.filter((_, i) => i % 3 === 2)),
    bFactor: new Float32Array(n).fill(20),
    occupancy: occupancy ? Float32Array.from(occupancy) : new Float32Array(n).fill(1),
    element: elements,
    atomName: elements.slice(),
    altLoc: new Array<string>(n).fill(''),
    resName: new Array<string>(n).fill('UNK'),
    chainId: new Array<string>(n).fill('A'),
    resSeq: Int32Array.from({ length: n }, (_, i) => i + 1),
    insCode: new Array<string>(n).fill(''),
    isHetero: new Uint8Array(n),
  };
}

/** Cubic grid of n voxels of size v centred on the origin (voxel (n−1)/2 at 0). */
function centredGrid(n: number, v: number): Grid {
  const o = (-(n - 1) / 2) * v;
  return { dims: [n, n, n], voxelSize: [v, v, v], origin: [o, o, o] };
}

function sum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

const voxelVolume = (v: Volume) => v.voxelSize[0] * v.voxelSize[1] * v.voxelSize[2];
const quiet = { warn: () => {} };

describe('elements', () => {
  it('weights atoms by atomic number, unknown symbols as carbon (counted)', () => {
    expect(atomicNumber('C')).toBe(6);
    expect(atomicNumber('Fe')).toBe(26);
    expect(atomicNumber('SE')).toBe(34);
    const g = atomGaussians(['C', 'N', 'O', 'S', 'P', 'H', 'ZN', 'XX', 'XX', 'QQ'], 'z');
    expect(Array.from(g.weight)).toEqual([6, 7, 8, 16, 15, 1, 30, 6, 6, 6]);
    expect(Array.from(g.variance)).toEqual(new Array(10).fill(0));
    expect([...g.unknown]).toEqual([['XX', 2], ['QQ', 1]]);
  });

  it('has the Peng 1996 five-Gaussian factors: f(0) = Σa, Gaussian variances b/(8π²)', () => {
    // f(0) in Å from the tabulated a's (ITC C 2011 Table 4.3.2.2).
    expect(pengScatteringFactor('C', 0)).toBeCloseTo(2.5088, 4);
    expect(pengScatteringFactor('O', 0)).toBeCloseTo(1.9834, 4);
    expect(pengScatteringFactor('H', 0)).toBeCloseTo(0.5288, 4);
    expect(pengScatteringFactor('U', 0)).toBeUndefined();
    // Monotone fall-off over the fitted range, positive at s = 2 Å⁻¹.
    let last = Infinity;
    for (let s = 0; s <= 2; s += 0.25) {
      const f = pengScatteringFactor('N', s) as number;
      expect(f).toBeLessThan(last);
      expect(f).toBeGreaterThan(0);
      last = f;
    }
    const g = atomGaussians(['S'], 'peng');
    expect(g.terms).toBe(5);
    expect(g.variance[4]).toBeCloseTo(PENG_1996.S.b[4] / (8 * Math.PI * Math.PI), 12);
    expect(elementWeight('S', 'peng')).toBeCloseTo(5.1604, 4);
    for (const el of Object.keys(PENG_1996)) expect(PENG_1996[el].a.length + PENG_1996[el].b.length).toBe(10);
  });
});

describe('gridAroundModel', () => {
  it('pads the bounding box and centres it in the box', () => {
    const m = atoms([0, 0, 0, 10, 4, 2], ['C', 'C']);
    const g = gridAroundModel(m, 1.5, 5);
    expect(g.dims).toEqual([Math.ceil(20 / 1.5) + 1, Math.ceil(14 / 1.5) + 1, Math.ceil(12 / 1.5) + 1]);
    for (let d = 0; d < 3; d++) {
      const centre = g.origin[d] + ((g.dims[d] - 1) / 2) * 1.5;
      expect(centre).toBeCloseTo([5, 2, 1][d], 10);
      expect(g.voxelSize[d]).toBe(1.5);
    }
    const c = gridAroundModel(m, 1.5, 5, { cubic: true });
    expect(c.dims).toEqual([15, 15, 15]);
  });
});

describe('simulateMap', () => {
  it('normalises a single atom to its weight (Σρ·ΔV = Z), peak as the continuous Gaussian', async () => {
    const g = centredGrid(40, 1.0);
    for (const [x, y, z] of [[0, 0, 0], [0.37, -0.21, 0.5]]) {
      const v = await simulateMap(atoms([x, y, z], ['C']), g, { resolution: 4 });
      expect(sum(v.data) * voxelVolume(v)).toBeCloseTo(6, 4);
    }
    // σ = 0.225·4 = 0.9 Å: peak density 6/((2π)^{3/2}σ³) at the atom (on a voxel centre).
    const v = await simulateMap(atoms([0.5, 0.5, 0.5], ['O']), centredGrid(41, 0.5), { resolution: 4 });
    const peak = Math.max(...v.data);
    expect(peak / (8 / ((2 * Math.PI) ** 1.5 * 0.9 ** 3))).toBeCloseTo(1, 2);
    // Occupancy scales the weight; Peng mode integrates to f(0).
    const half = await simulateMap(atoms([0, 0, 0], ['N'], [0.5]), g, { resolution: 4 });
    expect(sum(half.data) * voxelVolume(half)).toBeCloseTo(3.5, 4);
    const peng = await simulateMap(atoms([0, 0, 0], ['C']), centredGrid(64, 1), { resolution: 4, weights: 'peng' });
    expect(sum(peng.data) * voxelVolume(peng)).toBeCloseTo(2.5088, 3);
  });

  it('gives each atom the variance σ_res² − B/(8π²) (global B ≤ 0 in real space)', async () => {
    const g = centredGrid(48, 0.5);
    const v = await simulateMap(atoms([0, 0, 0], ['C']), g, { resolution: 3, bFactor: -60 });
    const expected = (0.225 * 3) ** 2 + 60 / (8 * Math.PI * Math.PI);
    // Second moment along x.
    let m2 = 0, m0 = 0;
    const [n] = g.dims;
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const w = v.data[i + n * (j + n * k)];
      const x = g.origin[0] + i * 0.5;
      m0 += w;
      m2 += w * x * x;
    }
    expect(m2 / m0 / expected).toBeCloseTo(1, 2);
    expect(effectiveBFactor(3, -60)).toBeCloseTo(-60 - 8 * Math.PI * Math.PI * 0.675 ** 2, 10);
  });

  it('applies B > 0 in Fourier space: amplitudes × exp(B s²/4) up to the resolution, unchanged beyond', async () => {
    const m = proceduralProtein({ seed: 2, helices: 2, strands: 0, residuesPerHelix: 10 });
    const g = gridAroundModel(m, 1.0, 6, { cubic: true });
    const res = 4;
    const plain = await simulateMap(m, g, { resolution: res });
    const sharp = await simulateMap(m, g, { resolution: res, bFactor: 40 });
    const fft = createRealFft3d(g.dims);
    const a = await fft.forward(plain.data);
    const b = await fft.forward(sharp.data);
    const [cx, ny, nz] = fft.complexDims;
    const [nx] = g.dims;
    let worst = 0, checked = 0;
    for (let kz = 0; kz < nz; kz += 3) for (let ky = 0; ky < ny; ky += 3) for (let kx = 0; kx < cx; kx += 2) {
      const j = 2 * (kx + cx * (ky + ny * kz));
      const amp = Math.hypot(a[j], a[j + 1]);
      if (amp < 1e-3 * Math.abs(a[0])) continue;
      const s2 = fftFreq(kx, nx) ** 2 + fftFreq(ky, ny) ** 2 + fftFreq(kz, nz) ** 2;
      const factor = s2 <= 1 / res ** 2 ? Math.exp((40 * s2) / 4) : 1;
      worst = Math.max(worst, Math.abs(Math.hypot(b[j], b[j + 1]) / amp / factor - 1));
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
    expect(worst).toBeLessThan(1e-3);
  });

  it('simulates a mirrored model (about the box centre plane) as the exact mirror image', async () => {
    const m = proceduralProtein({ seed: 3 });
    const g = centredGrid(64, 1.1); // centre plane at z = 0, so mirrorModel (z → −z) is that mirror
    const v = await simulateMap(m, g, { resolution: 3 });
    const w = await simulateMap(mirrorModel(m), g, { resolution: 3 });
    const mv = mirrorVolume(v).data;
    let peak = 0, diff = 0;
    for (let i = 0; i < mv.length; i++) {
      peak = Math.max(peak, Math.abs(mv[i]));
      diff = Math.max(diff, Math.abs(mv[i] - w.data[i]));
    }
    expect(diff / peak).toBeLessThan(1e-5);
    // mirrorVolume is an involution that moves data.
    expect(Array.from(mirrorVolume(mirrorVolume(v)).data)).toEqual(Array.from(v.data));
    expect(correlation(mv, v.data)).toBeLessThan(0.9);
  });

  it('agrees across samplings: 1.05 Å map resampled onto the 1.0 Å grid correlates > 0.9', async () => {
    const m = proceduralProtein({ seed: 4 });
    const g1 = gridAroundModel(m, 1.0, 8);
    const g2 = gridAroundModel(m, 1.05, 8);
    const a = await simulateMap(m, g1, { resolution: 3.5 });
    const b = resampleOnto(await simulateMap(m, g2, { resolution: 3.5 }), g1);
    const r = correlation(a.data, b.data);
    expect(r).toBeGreaterThan(0.9);
    expect(Math.abs(sum(a.data) * 1.0 - (sum((await simulateMap(m, g2, { resolution: 3.5 })).data) * 1.05 ** 3))).toBeLessThan(1e-3 * sum(a.data));
  });

  it('adds seeded Gaussian noise of the requested σ, deterministically', async () => {
    const empty = atoms([0, 0, 0], ['C'], [0]); // occupancy 0: pure noise
    const g = centredGrid(50, 1);
    const a = await simulateMap(empty, g, { resolution: 3, noiseSigma: 0.5, seed: 7 });
    const b = await simulateMap(empty, g, { resolution: 3, noiseSigma: 0.5, seed: 7 });
    const c = await simulateMap(empty, g, { resolution: 3, noiseSigma: 0.5, seed: 8 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    const n = a.data.length;
    const mean = sum(a.data) / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (a.data[i] - mean) ** 2;
    const sd = Math.sqrt(ss / n);
    expect(Math.abs(mean)).toBeLessThan((4 * 0.5) / Math.sqrt(n));
    expect(Math.abs(sd / 0.5 - 1)).toBeLessThan(0.01); // 4.5 standard errors of σ for n = 125 000
  });

  it('reports unknown elements once per symbol and weights them as carbon', async () => {
    const messages: string[] = [];
    const v = await simulateMap(atoms([0, 0, 0, 1, 1, 1], ['XX', 'XX']), centredGrid(30, 1), { resolution: 4, warn: (m) => messages.push(m) });
    expect(messages).toEqual(['simulateMap: unknown element "XX" on 2 atom(s), weighted as carbon']);
    expect(sum(v.data)).toBeCloseTo(12, 3);
  });

  it('rejects a non-positive resolution', async () => {
    await expect(simulateMap(atoms([0, 0, 0], ['C']), centredGrid(8, 1), { resolution: 0 })).rejects.toThrow(RangeError);
  });

});

describe.skipIf(!haveFixtures('simulate 3ajo (EMD-20026-crop)'))('simulateMap on a real model', () => {
  it('simulates 3ajo_fitted_refined.pdb: finite, mass = Σ weights', async () => {
    const m = await readModel(fixture('EMD-20026-crop', 'model', '3ajo_fitted_refined.pdb'));
    expect(m.count).toBeGreaterThan(1000);
    const g = gridAroundModel(m, 1.2, 10, { cubic: true });
    const t0 = performance.now();
    const v = await simulateMap(m, g, { resolution: 3.5, ...quiet });
    const ms = performance.now() - t0;
    console.log(`3ajo: ${m.count} atoms on ${g.dims.join('×')} in ${ms.toFixed(0)} ms`);
    let finite = true;
    for (const x of v.data) if (!Number.isFinite(x)) finite = false;
    expect(finite).toBe(true);
    const w = atomGaussians(m.element, 'z');
    let total = 0;
    for (let i = 0; i < m.count; i++) total += w.weight[i] * m.occupancy[i];
    expect(sum(v.data) * voxelVolume(v)).toBeCloseTo(total, -1);
    expect(Math.abs(sum(v.data) * voxelVolume(v) / total - 1)).toBeLessThan(1e-4);
  });
});
