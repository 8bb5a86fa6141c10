/**
 * Header checks, run before a single voxel is allocated. Every problem is reported (not only the
 * first), each naming the field, the value found and what was expected.
 */
import type { MrcHeader } from './mrc-header.ts';
import type { MrcIssue } from './mrc-errors.ts';
import { describeUnsupportedMode, modeBytes, toMode } from './mrc-mode.ts';

/** Default refusal limit: 1.5·10⁹ voxels (6 GB as float32), above any EMDB map to date. */
export const DEFAULT_MAX_VOXELS = 1_500_000_000;

/**
 * Plausible voxel size, Å: from a hundredth of an ångström to a micrometre. Cryo-EM
 * maps and tomograms lie between about 0.2 and 40 Å; a cell of 1e30 or 1e-30 Å is a broken header,
 * and analysing it ran for minutes or "succeeded" with nonsense.
 */
export const VOXEL_SIZE_LIMITS_A = { min: 0.01, max: 10_000 } as const;
/** Largest plausible box edge (voxels × voxel size), Å: 1 mm, far above any tomogram. */
export const MAX_EXTENT_A = 1e7;

/** The part of the file the header describes, in file order (columns fastest). */
export interface DataLayout {
  /** Columns, rows, sections of the (first) volume that is read. */
  fileDims: [number, number, number];
  /** Bytes of the voxel block in the file (all volumes of a stack). */
  dataBytes: number;
  /** Bytes of the voxel block that is read (the first volume). */
  readBytes: number;
  /** 1024 + nsymbt + dataBytes. */
  expectedFileBytes: number;
}

const fatal = (code: string, message: string): MrcIssue => ({ code, message, fatal: true });
const note = (code: string, message: string): MrcIssue => ({ code, message, fatal: false });

/**
 * Refuses a cell whose voxel size or box edge is beyond physics (VOXEL_SIZE_LIMITS_A,
 * MAX_EXTENT_A), per axis where both the cell length and the sampling are usable.
 */
function cellBoundIssues(h: MrcHeader): MrcIssue[] {
  const out: MrcIssue[] = [];
  const sampling = [h.mx, h.my, h.mz];
  const counts = [h.nx, h.ny, h.nz];
  h.cella.forEach((len, k) => {
    const m = sampling[k];
    if (!(Number.isFinite(len) && len > 0 && m > 0)) return;
    const voxel = len / m;
    const axis = 'xyz'[k];
    const { min, max } = VOXEL_SIZE_LIMITS_A;
    if (voxel < min || voxel > max) {
      out.push(fatal('MRC_ABSURD_VOXEL_SIZE', `voxel size along ${axis} is ${voxel.toPrecision(4)} Å (cell length ${len.toPrecision(4)} Å, word ${11 + k}, over sampling ${m}), outside the plausible ${min}–${max} Å: the header's cell is broken`));
      return;
    }
    const extent = voxel * counts[k];
    if (extent > MAX_EXTENT_A) {
      out.push(fatal('MRC_ABSURD_EXTENT', `box edge along ${axis} is ${extent.toPrecision(4)} Å (${counts[k]} voxels of ${voxel.toPrecision(4)} Å), more than the plausible ${MAX_EXTENT_A.toExponential(0)} Å: the header's cell is broken`));
    }
  });
  return out;
}

function isPermutation(a: number, b: number, c: number): boolean {
  return [a, b, c].sort().join() === '1,2,3';
}

/**
 * Checks a parsed header. Returns every issue and, when the sizes are usable, the data layout.
 * `fileBytes` is the size of the uncompressed stream when known (plain files), else null.
 */
