/**
 * A Volume as MRC: its header fields (box, voxel size, origin, statistics) handed to the writer of
 * io/mrc-write.ts, which knows no Volume.
 */
import { encodeMrcFile, mrcHeaderFor, writeChunkedMrcFile, writeMrcFile, type MrcGridFields, type WriteMrcOptions } from '../io/mrc-write.ts';
import type { MrcHeader } from '../io/mrc-header.ts';
import { volumeStats, type VolumeStats } from './stats.ts';
import type { Volume } from './volume.ts';

/** Header fields of `v`; the statistics are those of its data (NaN skipped). */
export function mrcFieldsOf(v: Volume): MrcGridFields {
  return fieldsOf(v, volumeStats(v.data));
}

/** Header fields of a map on the grid of `grid` whose voxels have the statistics `s`. */
function fieldsOf(grid: Omit<Volume, 'data'>, s: VolumeStats): MrcGridFields {
  return { dims: grid.dims, voxelSize: grid.voxelSize, origin: grid.origin, stats: { min: s.min, max: s.max, mean: s.mean, std: s.std } };
}

/** The header that describes `v` written in `opts.mode`. */
export function headerForVolume(v: Volume, opts: WriteMrcOptions = {}): MrcHeader {
  return mrcHeaderFor(mrcFieldsOf(v), opts);
}

/** Header + voxel block of `v` as one byte array. */
export function encodeMrc(v: Volume, opts: WriteMrcOptions = {}): Uint8Array {
  return encodeMrcFile(mrcFieldsOf(v), v.data, opts);
}

/** Writes `v` to `file` atomically; gzip-compressed when the name ends in `.gz`. */
export async function writeMrc(file: string, v: Volume, opts: WriteMrcOptions = {}): Promise<void> {
  await writeMrcFile(file, mrcFieldsOf(v), v.data, opts);
}

/**
 * Writes a float32 map (mode 2) on the grid of `grid` that is built as it is written: its header
 * statistics first (`voxels.stats()`, as `volumeStats` of the whole map), then its voxels chunk by
 * chunk (`voxels.fill`, io/mrc-write.ts's `writeChunkedMrcFile`). Same bytes as `writeMrc`.
 */
export async function writeChunkedMrc(file: string, grid: Omit<Volume, 'data'>, voxels: ChunkedVoxels, opts: Omit<WriteMrcOptions, 'mode'> = {}): Promise<void> {
  await writeChunkedMrcFile(file, fieldsOf(grid, voxels.stats()), (chunk, start) => voxels.fill(chunk, start), opts);
}

/** The voxels of a map built as it is written (`writeChunkedMrc`). */
export interface ChunkedVoxels {
  /** `volumeStats` of the whole map, for the header. */
  stats(): VolumeStats;
  /** chunk[j] ← the map's voxel start + j. */
  fill(chunk: Float32Array, start: number): void;
}
