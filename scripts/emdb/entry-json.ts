/**
 * Writes entry JSON in the shape the EMDB API returns (schema v3 translated to JSON,
 * emdb-access.md §3 and §7): `valueOf_` strings for pixel sizes and resolution, numbers for the
 * contour level, dimensions and origin, `YYYY-MM-DDT00:00:00` dates, arrays for repeated elements,
 * `instance_type` keys. Used to build mirror folders (demo, tests); values are the caller's.
 */
import { emdbNumber, halfMapFileName, mapFileName } from './ids.ts';

/** The values of a built entry JSON (everything else gets fixed, plausible EMDB values). */
export interface EntryJsonSpec {
  readonly id: string;
  readonly title: string;
  /** Author names; written as `{valueOf_, instance_type}` objects unless `authorsAsStrings`. */
  readonly authors: readonly string[];
  readonly authorsAsStrings?: boolean;
  /** `YYYY-MM-DD`, or null when unknown (the key is then left out). */
  readonly depositionDate: string | null;
  readonly releaseDate: string | null;
  /** Last update (`YYYY-MM-DD`), default the release date. */
  readonly updateDate?: string;
  /** Reported resolution (Å), or null to leave it out. */
  readonly resolution: number | null;
  /** Author contour level, or null to leave the contour list without a level. */
  readonly contour: number | null;
  /** Default "singleParticle". */
  readonly method?: string;
  readonly pdbIds?: readonly string[];
  /** Map grid (col,row,sec = x,y,z for axis order X,Y,Z). */
  readonly dims: readonly [number, number, number];
  /** Voxel size (Å) per axis. */
  readonly voxelSize: readonly [number, number, number];
  /** Origin in voxels (col,row,sec), default 0. */
  readonly originVoxels?: readonly [number, number, number];
  /** Statistics of the map values (min, max, mean, std), when known. */
  readonly statistics?: { min: number; max: number; mean: number; std: number };
  /** Size of the compressed map, kB. */
  readonly sizeKbytes?: number;
  /**
   * Half maps to list: true = EMDB's two names (`emd_N_half_map_1.map.gz`, `_2`), or the file
   * names to list as given (any number, for tests of odd entries). The files themselves are not
   * written by the builder.
   */
  readonly halfMaps?: boolean | readonly string[];
  /** Current status code, default "REL". */
  readonly status?: string;
  /** Molecular weight of the sample (MDa, theoretical), when the entry gives one. */
  readonly molecularWeightMDa?: number;
}

function dateTime(d: string): string {
  return `${d}T00:00:00`;
}

/** Decimal text as EMDB writes `valueOf_` numbers ("1.2", "3.5"): shortest round-trip form. */
function dec(n: number): string {
  return String(n);
}

/** The half-map file names an entry JSON lists for `spec`. */
export function halfMapNames(spec: Pick<EntryJsonSpec, 'id' | 'halfMaps'>): string[] {
  if (spec.halfMaps === true) return [halfMapFileName(spec.id, 1), halfMapFileName(spec.id, 2)];
  return spec.halfMaps ? [...spec.halfMaps] : [];
}

