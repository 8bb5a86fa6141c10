import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixture, haveFixtures } from '../testing/fixtures.ts';
import type { AtomModel } from './model.ts';
import { ModelFormatError } from './model-errors.ts';
import { elementFromPdbAtomName, parsePdb } from './model-pdb.ts';
import { detectModelFormat, readModel } from './model-read.ts';

// Columns checked by hand: name 13-16, altLoc 17, resName 18-20, chain 22, resSeq 23-26, iCode 27,
// x 31-38, y 39-46, z 47-54, occupancy 55-60, B 61-66, element 77-78.
const MODEL_1 = [
  'ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  7.25           N  ',
  'ATOM      2  CA AALA A   1      11.639   6.071  -5.147  0.60 12.50           C  ',
  'ATOM      3  CA BALA A   1      11.700   6.200  -5.000  0.40 13.00           C  ',
  'ATOM      4  CB  SER A  52A     -1.500   2.250 100.125  1.00 20.00              ',
  'ATOM      5 1HB  SER A  52A     -1.000   2.000 101.000  1.00 20.00              ',
  'ATOM      6 HG12 ILE A  53       0.000   0.000   0.000  1.00 20.00              ',
  'TER       7      ILE A  53                                                      ',
  'HETATM    8 CA    CA B 101       5.000   6.000   7.000  1.00 30.00              ',
  'HETATM    9 MG    MG B 102       8.000   9.000  10.000  0.50 31.00          Mg  ',
  'HETATM   10  O   HOH W  -3       1.000   2.000   3.000',
];
const MODEL_2 = ['ATOM      1  N   ALA A   1      99.000  99.000  99.000  1.00  7.25           N  '];
const TEXT = [
  'HEADER    TEST',
  'CRYST1    1.000    1.000    1.000  90.00  90.00  90.00 P 1           1',
  'MODEL        1',
  ...MODEL_1,
  'ENDMDL',
  'MODEL        2',
  ...MODEL_2,
  'ENDMDL',
  'END',
  '',
].join('\n');

describe('elementFromPdbAtomName', () => {
  it.each([
    [' CA ', 'C'], // C-alpha: column 13 blank
    ['CA  ', 'CA'], // calcium: two letters from column 13
    [' N  ', 'N'],
    [' OXT', 'O'],
    ['1HB ', 'H'], // digit in column 13
    ['2HD1', 'H'],
    ['HG12', 'H'], // 4-character hydrogen name starting in column 13
    ["HO2'", 'H'],
    [' HG1', 'H'],
    ['HG  ', 'HG'], // mercury
    ['FE1 ', 'FE'],
    ['ZN  ', 'ZN'],
    ['CB  ', 'C'], // misaligned carbon: "CB" is no element
    ["C1' ", 'C'],
    ['    ', ''],
  ])('reads %j as %j', (name, element) => {
    expect(elementFromPdbAtomName(name)).toBe(element);
  });
});

