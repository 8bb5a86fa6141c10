/**
 * The Guinier fit's radial amplitudes read only the shells of the curve (d ≥ res) and rows stop at
 * the first coefficient past them: checked bit for bit against the plain pass over the whole
 * spectrum (the code before that shortcut), and the fit on a map of known B against that plain fit.
 */
import { describe, expect, it } from 'vitest';
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import { hypot2 } from '../util/hypot.ts';
import { mulberry32 } from '../util/random.ts';
import { createVolume, type Vec3 } from '../volume/volume.ts';
import { guinierCurve, guinierFit, lastCurveShell, radialAmplitudes } from './guinier.ts';

/** The plain radial pass: every coefficient with |w|² ≤ 1/4, in memory order. */
function plainRadial(spec: Float32Array, dims: Vec3): { sum: Float64Array; count: Float64Array } {
  const [nx, ny, nz] = dims;
  const hx = Math.floor(nx / 2) + 1;
  const sum = new Float64Array(nx);
  const count = new Float64Array(nx);
  let p = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < hx; x++, p += 2) {
        const w2 = fftFreq(x, nx) ** 2 + (fftFreq(y, ny) ** 2 + fftFreq(z, nz) ** 2);
        if (w2 > 0.25) continue;
        const k = Math.round(Math.sqrt(w2) * nx);
        if (k >= nx) continue;
        sum[k] += hypot2(spec[p], spec[p + 1]) * (1 / (nx * ny * nz));
        count[k]++;
      }
    }
  }
  return { sum, count };
}

function randomSpectrum(dims: Vec3, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  const s = new Float32Array(2 * (Math.floor(dims[0] / 2) + 1) * dims[1] * dims[2]);
  for (let i = 0; i < s.length; i++) s[i] = rnd() * 2 - 1;
  return s;
}

describe('radialAmplitudes', () => {
  for (const dims of [[24, 20, 18], [17, 15, 22]] as Vec3[]) {
    it(`every shell equals the plain pass bit for bit (${dims.join('×')})`, () => {
      const spec = randomSpectrum(dims, 3);
      const plain = plainRadial(spec, dims);
      const got = radialAmplitudes(spec, dims);
      expect(Array.from(got.sum)).toEqual(Array.from(plain.sum));
      expect(Array.from(got.count)).toEqual(Array.from(plain.count));
    });

    it(`with a last shell: shells up to it equal the plain pass, later ones are 0 (${dims.join('×')})`, () => {
      const spec = randomSpectrum(dims, 5);
      const plain = plainRadial(spec, dims);
      for (const last of [0, 1, 4, 7, dims[0] - 1]) {
        const got = radialAmplitudes(spec, dims, last);
        for (let k = 0; k < dims[0]; k++) {
          expect(got.sum[k]).toBe(k <= last ? plain.sum[k] : 0);
          expect(got.count[k]).toBe(k <= last ? plain.count[k] : 0);
        }
      }
    });
  }

  it('lastCurveShell is the last shell guinierCurve keeps', () => {
    for (const [N, Ts, res] of [[24, 1, 3], [360, 0.83, 2.99], [64, 1.2, 2.4], [40, 2, 3.9], [30, 1, 1]]) {
      const last = lastCurveShell(N, Ts, res);
      const curve = guinierCurve(new Float64Array(N).fill(1), new Float64Array(N).fill(1), N, Ts, res);
      expect(last).toBe(curve.shell[curve.shell.length - 1]);
    }
  });
});

describe('guinierFit', () => {
  it('recovers a designed B and matches the plain fit bit for bit', async () => {
    // Gaussian blobs (amplitudes ∝ exp(−B₀ s²/4) with B₀ = −8π²σ²… of each blob) on a 32³ grid.
    const dims: Vec3 = [32, 32, 32];
    const v = createVolume(dims, [1, 1, 1]);
    const rnd = mulberry32(11);
    const centres = Array.from({ length: 40 }, () => [4 + rnd() * 24, 4 + rnd() * 24, 4 + rnd() * 24]);
    const sigma = 1.2;
    for (let z = 0, i = 0; z < 32; z++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++, i++) {
          let s = 0;
          for (const [cx, cy, cz] of centres) s += Math.exp(-((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2) / (2 * sigma * sigma));
          v.data[i] = s;
        }
      }
    }
    const fit = await guinierFit(v, 3);
    // A Gaussian of standard deviation σ has |F| ∝ exp(−2π²σ²s²): B = 4·slope = −8π²σ².
    expect(fit.bFactor).toBeCloseTo(-8 * Math.PI ** 2 * sigma ** 2, -1);
    // The plain pass on the same spectra gives the same curve, bit for bit.
    const spec = await createRealFft3d(dims).forward(v.data);
    const plain = plainRadial(spec, dims);
    const curve = guinierCurve(plain.sum, plain.count, 32, 1, 3);
    expect(Array.from(fit.curve.lnF)).toEqual(Array.from(curve.lnF));
    // The plain correction: every coefficient with R ≤ 1/res multiplied by exp(−B·R²/4).
    const fft = createRealFft3d(dims);
    for (let z = 0, p = 0; z < 32; z++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 17; x++, p += 2) {
          const R2 = fftFreq(x, 32) ** 2 + (fftFreq(y, 32) ** 2 + fftFreq(z, 32) ** 2);
          if (R2 > 1 / 9) continue;
          const g = Math.exp(-0.25 * fit.bFactor * R2);
          spec[p] *= g;
          spec[p + 1] *= g;
        }
      }
    }
    const after = plainRadial(spec, dims);
    expect(Array.from(fit.correctedLnF)).toEqual(Array.from(guinierCurve(after.sum, after.count, 32, 1, 3).lnF));
    expect(Array.from(fit.corrected)).toEqual(Array.from(await fft.inverse(spec)));
  });
});
