/**
 * Reader for PDBx/mmCIF coordinate files: a CIF 1.1 tokenizer and the `_atom_site` category.
 * Returns the atoms of the first model as an `AtomModel` (structure of arrays). Every other
 * category, loop, data block or save frame is tokenized and skipped.
 *
 * Tokenizer rules (CIF 1.1, as written by the PDB): whitespace separates tokens; `#` at a token start
 * begins a comment to the end of the line; `'...'` and `"..."` quote a value, and a quote only closes
 * when followed by whitespace or the end of the text (so `'C1''` is not closed, `"O5'"` is `O5'`);
 * a `;` in column 1 opens a text field that runs to the next line starting with `;`. Unquoted `?`
 * (unknown) and `.` (inapplicable) are missing values; quoted `'?'` is the string "?".
 */
import type { AtomModel } from './model.ts';
import { ModelFormatError } from './model-errors.ts';

const CH_NL = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_TAB = 9;
const CH_HASH = 35;
const CH_SEMI = 59;
const CH_SQUOTE = 39;
const CH_DQUOTE = 34;

function isSpace(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB || c === CH_NL || c === CH_CR;
}

/**
 * Pull tokenizer over a whole CIF text. After `next()` returns true, `value` holds the token text
 * (quotes and text-field semicolons removed), `quoted` tells whether it was quoted or a text field
 * (so it can be neither a tag, a keyword nor a missing-value marker) and `line` is its 1-based line.
 */
class CifTokenizer {
  readonly text: string;
  readonly source: string;
  value = '';
  quoted = false;
  line = 1;
  private pos = 0;
  private curLine = 1;
  private pushedBack = false;

  constructor(text: string, source: string) {
    this.text = text;
    this.source = source;
  }

  /** Makes the next `next()` return the current token again. */
  unread(): void {
    this.pushedBack = true;
  }

  next(): boolean {
    if (this.pushedBack) {
      this.pushedBack = false;
      return true;
    }
    const t = this.text;
    const n = t.length;
    let p = this.pos;
    // Skip whitespace and comments.
    for (;;) {
      if (p >= n) {
        this.pos = p;
        return false;
      }
      const c = t.charCodeAt(p);
      if (c === CH_NL) {
        this.curLine++;
        p++;
      } else if (c === CH_SPACE || c === CH_TAB || c === CH_CR) {
        p++;
      } else if (c === CH_HASH) {
        const e = t.indexOf('\n', p);
        p = e < 0 ? n : e;
      } else break;
    }
    this.line = this.curLine;
    const c = t.charCodeAt(p);
    if (c === CH_SEMI && (p === 0 || t.charCodeAt(p - 1) === CH_NL)) {
      // Text field: up to the next line that starts with ';'.
      const end = t.indexOf('\n;', p);
      if (end < 0) throw new ModelFormatError(this.source, 'text field opened by ";" is never closed by a line starting with ";"', this.line);
      let body = t.slice(p + 1, end);
      for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === CH_NL) this.curLine++;
      this.curLine++; // the newline before the closing ';'
      if (body.includes('\r')) body = body.replace(/\r/g, '');
      this.value = body;
      this.quoted = true;
      this.pos = end + 2;
      return true;
    }
    if (c === CH_SQUOTE || c === CH_DQUOTE) {
      const q = c === CH_SQUOTE ? "'" : '"';
      let j = p + 1;
      for (;;) {
        const k = t.indexOf(q, j);
        const nl = t.indexOf('\n', j);
        if (k < 0 || (nl >= 0 && nl < k)) {
          throw new ModelFormatError(this.source, `quoted value starting ${q}${t.slice(p + 1, Math.min(p + 21, nl < 0 ? n : nl)).trimEnd()} is not closed on its line`, this.line);
        }
        if (k + 1 >= n || isSpace(t.charCodeAt(k + 1))) {
          this.value = t.slice(p + 1, k);
          this.quoted = true;
          this.pos = k + 1;
          return true;
        }
        j = k + 1;
      }
    }
    let e = p + 1;
    while (e < n && !isSpace(t.charCodeAt(e))) e++;
    this.value = t.slice(p, e);
    this.quoted = false;
    this.pos = e;
    return true;
  }

  /** True when the current token is an unquoted tag (`_category.item`). */
  isTag(): boolean {
    return !this.quoted && this.value.charCodeAt(0) === 95; // '_'
  }

  /** True when the current token is an unquoted reserved word (loop_, data_x, save_x, global_, stop_). */
  isKeyword(): boolean {
    if (this.quoted) return false;
    const v = this.value;
    const c = v.charCodeAt(0) | 0x20; // lower case for letters
    if (c !== 0x6c && c !== 0x64 && c !== 0x73 && c !== 0x67) return false; // l d s g
    const lower = v.toLowerCase();
    return lower === 'loop_' || lower.startsWith('data_') || lower.startsWith('save_') || lower === 'global_' || lower === 'stop_';
  }
}

