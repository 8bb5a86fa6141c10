/**
 * Reader for fixed-column PDB coordinate files (ATOM/HETATM records, PDB format v3.3).
 * Returns the atoms of the first MODEL as an `AtomModel` (structure of arrays). Everything else
 * (HEADER, REMARK, CRYST1, ANISOU, TER, CONECT...) is skipped.
 *
 * Columns (1-based, inclusive) used: serial 7-11 (not kept), name 13-16, altLoc 17, resName 18-20,
 * chainID 22, resSeq 23-26, iCode 27, x 31-38, y 39-46, z 47-54, occupancy 55-60,
 * tempFactor 61-66, element 77-78.
 */
import type { AtomModel } from './model.ts';
import { ModelFormatError } from './model-errors.ts';

/** Two-letter element symbols of the periodic table (upper case), for element inference from names. */
const TWO_LETTER_ELEMENTS = new Set(
  ('HE LI BE NE NA MG AL SI CL AR CA SC TI CR MN FE CO NI CU ZN GA GE AS SE BR KR RB SR ZR NB MO TC RU RH PD AG CD ' +
    'IN SN SB TE XE CS BA LA CE PR ND PM SM EU GD TB DY HO ER TM YB LU HF TA RE OS IR PT AU HG TL PB BI PO AT RN ' +
    'FR RA AC TH PA NP PU AM CM BK CF ES FM MD NO LR RF DB SG BH HS MT DS RG CN NH FL MC LV TS OG').split(' '),
);

