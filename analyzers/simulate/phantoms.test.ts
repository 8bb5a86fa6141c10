import { beforeAll, describe, expect, it } from 'vitest';
import type { AtomModel } from '../io/model.ts';
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import type { Volume } from '../volume/volume.ts';
import { fullMapNoiseSigma } from './half-maps.ts';
import { makePhantom, PHANTOM_BLUR_B, phantomNames, type Phantom, type PhantomName } from './phantoms.ts';
import { proceduralProtein } from './protein.ts';
import { mirrorVolume, simulateMap } from './simulate.ts';

// ---------------------------------------------------------------------------------------------
// Small independent helpers (the Level 0 code is written elsewhere; these are deliberately naive).
// ---------------------------------------------------------------------------------------------

/** Sizes of the 26-connected components of {v ≥ t}, largest first (plain flood fill). */
function componentSizes(v: Volume, t: number): number[] {
  const [nx, ny, nz] = v.dims;
  const seen = new Uint8Array(v.data.length);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let s = 0; s < v.data.length; s++) {
    if (seen[s] || !(v.data[s] >= t)) continue;
    seen[s] = 1;
    stack.push(s);
    let size = 0;
    while (stack.length > 0) {
      const i = stack.pop() as number;
      size++;
      const x = i % nx, y = Math.floor(i / nx) % ny, z = Math.floor(i / (nx * ny));
      for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy, zz = z + dz;
        if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
        const j = xx + nx * (yy + ny * zz);
        if (!seen[j] && v.data[j] >= t) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    sizes.push(size);
  }
  return sizes.sort((a, b) => b - a);
}

/** Number of largest components needed to reach 95 % of the thresholded voxels. */
function n95(sizes: number[]): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  let cum = 0, n = 0;
  while (cum < 0.95 * total) cum += sizes[n++];
  return n;
}

/** 1 where a voxel lies within `radiusA` of some atom. */
function nearAtoms(v: Volume, m: AtomModel, radiusA: number): Uint8Array {
  const [nx, ny, nz] = v.dims;
  const h = v.voxelSize[0];
  const out = new Uint8Array(v.data.length);
  const r = Math.ceil(radiusA / h);
  for (let a = 0; a < m.count; a++) {
    const ci = Math.round((m.x[a] - v.origin[0]) / h), cj = Math.round((m.y[a] - v.origin[1]) / h), ck = Math.round((m.z[a] - v.origin[2]) / h);
    for (let k = Math.max(0, ck - r); k <= Math.min(nz - 1, ck + r); k++) {
      for (let j = Math.max(0, cj - r); j <= Math.min(ny - 1, cj + r); j++) {
        for (let i = Math.max(0, ci - r); i <= Math.min(nx - 1, ci + r); i++) {
          const dx = v.origin[0] + i * h - m.x[a], dy = v.origin[1] + j * h - m.y[a], dz = v.origin[2] + k * h - m.z[a];
          if (dx * dx + dy * dy + dz * dz <= radiusA * radiusA) out[i + nx * (j + ny * k)] = 1;
        }
      }
    }
  }
  return out;
}

/** Mean, population σ and t statistic (mean/(σ/√n)) of the voxels where `where` is 1. */
function statsWhere(v: Volume, where: Uint8Array): { n: number; mean: number; sd: number; t: number } {
  let n = 0, s = 0;
  for (let i = 0; i < where.length; i++) if (where[i]) { n++; s += v.data[i]; }
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < where.length; i++) if (where[i]) ss += (v.data[i] - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  return { n, mean, sd, t: mean / (sd / Math.sqrt(n)) };
}

/**
 * Guinier B as in Level 0 item 0.d: shells k = round(|w|·N) of the unnormalised half spectrum
 * (w digital frequency, |w|² ≤ 0.25), mean |F| per shell, least-squares line of ln(mean |F|)
 * against s² = 1/d², d = N·Ts/k, over res ≤ d ≤ 15 Å; B = 4·slope.
 */
