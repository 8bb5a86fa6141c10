/**
 * Orthogonal sections and projections of a map as 2-D pictures, and their greyscale PNGs
 * (level0-spec.md §3, "Input data" figures 1–3, 5–7, 9, 11).
 *
 * ## Orientation (one convention for slices, projections and mask slices)
 *
 * The spec indexes arrays `[z][y][x]` and says: Z-image = `V[iz,:,:]`, X-image = `V[:,:,ix]`,
 * Y-image = `V[:,iy,:]` "after flipping, rotated 90° clockwise", and row 0 of an array is written at
 * the **bottom** of the picture (vertical flip). In picture terms that is:
 *
 * | image | width × height | runs right → | runs up ↑ | pixel of voxel (x, y, z), `row` 0 = top |
 * |---|---|---|---|---|
 * | Z | nx × ny | +x | +y | col = x, row = ny − 1 − y |
 * | X | ny × nz | +y | +z | col = y, row = nz − 1 − z |
 * | Y | nz × nx | +z | −x (x runs **down**) | col = z, row = x |
 *
 * For the Y-image: `V[:,iy,:]` is a `[z][x]` array; flipped, x runs right and z up (the origin
 * voxel bottom-left); a quarter turn clockwise sends "right" to "down" and "up" to "right", so z
 * runs right, x runs down and voxel (x = 0, z = 0) lands top-left: the picture is simply the
 * `[x][z]` transpose read top-down. All three are proper (unmirrored) views: Z seen from +z,
 * X seen from +x, Y seen from −y (right × up points at the viewer in each case).
 *
 * The image type here (`Image2D`) is row-major with row 0 at the TOP, exactly as displayed;
 * slices and projections go through the same `orient` step, so a feature sits at the same pixel
 * in the X slice, the X projection and the X slice of a mask.
 */
import sharp from 'sharp';
import type { Vec3 } from '../volume/volume.ts';
import { checkGrid, projectionSums, type ProjectionSums, type VolumeLike } from './volume-sections.ts';

export { maxVarianceIndices, type VolumeLike } from './volume-sections.ts';

/** A 2-D picture: `data[col + width * row]`, row 0 = top of the picture as displayed. */
export interface Image2D {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** The axis a slice is perpendicular to (or a projection sums along). */
export type Axis = 'x' | 'y' | 'z';

/** Pixel position in an `Image2D` (row 0 = top). */
export interface Pixel {
  readonly col: number;
  readonly row: number;
}

function checkIndex(axis: Axis, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new RangeError(`slice${axis.toUpperCase()}: index ${i} outside 0..${n - 1}`);
  }
}

/** Width and height of the picture of `axis` (see the orientation table in the file comment). */
export function imageSize(axis: Axis, dims: Vec3): { width: number; height: number } {
  const [nx, ny, nz] = dims;
  switch (axis) {
    case 'z':
      return { width: nx, height: ny };
    case 'x':
      return { width: ny, height: nz };
    case 'y':
      return { width: nz, height: nx };
    default:
      return assertNever(axis);
  }
}

/**
 * Where voxel (x, y, z) appears in the slice or projection perpendicular to `axis`:
 * Z: (col, row) = (x, ny−1−y); X: (y, nz−1−z); Y: (z, x). The coordinate along `axis` is ignored.
 */