export function checkHeader(
  h: MrcHeader,
  fileBytes: number | null,
  maxVoxels: number = DEFAULT_MAX_VOXELS,
): { issues: MrcIssue[]; layout: DataLayout | null } {
  const issues: MrcIssue[] = [];
  if (h.map.slice(0, 3) !== 'MAP') {
    issues.push(fatal('MRC_NO_MAP_ID', `map identifier (word 53) is ${JSON.stringify(h.map)}, expected "MAP " (not an MRC/CCP4 file, or corrupt)`));
  }
  const mode = toMode(h.mode);
  if (mode === null) issues.push(fatal('MRC_MODE_UNSUPPORTED', describeUnsupportedMode(h.mode)));
  let sizesOk = true;
  for (const [name, n] of [['nx', h.nx], ['ny', h.ny], ['nz', h.nz]] as const) {
    if (!(n > 0)) {
      issues.push(fatal('MRC_BAD_DIMENSION', `${name} (number of ${name === 'nx' ? 'columns' : name === 'ny' ? 'rows' : 'sections'}) is ${n}, expected a positive integer`));
      sizesOk = false;
    }
  }
  if (h.nsymbt < 0) {
    issues.push(fatal('MRC_BAD_NSYMBT', `nsymbt (extended header bytes, word 24) is ${h.nsymbt}, expected ≥ 0`));
    sizesOk = false;
  }
  if (!isPermutation(h.mapc, h.mapr, h.maps)) {
    issues.push(fatal('MRC_AXES_NOT_PERMUTATION', `mapc, mapr, maps (words 17–19) are ${h.mapc}, ${h.mapr}, ${h.maps}, expected a permutation of 1, 2, 3`));
  }
  for (const [name, m] of [['mx', h.mx], ['my', h.my], ['mz', h.mz]] as const) {
    if (!(m > 0)) issues.push(note('MRC_NO_SAMPLING', `${name} (sampling, words 8–10) is ${m}: voxel size along that axis is unknown (taken as 0)`));
  }
  h.cella.forEach((len, k) => {
    if (!(Number.isFinite(len) && len > 0)) {
      issues.push(note('MRC_BAD_CELL', `cell length ${'xyz'[k]} (word ${11 + k}) is ${len} Å, expected a positive number: voxel size along that axis is unknown`));
    }
  });
  issues.push(...cellBoundIssues(h));
  if (h.cellb.some((angle) => Math.abs(angle - 90) > 1e-3 && angle !== 0)) {
    issues.push(note('MRC_NON_ORTHOGONAL_CELL', `cell angles (words 14–16) are ${h.cellb.map((a) => a.toFixed(2)).join(', ')}°; the map is treated as orthogonal`));
  }
  if ((h.nxstart !== 0 || h.nystart !== 0 || h.nzstart !== 0) && h.origin.some((o) => o !== 0)) {
    issues.push(note('MRC_ORIGIN_AND_NSTART', `both nxstart/nystart/nzstart (${h.nxstart}, ${h.nystart}, ${h.nzstart}) and ORIGIN (${h.origin.join(', ')} Å) are set; the map frame uses ORIGIN + nstart·voxel`));
  }
  if (!sizesOk || mode === null) return { issues, layout: null };

  let sections = h.nz;
  // A volume stack (MRC2014 ispg 401–630) holds nz/mz volumes of mz sections: read the first one.
  if (h.ispg >= 401 && h.ispg <= 630 && h.mz > 0 && h.nz > h.mz && h.nz % h.mz === 0) {
    sections = h.mz;
    issues.push(note('MRC_VOLUME_STACK', `ispg ${h.ispg} with nz ${h.nz} = ${h.nz / h.mz} volumes of mz ${h.mz} sections: only the first volume is read`));
  }
  const voxels = h.nx * h.ny * sections;
  if (voxels > maxVoxels) {
    issues.push(fatal('MRC_TOO_LARGE', `nx·ny·nz = ${h.nx}·${h.ny}·${sections} = ${voxels.toExponential(3)} voxels exceeds the limit of ${maxVoxels.toExponential(3)} (raise it with --max-voxels if the map is real)`));
    return { issues, layout: null };
  }
  const bytes = modeBytes(mode);
  const dataBytes = h.nx * h.ny * h.nz * bytes;
  const expectedFileBytes = 1024 + h.nsymbt + dataBytes;
  if (fileBytes !== null && fileBytes !== expectedFileBytes) {
    const what = fileBytes < expectedFileBytes ? 'truncated' : 'longer than the header says';
    issues.push(fatal(fileBytes < expectedFileBytes ? 'MRC_TRUNCATED' : 'MRC_TRAILING_BYTES',
      `file is ${what}: ${fileBytes} bytes, the header (nx ${h.nx}, ny ${h.ny}, nz ${h.nz}, mode ${h.mode}, nsymbt ${h.nsymbt}) needs 1024 + ${h.nsymbt} + ${dataBytes} = ${expectedFileBytes}`));
  }
  return {
    issues,
    layout: { fileDims: [h.nx, h.ny, sections], dataBytes, readBytes: voxels * bytes, expectedFileBytes },
  };
}
