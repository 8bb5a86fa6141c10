/**
 * Opening the ledger of a nightly run, surviving a damaged one: a ledger.sqlite that is not a
 * database or fails SQLite's quick check is set aside (renamed, with its -wal and -shm files, to
 * `ledger.sqlite.corrupt-<time>`), a new one is created, and what content/ still tells is put
 * back: every published report becomes its entry's settled state (analyzer version, metadata
 * hash from the report's entry, map sha256 from its inputs, report sha256), so unchanged entries
 * are reused rather than re-analysed. Run history, failures and the watermark cannot be rebuilt:
 * the next run discovers every released entry (mode full) and checks each against its report.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { sha256Json } from '../emdb/entry-metadata.ts';
import { isEmdbId } from '../emdb/ids.ts';
import { entriesDir } from './content.ts';
import { Ledger, LedgerCorruptError } from './ledger.ts';

/** The facts of a published report.json that the ledger keeps. */
interface PublishedFacts {
  readonly analyzerVersion: string;
  readonly metadataSha256: string | null;
  readonly mapSha256: string | null;
  readonly reportSha256: string;
  readonly releaseDate: string | null;
}

/** Reads what the ledger needs from a report's bytes; null when it is not a report we wrote. */
export function publishedFacts(bytes: Uint8Array): PublishedFacts | null {
  let r: { entry?: Record<string, unknown>; inputs?: { map?: { sha256?: unknown }; metadataGrid?: { voxelSize?: unknown; dims?: unknown } }; provenance?: { analyzer?: { version?: unknown } } };
  try {
    r = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof r;
  } catch {
    return null;
  }
  const version = r.provenance?.analyzer?.version;
  if (typeof version !== 'string') return null;
  const mapSha = r.inputs?.map?.sha256;
  const entry = r.entry;
  return {
    analyzerVersion: version,
    // The report's entry and the metadata's grid hold exactly the metadata fields whose hash decides re-analysis (pipeline.ts reportInputs).
    metadataSha256: entry && typeof entry === 'object' ? sha256Json(withGrid(entry, r.inputs?.metadataGrid) as Parameters<typeof sha256Json>[0]) : null,
    mapSha256: typeof mapSha === 'string' && /^[0-9a-f]{64}$/u.test(mapSha) ? mapSha : null,
    reportSha256: createHash('sha256').update(bytes).digest('hex'),
    releaseDate: typeof entry?.releaseDate === 'string' ? entry.releaseDate : null,
  };
}

/** The entry with the metadata's grid appended, as the nightly hashes it (reports written without metadata have none). */
function withGrid(entry: Record<string, unknown>, grid: { voxelSize?: unknown; dims?: unknown } | undefined): Record<string, unknown> {
  return grid === undefined ? entry : { ...entry, voxelSize: grid.voxelSize ?? null, dims: grid.dims ?? null };
}

/** Renames the damaged ledger and its journal files aside; returns the new name of the main file. */
async function setAside(file: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/gu, '-');
  const aside = `${file}.corrupt-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) await rename(file + suffix, aside + suffix);
  }
  return aside;
}

/** Puts every published report of `contentDir` into `ledger`; returns how many. */
export async function adoptContent(ledger: Ledger, contentDir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(entriesDir(contentDir));
  } catch {
    return 0;
  }
  let n = 0;
  for (const id of names.filter(isEmdbId).sort()) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(entriesDir(contentDir), id, 'report.json'));
    } catch {
      continue;
    }
    const facts = publishedFacts(bytes);
    if (facts === null) continue;
    ledger.adoptPublished({ entryId: id, ...facts });
    n++;
  }
  return n;
}

/**
 * Opens the ledger at `file`; a damaged one is set aside and rebuilt from `contentDir` (see the
 * file comment). Returns the ledger and, after a rebuild, a note saying what happened.
 */
export async function openLedger(file: string, contentDir: string, log: (m: string) => void): Promise<{ ledger: Ledger; note: string | null }> {
  try {
    return { ledger: Ledger.open(file), note: null };
  } catch (err) {
    if (!(err instanceof LedgerCorruptError)) throw err;
    const aside = await setAside(file);
    const ledger = Ledger.open(file);
    const n = await adoptContent(ledger, contentDir);
    const note = `${err.message}: set aside as ${path.basename(aside)}; a new ledger was rebuilt from ${n} published report(s) in content/ (run history and the watermark are lost: this run checks every released entry)`;
    log(`ledger: ${note}`);
    return { ledger, note };
  }
}
