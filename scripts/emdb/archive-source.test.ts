/**
 * The pieces of the archive source: where `--archive` points (folder, the folder holding
 * structures/, URL), the links of an HTML directory index, the header names tried, and the local
 * copy into the cache (verified like a download, kept while the source is unchanged, never left
 * half-written when the source is bad).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMrc } from '../../analyzers/volume/to-mrc.ts';
import { gzipMap } from '../mirror/mirror-folder.ts';
import { headerNames, indexLinks, resolveArchive } from './archive-source.ts';
import { verifyGzipMap } from './download.ts';
import { copyVerified, LocalFileNotFoundError } from './local-copy.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'emvr-archive-unit-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const smallMap = (value: number) => {
  const data = new Float32Array(8 * 8 * 8).fill(value);
  data[0] = value + 1;
  return encodeMrc({ dims: [8, 8, 8], voxelSize: [1.25, 1.25, 1.25], origin: [0, 0, 0], data });
};

describe('--archive location', () => {
  it('a folder holding structures/ resolves to it; the structures folder itself stays; a URL gets /structures unless it ends so', async () => {
    await mkdir(path.join(dir, 'emdb', 'structures'), { recursive: true });
    expect(await resolveArchive(path.join(dir, 'emdb'))).toEqual({ kind: 'dir', root: path.join(dir, 'emdb', 'structures') });
    expect(await resolveArchive(path.join(dir, 'emdb', 'structures'))).toEqual({ kind: 'dir', root: path.join(dir, 'emdb', 'structures') });
    expect(await resolveArchive('https://ftp.ebi.ac.uk/pub/databases/emdb/structures/')).toEqual({ kind: 'http', base: 'https://ftp.ebi.ac.uk/pub/databases/emdb/structures' });
    expect(await resolveArchive('https://ftp.wwpdb.org/pub/emdb')).toEqual({ kind: 'http', base: 'https://ftp.wwpdb.org/pub/emdb/structures' });
    await expect(resolveArchive(path.join(dir, 'absent'))).rejects.toThrow(/is not a folder/u);
    await expect(resolveArchive('ftp://ftp.ebi.ac.uk/pub/databases/emdb/')).rejects.toThrow(/only folders and http\(s\) URLs/u);
  });

  it('reads the entries of an HTML directory index (relative and absolute links, parent and sort links left out)', () => {
    const html = `<a href="?C=N;O=D">Name</a><a href="../">Parent Directory</a>
      <a href="EMD-0001/">EMD-0001/</a> <a href='/pub/databases/emdb/structures/EMD-10000/'>EMD-10000/</a>
      <a href="EMD-9999">EMD-9999</a><a href="emd_0001_half_map_1.map.gz">x</a>`;
    expect(indexLinks(html)).toEqual(['EMD-0001', 'EMD-10000', 'EMD-9999', 'emd_0001_half_map_1.map.gz']);
  });

  it('tries the current header, then the v3 and the v1.9 copies', () => {
    expect(headerNames('EMD-0042')).toEqual(['emd-0042.xml', 'emd-0042-v30.xml', 'emd-0042-v19.xml']);
  });
});

describe('local copy into the cache', () => {
  it('copies and verifies, keeps the copy while the source is unchanged, copies again when it changes', async () => {
    const src = path.join(dir, 'src.map.gz');
    const dest = path.join(dir, 'cache', 'EMD-0042', 'emd_0042.map.gz');
    await writeFile(src, await gzipMap(smallMap(1)));
    const first = await copyVerified(src, dest, 'EMD-0042 map', verifyGzipMap);
    expect(first.fromCache).toBe(false);
    expect(first.info).toMatchObject({ dims: [8, 8, 8], voxelSize: [1.25, 1.25, 1.25], mode: 2 });
    expect(first.info.url).toBe(`file://${src}`);
    const again = await copyVerified(src, dest, 'EMD-0042 map', verifyGzipMap);
    expect(again).toEqual({ info: first.info, fromCache: true });
    await writeFile(src, await gzipMap(smallMap(2)));
    await utimes(src, new Date(), new Date(Date.now() + 5000));
    const changed = await copyVerified(src, dest, 'EMD-0042 map', verifyGzipMap);
    expect(changed.fromCache).toBe(false);
    expect(changed.info.sha256).not.toBe(first.info.sha256);
    expect((await readdir(path.dirname(dest))).sort()).toEqual(['emd_0042.map.gz', 'emd_0042.map.gz.json']);
  });

  it('a missing source is LocalFileNotFoundError; a source that is not a gzip map leaves nothing in the cache', async () => {
    const dest = path.join(dir, 'cache2', 'emd_0043.map.gz');
    await expect(copyVerified(path.join(dir, 'nope.map.gz'), dest, 'EMD-0043 map', verifyGzipMap)).rejects.toThrow(LocalFileNotFoundError);
    const bad = path.join(dir, 'bad.map.gz');
    await writeFile(bad, 'not gzip at all');
    await expect(copyVerified(bad, dest, 'EMD-0043 map', verifyGzipMap)).rejects.toThrow(/EMD-0043 map/u);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });
});
