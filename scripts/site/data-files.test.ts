/**
 * Local-value maps in reports of both ages: `maps/<stem>.mrc.gz` (gzipped, since issue 22) and
 * `maps/<stem>.mrc` (older reports, still published): both parse, and the page says which format
 * each link downloads.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../analyzers/report/schema.ts';
import { entryView } from '../../site/src/lib/entry-view.ts';

/** A golden report with every data file renamed to end in `ending` (".mrc" or ".mrc.gz"). */
async function goldenWithMaps(ending: string): Promise<unknown> {
  const gz = await readFile(path.join(import.meta.dirname, '..', 'testing', 'golden', 'phantom-well-behaved.json.gz'));
  const text = gunzipSync(gz).toString('utf8');
  return JSON.parse(text.replace(/"(maps\/[A-Za-z0-9_.-]+?)\.mrc(?:\.gz)?"/gu, `"$1${ending}"`));
}

describe('data files of old and new reports', () => {
  it('parses both names and labels each link with its format', async () => {
    for (const [ending, format] of [['.mrc.gz', 'MRC, gzip'], ['.mrc', 'MRC']] as const) {
      const view = entryView(parseReport(await goldenWithMaps(ending)));
      expect(view.dataFiles.map((d) => d.file)).toEqual(['maps/0e-local-resolution', 'maps/0f-local-bfactor', 'maps/0g-local-occupancy'].map((s) => s + ending));
      expect(new Set(view.dataFiles.map((d) => d.format))).toEqual(new Set([format]));
    }
  });

  it('refuses a data file that is not an MRC or a gzipped MRC under maps/', async () => {
    for (const bad of ['.mrc.bz2', '.gz', '.mrc.gz.tmp']) {
      const json = await goldenWithMaps(bad);
      expect(() => parseReport(json)).toThrow(/file/u);
    }
  });
});
