/**
 * 1.h on half maps with a designed FSC (simulate/half-maps.ts): an isotropic pair (4 Å in every
 * direction) and an anisotropic one (4 Å in xy, 6 Å along z) from the same signal, both with a
 * soft spherical mask as the report applies it; the directional resolutions, axes and sphericity
 * against the design; VRS's criteria and the two cases where the global FSC does not cross.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianFilter } from '../../methods/filters.ts';
import { softMask } from '../../methods/masks.ts';
import { simulateHalfMaps } from '../../simulate/half-maps.ts';
import { gaussianSource, mulberry32 } from '../../util/random.ts';
import type { Vec3, Volume } from '../../volume/volume.ts';
import { fsc3d, FSC3D_DIRECTIONS } from './1h-fsc3d.ts';

const N = 112;
const dims: Vec3 = [N, N, N];
const TS = 1.1;

/** Smoothed white noise filling the box (σ = 1.5 voxels: a spectrum falling like a map's): masking cannot raise its signal-to-noise ratio, so the masked FSC follows the design. */
function smoothNoise(d: Vec3, seed: number, sigma = 1.5): Promise<Volume> {
  const g = gaussianSource(mulberry32(seed));
  const data = new Float32Array(d[0] * d[1] * d[2]).map(() => g());
  return gaussianFilter({ dims: d, voxelSize: [TS, TS, TS], origin: [0, 0, 0], data }, sigma);
}

/** The report's kind of soft mask: a hard sphere of radius 0.45·N smoothed with σ = 2 voxels. */
async function sphereSoftMask(d: Vec3): Promise<Float32Array> {
  const hard = new Uint8Array(d[0] * d[1] * d[2]);
  for (let z = 0, i = 0; z < d[2]; z++) {
    for (let y = 0; y < d[1]; y++) {
      for (let x = 0; x < d[0]; x++, i++) hard[i] = Math.hypot(x - d[0] / 2, y - d[1] / 2, z - d[2] / 2) <= 0.45 * d[0] ? 1 : 0;
    }
  }
  return softMask(hard, d, 2);
}

interface V {
  globalResolution: number | null;
  globalCrosses: string;
  directional: { min: number; max: number; median: number };
  axes: { x: number; y: number; z: number };
  sphericity: number;
  directions: number;
  directionsAtNyquist: number;
  directionsUnresolved: number;
}

