/**
 * Errors of writing output, in words a user can act on: a full disk names the file that did not
 * fit, a read-only or forbidden folder names the folder. The raw errors say "ENOSPC … write" or,
 * from a recursive mkdir under a read-only mount, a misleading "ENOENT … mkdir".
 */
import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Why output could not be written. */
export type WriteFailure = 'disk full' | 'read-only' | 'permission denied';

/** Output could not be written: `path` names the file (disk full) or the folder (read-only, permission). */
export class CannotWriteError extends Error {
  override name = 'CannotWriteError';
  readonly path: string;
  readonly reason: WriteFailure;
  constructor(reason: WriteFailure, where: string) {
    super(reason === 'disk full' ? `disk full: cannot write ${where} (no space left on device)` : `cannot write to ${where} (${reason === 'read-only' ? 'read-only file system' : 'permission denied'})`);
    this.path = where;
    this.reason = reason;
  }
}

const codeOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** Whether `err` says the disk (or the quota) is full: ENOSPC, EDQUOT, or SQLite's SQLITE_FULL (13). */
export function isDiskFull(err: unknown): boolean {
  if (err instanceof CannotWriteError) return err.reason === 'disk full';
  const code = codeOf(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  const sqlite = (err as { errcode?: unknown } | null)?.errcode;
  return typeof sqlite === 'number' && (sqlite & 0xff) === 13;
}

/** The deepest existing folder at or above `p`. */
async function existingAncestor(p: string): Promise<string> {
  let dir = path.resolve(p);
  for (;;) {
    try {
      if ((await stat(dir)).isDirectory()) return dir;
    } catch {
      // not there: go up
    }
    const up = path.dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
}

/** Creates `dir` (and its parents); a failure comes out explained (see explainWriteError). */
export async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw await explainWriteError(err, dir);
  }
}

/**
 * The error to show for a failed write of `target` (a file, or a folder being created): a
 * CannotWriteError when the cause is a full disk, a read-only file system or a permission,
 * found by probing the deepest existing folder above `target`; else `err` itself.
 */
export async function explainWriteError(err: unknown, target: string): Promise<unknown> {
  if (err instanceof CannotWriteError) return err;
  if (isDiskFull(err)) return new CannotWriteError('disk full', target);
  const code = codeOf(err);
  if (code === 'EROFS') return new CannotWriteError('read-only', await existingAncestor(target));
  if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'EPERM') return err;
  const dir = await existingAncestor(target);
  try {
    await access(dir, constants.W_OK);
  } catch (probe) {
    const c = codeOf(probe);
    if (c === 'EROFS') return new CannotWriteError('read-only', dir);
    if (c === 'EACCES' || c === 'EPERM') return new CannotWriteError('permission denied', dir);
  }
  return code === 'ENOENT' ? err : new CannotWriteError('permission denied', dir);
}
