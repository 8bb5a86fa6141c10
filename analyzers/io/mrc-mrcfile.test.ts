/**
 * Cross-check against an independent reader: Debian's python3-mrcfile (+ numpy for the axis
 * reordering) on every map of the real EMDB fixtures, compared field by field and voxel by voxel.
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturesDir, haveFixtures } from '../testing/fixtures.ts';
import { havePython, runReference } from '../testing/python.ts';
import { describeMap } from '../volume/describe.ts';
import { toVolume } from '../volume/from-mrc.ts';
import { readMrc } from './mrc.ts';

const mapPattern = /\.(map|mrc|ccp4)(\.gz|\.bz2)?$/;

function findMaps(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findMaps(p));
    else if (mapPattern.test(name)) out.push(p);
  }
  return out.sort();
}

const ready = haveFixtures('mrcfile cross-check') && havePython(['numpy', 'mrcfile'], 'mrcfile cross-check');

describe.skipIf(!ready)('emvr inspect agrees with mrcfile on every fixture map', () => {
  const maps = ready ? findMaps(fixturesDir) : [];
  let work = '';
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('finds the fixture maps, including the edge cases the issue names', () => {
    const names = maps.map((m) => path.relative(fixturesDir, m));
    for (const needed of ['EMD-3001/emd_3001.map', '_edge-cases/emringerweb-test-map/test_map.ccp4', 'EMD-5170/emd_5170.map', 'EMD-44046/emd_44046.map.gz', 'EMD-3197/emd_3197.map.gz', 'EMD-3197/emd_3197.map.bz2']) {
      expect(names).toContain(needed);
    }
  });

  for (const map of maps) {
    it(path.relative(fixturesDir, map), async () => {
      work ||= await mkdtemp(path.join(tmpdir(), 'emvr-xcheck-'));
      const raw = path.join(work, `${path.basename(map)}.raw`);
      const ref = JSON.parse(await runReference('mrc_inspect.py', [map, raw]));
      const file = await readMrc(map);
      const { volume, frame } = toVolume(file);
      const d = describeMap(file, volume, frame);

      const h = file.header;
      for (const key of ['nx', 'ny', 'nz', 'mode', 'nxstart', 'nystart', 'nzstart', 'mx', 'my', 'mz', 'mapc', 'mapr', 'maps', 'ispg', 'nsymbt', 'nversion', 'nlabl'] as const) {
        expect(h[key], key).toBe(ref.header[key]);
      }
      for (const key of ['dmin', 'dmax', 'dmean', 'rms'] as const) expect(h[key], key).toBe(ref.header[key]);
      expect(Array.from(h.cella)).toEqual(ref.header.cella);
      expect(Array.from(h.cellb)).toEqual(ref.header.cellb);
      expect(Array.from(h.origin)).toEqual(ref.header.origin);
      expect(Array.from(h.machst)).toEqual(ref.header.machst);

      expect(d.dims).toEqual(ref.dims);
      d.voxelSize.forEach((v, k) => expect(v).toBeCloseTo(ref.voxelSize[k], 5));
      d.origin.forEach((v, k) => expect(v).toBeCloseTo(ref.origin[k], 4));
      expect(d.nanCount).toBe(ref.nanCount);
      expect(d.stats.min).toBe(ref.stats.min);
      expect(d.stats.max).toBe(ref.stats.max);
      // float32 precision, relative to the spread of the values.
      const scale = Math.max(ref.stats.std, Math.abs(ref.stats.mean), 1e-30);
      expect(Math.abs(d.stats.mean - ref.stats.mean) / scale).toBeLessThan(1e-6);
      expect(Math.abs(d.stats.std - ref.stats.std) / ref.stats.std).toBeLessThan(1e-6);

      // Element-wise: the reordered voxels are identical bit for bit.
      const refBytes = await readFile(raw);
      const refData = new Float32Array(refBytes.buffer, refBytes.byteOffset, refBytes.byteLength / 4);
      expect(refData.length).toBe(volume.data.length);
      let mismatches = 0;
      for (let i = 0; i < refData.length; i++) {
        const a = refData[i];
        const b = volume.data[i];
        if (a !== b && !(a !== a && b !== b)) mismatches++;
      }
      expect(mismatches).toBe(0);
      await rm(raw, { force: true });
    });
  }
});
