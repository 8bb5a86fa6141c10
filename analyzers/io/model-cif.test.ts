import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import type { AtomModel } from './model.ts';
import { parseMmcif } from './model-cif.ts';
import { ModelFormatError } from './model-errors.ts';
import { parsePdb } from './model-pdb.ts';
import { detectModelFormat, parseModel } from './model-read.ts';

const ATOM_SITE_TAGS = `loop_
_atom_site.group_PDB
_atom_site.id
_atom_site.type_symbol
_atom_site.label_atom_id
_atom_site.label_alt_id
_atom_site.label_comp_id
_atom_site.label_asym_id
_atom_site.label_seq_id
_atom_site.pdbx_PDB_ins_code
_atom_site.Cartn_x
_atom_site.Cartn_y
_atom_site.Cartn_z
_atom_site.occupancy
_atom_site.B_iso_or_equiv
_atom_site.auth_seq_id
_atom_site.auth_comp_id
_atom_site.auth_asym_id
_atom_site.auth_atom_id
_atom_site.pdbx_PDB_model_num`;

const CIF = `data_TEST
# a comment line
_entry.id   TEST
_struct.title
;A title in a text field, holding what looks like syntax:
loop_
_atom_site.Cartn_x 'unbalanced
# not a comment
;
loop_
_citation.id
_citation.title
1 'A paper, it's fine'
2 ?
#
${ATOM_SITE_TAGS}
ATOM   1 P P     . G   A 1 ? 10.000 20.000 30.000 1.00 15.00 1   G   X P     1
ATOM   2 O "O5'" . G   A 1 ? 11.000 21.000 31.000 1.00 16.00 1   G   X "O5'" 1
ATOM   3 C 'C1"' A G   A 1 ? 12.5   22.25  32.125 0.50 17.50 1   G   X 'C1"' 1
ATOM   4 C CA    B ALA A 2 A  1     2      3      ?    .     52  ALA X CA    1
HETATM 5 ? CA    . CA  C . ? 5      6      7      1    30    101 CA  . CA    1 # calcium, type unknown
HETATM 6 Mg MG   . MG  C . . 8      9      10     0.5  31(2) 102 MG  X MG    1
ATOM   7 O OP1   . G   A 1 ? 13     23     33     1    18    1   G   X O1P   1
ATOM   8 P P     . G   A 1 ? 99     99     99     1    15    1   G   X P     2
#
loop_
_atom_site_anisotrop.id
_atom_site_anisotrop.U[1][1]
1 0.1
_pdbx_note.text
;trailing text field
;
`;

describe('parseMmcif', () => {
  const m = parseMmcif(CIF, 'inline.cif');

  it('keeps only rows of the first model number', () => {
    expect(m.count).toBe(7);
    expect(Array.from(m.x)).not.toContain(99);
  });

  it('unquotes atom names, where a quote closes only before whitespace', () => {
    expect(m.atomName).toEqual(['P', "O5'", 'C1"', 'CA', 'CA', 'MG', 'O1P']);
  });

  it('prefers auth_* columns and falls back to label_* for missing values', () => {
    // Row 5 has auth_asym_id "." → label_asym_id "C"; label_seq_id is "." everywhere for hetero groups.
    expect(m.chainId).toEqual(['X', 'X', 'X', 'X', 'C', 'X', 'X']);
    expect(Array.from(m.resSeq)).toEqual([1, 1, 1, 52, 101, 102, 1]);
    expect(m.resName).toEqual(['G', 'G', 'G', 'ALA', 'CA', 'MG', 'G']);
  });

  it('reads coordinates, occupancy and B, with ? and . as missing (occupancy 1, B 0)', () => {
    expect([m.x[2], m.y[2], m.z[2]]).toEqual([12.5, 22.25, 32.125]);
    expect(m.occupancy[2]).toBe(0.5);
    expect(m.bFactor[2]).toBe(17.5);
    expect(m.occupancy[3]).toBe(1);
    expect(m.bFactor[3]).toBe(0);
    expect(m.bFactor[5]).toBe(31); // "31(2)": standard uncertainty dropped
  });

  it('reads alt ids, insertion codes and HETATM', () => {
    expect(m.altLoc).toEqual(['', '', 'A', 'B', '', '', '']);
    expect(m.insCode).toEqual(['', '', '', 'A', '', '', '']);
    expect(Array.from(m.isHetero)).toEqual([0, 0, 0, 0, 1, 1, 0]);
  });

  it('upper-cases type_symbol and infers a missing one from the atom name (ion named as its residue)', () => {
    expect(m.element).toEqual(['P', 'O', 'C', 'C', 'CA', 'MG', 'O']);
  });

  it('reads CRLF text the same as LF text', () => {
    expect(parseMmcif(CIF.replace(/\n/g, '\r\n'), 'crlf.cif')).toEqual(m);
  });

  it('reads a single atom written as _atom_site key-value pairs', () => {
    const one = parseMmcif(
      `data_one
_atom_site.group_PDB HETATM
_atom_site.type_symbol ZN
_atom_site.label_atom_id ZN
_atom_site.label_comp_id ZN
_atom_site.label_asym_id B
_atom_site.auth_seq_id 301
_atom_site.Cartn_x 1.5
_atom_site.Cartn_y -2.5
_atom_site.Cartn_z 3.25
_atom_site.occupancy ?
`,
      'one.cif',
    );
    expect(one.count).toBe(1);
    expect([one.x[0], one.y[0], one.z[0], one.occupancy[0], one.bFactor[0]]).toEqual([1.5, -2.5, 3.25, 1, 0]);
    expect([one.element[0], one.chainId[0], one.resSeq[0], one.isHetero[0]]).toEqual(['ZN', 'B', 301, 1]);
  });

  it('is detected as mmCIF and dispatched by parseModel', () => {
    expect(detectModelFormat(CIF)).toBe('mmcif');
    expect(parseModel(CIF, 'inline.cif')).toEqual(m);
  });
});

