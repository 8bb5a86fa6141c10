/**
 * The files an entry is analysed from beside its primary map ("additional inputs"). Today: the
 * two half maps that Level 1 needs, listed in the entry JSON's `half_map_list` and served from
 * the archive's `other/` folder. Each additional input is a kind, a file name from the entry JSON
 * (already a safe plain name, entry-metadata.ts) and an archive folder; the client fetches every
 * kind the same way (retries, resume, verification, cache), the pipeline records each file's
 * sha256 and one fingerprint over all of them, and re-analyses when that fingerprint changes.
 * The fitted model (Level A, issue 19) is meant to become one more kind here, with its own
 * verifier in the client and its own entry in `planAdditionalInputs`.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ArchiveFolder } from './endpoints.ts';
import type { EntryMetadata } from './entry-metadata.ts';
import { checkEmdbId, safeFileName } from './ids.ts';

/** Kinds of additional input (issue 19 adds 'model'). */
export type AdditionalInputKind = 'halfMap';

/** One additional input file of an entry. */
export interface AdditionalInput {
  readonly kind: AdditionalInputKind;
  /** 1-based position among the inputs of its kind (half map 1 or 2). */
  readonly index: number;
  /** File name as the entry JSON lists it (a plain safe name). */
  readonly file: string;
  /** Archive folder that serves it. */
  readonly folder: ArchiveFolder;
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

/**
 * What to fetch for an entry: both half maps when it lists exactly two different ones; none, with
 * a note saying why, when it lists another number (VRS aborts on a single half map; Level 1 needs
 * a pair, and picking two of three would be a guess). Names the metadata reader dropped as unsafe
 * are not counted (it notes them itself).
 */
export function planAdditionalInputs(m: Pick<EntryMetadata, 'halfMaps'>): AdditionalInputPlan {
  const names = m.halfMaps;
  if (names.length === 0) return { files: [], notes: [] };
  if (names.length === 2 && names[0] !== names[1]) {
    return { files: names.map((file, k) => ({ kind: 'halfMap', index: k + 1, file, folder: 'other' })), notes: [] };
  }
  const listed = names.map((n) => JSON.stringify(n)).join(', ');
  const why = names.length === 2 ? `lists the same half-map file twice (${listed})` : `lists ${names.length} half map${names.length === 1 ? '' : 's'} (${listed})`;
  return { files: [], notes: [{ code: HALF_MAPS_NOT_TWO, message: `EMDB ${why}; Level 1 needs exactly two, so the entry is analysed without half maps` }] };
}

/** What messages call a kind of input: "half map". */
export function inputKindLabel(kind: AdditionalInputKind): string {
  switch (kind) {
    case 'halfMap':
      return 'half map';
  }
}

/** How messages name an input: `half map 1 (emd_N_half_map_1.map.gz)`. */
export function describeInput(i: Pick<AdditionalInput, 'kind' | 'index' | 'file'>): string {
  return `${inputKindLabel(i.kind)} ${i.index} (${i.file})`;
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

/** The two half-map paths in order, when both were fetched. */
export function halfMapPathsOf(fetched: readonly FetchedInput[]): [string, string] | undefined {
  const halves = fetched.filter((f) => f.kind === 'halfMap').sort((a, b) => a.index - b.index);
  return halves.length === 2 ? [halves[0].path, halves[1].path] : undefined;
}
