/**
 * Builds mirror folders (the layout mirror.ts serves): `<dir>/EMD-N/entry.json`,
 * `<dir>/EMD-N/map/emd_N.map.gz`, for simulated entries the header XML `<dir>/EMD-N/header/emd-N.xml`
 * (so the folder is also an EMDB archive layout, archive-source.ts), for entries with half maps `<dir>/EMD-N/other/<file>`, and for
 * entries with a fitted model `<dir>/_models/<pdb>.cif.gz`, written atomically. Sources: simulated
 * phantoms (each with one known defect or a known clean answer), optionally with two half maps of
 * a designed FSC (analyzers/simulate/half-maps.ts) or with the procedural protein they were
 * simulated from as their fitted model (written as mmCIF, mmcif-write.ts), and,
 * when present, the real EMDB fixture maps with their known contour levels. Dates and seeds are
 * fixed, so building the same folder twice gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { encodeMrc } from '../../analyzers/volume/to-mrc.ts';
import { readMrc } from '../../analyzers/io/mrc.ts';
import type { AtomModel } from '../../analyzers/io/model.ts';
import { simulateHalfMaps, type FscDesign } from '../../analyzers/simulate/half-maps.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { makePhantom, PHANTOM_BLUR_B, PHANTOM_RESOLUTION_A, phantomNames, type Phantom, type PhantomName } from '../../analyzers/simulate/phantoms.ts';
import { toVolume } from '../../analyzers/volume/from-mrc.ts';
import { volumeStats } from '../../analyzers/volume/stats.ts';
import type { ArchiveFolder } from '../emdb/endpoints.ts';
import { buildEntryJson, type EntryJsonSpec } from '../emdb/entry-json.ts';
import { buildHeaderXml } from '../emdb/header-xml-write.ts';
import { checkEmdbId, halfMapFileName, mapFileName, safeFileName } from '../emdb/ids.ts';
import { pdbModelFileName } from '../emdb/endpoints.ts';
import { modelToMmcif } from './mmcif-write.ts';
import { levelATruth, type LevelATruth } from './model-truth.ts';
import { parseMmcif } from '../../analyzers/io/model-cif.ts';
import { simulateMap } from '../../analyzers/simulate/simulate.ts';

const gzipAsync = promisify(gzip);

/** Writes one entry into a mirror folder: entry JSON (pretty-printed) and, if given, the gzip map bytes. */
export async function writeMirrorEntry(dir: string, id: string, json: unknown, mapGz: Uint8Array | null): Promise<void> {
  checkEmdbId(id);
  await writeFileAtomic(path.join(dir, id, 'entry.json'), `${JSON.stringify(json, null, 2)}\n`);
  if (mapGz !== null) await writeFileAtomic(path.join(dir, id, 'map', mapFileName(id)), mapGz);
}

/** Writes one file of an entry's archive folder (`<dir>/EMD-N/<folder>/<file>`, e.g. a half map in other/). */
export async function writeMirrorFile(dir: string, id: string, folder: ArchiveFolder, file: string, bytes: Uint8Array): Promise<void> {
  checkEmdbId(id);
  if (safeFileName(file) === null) throw new Error(`${id}: ${JSON.stringify(file.slice(0, 80))} is not a plain file name`);
  await writeFileAtomic(path.join(dir, id, folder, file), bytes);
}

/** Writes an entry's header XML where the EMDB archive has it (`<dir>/EMD-N/header/emd-N.xml`). */
export async function writeMirrorHeader(dir: string, id: string, xml: string): Promise<void> {
  await writeFileAtomic(path.join(dir, checkEmdbId(id), 'header', `emd-${id.slice(4)}.xml`), xml);
}

/** Writes a fitted model where the mirror serves the PDB archive from (`<dir>/_models/<pdb>.cif.gz`). */
export async function writeMirrorModel(dir: string, pdbId: string, cifGz: Uint8Array): Promise<void> {
  await writeFileAtomic(path.join(dir, '_models', pdbModelFileName(pdbId)), cifGz);
}

