/**
 * The local mirror and the EMDB client against it: EMDB's routes and shapes, conditional and
 * ranged downloads, half maps at the archive path, and every injected fault healed by retries —
 * or refused without ever leaving a file in the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMrc } from '../../analyzers/volume/to-mrc.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';
import { EmdbClient, EntryNotFoundError, InputFileNotFoundError } from '../emdb/client.ts';
import { MapVerifyError } from '../emdb/download.ts';
import { resolveEndpoints } from '../emdb/endpoints.ts';
import { planAdditionalInputs } from '../emdb/entry-inputs.ts';
import { buildEntryJson } from '../emdb/entry-json.ts';
import { HttpError } from '../emdb/http.ts';
import { startMirror, type Fault, type Mirror } from './mirror.ts';
import { gzipMap, writeMirrorEntry, writeMirrorFile, writeMirrorModel } from './mirror-folder.ts';
import { modelToMmcif } from './mmcif-write.ts';
import { readModel } from '../../analyzers/io/model-read.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { ModelVerifyError } from '../emdb/model-file.ts';
import { pdbModelUrl } from '../emdb/endpoints.ts';

function blob(seed: number): Volume {
  const [nx, ny, nz] = [24, 22, 20];
  const data = new Float32Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    data[x + nx * (y + ny * z)] = Math.exp(-((x - 12) ** 2 + (y - 11) ** 2 + (z - 10) ** 2) / 18) + 0.01 * Math.sin(x * 7 + y * 3 + z * seed);
  }
  return { dims: [nx, ny, nz], voxelSize: [1.5, 1.5, 1.5], origin: [0, 0, 0], data };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let dir = '';
let cacheRoot = '';
let mirror: Mirror;
const gz: Record<string, Uint8Array> = {};

function entry(id: string, releaseDate: string, updateDate?: string, halfMaps = false) {
  return buildEntryJson({ id, title: `Blob ${id}`, authors: ['Doe J'], depositionDate: '2023-12-01', releaseDate, updateDate, resolution: 4, contour: 0.5, dims: [24, 22, 20], voxelSize: [1.5, 1.5, 1.5], halfMaps });
}

function client(): EmdbClient {
  return new EmdbClient(resolveEndpoints({ base: mirror.url }), { minIntervalMs: 0, backoffMs: 10, retries: 3, timeoutMs: 5000, idleTimeoutMs: 5000 });
}

/** Sets the mirror's faults file (re-read on the next request). */
async function faults(list: Fault[]): Promise<void> {
  await writeFile(path.join(dir, 'faults.json'), JSON.stringify({ faults: list }));
  // mtime resolution: make sure the next write is seen as a change
  await new Promise((r) => setTimeout(r, 15));
}

const mapRequests = (id: string) => mirror.requests.filter((r) => r.path.includes(`/structures/${id}/map/`));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'emvr-mirror-'));
  cacheRoot = await mkdtemp(path.join(tmpdir(), 'emvr-cache-'));
  for (const [k, id] of ['EMD-1234', 'EMD-5678', 'EMD-10001'].entries()) {
    gz[id] = await gzipMap(encodeMrc(blob(k + 1)));
    await writeMirrorEntry(dir, id, entry(id, k === 0 ? '2024-01-10' : '2023-05-01', k === 1 ? '2024-02-01' : undefined), gz[id]);
  }
  // An entry whose "map" is gzip of text: complete and valid gzip, but no MRC header.
  await writeMirrorEntry(dir, 'EMD-2222', entry('EMD-2222', '2022-01-01'), await gzipMap(new TextEncoder().encode('not a map '.repeat(200))));
  // An entry without a map file.
  await writeMirrorEntry(dir, 'EMD-3333', entry('EMD-3333', '2022-01-01'), null);
  // An entry with half maps in other/ (the second one is never written: 404).
  for (const k of [1, 2]) gz[`EMD-4444/${k}`] = await gzipMap(encodeMrc(blob(10 + k)));
  await writeMirrorFile(dir, 'EMD-4444', 'other', 'emd_4444_half_map_1.map.gz', gz['EMD-4444/1']);
  await writeMirrorEntry(dir, 'EMD-4444', entry('EMD-4444', '2022-01-01', undefined, true), gz['EMD-1234']);
  mirror = await startMirror({ dir });
});

afterAll(async () => {
  await mirror?.close();
  for (const d of [dir, cacheRoot]) if (d) await rm(d, { recursive: true, force: true });
});

