/**
 * Writes an AtomModel as a minimal PDBx/mmCIF text: one `_atom_site` loop, enough for a viewer
 * (Mol*) and for our own reader (model-cif.ts). Author and label identifiers are the same (the
 * model read keeps only the author ones); polymer atoms are entity 1, hetero atoms entity 2.
 * Chain and atom names with spaces or quotes are quoted; empty ones become `.`.
 */
import type { AtomModel } from './model.ts';

const COLUMNS = [
  'group_PDB', 'id', 'type_symbol', 'label_atom_id', 'label_alt_id', 'label_comp_id', 'label_asym_id', 'label_entity_id', 'label_seq_id',
  'pdbx_PDB_ins_code', 'Cartn_x', 'Cartn_y', 'Cartn_z', 'occupancy', 'B_iso_or_equiv', 'auth_seq_id', 'auth_asym_id', 'pdbx_PDB_model_num',
];

/** A CIF value: `.` when empty, quoted when it holds whitespace or starts like a token of its own. */
function cifValue(s: string): string {
  if (s === '') return '.';
  if (/^[^\s'"_#$;[\]]\S*$/u.test(s) && s !== '.' && s !== '?' && !/^(data_|loop_|save_|global_|stop_)/iu.test(s)) return s;
  return s.includes("'") ? `"${s}"` : `'${s}'`;
}

/** The model as mmCIF text; `bFactor` replaces the B-factor column when given (one value per atom; NaN is written `?`, unknown). */
export function encodeAtomSiteCif(model: AtomModel, bFactor?: Float32Array): Uint8Array {
  if (bFactor && bFactor.length !== model.count) throw new RangeError(`encodeAtomSiteCif: ${bFactor.length} B-factors for ${model.count} atoms`);
  const b = bFactor ?? model.bFactor;
  const lines = ['data_emvr', '#', 'loop_', ...COLUMNS.map((c) => `_atom_site.${c}`)];
  for (let j = 0; j < model.count; j++) {
    const het = model.isHetero[j] === 1;
    const atom = cifValue(model.atomName[j]);
    const comp = cifValue(model.resName[j]);
    const chain = cifValue(model.chainId[j]);
    lines.push([
      het ? 'HETATM' : 'ATOM', j + 1, cifValue(model.element[j]), atom, cifValue(model.altLoc[j]), comp, chain, het ? 2 : 1, model.resSeq[j],
      model.insCode[j] === '' ? '?' : cifValue(model.insCode[j]), model.x[j].toFixed(3), model.y[j].toFixed(3), model.z[j].toFixed(3),
      model.occupancy[j].toFixed(2), Number.isFinite(b[j]) ? b[j].toFixed(3) : '?', model.resSeq[j], chain, 1,
    ].join(' '));
  }
  lines.push('#', '');
  return new TextEncoder().encode(lines.join('\n'));
}