/** gzip of an MRC byte block at a fixed level (Node writes mtime 0, so the bytes are reproducible). */
export async function gzipMap(mrc: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await gzipAsync(mrc, { level: 6 }));
}

/** The half maps written with a simulated entry. */
export interface SimulatedHalfMaps {
  /** File names, as the entry JSON lists them (in other/). */
  readonly files: readonly [string, string];
  /** sha256 of each file's (gzip) bytes: what the report's inputs.halfMaps must record. */
  readonly sha256: readonly [string, string];
  /** The FSC the two halves were built to have. */
  readonly design: FscDesign;
}

/** One simulated entry of a mirror folder and what its report must show. */
export interface SimulatedEntry {
  readonly id: string;
  readonly phantom: PhantomName;
  /** Name in the demo's checks when it is not the phantom's (a half-map variant). */
  readonly label?: string;
  readonly description: string;
  readonly threshold: number;
  readonly resolution: number | null;
  /** Level 0 items that must warn; or that the analysis must refuse the map. */
  readonly expect: Phantom['expect'];
  /** Its half maps, when it has them. */
  readonly halfMaps?: SimulatedHalfMaps;
  /** Level 1 items that must warn (and no other Level 1 item), for entries with half maps. */
  readonly level1Warns?: readonly string[];
  /** Its fitted model, when it has one: what the report's inputs.model must record. */
  readonly model?: SimulatedModel;
  /** What Level A must measure with that model (model-truth.ts), when the model made the map. */
  readonly levelA?: LevelATruth;
}

/** The fitted model written with a simulated entry. */
export interface SimulatedModel {
  /** PDB ID the entry JSON lists (a fake one such as 9xyz). */
  readonly pdbId: string;
  /** File name the PDB archive serves it under (`9xyz.cif.gz`). */
  readonly file: string;
  /** sha256 of the served (gzip) bytes. */
  readonly sha256: string;
  readonly atoms: number;
}

/** Accession of the k-th phantom (0-based) in a simulated mirror: EMD-90001, EMD-90002, … */
export function phantomId(k: number, base = 90001): string {
  return `EMD-${base + k}`;
}

/** Options of the simulated-entry writers. */
export interface SimulatedEntryOptions {
  /** Phantom box edge (default: each phantom's own). */
  readonly box?: number;
  /** Seed of the phantoms (default 1). */
  readonly seed?: number;
  /** Release day YYYY-MM-DD (default 2024-01-15); the update day defaults to it. */
  readonly releaseDate?: string;
  readonly updateDate?: string;
}

/** Two gzip MRC half maps of `p`'s map with the FSC `design`; deterministic for the same seed. */
async function halfMapFiles(id: string, p: Phantom, design: FscDesign, seed: number): Promise<{ files: [string, string]; gz: [Uint8Array, Uint8Array] }> {
  const { half1, half2 } = await simulateHalfMaps(p.volume, design, seed);
  const label = `emvr simulated half map of phantom ${p.name}, FSC 0.143 at ${design.resolution} A`;
  const gz = [await gzipMap(encodeMrc(half1, { labels: [label] })), await gzipMap(encodeMrc(half2, { labels: [label] }))] as [Uint8Array, Uint8Array];
  return { files: [halfMapFileName(id, 1), halfMapFileName(id, 2)], gz };
}

