/**
 * The nightly from the EMDB archive layout (`--archive`, archive-source.ts) against the API
 * mirror: a folder in the layout EMDB mirrors by rsync (structures/EMD-N/{header,map,other}),
 * made from simulated phantoms with half maps and v3 header XML, and the same tree over HTTP (the
 * local mirror's directory listings), publish byte-identical content to a run through the API
 * mirror. Also: metadata that disagrees with the map (voxel size, box) is an input warning in
 * report.json whatever the source; an unchanged archive entry is reused on the next run; a
 * v1.9 header without a half-map list gets the half maps from other/; and `emvr nightly --ids`
 * exits 1 when a requested entry fails.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp as mkdtempRaw, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, haveFixtures, projectRoot } from '../../analyzers/testing/fixtures.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { readMrc } from '../../analyzers/io/mrc.ts';
import { encodeMrc } from '../../analyzers/volume/to-mrc.ts';
import { resolveArchive } from '../emdb/archive-source.ts';
import { resolveEndpoints } from '../emdb/endpoints.ts';
import { buildEntryJson, type EntryJsonSpec } from '../emdb/entry-json.ts';
import { buildHeaderXml } from '../emdb/header-xml-write.ts';
import { startMirror, type Mirror } from '../mirror/mirror.ts';
import { gzipMap, writeMirrorEntry, writeMirrorHeader, writeSimulatedEntries } from '../mirror/mirror-folder.ts';
import { runNightly, type NightlyOptions, type NightlySummary } from './pipeline.ts';

const BOX = 80;
const made: string[] = [];
async function mkdtemp(prefix: string): Promise<string> {
  const d = await mkdtempRaw(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

const fast = { minIntervalMs: 0, backoffMs: 20, retries: 2, timeoutMs: 10_000, idleTimeoutMs: 10_000 };
function opts(out: string, base: string, extra: Partial<NightlyOptions> = {}): NightlyOptions {
  return { out, endpoints: resolveEndpoints({ base }), http: fast, workers: 2, figures: false, progress: false, log: () => undefined, site: { enabled: false, pdf: false }, ...extra };
}
const byId = (s: NightlySummary) => Object.fromEntries(s.outcomes.map((o) => [o.id, o.status]));

/** Every file under `root` (relative path → sha256), sorted. */
async function tree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(path.relative(root, p), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  }
  if (existsSync(root)) await walk(root);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Copies a mirror folder's entries into `<archive>/structures/EMD-N/{header,map,other}` (the API's entry.json left behind). */
