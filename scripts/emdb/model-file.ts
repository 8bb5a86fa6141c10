/**
 * Verification of a fitted model downloaded from the PDB archive (`<id>.cif.gz`): the gzip stream
 * is complete and intact, the text is mmCIF, and it parses into at least one atom with the
 * analyzer's own reader. A model that passes here is one the analysis can read, so the pipeline
 * never hands the analyzer a model it would refuse (which would refuse the whole entry).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { detectModelFormat, ModelFormatError, parseModel } from '../../analyzers/io/model-read.ts';
import type { Verified, VerifiedFileInfo } from './download.ts';
import { HttpError } from './http.ts';

const gunzipAsync = promisify(gunzip);

/** Summary of a verified model file (kept in the sidecar). */
export interface ModelFileInfo extends VerifiedFileInfo {
  /** Atom sites of the first model, as the analyzer's reader counts them. */
  readonly atoms: number;
}

/** A model download that completed but is not a usable mmCIF model (the source itself is bad: not retried). */
export class ModelVerifyError extends Error {
  override name = 'ModelVerifyError';
}

/** Checks a complete `.cif.gz` download (see the file comment); `what` names entry, PDB ID and file in every message. */
export async function verifyGzipModel(file: string, what: string): Promise<Verified<ModelFileInfo>> {
  const bytes = await readFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // Without the magic it was never gzip (an error page served as 200): retrying cannot help.
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new ModelVerifyError(`${what}: not gzip-compressed (${bytes.length} bytes starting ${JSON.stringify(bytes.subarray(0, 16).toString('latin1'))})`);
  let plain: Buffer;
  try {
    plain = await gunzipAsync(bytes);
  } catch (err) {
    throw new HttpError(`${what}: downloaded file is not valid gzip (${(err as Error).message})`, { retryable: true });
  }
  const text = new TextDecoder('utf-8').decode(plain);
  if (detectModelFormat(text) !== 'mmcif') throw new ModelVerifyError(`${what}: not an mmCIF file (no data_ block, no _atom_site loop)`);
  let atoms: number;
  try {
    atoms = parseModel(text, what).count;
  } catch (err) {
    if (err instanceof ModelFormatError) throw new ModelVerifyError(`not a readable mmCIF model: ${err.message}`);
    throw err;
  }
  if (atoms < 1) throw new ModelVerifyError(`${what}: the mmCIF model has no atoms`);
  return { sha256, bytes: bytes.length, atoms };
}
