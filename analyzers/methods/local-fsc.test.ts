/**
 * The local-FSC engine against known answers (identical, opposite and independent halves; the
 * window; the crossing rule; the box rule; lattice and interpolation), the same result on 1 and 2
 * threads, and an independent numpy computation of the same nodes (same window, padding, shells).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateHalfMaps } from '../simulate/half-maps.ts';
import { havePython, runReference } from '../testing/python.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { gaussianFilter } from './filters.ts';
import { crossingResolution, interpolateNodes, LocalFscKernel, localFsc, localFscBox, nodeCorner, regionNodes, validBox, windowProfile } from './local-fsc.ts';

const TS = 1.1;

function noise(dims: Vec3, seed: number): Float32Array {
  const g = gaussianSource(mulberry32(seed));
  return new Float32Array(dims[0] * dims[1] * dims[2]).map(() => g());
}

function vol(dims: Vec3, data: Float32Array): Volume {
  return { dims, voxelSize: [TS, TS, TS], origin: [0, 0, 0], data };
}

/** 1 inside a sphere of radius r voxels about the box centre. */
function sphere(dims: Vec3, r: number): Float32Array {
  const [nx, ny, nz] = dims;
  const m = new Float32Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) m[i] = Math.hypot(x - nx / 2, y - ny / 2, z - nz / 2) <= r ? 1 : 0;
  return m;
}

describe('local FSC of one cube', () => {
  const dims: Vec3 = [48, 48, 48];
  const a = noise(dims, 1);
  const kernel = new LocalFscKernel(20);

  it('identical halves: 1 in every shell; opposite halves: −1; also for a cube reaching out of the box', () => {
    for (const [x0, y0, z0] of [[10, 12, 14], [-6, 40, 3]]) {
      const same = Array.from(kernel.curve(a, a, dims, x0, y0, z0)).slice(1);
      for (const v of same) expect(v).toBeCloseTo(1, 5);
      const opposite = Array.from(kernel.curve(a, a.map((v) => -v), dims, x0, y0, z0)).slice(1);
      for (const v of opposite) expect(v).toBeCloseTo(-1, 5);
    }
  });

  it('independent halves: FSC about 0 with a spread that shrinks with the shell (~1/√(independent coefficients)); resolution at the box', () => {
    const b = noise(dims, 2);
    const sum = new Float64Array(21);
    const sum2 = new Float64Array(21);
    const corners = [0, 14, 28];
    for (const x of corners) for (const y of corners) for (const z of corners) {
      const f = kernel.curve(a, b, dims, x, y, z);
      for (let k = 1; k <= 20; k++) {
        sum[k] += f[k];
        sum2[k] += f[k] * f[k];
      }
    }
    const n = corners.length ** 3;
    const rms = (k: number) => Math.sqrt(sum2[k] / n);
    for (let k = 5; k <= 20; k++) expect(Math.abs(sum[k] / n)).toBeLessThan(0.1);
    for (let k = 10; k <= 20; k++) expect(rms(k)).toBeLessThan(0.12);
    expect(rms(5)).toBeGreaterThan(2 * rms(16));
    expect(crossingResolution(kernel.curve(a, b, dims, 14, 14, 14), 0.25, 20, TS)).toBeGreaterThan(10);
  });

  it('Hann window: cos²(π·t/b) about the cube centre, symmetric, never 0 inside', () => {
    const w = windowProfile(20);
    w.forEach((v, i) => expect(v).toBeCloseTo(Math.cos((Math.PI * (i - 9.5)) / 20) ** 2, 12));
    w.forEach((v, i) => expect(v).toBeCloseTo(w[19 - i], 12));
    expect(Math.min(...w)).toBeGreaterThan(0);
  });
});