async function archiveFrom(mirrorDir: string, archive: string): Promise<void> {
  for (const id of (await readdir(mirrorDir)).filter((n) => n.startsWith('EMD-'))) {
    for (const sub of ['header', 'map', 'other']) {
      const from = path.join(mirrorDir, id, sub);
      if (existsSync(from)) await cp(from, path.join(archive, 'structures', id, sub), { recursive: true });
    }
  }
}

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'cli.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('nightly --archive', () => {
  let mirrorDir = '';
  let archive = '';
  let mirror: Mirror;
  const out = { api: '', dir: '', http: '' };
  const runs: Record<string, NightlySummary> = {};
  /** The voxel size and box the off entry's metadata claims, against its 80³ map at the phantom's voxel size. */
  let offSpec: EntryJsonSpec;

  beforeAll(async () => {
    mirrorDir = await mkdtemp('emvr-archive-mirror-');
    archive = await mkdtemp('emvr-archive-tree-');
    for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] = await mkdtemp(`emvr-archive-out-${k}-`);
    await writeSimulatedEntries(mirrorDir, { names: ['well-behaved', 'decentred'], box: BOX, halfMaps: { resolution: 3.5 } });
    // Metadata that disagrees with its map: voxel size 0.05 Å larger on y, one more section.
    const p = await makePhantom('well-behaved', { box: BOX });
    const [vx, vy, vz] = p.volume.voxelSize;
    offSpec = { id: 'EMD-90200', title: 'Metadata off the map', authors: ['Doe J'], depositionDate: '2024-01-02', releaseDate: '2024-01-15', resolution: p.resolution, contour: p.threshold, dims: [BOX, BOX, BOX + 1], voxelSize: [vx, vy + 0.05, vz] };
    await writeMirrorHeader(mirrorDir, offSpec.id, buildHeaderXml(offSpec));
    await writeMirrorEntry(mirrorDir, offSpec.id, buildEntryJson(offSpec), await gzipMap(encodeMrc(p.volume)));
    await archiveFrom(mirrorDir, archive);
    mirror = await startMirror({ dir: mirrorDir });
  }, 120_000);

  afterAll(async () => {
    await mirror?.close();
  });

  it('publishes the same content from a local archive folder and from the archive over HTTP as through the API mirror', async () => {
    runs.api = await runNightly(opts(out.api, mirror.url));
    const want = { 'EMD-90001': 'analysed', 'EMD-90002': 'analysed', 'EMD-90200': 'analysed' };
    expect(byId(runs.api)).toEqual(want);
    runs.dir = await runNightly(opts(out.dir, mirror.url, { archive: await resolveArchive(archive) }));
    expect(byId(runs.dir)).toEqual(want);
    const before = mirror.requests.length;
    runs.http = await runNightly(opts(out.http, mirror.url, { archive: await resolveArchive(`${mirror.url}/pub/databases/emdb/structures/`) }));
    expect(byId(runs.http)).toEqual(want);
    // Over HTTP only the archive tree was read: its listing, the headers, maps and half maps; never the API.
    const paths = mirror.requests.slice(before).map((r) => r.path);
    expect(paths.filter((p) => p.startsWith('/emdb/api/'))).toEqual([]);
    expect(paths).toContain('/pub/databases/emdb/structures/');
    expect(paths).toContain('/pub/databases/emdb/structures/EMD-90001/header/emd-90001.xml');
    expect(paths).toContain('/pub/databases/emdb/structures/EMD-90001/other/emd_90001_half_map_2.map.gz');

    console.log(`nightly --archive: API mirror ${runs.api.seconds} s, local archive ${runs.dir.seconds} s, HTTP archive ${runs.http.seconds} s (3 entries, 2 with half maps, box ${BOX})`);
    const api = await tree(path.join(out.api, 'content'));
    // Reports and local-value maps (0.e–0.g of each entry, 1.c and 1.e of the two with half maps).
    expect([...api.keys()].filter((k) => k.endsWith('report.json'))).toEqual(['entries/EMD-90001/report.json', 'entries/EMD-90002/report.json', 'entries/EMD-90200/report.json']);
    expect(api.size).toBe(16);
    expect(await tree(path.join(out.dir, 'content'))).toEqual(api);
    expect(await tree(path.join(out.http, 'content'))).toEqual(api);
  }, 300_000);

  it('the reports carry the half maps and the metadata; the off entry warns on voxel size and box', async () => {
    const report = async (id: string) => JSON.parse(await readFile(path.join(out.dir, 'content', 'entries', id, 'report.json'), 'utf8'));
    const r1 = await report('EMD-90001');
    expect(r1.inputs.halfMaps.map((h: { file: string }) => h.file)).toEqual(['emd_90001_half_map_1.map.gz', 'emd_90001_half_map_2.map.gz']);
    expect(Object.keys(r1.items['1'] ?? {}).length).toBeGreaterThan(0);
    expect(r1.entry).toMatchObject({ id: 'EMD-90001', resolution: 3.5, authors: ['emvr phantom generator'], releaseDate: '2024-01-15', method: 'singleParticle' });
    expect(r1.inputs.warnings).toBeUndefined();
    const off = await report('EMD-90200');
    const [vx, vy, vz] = offSpec.voxelSize;
    const mapVs = [vx, vy - 0.05, vz].map((v) => String(Number(v.toFixed(4)))).join(' × ');
    expect(off.inputs.warnings).toEqual([
      { code: 'METADATA_VOXEL_SIZE', message: `voxel size in the EMDB metadata (${offSpec.voxelSize.map((v) => String(Number(v.toFixed(4)))).join(' × ')} Å) differs from the map file (${mapVs} Å) by 0.01 Å or more; the map file's is used` },
      { code: 'METADATA_BOX', message: `box in the EMDB metadata (80 × 80 × 81 voxels) differs from the map file (80 × 80 × 80 voxels); the map file's is used` },
    ]);
  });

  it('a second run over the unchanged archive folder reuses every report without copying a map again', async () => {
    const again = await runNightly(opts(out.dir, mirror.url, { archive: await resolveArchive(archive), full: true }));
    expect(byId(again)).toEqual({ 'EMD-90001': 'reused', 'EMD-90002': 'reused', 'EMD-90200': 'reused' });
  }, 120_000);

  it('a v1.9 header (no half-map list) gets its half maps from other/; a broken header fails only its entry, naming the file', async () => {
    const v19 = await mkdtemp('emvr-archive-v19-');
    const id = 'EMD-90001';
    await cp(path.join(archive, 'structures', id), path.join(v19, id), { recursive: true });
    await rm(path.join(v19, id, 'header'), { recursive: true });
    const spec = JSON.parse(await readFile(path.join(mirrorDir, id, 'entry.json'), 'utf8'));
    const vs = spec.map.pixel_spacing;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<emdEntry accessCode="90001" version="1.9.6"><admin><lastUpdate>2024-01-15</lastUpdate></admin>
<deposition><status>REL</status><depositionDate>2024-01-02</depositionDate><headerReleaseDate>2024-01-15</headerReleaseDate><mapReleaseDate>2024-01-15</mapReleaseDate>
<title>${spec.admin.title.replace(/&/gu, '&amp;').replace(/</gu, '&lt;')}</title><authors>emvr phantom generator</authors></deposition>
<map><file format="CCP4">emd_90001.map.gz</file><dimensions><numColumns>80</numColumns><numRows>80</numRows><numSections>80</numSections></dimensions>
<pixelSpacing><pixelX units="A">${vs.x.valueOf_}</pixelX><pixelY units="A">${vs.y.valueOf_}</pixelY><pixelZ units="A">${vs.z.valueOf_}</pixelZ></pixelSpacing>
<contourLevel source="author">${spec.map.contour_list.contour[0].level}</contourLevel></map>
<processing><method>singleParticle</method><reconstruction><resolutionByAuthor>${spec.structure_determination_list.structure_determination[0].image_processing[0].final_reconstruction.resolution.valueOf_}</resolutionByAuthor></reconstruction></processing></emdEntry>`;
    await mkdir(path.join(v19, id, 'header'), { recursive: true });
    await writeFile(path.join(v19, id, 'header', 'emd-90001-v19.xml'), xml);
    await mkdir(path.join(v19, 'EMD-90300', 'header'), { recursive: true });
    await writeFile(path.join(v19, 'EMD-90300', 'header', 'emd-90300.xml'), '<emd emdb_id="EMD-90300"><admin>');
    const o = await mkdtemp('emvr-archive-out-v19-');
    const s = await runNightly(opts(o, mirror.url, { archive: await resolveArchive(v19) }));
    expect(byId(s)).toEqual({ 'EMD-90001': 'analysed', 'EMD-90300': 'failed' });
    const bad = s.outcomes.find((x) => x.id === 'EMD-90300')!;
    expect(bad.stage).toBe('metadata');
    expect(bad.reason).toMatch(/^header XML could not be read: .*EMD-90300 header emd-90300\.xml: not well-formed XML/u);
    // The same entry block and analysis as from the v3 header.
    const fromV19 = JSON.parse(await readFile(path.join(o, 'content', 'entries', id, 'report.json'), 'utf8'));
    const fromV3 = JSON.parse(await readFile(path.join(out.dir, 'content', 'entries', id, 'report.json'), 'utf8'));
    expect(fromV19.inputs).toEqual(fromV3.inputs);
    expect(fromV19.items).toEqual(fromV3.items);
    expect(fromV19.entry).toEqual(fromV3.entry);
  }, 200_000);

  it('emvr nightly --ids exits 1 when a requested entry fails, 0 when all succeed; --archive refuses a missing folder and an API flag', async () => {
    const failed = await cli(['nightly', '--emdb', mirror.url, '--ids', 'EMD-90001,EMD-99999', '--out', out.api, '--no-site', '--no-figures', '--no-progress', '--request-interval', '0', '--retries', '0']);
    expect(failed.status, failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/EMD-99999 failed \[metadata\]: EMD-99999: not found/u);
    const ok = await cli(['nightly', '--archive', archive, '--ids', 'EMD-90001', '--out', out.dir, '--no-site', '--no-figures', '--no-progress']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/reused 1/u);
    const missing = await cli(['nightly', '--archive', path.join(archive, 'nope'), '--out', out.dir, '--no-site']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--archive: .*nope is not a folder/u);
    const clash = await cli(['nightly', '--archive', archive, '--emdb-api', mirror.url, '--out', out.dir]);
    expect(clash.status).toBe(2);
    expect(clash.stderr).toMatch(/--archive cannot be combined with --emdb-api/u);
  }, 120_000);
});

describe.skipIf(!haveFixtures('nightly --archive on EMD-1997'))('nightly --archive on a real EMDB entry', () => {
  it('EMD-1997 (real map, real v1.9 header): the header\'s metadata reaches the report, and the analysis equals the API mirror\'s with the same contour and resolution', async () => {
    const mirrorDir = await mkdtemp('emvr-archive-real-mirror-');
    const archive = await mkdtemp('emvr-archive-real-tree-');
    const id = 'EMD-1997';
    const gz = await gzipMap(new Uint8Array(await readFile(fixture(id, 'emd_1997.map'))));
    const h = (await readMrc(fixture(id, 'emd_1997.map'))).header;
    // The API mirror's entry: the contour, resolution and sample weight the header gives (1, 7 Å, 0.8 MDa), other fields left out.
    const json = buildEntryJson({ id, title: 'GroEL', authors: [], depositionDate: null, releaseDate: null, resolution: 7, contour: 1, dims: [h.nx, h.ny, h.nz], voxelSize: [2.02, 2.02, 2.02], originVoxels: [h.nxstart, h.nystart, h.nzstart], molecularWeightMDa: 0.8 });
    await writeMirrorEntry(mirrorDir, id, json, gz);
    await mkdir(path.join(archive, 'structures', id, 'header'), { recursive: true });
    await mkdir(path.join(archive, 'structures', id, 'map'), { recursive: true });
    await writeFile(path.join(archive, 'structures', id, 'map', 'emd_1997.map.gz'), gz);
    await cp(fixture(id, 'header', 'emd-1997_v1.9.xml'), path.join(archive, 'structures', id, 'header', 'emd-1997-v19.xml'));
    const m = await startMirror({ dir: mirrorDir });
    try {
      const outApi = await mkdtemp('emvr-archive-real-api-');
      const outArc = await mkdtemp('emvr-archive-real-arc-');
      expect(byId(await runNightly(opts(outApi, m.url, { ids: [id] })))).toEqual({ [id]: 'analysed' });
      // Fitted model 1oel: the mirror's PDB archive has none, so it is noted and left out.
      expect(byId(await runNightly(opts(outArc, m.url, { ids: [id], archive: await resolveArchive(archive) })))).toEqual({ [id]: 'analysed' });
      const read = async (o: string) => JSON.parse(await readFile(path.join(o, 'content', 'entries', id, 'report.json'), 'utf8'));
      const [api, arc] = [await read(outApi), await read(outArc)];
      expect(arc.entry).toEqual({
        id,
        title: 'ATP-triggered molecular mechanics of the chaperonin GroEL',
        authors: ['Clare DK', 'Vasishtan D', 'Stagg S', 'Quispe J', 'Farr GW', 'Topf M', 'Horwich AL', 'Saibil HR'],
        depositionDate: '2011-12-01',
        releaseDate: '2012-04-17',
        resolution: 7,
        threshold: 1,
        method: 'singleParticle',
        pdbIds: ['1oel'],
        symmetry: 'C7',
        molecularWeightMDa: 0.8,
      });
      expect(arc.inputs.warnings).toBeUndefined(); // header 2.02 Å and 100³ agree with the map
      expect(arc.inputs.map.notes.map((n: { code: string }) => n.code)).toContain('EMDB_MODEL_NOT_FETCHED');
      expect(arc.items).toEqual(api.items);
      expect(arc.inputs.map.sha256).toBe(api.inputs.map.sha256);
    } finally {
      await m.close();
    }
  }, 300_000);
});
