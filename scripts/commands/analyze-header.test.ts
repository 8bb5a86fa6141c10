/**
 * `emvr analyze --header`: the threshold, resolution and entry fields come from the EMDB header
 * XML (v1.9 and v3), flags override them, a header whose voxel size or box disagrees with the map
 * gives input warnings in report.json, and a header that cannot be read stops the command with
 * exit 1, naming the file, before anything is written. Real processes, as a user runs them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, haveFixtures, projectRoot } from '../../analyzers/testing/fixtures.ts';
import { encodeMrc } from '../../analyzers/volume/to-mrc.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';
import type { EntryJsonSpec } from '../emdb/entry-json.ts';
import { buildHeaderXml } from '../emdb/header-xml-write.ts';

const cli = path.join(projectRoot, 'scripts', 'cli.ts');

function emvr(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, EMVR_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A 24×22×20 Gaussian blob at 1.5 Å (maximum 1). */
function blob(): Volume {
  const data = new Float32Array(24 * 22 * 20);
  for (let z = 0; z < 20; z++) for (let y = 0; y < 22; y++) for (let x = 0; x < 24; x++) {
    data[x + 24 * (y + 22 * z)] = Math.exp(-((x - 12) ** 2 + (y - 11) ** 2 + (z - 10) ** 2) / 18) + 0.001 * Math.sin(x * 7 + y * 3 + z);
  }
  return { dims: [24, 22, 20], voxelSize: [1.5, 1.5, 1.5], origin: [0, 0, 0], data };
}

const spec: EntryJsonSpec = {
  id: 'EMD-4400',
  title: 'Blob with a header',
  authors: ['Doe J', 'Roe R'],
  depositionDate: '2021-03-04',
  releaseDate: '2021-05-06',
  resolution: 4.2,
  contour: 0.35,
  pdbIds: ['1abc'],
  dims: [24, 22, 20],
  voxelSize: [1.5, 1.5, 1.5],
};

let dir = '';
let map = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'emvr-header-'));
  map = path.join(dir, 'blob.mrc');
  await writeFile(map, encodeMrc(blob()));
  await writeFile(path.join(dir, 'emd-4400.xml'), buildHeaderXml(spec));
  await writeFile(path.join(dir, 'emd-4400-off.xml'), buildHeaderXml({ ...spec, voxelSize: [1.5, 1.52, 1.5], dims: [24, 22, 21] }));
  await writeFile(path.join(dir, 'emd-4400-nocontour.xml'), buildHeaderXml({ ...spec, contour: null }));
  await writeFile(path.join(dir, 'broken.xml'), '<emd emdb_id="EMD-4400"><admin><title>cut off');
});

const reportOf = async (out: string, id: string) => JSON.parse(await readFile(path.join(out, 'entries', id, 'report.json'), 'utf8'));