async function guinierB(v: Volume, res: number): Promise<number> {
  const [nx, ny, nz] = v.dims;
  const fft = createRealFft3d(v.dims);
  const f = await fft.forward(v.data);
  const cx = fft.complexDims[0];
  const total = new Float64Array(nx), count = new Float64Array(nx);
  for (let kz = 0; kz < nz; kz++) for (let ky = 0; ky < ny; ky++) for (let kx = 0; kx < cx; kx++) {
    const w = Math.hypot(fftFreq(kx, nx), fftFreq(ky, ny), fftFreq(kz, nz));
    if (w > 0.5) continue;
    const k = Math.round(w * nx);
    const j = 2 * (kx + cx * (ky + ny * kz));
    total[k] += Math.hypot(f[j], f[j + 1]);
    count[k]++;
  }
  const xs: number[] = [], ys: number[] = [];
  for (let k = 1; k < nx; k++) {
    const d = (nx * v.voxelSize[0]) / k;
    if (d >= res && d <= 15) {
      xs.push(1 / (d * d));
      ys.push(Math.log(total[k] / count[k]));
    }
  }
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0, sxx = 0;
  xs.forEach((x, i) => { sxy += (x - mx) * (ys[i] - my); sxx += (x - mx) ** 2; });
  return (4 * sxy) / sxx;
}

/** Empty margins (Å) below and above the thresholded voxels along each axis, grown by `grow` voxels. */
function margins(v: Volume, t: number, grow = 0): { left: number[]; right: number[] } {
  const [nx, ny, nz] = v.dims;
  const lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    if (!(v.data[x + nx * (y + ny * z)] >= t)) continue;
    const p = [x, y, z];
    for (let d = 0; d < 3; d++) { lo[d] = Math.min(lo[d], p[d]); hi[d] = Math.max(hi[d], p[d]); }
  }
  const h = v.voxelSize[0];
  return {
    left: lo.map((l) => (l - grow) * h),
    right: hi.map((u, d) => (v.dims[d] - 1 - u - grow) * h),
  };
}

