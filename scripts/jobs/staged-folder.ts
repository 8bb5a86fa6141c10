/**
 * Writing a whole output folder so that a failure leaves nothing: the contents are written under
 * a staging name beside the target (same file system), and only a complete folder is swapped in
 * by rename (the old one renamed aside first, then deleted). A failure on the way (a full disk, a
 * refused input, a crash of the analysis) deletes the staging folder; the old target is untouched.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { explainWriteError, makeDir } from '../../analyzers/io/write-errors.ts';

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** A hidden sibling name of `target` for `what` (staging or aside), unique to this process. */
function sibling(target: string, what: 'staging' | 'old'): string {
  return path.join(path.dirname(target), `.${what}-${path.basename(target)}-${process.pid}-${randomBytes(3).toString('hex')}`);
}

/** Replaces the folder `target` by `staged` in two renames; on failure the old folder is put back. */
export async function swapInFolder(staged: string, target: string): Promise<void> {
  const aside = sibling(target, 'old');
  const had = await exists(target);
  try {
    if (had) await rename(target, aside);
    try {
      await rename(staged, target);
    } catch (err) {
      if (had) await rename(aside, target).catch(() => undefined);
      throw err;
    }
  } catch (err) {
    throw await explainWriteError(err, target);
  }
  if (had) await rm(aside, { recursive: true, force: true });
}

/**
 * Runs `fill` on a fresh staging folder beside `target` and swaps the result in as `target`.
 * Returns what `fill` returns; on any failure the staging folder is removed and the error rethrown.
 */
export async function writeFolderStaged<T>(target: string, fill: (staging: string) => Promise<T>): Promise<T> {
  await makeDir(path.dirname(target));
  const staging = sibling(target, 'staging');
  try {
    await makeDir(staging);
    const result = await fill(staging);
    await swapInFolder(staging, target);
    return result;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
