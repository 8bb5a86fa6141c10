/**
 * Surfaces coloured by a local property (local resolution, local B-factor…): the viridis colour
 * map, per-vertex colours sampled from a property map, a labelled colour bar, and the three VRS
 * views of a coloured isosurface (level0-spec.md §3, "Local-property colour views").
 *
 * VRS colours these views with an 11-colour jet palette; we use viridis instead (perceptually
 * uniform, monotone in lightness, readable in greyscale and by colour-blind readers) on a
 * continuous scale, with the same default range [p2.5, p97.5].
 */
import sharp from 'sharp';
import { finiteQuantiles } from '../methods/order-statistics.ts';
import { sampleTrilinearFinite } from '../volume/interpolate.ts';
import type { Volume } from '../volume/volume.ts';
import { isosurface, type Mesh } from './marching-cubes.ts';
import { PLOT_FONT, PNG_SCALE } from './plots.ts';
import { shadeViews, threeViews, type PreparedViews, type RenderOptions, type RenderedView } from './render-surface.ts';

/**
 * Viridis control points [t, r, g, b] (sRGB, 0..1): entries 0, 8, 16, …, 248 and 255 of
 * matplotlib's 256-entry `_viridis_data` (lib/matplotlib/_cm_listed.py; van der Walt & Smith
 * 2015, CC0), at t = entry/255. Linear interpolation between them stays within 1.7/255 of the full
 * 256-entry table. Endpoints #440154 and #fde725.
 */
export const VIRIDIS_STOPS: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0.267004, 0.004874, 0.329415],
  [8, 0.277018, 0.050344, 0.375715],
  [16, 0.282327, 0.094955, 0.417331],
  [24, 0.282884, 0.13592, 0.453427],
  [32, 0.278826, 0.17549, 0.483397],
  [40, 0.270595, 0.214069, 0.507052],
  [48, 0.258965, 0.251537, 0.524736],
  [56, 0.244972, 0.287675, 0.53726],
  [64, 0.229739, 0.322361, 0.545706],
  [72, 0.214298, 0.355619, 0.551184],
  [80, 0.19943, 0.387607, 0.554642],
  [88, 0.185556, 0.41857, 0.556753],
  [96, 0.172719, 0.448791, 0.557885],
  [104, 0.160665, 0.47854, 0.558115],
  [112, 0.149039, 0.508051, 0.55725],
  [120, 0.13777, 0.537492, 0.554906],
  [128, 0.127568, 0.566949, 0.550556],
  [136, 0.120565, 0.596422, 0.543611],
  [144, 0.120638, 0.625828, 0.533488],
  [152, 0.132268, 0.655014, 0.519661],
  [160, 0.157851, 0.683765, 0.501686],
  [168, 0.196571, 0.711827, 0.479221],
  [176, 0.24607, 0.73891, 0.452024],
  [184, 0.304148, 0.764704, 0.419943],
  [192, 0.369214, 0.788888, 0.382914],
  [200, 0.440137, 0.811138, 0.340967],
  [208, 0.515992, 0.831158, 0.294279],
  [216, 0.595839, 0.848717, 0.243329],
  [224, 0.678489, 0.863742, 0.189503],
  [232, 0.762373, 0.876424, 0.137064],
  [240, 0.845561, 0.887322, 0.099702],
  [248, 0.926106, 0.89733, 0.104071],
  [255, 0.993248, 0.906157, 0.143936],
].map(([i, r, g, b]) => [i / 255, r, g, b] as const);

/** Colour of vertices whose property is NaN (outside the property map): neutral grey. */
export const MISSING_COLOUR: readonly [number, number, number] = [0.6, 0.6, 0.6];

/**
 * Viridis at t (clamped to [0, 1]) by linear interpolation of VIRIDIS_STOPS, written as r, g, b
 * (sRGB 0..1) into out[o..o+2]; NaN gives MISSING_COLOUR. Returns `out`.
 */