/** Numeric value of a CIF number, accepting a trailing standard uncertainty ("12.345(3)"). */
function cifNumber(s: string): number {
  const paren = s.indexOf('(');
  const t = paren > 0 && s.endsWith(')') ? s.slice(0, paren) : s;
  return t === '' ? Number.NaN : Number(t);
}

/** Element from a CIF atom name when type_symbol is missing: ions named as their residue ("MG" in MG), else the first letter. */
function elementFromCifAtomName(name: string, resName: string): string {
  const upper = name.toUpperCase();
  if (upper.length <= 2 && upper === resName.toUpperCase() && /^[A-Z]+$/.test(upper)) return upper;
  const m = /[A-Za-z]/.exec(upper);
  return m === null ? '' : m[0];
}

/** Growable typed column (geometric growth), trimmed to length at the end. */
class Grow<T extends Float32Array | Int32Array | Uint8Array> {
  data: T;
  private readonly make: (n: number) => T;
  constructor(make: (n: number) => T) {
    this.make = make;
    this.data = make(1024);
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = v;
  }
  done(count: number): T {
    return (count === this.data.length ? this.data : this.data.slice(0, count)) as T;
  }
}

/** Column indices of the `_atom_site` items we read; -1 when absent. */
interface AtomSiteColumns {
  group: number;
  typeSymbol: number;
  authAtomId: number;
  labelAtomId: number;
  altId: number;
  authCompId: number;
  labelCompId: number;
  authAsymId: number;
  labelAsymId: number;
  authSeqId: number;
  labelSeqId: number;
  insCode: number;
  x: number;
  y: number;
  z: number;
  occupancy: number;
  bIso: number;
  modelNum: number;
}

function atomSiteColumns(tags: readonly string[]): AtomSiteColumns {
  const items = tags.map((t) => t.slice('_atom_site.'.length).toLowerCase());
  const col = (name: string): number => items.indexOf(name.toLowerCase());
  return {
    group: col('group_PDB'),
    typeSymbol: col('type_symbol'),
    authAtomId: col('auth_atom_id'),
    labelAtomId: col('label_atom_id'),
    altId: col('label_alt_id'),
    authCompId: col('auth_comp_id'),
    labelCompId: col('label_comp_id'),
    authAsymId: col('auth_asym_id'),
    labelAsymId: col('label_asym_id'),
    authSeqId: col('auth_seq_id'),
    labelSeqId: col('label_seq_id'),
    insCode: col('pdbx_PDB_ins_code'),
    x: col('Cartn_x'),
    y: col('Cartn_y'),
    z: col('Cartn_z'),
    occupancy: col('occupancy'),
    bIso: col('B_iso_or_equiv'),
    modelNum: col('pdbx_PDB_model_num'),
  };
}

