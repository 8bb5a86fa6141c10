/**
 * `npx node scripts/site/print-pdfs-cli.ts --site <built site> --content <dir> --cache <dir>
 * [--base /] [--ids EMD-1,EMD-2] [--tabs N] [--array-index i --array-count n] [--json out.json]`: prints the PDFs of a
 * built site's entries into the cache (printPdfs), outside `emvr build`, for the archive's first
 * print. With --array-index/--array-count (a Slurm array task, or n local processes side by side)
 * it prints only its share and journals it; a last run without them merges the journals and places
 * the PDFs in the site (as `emvr build` does when it finds every PDF cached).
 * Resumable: killed and started again, it prints only what is not yet in the cache.
 * Exit code 0, or 3 when some entry failed to print (the others are printed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { PROJECT_ROOT, siteEntryIds } from './build-site.ts';
import { printPdfs } from './print-pdfs.ts';

/** A non-negative integer flag, or undefined; throws with the flag's name otherwise. */
function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/u.test(v)) throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

async function main(): Promise<number> {
  const { values: a } = parseArgs({
    options: {
      site: { type: 'string' }, content: { type: 'string' }, cache: { type: 'string' }, base: { type: 'string', default: '/' },
      ids: { type: 'string' }, tabs: { type: 'string' }, 'array-index': { type: 'string' }, 'array-count': { type: 'string' }, json: { type: 'string' },
    },
  });
  if (!a.site || !a.content || !a.cache) throw new Error('usage: print-pdfs-cli.ts --site <built site> --content <dir> --cache <dir> [--base /] [--tabs N] [--array-index i --array-count n] [--json out.json]');
  const index = intFlag('array-index', a['array-index'] ?? process.env.SLURM_ARRAY_TASK_ID);
  const count = intFlag('array-count', a['array-count']);
  if ((index === undefined) !== (count === undefined)) throw new Error('--array-index and --array-count go together');
  // The entries of the site's build manifest, or a comma-separated list.
  const ids = a.ids !== undefined ? a.ids.split(',').filter((x) => x !== '') : siteEntryIds(a.site);
  if (ids.length === 0) throw new Error(`${a.site}: no entries in its build manifest (is it a site built by emvr build?)`);
  const f = fanOut();
  const s = await printPdfs({
    siteDir: path.resolve(a.site), base: a.base, contentDir: path.resolve(a.content), cacheDir: path.resolve(a.cache), ids,
    tabs: intFlag('tabs', a.tabs), slice: index === undefined ? undefined : { index, count: count as number },
    folderOf: (id) => entryFolder(id, f), log: (l) => process.stderr.write(`${l}\n`),
  }, PROJECT_ROOT);
  const line = { slice: index === undefined ? null : `${index}/${count}`, ...s };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (a.json) fs.writeFileSync(a.json, `${JSON.stringify(line, null, 1)}\n`);
  return s.failed.length > 0 ? 3 : 0;
}

process.exitCode = await main();
