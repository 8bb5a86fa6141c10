/**
 * A minimal PDBx/mmCIF writer for the mirror's simulated models: one data block with the
 * `_atom_site` loop the PDB archive files carry (the columns readers rely on, author and label
 * forms alike), nothing else. Enough for the analyzer's reader and for common viewers; not a
 * deposition-grade file (no entity, sequence or cell categories).
 */
import type { AtomModel } from '../../analyzers/io/model.ts';

const COLUMNS = [
  'group_PDB', 'id', 'type_symbol', 'label_atom_id', 'label_alt_id', 'label_comp_id', 'label_asym_id', 'label_seq_id',
  'pdbx_PDB_ins_code', 'Cartn_x', 'Cartn_y', 'Cartn_z', 'occupancy', 'B_iso_or_equiv',
  'auth_seq_id', 'auth_comp_id', 'auth_asym_id', 'auth_atom_id', 'pdbx_PDB_model_num',
] as const;

/** A CIF value: `.` for empty, quoted when it holds a space or starts with a CIF-special character. */
export function cifValue(s: string): string {
  if (s === '') return '.';
  if (/^[^\s'"_#$;[\]]\S*$/u.test(s) && s !== '.' && s !== '?' && !/^(data_|loop_|save_|global_|stop_)/iu.test(s)) return s;
  if (!s.includes("'")) return `'${s}'`;
  if (!s.includes('"')) return `"${s}"`;
  throw new Error(`mmCIF writer: ${JSON.stringify(s)} holds both quote characters`);
}

/** `model` as mmCIF text with data block `name` (a plain word, e.g. the PDB ID). */
export function modelToMmcif(model: AtomModel, name: string): string {
  if (!/^[A-Za-z0-9_]+$/u.test(name)) throw new Error(`mmCIF writer: data block name ${JSON.stringify(name)} is not a plain word`);
  const lines = [`data_${name.toUpperCase()}`, '#', 'loop_', ...COLUMNS.map((c) => `_atom_site.${c}`)];
  for (let i = 0; i < model.count; i++) {
    const chain = cifValue(model.chainId[i]);
    const res = cifValue(model.resName[i]);
    const atom = cifValue(model.atomName[i]);
    const seq = String(model.resSeq[i]);
    lines.push(
      [
        model.isHetero[i] ? 'HETATM' : 'ATOM', String(i + 1), cifValue(model.element[i]), atom, cifValue(model.altLoc[i]), res, chain, seq,
        model.insCode[i] === '' ? '?' : cifValue(model.insCode[i]),
        model.x[i].toFixed(3), model.y[i].toFixed(3), model.z[i].toFixed(3), model.occupancy[i].toFixed(2), model.bFactor[i].toFixed(2),
        seq, res, chain, atom, '1',
      ].join(' '),
    );
  }
  lines.push('#', '');
  return lines.join('\n');
}
