/**
 * The files an entry is analysed from beside its primary map ("additional inputs"): the two half
 * maps that Level 1 needs, listed in the entry JSON's `half_map_list` and served from the EMDB
 * archive's `other/` folder, and the fitted model that Level A needs, the first PDB ID of the
 * entry JSON's `pdb_list`, served by the PDB archive as `<id>.cif.gz`. Each additional input is a
 * kind, a file name (from the entry JSON, already a safe plain name, entry-metadata.ts; or built
 * from a checked PDB ID) and a folder; the client fetches every kind the same way (retries,
 * resume, verification, cache), the pipeline records each file's sha256 and one fingerprint over
 * all of them, and re-analyses when that fingerprint changes. Half maps are required once listed
 * (a missing one fails the entry); the model is optional (a missing or unreadable one becomes a
 * note and the entry is analysed without it), because Level 0 and 1 do not need it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pdbModelFileName, type ArchiveFolder } from './endpoints.ts';
import type { EntryMetadata } from './entry-metadata.ts';
import { checkEmdbId, safeFileName } from './ids.ts';

/** Kinds of additional input. */
export type AdditionalInputKind = 'halfMap' | 'model';

/** Where an input comes from and is cached: an EMDB archive folder, or `model` (the PDB archive). */
export type InputFolder = ArchiveFolder | 'model';

/** One additional input file of an entry. */
export interface AdditionalInput {
  readonly kind: AdditionalInputKind;
  /** 1-based position among the inputs of its kind (half map 1 or 2; the model is 1). */
  readonly index: number;
  /** File name as the entry JSON lists it, or the PDB archive's `<id>.cif.gz` (a plain safe name). */
  readonly file: string;
  /** Folder that serves it (and holds it in the cache). */
  readonly folder: InputFolder;
  /** For the model: the PDB ID as EMDB lists it (what the report records). */
  readonly pdbId?: string;
}

/** A note about the inputs, for the ledger and the report (`inputs.map.notes`). */
export interface InputNote {
  readonly code: string;
  readonly message: string;
}

/** What to fetch beside the map, and why something listed is left out. */
export interface AdditionalInputPlan {
  readonly files: readonly AdditionalInput[];
  readonly notes: readonly InputNote[];
}

/** An additional input once fetched and verified. */
export interface FetchedInput extends AdditionalInput {
  /** Where the verified file is (the cache). */
  readonly path: string;
  /** sha256 (hex) of the stored bytes. */
  readonly sha256: string;
  readonly bytes: number;
  /** True when a conditional GET found the cached copy current. */
  readonly fromCache: boolean;
}

/** Report/ledger note code: the entry lists a number of half maps other than two. */
export const HALF_MAPS_NOT_TWO = 'EMDB_HALF_MAPS_NOT_TWO';
/** Report/ledger note code: the fitted model's PDB ID has no place in the archive layout we fetch from. */
export const MODEL_ID_UNSUPPORTED = 'EMDB_MODEL_ID_UNSUPPORTED';
/** Report/ledger note code: the fitted model could not be downloaded (not in the archive, network). */
export const MODEL_NOT_FETCHED = 'EMDB_MODEL_NOT_FETCHED';
/** Report/ledger note code: the fitted model downloaded but is not a readable mmCIF model. */
export const MODEL_UNREADABLE = 'EMDB_MODEL_UNREADABLE';

/**
 * The 4-character ID under which the PDB archive files a model: the ID itself, or for an extended
 * ID `pdb_0000xxxx` (wwPDB's long form of a classic ID) its last four characters; null for an
 * extended ID with no classic form (`pdb_00012abc`), for which the divided layout is not defined.
 */
export function archivePdbId(pdbId: string): string | null {
  if (/^[0-9][a-z0-9]{3}$/u.test(pdbId)) return pdbId;
  const m = /^pdb_0000([0-9][a-z0-9]{3})$/u.exec(pdbId);
  return m ? m[1] : null;
}

/**
 * The fitted model to fetch: the first PDB ID EMDB lists (as VRS, Level A scores one model), or
 * nothing with a note when that ID has no archive file name.
 */
export function planModel(m: Pick<EntryMetadata, 'pdbIds'>): AdditionalInputPlan {
  const pdbId = m.pdbIds[0];
  if (pdbId === undefined) return { files: [], notes: [] };
  const archiveId = archivePdbId(pdbId);
  if (archiveId === null) {
    return { files: [], notes: [{ code: MODEL_ID_UNSUPPORTED, message: `fitted model ${pdbId}: extended PDB IDs without a 4-character form are not in the PDB archive's divided layout yet, so the entry is analysed without the model` }] };
  }
  return { files: [{ kind: 'model', index: 1, file: pdbModelFileName(archiveId), folder: 'model', pdbId }], notes: [] };
}

/**
 * What to fetch for an entry: both half maps when it lists exactly two different ones; none, with
 * a note saying why, when it lists another number (VRS aborts on a single half map; Level 1 needs
 * a pair, and picking two of three would be a guess). Names the metadata reader dropped as unsafe
 * are not counted (it notes them itself).
 */
