/**
 * The archive percentiles of every entry page, as one small `glance.json` per entry folder
 * (site/src/lib/archive-statistics.ts `entryGlance`), written after the Astro step from the index
 * rows of the whole archive. A new entry moves other entries' percentiles; their pages' HTML does
 * not change (the page's script draws the panel from glance.json), only these files do, and only
 * those whose bytes differ are written (each in one rename).
 */
import fs from 'node:fs';
import path from 'node:path';
import { STATUS_CODE, type IndexRow } from '../../site/src/lib/archive-index.ts';
import { writeIfChanged } from './write-if-changed.ts';
import { entryGlance, sharedArchiveStatistics, type ArchiveStatistics } from '../../site/src/lib/archive-statistics.ts';

/** File name of an entry's percentiles in its folder. */
export const GLANCE_FILE = 'glance.json';

/** What `writeGlanceFiles` did. */
export interface GlanceSummary {
  written: number;
  unchanged: number;
  seconds: number;
}

/** The glance.json text of an entry (null for a refused entry: it has none). */
function glanceText(stats: ArchiveStatistics, row: IndexRow): string | null {
  return row[7].startsWith(STATUS_CODE.refused) ? null : `${JSON.stringify(entryGlance(stats, row))}\n`;
}

/** Writes the glance.json of every entry into `siteDir/<folderOf(id)>/`, skipping equal files. */
export async function writeGlanceFiles(siteDir: string, rows: readonly IndexRow[], folderOf: (id: string) => string): Promise<GlanceSummary> {
  const t0 = performance.now();
  let written = 0, unchanged = 0;
  const stats = sharedArchiveStatistics(rows);
  let next = 0;
  // Each text is made when its file is written: 50,000 of them at once would hold ~250 MB.
  const one = async (row: IndexRow) => {
    const text = glanceText(stats, row);
    if (text === null) return;
    const id = row[0];
    const dir = path.join(siteDir, folderOf(id));
    if (!fs.existsSync(dir)) return;
    if (await writeIfChanged(path.join(dir, GLANCE_FILE), text)) written++;
    else unchanged++;
  };
  // A few files in flight: 50,000 small reads and writes overlap instead of waiting in turn.
  const worker = async () => {
    while (next < rows.length) await one(rows[next++]);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { written, unchanged, seconds: (performance.now() - t0) / 1000 };
}
