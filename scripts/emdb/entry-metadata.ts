/**
 * Reads what the report needs from an EMDB entry JSON (`/emdb/api/entry/EMD-N`, schema v3 as
 * JSON; emdb-access.md §3): voxel size, box, primary contour, resolution, method, symmetry, sample
 * molecular weight, title, authors, dates, half maps, fitted PDB IDs. The archive's header XML
 * (header-xml.ts) is turned into the same JSON shape and read here too. Every value is treated as untrusted: numbers are parsed and
 * range-checked, text is stripped of control characters and length-capped, dates must look like
 * dates, PDB IDs must match the report schema, file names must be plain names. Nothing read here
 * is ever used in a path; the accession used for paths is the one the caller asked for.
 */
import { createHash } from 'node:crypto';
import type { Entry } from '../../analyzers/report/schema.ts';
import { safeFileName } from './ids.ts';

/** What an entry JSON says, cleaned. `threshold` null means EMDB gives no contour level. */
export interface EntryMetadata {
  readonly id: string;
  /** The `emdb_id` the JSON itself names (null if absent); a mismatch with `id` is an error upstream. */
  readonly declaredId: string | null;
  readonly title: string | null;
  readonly authors: string[];
  /** `YYYY-MM-DD` or null. */
  readonly depositionDate: string | null;
  readonly releaseDate: string | null;
  readonly updateDate: string | null;
  /** Reported resolution in Å (> 0), or null. */
  readonly resolution: number | null;
  /** Primary contour level (`primary: true` first, else the first listed), or null. */
  readonly threshold: number | null;
  /** Whether `threshold` came from a contour flagged primary. */
  readonly thresholdPrimary: boolean;
  /** structure_determination[0].method, e.g. "singleParticle". */
  readonly method: string | null;
  /** Fitted models (lower-case PDB IDs valid under the report schema), in the order EMDB lists them. */
  readonly pdbIds: string[];
  /** Voxel size (Å) per axis from map.pixel_spacing, or null when absent or not positive. */
  readonly voxelSize: [number, number, number] | null;
  /** Box (voxels) along x, y, z from map.dimensions (col,row,sec put in x,y,z order by map.axis_order), or null. */
  readonly dims: [number, number, number] | null;
  /**
   * Applied symmetry of the final reconstruction: a point group ("C4", "D7", "I"), or a helical
   * description ("helical: rise 27.6 Å, twist -166.7°, axial C1"); null when not given.
   */
  readonly symmetry: string | null;
  /** Molecular weight of the whole sample in MDa (the first supramolecule that gives one; theoretical before experimental), or null. */
  readonly molecularWeightMDa: number | null;
  /** Half-map file names (safe names only), as listed. */
  readonly halfMaps: string[];
  /** admin.current_status.code, e.g. "REL", "OBS". */
  readonly status: string | null;
  /** Things in the JSON that were dropped as malformed (for the ledger). */
  readonly notes: string[];
}

/** Longest title kept (characters); EMDB titles are far shorter. */
const MAX_TITLE = 1000;
/** Longest author name kept, and most authors kept. */
const MAX_AUTHOR = 200;
const MAX_AUTHORS = 500;
/** Lower-case PDB IDs the report schema accepts. */
const PDB_ID_RE = /^([0-9][a-z0-9]{3}|pdb_[0-9]{5}[a-z0-9]{3})$/u;

type Json = unknown;

function obj(v: Json): Record<string, Json> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Json>) : null;
}

