/**
 * Where the analysed files come from: the EMDB archive URL of the map and half maps, the wwPDB
 * archive URL of the model, each with its sha256 from the report; "local file" for anything else
 * (a depositor's own map, a file under another name). The URL layout is the one the nightly
 * downloads from (scripts/emdb/endpoints.ts; shared/design/emdb-access.md).
 */
import type { Report } from '../../../analyzers/report/schema.ts';

/** One analysed file. */
export interface InputSource {
  /** "Map", "Half map 1", "Fitted model". */
  role: string;
  file: string;
  sha256: string;
  /** The archive URL, or null for a local file. */
  url: string | null;
}

const EMDB_FILES = 'https://ftp.ebi.ac.uk/pub/databases/emdb/structures';
const PDB_FILES = 'https://files.wwpdb.org/pub/pdb/data/structures/divided/mmCIF';

/** The archive URL of a file EMDB publishes under this name for entry `id` (map/ or other/), else null. */
export function emdbFileUrl(id: string, file: string): string | null {
  const num = /^EMD-(\d{4,})$/u.exec(id)?.[1];
  if (num === undefined) return null;
  if (file === `emd_${num}.map.gz`) return `${EMDB_FILES}/${id}/map/${file}`;
  if (new RegExp(`^emd_${num}_half_map_[12]\\.map\\.gz$`, 'u').test(file)) return `${EMDB_FILES}/${id}/other/${file}`;
  return null;
}

/** The wwPDB archive URL of a model saved under the archive's own name (`1abc.cif.gz`), else null. */
export function pdbFileUrl(pdbId: string | undefined, file: string): string | null {
  if (pdbId === undefined || !/^[0-9][a-z0-9]{3}$/u.test(pdbId) || file !== `${pdbId}.cif.gz`) return null;
  return `${PDB_FILES}/${pdbId.slice(1, 3)}/${file}`;
}

/** The report's inputs in page order, each with its URL or none. */
export function inputSources(r: Report): InputSource[] {
  const id = r.entry.id;
  const { map, halfMaps, model } = r.inputs;
  return [
    { role: 'Map', file: map.file, sha256: map.sha256, url: emdbFileUrl(id, map.file) },
    ...(halfMaps ?? []).map((h, k) => ({ role: `Half map ${k + 1}`, file: h.file, sha256: h.sha256, url: emdbFileUrl(id, h.file) })),
    ...(model ? [{ role: 'Fitted model', file: model.file, sha256: model.sha256, url: pdbFileUrl(model.pdbId, model.file) }] : []),
  ];
}