describe('parseMmcif errors name the source and the problem', () => {
  const err = (text: string): ModelFormatError => {
    try {
      parseMmcif(text, 'x.cif');
    } catch (e) {
      if (e instanceof ModelFormatError) return e;
      throw e;
    }
    throw new Error('expected a ModelFormatError');
  };

  it('without an _atom_site category', () => {
    expect(err('data_x\nloop_\n_a.b\n_a.c\n1 2\n').message).toBe(
      'x.cif: no _atom_site loop (or _atom_site items) found; is this an mmCIF coordinate file?',
    );
  });

  it('without a Cartn_x column', () => {
    expect(err('data_x\nloop_\n_atom_site.id\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n1 2 3\n').message).toBe(
      'x.cif line 2: _atom_site has no Cartn_x column',
    );
  });

  it('with a coordinate that is not a number', () => {
    const text = 'data_x\nloop_\n_atom_site.id\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n1 1 2 3\n2 1 2.0x 3\n';
    const e = err(text);
    expect(e.message).toBe('x.cif line 8: _atom_site.Cartn_y is not a number: "2.0x"');
    expect(e.line).toBe(8);
  });

  it('with a missing coordinate', () => {
    expect(err('data_x\nloop_\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n1 ? 3\n').message).toBe(
      'x.cif line 6: _atom_site.Cartn_y is missing (? or .)',
    );
  });

  it('with an incomplete last row', () => {
    expect(err('data_x\nloop_\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n1 2 3\n4 5\n').message).toBe(
      'x.cif line 7: the _atom_site loop ends with an incomplete row: 2 of 3 values (a value is missing or a quote is unbalanced)',
    );
  });

  it('with an empty _atom_site loop', () => {
    expect(err('data_x\nloop_\n_atom_site.Cartn_x\n_atom_site.Cartn_y\n_atom_site.Cartn_z\n#\nloop_\n_other.x\n1\n').message).toBe(
      'x.cif line 2: the _atom_site loop has no rows',
    );
  });

  it('with a quote that is not closed on its line', () => {
    expect(err("data_x\n_a.b 'abc\n").message).toBe("x.cif line 2: quoted value starting 'abc is not closed on its line");
  });

  it('with a text field that is never closed', () => {
    expect(err('data_x\n_a.b\n;text\nmore\n').message).toBe(
      'x.cif line 3: text field opened by ";" is never closed by a line starting with ";"',
    );
  });
});

