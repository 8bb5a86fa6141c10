/**
 * Atomic file writes: data goes to a temporary file beside the target, is flushed, then renamed
 * over it. A reader (or a re-run after kill -9) sees the old file or the new one, never half.
 * A failed write removes its temporary file and says why in words (write-errors.ts): a full disk
 * names the target, a read-only or forbidden folder names the folder.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { explainWriteError, makeDir } from './write-errors.ts';

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await makeDir(path.dirname(target));
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close().catch(() => undefined);
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw await explainWriteError(err, target);
  }
}
