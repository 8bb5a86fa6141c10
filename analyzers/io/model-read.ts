/**
 * Reads an atomic model file (PDB or PDBx/mmCIF, plain or gzip) into an `AtomModel`.
 * Compression and format are sniffed from the content, never from the file name (as mrcfile does
 * for maps): `.ent`, `.pdb`, `.cif`, `.txt` or no extension all work.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { AtomModel } from './model.ts';
import { parseMmcif } from './model-cif.ts';
import { ModelFormatError } from './model-errors.ts';
import { parsePdb } from './model-pdb.ts';

export { ModelFormatError } from './model-errors.ts';

const gunzipAsync = promisify(gunzip);

/** The two coordinate formats `readModel` understands. */
export type ModelFormat = 'pdb' | 'mmcif';

/**
 * Decides the format from the text: a line starting with `data_` (a CIF data block), or a line
 * starting with `loop_` in a text that mentions `_atom_site.`, means mmCIF; anything else is PDB.
 */
export function detectModelFormat(text: string): ModelFormat {
  if (/^[ \t]*data_/im.test(text)) return 'mmcif';
  if (/^[ \t]*loop_/im.test(text) && text.includes('_atom_site.')) return 'mmcif';
  return 'pdb';
}

/** Parses model text in either format (`detectModelFormat`); `source` names it in error messages. */
export function parseModel(text: string, source = '<input>'): AtomModel {
  return detectModelFormat(text) === 'mmcif' ? parseMmcif(text, source) : parsePdb(text, source);
}

/**
 * Reads a PDB or mmCIF file, gzip-compressed or not (gzip recognised by the magic bytes 1f 8b),
 * and returns the first model's atoms. Throws `ModelFormatError` naming `path` for corrupt gzip
 * data, bzip2 input (not supported: decompress it first) and any parse problem; file-system errors
 * (missing file, permissions) propagate unchanged, with the path in Node's message.
 */
export async function readModel(path: string): Promise<AtomModel> {
  let bytes: Uint8Array = await readFile(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (e) {
      throw new ModelFormatError(path, `gzip data could not be decompressed (${(e as Error).message})`);
    }
  } else if (bytes.length >= 3 && bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68) {
    throw new ModelFormatError(path, 'bzip2-compressed models are not supported; decompress the file first');
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  return parseModel(text, path);
}