/** Writes one simulated entry (map, entry JSON listing its half maps when given, the half maps) and returns it. */
async function writeSimulatedEntry(
  dir: string,
  id: string,
  p: Phantom,
  opts: SimulatedEntryOptions & { title?: string; label?: string; halfMaps?: { design: FscDesign; seed: number }; level1Warns?: readonly string[]; model?: { pdbId: string; atoms: AtomModel } },
): Promise<SimulatedEntry> {
  const gz = await gzipMap(encodeMrc(p.volume, { labels: [`emvr simulated phantom ${p.name}`] }));
  const halves = opts.halfMaps ? await halfMapFiles(id, p, opts.halfMaps.design, opts.halfMaps.seed) : null;
  const modelGz = opts.model ? await gzipMap(new TextEncoder().encode(modelToMmcif(opts.model.atoms, opts.model.pdbId))) : null;
  const s = volumeStats(p.volume.data);
  const spec: EntryJsonSpec = {
    id,
    title: opts.title ?? `Simulated phantom "${p.name}": ${p.description}`,
    authors: ['emvr phantom generator'],
    depositionDate: '2024-01-02',
    releaseDate: opts.releaseDate ?? '2024-01-15',
    updateDate: opts.updateDate,
    resolution: p.resolution,
    contour: p.threshold,
    method: 'singleParticle',
    dims: p.volume.dims,
    voxelSize: p.volume.voxelSize,
    originVoxels: [0, 0, 0],
    statistics: { min: s.min, max: s.max, mean: s.mean, std: s.std },
    sizeKbytes: Math.ceil(gz.length / 1024),
    ...(halves ? { halfMaps: halves.files } : {}),
    ...(opts.model ? { pdbIds: [opts.model.pdbId] } : {}),
  };
  // Half maps and model first: the entry JSON that lists them appears only once they are in place.
  if (halves) for (const k of [0, 1]) await writeMirrorFile(dir, id, 'other', halves.files[k], halves.gz[k]);
  if (opts.model && modelGz) await writeMirrorModel(dir, opts.model.pdbId, modelGz);
  await writeMirrorHeader(dir, id, buildHeaderXml(spec));
  await writeMirrorEntry(dir, id, buildEntryJson(spec), gz);
  return {
    id,
    phantom: p.name,
    ...(opts.label ? { label: opts.label } : {}),
    description: p.description,
    threshold: p.threshold,
    resolution: p.resolution,
    expect: p.expect,
    ...(halves && opts.halfMaps ? { halfMaps: { files: halves.files, sha256: [sha256Hex(halves.gz[0]), sha256Hex(halves.gz[1])], design: opts.halfMaps.design } } : {}),
    ...(halves ? { level1Warns: opts.level1Warns ?? [] } : {}),
    ...(opts.model && modelGz ? { model: { pdbId: opts.model.pdbId, file: pdbModelFileName(opts.model.pdbId), sha256: sha256Hex(modelGz), atoms: opts.model.atoms.count } } : {}),
  };
}

