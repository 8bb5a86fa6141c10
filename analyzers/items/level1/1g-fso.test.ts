/**
 * 1.g on half maps with a designed FSC (simulate/half-maps.ts), the same isotropic (4 Å) and
 * anisotropic (4 Å in xy, 6 Å along z) pairs as 1.h's test, with a soft spherical mask: the FSO
 * resolution against the global FSC and the design, the band that widens with the anisotropy,
 * and VRS's criterion.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianFilter } from '../../methods/filters.ts';
import { softMask } from '../../methods/masks.ts';
import { simulateHalfMaps } from '../../simulate/half-maps.ts';
import { gaussianSource, mulberry32 } from '../../util/random.ts';
import type { Vec3, Volume } from '../../volume/volume.ts';
import { fso, FSO_DIRECTIONS } from './1g-fso.ts';

const N = 112;
const dims: Vec3 = [N, N, N];
const TS = 1.1;

function smoothNoise(d: Vec3, seed: number, sigma = 1.5): Promise<Volume> {
  const g = gaussianSource(mulberry32(seed));
  const data = new Float32Array(d[0] * d[1] * d[2]).map(() => g());
  return gaussianFilter({ dims: d, voxelSize: [TS, TS, TS], origin: [0, 0, 0], data }, sigma);
}

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
  fsoResolution: number;
  fsoCrosses: string;
  fsoBand: [number, number];
  bandWidth: number;
  binghamMax: number;
  globalResolution: number;
  directions: number;
}

describe('1.g on designed half maps', () => {
  let mask: Float32Array;
  let iso: V;
  let aniso: V;
  let isoPair: { h1: Volume; h2: Volume };
  beforeAll(async () => {
    mask = await sphereSoftMask(dims);
    const signal = await smoothNoise(dims, 1);
    const a = await simulateHalfMaps(signal, { resolution: 4 }, 101);
    const b = await simulateHalfMaps(signal, { resolution: 4, resolutionZ: 6 }, 101);
    isoPair = { h1: a.half1, h2: a.half2 };
    iso = (await fso(a.half1, a.half2, mask, 4)).values as unknown as V;
    aniso = (await fso(b.half1, b.half2, mask, 4)).values as unknown as V;
    const show = (n: string, v: V) => `${n}: FSO ${v.fsoResolution.toFixed(2)} Å (global FSC ${v.globalResolution.toFixed(2)} Å), band ${v.fsoBand[0].toFixed(2)}–${v.fsoBand[1].toFixed(2)} Å, width ${v.bandWidth.toFixed(3)}, Bingham max ${v.binghamMax.toFixed(3)}`;
    console.log(`${show('isotropic', iso)}\n${show('anisotropic', aniso)}`);
  }, 120_000);

  it('isotropic: the FSO crosses 0.5 within 1 % of the global FSC resolution and within 5 % of the design; a narrow band about it', () => {
    expect(iso.directions).toBe(FSO_DIRECTIONS);
    expect(iso.fsoCrosses).toBe('crosses');
    expect(Math.abs(iso.fsoResolution - iso.globalResolution) / iso.globalResolution).toBeLessThan(0.01);
    expect(Math.abs(iso.fsoResolution - 4) / 4).toBeLessThan(0.05);
    expect(iso.fsoBand[0]).toBeGreaterThan(iso.fsoResolution);
    expect(iso.fsoBand[1]).toBeLessThan(iso.fsoResolution);
    expect(iso.bandWidth).toBeLessThan(0.2);
  });

  it('anisotropic: the band reaches from near the worst direction (z, 6 Å) to near the best (xy, 4 Å) and is more than twice as wide as the isotropic one', () => {
    expect(aniso.fsoBand[0]).toBeGreaterThan(4.7);
    expect(Math.abs(aniso.fsoBand[1] - 4)).toBeLessThan(0.3);
    expect(aniso.bandWidth).toBeGreaterThan(2 * iso.bandWidth);
    // Half of the directions lie within 60° of the xy plane (|u_z| < 1/2), resolved at 4.3 Å or better by the design.
    expect(aniso.fsoResolution).toBeGreaterThan(4);
    expect(aniso.fsoResolution).toBeLessThan(4.6);
  });

  it('VRS\'s criterion: a claim of 0.7 × the FSO resolution warns, one at the design does not, none is not evaluated', async () => {
    const { h1, h2 } = isoPair;
    expect((await fso(h1, h2, mask, 4)).warnings).toEqual([]);
    expect((await fso(h1, h2, mask, 0.7 * iso.fsoResolution)).warnings.map((w) => w.code)).toEqual(['1g.fso-optimistic']);
    expect((await fso(h1, h2, mask, null)).notEvaluable).toMatch(/no resolution was reported/u);
  }, 60_000);
});