function maxOf(a: Float32Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

// ---------------------------------------------------------------------------------------------

const built = new Map<PhantomName, Phantom>();
const get = (n: PhantomName) => built.get(n) as Phantom;
const model = proceduralProtein({ seed: 1 });

beforeAll(async () => {
  for (const name of phantomNames) {
    built.set(name, await makePhantom(name, { seed: 1 }));
  }
});

describe('phantom catalogue', () => {
  it('names ten distinct phantoms, each built quickly with a consistent known answer', () => {
    expect(new Set(phantomNames).size).toBe(10);
    for (const name of phantomNames) {
      const p = get(name);
      expect(p.name).toBe(name);
      expect(p.description.length).toBeGreaterThan(20);
      expect(Number.isFinite(p.threshold)).toBe(true);
      expect(p.resolution).toBe(3.5);
      expect(p.volume.data.length).toBe(p.volume.dims[0] * p.volume.dims[1] * p.volume.dims[2]);
      for (const w of p.expect.warns) expect(['0.a', '0.b', '0.c', '0.d', '0.f', '0.h']).toContain(w);
    }
    expect(get('b-factor-250').expect.bFactor).toBe(-250);
    expect(get('b-factor-200').expect.bFactor).toBe(-200);
    expect(get('b-factor-positive').expect).toMatchObject({ warns: ['0.d', '0.f'], bFactor: 50 });
  });

  it('is deterministic per seed', async () => {
    const again = await makePhantom('noise-blobs', { seed: 1 });
    expect(Array.from(again.volume.data)).toEqual(Array.from(get('noise-blobs').volume.data));
    expect(again.threshold).toBe(get('noise-blobs').threshold);
    const other = await makePhantom('well-behaved', { seed: 2 });
    expect(Array.from(other.volume.data)).not.toEqual(Array.from(get('well-behaved').volume.data));
  });
});

describe('well-behaved', () => {
  it('is one 26-connected piece at the threshold, with nothing ≥ threshold beyond 5 Å of an atom', () => {
    const p = get('well-behaved');
    expect(componentSizes(p.volume, p.threshold).length).toBe(1);
    const near = nearAtoms(p.volume, model, 5);
    let stray = 0;
    for (let i = 0; i < near.length; i++) if (!near[i] && p.volume.data[i] >= p.threshold) stray++;
    expect(stray).toBe(0);
  });

  it('carries the noise of its stated 3.5 Å: background σ = the full-map noise of an FSC crossing 0.143 at 3.5 Å', async () => {
    // The noise-free map of the same recipe (3.5 Å, global B PHANTOM_BLUR_B) on the phantom's grid.
    const p = get('well-behaved');
    const clean = await simulateMap(model, { dims: p.volume.dims, voxelSize: p.volume.voxelSize, origin: p.volume.origin }, { resolution: 3.5, bFactor: PHANTOM_BLUR_B });
    const designed = await fullMapNoiseSigma(clean, 3.5);
    const bg = statsWhere(p.volume, nearAtoms(p.volume, model, 8).map((x) => 1 - x));
    console.log(`well-behaved: background σ ${bg.sd.toExponential(4)}, designed ${designed.toExponential(4)}, threshold/σ ${(p.threshold / bg.sd).toFixed(2)}`);
    expect(Math.abs(bg.sd / designed - 1)).toBeLessThan(0.01);
  });

  it('has zero-mean Gaussian background noise ≥ 7σ below the threshold, and a Guinier B in [−300, 0]', async () => {
    const p = get('well-behaved');
    const near = nearAtoms(p.volume, model, 8);
    const far = near.map((x) => 1 - x);
    const bg = statsWhere(p.volume, far);
    expect(bg.n).toBeGreaterThan(500_000);
    expect(p.threshold / bg.sd).toBeGreaterThan(7);
    expect(Math.abs(bg.t)).toBeLessThan(3.3); // p > 0.001
    const b = await guinierB(p.volume, 3.5);
    expect(b).toBeGreaterThan(-300);
    expect(b).toBeLessThan(0);
  });
});

describe('decentred', () => {
  it('keeps every margin ≥ 20 Å (also after the 2-voxel hard-mask dilation) and is > 20 % off-centre in x', () => {
    const p = get('decentred');
    const box = p.volume.dims[0] * p.volume.voxelSize[0];
    for (const grow of [0, 2]) {
      const { left, right } = margins(p.volume, p.threshold, grow);
      for (let d = 0; d < 3; d++) {
        expect(left[d]).toBeGreaterThan(20);
        expect(right[d]).toBeGreaterThan(20);
      }
      expect(Math.abs(right[0] - left[0]) / box).toBeGreaterThan(0.2);
      expect(Math.abs(right[1] - left[1]) / box).toBeLessThan(0.05);
      expect(Math.abs(right[2] - left[2]) / box).toBeLessThan(0.05);
    }
    expect(componentSizes(p.volume, p.threshold).length).toBe(1);
  });
});

describe('well-behaved controls', () => {
  it('well-behaved itself is centred with margins > 20 Å', () => {
    const p = get('well-behaved');
    const box = p.volume.dims[0] * p.volume.voxelSize[0];
    const { left, right } = margins(p.volume, p.threshold, 2);
    for (let d = 0; d < 3; d++) {
      expect(Math.min(left[d], right[d])).toBeGreaterThan(20);
      expect(Math.abs(right[d] - left[d]) / box).toBeLessThan(0.05);
    }
  });
});

describe('background-offset', () => {
  it('shifts the background mean by 0.5σ (t ≫ 3.3) without changing the thresholded voxels', () => {
    const p = get('background-offset');
    const w = get('well-behaved');
    for (let i = 0; i < p.volume.data.length; i++) {
      if ((p.volume.data[i] >= p.threshold) !== (w.volume.data[i] >= w.threshold)) throw new Error(`voxel ${i} changed side`);
    }
    const far = nearAtoms(p.volume, model, 8).map((x) => 1 - x);
    const bg = statsWhere(p.volume, far);
    expect(bg.mean / bg.sd).toBeCloseTo(0.5, 1);
    expect(bg.t).toBeGreaterThan(100);
  });
});

describe('noise-blobs', () => {
  it('needs > 5 components for 95 % of the thresholded voxels, with > 30 components in all', () => {
    const p = get('noise-blobs');
    const sizes = componentSizes(p.volume, p.threshold);
    expect(sizes.length).toBeGreaterThan(30);
    expect(n95(sizes)).toBeGreaterThan(5);
    const total = sizes.reduce((a, b) => a + b, 0);
    const blobShare = 1 - sizes[0] / total;
    expect(blobShare).toBeGreaterThan(0.05);
    expect(blobShare).toBeLessThan(0.25); // the molecule keeps > 75 % (0.b overlap criterion)
    // Noise blobs are small: a few voxels each.
    expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual(12);
  });
  it('keeps a zero-mean Gaussian background: the blobs are noise peaks, not outliers', () => {
    const p = get('noise-blobs');
    const far = nearAtoms(p.volume, model, 8).map((x) => 1 - x);
    const bg = statsWhere(p.volume, far);
    expect(Math.abs(bg.t)).toBeLessThan(3.3);
    expect(p.threshold / bg.sd).toBeGreaterThan(2.9);
    expect(p.threshold / bg.sd).toBeLessThan(3.1);
  });
});

describe('threshold-too-high', () => {
  it('puts the threshold above the map maximum', () => {
    const p = get('threshold-too-high');
    expect(maxOf(p.volume.data)).toBeLessThan(p.threshold);
    expect(p.expect.inputError).toBe('threshold-too-high');
  });
});

describe('B-factor phantoms', () => {
  for (const name of ['b-factor-250', 'b-factor-200', 'b-factor-positive'] as const) {
    it(`${name}: the 15 Å–3.5 Å Guinier fit gives the known B (± 10 Å²), one piece at the threshold, the background ≥ 5σ below it`, async () => {
      const p = get(name);
      const b = await guinierB(p.volume, p.resolution as number);
      console.log(`${name}: Guinier B ${b.toFixed(2)} Å² (expected ${p.expect.bFactor})`);
      expect(Math.abs(b - (p.expect.bFactor as number))).toBeLessThan(10);
      // The molecule is one piece; at ≈ 6σ_n a background voxel may reach the contour alone.
      const sizes = componentSizes(p.volume, p.threshold);
      expect(sizes.length).toBeLessThanOrEqual(3);
      for (const size of sizes.slice(1)) expect(size).toBeLessThanOrEqual(2);
      const far = nearAtoms(p.volume, model, 10).map((x) => 1 - x);
      const bg = statsWhere(p.volume, far);
      // Designed 3.5 Å noise on the −200 Å² map sits ≈ 6σ below its contour (≈ 0.2 background voxels expected above it).
      expect(p.threshold / bg.sd).toBeGreaterThanOrEqual(5);
      expect(Math.abs(bg.t)).toBeLessThan(3.3);
    });
  }
});

describe('mirrored-hand', () => {
  it('is the exact z-mirror of the well-behaved map', () => {
    const p = get('mirrored-hand');
    expect(p.expect.mirrored).toBe(true);
    expect(Array.from(p.volume.data)).toEqual(Array.from(mirrorVolume(get('well-behaved').volume).data));
    expect(p.threshold).toBe(get('well-behaved').threshold);
  });
});

describe('masked-background', () => {
  it('is the well-behaved map with an exactly zero background', () => {
    const p = get('masked-background');
    const w = get('well-behaved');
    let zeros = 0, kept = 0;
    for (let i = 0; i < p.volume.data.length; i++) {
      if (p.volume.data[i] === 0) zeros++;
      else {
        expect(p.volume.data[i]).toBe(w.volume.data[i]);
        kept++;
      }
    }
    expect(zeros / p.volume.data.length).toBeGreaterThan(0.9);
    const far = nearAtoms(p.volume, model, 8);
    for (let i = 0; i < far.length; i++) if (!far[i] && p.volume.data[i] !== 0) throw new Error(`voxel ${i} far from atoms is not 0`);
    // The kept region is the threshold set grown by ≈ 2.4 Å: larger than it, far smaller than the box.
    const inside = componentSizes(p.volume, p.threshold)[0];
    expect(kept).toBeGreaterThan(1.5 * inside);
    expect(p.expect.backgroundExactlyZero).toBe(true);
  });
});