describe('1.h on designed half maps', () => {
  let mask: Float32Array;
  let iso: { h1: Volume; h2: Volume };
  let aniso: { h1: Volume; h2: Volume };
  beforeAll(async () => {
    mask = await sphereSoftMask(dims);
    const signal = await smoothNoise(dims, 1);
    const a = await simulateHalfMaps(signal, { resolution: 4 }, 101);
    const b = await simulateHalfMaps(signal, { resolution: 4, resolutionZ: 6 }, 101);
    iso = { h1: a.half1, h2: a.half2 };
    aniso = { h1: b.half1, h2: b.half2 };
  }, 120_000);

  it('isotropic 4 Å: every direction within 0.5 Å of the design, global within 5 %, sphericity > 0.99; a claim of 4 Å passes', async () => {
    const m = await fsc3d(iso.h1, iso.h2, mask, 4);
    const v = m.values as unknown as V;
    const res = m.extra.resolution.subarray(0, FSC3D_DIRECTIONS);
    const worst = Math.max(...res.map((r) => Math.abs(r - 4)));
    console.log(`isotropic: global ${v.globalResolution?.toFixed(2)} Å, directions ${v.directional.min.toFixed(2)}–${v.directional.max.toFixed(2)} Å (median ${v.directional.median.toFixed(2)}), axes ${v.axes.x.toFixed(2)}/${v.axes.y.toFixed(2)}/${v.axes.z.toFixed(2)} Å, largest |d − 4| ${worst.toFixed(2)} Å, sphericity ${v.sphericity.toFixed(4)}`);
    expect(v.directions).toBe(FSC3D_DIRECTIONS);
    expect(res.every((r) => Number.isFinite(r))).toBe(true);
    expect(worst).toBeLessThan(0.5);
    for (const a of [v.axes.x, v.axes.y, v.axes.z]) expect(Math.abs(a - 4)).toBeLessThan(0.5);
    expect(v.globalCrosses).toBe('crosses');
    expect(Math.abs((v.globalResolution as number) - 4) / 4).toBeLessThan(0.05);
    expect(v.sphericity).toBeGreaterThan(0.99);
    expect(v.directionsAtNyquist + v.directionsUnresolved).toBe(0);
    expect(m.warnings).toEqual([]);
    expect(m.tables.map((t) => [t.id, t.rows.length])).toEqual([['fsc3d-curves', N / 2], ['fsc3d-directions', FSC3D_DIRECTIONS + 3]]);
  }, 60_000);

  it('4 Å in xy, 6 Å along z: best and worst directions within 0.7 Å of 4 and 6 Å, z the worst axis, sphericity below the isotropic pair\'s', async () => {
    const [a, b] = [await fsc3d(aniso.h1, aniso.h2, mask, 4), await fsc3d(iso.h1, iso.h2, mask, 4)];
    const v = a.values as unknown as V;
    const isoSphericity = (b.values as unknown as V).sphericity;
    console.log(`anisotropic: global ${v.globalResolution?.toFixed(2)} Å, directions ${v.directional.min.toFixed(2)}–${v.directional.max.toFixed(2)} Å (median ${v.directional.median.toFixed(2)}), axes ${v.axes.x.toFixed(2)}/${v.axes.y.toFixed(2)}/${v.axes.z.toFixed(2)} Å, sphericity ${v.sphericity.toFixed(4)} (isotropic ${isoSphericity.toFixed(4)})`);
    expect(Math.abs(v.directional.min - 4)).toBeLessThan(0.7);
    expect(Math.abs(v.directional.max - 6)).toBeLessThan(0.7);
    expect(v.axes.z).toBeGreaterThan(Math.max(v.axes.x, v.axes.y) + 1);
    expect(v.sphericity).toBeLessThan(isoSphericity - 0.005);
    // The worst directions lie near z: tilt from z under 30° for every direction within 0.2 Å of the worst.
    const res = a.extra.resolution.subarray(0, FSC3D_DIRECTIONS);
    const dirs = a.extra.conical.directions;
    res.forEach((r, d) => {
      if (r > v.directional.max - 0.2) expect(Math.acos(dirs[3 * d + 2]) * (180 / Math.PI)).toBeLessThan(30);
    });
  }, 60_000);

  it('VRS\'s criteria: a claim of 0.7 × the global resolution warns, no reported resolution is not evaluated', async () => {
    const honest = await fsc3d(iso.h1, iso.h2, mask, null);
    expect(honest.notEvaluable).toMatch(/no resolution was reported/u);
    expect(honest.warnings).toEqual([]);
    const g = (honest.values as unknown as V).globalResolution as number;
    const bold = await fsc3d(iso.h1, iso.h2, mask, 0.7 * g);
    expect(bold.warnings.map((w) => w.code)).toEqual(['1h.fsc3d-optimistic']);
  }, 60_000);
});

describe('1.h when the global FSC does not cross 0.143', () => {
  const d: Vec3 = [48, 48, 48];
  const ones = new Float32Array(48 ** 3).fill(1);

  it('halves that agree to Nyquist: "could not estimate" (above), every direction at the Nyquist limit, sphericity 1', async () => {
    const g = gaussianSource(mulberry32(7));
    const signal = new Float32Array(ones.length).map(() => g());
    const half = (): Volume => ({ dims: d, voxelSize: [TS, TS, TS], origin: [0, 0, 0], data: signal.map((x) => x + 0.01 * g()) });
    const m = await fsc3d(half(), half(), ones, 2 * TS);
    const v = m.values as unknown as V;
    expect(v.globalCrosses).toBe('above');
    expect(v.globalResolution).toBeNull();
    expect(m.warnings.map((w) => w.code)).toEqual(['1h.not-estimated']);
    expect(v.directionsAtNyquist).toBe(FSC3D_DIRECTIONS);
    expect(v.directional.max).toBeCloseTo(2 * TS, 10);
    expect(v.sphericity).toBeGreaterThan(0.998);
  });

  it('unrelated halves: "could not estimate" (below), no direction resolved, no sphericity', async () => {
    const [a, b] = [await smoothNoise(d, 8, 0.7), await smoothNoise(d, 9, 0.7)];
    const m = await fsc3d(a, b, ones, 4);
    const v = m.values as unknown as V;
    expect(v.globalCrosses).toBe('below');
    expect(m.warnings.map((w) => w.code)).toEqual(['1h.not-estimated']);
    expect(v.directionsUnresolved).toBeGreaterThan(FSC3D_DIRECTIONS / 2);
    expect(v.sphericity).toBeNull();
  });
});