export function pixelOf(axis: Axis, dims: Vec3, x: number, y: number, z: number): Pixel {
  switch (axis) {
    case 'z':
      return { col: x, row: dims[1] - 1 - y };
    case 'x':
      return { col: y, row: dims[2] - 1 - z };
    case 'y':
      return { col: z, row: x };
    default:
      return assertNever(axis);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected axis ${String(x)}`);
}

/**
 * Turns a plane in natural index order into the displayed picture. `plane` layout:
 * Z: `plane[x + nx*y]`; X: `plane[y + ny*z]`; Y: `plane[x + nx*z]` (fastest map axis first).
 */
function orient(axis: Axis, dims: Vec3, plane: ArrayLike<number>): Image2D {
  const [nx, ny, nz] = dims;
  const { width, height } = imageSize(axis, dims);
  const out = new Float32Array(width * height);
  switch (axis) {
    case 'z': // col = x, row = ny-1-y
      for (let y = 0; y < ny; y++) {
        const src = nx * y;
        const dst = nx * (ny - 1 - y);
        for (let x = 0; x < nx; x++) out[dst + x] = plane[src + x];
      }
      break;
    case 'x': // col = y, row = nz-1-z
      for (let z = 0; z < nz; z++) {
        const src = ny * z;
        const dst = ny * (nz - 1 - z);
        for (let y = 0; y < ny; y++) out[dst + y] = plane[src + y];
      }
      break;
    case 'y': // col = z, row = x   (width = nz)
      for (let z = 0; z < nz; z++) {
        const src = nx * z;
        for (let x = 0; x < nx; x++) out[z + nz * x] = plane[src + x];
      }
      break;
    default:
      assertNever(axis);
  }
  return { width, height, data: out };
}

/**
 * The section perpendicular to `axis` at `index`, oriented as in the file comment.
 * Values are copied to float32 (mask values 0/1 stay exact).
 */
export function slice(g: VolumeLike, axis: Axis, index: number): Image2D {
  checkGrid(g);
  const [nx, ny, nz] = g.dims;
  const d = g.data;
  switch (axis) {
    case 'z': {
      checkIndex(axis, index, nz);
      const plane = new Float32Array(nx * ny);
      const base = nx * ny * index;
      for (let i = 0; i < nx * ny; i++) plane[i] = d[base + i];
      return orient(axis, g.dims, plane);
    }
    case 'y': {
      checkIndex(axis, index, ny);
      const plane = new Float32Array(nx * nz);
      for (let z = 0; z < nz; z++) {
        const src = nx * (index + ny * z);
        for (let x = 0; x < nx; x++) plane[x + nx * z] = d[src + x];
      }
      return orient(axis, g.dims, plane);
    }
    case 'x': {
      checkIndex(axis, index, nx);
      const plane = new Float32Array(ny * nz);
      for (let j = 0, n = ny * nz; j < n; j++) plane[j] = d[index + nx * j]; // j = y + ny*z
      return orient(axis, g.dims, plane);
    }
    default:
      return assertNever(axis);
  }
}

/** X-image at x = ix: y runs right, z runs up; width ny, height nz. */
export function sliceX(g: VolumeLike, ix: number): Image2D {
  return slice(g, 'x', ix);
}

/** Y-image at y = iy: z runs right, x runs down (x = 0 on the top row); width nz, height nx. */
export function sliceY(g: VolumeLike, iy: number): Image2D {
  return slice(g, 'y', iy);
}

/** Z-image at z = iz: x runs right, y runs up; width nx, height ny. */
export function sliceZ(g: VolumeLike, iz: number): Image2D {
  return slice(g, 'z', iz);
}

/**
 * Sum along `axis`, Σ over that index of V, oriented like the slice of the same axis.
 * Accumulated in float64 (one pass, memory order), stored as float32.
 */
export function project(g: VolumeLike, axis: Axis): Image2D {
  checkGrid(g);
  const [nx, ny, nz] = g.dims;
  const d = g.data;
  let acc: Float64Array;
  switch (axis) {
    case 'z': { // acc[x + nx*y]
      const nxy = nx * ny;
      acc = new Float64Array(nxy);
      for (let z = 0, i = 0; z < nz; z++) {
        for (let j = 0; j < nxy; j++, i++) acc[j] += d[i];
      }
      break;
    }
    case 'y': // acc[x + nx*z]
      acc = new Float64Array(nx * nz);
      for (let z = 0, i = 0; z < nz; z++) {
        const row = nx * z;
        for (let y = 0; y < ny; y++) {
          for (let x = 0; x < nx; x++, i++) acc[row + x] += d[i];
        }
      }
      break;
    case 'x': // acc[y + ny*z]
      acc = new Float64Array(ny * nz);
      for (let j = 0, i = 0; j < ny * nz; j++) {
        let s = 0;
        for (let x = 0; x < nx; x++, i++) s += d[i];
        acc[j] = s;
      }
      break;
    default:
      return assertNever(axis);
  }
  return orient(axis, g.dims, acc);
}

/**
 * The three projections `[X, Y, Z]` in one pass over the volume (`projectionSums`): each sum is
 * accumulated in the same order as by `project`, so the images have the same bits.
 */
export function projections(g: VolumeLike): [Image2D, Image2D, Image2D] {
  checkGrid(g);
  const [nx, ny, nz] = g.dims;
  const sums = { x: new Float64Array(ny * nz), y: new Float64Array(nx * nz), z: new Float64Array(nx * ny) };
  projectionSums(g, sums);
  return projectionImages(g.dims, sums);
}

/** The projection images of sums from `projectionSums`. */
export function projectionImages(dims: Vec3, sums: ProjectionSums): [Image2D, Image2D, Image2D] {
  return [orient('x', dims, sums.x), orient('y', dims, sums.y), orient('z', dims, sums.z)];
}

/** Projection along x (Σ over x): y runs right, z runs up. */
export function projectX(g: VolumeLike): Image2D {
  return project(g, 'x');
}

/** Projection along y (Σ over y): z runs right, x runs down. */
export function projectY(g: VolumeLike): Image2D {
  return project(g, 'y');
}

/** Projection along z (Σ over z): x runs right, y runs up. */
export function projectZ(g: VolumeLike): Image2D {
  return project(g, 'z');
}

/** Central slice indices `[floor(nx/2), floor(ny/2), floor(nz/2)]`. */
export function centralIndices(dims: Vec3): Vec3 {
  return [Math.floor(dims[0] / 2), Math.floor(dims[1] / 2), Math.floor(dims[2] / 2)];
}

/** Options of `renderGrey`. */
export interface RenderGreyOptions {
  /** Upscale by the smallest integer factor making the longer side ≥ this (default 256). */
  readonly minSide?: number;
  /** Force this integer upscale factor instead (≥ 1). */
  readonly scale?: number;
}

/** A rendered PNG with its pixel size. */
export interface RenderedPng {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  /** Integer nearest-neighbour upscale factor applied to the image. */
  readonly scale: number;
}

/**
 * 8-bit greyscale of `img`, as the spec's stretch: u8 = trunc((v − min) · (255 / (max − min))),
 * min and max over the finite pixels. A constant image (max = min) or one without finite pixels is
 * all black; non-finite pixels are black. No gamma, no dithering.
 */
export function toGrey8(img: Image2D): Uint8Array {
  const a = img.data;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0, n = a.length; i < n; i++) {
    const v = a[i];
    if (v - v !== 0) continue; // NaN or ±Infinity
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Uint8Array(a.length);
  if (!(max > min) || !Number.isFinite(max - min)) return out;
  const k = 255 / (max - min);
  for (let i = 0, n = a.length; i < n; i++) {
    const v = a[i];
    if (v - v !== 0) continue; // non-finite stays 0
    const t = (v - min) * k;
    out[i] = t >= 255 ? 255 : t > 0 ? t : 0; // a Uint8Array store truncates toward zero
  }
  return out;
}

/**
 * PNG of `img` (row 0 on top): the `toGrey8` stretch, then each pixel repeated `scale`×`scale`
 * times (nearest neighbour) where `scale = ceil(minSide / max(width, height))` (at least 1).
 * Single-channel 8-bit PNG, zlib level 9, fixed filter, no metadata: the same input always gives
 * byte-identical output.
 */
export async function renderGrey(img: Image2D, opts: RenderGreyOptions = {}): Promise<RenderedPng> {
  const { width: w, height: h } = img;
  if (!(w > 0 && h > 0) || img.data.length !== w * h) {
    throw new RangeError(`renderGrey: ${img.data.length} values for a ${w}×${h} image`);
  }
  const scale = opts.scale ?? Math.max(1, Math.ceil((opts.minSide ?? 256) / Math.max(w, h)));
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`renderGrey: scale ${scale} is not an integer ≥ 1`);
  const grey = toGrey8(img);
  const W = w * scale;
  const H = h * scale;
  let pixels = grey;
  if (scale > 1) {
    pixels = new Uint8Array(W * H);
    const row = new Uint8Array(W);
    for (let r = 0; r < h; r++) {
      for (let c = 0, o = 0; c < w; c++) row.fill(grey[c + w * r], o, (o += scale));
      for (let k = 0; k < scale; k++) pixels.set(row, (r * scale + k) * W);
    }
  }
  const png = await sharp(pixels, { raw: { width: W, height: H, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return { png, width: W, height: H, scale };
}