function isLetter(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/**
 * Element symbol (upper case) implied by a PDB atom-name field, columns 13-16 as written (4
 * characters, padding kept), for records whose element columns 77-78 are blank.
 *
 * PDB right-justifies the element symbol in columns 13-14, so:
 * - column 13 blank or a digit → one-letter element in column 14 (" CA " carbon, "1HB " hydrogen);
 * - column 13 a letter → two-letter element in columns 13-14 ("CA  " calcium, "FE1 " iron), except
 *   4-character names starting with H, which are hydrogens ("HG12", "HD21", "HO2'"; mercury is "HG  "),
 *   and letter pairs that are no element ("CB  " misaligned) → the letter in column 13.
 * Returns "" when the name holds no letter at all.
 */
export function elementFromPdbAtomName(name4: string): string {
  const c13 = name4.charAt(0);
  const c14 = name4.charAt(1);
  if (c13 === ' ' || isDigit(c13)) {
    if (isLetter(c14)) return c14.toUpperCase();
  } else if (isLetter(c13)) {
    if (!isLetter(c14)) return c13.toUpperCase();
    const h = c13 === 'H' || c13 === 'h';
    if (h && name4.length >= 4 && name4.charAt(2) !== ' ' && name4.charAt(3) !== ' ') return 'H';
    const two = (c13 + c14).toUpperCase();
    return TWO_LETTER_ELEMENTS.has(two) ? two : c13.toUpperCase();
  }
  // Odd layout (e.g. a name starting with a quote): the first letter anywhere.
  for (const c of name4) if (isLetter(c)) return c.toUpperCase();
  return '';
}

/** Hybrid-36 and decimal residue numbers (4 columns): "  42" → 42, "A000" → 10000, "a000" → 1223056. */
function parseResSeq(field: string): number {
  const s = field.trim();
  if (/^-?\d+$/.test(s)) return Number.parseInt(s, 10);
  if (s.length === 4 && /^[A-Z][0-9A-Z]{3}$/.test(s)) return Number.parseInt(s, 36) - 10 * 36 ** 3 + 10_000;
  if (s.length === 4 && /^[a-z][0-9a-z]{3}$/.test(s)) return Number.parseInt(s, 36) - 10 * 36 ** 3 + 10_000 + 26 * 36 ** 3;
  return Number.NaN;
}

function isAtomRecord(line: string): boolean {
  // "ATOM " rather than "ATOM  ": some writers let serials >= 100000 spill into column 6.
  return line.startsWith('ATOM ') || line.startsWith('HETATM') || line === 'ATOM' || line === 'ATOM\r';
}

/**
 * Parses PDB text into an `AtomModel` holding the ATOM/HETATM records of the first model only.
 *
 * Reading stops at the first ENDMDL (or a second MODEL) once a MODEL record has been seen, and at
 * an END record. Element comes from columns 77-78 (trimmed, upper-cased) or, when blank, from the
 * atom name (`elementFromPdbAtomName`). Blank occupancy reads as 1, blank B as 0. Coordinates in Å,
 * B in Å². Residue numbers accept hybrid-36 ("A000" = 10000). CRLF line ends are accepted.
 *
 * Throws `ModelFormatError` ("<source> line <n>: <problem>") for an ATOM/HETATM line shorter than 54
 * characters, a blank or unparsable coordinate, occupancy, B or residue number, and when there are
 * no ATOM/HETATM records at all.
 */
export function parsePdb(text: string, source = '<input>'): AtomModel {
  const lines = text.split('\n');
  // Pass 1: an upper bound on the atom count, so the typed arrays are allocated once.
  let capacity = 0;
  for (let i = 0, n = lines.length; i < n; i++) if (isAtomRecord(lines[i])) capacity++;

  const x = new Float32Array(capacity);
  const y = new Float32Array(capacity);
  const z = new Float32Array(capacity);
  const bFactor = new Float32Array(capacity);
  const occupancy = new Float32Array(capacity);
  const resSeq = new Int32Array(capacity);
  const isHetero = new Uint8Array(capacity);
  const element: string[] = [];
  const atomName: string[] = [];
  const altLoc: string[] = [];
  const resName: string[] = [];
  const chainId: string[] = [];
  const insCode: string[] = [];

  const fail = (lineIndex: number, problem: string): never => {
    throw new ModelFormatError(source, problem, lineIndex + 1);
  };
  const number = (line: string, lineIndex: number, from: number, to: number, what: string): number => {
    const raw = line.slice(from, to);
    const s = raw.trim();
    const v = s === '' ? Number.NaN : Number(s);
    if (!Number.isFinite(v)) fail(lineIndex, `${what} (columns ${from + 1}-${to}) is ${s === '' ? 'blank' : `not a number: "${raw}"`}`);
    return v;
  };

  let count = 0;
  let sawModel = false;
  for (let i = 0, n = lines.length; i < n; i++) {
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (!isAtomRecord(line)) {
      if (line.startsWith('MODEL')) {
        if (sawModel) break; // a second MODEL without ENDMDL: model 1 is over all the same
        sawModel = true;
      } else if (line.startsWith('ENDMDL')) {
        if (sawModel) break;
      } else if (line.trimEnd() === 'END') {
        break;
      }
      continue;
    }
    const record = line.startsWith('HETATM') ? 'HETATM' : 'ATOM';
    if (line.length < 54) {
      fail(i, `${record} record is ${line.length} characters long; coordinates need at least 54 (x, y, z in columns 31-54)`);
    }
    x[count] = number(line, i, 30, 38, 'x coordinate');
    y[count] = number(line, i, 38, 46, 'y coordinate');
    z[count] = number(line, i, 46, 54, 'z coordinate');
    occupancy[count] = line.length > 54 && line.slice(54, 60).trim() !== '' ? number(line, i, 54, 60, 'occupancy') : 1;
    bFactor[count] = line.length > 60 && line.slice(60, 66).trim() !== '' ? number(line, i, 60, 66, 'temperature factor') : 0;
    const seq = parseResSeq(line.slice(22, 26));
    if (Number.isNaN(seq)) {
      const raw = line.slice(22, 26);
      fail(i, `residue number (columns 23-26) is ${raw.trim() === '' ? 'blank' : `not a number: "${raw}"`}`);
    }
    resSeq[count] = seq;
    isHetero[count] = record === 'HETATM' ? 1 : 0;
    const name4 = line.slice(12, 16);
    const el = line.length > 76 ? line.slice(76, 78).trim().toUpperCase() : '';
    element.push(el !== '' ? el : elementFromPdbAtomName(name4));
    atomName.push(name4.trim());
    altLoc.push(line.charAt(16).trim());
    resName.push(line.slice(17, 20).trim());
    chainId.push(line.charAt(21).trim());
    insCode.push(line.charAt(26).trim());
    count++;
  }
  if (count === 0) throw new ModelFormatError(source, 'no ATOM or HETATM records found; is this a PDB coordinate file?');

  const fit = <T extends Float32Array | Int32Array | Uint8Array>(a: T): T => (count === capacity ? a : (a.slice(0, count) as T));
  return {
    count,
    x: fit(x),
    y: fit(y),
    z: fit(z),
    bFactor: fit(bFactor),
    occupancy: fit(occupancy),
    element,
    atomName,
    altLoc,
    resName,
    chainId,
    resSeq: fit(resSeq),
    insCode,
    isHetero: fit(isHetero),
  };
}
