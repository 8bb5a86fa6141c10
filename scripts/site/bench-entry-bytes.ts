/**
 * `npx node scripts/site/bench-entry-bytes.ts --map <file> --threshold T [--resolution R]
 * [--half-maps] [--work dir] [--json out.json]`: the bytes one real entry costs (issue 22), not a
 * test. Analyses the map (Level 0, and Level 1 on half maps simulated from it, seed 1, as
 * `npm run bench` level01 does, when --half-maps), with figures and local-value maps, into
 * <work>/content/entries/EMD-N/; builds the site of that one entry with its PDF; counts the bytes
 * of the entry's content folder and of its site folder. Also gives what the local-value maps
 * would weigh as raw float32 MRC (the format before issue 22), from their headers.
 * JSON: {id, dims, contentBytes, siteBytes, mapsBytes, rawMapsBytes, pdfBytes, figuresBytes, files}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readMrc } from '../../analyzers/io/mrc.ts';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { simulateHalfMaps } from '../../analyzers/simulate/half-maps.ts';
import { toVolume } from '../../analyzers/volume/from-mrc.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { buildSite } from './build-site.ts';

/** Bytes and files under `dir`, summed by the first folder below it ('.' for files at the top). */
function folderBytes(dir: string): { bytes: number; files: number; byFolder: Record<string, number> } {
  let bytes = 0;
  let files = 0;
  const byFolder: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const size = fs.statSync(full).size;
        const top = path.relative(dir, full).split(path.sep);
        const key = top.length > 1 ? top[0] : e.name.endsWith('.pdf') ? 'pdf' : '.';
        byFolder[key] = (byFolder[key] ?? 0) + size;
        bytes += size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files, byFolder };
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: { map: { type: 'string' }, id: { type: 'string' }, threshold: { type: 'string' }, resolution: { type: 'string' }, 'half-maps': { type: 'boolean', default: false }, work: { type: 'string' }, json: { type: 'string' } },
  });
  if (!a.map || a.threshold === undefined) throw new Error('usage: bench-entry-bytes.ts --map <file> --threshold T [--resolution R] [--id EMD-N] [--half-maps] [--work dir] [--json out.json]');
  const id = a.id ?? /EMD-\d{4,}/u.exec(a.map)?.[0] ?? 'EMD-90000';
  if (!/^EMD-\d{4,}$/u.test(id)) throw new Error(`not an EMDB ID: ${id}`);
  const resolution = a.resolution === undefined ? null : Number(a.resolution);
  const work = a.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-entry-bytes-'));
  const content = path.join(work, 'content');
  const entryDir = path.join(content, 'entries', id);
  fs.rmSync(entryDir, { recursive: true, force: true });
  let halfMapPaths: [string, string] | undefined;
  if (a['half-maps']) {
    const v = toVolume(await readMrc(a.map)).volume;
    const pair = await simulateHalfMaps(v, { resolution: resolution ?? 4 }, 1);
    halfMapPaths = [path.join(work, 'half1.mrc'), path.join(work, 'half2.mrc')];
    await writeMrc(halfMapPaths[0], pair.half1);
    await writeMrc(halfMapPaths[1], pair.half2);
  }
  const t0 = performance.now();
  const report = await analyzeEntry({ mapPath: a.map, halfMapPaths, entryDir, entry: { id, title: `${id} (bytes per entry)`, authors: [], depositionDate: null, releaseDate: null, resolution, threshold: Number(a.threshold), method: null, pdbIds: [] } });
  const analysisSeconds = (performance.now() - t0) / 1000;
  const out = path.join(work, 'site');
  await buildSite({ content, out, pdf: true, log: () => {} });
  const c = folderBytes(entryDir);
  const s = folderBytes(path.join(out, entryFolder(id, fanOut())));
  const mapsDir = path.join(entryDir, 'maps');
  let rawMapsBytes = 0;
  for (const f of fs.existsSync(mapsDir) ? fs.readdirSync(mapsDir) : []) {
    const h = (await readMrc(path.join(mapsDir, f))).header;
    rawMapsBytes += 1024 + 4 * h.nx * h.ny * h.nz;
  }
  const result = {
    id,
    dims: report.inputs.map.dims,
    analysisSeconds: Math.round(analysisSeconds * 10) / 10,
    contentBytes: c.bytes,
    contentFiles: c.files,
    siteBytes: s.bytes,
    siteFiles: s.files,
    mapsBytes: c.byFolder.maps ?? 0,
    rawMapsBytes,
    figuresBytes: c.byFolder.figures ?? 0,
    pdfBytes: s.byFolder.pdf ?? 0,
    content: c.byFolder,
    site: s.byFolder,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (a.json) fs.writeFileSync(a.json, `${JSON.stringify(result, null, 2)}\n`);
}

await main();