/** The full entry object for `spec` (a plain JSON value). */
export function buildEntryJson(spec: EntryJsonSpec): Record<string, unknown> {
  const num = emdbNumber(spec.id);
  const [nx, ny, nz] = spec.dims;
  const [vx, vy, vz] = spec.voxelSize;
  const origin = spec.originVoxels ?? [0, 0, 0];
  const authors = spec.authors.map((a) => (spec.authorsAsStrings ? a : { valueOf_: a, instance_type: 'author' }));
  const contour: Record<string, unknown> = { primary: true, source: 'AUTHOR', instance_type: 'contour' };
  if (spec.contour !== null) contour.level = spec.contour;
  const finalReconstruction: Record<string, unknown> = { instance_type: 'final_reconstruction', resolution_method: 'FSC 0.143 CUT-OFF' };
  if (spec.resolution !== null) finalReconstruction.resolution = { valueOf_: dec(spec.resolution), units: 'Å', res_type: 'BY AUTHOR' };
  const json: Record<string, unknown> = {
    emdb_id: spec.id,
    version: '3.0.9.2',
    admin: {
      current_status: { code: { valueOf_: spec.status ?? 'REL', instance_type: 'code' }, processing_site: 'PDBe', instance_type: 'current_status' },
      key_dates: {
        ...(spec.depositionDate !== null ? { deposition: dateTime(spec.depositionDate) } : {}),
        ...(spec.releaseDate !== null ? { header_release: dateTime(spec.releaseDate), map_release: dateTime(spec.releaseDate) } : {}),
        ...((spec.updateDate ?? spec.releaseDate) !== null ? { update: dateTime((spec.updateDate ?? spec.releaseDate) as string) } : {}),
        instance_type: 'key_dates',
      },
      title: spec.title,
      authors_list: { author: authors, instance_type: 'authors_list' },
      instance_type: 'admin',
    },
    crossreferences: {
      pdb_list: {
        pdb_reference: (spec.pdbIds ?? []).map((p) => ({ pdb_id: p, relationship: { in_frame: 'FULLOVERLAP', instance_type: 'relationship' }, instance_type: 'pdb_reference' })),
        instance_type: 'pdb_list',
      },
      instance_type: 'crossreferences',
    },
    ...(spec.molecularWeightMDa !== undefined ? { sample: { supramolecule_list: { supramolecule: [{ molecular_weight: { theoretical: { valueOf_: dec(spec.molecularWeightMDa), units: 'MDa' } }, instance_type: 'complex_supramolecule' }] } } } : {}),
    structure_determination_list: {
      structure_determination: [
        {
          method: spec.method ?? 'singleParticle',
          aggregation_state: 'particle',
          image_processing: [{ final_reconstruction: finalReconstruction, instance_type: 'singleparticle_processing' }],
          instance_type: 'structure_determination',
        },
      ],
      instance_type: 'structure_determination_list',
    },
    map: {
      file: mapFileName(spec.id),
      format: 'CCP4',
      size_kbytes: spec.sizeKbytes ?? 0,
      data_type: 'IMAGE STORED AS FLOATING POINT NUMBER (4 BYTES)',
      dimensions: { col: nx, row: ny, sec: nz, instance_type: 'dimensions' },
      origin: { col: origin[0], row: origin[1], sec: origin[2], instance_type: 'origin' },
      spacing: { x: nx, y: ny, z: nz, instance_type: 'spacing' },
      cell: {
        a: { valueOf_: dec(nx * vx), units: 'Å' },
        b: { valueOf_: dec(ny * vy), units: 'Å' },
        c: { valueOf_: dec(nz * vz), units: 'Å' },
        alpha: { valueOf_: '90.0', units: 'deg' },
        beta: { valueOf_: '90.0', units: 'deg' },
        gamma: { valueOf_: '90.0', units: 'deg' },
        instance_type: 'cell',
      },
      axis_order: { fast: 'X', medium: 'Y', slow: 'Z', instance_type: 'axis_order' },
      ...(spec.statistics ? { statistics: { minimum: spec.statistics.min, maximum: spec.statistics.max, average: spec.statistics.mean, std: spec.statistics.std, instance_type: 'statistics' } } : {}),
      pixel_spacing: {
        x: { valueOf_: dec(vx), units: 'Å' },
        y: { valueOf_: dec(vy), units: 'Å' },
        z: { valueOf_: dec(vz), units: 'Å' },
        instance_type: 'pixel_spacing',
      },
      contour_list: { contour: [contour], instance_type: 'contour_list' },
      symmetry: { space_group: 1, instance_type: 'symmetry' },
      label: `::::EMDATABANK.org::::EMD-${num}::::`,
      instance_type: 'map',
    },
    interpretation: {
      half_map_list: {
        half_map: halfMapNames(spec).map((file) => ({ file, format: 'CCP4', instance_type: 'half_map' })),
        instance_type: 'half_map_list',
      },
      instance_type: 'interpretation',
    },
  };
  return json;
}
