/**
 * The files of the entry page's 3-D viewer (Mol*), under the entry's `viewer/` folder: a compact
 * copy of the map, the local-value maps on the same compact grid (local resolution, residue Q),
 * and the fitted model with each atom's residue Q in its B-factor column. They are separate from
 * the full-size downloads (maps/*.mrc), which keep every voxel.
 *
 * The compact grid is the map averaged over s×s×s blocks, s the smallest step that leaves at most
 * `maxVoxels` voxels: a mean, not every s-th voxel, so that the coarse surface does not alias
 * noise. Averaging lowers the peaks, so the recommended contour is moved to the level that
 * encloses the same volume (the same fraction of the box) on the coarse grid. Values keep 11
 * significant bits (relative error ≤ 2⁻¹¹, far below what a screen shows) so gzip can shrink
 * them; the bytes depend only on the inputs.
 */
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { roundMantissa } from './local-map-file.ts';
import { selectKth } from '../methods/order-statistics.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { encodeAtomSiteCif } from '../io/model-cif-write.ts';
import type { AtomModel } from '../io/model.ts';
import type { ViewerColouring, ViewerFiles } from '../report/schema.ts';
import { encodeMrc } from '../volume/to-mrc.ts';
import type { Vec3, Volume } from '../volume/volume.ts';

/** Voxel budget of the compact map: 128³ float32 = 8 MiB before gzip. */
export const VIEWER_MAX_VOXELS = 128 ** 3;
/** Significant bits kept of each float32 value (1 implicit + 10 stored). */
export const VIEWER_MANTISSA_BITS = 11;
/** The viewer files, relative to the entry folder. */
export const VIEWER_DIR = 'viewer';

/** Smallest integer step s with ∏ ceil(dims/s) ≤ maxVoxels (1 when the box already fits). */
export function viewerStep(dims: Vec3, maxVoxels = VIEWER_MAX_VOXELS): number {
  let s = 1;
  while (Math.ceil(dims[0] / s) * Math.ceil(dims[1] / s) * Math.ceil(dims[2] / s) > maxVoxels) s++;
  return s;
}

/**
 * Block means: coarse voxel (i, j, k) is the mean of the finite fine voxels with indices in
 * [s·i, s·i+s) × [s·j, s·j+s) × [s·k, s·k+s) (fewer at the far edges; NaN when none is finite).
 * Voxel size s·voxel; the origin moves to the centre of the first block, origin + (s−1)/2·voxel.
 * s = 1 returns a copy.
 */
export function blockMean(v: Volume, s: number): Volume {
  const [nx, ny, nz] = v.dims;
  const dims: Vec3 = [Math.ceil(nx / s), Math.ceil(ny / s), Math.ceil(nz / s)];
  const sum = new Float64Array(dims[0] * dims[1] * dims[2]);
  const count = new Uint32Array(sum.length);
  const d = v.data;
  for (let z = 0; z < nz; z++) {
    const cz = Math.floor(z / s) * dims[1];
    for (let y = 0; y < ny; y++) {
      const row = (cz + Math.floor(y / s)) * dims[0];
      const off = (z * ny + y) * nx;
      // Rows without a finite voxel (most of a local-value map, NaN outside its mask) are skipped.
      let first = 0;
      while (first < nx && !(d[off + first] - d[off + first] === 0)) first++;
      if (first === nx) continue;
      // The s voxels of a row that share a coarse voxel are added in a register, in the same
      // order as one by one into the array (the same float64 sums), not through memory.
      let c = Math.floor(first / s);
      if (s === 3) c = addTriples(d, off + 3 * c, Math.floor(nx / 3), c, sum, count, row);
      for (let x0 = c * s; c < dims[0]; c++, x0 += s) {
        let acc = sum[row + c];
        let k = count[row + c];
        for (let x = off + x0, end = off + Math.min(nx, x0 + s); x < end; x++) {
          const val = d[x];
          // Finite (NaN and ±Infinity fail v − v === 0).
          if (val - val === 0) {
            acc += val;
            k++;
          }
        }
        sum[row + c] = acc;
        count[row + c] = k;
      }
    }
  }
  const data = new Float32Array(sum.length);
  for (let i = 0; i < data.length; i++) data[i] = count[i] > 0 ? sum[i] / count[i] : NaN;
  const half = (s - 1) / 2;
  return {
    dims,
    voxelSize: [v.voxelSize[0] * s, v.voxelSize[1] * s, v.voxelSize[2] * s],
    origin: [v.origin[0] + half * v.voxelSize[0], v.origin[1] + half * v.voxelSize[1], v.origin[2] + half * v.voxelSize[2]],
    data,
  };
}

/**
 * blockMean's inner loop for s = 3 (the step of 289³–384³ maps, 360³ among them), unrolled: coarse
 * voxels c … full − 1 of one row, whose fine voxels start at d[i]; returns the next c. Twice as fast
 * as the loop over the block, with the additions in the same order.
 */
