/**
 * A Volume as MRC: its header fields (box, voxel size, origin, statistics) handed to the writer of
 * io/mrc-write.ts, which knows no Volume.
 */
import { encodeFilledMrcFile, encodeMrcFile, mrcHeaderFor, writeMrcBytes, writeMrcFile, type MrcGridFields, type WriteMrcOptions } from '../io/mrc-write.ts';
import type { MrcHeader } from '../io/mrc-header.ts';
import { volumeStats, type VolumeStats } from './stats.ts';
import type { Volume } from './volume.ts';

/** Header fields of `v`; the statistics are those of its data (NaN skipped). */
export function mrcFieldsOf(v: Volume): MrcGridFields {
  const s = volumeStats(v.data);
  return { dims: v.dims, voxelSize: v.voxelSize, origin: v.origin, stats: { min: s.min, max: s.max, mean: s.mean, std: s.std } };
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
 * Writes a float32 map (mode 2) on the grid of `grid` whose voxels `fill(out)` writes straight into
 * the file's buffer, returning their statistics (as `volumeStats(out)`) for the header: the map is
 * never held twice. Same bytes as `writeMrc` of the filled data.
 */
export async function writeFilledMrc(file: string, grid: Omit<Volume, 'data'>, fill: (out: Float32Array) => VolumeStats, opts: Omit<WriteMrcOptions, 'mode'> = {}): Promise<void> {
  const bytes = encodeFilledMrcFile({ dims: grid.dims, voxelSize: grid.voxelSize, origin: grid.origin }, (voxels) => {
    const s = fill(voxels);
    return { min: s.min, max: s.max, mean: s.mean, std: s.std };
  }, opts);
  await writeMrcBytes(file, bytes);
}
