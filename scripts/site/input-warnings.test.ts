/**
 * The page's input section shows the report's input warnings (metadata that disagrees with the
 * map), with their codes, and says nothing of them when there are none: a phantom analysed twice,
 * once with metadata whose voxel size and box are off, built into a site (no PDFs, no search).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { buildSite } from './build-site.ts';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';

let dir = '';
const entry = (id: string, threshold: number) => ({ id, title: `Input warnings ${id}`, authors: [], depositionDate: null, releaseDate: null, resolution: null, threshold, method: null, pdbIds: [] });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'emvr-input-warnings-'));
  const p = await makePhantom('well-behaved', { box: 80 });
  const map = path.join(dir, 'phantom.mrc');
  await writeMrc(map, p.volume);
  const [vx, vy, vz] = p.volume.voxelSize;
  const content = path.join(dir, 'content');
  await analyzeEntry({ mapPath: map, entryDir: path.join(content, 'entries', 'EMD-92001'), entry: entry('EMD-92001', p.threshold), figures: false, metadataGrid: { source: 'the EMDB metadata', voxelSize: [vx, vy + 0.2, vz], dims: [80, 80, 82] } });
  await analyzeEntry({ mapPath: map, entryDir: path.join(content, 'entries', 'EMD-92002'), entry: entry('EMD-92002', p.threshold), figures: false, metadataGrid: { source: 'the EMDB metadata', voxelSize: [vx, vy, vz], dims: [80, 80, 80] } });
  await buildSite({ content, out: path.join(dir, 'site'), pdf: false, search: false });
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The input section of an entry page (from its heading to the next section). */
async function inputSection(id: string): Promise<string> {
  const html = await readFile(path.join(dir, 'site', entryFolder(id, fanOut()), 'index.html'), 'utf8');
  const start = html.indexOf('<section id="input-data"');
  expect(start, `${id}: no input section`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('input warnings on the page', () => {
  it('lists both warnings with their codes in the input section', async () => {
    const s = await inputSection('EMD-92001');
    expect(s).toContain('Metadata that disagrees with the map');
    expect(s).toMatch(/<li[^>]*>voxel size in the EMDB metadata \([0-9.]+ × [0-9.]+ × [0-9.]+ Å\) differs from the map file .*?<span class="code"[^>]*>METADATA_VOXEL_SIZE<\/span><\/li>/su);
    expect(s).toMatch(/<li[^>]*>box in the EMDB metadata \(80 × 80 × 82 voxels\) differs from the map file \(80 × 80 × 80 voxels\); the map file(&#39;|')s is used<span class="code"[^>]*>METADATA_BOX<\/span><\/li>/su);
  });

  it('says nothing when the metadata agrees', async () => {
    expect(await inputSection('EMD-92002')).not.toContain('Metadata that disagrees');
  });
});
