/**
 * Figure of item 0.h: where the helix-chirality hand test found its α-helix segments.
 *
 * Picture: maximum-intensity projection along z of the low-passed working map L of
 * `prepareHandMaps` (1 Å voxels), oriented like the project's Z images (x runs right, y runs up,
 * seen from +z; `analyzers/figures/slices.ts`), greyscale stretched between 0 (or the minimum, if
 * higher) and the maximum, upscaled by an integer factor. On top, an SVG overlay draws each
 * segment's axis projected on the xy plane: blue for right-handed (h < 0, the correct hand),
 * vermilion for left-handed (h > 0), grey dashed for pieces that were found but not used in the
 * score. A mirror image of the map (z → −z) has the same projection with the colours swapped.
 */
import sharp from 'sharp';
import { PALETTE, PLOT_FONT } from './plots.ts';
import type { HandMaps, HelixSegment } from '../methods/helix-hand.ts';

/** A rendered PNG with its pixel size. */
export interface HandFigure {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
}

const RIGHT = PALETTE[0]; // blue
const LEFT = PALETTE[1]; // vermilion
const UNUSED = '#9a9a9a';

/**
 * Max over z of `maps.lowPass`, as a Z image: `out[col + nx·row]` with col = x, row = ny − 1 − y.
 */
export function maxProjectionZ(maps: HandMaps): Float32Array {
  const [nx, ny, nz] = maps.dims;
  const a = maps.lowPass;
  const plane = new Float32Array(nx * ny).fill(-Infinity);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = nx * (ny - 1 - y);
      for (let x = 0; x < nx; x++, i++) if (a[i] > plane[row + x]) plane[row + x] = a[i];
    }
  }
  return plane;
}

/**
 * PNG of the projection with the segment axes drawn on top (file comment). `minSide` (default
 * 560) sets the integer upscale: ceil(minSide / max(nx, ny)).
 */
export async function handSegmentsFigure(maps: HandMaps, segments: readonly HelixSegment[], opts: { minSide?: number } = {}): Promise<HandFigure> {
  const [nx, ny] = maps.dims;
  const plane = maxProjectionZ(maps);
  let max = -Infinity, min = Infinity;
  for (let i = 0; i < plane.length; i++) {
    if (plane[i] > max) max = plane[i];
    if (plane[i] < min) min = plane[i];
  }
  const lo = Math.max(0, min);
  const k = max > lo ? 255 / (max - lo) : 0;
  const s = Math.max(1, Math.ceil((opts.minSide ?? 560) / Math.max(nx, ny)));
  const W = nx * s, H = ny * s;
  const rgb = new Uint8Array(W * H * 3);
  for (let r = 0; r < ny; r++) {
    for (let c = 0; c < nx; c++) {
      const v = plane[c + nx * r];
      const g = v <= lo ? 0 : Math.min(255, Math.floor((v - lo) * k));
      for (let dy = 0; dy < s; dy++) {
        let o = 3 * ((r * s + dy) * W + c * s);
        for (let dx = 0; dx < s; dx++, o += 3) {
          rgb[o] = g;
          rgb[o + 1] = g;
          rgb[o + 2] = g;
        }
      }
    }
  }
  const px = (xA: number) => ((xA - maps.origin[0]) / maps.voxelA + 0.5) * s;
  const py = (yA: number) => (ny - 1 - (yA - maps.origin[1]) / maps.voxelA + 0.5) * s;
  const lines: string[] = [];
  // Unused first, so that used segments are drawn on top.
  const ordered = [...segments].sort((a, b) => Number(a.used) - Number(b.used));
  for (const g of ordered) {
    const colour = !g.used ? UNUSED : g.h > 0 ? LEFT : RIGHT;
    const dash = g.used ? '' : ' stroke-dasharray="6 4"';
    const x1 = px(g.start[0]), y1 = py(g.start[1]), x2 = px(g.end[0]), y2 = py(g.end[1]);
    lines.push(`<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${colour}" stroke-width="${g.used ? 4 : 2.5}" stroke-linecap="round"${dash}/>`);
    if (g.used) {
      for (const [x, y] of [[x1, y1], [x2, y2]]) lines.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${colour}"/>`);
    }
  }
  const legend = [
    [RIGHT, 'right-handed (correct)'],
    [LEFT, 'left-handed (mirrored)'],
    [UNUSED, 'found, not used'],
  ];
  const fontPx = 13;
  const legendSvg = legend
    .map(([c, t], i) => {
      const y = 8 + i * (fontPx + 6);
      return `<rect x="8" y="${y}" width="14" height="${fontPx}" fill="${c}"/><text x="28" y="${y + fontPx - 2}" font-family="${PLOT_FONT}" font-size="${fontPx}" fill="#ffffff" stroke="#000000" stroke-width="0.6" paint-order="stroke">${t}</text>`;
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${lines.join('')}${legendSvg}</svg>`;
  const png = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png({ compressionLevel: 9 })
    .toBuffer();
  return { png, width: W, height: H };
}
