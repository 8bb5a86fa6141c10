import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Volume } from '../volume/volume.ts';
import { colourBar, colourBarTicks, colourVertices, MISSING_COLOUR, renderColouredViews, viridis, VIRIDIS_STOPS } from './colour-map.ts';
import { isosurface } from './marching-cubes.ts';
import { finiteQuantiles } from '../methods/order-statistics.ts';

const hex = (c: ArrayLike<number>) => '#' + [0, 1, 2].map((i) => Math.round(c[i] * 255).toString(16).padStart(2, '0')).join('');
/** WCAG relative luminance of sRGB in 0..1. */
const luminance = (r: number, g: number, b: number) => {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};

/** A volume on a 1 Å grid whose value is its x coordinate (Å). */
function xRamp(n: number, origin: number): Volume {
  const data = new Float32Array(n ** 3);
  for (let i = 0; i < data.length; i++) data[i] = origin + (i % n);
  return { dims: [n, n, n], voxelSize: [1, 1, 1], origin: [origin, origin, origin], data };
}

/** A flat plate |z| ≤ 2 Å, |x| ≤ 24 Å, |y| ≤ 12 Å (smooth edges), on a 60³ grid centred on 0. */
function plate(): Volume {
  const n = 60;
  const o = -(n - 1) / 2;
  const data = new Float32Array(n ** 3);
  const s = (d: number) => 1 / (1 + Math.exp(d / 0.7));
  for (let z = 0; z < n; z++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        data[x + n * (y + n * z)] = s(Math.abs(o + z) - 2) * s(Math.abs(o + x) - 24) * s(Math.abs(o + y) - 12);
      }
    }
  }
  return { dims: [n, n, n], voxelSize: [1, 1, 1], origin: [o, o, o], data };
}

describe('viridis', () => {
  it("matches matplotlib's published viridis at the ends and the middle", () => {
    const c = new Float64Array(3);
    expect(hex(viridis(0, c))).toBe('#440154');
    expect(hex(viridis(1, c))).toBe('#fde725');
    // matplotlib viridis(0.5) = entry 128 of 256 (t = 0.50196): #21918c.
    expect(hex(viridis(128 / 255, c))).toBe('#21918c');
    expect(hex(viridis(-3, c))).toBe('#440154');
    expect(hex(viridis(7, c))).toBe('#fde725');
    expect(Array.from(viridis(NaN, c))).toEqual([...MISSING_COLOUR]);
  });

  it('increases in luminance along the map (so it orders values in greyscale too)', () => {
    const c = new Float64Array(3);
    let prev = -1;
    for (let k = 0; k <= 200; k++) {
      viridis(k / 200, c);
      const y = luminance(c[0], c[1], c[2]);
      expect(y).toBeGreaterThan(prev);
      prev = y;
    }
    expect(VIRIDIS_STOPS[0][0]).toBe(0);
    expect(VIRIDIS_STOPS[VIRIDIS_STOPS.length - 1][0]).toBe(1);
  });
});

describe('colourVertices', () => {
  it('colours a surface by a property equal to x: viridis((x − lo)/(hi − lo)), ordered along x', () => {
    const prop = xRamp(40, -20);
    const ball: Volume = { ...prop, data: new Float32Array(prop.data.length) };
    for (let i = 0; i < ball.data.length; i++) {
      const x = -20 + (i % 40), y = -20 + (Math.floor(i / 40) % 40), z = -20 + Math.floor(i / 1600);
      ball.data[i] = 15 - Math.hypot(x + 0.3, y, z);
    }
    const mesh = isosurface(ball, 0);
    const colours = colourVertices(mesh, prop, [-15, 15]);
    const expected = new Float64Array(3);
    const order: Array<[number, number]> = [];
    for (let v = 0; v < mesh.positions.length / 3; v++) {
      const x = mesh.positions[3 * v];
      viridis((x + 15) / 30, expected);
      for (let c = 0; c < 3; c++) expect(colours[3 * v + c]).toBeCloseTo(expected[c], 5);
      order.push([x, luminance(colours[3 * v], colours[3 * v + 1], colours[3 * v + 2])]);
    }
    order.sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < order.length; k++) if (order[k][0] > order[k - 1][0]) expect(order[k][1]).toBeGreaterThanOrEqual(order[k - 1][1]);
  });

  it('gives the missing colour outside the property map', () => {
    const prop = xRamp(10, 0); // covers 0..9 Å only
    const mesh = { positions: new Float32Array([5, 5, 5, 50, 5, 5]), normals: new Float32Array(6), indices: new Uint32Array(0) };
    const c = colourVertices(mesh, prop, [0, 9]);
    expect(Array.from(c.subarray(3, 6))).toEqual(Array.from(new Float32Array(MISSING_COLOUR)));
    expect(hex(c.subarray(0, 3))).toBe(hex(viridis(5 / 9, new Float64Array(3))));
  });
});

