import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { mirrorVolume } from '../simulate/simulate.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { isosurface } from './marching-cubes.ts';
import { rasterise, renderSurface, rotationMatrix, threeViews, viewStep, VRS_VIEWS, type RgbImage } from './render-surface.ts';

/** Sum of Gaussian blobs (σ in Å) on an n³ grid of 1 Å voxels centred on the origin. */
function blobs(n: number, centres: readonly Vec3[], sigma: number, heights?: readonly number[]): Volume {
  const data = new Float32Array(n ** 3);
  const o = -(n - 1) / 2;
  for (let z = 0; z < n; z++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        let s = 0;
        centres.forEach((c, k) => {
          const d2 = (o + x - c[0]) ** 2 + (o + y - c[1]) ** 2 + (o + z - c[2]) ** 2;
          s += (heights?.[k] ?? 1) * Math.exp(-d2 / (2 * sigma * sigma));
        });
        data[x + n * (y + n * z)] = s;
      }
    }
  }
  return { dims: [n, n, n], voxelSize: [1, 1, 1], origin: [o, o, o], data };
}

async function decode(png: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** The image turned upside down (rows reversed). */
function flipRows(img: RgbImage): Uint8Array {
  const out = new Uint8Array(img.rgb.length);
  const row = 3 * img.width;
  for (let r = 0; r < img.height; r++) out.set(img.rgb.subarray(r * row, (r + 1) * row), (img.height - 1 - r) * row);
  return out;
}

const SMALL = { width: 320, height: 240, supersample: 2 } as const;

describe('rotationMatrix (turn about x, then y, then z)', () => {
  // `+ 0` turns −0 into 0 for toEqual.
  const apply = (R: Float64Array, v: Vec3) => [0, 1, 2].map((i) => R[3 * i] * v[0] + R[3 * i + 1] * v[1] + R[3 * i + 2] * v[2] + 0);
  it('turns right-handedly: +90° about z takes x to y', () => {
    expect(apply(rotationMatrix([0, 0, 90]), [1, 0, 0])).toEqual([0, 1, 0]);
    expect(apply(rotationMatrix([90, 0, 0]), [0, 1, 0])).toEqual([0, 0, 1]);
    expect(apply(rotationMatrix([0, 90, 0]), [0, 0, 1])).toEqual([1, 0, 0]);
  });
  it('gives the slice orientations for the three VRS views (right, up, towards the viewer)', () => {
    // View x (0,−90,−90): y → right, z → up, x → viewer. View y (−90,0,−90): z → right,
    // x → down, y → away. View z: identity.
    const [vx, vy, vz] = VRS_VIEWS.map((v) => rotationMatrix(v.rotation));
    expect([apply(vx, [1, 0, 0]), apply(vx, [0, 1, 0]), apply(vx, [0, 0, 1])]).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect([apply(vy, [1, 0, 0]), apply(vy, [0, 1, 0]), apply(vy, [0, 0, 1])]).toEqual([[0, -1, 0], [0, 0, -1], [1, 0, 0]]);
    expect(Array.from(vz, (x) => x + 0)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
  it('composes in the stated order: x first, then y (Ry·Rx, not Rx·Ry)', () => {
    // Turn x by 90 then y by 90: z → −y (after x) → −y (y-turn leaves y); y → z → x.
    const R = rotationMatrix([90, 90, 0]);
    expect(apply(R, [0, 0, 1])).toEqual([0, -1, 0]);
    expect(apply(R, [0, 1, 0])).toEqual([1, 0, 0]);
  });
});

describe('renderSurface: camera convention and handedness', () => {
  // Six blobs at ±12 Å on each axis, each vertex coloured by its nearest blob. In every view the
  // blob towards the viewer must hide the one behind it at the centre, and the others must appear
  // where right/up say.
  const centres: Vec3[] = [[12, 0, 0], [-12, 0, 0], [0, 12, 0], [0, -12, 0], [0, 0, 12], [0, 0, -12]];
  // Distinct channel patterns, robust to shading: R, G, B, RG, RB, GB.
  const colours: Vec3[] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]];
  const v = blobs(48, centres, 3);
  const mesh = isosurface(v, 0.5);
  const perVertex = new Float32Array(mesh.positions.length);
  for (let i = 0; i < mesh.positions.length; i += 3) {
    let best = 0;
    let bestD = Infinity;
    centres.forEach((c, k) => {
      const d = Math.hypot(mesh.positions[i] - c[0], mesh.positions[i + 1] - c[1], mesh.positions[i + 2] - c[2]);
      if (d < bestD) { bestD = d; best = k; }
    });
    perVertex.set(colours[best], i);
  }
  /** Classify a pixel by which channels are on (> 0.55 of its max): index into `colours`, or −1. */
  const classify = (r: number, g: number, b: number): number => {
    const m = Math.max(r, g, b);
    if (m < 30) return -1;
    const key = [r > 0.55 * m, g > 0.55 * m, b > 0.55 * m].map(Number).join('');
    return ['100', '010', '001', '110', '101', '011'].indexOf(key);
  };
  /** Centroid (x right, y up, relative to the image centre, px) and pixel count per blob. */
  const centroids = (img: RgbImage) => {
    const acc = colours.map(() => ({ n: 0, x: 0, y: 0 }));
    for (let r = 0; r < img.height; r++) {
      for (let c = 0; c < img.width; c++) {
        const o = 3 * (c + img.width * r);
        const k = classify(img.rgb[o], img.rgb[o + 1], img.rgb[o + 2]);
        if (k < 0) continue;
        acc[k].n++;
        acc[k].x += c + 0.5 - img.width / 2;
        acc[k].y += img.height / 2 - (r + 0.5);
      }
    }
    return acc.map((a) => ({ n: a.n, x: a.n ? a.x / a.n : NaN, y: a.n ? a.y / a.n : NaN }));
  };

  for (const view of VRS_VIEWS) {
    it(`view ${view.name} ${JSON.stringify(view.rotation)}: ${view.description}`, () => {
      const img = rasterise(mesh, { ...SMALL, rotation: view.rotation, colour: perVertex, depthCue: 0, outline: 0 });
      const R = rotationMatrix(view.rotation);
      const cs = centroids(img);
      centres.forEach((c, k) => {
        const right = R[0] * c[0] + R[1] * c[1] + R[2] * c[2];
        const up = R[3] * c[0] + R[4] * c[1] + R[5] * c[2];
        const toward = R[6] * c[0] + R[7] * c[1] + R[8] * c[2];
        if (toward < 0) {
          // Behind the blob at the centre: hidden (a few rim pixels at most).
          expect(cs[k].n).toBeLessThan(0.02 * cs[(k ^ 1)].n);
        } else {
          expect(cs[k].n).toBeGreaterThan(300);
          // Centroids within 10 px of the centre line count as on it (sign 0); `+ 0` drops −0.
          expect(Math.sign(Math.round(cs[k].x / 10)) + 0).toBe(Math.sign(right) + 0);
          expect(Math.sign(Math.round(cs[k].y / 10)) + 0).toBe(Math.sign(up) + 0);
        }
      });
    });
  }
});

describe('renderSurface: mirrored maps, determinism, fit', () => {
  // An asymmetric object: three blobs of different sizes, not symmetric under any flip.
  const v = blobs(40, [[6, 2, -3], [-5, 4, 4], [1, -7, 2]], 2.6, [1, 0.8, 1.2]);
  const mesh = isosurface(v, 0.5);

  it('draws the z-mirrored map, seen along x, as the original turned upside down', async () => {
    // mirrorVolume flips z. View x shows y to the right and z up, depth along x: the mirror
    // only reverses "up", so the picture is the original's with its rows reversed, provided the
    // lights are symmetric under y → −y (they are placed at y = 0 here). Rasterisation of the
    // two meshes differs by float rounding only, so we compare with a tolerance and against
    // the unflipped picture, which a wrong-handed renderer would match instead.
    const opts = { ...SMALL, rotation: VRS_VIEWS[0].rotation, lights: { key: [-1, 0, 1] as Vec3, fill: [1, 0, 1] as Vec3 } };
    const a = rasterise(mesh, opts);
    const b = rasterise(isosurface(mirrorVolume(v), 0.5), opts);
    const flipped = flipRows(a);
    const same = meanAbsDiff(b.rgb, flipped);
    const notFlipped = meanAbsDiff(b.rgb, a.rgb);
    expect(same).toBeLessThan(0.3);
    expect(notFlipped).toBeGreaterThan(20 * same + 3);
    let off = 0;
    for (let i = 0; i < flipped.length; i++) if (Math.abs(flipped[i] - b.rgb[i]) > 8) off++;
    expect(off / flipped.length).toBeLessThan(0.002);
  });

  it('gives byte-identical PNGs for the same input', async () => {
    const p1 = await renderSurface(mesh, { rotation: [20, -35, 10] });
    const p2 = await renderSurface(isosurface(v, 0.5), { rotation: [20, -35, 10] });
    expect(p1.equals(p2)).toBe(true);
    const img = await decode(p1);
    expect([img.width, img.height]).toEqual([1300, 700]);
  });

  it('gives three different views', async () => {
    const views = await threeViews(mesh, SMALL);
    expect(views.map((x) => x.name)).toEqual(['x', 'y', 'z']);
    const imgs = await Promise.all(views.map((x) => decode(x.png)));
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]]) expect(meanAbsDiff(imgs[i].rgb, imgs[j].rgb)).toBeGreaterThan(3);
  });

  it('fits the object in view ("view all"): margins empty, the object touches the margin on one axis', () => {
    const margin = 0.05;
    for (const view of VRS_VIEWS) {
      const img = rasterise(mesh, { ...SMALL, rotation: view.rotation, margin });
      let c0 = Infinity, c1 = -Infinity, r0 = Infinity, r1 = -Infinity;
      for (let r = 0; r < img.height; r++) {
        for (let c = 0; c < img.width; c++) {
          const o = 3 * (c + img.width * r);
          if (img.rgb[o] === 255 && img.rgb[o + 1] === 255 && img.rgb[o + 2] === 255) continue;
          c0 = Math.min(c0, c); c1 = Math.max(c1, c); r0 = Math.min(r0, r); r1 = Math.max(r1, r);
        }
      }
      const mx = margin * img.width, my = margin * img.height;
      expect(c0).toBeGreaterThanOrEqual(mx - 1);
      expect(img.width - 1 - c1).toBeGreaterThanOrEqual(mx - 1);
      expect(r0).toBeGreaterThanOrEqual(my - 1);
      expect(img.height - 1 - r1).toBeGreaterThanOrEqual(my - 1);
      // Centred, and tight on the limiting axis.
      expect(Math.abs(c0 - (img.width - 1 - c1))).toBeLessThanOrEqual(2);
      expect(Math.abs(r0 - (img.height - 1 - r1))).toBeLessThanOrEqual(2);
      expect(Math.min(c0 - mx, r0 - my)).toBeLessThan(2);
    }
  });

  it('renders an empty mesh as background only', () => {
    const img = rasterise(isosurface(v, 99), { ...SMALL, rotation: [0, 0, 0], background: '#102030' });
    let wrong = 0;
    for (let i = 0; i < img.rgb.length; i += 3) if (img.rgb[i] !== 16 || img.rgb[i + 1] !== 32 || img.rgb[i + 2] !== 48) wrong++;
    expect(wrong).toBe(0);
  });
});

describe('viewStep', () => {
  it('keeps step 1 up to 2^26 voxels and decimates beyond', () => {
    expect(viewStep([360, 360, 360])).toBe(1);
    expect(viewStep([512, 512, 512])).toBe(2);
    expect(viewStep([1024, 1024, 1024])).toBe(3);
  });
});