/**
 * Minimal mmCIF writer for the cross-check: columns in a non-standard order, label_asym_id made
 * different from auth_asym_id (so the reader must prefer auth), label_seq_id "." for hetero groups,
 * type_symbol "?" on every 10th atom (so the reader must infer it), some values quoted that need no
 * quotes, and a second model that must be dropped.
 */
function toMmcif(m: AtomModel, id: string): string {
  let quoteToggle = 0;
  const q = (v: string, force = false): string => {
    if (v === '') return '.';
    if (v.includes("'")) return `"${v}"`;
    if (v.includes('"') || /\s/.test(v) || /^[_#$;[\]]/.test(v) || v === '?' || v === '.') return `'${v}'`;
    if (force) return quoteToggle++ % 2 === 0 ? `'${v}'` : `"${v}"`;
    return v;
  };
  const out: string[] = [
    `data_${id}`,
    '# written by model-cif.test.ts from a PDB fixture',
    `_entry.id ${id}`,
    '_struct.title',
    ';Converted from PDB for a reader cross-check.',
    'A line with "quotes", a # hash and loop_ inside a text field.',
    ';',
    'loop_',
    '_entity.id',
    '_entity.type',
    "1 polymer 2 'non-polymer' 3 water",
    '#',
    'loop_',
    '_atom_site.id',
    '_atom_site.Cartn_x',
    '_atom_site.Cartn_y',
    '_atom_site.Cartn_z',
    '_atom_site.group_PDB',
    '_atom_site.type_symbol',
    '_atom_site.label_atom_id',
    '_atom_site.label_alt_id',
    '_atom_site.label_comp_id',
    '_atom_site.label_asym_id',
    '_atom_site.label_seq_id',
    '_atom_site.pdbx_PDB_ins_code',
    '_atom_site.occupancy',
    '_atom_site.B_iso_or_equiv',
    '_atom_site.auth_seq_id',
    '_atom_site.auth_comp_id',
    '_atom_site.auth_asym_id',
    '_atom_site.auth_atom_id',
    '_atom_site.pdbx_PDB_model_num',
  ];
  const row = (i: number, model: number, shift: number): string =>
    [
      i + 1,
      (m.x[i] + shift).toFixed(3),
      (m.y[i] + shift).toFixed(3),
      (m.z[i] + shift).toFixed(3),
      m.isHetero[i] ? 'HETATM' : 'ATOM',
      i % 10 === 9 ? '?' : m.element[i].charAt(0) + m.element[i].slice(1).toLowerCase(),
      q(m.atomName[i], i % 7 === 0),
      q(m.altLoc[i]),
      q(m.resName[i]),
      `L${m.chainId[i]}`,
      m.isHetero[i] ? '.' : String(m.resSeq[i]),
      m.insCode[i] === '' ? '?' : q(m.insCode[i]),
      m.occupancy[i].toFixed(2),
      m.bFactor[i].toFixed(2),
      m.resSeq[i],
      q(m.resName[i]),
      q(m.chainId[i]),
      q(m.atomName[i], i % 5 === 0),
      model,
    ].join(' ');
  for (let i = 0; i < m.count; i++) out.push(row(i, 1, 0));
  for (let i = 0; i < Math.min(20, m.count); i++) out.push(row(i, 2, 50));
  out.push('#', 'loop_', '_pdbx_unobs.id', '_pdbx_unobs.note', "1 'after the atoms'", '_pdbx_final.text', ';the end', ';', '');
  return out.join('\n');
}

describe.skipIf(!haveFixtures('model fixtures'))('parseMmcif agrees with parsePdb on real models', () => {
  it.each([
    ['EMD-20026-crop/model/3ajo_fitted_refined.pdb', 1654],
    ['EMD-2566-crop/model/3J6B_9.pdb', 2865],
  ])('%s converted to mmCIF reads back atom for atom', (file, count) => {
    const fromPdb = parsePdb(readFileSync(fixture(...file.split('/')), 'utf8'), file);
    expect(fromPdb.count).toBe(count);
    const cif = toMmcif(fromPdb, 'X');
    expect(cif).toMatch(/ '[A-Z0-9]+' /); // some names needlessly single-quoted
    expect(cif).toMatch(/ "[A-Z0-9]+" /); // and some double-quoted
    const fromCif = parseMmcif(cif, `${file} as mmCIF`);
    expect(fromCif.count).toBe(count);
    expect(fromCif).toEqual(fromPdb);
  });
});
