/**
 * Atomic model as read from PDB or mmCIF: one structure-of-arrays record per atom site,
 * never an array of objects (ribosome models have 10^5–10^6 atoms).
 * Only the first MODEL of an ensemble is kept.
 */
export interface AtomModel {
  /** Number of atom sites. */
  readonly count: number;
  /** Cartesian coordinates in Å (model frame, same frame as the map's origin + index·voxel). */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly z: Float32Array;
  /** Isotropic atomic displacement (B) in Å². */
  readonly bFactor: Float32Array;
  readonly occupancy: Float32Array;
  /** Upper-case element symbol ("C", "FE", "SE"); derived from the atom name when the file has none. */
  readonly element: string[];
  /** Atom name as in the file ("CA", "OG1"). */
  readonly atomName: string[];
  /** Alternate location indicator, "" when none. */
  readonly altLoc: string[];
  readonly resName: string[];
  /** Author chain identifier (PDB column 22 / mmCIF auth_asym_id). */
  readonly chainId: string[];
  /** Author residue number. */
  readonly resSeq: Int32Array;
  /** Insertion code, "" when none. */
  readonly insCode: string[];
  /** 1 for HETATM records, 0 for ATOM. */
  readonly isHetero: Uint8Array;
}