describe('parsePdb', () => {
  const m = parsePdb(TEXT, 'inline.pdb');

  it('keeps only the atoms of model 1 (stops at the first ENDMDL)', () => {
    expect(m.count).toBe(9);
    expect(m.x[0]).toBeCloseTo(11.104, 5);
    expect(Array.from(m.x)).not.toContain(99);
  });

  it('reads coordinates, occupancy and B from their columns', () => {
    expect([m.x[3], m.y[3], m.z[3]]).toEqual([-1.5, 2.25, 100.125]);
    expect(m.occupancy[1]).toBeCloseTo(0.6, 6);
    expect(m.bFactor[1]).toBe(12.5);
    expect(m.bFactor[0]).toBe(7.25);
  });

  it('defaults a missing occupancy to 1 and a missing B to 0 (54-character line)', () => {
    expect(m.occupancy[8]).toBe(1);
    expect(m.bFactor[8]).toBe(0);
    expect(m.element[8]).toBe('O');
    expect(m.resSeq[8]).toBe(-3);
    expect(m.chainId[8]).toBe('W');
  });

  it('takes the element from columns 77-78, upper-cased, else from the name', () => {
    expect(m.element).toEqual(['N', 'C', 'C', 'C', 'H', 'H', 'CA', 'MG', 'O']);
  });

  it('reads names, alternate locations, residues, chains and insertion codes', () => {
    expect(m.atomName).toEqual(['N', 'CA', 'CA', 'CB', '1HB', 'HG12', 'CA', 'MG', 'O']);
    expect(m.altLoc).toEqual(['', 'A', 'B', '', '', '', '', '', '']);
    expect(m.resName).toEqual(['ALA', 'ALA', 'ALA', 'SER', 'SER', 'ILE', 'CA', 'MG', 'HOH']);
    expect(m.chainId).toEqual(['A', 'A', 'A', 'A', 'A', 'A', 'B', 'B', 'W']);
    expect(Array.from(m.resSeq)).toEqual([1, 1, 1, 52, 52, 53, 101, 102, -3]);
    expect(m.insCode).toEqual(['', '', '', 'A', 'A', '', '', '', '']);
  });

  it('marks HETATM records as hetero', () => {
    expect(Array.from(m.isHetero)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('returns typed arrays trimmed to the atom count', () => {
    for (const a of [m.x, m.y, m.z, m.bFactor, m.occupancy, m.resSeq, m.isHetero]) expect(a.length).toBe(9);
    for (const a of [m.element, m.atomName, m.altLoc, m.resName, m.chainId, m.insCode]) expect(a.length).toBe(9);
  });

  it('reads CRLF text the same as LF text', () => {
    expect(parsePdb(TEXT.replace(/\n/g, '\r\n'), 'crlf.pdb')).toEqual(m);
  });

  it('reads a file without MODEL records to the end (ENDMDL alone does not stop it)', () => {
    const flat = parsePdb([...MODEL_1, 'ENDMDL', ...MODEL_2].join('\n'));
    expect(flat.count).toBe(10);
    expect(flat.x[9]).toBe(99);
  });

  it('reads hybrid-36 residue numbers', () => {
    const line = 'ATOM      1  CA  ALA AA000      11.104   6.134  -6.504  1.00  7.25           C  ';
    expect(parsePdb(line).resSeq[0]).toBe(10000);
  });

  it('names the source, line and problem for a short ATOM line', () => {
    const text = `${MODEL_1[0]}\nATOM      2  CA  ALA A   1      11.639   6.071\n`;
    expect(() => parsePdb(text, 'broken.pdb')).toThrow(ModelFormatError);
    expect(() => parsePdb(text, 'broken.pdb')).toThrow(
      'broken.pdb line 2: ATOM record is 46 characters long; coordinates need at least 54 (x, y, z in columns 31-54)',
    );
  });

  it('names the source, line and problem for an unparsable coordinate', () => {
    const text = 'REMARK\nHETATM    2  CA  ALA A   1      11.639   6.0x1  -5.147  0.60 12.50           C  ';
    let err: unknown;
    try {
      parsePdb(text, 'bad.pdb');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as ModelFormatError).message).toBe('bad.pdb line 2: y coordinate (columns 39-46) is not a number: "   6.0x1"');
    expect((err as ModelFormatError).line).toBe(2);
    expect((err as ModelFormatError).source).toBe('bad.pdb');
  });

  it('names the problem for a blank coordinate field', () => {
    const text = 'ATOM      2  CA  ALA A   1      11.639           -5.147';
    expect(() => parsePdb(text, 'blank.pdb')).toThrow('blank.pdb line 1: y coordinate (columns 39-46) is blank');
  });

  it('refuses text without any atom record', () => {
    expect(() => parsePdb('HEADER    NOTHING\nEND\n', 'empty.pdb')).toThrow(
      'empty.pdb: no ATOM or HETATM records found; is this a PDB coordinate file?',
    );
  });

  it('is detected as PDB by readModel', () => {
    expect(detectModelFormat(TEXT)).toBe('pdb');
  });
});

describe('readModel', () => {
  it('reads plain and gzip files alike, sniffing gzip from the bytes (not the name)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emvr-model-'));
    try {
      const plain = path.join(dir, 'plain.pdb');
      const zipped = path.join(dir, 'zipped.pdb'); // no .gz suffix on purpose
      writeFileSync(plain, TEXT);
      writeFileSync(zipped, gzipSync(TEXT));
      const a = await readModel(plain);
      const b = await readModel(zipped);
      expect(a.count).toBe(9);
      expect(b).toEqual(a);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file when gzip data is corrupt', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emvr-model-'));
    try {
      const bad = path.join(dir, 'bad.pdb.gz');
      writeFileSync(bad, gzipSync(TEXT).subarray(0, 40));
      await expect(readModel(bad)).rejects.toThrow(`${bad}: gzip data could not be decompressed (`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file in a parse error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emvr-model-'));
    try {
      const bad = path.join(dir, 'short.pdb');
      writeFileSync(bad, 'ATOM      2  CA  ALA A   1      11.639   6.071\n');
      await expect(readModel(bad)).rejects.toThrow(`${bad} line 1: ATOM record is 46 characters long`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Independent count: ATOM/HETATM lines before the first ENDMDL (all of them when there is no MODEL). */
function countAtomLines(text: string): number {
  let n = 0;
  let sawModel = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^MODEL/.test(line)) sawModel = true;
    if (sawModel && /^ENDMDL/.test(line)) break;
    if (/^(ATOM|HETATM)/.test(line)) n++;
  }
  return n;
}

function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function expectAtom(m: AtomModel, i: number, want: { name: string; res: string; chain: string; seq: number; xyz: [number, number, number]; occ: number; b: number; el: string; het: 0 | 1 }): void {
  expect({ name: m.atomName[i], res: m.resName[i], chain: m.chainId[i], seq: m.resSeq[i], el: m.element[i], het: m.isHetero[i] }).toEqual({
    name: want.name,
    res: want.res,
    chain: want.chain,
    seq: want.seq,
    el: want.el,
    het: want.het,
  });
  expect(m.x[i]).toBeCloseTo(want.xyz[0], 3);
  expect(m.y[i]).toBeCloseTo(want.xyz[1], 3);
  expect(m.z[i]).toBeCloseTo(want.xyz[2], 3);
  expect(m.occupancy[i]).toBeCloseTo(want.occ, 5);
  expect(m.bFactor[i]).toBeCloseTo(want.b, 4);
}

describe.skipIf(!haveFixtures('model fixtures'))('parsePdb on real EMDB fixture models', () => {
  it('reads 3ajo (apoferritin, EMD-20026 crop): 1413 ATOM + 229 HOH + 12 MG, one chain', async () => {
    const file = fixture('EMD-20026-crop', 'model', '3ajo_fitted_refined.pdb');
    const m = await readModel(file);
    expect(m.count).toBe(1654);
    expect(m.count).toBe(countAtomLines(readFileSync(file, 'utf8')));
    expect(tally(m.chainId)).toEqual({ A: 1654 });
    expect(m.isHetero.reduce((a, b) => a + b, 0)).toBe(241);
    expect(m.resName.filter((r) => r === 'HOH').length).toBe(229);
    expect(m.resName.filter((r) => r === 'MG').length).toBe(12);
    // The file writes the element as "Mg": upper-cased.
    expect(tally(m.element)).toEqual({ C: 886, N: 248, O: 501, S: 7, MG: 12 });
    // Read by eye from the file.
    expectAtom(m, 0, { name: 'N', res: 'THR', chain: 'A', seq: 5, xyz: [132.723, 90.608, 165.908], occ: 1, b: 32.3, el: 'N', het: 0 });
    expectAtom(m, 1413, { name: 'MG', res: 'MG', chain: 'A', seq: 183, xyz: [145.935, 97.5, 138.831], occ: 1, b: 13.02, el: 'MG', het: 1 });
    expectAtom(m, 1653, { name: 'O', res: 'HOH', chain: 'A', seq: 423, xyz: [144.331, 72.426, 148.223], occ: 1, b: 22.97, el: 'O', het: 1 });
  });

  it('reads 3J6B chain 9 (EMD-2566 crop): 2865 atoms with hydrogens and segment ids', async () => {
    const file = fixture('EMD-2566-crop', 'model', '3J6B_9.pdb');
    const m = await readModel(file);
    expect(m.count).toBe(2865);
    expect(m.count).toBe(countAtomLines(readFileSync(file, 'utf8')));
    expect(tally(m.chainId)).toEqual({ 9: 2865 });
    expect(tally(m.element)).toEqual({ C: 919, H: 1437, N: 250, O: 254, S: 5 });
    expect(Array.from(m.occupancy).filter((o) => o === 0).length).toBe(61);
    expectAtom(m, 19, { name: 'HG12', res: 'ILE', chain: '9', seq: 30, xyz: [371.26, 213.66, 165.578], occ: 1, b: 127.2, el: 'H', het: 0 });
    expectAtom(m, 2864, { name: 'HB3', res: 'LYS', chain: '9', seq: 241, xyz: [393.308, 183.518, 207.751], occ: 0, b: 40, el: 'H', het: 0 });
  });

  it('reads 1oel (GroEL, EMD-1997): 27078 atoms in 7 chains', async () => {
    const file = fixture('EMD-1997', 'model', '1oel.pdb');
    const m = await readModel(file);
    expect(m.count).toBe(27078);
    expect(m.count).toBe(countAtomLines(readFileSync(file, 'utf8')));
    expect(tally(m.chainId)).toEqual({ A: 3865, B: 3870, C: 3864, D: 3865, E: 3883, F: 3865, G: 3866 });
    expect(m.resName.filter((r) => r === 'HOH').length).toBe(149);
    expectAtom(m, 2999, { name: 'CA', res: 'GLU', chain: 'A', seq: 409, xyz: [17.322, 11.667, -30.477], occ: 1, b: 17.91, el: 'C', het: 0 });
    expectAtom(m, 27077, { name: 'O', res: 'HOH', chain: 'G', seq: 567, xyz: [-7.977, -18.903, -2.375], occ: 1, b: 11.15, el: 'O', het: 1 });
  });

  it('reads 3j5p (TRPV1, EMD-5778): 18636 atoms, 4 chains, poly-UNK stretches', async () => {
    const file = fixture('EMD-5778-header-only', 'model', 'pdb3j5p.pdb');
    const m = await readModel(file);
    expect(m.count).toBe(18636);
    expect(m.count).toBe(countAtomLines(readFileSync(file, 'utf8')));
    expect(tally(m.chainId)).toEqual({ A: 4659, B: 4659, C: 4659, D: 4659 });
    expect(m.resName.filter((r) => r === 'UNK').length).toBe(212);
    expectAtom(m, 0, { name: 'N', res: 'LEU', chain: 'B', seq: 111, xyz: [-22.437, 63.276, 48.231], occ: 1, b: 38.59, el: 'N', het: 0 });
    expectAtom(m, 18635, { name: 'CB', res: 'UNK', chain: 'D', seq: 762, xyz: [-14.109, 24.268, 30.46], occ: 1, b: 30, el: 'C', het: 0 });
  });

  it('reads the EMRinger test model: 218 atoms of chain F, lines without trailing columns', async () => {
    const file = fixture('_edge-cases', 'emringerweb-test-map', 'test_model.pdb');
    const m = await readModel(file);
    expect(m.count).toBe(218);
    expect(m.count).toBe(countAtomLines(readFileSync(file, 'utf8')));
    expect(tally(m.chainId)).toEqual({ F: 218 });
    expect(Array.from(m.bFactor).every((b) => b === 0)).toBe(true);
    expectAtom(m, 0, { name: 'N', res: 'ARG', chain: 'F', seq: 10, xyz: [21.717, 35.383, 7.092], occ: 1, b: 0, el: 'N', het: 0 });
    expectAtom(m, 217, { name: 'CB', res: 'ALA', chain: 'F', seq: 37, xyz: [19.267, 5.59, 19.342], occ: 1, b: 0, el: 'C', het: 0 });
  });
});
