/**
 * MonoRes's cliff test (`cliffLabels`) sums only the shells it reads: checked against the plain
 * version that sums every shell (the code before that shortcut), label for label and bit for bit,
 * on maps with a designed cliff (noise inside a sphere, zeros outside) and without one.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { createVolume, type Vec3, type Volume } from '../volume/volume.ts';
import { CLIFF_RATIO, cliffLabels, type CliffResult } from './monores.ts';

/** The plain cliff test: every shell summed in one pass with the labels. */
function plainCliff(v: Volume, mask: Uint8Array): CliffResult {
  const [nx, ny, nz] = v.dims;
  const cx = Math.floor(nx / 2), cy = Math.floor(ny / 2), cz = Math.floor(nz / 2);
  const N = Math.min(nx, ny, nz);
  const maxShell = Math.ceil(Math.hypot(nx, ny, nz)) + 1;
  const sum = new Float64Array(maxShell);
  const sum2 = new Float64Array(maxShell);
  const count = new Float64Array(maxShell);
  const labels = new Int8Array(nx * ny * nz);
  let rp2 = 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const r2 = (z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2;
        const s = Math.floor(Math.sqrt(r2));
        sum[s] += v.data[i];
        sum2[s] += v.data[i] * v.data[i];
        count[s]++;
        if (mask[i]) {
          labels[i] = 1;
          if (r2 > rp2) rp2 = r2;
        }
      }
    }
  }
  const variance = (s: number) => (count[s] > 0 ? sum2[s] / count[s] - (sum[s] / count[s]) ** 2 : NaN);
  const proteinRadius = Math.sqrt(rp2);
  let cutRadius = N / 2;
  let cliff = false;
  for (let r = Math.max(1, Math.floor(proteinRadius)); r <= N / 2 - 1; r++) {
    if (variance(r) / variance(r - 1) < CLIFF_RATIO) {
      cutRadius = r - 1;
      cliff = true;
      break;
    }
  }
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (labels[i] === 0 && (z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 >= cutRadius * cutRadius) labels[i] = -1;
      }
    }
  }
  return { labels, proteinRadius, cutRadius, cliff };
}

/** Noise of offset 0.3 inside radius `noiseRadius` (zeros outside when given), a cube of protein in the middle as the mask. */
function map(dims: Vec3, noiseRadius: number | null, protein: number, seed: number): { v: Volume; mask: Uint8Array } {
  const v = createVolume(dims, [1, 1, 1]);
  const mask = new Uint8Array(v.data.length);
  const rnd = mulberry32(seed);
  const c = dims.map((n) => Math.floor(n / 2));
  for (let z = 0, i = 0; z < dims[2]; z++) {
    for (let y = 0; y < dims[1]; y++) {
      for (let x = 0; x < dims[0]; x++, i++) {
        const r2 = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2;
        const inProtein = Math.abs(x - c[0]) <= protein && Math.abs(y - c[1]) <= protein && Math.abs(z - c[2]) <= protein;
        if (inProtein) mask[i] = 1;
        v.data[i] = noiseRadius !== null && r2 >= noiseRadius * noiseRadius ? 0 : 0.3 + rnd() - 0.5 + (inProtein ? 2 : 0);
      }
    }
  }
  return { v, mask };
}

describe('cliffLabels', () => {
  const cases: Array<{ name: string; dims: Vec3; noiseRadius: number | null; protein: number; cliff: boolean }> = [
    { name: 'zeroed corners (a cliff)', dims: [40, 36, 38], noiseRadius: 14, protein: 5, cliff: true },
    { name: 'a cliff three bands of shells out', dims: [44, 44, 45], noiseRadius: 19, protein: 2, cliff: true },
    { name: 'noise everywhere (no cliff)', dims: [33, 35, 31], noiseRadius: null, protein: 4, cliff: false },
    { name: 'protein reaching the shells of the cliff', dims: [30, 30, 30], noiseRadius: 12, protein: 6, cliff: true },
    { name: 'protein beyond N/2', dims: [24, 26, 22], noiseRadius: null, protein: 11, cliff: false },
  ];
  for (const c of cases) {
    it(`equals the plain test: ${c.name}`, () => {
      const { v, mask } = map(c.dims, c.noiseRadius, c.protein, 9);
      const got = cliffLabels(v, mask);
      const want = plainCliff(v, mask);
      expect(got.cliff).toBe(c.cliff);
      expect(got.cliff).toBe(want.cliff);
      expect(got.cutRadius).toBe(want.cutRadius);
      expect(got.proteinRadius).toBe(want.proteinRadius);
      expect(Buffer.from(got.labels.buffer).equals(Buffer.from(want.labels.buffer))).toBe(true);
      if (c.cliff) expect(got.cutRadius).toBe(c.noiseRadius! - 1);
    });
  }
});