/** Collects `_atom_site` rows (values with missing ones as null) into growing columns. */
class AtomSiteSink {
  private readonly source: string;
  private readonly c: AtomSiteColumns;
  count = 0;
  private firstModel: string | null = null;
  readonly x = new Grow((n) => new Float32Array(n));
  readonly y = new Grow((n) => new Float32Array(n));
  readonly z = new Grow((n) => new Float32Array(n));
  readonly bFactor = new Grow((n) => new Float32Array(n));
  readonly occupancy = new Grow((n) => new Float32Array(n));
  readonly resSeq = new Grow((n) => new Int32Array(n));
  readonly isHetero = new Grow((n) => new Uint8Array(n));
  readonly element: string[] = [];
  readonly atomName: string[] = [];
  readonly altLoc: string[] = [];
  readonly resName: string[] = [];
  readonly chainId: string[] = [];
  readonly insCode: string[] = [];

  constructor(source: string, tags: readonly string[], line: number) {
    this.source = source;
    this.c = atomSiteColumns(tags);
    for (const [key, name] of [['x', 'Cartn_x'], ['y', 'Cartn_y'], ['z', 'Cartn_z']] as const) {
      if (this.c[key] < 0) throw new ModelFormatError(source, `_atom_site has no ${name} column`, line);
    }
  }

  add(row: readonly (string | null)[], line: number): void {
    const c = this.c;
    const get = (i: number): string | null => (i < 0 ? null : row[i]);
    if (c.modelNum >= 0) {
      const m = row[c.modelNum];
      if (m !== null) {
        if (this.firstModel === null) this.firstModel = m;
        else if (m !== this.firstModel) return;
      }
    }
    const num = (i: number, name: string, missing: number | null): number => {
      const s = get(i);
      if (s === null) {
        if (missing === null) throw new ModelFormatError(this.source, `_atom_site.${name} is missing (? or .)`, line);
        return missing;
      }
      const v = cifNumber(s);
      if (!Number.isFinite(v)) throw new ModelFormatError(this.source, `_atom_site.${name} is not a number: "${s}"`, line);
      return v;
    };
    const k = this.count;
    this.x.set(k, num(c.x, 'Cartn_x', null));
    this.y.set(k, num(c.y, 'Cartn_y', null));
    this.z.set(k, num(c.z, 'Cartn_z', null));
    this.occupancy.set(k, num(c.occupancy, 'occupancy', 1));
    this.bFactor.set(k, num(c.bIso, 'B_iso_or_equiv', 0));
    const seqCol = get(c.authSeqId) !== null ? c.authSeqId : c.labelSeqId;
    const seq = num(seqCol, seqCol === c.authSeqId ? 'auth_seq_id' : 'label_seq_id', 0);
    if (!Number.isInteger(seq)) throw new ModelFormatError(this.source, `_atom_site residue number is not an integer: "${get(seqCol)}"`, line);
    this.resSeq.set(k, seq);
    this.isHetero.set(k, get(c.group) === 'HETATM' ? 1 : 0);
    const name = get(c.authAtomId) ?? get(c.labelAtomId) ?? '';
    const comp = get(c.authCompId) ?? get(c.labelCompId) ?? '';
    const type = get(c.typeSymbol);
    this.element.push(type !== null ? type.toUpperCase() : elementFromCifAtomName(name, comp));
    this.atomName.push(name);
    this.altLoc.push(get(c.altId) ?? '');
    this.resName.push(comp);
    this.chainId.push(get(c.authAsymId) ?? get(c.labelAsymId) ?? '');
    this.insCode.push(get(c.insCode) ?? '');
    this.count++;
  }

  model(): AtomModel {
    const n = this.count;
    return {
      count: n,
      x: this.x.done(n),
      y: this.y.done(n),
      z: this.z.done(n),
      bFactor: this.bFactor.done(n),
      occupancy: this.occupancy.done(n),
      element: this.element,
      atomName: this.atomName,
      altLoc: this.altLoc,
      resName: this.resName,
      chainId: this.chainId,
      resSeq: this.resSeq.done(n),
      insCode: this.insCode,
      isHetero: this.isHetero.done(n),
    };
  }
}

