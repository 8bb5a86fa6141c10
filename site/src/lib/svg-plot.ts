/**
 * Plots of the statistics page as inline SVG, drawn at build time (no script, printable, grey-scale
 * readable): histograms and scatter plots over a grey density of a background population. Pure
 * functions of numbers; the page's CSV downloads carry the same numbers.
 */
import { escapeHtml, formatNumber } from './format.ts';

const W = 420, H = 260, ML = 56, MR = 12, MT = 12, MB = 44;
const PW = W - ML - MR, PH = H - MT - MB;


/** About five round tick values covering [lo, hi] (whole numbers only when `integer`: counts). */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = Math.max((hi - lo) / count, integer ? 1 : 0);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const step = integer && !Number.isInteger(nice) ? Math.ceil(nice) : nice;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** A linear map from [lo, hi] onto [a, b]. */
function scale(lo: number, hi: number, a: number, b: number): (v: number) => number {
  const k = hi > lo ? (b - a) / (hi - lo) : 0;
  return (v) => a + (v - lo) * k;
}

/** Axes with ticks and labels around the plot area. */
function axes(xlo: number, xhi: number, ylo: number, yhi: number, xLabel: string, yLabel: string, yInteger = false): string {
  const sx = scale(xlo, xhi, ML, ML + PW), sy = scale(ylo, yhi, MT + PH, MT);
  const parts = [`<rect x="${ML}" y="${MT}" width="${PW}" height="${PH}" fill="none" stroke="#222" stroke-width="1"/>`];
  for (const t of niceTicks(xlo, xhi)) parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${MT + PH}" y2="${MT + PH + 4}" stroke="#222"/><text x="${sx(t)}" y="${MT + PH + 15}" font-size="10" text-anchor="middle" fill="#222">${formatNumber(t)}</text>`);
  for (const t of niceTicks(ylo, yhi, 5, yInteger)) parts.push(`<line x1="${ML - 4}" x2="${ML}" y1="${sy(t)}" y2="${sy(t)}" stroke="#222"/><text x="${ML - 6}" y="${sy(t) + 3}" font-size="10" text-anchor="end" fill="#222">${formatNumber(t)}</text>`);
  parts.push(`<text x="${ML + PW / 2}" y="${H - 8}" font-size="11" text-anchor="middle" fill="#000">${escapeHtml(xLabel)}</text>`);
  parts.push(`<text transform="translate(13 ${MT + PH / 2}) rotate(-90)" font-size="11" text-anchor="middle" fill="#000">${escapeHtml(yLabel)}</text>`);
  return parts.join('');
}

function svg(body: string, title: string): string {
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">${body}</svg>`;
}

/** Range of finite values, widened when all are equal. */
function range(values: readonly number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (hi === lo) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** Counts of `values` in `bins` equal bins over [lo, hi] (the last bin includes hi). */
export function binCounts(values: readonly number[], lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
  }
  return counts;
}

/** A histogram of `values` (grey bars, black edges); `bins` equal bins over their range. */
export function histogramSvg(values: readonly number[], o: { xLabel: string; title: string; bins?: number; lo?: number; hi?: number }): string {
  const [rlo, rhi] = range(values);
  const lo = o.lo ?? rlo, hi = o.hi ?? rhi;
  const bins = o.bins ?? 20;
  const counts = binCounts(values, lo, hi, bins);
  const top = Math.max(1, ...counts);
  const sx = scale(lo, hi, ML, ML + PW), sy = scale(0, top, MT + PH, MT);
  const w = (hi - lo) / bins;
  const bars = counts.map((c, k) => (c === 0 ? '' : `<rect x="${sx(lo + k * w)}" y="${sy(c)}" width="${Math.max(0.5, sx(lo + (k + 1) * w) - sx(lo + k * w))}" height="${MT + PH - sy(c)}" fill="#9e9e9e" stroke="#000" stroke-width="0.6"/>`)).join('');
  return svg(bars + axes(lo, hi, 0, top, o.xLabel, 'entries', true), o.title);
}

/** A scatter plot of `points` (black dots) over the grey density of `background` (binned 60 × 40); `diagonal` draws y = x. */
export function scatterSvg(points: readonly [number, number][], o: { xLabel: string; yLabel: string; title: string; background?: readonly [number, number][]; diagonal?: boolean; xRange?: [number, number]; yRange?: [number, number] }): string {
  const all = [...points, ...(o.background ?? [])];
  const [xlo, xhi] = o.xRange ?? range(all.map((p) => p[0]));
  const [ylo, yhi] = o.yRange ?? range(all.map((p) => p[1]));
  const sx = scale(xlo, xhi, ML, ML + PW), sy = scale(ylo, yhi, MT + PH, MT);
  const parts: string[] = [];
  if (o.background && o.background.length > 0) {
    const nx = 60, ny = 40;
    const grid = new Array<number>(nx * ny).fill(0);
    for (const [x, y] of o.background) {
      if (!(x >= xlo && x <= xhi && y >= ylo && y <= yhi)) continue;
      const i = Math.min(nx - 1, Math.floor(((x - xlo) / (xhi - xlo)) * nx));
      const j = Math.min(ny - 1, Math.floor(((y - ylo) / (yhi - ylo)) * ny));
      grid[j * nx + i]++;
    }
    const top = Math.max(1, ...grid);
    const cw = PW / nx, ch = PH / ny;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const c = grid[j * nx + i];
        if (c === 0) continue;
        // Square-root shading: a few entries stay visible next to the crowded 3–4 Å cells.
        const grey = Math.round(235 - 135 * Math.sqrt(c / top));
        parts.push(`<rect x="${(ML + i * cw).toFixed(1)}" y="${(MT + PH - (j + 1) * ch).toFixed(1)}" width="${cw.toFixed(2)}" height="${ch.toFixed(2)}" fill="rgb(${grey},${grey},${grey})"/>`);
      }
    }
  }
  if (o.diagonal) {
    const a = Math.max(xlo, ylo), b = Math.min(xhi, yhi);
    if (b > a) parts.push(`<line x1="${sx(a)}" y1="${sy(a)}" x2="${sx(b)}" y2="${sy(b)}" stroke="#555" stroke-dasharray="4 3"/>`);
  }
  for (const [x, y] of points) {
    if (!(x >= xlo && x <= xhi && y >= ylo && y <= yhi)) continue;
    parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="#000" stroke="#fff" stroke-width="1"/>`);
  }
  return svg(parts.join('') + axes(xlo, xhi, ylo, yhi, o.xLabel, o.yLabel), o.title);
}
