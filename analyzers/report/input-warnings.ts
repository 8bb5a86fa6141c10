/**
 * Input warnings: where what the entry's metadata says about the map (the EMDB entry JSON or the
 * archive's header XML) disagrees with the map file itself. The analysis always uses the file; the
 * warning tells the reader that the deposition's numbers and the file do not match (a wrong
 * pixel size in the metadata, a map replaced by one of another box), which the report's
 * `inputs.warnings` and the page's input section show.
 */
import { z } from 'zod';

export const InputWarning = z.strictObject({
  /** METADATA_VOXEL_SIZE | METADATA_BOX */
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/u),
  message: z.string(),
});
export type InputWarning = z.output<typeof InputWarning>;

type Vec3 = readonly [number, number, number];

/** What the metadata says about the map's grid (x, y, z order), and where it says it. */
export interface MetadataGrid {
  /** Shown in the message: "the EMDB entry", "header emd-1997.xml". */
  readonly source: string;
  readonly voxelSize: Vec3 | null;
  readonly dims: Vec3 | null;
}

/** Voxel sizes closer than this (Å, per axis) agree: pwem's rule when it imports an EMDB map. */
export const VOXEL_SIZE_TOLERANCE = 0.01;

const times = (v: Vec3, digits: number) => v.map((x) => String(Number(x.toFixed(digits)))).join(' × ');

/** Warnings for the metadata `meta` against the map file's grid (empty when they agree or the metadata says nothing). */
export function metadataGridWarnings(meta: MetadataGrid, map: { voxelSize: Vec3; dims: Vec3 }): InputWarning[] {
  const out: InputWarning[] = [];
  const vs = meta.voxelSize;
  if (vs !== null && vs.some((v, k) => !(Math.abs(v - map.voxelSize[k]) < VOXEL_SIZE_TOLERANCE))) {
    out.push({
      code: 'METADATA_VOXEL_SIZE',
      message: `voxel size in ${meta.source} (${times(vs, 4)} Å) differs from the map file (${times(map.voxelSize, 4)} Å) by ${VOXEL_SIZE_TOLERANCE} Å or more; the map file's is used`,
    });
  }
  const d = meta.dims;
  if (d !== null && d.some((n, k) => n !== map.dims[k])) {
    out.push({ code: 'METADATA_BOX', message: `box in ${meta.source} (${d.join(' × ')} voxels) differs from the map file (${map.dims.join(' × ')} voxels); the map file's is used` });
  }
  return out;
}