function isAtomSiteTag(tag: string): boolean {
  return tag.length > 11 && tag.slice(0, 11).toLowerCase() === '_atom_site.';
}

/**
 * Parses PDBx/mmCIF text into an `AtomModel` holding the `_atom_site` rows of the first model.
 *
 * Columns are found by tag name (case-insensitive). Preferences, per row: auth_atom_id over
 * label_atom_id, auth_comp_id over label_comp_id, auth_asym_id over label_asym_id, auth_seq_id over
 * label_seq_id (a missing value falls back to the other). Only rows whose pdbx_PDB_model_num equals
 * the first one seen are kept. Missing (`?`/`.`) occupancy reads as 1, B as 0, alt id and insertion
 * code as "", residue number as 0; a missing type_symbol is inferred from the atom name. Coordinates
 * in Å, B in Å². The first `_atom_site` category in the text is used (loop or single-row key-value form).
 *
 * Throws `ModelFormatError` naming the source (and line where there is one) when there is no
 * `_atom_site` category, a Cartn_x/y/z column is absent, a coordinate is missing or not a number,
 * the loop's value count is not a multiple of its column count, a quote or text field is not
 * closed, or the loop has no rows.
 */
export function parseMmcif(text: string, source = '<input>'): AtomModel {
  const tok = new CifTokenizer(text, source);
  // Single-row `_atom_site.item value` pairs, used only when no `_atom_site` loop exists.
  const pairTags: string[] = [];
  const pairValues: (string | null)[] = [];
  let pairLine = 0;
  const valueOf = (): string | null => (!tok.quoted && (tok.value === '?' || tok.value === '.') ? null : tok.value);

  while (tok.next()) {
    if (!tok.quoted && tok.value.toLowerCase() === 'loop_') {
      const loopLine = tok.line;
      const tags: string[] = [];
      let have = tok.next();
      while (have && tok.isTag()) {
        tags.push(tok.value);
        have = tok.next();
      }
      if (tags.length === 0) throw new ModelFormatError(source, 'loop_ without any tags', loopLine);
      const sink = isAtomSiteTag(tags[0]) ? new AtomSiteSink(source, tags, loopLine) : null;
      const ncol = tags.length;
      const row: (string | null)[] = new Array<string | null>(ncol).fill(null);
      let nValues = 0;
      let rowLine = 0;
      // Values run until the next tag or reserved word (or the end of the text).
      while (have) {
        if (tok.isTag() || tok.isKeyword()) {
          tok.unread();
          break;
        }
        if (sink !== null) {
          const col = nValues % ncol;
          if (col === 0) rowLine = tok.line;
          row[col] = valueOf();
          if (col === ncol - 1) sink.add(row, rowLine);
        }
        nValues++;
        have = tok.next();
      }
      if (sink !== null) {
        if (nValues % ncol !== 0) {
          const got = nValues % ncol;
          throw new ModelFormatError(source, `the _atom_site loop ends with an incomplete row: ${got} of ${ncol} values (a value is missing or a quote is unbalanced)`, rowLine);
        }
        if (nValues === 0) throw new ModelFormatError(source, 'the _atom_site loop has no rows', loopLine);
        return sink.model();
      }
    } else if (tok.isTag()) {
      const tag = tok.value;
      const tagLine = tok.line;
      if (!tok.next() || tok.isTag() || tok.isKeyword()) throw new ModelFormatError(source, `${tag} has no value`, tagLine);
      if (isAtomSiteTag(tag)) {
        if (pairTags.length === 0) pairLine = tagLine;
        pairTags.push(tag);
        pairValues.push(valueOf());
      }
    }
    // data_, save_, global_, stop_ and stray values: nothing to do.
  }
  if (pairTags.length > 0) {
    const sink = new AtomSiteSink(source, pairTags, pairLine);
    sink.add(pairValues, pairLine);
    return sink.model();
  }
  throw new ModelFormatError(source, 'no _atom_site loop (or _atom_site items) found; is this an mmCIF coordinate file?');
}