export function viridis<T extends { [i: number]: number }>(t: number, out: T, o = 0): T {
  if (Number.isNaN(t)) {
    out[o] = MISSING_COLOUR[0];
    out[o + 1] = MISSING_COLOUR[1];
    out[o + 2] = MISSING_COLOUR[2];
    return out;
  }
  const u = t <= 0 ? 0 : t >= 1 ? 1 : t;
  const stops = VIRIDIS_STOPS;
  // Stops are nearly uniform (every 8/255): start from the estimate and walk.
  let k = Math.min(stops.length - 2, Math.floor((u * 255) / 8));
  while (k > 0 && stops[k][0] > u) k--;
  while (k < stops.length - 2 && stops[k + 1][0] < u) k++;
  const a = stops[k];
  const b = stops[k + 1];
  const f = (u - a[0]) / (b[0] - a[0]);
  out[o] = a[1] + f * (b[1] - a[1]);
  out[o + 1] = a[2] + f * (b[2] - a[2]);
  out[o + 2] = a[3] + f * (b[3] - a[3]);
  return out;
}

/**
 * Per-vertex colours of `mesh`: viridis((p − lo)/(hi − lo)) where p is the trilinear value of
 * `property` at the vertex position (Å, the property map's own frame), clamped to the range; NaN
 * voxels of the property (no value) are left out of the interpolation, and MISSING_COLOUR is used
 * where no corner has a value (or the vertex lies outside the property map). Layout 3 floats per vertex,
 * as `RenderOptions.colour` takes them. Precondition: hi > lo.
 */
export function colourVertices(mesh: Mesh, property: Volume, range: readonly [number, number]): Float32Array {
  const [lo, hi] = range;
  if (!(hi > lo)) throw new RangeError(`colourVertices: range [${lo}, ${hi}] is empty`);
  const P = mesh.positions;
  const out = new Float32Array(P.length);
  const k = 1 / (hi - lo);
  for (let o = 0; o < P.length; o += 3) {
    const p = sampleTrilinearFinite(property, P[o], P[o + 1], P[o + 2]);
    viridis((p - lo) * k, out, o);
  }
  return out;
}


/** Options of `colourBar`. */
export interface ColourBarOptions {
  /** Values at the left and right ends. */
  readonly range: readonly [number, number];
  /** Title above the bar, e.g. "Local resolution (Å)". */
  readonly label: string;
  /** Figure size in CSS px (default 640 × 96); the PNG has PNG_SCALE× the pixels. */
  readonly width?: number;
  readonly height?: number;
}

/** A rendered colour bar: the SVG (for the page) and its PNG (for the PDF). */
export interface ColourBar {
  readonly svg: string;
  readonly png: Buffer;
  /** Display size in CSS px. */
  readonly width: number;
  readonly height: number;
}

/**
 * Tick values for [lo, hi]: both ends, plus the multiples of a 1-2-5 step (about 5 intervals)
 * that lie inside and at least 8 % of the span away from either end (so labels do not collide).
 * Returns [value, label] pairs, increasing; labels use U+2212 for minus.
 */
