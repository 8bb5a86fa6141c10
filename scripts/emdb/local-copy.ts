/**
 * The local-folder twin of download.ts's `fetchVerified`: a file of an EMDB archive copy on this
 * machine (an rsync mirror) is copied into the cache as `<dest>.part`, verified by the same
 * verifier as a download (a map must gunzip and have a readable MRC header), then renamed to
 * `<dest>` with the same sidecar `<dest>.json` (its `url` the file:// URL of the source, its `etag`
 * the source's size and modification time). A later call with an unchanged source keeps the cached
 * copy without reading the source again, as a 304 does for a download.
 */
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { cachedMap, type VerifiedFileInfo, type Verifier } from './download.ts';

/** The source file does not exist (the archive's 404). */
export class LocalFileNotFoundError extends Error {
  override name = 'LocalFileNotFoundError';
}

/** Size and modification time of `file`: the validator of a local source. */
function validatorOf(st: { size: number; mtimeMs: number }): string {
  return `"${st.size}-${Math.trunc(st.mtimeMs)}"`;
}

/** Copies and verifies `src` into the cache at `dest` (see the file comment). */
export async function copyVerified<I extends VerifiedFileInfo>(src: string, dest: string, what: string, verify: Verifier<I>): Promise<{ info: I; fromCache: boolean }> {
  let st;
  try {
    st = await stat(src);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LocalFileNotFoundError(`${what}: ${src} does not exist`);
    throw err;
  }
  if (!st.isFile()) throw new LocalFileNotFoundError(`${what}: ${src} is not a file`);
  const url = pathToFileURL(path.resolve(src)).href;
  const etag = validatorOf(st);
  const cached = await cachedMap<I>(dest, url);
  if (cached && cached.etag === etag) return { info: cached, fromCache: true };
  await mkdir(path.dirname(dest), { recursive: true });
  // Same names as download.ts uses: a crash mid-copy leaves a part and no trusted file.
  const part = `${dest}.part`;
  const sidecar = `${dest}.json`;
  await copyFile(src, part);
  let verified;
  try {
    verified = await verify(part, what);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
  const info = { url, etag, lastModified: st.mtime.toUTCString(), ...verified } as I;
  await rm(sidecar, { force: true });
  await rename(part, dest);
  await writeFileAtomic(sidecar, `${JSON.stringify(info, null, 2)}\n`);
  return { info, fromCache: false };
}