describe('emvr analyze --header', () => {
  it('takes the threshold, resolution, ID and entry fields from a v3 header; no input warning when the grid agrees', async () => {
    const out = path.join(dir, 'c1');
    const r = emvr('analyze', '--map', map, '--header', path.join(dir, 'emd-4400.xml'), '--out', out, '--no-figures');
    expect(r.code, r.err).toBe(0);
    const rep = await reportOf(out, 'EMD-4400');
    expect(rep.entry).toEqual({ id: 'EMD-4400', title: 'Blob with a header', authors: ['Doe J', 'Roe R'], depositionDate: '2021-03-04', releaseDate: '2021-05-06', resolution: 4.2, threshold: 0.35, method: 'singleParticle', pdbIds: ['1abc'], symmetry: null, molecularWeightMDa: null });
    expect(rep.provenance.parameters).toMatchObject({ threshold: 0.35, resolution: 4.2 });
    expect(rep.inputs.warnings).toBeUndefined();
  });

  it('flags override the header', async () => {
    const out = path.join(dir, 'c2');
    const r = emvr('analyze', '--map', map, '--header', path.join(dir, 'emd-4400.xml'), '--threshold', '0.5', '--resolution', '6', '--title', 'Mine', '--out', out, '--no-figures');
    expect(r.code, r.err).toBe(0);
    const rep = await reportOf(out, 'EMD-4400');
    expect([rep.entry.threshold, rep.entry.resolution, rep.entry.title]).toEqual([0.5, 6, 'Mine']);
  });

  it('a header whose voxel size and box disagree with the map gives two input warnings', async () => {
    const out = path.join(dir, 'c3');
    const r = emvr('analyze', '--map', map, '--header', path.join(dir, 'emd-4400-off.xml'), '--out', out, '--no-figures');
    expect(r.code, r.err).toBe(0);
    const rep = await reportOf(out, 'EMD-4400');
    expect(rep.inputs.warnings).toEqual([
      { code: 'METADATA_VOXEL_SIZE', message: "voxel size in header emd-4400-off.xml (1.5 × 1.52 × 1.5 Å) differs from the map file (1.5 × 1.5 × 1.5 Å) by 0.01 Å or more; the map file's is used" },
      { code: 'METADATA_BOX', message: "box in header emd-4400-off.xml (24 × 22 × 21 voxels) differs from the map file (24 × 22 × 20 voxels); the map file's is used" },
    ]);
    expect(r.out).toContain('input warning: box in header emd-4400-off.xml');
  });

  it('refuses, with exit 1 and nothing written: a broken header, a missing one, one of another entry, one without contour and no --threshold', () => {
    const cases: [string[], RegExp][] = [
      [['--header', path.join(dir, 'broken.xml')], /^emvr analyze: error: .*broken\.xml: not well-formed XML/u],
      [['--header', path.join(dir, 'absent.xml')], /^emvr analyze: error: .*absent\.xml: cannot read the header \(ENOENT\)/u],
      [['--header', path.join(dir, 'emd-4400.xml'), '--id', 'EMD-4401'], /^emvr analyze: error: .*emd-4400\.xml: the header is for "EMD-4400", not EMD-4401/u],
      [['--header', path.join(dir, 'emd-4400-nocontour.xml')], /^emvr analyze: error: .*emd-4400-nocontour\.xml: the header gives no contour level; give --threshold/u],
    ];
    for (const [extra, msg] of cases) {
      const out = path.join(dir, `bad-${path.basename(extra[1])}`);
      const r = emvr('analyze', '--map', map, ...extra, '--out', out, '--no-figures');
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /u);
      expect(existsSync(out), out).toBe(false);
    }
  });
});

describe.skipIf(!haveFixtures('analyze --header on EMD-1997'))('emvr analyze --header on real EMDB files', () => {
  it('EMD-1997 map with its v1.9 header: contour 1 and 7 Å from the header, no input warning (2.02 Å, 100³ agree)', async () => {
    const out = path.join(dir, 'r1');
    const r = emvr('analyze', '--map', fixture('EMD-1997', 'emd_1997.map'), '--header', fixture('EMD-1997', 'header', 'emd-1997_v1.9.xml'), '--out', out, '--no-figures');
    expect(r.code, r.err).toBe(0);
    const rep = await reportOf(out, 'EMD-1997');
    expect([rep.entry.threshold, rep.entry.resolution, rep.entry.method, rep.entry.pdbIds]).toEqual([1, 7, 'singleParticle', ['1oel']]);
    // The header's symmetry and sample weight (C7, 0.8 MDa) reach 0.b: 232 kDa enclosed at contour 1 is 0.29 of it.
    expect([rep.entry.symmetry, rep.entry.molecularWeightMDa]).toEqual(['C7', 0.8]);
    expect(rep.items['0']['0.b'].values.massRatio).toBeCloseTo((34002 * 2.02 ** 3) / 1207 / 800, 6);
    expect(rep.items['0']['0.b'].warnings.map((w: { code: string }) => w.code)).toContain('0b.mass-vs-sample');
    expect(rep.inputs.warnings).toBeUndefined();
  }, 120_000);

  it('the EMD-5778 v3 header given with the EMD-1997 map: the voxel size and box of the header are reported as disagreeing', async () => {
    const out = path.join(dir, 'r2');
    const r = emvr('analyze', '--map', fixture('EMD-1997', 'emd_1997.map'), '--header', fixture('EMD-5778-header-only', 'header', 'emd-5778-v30.xml'), '--threshold', '1', '--out', out, '--no-figures');
    expect(r.code, r.err).toBe(0);
    const rep = await reportOf(out, 'EMD-5778');
    expect(rep.entry.resolution).toBe(3.275);
    expect(rep.inputs.warnings.map((w: { code: string }) => w.code)).toEqual(['METADATA_VOXEL_SIZE', 'METADATA_BOX']);
    expect(rep.inputs.warnings[0].message).toContain('(1.2156 × 1.2156 × 1.2156 Å) differs from the map file (2.02 × 2.02 × 2.02 Å)');
    expect(rep.inputs.warnings[1].message).toContain('(256 × 256 × 256 voxels) differs from the map file (100 × 100 × 100 voxels)');
  }, 120_000);
});