function arr(v: Json): Json[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

function at(root: Json, ...keys: (string | number)[]): Json {
  let cur: Json = root;
  for (const k of keys) {
    if (typeof k === 'number') {
      const a = arr(cur);
      cur = a[k];
    } else {
      const o = obj(cur);
      if (!o) return undefined;
      cur = o[k];
    }
    if (cur === undefined || cur === null) return undefined;
  }
  return cur;
}

/**
 * A number from a JSON value: numbers as is, `valueOf_` strings/numbers parsed, numeric strings
 * parsed; null for anything else or non-finite.
 */
export function numberOf(v: Json): number | null {
  const o = obj(v);
  const raw = o ? o.valueOf_ : v;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/u.test(raw)) {
    const n = Number(raw);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/**
 * Untrusted text made safe to store and print: Unicode-normalised (NFC), C0/C1 control and
 * bidirectional-override characters replaced by spaces, whitespace runs collapsed, capped at `max`.
 * Markup is left as text on purpose: the site escapes it when it renders.
 */
export function cleanText(v: Json, max: number): string | null {
  const o = obj(v);
  const raw = o && typeof o.valueOf_ === 'string' ? o.valueOf_ : v;
  if (typeof raw !== 'string') return null;
  const s = raw
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  if (s.length === 0) return null;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** `YYYY-MM-DD` from an EMDB date(-time) string, or null when it does not start with a valid date. */
export function dateOf(v: Json): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/u.exec(v);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}` ? null : `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * The primary contour: the first contour with `primary: true` and a finite level, else the first
 * contour with a finite level (VRS reads [0] and ignores the flag). Null when no level is given.
 */
export function primaryContour(json: Json): { level: number; primary: boolean } | null {
  const contours = arr(at(json, 'map', 'contour_list', 'contour'));
  for (const c of contours) {
    const o = obj(c);
    const level = o ? numberOf(o.level) : null;
    if (o && o.primary === true && level !== null) return { level, primary: true };
  }
  for (const c of contours) {
    const o = obj(c);
    const level = o ? numberOf(o.level) : null;
    if (level !== null) return { level, primary: false };
  }
  return null;
}

/**
 * The box along x, y, z: `map.dimensions` lists it as col,row,sec (file order), and
 * `map.axis_order` says which of X, Y, Z each of those is (default X, Y, Z). Null unless all three
 * are positive integers and the axis order is a permutation of X, Y, Z.
 */
export function boxOf(json: Json): [number, number, number] | null {
  const d = ['col', 'row', 'sec'].map((k) => numberOf(at(json, 'map', 'dimensions', k)));
  if (!d.every((v) => v !== null && Number.isInteger(v) && v > 0)) return null;
  const order = ['fast', 'medium', 'slow'].map((k) => cleanText(at(json, 'map', 'axis_order', k), 4)?.toUpperCase() ?? null);
  const axes = order.every((a) => a === null) ? ['X', 'Y', 'Z'] : order;
  if (![...axes].sort().every((a, i) => a === 'XYZ'[i])) return null;
  const xyz: number[] = [];
  for (const [i, a] of axes.entries()) xyz['XYZ'.indexOf(a as string)] = d[i] as number;
  return xyz as [number, number, number];
}

/** Short decimal text of a number read from the metadata (up to 4 decimals, no trailing zeros). */
function short(n: number): string {
  return String(Math.round(n * 1e4) / 1e4);
}

/** The applied symmetry of the first final reconstruction (see EntryMetadata.symmetry). */
export function symmetryOf(finalReconstruction: Json): string | null {
  const sym = at(finalReconstruction, 'applied_symmetry');
  const pointGroup = cleanText(at(sym, 'point_group'), 16);
  if (pointGroup !== null) return pointGroup.toUpperCase();
  const h = at(sym, 'helical_parameters');
  if (h === undefined) return null;
  const rise = numberOf(at(h, 'delta_z'));
  const twist = numberOf(at(h, 'delta_phi'));
  const axial = cleanText(at(h, 'axial_symmetry'), 16);
  const parts = [rise !== null ? `rise ${short(rise)} Å` : null, twist !== null ? `twist ${short(twist)}°` : null, axial !== null ? `axial ${axial.toUpperCase()}` : null].filter((p) => p !== null);
  return parts.length > 0 ? `helical: ${parts.join(', ')}` : null;
}

/** MDa per unit of a molecular-weight `units` attribute (EMDB writes MDa; kDa and Da are converted). */
const MASS_UNITS: Record<string, number> = { mda: 1, kda: 1e-3, da: 1e-6 };

/** A molecular weight in MDa from a `{valueOf_, units}` value, or null (unknown unit, not positive). */
function massMDa(v: Json): number | null {
  const n = numberOf(v);
  if (n === null || !(n > 0)) return null;
  const units = cleanText(at(v, 'units'), 8)?.toLowerCase() ?? 'mda';
  const f = MASS_UNITS[units];
  return f === undefined ? null : n * f;
}

/** The sample's molecular weight (see EntryMetadata.molecularWeightMDa). */
export function sampleWeightOf(json: Json): number | null {
  for (const s of arr(at(json, 'sample', 'supramolecule_list', 'supramolecule'))) {
    const w = at(s, 'molecular_weight');
    const mda = massMDa(at(w, 'theoretical')) ?? massMDa(at(w, 'experimental'));
    if (mda !== null) return mda;
  }
  return null;
}

/** Reads an entry JSON (already parsed) for accession `id`. Never throws on odd content. */
export function parseEntryMetadata(id: string, json: Json): EntryMetadata {
  const notes: string[] = [];
  const declared = at(json, 'emdb_id');
  const sd = at(json, 'structure_determination_list', 'structure_determination', 0);
  const finalReconstruction = at(sd, 'image_processing', 0, 'final_reconstruction');
  const res = numberOf(at(finalReconstruction, 'resolution'));
  if (res !== null && !(res > 0)) notes.push(`resolution ${res} is not positive: ignored`);

  const authors: string[] = [];
  for (const a of arr(at(json, 'admin', 'authors_list', 'author'))) {
    const name = cleanText(a, MAX_AUTHOR);
    if (name !== null && authors.length < MAX_AUTHORS) authors.push(name);
  }

  const pdbIds: string[] = [];
  for (const ref of arr(at(json, 'crossreferences', 'pdb_list', 'pdb_reference'))) {
    const raw = at(ref, 'pdb_id');
    const pid = typeof raw === 'string' ? raw.trim().toLowerCase() : null;
    if (pid !== null && PDB_ID_RE.test(pid)) {
      if (!pdbIds.includes(pid)) pdbIds.push(pid);
    } else if (raw !== undefined) {
      notes.push(`fitted model ID ${JSON.stringify(String(raw).slice(0, 40))} is not a PDB ID: ignored`);
    }
  }

  const halfMaps: string[] = [];
  for (const h of arr(at(json, 'interpretation', 'half_map_list', 'half_map'))) {
    const raw = at(h, 'file');
    const name = safeFileName(raw);
    if (name !== null) halfMaps.push(name);
    else if (raw !== undefined) notes.push(`half-map file name ${JSON.stringify(String(raw).slice(0, 60))} is not a plain file name: ignored`);
  }

  const ps = at(json, 'map', 'pixel_spacing');
  const vs = ['x', 'y', 'z'].map((k) => numberOf(at(ps, k)));
  const voxelSize = vs.every((v) => v !== null && v > 0) ? (vs as [number, number, number]) : null;

  const contour = primaryContour(json);
  const method = cleanText(at(sd, 'method'), 64);
  const statusCode = cleanText(at(json, 'admin', 'current_status', 'code'), 16);
  return {
    id,
    declaredId: typeof declared === 'string' ? declared : null,
    title: cleanText(at(json, 'admin', 'title'), MAX_TITLE),
    authors,
    depositionDate: dateOf(at(json, 'admin', 'key_dates', 'deposition')),
    releaseDate: dateOf(at(json, 'admin', 'key_dates', 'map_release')) ?? dateOf(at(json, 'admin', 'key_dates', 'header_release')),
    updateDate: dateOf(at(json, 'admin', 'key_dates', 'update')),
    resolution: res !== null && res > 0 ? res : null,
    threshold: contour?.level ?? null,
    thresholdPrimary: contour?.primary ?? false,
    method,
    pdbIds,
    voxelSize,
    dims: boxOf(json),
    symmetry: symmetryOf(finalReconstruction),
    molecularWeightMDa: sampleWeightOf(json),
    halfMaps,
    status: statusCode,
    notes,
  };
}

/** The report's `entry` block from metadata that has a threshold (precondition: `m.threshold !== null`). */
export function toReportEntry(m: EntryMetadata): Entry {
  if (m.threshold === null) throw new Error(`${m.id}: no contour level`);
  return {
    id: m.id,
    title: m.title,
    authors: [...m.authors],
    depositionDate: m.depositionDate,
    releaseDate: m.releaseDate,
    resolution: m.resolution,
    threshold: m.threshold,
    method: m.method,
    pdbIds: [...m.pdbIds],
    symmetry: m.symmetry,
    molecularWeightMDa: m.molecularWeightMDa,
  };
}

/** JSON with object keys sorted at every level and no whitespace: a stable text to hash. */
export function canonicalJson(v: Json): string {
  return JSON.stringify(v, (_k, val: Json) => {
    const o = obj(val);
    if (!o) return val;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

/** sha256 (hex) of the canonical JSON of `v`. */
export function sha256Json(v: Json): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}