describe('mirror routes', () => {
  it('serves entry JSON for EMD-N and the bare number, on the entry, map and supplement routes; 404 for unknown IDs', async () => {
    const want = JSON.parse(await readFile(path.join(dir, 'EMD-1234', 'entry.json'), 'utf8'));
    for (const p of ['/emdb/api/entry/EMD-1234', '/emdb/api/entry/1234', '/emdb/api/entry/map/1234', '/emdb/api/entry/supplement/EMD-1234']) {
      const r = await fetch(`${mirror.url}${p}`);
      expect(r.status, p).toBe(200);
      expect(await r.json()).toEqual(want);
    }
    for (const p of ['/emdb/api/entry/EMD-9999', '/emdb/api/entry/..%2F..%2Fetc%2Fpasswd', '/emdb/api/entry/EMD-12']) {
      expect((await fetch(`${mirror.url}${p}`)).status, p).toBe(404);
    }
  });

  it('answers searches as CSV and JSON, and 400 for an unknown field', async () => {
    const q = encodeURIComponent('release_date:[2024-01-01T00:00:00Z TO *] OR update_date:[2024-01-01T00:00:00Z TO *]');
    const csv = await (await fetch(`${mirror.url}/emdb/api/search/${q}?rows=100&fl=emdb_id,title&wt=csv`)).text();
    expect(csv).toBe('emdb_id,title\nEMD-1234,Blob EMD-1234\nEMD-5678,Blob EMD-5678\n');
    const json = await (await fetch(`${mirror.url}/emdb/api/search/${encodeURIComponent('*:*')}?rows=2&fl=emdb_id,resolution`)).json();
    expect(json).toEqual([{ emdb_id: 'EMD-1234', resolution: 4 }, { emdb_id: 'EMD-2222', resolution: 4 }]);
    expect((await fetch(`${mirror.url}/emdb/api/search/bogus_field:1?wt=csv`)).status).toBe(400);
  });

  it('lists the archive tree as HTML and serves map files with ranges and conditional GET', async () => {
    const index = await (await fetch(`${mirror.url}/pub/databases/emdb/structures/`)).text();
    expect(index).toContain('<a href="EMD-1234/">EMD-1234/</a>');
    expect(index).toContain('<a href="EMD-10001/">EMD-10001/</a>');
    const url = `${mirror.url}/pub/databases/emdb/structures/EMD-1234/map/emd_1234.map.gz`;
    const full = await fetch(url);
    const body = new Uint8Array(await full.arrayBuffer());
    expect(sha(body)).toBe(sha(gz['EMD-1234']));
    const etag = full.headers.get('etag')!;
    const part = await fetch(url, { headers: { range: 'bytes=100-' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-${body.length - 1}/${body.length}`);
    expect(sha(new Uint8Array(await part.arrayBuffer()))).toBe(sha(body.subarray(100)));
    expect((await fetch(url, { headers: { range: `bytes=${body.length + 5}-` } })).status).toBe(416);
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // A stale If-Range validator gets the whole file, not a range.
    expect((await fetch(url, { headers: { range: 'bytes=100-', 'if-range': '"stale"' } })).status).toBe(200);
    for (const bad of ['/pub/databases/emdb/structures/EMD-1234/map/..%2F..%2FEMD-1234%2Fentry.json', '/pub/databases/emdb/structures/EMD-1234/secret/x', '/pub/databases/emdb/structures/EMD-12/map/x']) {
      expect((await fetch(`${mirror.url}${bad}`)).status, bad).toBe(404);
    }
  });
});

describe('EMDB client against the mirror', () => {
  it('discovers released-or-updated entries since a day, and all released ones without one', async () => {
    const c = client();
    expect((await c.discover({ since: '2024-01-01', methods: ['singleParticle'] })).ids).toEqual(['EMD-1234', 'EMD-5678']);
    expect((await c.discover({ since: null, methods: ['singleParticle'] })).ids).toEqual(['EMD-1234', 'EMD-2222', 'EMD-3333', 'EMD-4444', 'EMD-5678', 'EMD-10001']);
    // A server that refuses the update-date field: the client falls back to release dates and says so.
    const d = await c.discover({ since: '2024-01-01', methods: [], updateField: 'last_modified' });
    expect(d.ids).toEqual(['EMD-1234']);
    expect(d.note).toMatch(/release date only/u);
  });

  it('reads entry JSON, and reports a missing entry as not found', async () => {
    const e = await client().getEntry('EMD-10001');
    expect(e.metadata).toMatchObject({ id: 'EMD-10001', threshold: 0.5, resolution: 4, voxelSize: [1.5, 1.5, 1.5] });
    await expect(client().getEntry('EMD-9999')).rejects.toBeInstanceOf(EntryNotFoundError);
    await expect(client().getEntry('EMD-1/../x')).rejects.toThrow(/not an EMDB ID/u);
  });

  it('downloads a map, verifies it, records its sha256, and revalidates it with a 304 next time', async () => {
    const dest = path.join(cacheRoot, 'ok', 'emd_1234.map.gz');
    const first = await client().fetchMap('EMD-1234', dest);
    expect(first.fromCache).toBe(false);
    expect(first.info.sha256).toBe(sha(gz['EMD-1234']));
    expect(first.info.dims).toEqual([24, 22, 20]);
    expect(first.info.voxelSize).toEqual([1.5, 1.5, 1.5]);
    expect(sha(new Uint8Array(await readFile(dest)))).toBe(sha(gz['EMD-1234']));
    const again = await client().fetchMap('EMD-1234', dest);
    expect(again.fromCache).toBe(true);
    expect(mapRequests('EMD-1234').at(-1)?.status).toBe(304);
  });
});

describe('half maps', () => {
  const halfRequests = () => mirror.requests.filter((r) => r.path.includes('/structures/EMD-4444/other/'));

  it('are served at the archive path other/<file> and listed there', async () => {
    const listing = await (await fetch(`${mirror.url}/pub/databases/emdb/structures/EMD-4444/other/`)).text();
    expect(listing).toContain('<a href="emd_4444_half_map_1.map.gz">');
    const r = await fetch(`${mirror.url}/pub/databases/emdb/structures/EMD-4444/other/emd_4444_half_map_1.map.gz`);
    expect(r.status).toBe(200);
    expect(sha(new Uint8Array(await r.arrayBuffer()))).toBe(sha(gz['EMD-4444/1']));
  });

  it('are fetched as the entry JSON lists them: verified, cached, revalidated, resumed; a missing one is a 404 naming the file', async () => {
    const e = await client().getEntry('EMD-4444');
    const [first, second] = planAdditionalInputs(e.metadata).files;
    expect(first).toEqual({ kind: 'halfMap', index: 1, file: 'emd_4444_half_map_1.map.gz', folder: 'other' });
    const dest = path.join(cacheRoot, 'halves', 'EMD-4444', 'other', first.file);
    await faults([{ match: '/structures/EMD-4444/other/emd_4444_half_map_1', kind: 'truncate', fraction: 0.3, times: 1 }]);
    const before = halfRequests().length;
    const got = await client().fetchInput('EMD-4444', first, dest);
    expect(got).toMatchObject({ fromCache: false, info: { sha256: sha(gz['EMD-4444/1']), dims: [24, 22, 20] } });
    // Cut short, then resumed where it stopped.
    expect(halfRequests().slice(before).map((r) => [r.status, r.range])).toEqual([[200, null], [206, `bytes=${Math.floor(gz['EMD-4444/1'].length * 0.3)}-`]]);
    expect(await readdir(path.dirname(dest))).toEqual(['emd_4444_half_map_1.map.gz', 'emd_4444_half_map_1.map.gz.json']);
    await faults([]);
    expect((await client().fetchInput('EMD-4444', first, dest)).fromCache).toBe(true);
    expect(halfRequests().at(-1)?.status).toBe(304);

    const err = await client().fetchInput('EMD-4444', second, path.join(path.dirname(dest), second.file)).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InputFileNotFoundError);
    expect((err as Error).message).toMatch(/^EMD-4444 half map 2 \(emd_4444_half_map_2\.map\.gz\): not found in the archive \(HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/pub\/databases\/emdb\/structures\/EMD-4444\/other\/emd_4444_half_map_2\.map\.gz\)$/u);
    expect(await readdir(path.dirname(dest))).toEqual(['emd_4444_half_map_1.map.gz', 'emd_4444_half_map_1.map.gz.json']);
  });
});

describe('fitted models', () => {
  const protein = proceduralProtein({ seed: 3 });
  const modelRequests = () => mirror.requests.filter((r) => r.path.startsWith('/pub/pdb/'));

  it('the mmCIF writer round-trips through the analyzer\'s reader', async () => {
    const file = path.join(cacheRoot, 'roundtrip.cif');
    await writeFile(file, modelToMmcif(protein, '9abc'));
    const back = await readModel(file);
    expect(back.count).toBe(protein.count);
    expect(back.atomName).toEqual(protein.atomName);
    expect(back.chainId).toEqual(protein.chainId);
    expect(Array.from(back.resSeq)).toEqual(Array.from(protein.resSeq));
    for (let i = 0; i < protein.count; i += 97) expect(Math.abs(back.x[i] - protein.x[i])).toBeLessThan(6e-4);
  });

  it('are served at the PDB archive\'s divided path, fetched with a sidecar and revalidated; a wrong shard or unknown ID is a 404 naming entry and PDB ID', async () => {
    const bytes = await gzipMap(new TextEncoder().encode(modelToMmcif(protein, '9abc')));
    await writeMirrorModel(dir, '9abc', bytes);
    expect(pdbModelUrl({ pdb: 'https://files.wwpdb.org' }, '1oel')).toBe('https://files.wwpdb.org/pub/pdb/data/structures/divided/mmCIF/oe/1oel.cif.gz');
    expect((await fetch(`${mirror.url}/pub/pdb/data/structures/divided/mmCIF/xx/9abc.cif.gz`)).status).toBe(404);
    const input = planAdditionalInputs({ halfMaps: [], pdbIds: ['9abc'] }).files[0];
    expect(input).toEqual({ kind: 'model', index: 1, file: '9abc.cif.gz', folder: 'model', pdbId: '9abc' });
    const dest = path.join(cacheRoot, 'models', 'EMD-1234', 'model', input.file);
    const got = await client().fetchInput('EMD-1234', input, dest);
    expect(got).toMatchObject({ fromCache: false, info: { sha256: sha(bytes), bytes: bytes.length, atoms: protein.count } });
    expect(modelRequests().at(-1)?.path).toBe('/pub/pdb/data/structures/divided/mmCIF/ab/9abc.cif.gz');
    expect((await client().fetchInput('EMD-1234', input, dest)).fromCache).toBe(true);
    expect(await readdir(path.dirname(dest))).toEqual(['9abc.cif.gz', '9abc.cif.gz.json']);

    const missing = planAdditionalInputs({ halfMaps: [], pdbIds: ['pdb_00009zzz'] }).files[0];
    expect(missing).toMatchObject({ file: '9zzz.cif.gz', pdbId: 'pdb_00009zzz' });
    const err = await client().fetchInput('EMD-1234', missing, path.join(path.dirname(dest), missing.file)).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InputFileNotFoundError);
    expect((err as Error).message).toMatch(/^EMD-1234 fitted model pdb_00009zzz \(9zzz\.cif\.gz\): not found in the PDB archive \(HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/pub\/pdb\/data\/structures\/divided\/mmCIF\/zz\/9zzz\.cif\.gz\)$/u);
    // An extended ID with no 4-character form has no archive path: left out with a note.
    expect(planAdditionalInputs({ halfMaps: [], pdbIds: ['pdb_00012abc'] })).toMatchObject({ files: [], notes: [{ code: 'EMDB_MODEL_ID_UNSUPPORTED', message: expect.stringMatching(/^fitted model pdb_00012abc: /u) }] });
  });

  it('that gunzip but are not mmCIF, or are not gzip at all, fail verification without leaving a file', async () => {
    await writeMirrorModel(dir, '8bad', await gzipMap(new TextEncoder().encode('HEADER    not a cif\nEND\n')));
    await writeMirrorModel(dir, '8raw', new TextEncoder().encode('<html>Not here</html>'));
    const folder = path.join(cacheRoot, 'models', 'EMD-5678', 'model');
    for (const [pdb, why] of [['8bad', /^EMD-5678 fitted model 8bad \(8bad\.cif\.gz\): not an mmCIF file/u], ['8raw', /^EMD-5678 fitted model 8raw \(8raw\.cif\.gz\): not gzip-compressed/u]] as const) {
      const input = planAdditionalInputs({ halfMaps: [], pdbIds: [pdb] }).files[0];
      const err = await client().fetchInput('EMD-5678', input, path.join(folder, input.file)).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(ModelVerifyError);
      expect((err as Error).message).toMatch(why);
    }
    expect(await readdir(folder)).toEqual([]);
  });
});

describe('fault injection', () => {
  it('a body cut short (Content-Length says more) is resumed with a Range request and verified', async () => {
    await faults([{ match: '/structures/EMD-5678/map/', kind: 'truncate', fraction: 0.4, times: 1 }]);
    const before = mapRequests('EMD-5678').length;
    const dest = path.join(cacheRoot, 'resume', 'emd_5678.map.gz');
    const got = await client().fetchMap('EMD-5678', dest);
    expect(got.info.sha256).toBe(sha(gz['EMD-5678']));
    const reqs = mapRequests('EMD-5678').slice(before);
    expect(reqs.map((r) => r.status)).toEqual([200, 206]);
    expect(reqs[0].fault).toBe('truncate');
    expect(reqs[1].range).toBe(`bytes=${Math.floor(gz['EMD-5678'].length * 0.4)}-`);
    expect(await readdir(path.dirname(dest))).toEqual(['emd_5678.map.gz', 'emd_5678.map.gz.json']);
  });

  it('a body that ends early without a length fails gzip verification and is downloaded again from the start', async () => {
    await faults([{ match: '/structures/EMD-10001/map/', kind: 'truncate', noLength: true, times: 1 }]);
    const before = mapRequests('EMD-10001').length;
    const dest = path.join(cacheRoot, 'clean-cut', 'emd_10001.map.gz');
    const got = await client().fetchMap('EMD-10001', dest);
    expect(got.info.sha256).toBe(sha(gz['EMD-10001']));
    const reqs = mapRequests('EMD-10001').slice(before);
    expect(reqs.map((r) => [r.status, r.range])).toEqual([[200, null], [200, null]]);
  });

  it('a corrupt gzip is retried; when it stays corrupt nothing is cached', async () => {
    await faults([{ match: '/structures/EMD-1234/map/', kind: 'bad-gzip', times: 1 }]);
    const dest = path.join(cacheRoot, 'badgz', 'emd_1234.map.gz');
    const got = await client().fetchMap('EMD-1234', dest);
    expect(got.info.sha256).toBe(sha(gz['EMD-1234']));

    await faults([{ match: '/structures/EMD-1234/map/', kind: 'bad-gzip' }]);
    const dest2 = path.join(cacheRoot, 'badgz-always', 'emd_1234.map.gz');
    const before = mapRequests('EMD-1234').length;
    const err = await client().fetchMap('EMD-1234', dest2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as Error).message).toMatch(/not valid gzip.*after 4 attempts/su);
    expect(mapRequests('EMD-1234').length - before).toBe(4);
    expect(await readdir(path.dirname(dest2))).toEqual([]);
  });

  it('an answer that does not come in time is abandoned and asked again', async () => {
    await faults([{ match: '/emdb/api/entry/EMD-10001', kind: 'slow', delayMs: 10_000, times: 1 }]);
    const c = new EmdbClient(resolveEndpoints({ base: mirror.url }), { minIntervalMs: 0, backoffMs: 10, retries: 2, timeoutMs: 2000, idleTimeoutMs: 2000 });
    const e = await c.getEntry('EMD-10001');
    expect(e.metadata.id).toBe('EMD-10001');
    expect(mirror.requests.filter((r) => r.path === '/emdb/api/entry/EMD-10001').slice(-2).map((r) => r.fault)).toEqual(['slow', null]);
  });

  it('5xx, 429 with Retry-After and dropped connections are retried; 404 and a non-MRC file are final and not cached', async () => {
    await faults([
      { match: '/emdb/api/entry/EMD-5678', kind: 'status', status: 503, times: 2 },
      { match: '/structures/EMD-10001/map/', kind: 'status', status: 429, retryAfter: 0, times: 1 },
      { match: '/structures/EMD-10001/map/', kind: 'reset', times: 1 },
    ]);
    const e = await client().getEntry('EMD-5678');
    expect(e.metadata.id).toBe('EMD-5678');
    expect(mirror.requests.filter((r) => r.path === '/emdb/api/entry/EMD-5678').slice(-3).map((r) => r.status)).toEqual([503, 503, 200]);
    const before = mapRequests('EMD-10001').length;
    const got = await client().fetchMap('EMD-10001', path.join(cacheRoot, 'r429', 'emd_10001.map.gz'));
    expect(got.info.sha256).toBe(sha(gz['EMD-10001']));
    expect(mapRequests('EMD-10001').slice(before).map((r) => r.fault)).toEqual(['status', 'reset', null]);

    await faults([]);
    const missing = path.join(cacheRoot, 'missing', 'emd_3333.map.gz');
    await expect(client().fetchMap('EMD-3333', missing)).rejects.toBeInstanceOf(EntryNotFoundError);
    expect(mapRequests('EMD-3333').length).toBe(1);
    const notMrc = path.join(cacheRoot, 'notmrc', 'emd_2222.map.gz');
    const err = await client().fetchMap('EMD-2222', notMrc).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(MapVerifyError);
    expect((err as Error).message).toMatch(/less than an MRC header|not a readable MRC map/u);
    expect(mapRequests('EMD-2222').length).toBe(1);
    expect(existsSync(notMrc) || existsSync(`${notMrc}.part`)).toBe(false);
  });
});