describe('crossing, box and lattice rules', () => {
  it('crossing: interpolated in shells; the box when shell 1 is below, Nyquist when none is', () => {
    const fsc = [0, 0.9, 0.8, 0.5, 0.1, 0];
    // Below 0.25 first at shell 4: k_c = 3 + (0.5 − 0.25)/(0.5 − 0.1) = 3.625; 2b·Ts/k_c with b = 5.
    expect(crossingResolution(fsc, 0.25, 5, 1)).toBeCloseTo(10 / 3.625, 12);
    expect(crossingResolution([0, 0.1, 0.9, 0.9, 0.9, 0.9], 0.25, 5, 1)).toBe(10);
    expect(crossingResolution([0, 0.9, 0.9, 0.9, 0.9, 0.9], 0.25, 5, 1)).toBe(2);
  });

  it('box: 20 voxels up to res/Ts = 40/11, then the smallest 2·3·5-smooth box putting the resolution at shell ≥ 11, at most 64', () => {
    expect(localFscBox(null, 1)).toBe(20);
    expect(localFscBox(3.5, 1.1)).toBe(20);
    expect(localFscBox(4.5, 1.1)).toBe(24);
    expect(localFscBox(6, 1.1)).toBe(30);
    expect(localFscBox(8, 1.1)).toBe(40);
    expect(localFscBox(30, 1)).toBe(64);
    for (const b of [20, 24, 30, 32, 36, 40, 48]) expect(validBox(b)).toBe(true);
    for (const b of [19, 22, 26, 28, 34]) expect(validBox(b)).toBe(false);
  });

  it('lattice: every region voxel lies in a cell whose 8 corners are computed; interpolation reproduces a linear field and is 0 outside', () => {
    const dims: Vec3 = [30, 26, 22];
    const region = sphere(dims, 9);
    const step = 4;
    const { lattice, nodes, voxels } = regionNodes(region, dims, step, 1e-3);
    expect(voxels).toBe(region.reduce((s, v) => s + v, 0));
    const [mx, my] = lattice;
    // A field linear in position (the node's value belongs to its cube centre, corner + b/2 − ½).
    const field = (x: number, y: number, z: number) => 5 + 0.1 * x - 0.05 * y + 0.2 * z;
    const values = Float32Array.from(nodes, (n) => {
      const [x0, y0, z0] = nodeCorner(n, lattice, step, 20);
      return field(x0 + 9.5, y0 + 9.5, z0 + 9.5);
    });
    const out = interpolateNodes({ dims: lattice, step, nodes, values }, region, dims, 1e-3);
    for (let z = 0, i = 0; z < dims[2]; z++) {
      for (let y = 0; y < dims[1]; y++) {
        for (let x = 0; x < dims[0]; x++, i++) {
          if (region[i] > 0) expect(out[i]).toBeCloseTo(field(x, y, z), 4);
          else expect(out[i]).toBe(0);
        }
      }
    }
    expect(mx * my * lattice[2]).toBeGreaterThan(nodes.length);
  });
});

describe('localFsc on a designed pair', () => {
  it('the same values on 1 and 2 threads; values only inside the region; the reported bounds', async () => {
    const dims: Vec3 = [48, 48, 48];
    const signal = await gaussianFilter(vol(dims, noise(dims, 3)), 1);
    const { half1, half2 } = await simulateHalfMaps(signal, { resolution: 4 }, 3);
    const region = sphere(dims, 14);
    const one = await localFsc(half1, half2, region, { cutoff: 0.25, threads: 1 });
    const two = await localFsc(half1, half2, region, { cutoff: 0.25, threads: 2 });
    expect(Array.from(two.lattice.values)).toEqual(Array.from(one.lattice.values));
    expect(Array.from(two.resmap)).toEqual(Array.from(one.resmap));
    one.resmap.forEach((v, i) => expect(v > 0).toBe(region[i] > 0));
    expect(one.range).toEqual([2 * TS, 40 * TS]);
    for (const v of one.lattice.values) {
      expect(v).toBeGreaterThanOrEqual(Math.fround(2 * TS));
      expect(v).toBeLessThanOrEqual(Math.fround(40 * TS));
    }
  });
});

const ready = havePython(['numpy'], 'local FSC numpy cross-check');
describe.skipIf(!ready)('local FSC agrees with an independent numpy computation of the same nodes', () => {
  let work = '';
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  it('per node: local resolution to 1e-3 Å and FSC per shell to 1e-4', async () => {
    work = mkdtempSync(path.join(tmpdir(), 'emvr-1c-'));
    const dims: Vec3 = [40, 40, 40];
    const signal = await gaussianFilter(vol(dims, noise(dims, 4)), 1);
    const { half1, half2 } = await simulateHalfMaps(signal, { resolution: 4 }, 4);
    const box = 20;
    const out = await localFsc(half1, half2, sphere(dims, 9), { box, cutoff: 0.25, threads: 1 });
    const { nodes, dims: lattice, step } = out.lattice;
    const corners = new Int32Array(3 * nodes.length);
    nodes.forEach((n, q) => corners.set(nodeCorner(n, lattice, step, box), 3 * q));
    const files = ['h1.f32', 'h2.f32', 'nodes.i32'].map((n) => path.join(work, n));
    [half1.data, half2.data, corners].forEach((a, k) => writeFileSync(files[k], Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
    const ref = JSON.parse(await runReference('local_fsc_reference.py', [files[0], files[1], ...dims.map(String), String(TS), String(box), '0.25', files[2], '--curves'])) as { resolution: number[]; fsc: number[][] };
    const kernel = new LocalFscKernel(box);
    let worstRes = 0;
    let worstFsc = 0;
    out.lattice.values.forEach((v, q) => {
      worstRes = Math.max(worstRes, Math.abs(v - ref.resolution[q]));
      const f = kernel.curve(half1.data, half2.data, dims, corners[3 * q], corners[3 * q + 1], corners[3 * q + 2]);
      for (let k = 1; k <= box; k++) worstFsc = Math.max(worstFsc, Math.abs(f[k] - ref.fsc[q][k - 1]));
    });
    console.log(`local FSC vs numpy on ${nodes.length} nodes: max |Δ resolution| ${worstRes.toExponential(2)} Å, max |Δ FSC| ${worstFsc.toExponential(2)}`);
    expect(nodes.length).toBeGreaterThan(50);
    expect(worstRes).toBeLessThan(1e-3);
    expect(worstFsc).toBeLessThan(1e-4);
  });
});