export function planHalfMaps(m: Pick<EntryMetadata, 'halfMaps'>): AdditionalInputPlan {
  const names = m.halfMaps;
  if (names.length === 0) return { files: [], notes: [] };
  if (names.length === 2 && names[0] !== names[1]) {
    return { files: names.map((file, k) => ({ kind: 'halfMap', index: k + 1, file, folder: 'other' })), notes: [] };
  }
  const listed = names.map((n) => JSON.stringify(n)).join(', ');
  const why = names.length === 2 ? `lists the same half-map file twice (${listed})` : `lists ${names.length} half map${names.length === 1 ? '' : 's'} (${listed})`;
  return { files: [], notes: [{ code: HALF_MAPS_NOT_TWO, message: `EMDB ${why}; Level 1 needs exactly two, so the entry is analysed without half maps` }] };
}

/** Everything to fetch beside the map: the half maps (`planHalfMaps`), then the fitted model (`planModel`). */
export function planAdditionalInputs(m: Pick<EntryMetadata, 'halfMaps'> & Partial<Pick<EntryMetadata, 'pdbIds'>>): AdditionalInputPlan {
  const halves = planHalfMaps(m);
  const model = planModel({ pdbIds: m.pdbIds ?? [] });
  return { files: [...halves.files, ...model.files], notes: [...halves.notes, ...model.notes] };
}

/** Whether a failure to fetch this input fails its entry (half maps) or only leaves it out with a note (the model). */
export function isOptionalInput(i: Pick<AdditionalInput, 'kind'>): boolean {
  return i.kind === 'model';
}

/**
 * The note of an optional input (the model) that could not be had: `unreadable` when it
 * downloaded but did not verify. `problem` names the entry, the PDB ID and the file (the client's
 * messages do); URLs are left to the log so that the report stays the same whichever host served.
 */
export function modelFailureNote(i: Pick<AdditionalInput, 'pdbId' | 'file'>, unreadable: boolean, problem: string): InputNote {
  const pdb = i.pdbId ?? i.file;
  return unreadable
    ? { code: MODEL_UNREADABLE, message: `fitted model ${pdb} is not usable (${problem}); the entry is analysed without the model` }
    : { code: MODEL_NOT_FETCHED, message: `fitted model ${pdb} could not be fetched (${problem}); the entry is analysed without the model` };
}

/** What messages call a kind of input: "half map", "fitted model". */
export function inputKindLabel(kind: AdditionalInputKind): string {
  switch (kind) {
    case 'halfMap':
      return 'half map';
    case 'model':
      return 'fitted model';
  }
}

/** How messages name an input: `half map 1 (emd_N_half_map_1.map.gz)`, `fitted model 1oel (1oel.cif.gz)`. */
export function describeInput(i: Pick<AdditionalInput, 'kind' | 'index' | 'file'> & { readonly pdbId?: string }): string {
  return `${inputKindLabel(i.kind)} ${i.kind === 'model' && i.pdbId ? i.pdbId : i.index} (${i.file})`;
}

/**
 * Cache path of an input: `<cache>/EMD-N/<folder>/<file>`, the archive's own layout, so it can
 * never collide with the primary map (`<cache>/EMD-N/emd_N.map.gz`) or another folder's file.
 * The ID and the name are checked again here because this is where they become a path.
 */
export function inputCachePath(cacheRoot: string, id: string, i: Pick<AdditionalInput, 'folder' | 'file'>): string {
  checkEmdbId(id);
  if (safeFileName(i.file) === null) throw new Error(`${id}: ${JSON.stringify(i.file.slice(0, 80))} is not a plain file name`);
  return path.join(cacheRoot, id, i.folder, i.file);
}

/**
 * Fingerprint of everything besides the map and the metadata that a report depends on: each
 * fetched input (kind, position, file name, sha256) and the input notes (they are printed in the
 * report). Null when there is neither, so an entry without additional inputs compares equal to
 * one recorded before this fingerprint existed.
 */
export function additionalInputsSha256(fetched: readonly Pick<FetchedInput, 'kind' | 'index' | 'file' | 'sha256'>[], notes: readonly InputNote[]): string | null {
  if (fetched.length === 0 && notes.length === 0) return null;
  const canon = JSON.stringify({ files: fetched.map((f) => [f.kind, f.index, f.file, f.sha256]), notes: notes.map((n) => [n.code, n.message]) });
  return createHash('sha256').update(canon).digest('hex');
}

/** The fetched model's path and PDB ID, when there is one. */
export function modelOf(fetched: readonly FetchedInput[]): { modelPath: string; modelPdbId?: string } | undefined {
  const m = fetched.find((f) => f.kind === 'model');
  return m ? { modelPath: m.path, ...(m.pdbId ? { modelPdbId: m.pdbId } : {}) } : undefined;
}

/** The two half-map paths in order, when both were fetched. */
export function halfMapPathsOf(fetched: readonly FetchedInput[]): [string, string] | undefined {
  const halves = fetched.filter((f) => f.kind === 'halfMap').sort((a, b) => a.index - b.index);
  return halves.length === 2 ? [halves[0].path, halves[1].path] : undefined;
}