export function colourBarTicks(lo: number, hi: number): Array<[number, string]> {
  const span = hi - lo;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const fmt = (v: number, d: number) => {
    const s = v.toFixed(d);
    return (Number(s) === 0 ? s.replace(/^-/, '') : s).replace(/^-/, '\u2212');
  };
  // Ends: one more decimal than the interior ticks, unless already exact at their precision.
  const endFmt = (v: number) => (Number(v.toFixed(decimals)) === v ? fmt(v, decimals) : fmt(v, decimals + 1));
  const ticks: Array<[number, string]> = [[lo, endFmt(lo)]];
  for (let k = Math.ceil(lo / step); k * step < hi; k++) {
    const v = k * step;
    if (v - lo >= 0.08 * span && hi - v >= 0.08 * span) ticks.push([v, fmt(v, decimals)]);
  }
  ticks.push([hi, endFmt(hi)]);
  return ticks;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A horizontal viridis colour bar for values `range` = [lo, hi] (left → right): title on top, the
 * bar (an SVG linear gradient through VIRIDIS_STOPS, so it is the same piecewise-linear map as
 * the surfaces), ticks with labels below including both ends. Text in DejaVu Sans; rasterised by
 * sharp/librsvg at PNG_SCALE× (opaque RGB, zlib 9, no metadata: deterministic).
 */
export async function colourBar(opts: ColourBarOptions): Promise<ColourBar> {
  const [lo, hi] = opts.range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) throw new RangeError(`colourBar: bad range [${lo}, ${hi}]`);
  const width = opts.width ?? 640;
  const height = opts.height ?? 96;
  const x0 = 40;
  const x1 = width - 40;
  const barTop = 30;
  const barBottom = Math.max(barTop + 10, height - 42);
  const stops = VIRIDIS_STOPS.map(([t, r, g, b]) => {
    const hex = [r, g, b].map((c) => Math.round(c * 255).toString(16).padStart(2, '0')).join('');
    return `<stop offset="${(t * 100).toFixed(3)}%" stop-color="#${hex}"/>`;
  }).join('');
  const ticks = colourBarTicks(lo, hi)
    .map(([v, label]) => {
      const x = (x0 + ((v - lo) / (hi - lo)) * (x1 - x0)).toFixed(2);
      return (
        `<line x1="${x}" y1="${barBottom}" x2="${x}" y2="${barBottom + 6}" stroke="#333" stroke-width="1"/>` +
        `<text x="${x}" y="${barBottom + 21}" text-anchor="middle" font-size="12">${escapeXml(label)}</text>`
      );
    })
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${PLOT_FONT}" fill="#222">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    `<defs><linearGradient id="viridis" x1="0" y1="0" x2="1" y2="0">${stops}</linearGradient></defs>` +
    `<text x="${width / 2}" y="19" text-anchor="middle" font-size="13">${escapeXml(opts.label)}</text>` +
    `<rect x="${x0}" y="${barTop}" width="${x1 - x0}" height="${barBottom - barTop}" fill="url(#viridis)" stroke="#333" stroke-width="0.5"/>` +
    ticks +
    `</svg>`;
  const png = await sharp(Buffer.from(svg), { density: 72 * PNG_SCALE })
    .flatten({ background: '#ffffff' })
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return { svg, png, width, height };
}

/** Options of `renderColouredViews`. */
export interface ColouredViewsOptions {
  /** Colour range [lo, hi]; default [p2.5, p97.5] of the property at the surface's vertices. */
  readonly range?: readonly [number, number];
  /** Colour-bar title, e.g. "Local resolution (Å)". */
  readonly label: string;
  /** Marching-cubes options (mask, step). */
  readonly mask?: Uint8Array;
  readonly step?: number;
  /** Rendering options other than rotation and colour. */
  readonly render?: Omit<RenderOptions, 'rotation' | 'colour'>;
  /** The isosurface of `map` at `level` (with `mask` and `step`) already prepared in the three views with `render`'s options: only the colouring and the shading are left to do. */
  readonly prepared?: PreparedViews;
}

/** The coloured views, the colour bar and the range they use. */
export interface ColouredViews {
  /** The three VRS views (x, y, z order), each a separate PNG. */
  readonly views: RenderedView[];
  readonly colourBar: ColourBar;
  readonly range: readonly [number, number];
  readonly mesh: Mesh;
}

/**
 * The isosurface of `map` at `level` coloured by `property` (sampled at each vertex, viridis over
 * `range`), rendered in the three VRS views as separate PNGs, plus one colour-bar figure.
 * If the default range is empty (constant property), it is widened to [p − ½, p + ½].
 */
export async function renderColouredViews(map: Volume, level: number, property: Volume, opts: ColouredViewsOptions): Promise<ColouredViews> {
  const mesh = opts.prepared?.mesh ?? isosurface(map, level, { mask: opts.mask, step: opts.step });
  let range = opts.range;
  if (!range) {
    const P = mesh.positions;
    const vals = new Float64Array(P.length / 3);
    for (let v = 0; v < vals.length; v++) vals[v] = sampleTrilinearFinite(property, P[3 * v], P[3 * v + 1], P[3 * v + 2]);
    const [a, b] = finiteQuantiles(vals, [0.025, 0.975]);
    range = b > a ? [a, b] : Number.isFinite(a) ? [a - 0.5, a + 0.5] : [0, 1];
  }
  const colours = colourVertices(mesh, property, range);
  const views = opts.prepared ? await shadeViews(opts.prepared, { ...opts.render, colour: colours }) : await threeViews(mesh, { ...opts.render, colour: colours });
  const bar = await colourBar({ range, label: opts.label });
  return { views, colourBar: bar, range, mesh };
}
