/**
 * Writes a derived file of the site only when its text differs from what is there, in one rename
 * (a reader never sees half a file). No fsync: these files are re-derived by every build, and
 * 50,000 of them are checked per nightly.
 */
import fsp from 'node:fs/promises';

/** Writes `text` to `file` unless it already holds it; true when it wrote. */
export async function writeIfChanged(file: string, text: string): Promise<boolean> {
  let old: string | null = null;
  try {
    old = await fsp.readFile(file, 'utf8');
  } catch {
    // Not there yet.
  }
  if (old === text) return false;
  const tmp = `${file}.tmp-${process.pid}`;
  await fsp.writeFile(tmp, text);
  await fsp.rename(tmp, file);
  return true;
}
