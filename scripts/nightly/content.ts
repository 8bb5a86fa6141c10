/**
 * Publishing entry folders into `content/entries/` without ever showing a half-written one.
 * An entry is analysed into a staging folder (`<out>/cache/staging/run-R/EMD-N`, same file
 * system), then swapped in: the old folder is renamed aside to `content/entries/.old-EMD-N-R`
 * (a name the site ignores: it is not an entry ID), the staged folder renamed into place, the old
 * one deleted. `recoverContent` finishes or undoes a swap cut short by a crash: an aside folder
 * whose entry folder is missing is put back (the ledger still describes it), otherwise deleted.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Refusal } from '../../analyzers/report/refusal.ts';
import { checkEmdbId } from '../emdb/ids.ts';

/** File of a refused entry's folder (analyzers/report/refusal.ts); a folder holds it or report.json. */
export const REFUSAL_FILE = 'refusal.json';

const ASIDE_RE = /^\.old-(EMD-\d{4,})-\d+$/u;

/** `<content>/entries`. */
export function entriesDir(contentDir: string): string {
  return path.join(contentDir, 'entries');
}

/** Folder of a published entry (the ID is checked before it becomes a path). */
export function entryFolder(contentDir: string, id: string): string {
  return path.join(entriesDir(contentDir), checkEmdbId(id));
}

/** Staging folder of an entry in a run. */
export function stagingFolder(outDir: string, runId: number, id: string): string {
  return path.join(outDir, 'cache', 'staging', `run-${runId}`, checkEmdbId(id));
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Replaces the published folder of `id` by `staged` (see the file comment). */
export async function publishEntry(contentDir: string, id: string, staged: string, runId: number): Promise<void> {
  const target = entryFolder(contentDir, id);
  const aside = path.join(entriesDir(contentDir), `.old-${id}-${runId}`);
  await mkdir(entriesDir(contentDir), { recursive: true });
  await rm(aside, { recursive: true, force: true });
  const had = await exists(target);
  if (had) await rename(target, aside);
  try {
    await rename(staged, target);
  } catch (err) {
    if (had) await rename(aside, target).catch(() => undefined);
    throw err;
  }
  if (had) await rm(aside, { recursive: true, force: true });
}

/**
 * Publishes a refused entry: its folder then holds only `refusal.json` (staged beside the
 * analysis staging folder, swapped in like a report), replacing any earlier report.
 */
export async function publishRefusal(contentDir: string, outDir: string, runId: number, refusal: Refusal): Promise<void> {
  const id = refusal.entry.id;
  const staged = `${stagingFolder(outDir, runId, id)}.refusal`;
  await rm(staged, { recursive: true, force: true });
  await mkdir(staged, { recursive: true });
  try {
    await writeFile(path.join(staged, REFUSAL_FILE), `${JSON.stringify(refusal, null, 2)}\n`);
    await publishEntry(contentDir, id, staged, runId);
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

/** Whether the published folder of `id` is a refusal. */
export async function isPublishedRefusal(contentDir: string, id: string): Promise<boolean> {
  return exists(path.join(entryFolder(contentDir, id), REFUSAL_FILE));
}

/** Removes the published folder of `id`, if any (renamed aside first, then deleted). */
export async function unpublishEntry(contentDir: string, id: string, runId: number): Promise<boolean> {
  const target = entryFolder(contentDir, id);
  if (!(await exists(target))) return false;
  const aside = path.join(entriesDir(contentDir), `.old-${id}-${runId}`);
  await rm(aside, { recursive: true, force: true });
  await rename(target, aside);
  await rm(aside, { recursive: true, force: true });
  return true;
}

/**
 * Repairs content/entries after a crash: aside folders are restored (entry folder missing) or
 * deleted, and temporary files of interrupted atomic writes (`*.tmp-*`) are removed. Returns what it did.
 */
export async function recoverContent(contentDir: string): Promise<string[]> {
  const done: string[] = [];
  const dir = entriesDir(contentDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return done;
  }
  for (const n of names) {
    const m = ASIDE_RE.exec(n);
    if (m) {
      const target = path.join(dir, m[1]);
      if (await exists(target)) {
        await rm(path.join(dir, n), { recursive: true, force: true });
        done.push(`removed the leftover ${n}`);
      } else {
        await rename(path.join(dir, n), target);
        done.push(`restored ${m[1]} from an interrupted swap`);
      }
    } else if (/\.tmp-\d+-[0-9a-f]+$/u.test(n)) {
      await rm(path.join(dir, n), { recursive: true, force: true });
      done.push(`removed the temporary file ${n}`);
    }
  }
  return done;
}

/** Deletes every staging folder (only one nightly runs per output folder, so none is in use). */
export async function cleanStaging(outDir: string): Promise<void> {
  await rm(path.join(outDir, 'cache', 'staging'), { recursive: true, force: true });
}

/** sha256 of the published report.json of `id`, or null when there is none. */
export async function publishedReportSha(contentDir: string, id: string): Promise<string | null> {
  try {
    const bytes = await readFile(path.join(entryFolder(contentDir, id), 'report.json'));
    return createHash('sha256').update(bytes).digest('hex');
  } catch {
    return null;
  }
}