const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Adds a simulated entry per phantom name to `dir` (default: every phantom). `box` is the phantom
 * box edge (default: each phantom's own default); `releaseDate` (YYYY-MM-DD) sets release and
 * update dates (default 2024-01-15). With `halfMaps`, every entry also gets two half maps of that
 * FSC design (seed `halfMapSeed`, default 1). Returns the entries with their expected answers.
 */
export async function writeSimulatedEntries(
  dir: string,
  opts: SimulatedEntryOptions & { names?: readonly PhantomName[]; idBase?: number; halfMaps?: FscDesign; halfMapSeed?: number } = {},
): Promise<SimulatedEntry[]> {
  const names = opts.names ?? phantomNames;
  const out: SimulatedEntry[] = [];
  for (const name of names) {
    const id = phantomId(phantomNames.indexOf(name), opts.idBase);
    const p = await makePhantom(name, { seed: opts.seed ?? 1, box: opts.box });
    const { box, seed, releaseDate, updateDate } = opts;
    out.push(await writeSimulatedEntry(dir, id, p, { box, seed, releaseDate, updateDate, ...(opts.halfMaps ? { halfMaps: { design: opts.halfMaps, seed: opts.halfMapSeed ?? 1 } } : {}) }));
  }
  return out;
}

/** A simulated entry with half maps: a phantom's map, two halves of a designed FSC, and the Level 1 answer. */
export interface HalfMapVariant {
  readonly id: string;
  readonly label: string;
  readonly phantom: PhantomName;
  readonly design: FscDesign;
  readonly title: string;
  /** Level 1 items that must warn. */
  readonly level1Warns: readonly string[];
}

/**
 * The demo's entries with half maps (after the phantoms' EMD-90001…90010). Both deposit the
 * well-behaved phantom (reported at 3.5 Å): one with half maps whose FSC crosses 0.143 at that
 * resolution, one whose half maps only reach 7 Å, so the claimed resolution is too optimistic
 * and the items measuring resolution from the half maps (1.a, 1.b, 1.c, 1.e, 1.g, 1.h) must say so; and the masked-background phantom with unmasked half
 * maps, whose 0.e, impossible from the masked map alone, takes its noise from the half maps.
 */
export const HALF_MAP_VARIANTS: readonly HalfMapVariant[] = [
  {
    id: 'EMD-90011',
    label: 'half-maps',
    phantom: 'well-behaved',
    design: { resolution: PHANTOM_RESOLUTION_A },
    title: `Simulated phantom "well-behaved" with half maps whose FSC crosses 0.143 at the reported ${PHANTOM_RESOLUTION_A} Å`,
    level1Warns: [],
  },
  {
    id: 'EMD-90012',
    label: 'optimistic-resolution',
    phantom: 'well-behaved',
    // 7 Å, not 6: 1.g and 1.h measure the masked (uncorrected) half maps, which on this phantom read
    // 6 Å halves at 4.4 Å, within 0.8 × of the 3.5 Å claim; the defect must be larger than the mask's optimism.
    design: { resolution: 7 },
    title: `Simulated phantom "well-behaved" reporting ${PHANTOM_RESOLUTION_A} Å, with half maps whose FSC crosses 0.143 at 7 Å`,
    // Every item that compares the claim with a resolution measured from the half maps: FSC/DPR/SSNR, FDR-FSC, local FSC, MonoRes with half maps, FSO, 3-D FSC.
    level1Warns: ['1.a', '1.b', '1.c', '1.e', '1.g', '1.h'],
  },
  {
    id: 'EMD-90013',
    label: 'masked-half-maps',
    phantom: 'masked-background',
    design: { resolution: PHANTOM_RESOLUTION_A },
    title: `Simulated phantom "masked-background" (masked before deposition) with unmasked half maps at ${PHANTOM_RESOLUTION_A} Å: 0.e takes its noise from the half maps`,
    level1Warns: [],
  },
];

/** Adds the half-map variants (default: all of HALF_MAP_VARIANTS) to `dir`; returns them with their expected answers. */
export async function writeHalfMapEntries(dir: string, opts: SimulatedEntryOptions & { variants?: readonly HalfMapVariant[] } = {}): Promise<SimulatedEntry[]> {
  const out: SimulatedEntry[] = [];
  for (const v of opts.variants ?? HALF_MAP_VARIANTS) {
    const p = await makePhantom(v.phantom, { seed: opts.seed ?? 1, box: opts.box });
    out.push(await writeSimulatedEntry(dir, v.id, p, { ...opts, title: v.title, label: v.label, halfMaps: { design: v.design, seed: 1 }, level1Warns: v.level1Warns }));
  }
  return out;
}

/** A simulated entry with a fitted model: a phantom's map and the procedural protein it was simulated from. */
export interface ModelVariant {
  readonly id: string;
  readonly label: string;
  readonly phantom: PhantomName;
  /** Fake PDB ID the entry JSON lists and the mirror serves the model under. */
  readonly pdbId: string;
  readonly title: string;
}

/**
 * The demo's entries with a fitted model (after the half-map variants): the well-behaved phantom
 * with, as its model, the very procedural protein its map was simulated from (same seed, same
 * coordinates: the map's header origin puts it in the model's frame), under the fake PDB ID 9xyz.
 */
export const MODEL_VARIANTS: readonly ModelVariant[] = [
  {
    id: 'EMD-90014',
    label: 'fitted-model',
    phantom: 'well-behaved',
    pdbId: '9xyz',
    title: 'Simulated phantom "well-behaved" with the procedural protein it was simulated from as its fitted model (fake PDB ID 9xyz)',
  },
];

/**
 * Adds the model variants (default: all of MODEL_VARIANTS) to `dir`: the map, the entry JSON
 * listing the PDB ID, and the model at `_models/<pdb>.cif.gz`. The model is rebuilt with the
 * phantom's seed, which `makePhantom` hands to `proceduralProtein` (phantoms.ts), so it is the
 * map's own model. Returns the entries with their expected answers, Level A's included.
 */
export async function writeModelEntries(dir: string, opts: SimulatedEntryOptions & { variants?: readonly ModelVariant[] } = {}): Promise<SimulatedEntry[]> {
  const out: SimulatedEntry[] = [];
  const seed = opts.seed ?? 1;
  for (const v of opts.variants ?? MODEL_VARIANTS) {
    const p = await makePhantom(v.phantom, { seed, box: opts.box });
    const atoms = proceduralProtein({ seed });
    const entry = await writeSimulatedEntry(dir, v.id, p, { ...opts, title: v.title, label: v.label, model: { pdbId: v.pdbId, atoms } });
    // The truth from the map without its noise (the phantom's own simulation: Z-weighted atoms at
    // its resolution, its global blur) and the model as the mirror serves it (coordinates rounded to 0.001 Å).
    const clean = await simulateMap(atoms, p.volume, { resolution: PHANTOM_RESOLUTION_A, bFactor: PHANTOM_BLUR_B });
    const served = parseMmcif(modelToMmcif(atoms, v.pdbId), v.pdbId);
    out.push({ ...entry, levelA: await levelATruth(p.volume, clean, served, p.threshold, PHANTOM_RESOLUTION_A) });
  }
  return out;
}

/** A real EMDB map from ../shared/fixtures/emdb with the contour (and resolution) its provenance gives. */
export interface FixtureEntry {
  readonly id: string;
  /** Path of the map relative to the fixture folder. */
  readonly file: string;
  readonly contour: number;
  readonly resolution: number | null;
  readonly title: string;
}

/** The fixture maps with a known contour level (PROVENANCE.md). */
export const FIXTURE_ENTRIES: readonly FixtureEntry[] = [
  { id: 'EMD-1997', file: 'EMD-1997/emd_1997.map', contour: 1.0, resolution: 7, title: 'GroEL D398A + ATP (real EMDB map from the test fixtures)' },
  { id: 'EMD-5168', file: 'EMD-5168/emd_5168.map', contour: 10.0, resolution: null, title: 'Helical filament, believed to be F-actin (real EMDB map from the test fixtures)' },
  { id: 'EMD-5170', file: 'EMD-5170/emd_5170.map', contour: 0.61, resolution: null, title: 'Helical filament (real EMDB map from the test fixtures)' },
  { id: 'EMD-6824', file: 'EMD-6824/emd_6824.mrc', contour: 2, resolution: 5.8, title: 'Mouse TRPML1 tetramer, normalised copy (real EMDB map from the test fixtures)' },
  { id: 'EMD-44046', file: 'EMD-44046/emd_44046.map.gz', contour: 0.3, resolution: 2.99, title: 'Protein–DNA–RNA complex of PDB 9B0L (real EMDB map from the test fixtures)' },
];

/**
 * Adds the fixture maps found under `fixturesDir` to the mirror folder (gzip-compressed when they
 * are not already). Entries whose file is missing are skipped. Returns the IDs added.
 */
export async function writeFixtureEntries(dir: string, fixturesDir: string): Promise<string[]> {
  const added: string[] = [];
  for (const f of FIXTURE_ENTRIES) {
    const src = path.join(fixturesDir, f.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(src));
    } catch {
      continue;
    }
    const file = await readMrc(src);
    const { volume } = toVolume(file);
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes : await gzipMap(bytes);
    const h = file.header;
    const spec: EntryJsonSpec = {
      id: f.id,
      title: f.title,
      authors: [],
      // The fixtures' real dates and authors are not recorded with them: left out rather than invented.
      depositionDate: null,
      releaseDate: null,
      resolution: f.resolution,
      contour: f.contour,
      method: 'singleParticle',
      dims: [h.nx, h.ny, h.nz],
      voxelSize: volume.voxelSize,
      originVoxels: [h.nxstart, h.nystart, h.nzstart],
      sizeKbytes: Math.ceil(gz.length / 1024),
    };
    await writeMirrorEntry(dir, f.id, buildEntryJson(spec), gz);
    added.push(f.id);
  }
  return added;
}