function addTriples(d: Float32Array, i: number, full: number, c: number, sum: Float64Array, count: Uint32Array, row: number): number {
  for (; c < full; c++, i += 3) {
    let acc = sum[row + c];
    let k = count[row + c];
    const a = d[i];
    const b = d[i + 1];
    const e = d[i + 2];
    if (a - a === 0) {
      acc += a;
      k++;
    }
    if (b - b === 0) {
      acc += b;
      k++;
    }
    if (e - e === 0) {
      acc += e;
      k++;
    }
    sum[row + c] = acc;
    count[row + c] = k;
  }
  return c;
}

/**
 * The level of `coarse` that encloses the same fraction of the box as `level` does in `fine`:
 * with n of N fine voxels ≥ level, the m = round(n·M/N)-th largest of the M coarse values
 * (the coarse maximum when m = 0, so the surface never vanishes). NaN voxels count as below.
 */
export function volumeMatchedLevel(fine: Float32Array, coarse: Float32Array, level: number): number {
  let n = 0;
  for (let i = 0; i < fine.length; i++) if (fine[i] >= level) n++;
  const finite = new Float32Array(coarse.length);
  let f = 0;
  for (let i = 0; i < coarse.length; i++) if (coarse[i] - coarse[i] === 0) finite[f++] = coarse[i];
  if (f === 0) return level;
  const m = Math.min(f, Math.max(1, Math.round((n * coarse.length) / fine.length)));
  // The m-th largest by selection, not a sort of the 2 M coarse values: the same value.
  return selectKth(finite, f - m, f);
}

/** `a` rounded to `bits` significant bits (the implicit one and bits − 1 stored): local-map-file's rounding. */
export function roundSignificant(a: Float32Array, bits = VIEWER_MANTISSA_BITS): Float32Array {
  return roundMantissa(a, bits - 1);
}

/** gzip at level 9 (written once, read by every visitor), on a libuv thread: the main thread draws meanwhile. */
async function gzip9(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await promisify(gzip)(bytes, { level: 9 }));
}

/** gzip'd MRC bytes of `v`. */
function gzipMrc(v: Volume, label: string): Promise<Uint8Array> {
  return gzip9(encodeMrc({ ...v, data: roundSignificant(v.data) }, { labels: [label] }));
}

/**
 * Writes the viewer files of one entry as the analysis produces them: the map first, then each
 * local-value map, then the model; `files()` lists what was written for report.json.
 */
export class ViewerVolumeWriter {
  private readonly entryDir: string;
  private readonly step: number;
  private readonly colourings: ViewerColouring[] = [];
  private map: ViewerFiles['map'] | undefined;
  private model: ViewerFiles['model'] | undefined;

  constructor(entryDir: string, dims: Vec3, maxVoxels = VIEWER_MAX_VOXELS) {
    this.entryDir = entryDir;
    this.step = viewerStep(dims, maxVoxels);
  }

  private async write(name: string, bytes: Uint8Array): Promise<{ file: string; bytes: number }> {
    const file = `${VIEWER_DIR}/${name}`;
    await writeFileAtomic(path.join(this.entryDir, file), bytes);
    return { file, bytes: bytes.length };
  }

  /** The compact map and its contour (the recommended one, volume-matched when the grid is coarser). */
  async writeMap(map: Volume, level: number): Promise<void> {
    const coarse = blockMean(map, this.step);
    const coarseLevel = this.step === 1 ? level : volumeMatchedLevel(map.data, coarse.data, level);
    const w = await this.write('map.mrc.gz', await gzipMrc(coarse, 'emvr viewer copy of the map'));
    this.map = { ...w, dims: [...coarse.dims], step: this.step, level: coarseLevel, recommendedLevel: level };
  }

  /** A local-value map on the map's grid, brought to the compact grid; coloured over `range`. */
  async writeColouring(c: { id: string; name: string; unit: string; property: Volume; range: readonly [number, number]; lowIsGood: boolean }): Promise<void> {
    const coarse = blockMean(c.property, this.step);
    const stem = c.id.replace('.', '');
    const w = await this.write(`${stem}.mrc.gz`, await gzipMrc(coarse, `emvr viewer ${c.id} ${c.name}`));
    this.colourings.push({ id: c.id, name: c.name, unit: c.unit, range: [c.range[0], c.range[1]], lowIsGood: c.lowIsGood, ...w });
  }

  /** The model in the map's frame as mmCIF, B-factor column = `bFactor` (residue Q) when given. */
  async writeModel(model: AtomModel, bFactor?: Float32Array): Promise<void> {
    const w = await this.write('model.cif.gz', await gzip9(encodeAtomSiteCif(model, bFactor)));
    this.model = { ...w, bFactorIsResidueQ: bFactor !== undefined };
  }

  /** Whether the model was written already (A.e writes it with Q; otherwise the deposited B). */
  hasModel(): boolean {
    return this.model !== undefined;
  }

  /** What report.json records (undefined when the map was not written). */
  files(): ViewerFiles | undefined {
    if (!this.map) return undefined;
    return { map: this.map, colourings: [...this.colourings], ...(this.model ? { model: this.model } : {}) };
  }
}