describe('colour bar', () => {
  it('ticks both ends and round values in between', () => {
    expect(colourBarTicks(6.673743, 27.719413).map((t) => t[1])).toEqual(['6.7', '10', '15', '20', '25', '27.7']);
    expect(colourBarTicks(-1, 1).map((t) => t[1])).toEqual(['\u22121.0', '\u22120.5', '0.0', '0.5', '1.0']);
    const t = colourBarTicks(2.5, 3.5);
    expect(t.map((x) => x[1])).toEqual(['2.5', '2.6', '2.8', '3.0', '3.2', '3.4', '3.5']);
    t.forEach(([v, label]) => expect(v).toBeCloseTo(Number(label), 12));
    // Interior ticks closer than 8 % of the span to an end are dropped.
    expect(colourBarTicks(0.03, 0.97).map((x) => x[1])).toEqual(['0.03', '0.2', '0.4', '0.6', '0.8', '0.97']);
  });

  it('draws viridis from left (low) to right (high), with deterministic bytes', async () => {
    const bar = await colourBar({ range: [2.5, 6], label: 'Local resolution (Å)' });
    const again = await colourBar({ range: [2.5, 6], label: 'Local resolution (Å)' });
    expect(bar.png.equals(again.png)).toBe(true);
    expect(bar.svg).toContain('Local resolution (Å)');
    const { data, info } = await sharp(bar.png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([2 * bar.width, 2 * bar.height]);
    // The middle row of the bar, inside its frame (x 40..600 CSS px, y 30..54).
    const row = 2 * 42;
    let prev = -1;
    const lum: number[] = [];
    for (let x = 2 * 42; x < 2 * 598; x += 8) {
      const o = info.channels * (x + info.width * row);
      const y = luminance(data[o] / 255, data[o + 1] / 255, data[o + 2] / 255);
      lum.push(y);
      expect(y).toBeGreaterThan(prev);
      prev = y;
    }
    // Ends match the map's ends.
    const left = info.channels * (2 * 41 + info.width * row);
    expect(hex([data[left] / 255, data[left + 1] / 255, data[left + 2] / 255])).toMatch(/^#4[45]0[12]5[45]$/);
  });
});

describe('renderColouredViews', () => {
  it('colours a plate by x: hue runs from viridis-low on the left to viridis-high on the right in the z view', async () => {
    const map = plate();
    const prop: Volume = { ...map, data: new Float32Array(map.data.length) };
    for (let i = 0; i < prop.data.length; i++) prop.data[i] = map.origin[0] + (i % 60);
    const res = await renderColouredViews(map, 0.5, prop, { label: 'x (Å)', render: { width: 400, height: 240, supersample: 2, depthCue: 0, outline: 0 } });
    expect(res.views.map((v) => v.name)).toEqual(['x', 'y', 'z']);
    // Default range: p2.5–p97.5 of x over the vertices, inside (−24, 24).
    expect(res.range[0]).toBeGreaterThan(-24.5);
    expect(res.range[0]).toBeLessThan(-15);
    expect(res.range[1]).toBeGreaterThan(15);
    expect(res.range[1]).toBeLessThan(24.5);
    const { data, info } = await sharp(res.views[2].png).raw().toBuffer({ resolveWithObject: true });
    // (G − B)/(R + G + B) rises monotonically along viridis and is unchanged by a lighting factor.
    const hue = (o: number) => (data[o + 1] - data[o + 2]) / (data[o] + data[o + 1] + data[o + 2]);
    const row = info.height >> 1;
    const samples: number[] = [];
    for (let x = 60; x < info.width - 60; x += 20) samples.push(hue(3 * (x + info.width * row)));
    for (let k = 1; k < samples.length; k++) expect(samples[k]).toBeGreaterThan(samples[k - 1]);
    expect(samples[0]).toBeLessThan(0);
    expect(samples[samples.length - 1]).toBeGreaterThan(0.2);
  });

  it('finite quantiles interpolate like numpy and skip NaN', () => {
    expect(finiteQuantiles([4, 1, 3, 2, NaN], [0, 0.5, 0.25, 1])).toEqual([1, 2.5, 1.75, 4]);
  });
});
