/**
 * Writing figure files into an entry's `figures/` folder, atomically (temporary name in the same
 * folder, then rename, via `writeFileAtomic`), returning paths relative to the entry folder in the
 * form the report schema wants (`figures/<name>.png`, `figures/<name>.svg`).
 */
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';

/** A written figure file: path relative to the entry folder and its size. */
export interface WrittenFigure {
  /** `figures/<name>.png` or `figures/<name>.svg`. */
  readonly file: string;
  /** Pixels for a PNG; display size in CSS px for an SVG. */
  readonly width: number;
  readonly height: number;
}

/**
 * A plot written twice: `file` is the PNG (for the PDF), `svg` the SVG (for the page); width and
 * height are the display size in CSS px (the SVG's size; the PNG may have more pixels).
 */
export interface WrittenPlot extends WrittenFigure {
  /** `figures/<name>.svg`. */
  readonly svg: string;
}

const FOLDER = 'figures';
const NAME = /^[A-Za-z0-9_.-]+$/u;

/** Checks `figuresDir` ends in `figures` and `name` is a bare file stem; returns the target path. */
function target(figuresDir: string, name: string, ext: 'png' | 'svg'): { abs: string; rel: string } {
  if (path.basename(path.resolve(figuresDir)) !== FOLDER) {
    throw new RangeError(`figure folder must be the entry's "${FOLDER}" folder, got ${figuresDir}`);
  }
  if (!NAME.test(name) || name.startsWith('.') || /\.(png|svg)$/iu.test(name)) {
    throw new RangeError(`figure name "${name}" must be a stem of letters, digits, "_", "." or "-" without extension`);
  }
  return { abs: path.join(figuresDir, `${name}.${ext}`), rel: `${FOLDER}/${name}.${ext}` };
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). Throws if not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b) || String.fromCharCode(png[12], png[13], png[14], png[15]) !== 'IHDR') {
    throw new RangeError('not a PNG (signature or IHDR chunk missing)');
  }
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: dv.getUint32(16, false), height: dv.getUint32(20, false) };
}

/** Width and height attributes of the root `<svg>` element (plain numbers or px). */
export function svgSize(svg: string): { width: number; height: number } {
  const open = /<svg\b[^>]*>/u.exec(svg);
  const w = open && /\swidth="([\d.]+)(?:px)?"/u.exec(open[0]);
  const h = open && /\sheight="([\d.]+)(?:px)?"/u.exec(open[0]);
  if (!w || !h) throw new RangeError('SVG root element has no numeric width and height');
  return { width: Math.round(Number(w[1])), height: Math.round(Number(h[1])) };
}

/** Writes `<figuresDir>/<name>.png` atomically; returns `{ file: 'figures/<name>.png', width, height }`. */
export async function writePng(figuresDir: string, name: string, png: Uint8Array): Promise<WrittenFigure> {
  const { abs, rel } = target(figuresDir, name, 'png');
  const size = pngSize(png);
  await writeFileAtomic(abs, png);
  return { file: rel, ...size };
}

/** Writes `<figuresDir>/<name>.svg` atomically; returns `{ file: 'figures/<name>.svg', width, height }`. */
export async function writeSvg(figuresDir: string, name: string, svg: string): Promise<WrittenFigure> {
  const { abs, rel } = target(figuresDir, name, 'svg');
  const size = svgSize(svg);
  await writeFileAtomic(abs, svg);
  return { file: rel, ...size };
}

/**
 * Writes a plot as `<name>.svg` and `<name>.png`; returns `{ file: png path, svg: svg path, width,
 * height }` with the SVG's display size (the fields of a report `Figure`).
 */
export async function writePlot(figuresDir: string, name: string, svg: string, png: Uint8Array): Promise<WrittenPlot> {
  const s = await writeSvg(figuresDir, name, svg);
  const p = await writePng(figuresDir, name, png);
  return { file: p.file, svg: s.file, width: s.width, height: s.height };
}
