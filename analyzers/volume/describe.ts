/**
 * What `emvr inspect` prints about a map: header facts, the x-fastest frame, and statistics.
 * Field names are part of the CLI's JSON contract (dims, voxelSize, origin, mode, stats, nanCount).
 */
import type { MrcFile } from '../io/mrc.ts';
import { modeName } from '../io/mrc-mode.ts';
import type { MapFrame } from './from-mrc.ts';
import { volumeStats } from './stats.ts';
import type { Vec3, Volume } from './volume.ts';

export interface MapDescription {
  file: string;
  sha256: string;
  storedBytes: number;
  compression: MrcFile['compression'];
  byteOrder: MrcFile['byteOrder'];
  mode: number;
  modeName: string;
  /** [nx, ny, nz] after axis reordering, x fastest. */
  dims: Vec3;
  /** Å per voxel along x, y, z. */
  voxelSize: Vec3;
  /** Å, position of voxel (0, 0, 0) = ORIGIN + nstart·voxel. */
  origin: Vec3;
  nstart: Vec3;
  originField: Vec3;
  /** Axis order of the file: mapc, mapr, maps. */
  axisOrder: Vec3;
  cellAngles: Vec3;
  spaceGroup: number;
  extendedHeaderBytes: number;
  labels: string[];
  /** Statistics recorded in the header (often stale in crops). */
  headerStats: { min: number; max: number; mean: number; rms: number };
  /** Statistics computed from the finite voxels. */
  stats: { min: number; max: number; mean: number; std: number };
  nanCount: number;
  infCount: number;
  issues: { code: string; message: string }[];
}

export function describeMap(file: MrcFile, volume: Volume, frame: MapFrame): MapDescription {
  const h = file.header;
  const s = volumeStats(volume.data);
  return {
    file: file.source,
    sha256: file.sha256,
    storedBytes: file.storedBytes,
    compression: file.compression,
    byteOrder: file.byteOrder,
    mode: file.mode,
    modeName: modeName(file.mode),
    dims: volume.dims,
    voxelSize: volume.voxelSize,
    origin: volume.origin,
    nstart: frame.nstart,
    originField: frame.originField,
    axisOrder: [h.mapc, h.mapr, h.maps],
    cellAngles: h.cellb,
    spaceGroup: h.ispg,
    extendedHeaderBytes: h.nsymbt,
    labels: h.label.slice(0, Math.max(0, Math.min(10, h.nlabl))).filter((l) => l.length > 0),
    headerStats: { min: h.dmin, max: h.dmax, mean: h.dmean, rms: h.rms },
    stats: { min: s.min, max: s.max, mean: s.mean, std: s.std },
    nanCount: s.nanCount,
    infCount: s.infCount,
    issues: file.issues.map(({ code, message }) => ({ code, message })),
  };
}

const fmt = (v: readonly number[], digits = 4) => v.map((x) => Number(x.toFixed(digits))).join(' × ');

/** Human-readable summary, one fact per line. */
export function formatDescription(d: MapDescription): string {
  const lines = [
    `file          ${d.file}`,
    `sha256        ${d.sha256}`,
    `stored        ${d.storedBytes} bytes (${d.compression}), ${d.byteOrder}-endian, mode ${d.mode} (${d.modeName})`,
    `dims          ${d.dims.join(' × ')} voxels (x fastest; file axis order ${d.axisOrder.join(',')})`,
    `voxel size    ${fmt(d.voxelSize)} Å`,
    `origin        ${d.origin.map((x) => x.toFixed(3)).join(', ')} Å (ORIGIN ${d.originField.join(', ')} + nstart ${d.nstart.join(', ')} × voxel)`,
    `box           ${fmt(d.dims.map((n, i) => n * d.voxelSize[i]), 2)} Å`,
    `cell angles   ${d.cellAngles.join(', ')}°, space group ${d.spaceGroup}, extended header ${d.extendedHeaderBytes} bytes`,
    `statistics    min ${d.stats.min}, max ${d.stats.max}, mean ${d.stats.mean}, std ${d.stats.std}`,
    `header stats  min ${d.headerStats.min}, max ${d.headerStats.max}, mean ${d.headerStats.mean}, rms ${d.headerStats.rms}`,
    `non-finite    ${d.nanCount} NaN, ${d.infCount} ±Inf`,
  ];
  if (d.labels.length) lines.push(...d.labels.map((l, i) => `label ${i + 1}       ${l}`));
  if (d.issues.length) lines.push(...d.issues.map((i) => `note          ${i.code}: ${i.message}`));
  return `${lines.join('\n')}\n`;
}
