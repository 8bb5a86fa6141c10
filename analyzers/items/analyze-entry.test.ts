/**
 * analyzeEntry's inputs: half maps and a model are read, checked and recorded (file, sha256, size)
 * without changing any Level 0 number; half maps on another grid are refused with both files and
 * both grids named, before anything is written.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportItems, type Entry } from '../report/schema.ts';
import { makePhantom } from '../simulate/phantoms.ts';
import { AnalysisInputError } from '../util/errors.ts';
import { writeMrc } from '../volume/to-mrc.ts';
import { analyzeEntry } from './analyze-entry.ts';

const PDB = [
  'ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N',
  'ATOM      2  CA  ALA A   1      11.639   6.071  -5.147  1.00  0.00           C',
  'ATOM      3  C   ALA A   1      13.149   5.846  -5.138  1.00  0.00           C',
  'END',
  '',
].join('\n');

let work = '';
let map = '';
let entry: Entry;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'emvr-inputs-'));
  const p = await makePhantom('well-behaved', { seed: 5, box: 80 });
  map = path.join(work, 'map.mrc');
  await writeMrc(map, p.volume);
  await writeMrc(path.join(work, 'half1.mrc'), p.volume);
  await writeMrc(path.join(work, 'half2.mrc'), { ...p.volume, data: p.volume.data.map((x) => 0.5 * x) });
  await writeMrc(path.join(work, 'other-grid.mrc'), { ...p.volume, voxelSize: [1.3, 1.3, 1.3] });
  await writeFile(path.join(work, 'model.pdb'), PDB);
  entry = { id: 'EMD-90050', title: null, authors: [], depositionDate: null, releaseDate: null, resolution: p.resolution, threshold: p.threshold, method: null, pdbIds: [] };
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const sha = async (f: string) => createHash('sha256').update(await readFile(f)).digest('hex');

describe('analyzeEntry inputs', () => {
  it('records half maps and a model with their hashes, and Level 0 is unchanged by them', async () => {
    const alone = await analyzeEntry({ mapPath: map, entryDir: path.join(work, 'alone'), figures: false, entry });
    const all = await analyzeEntry({
      mapPath: map,
      halfMapPaths: [path.join(work, 'half1.mrc'), path.join(work, 'half2.mrc')],
      modelPath: path.join(work, 'model.pdb'),
      modelPdbId: '1abc',
      entryDir: path.join(work, 'all'),
      figures: false,
      entry,
    });
    expect(alone.inputs.halfMaps).toBeUndefined();
    expect(alone.inputs.model).toBeUndefined();
    expect(all.inputs.halfMaps).toEqual([
      { file: 'half1.mrc', sha256: await sha(path.join(work, 'half1.mrc')), bytes: 1024 + 4 * 80 ** 3 },
      { file: 'half2.mrc', sha256: await sha(path.join(work, 'half2.mrc')), bytes: 1024 + 4 * 80 ** 3 },
    ]);
    expect(all.inputs.model).toEqual({ file: 'model.pdb', sha256: await sha(path.join(work, 'model.pdb')), bytes: PDB.length, pdbId: '1abc' });
    const level0 = (r: typeof all) => reportItems(r).filter((it) => it.id.startsWith('0.')).map((it) => ({ ...it, timing: null }));
    expect(level0(all)).toEqual(level0(alone));
    // The half maps add Level 1, the model Level A.
    expect(Object.keys(all.items)).toEqual(['0', '1', 'A']);
    expect(Object.keys(all.items.A ?? {})).toContain('A.a');
    expect(Object.keys(alone.items)).toEqual(['0']);
  });

  it('publishes an item that was measured but could not be judged (no reported resolution) as measured and not evaluable', async () => {
    const r = await analyzeEntry({
      mapPath: map,
      halfMapPaths: [path.join(work, 'half1.mrc'), path.join(work, 'half2.mrc')],
      entryDir: path.join(work, 'no-resolution'),
      figures: false,
      entry: { ...entry, resolution: null },
    });
    const fsc = r.items['1']?.['1.a'];
    expect(fsc?.status).toBe('ok');
    expect(fsc?.evaluable).toBe(false);
    expect(fsc?.results.join(' ')).toMatch(/could not be evaluated: no resolution was reported/u);
    expect(r.score.evaluable).toBe(reportItems(r).filter((it) => it.evaluable).length);
    expect(reportItems(r).some((it) => it.id === '1.a' && it.evaluable)).toBe(false);
  });

  it('refuses half maps on another grid, naming both files and both grids, and writes nothing', async () => {
    const entryDir = path.join(work, 'refused');
    const run = analyzeEntry({ mapPath: map, halfMapPaths: [path.join(work, 'half1.mrc'), path.join(work, 'other-grid.mrc')], entryDir, figures: false, entry });
    await expect(run).rejects.toThrow(AnalysisInputError);
    await expect(run).rejects.toThrow(`half map ${path.join(work, 'other-grid.mrc')} (80×80×80 voxels of 1.3×1.3×1.3 Å) is not on the grid of the map ${map} (80×80×80 voxels of 1.2×1.2×1.2 Å)`);
    expect(existsSync(entryDir)).toBe(false);
  });

  it('a model file that is not a model (garbage, truncated, empty, corrupt gzip): Level 0 reported, Level A not applicable naming the file', async () => {
    const files: [string, string | Uint8Array][] = [
      ['not-a-model.cif', 'data_x\nloop_\n_atom_site.id\n'],
      ['truncated.pdb', PDB.slice(0, PDB.indexOf('ATOM      2') + 40)],
      ['empty.pdb', ''],
      ['corrupt.pdb.gz', Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6])],
    ];
    for (const [name, bytes] of files) await writeFile(path.join(work, name), bytes);
    const alone = await analyzeEntry({ mapPath: map, entryDir: path.join(work, 'alone-again'), figures: false, entry });
    const escaped = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
    for (const [name] of files) {
      const modelPath = path.join(work, name);
      const r = await analyzeEntry({ mapPath: map, modelPath, entryDir: path.join(work, `bad-${name}`), figures: false, entry });
      const level0 = (x: typeof r) => reportItems(x).filter((it) => it.id.startsWith('0.')).map((it) => ({ ...it, timing: null }));
      expect(level0(r)).toEqual(level0(alone));
      const aa = r.items.A?.['A.a'];
      expect(aa?.status).toBe('not-applicable');
      expect(aa?.reason, name).toMatch(new RegExp(`the model cannot be read: ${escaped(modelPath)}`, 'u'));
      expect(r.inputs.model?.file).toBe(name);
    }
    // A path that does not exist is a wrong argument, refused with the file-system error naming it.
    await expect(analyzeEntry({ mapPath: map, modelPath: path.join(work, 'absent.pdb'), entryDir: path.join(work, 'absent'), figures: false, entry })).rejects.toThrow(/ENOENT.*absent\.pdb/u);
  });
});
