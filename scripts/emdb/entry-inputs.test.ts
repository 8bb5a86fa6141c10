/**
 * The additional inputs of an entry (half maps): which listed files are fetched, how they are
 * named in messages, where they are cached and served from, and the fingerprint that decides
 * re-analysis.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveFileUrl, pdbModelUrl, resolveEndpoints } from './endpoints.ts';
import {
  additionalInputsSha256, archivePdbId, describeInput, HALF_MAPS_NOT_TWO, halfMapPathsOf, inputCachePath, isOptionalInput, MODEL_ID_UNSUPPORTED, MODEL_NOT_FETCHED, MODEL_UNREADABLE,
  modelFailureNote, modelOf, planAdditionalInputs, type FetchedInput,
} from './entry-inputs.ts';
import { buildEntryJson, halfMapNames } from './entry-json.ts';
import { parseEntryMetadata } from './entry-metadata.ts';

const spec = { id: 'EMD-0042', title: 't', authors: [], depositionDate: null, releaseDate: null, resolution: 3, contour: 0.1, dims: [8, 8, 8] as const, voxelSize: [1, 1, 1] as const };
const listed = (halfMaps: boolean | string[]) => parseEntryMetadata('EMD-0042', buildEntryJson({ ...spec, halfMaps }));

describe('additional inputs', () => {
  it('fetches exactly two listed half maps from other/, and none (with a note saying why) for any other number', () => {
    expect(halfMapNames({ id: 'EMD-0042', halfMaps: true })).toEqual(['emd_0042_half_map_1.map.gz', 'emd_0042_half_map_2.map.gz']);
    expect(planAdditionalInputs(listed(true))).toEqual({
      files: [
        { kind: 'halfMap', index: 1, file: 'emd_0042_half_map_1.map.gz', folder: 'other' },
        { kind: 'halfMap', index: 2, file: 'emd_0042_half_map_2.map.gz', folder: 'other' },
      ],
      notes: [],
    });
    expect(planAdditionalInputs(listed(false))).toEqual({ files: [], notes: [] });
    const one = planAdditionalInputs(listed(['emd_0042_half_map_1.map.gz']));
    expect(one.files).toEqual([]);
    expect(one.notes).toEqual([{ code: HALF_MAPS_NOT_TWO, message: 'EMDB lists 1 half map ("emd_0042_half_map_1.map.gz"); Level 1 needs exactly two, so the entry is analysed without half maps' }]);
    expect(planAdditionalInputs(listed(['a.map.gz', 'b.map.gz', 'c.map.gz'])).notes[0].message).toMatch(/^EMDB lists 3 half maps \("a\.map\.gz", "b\.map\.gz", "c\.map\.gz"\)/u);
    expect(planAdditionalInputs(listed(['a.map.gz', 'a.map.gz'])).notes[0].message).toMatch(/^EMDB lists the same half-map file twice/u);
    // A name the metadata reader refused is not counted: the entry has one usable half map.
    const hostile = listed(['../../x.map.gz', 'b.map.gz']);
    expect(hostile.notes.join(' ')).toMatch(/not a plain file name/u);
    expect(planAdditionalInputs(hostile).notes[0].message).toMatch(/^EMDB lists 1 half map \("b\.map\.gz"\)/u);
  });

  it('names, caches and serves an input only under a plain file name', () => {
    const input = { kind: 'halfMap', index: 2, file: 'emd_0042_half_map_2.map.gz', folder: 'other' } as const;
    expect(describeInput(input)).toBe('half map 2 (emd_0042_half_map_2.map.gz)');
    expect(inputCachePath('/c', 'EMD-0042', input)).toBe(path.join('/c', 'EMD-0042', 'other', 'emd_0042_half_map_2.map.gz'));
    expect(() => inputCachePath('/c', 'EMD-0042', { ...input, file: '../x' })).toThrow(/not a plain file name/u);
    expect(() => inputCachePath('/c', 'EMD-1/../2', input)).toThrow(/not an EMDB ID/u);
    const ep = resolveEndpoints({ base: 'http://127.0.0.1:9' });
    expect(archiveFileUrl(ep, 'EMD-0042', 'other', input.file)).toBe('http://127.0.0.1:9/pub/databases/emdb/structures/EMD-0042/other/emd_0042_half_map_2.map.gz');
    expect(() => archiveFileUrl(ep, 'EMD-0042', 'other', '..%2fx')).toThrow(/not a plain file name/u);
  });

  it('fingerprints the half maps and the notes: null without either, changed by any sha256, order or note', () => {
    const f = (index: number, sha: string): FetchedInput => ({ kind: 'halfMap', index, file: `h${index}`, folder: 'other', path: `/c/h${index}`, sha256: sha, bytes: 1, fromCache: false });
    const both = [f(1, 'a'.repeat(64)), f(2, 'b'.repeat(64))];
    expect(additionalInputsSha256([], [])).toBeNull();
    const base = additionalInputsSha256(both, []);
    expect(base).toMatch(/^[0-9a-f]{64}$/u);
    expect(additionalInputsSha256([f(1, 'a'.repeat(64)), f(2, 'c'.repeat(64))], [])).not.toBe(base);
    expect(additionalInputsSha256([f(2, 'b'.repeat(64)), f(1, 'a'.repeat(64))], [])).not.toBe(base);
    expect(additionalInputsSha256([], [{ code: HALF_MAPS_NOT_TWO, message: 'x' }])).toMatch(/^[0-9a-f]{64}$/u);
    expect(halfMapPathsOf([both[1], both[0]])).toEqual(['/c/h1', '/c/h2']);
    expect(halfMapPathsOf([both[0]])).toBeUndefined();
  });

  it('plans the first fitted model from the PDB archive (extended IDs of classic form included), and notes what it cannot fetch', () => {
    const withModel = parseEntryMetadata('EMD-0042', buildEntryJson({ ...spec, halfMaps: true, pdbIds: ['1oel', '2abc'] }));
    const plan = planAdditionalInputs(withModel);
    expect(plan.files.map((f) => [f.kind, f.index, f.file, f.folder, f.pdbId])).toEqual([
      ['halfMap', 1, 'emd_0042_half_map_1.map.gz', 'other', undefined],
      ['halfMap', 2, 'emd_0042_half_map_2.map.gz', 'other', undefined],
      ['model', 1, '1oel.cif.gz', 'model', '1oel'],
    ]);
    expect(isOptionalInput(plan.files[2])).toBe(true);
    expect(isOptionalInput(plan.files[0])).toBe(false);
    expect(describeInput(plan.files[2])).toBe('fitted model 1oel (1oel.cif.gz)');
    expect(inputCachePath('/c', 'EMD-0042', plan.files[2])).toBe(path.join('/c', 'EMD-0042', 'model', '1oel.cif.gz'));
    expect(archivePdbId('pdb_00001oel')).toBe('1oel');
    expect(archivePdbId('pdb_00011oel')).toBeNull();
    expect(planAdditionalInputs({ halfMaps: [], pdbIds: ['pdb_00011oel'] }).notes.map((n) => n.code)).toEqual([MODEL_ID_UNSUPPORTED]);
    expect(modelFailureNote(plan.files[2], false, 'EMD-0042 fitted model 1oel (1oel.cif.gz): HTTP 503').code).toBe(MODEL_NOT_FETCHED);
    expect(modelFailureNote(plan.files[2], true, 'x').message).toBe('fitted model 1oel is not usable (x); the entry is analysed without the model');
    expect(modelFailureNote(plan.files[2], true, 'x').code).toBe(MODEL_UNREADABLE);
    const fetched: FetchedInput = { ...plan.files[2], path: '/c/m', sha256: 'd'.repeat(64), bytes: 1, fromCache: false };
    expect(modelOf([fetched])).toEqual({ modelPath: '/c/m', modelPdbId: '1oel' });
    expect(modelOf([])).toBeUndefined();
    // A changed model, or a note instead of it, changes the fingerprint.
    const base = additionalInputsSha256([fetched], []);
    expect(additionalInputsSha256([{ ...fetched, sha256: 'e'.repeat(64) }], [])).not.toBe(base);
    expect(additionalInputsSha256([], [modelFailureNote(plan.files[2], false, 'y')])).not.toBe(base);
  });

  it('takes the PDB archive base from --pdb, else from the one mirror base, else wwPDB', () => {
    expect(resolveEndpoints().pdb).toBe('https://files.wwpdb.org');
    expect(resolveEndpoints({ base: 'http://127.0.0.1:9/' }).pdb).toBe('http://127.0.0.1:9');
    expect(resolveEndpoints({ base: 'http://127.0.0.1:9', pdb: 'https://files.rcsb.org' }).pdb).toBe('https://files.rcsb.org');
    expect(() => resolveEndpoints({ pdb: 'ftp://ftp.wwpdb.org' })).toThrow(/only http\(s\)/u);
    expect(pdbModelUrl(resolveEndpoints(), '7sgd')).toBe('https://files.wwpdb.org/pub/pdb/data/structures/divided/mmCIF/sg/7sgd.cif.gz');
    expect(() => pdbModelUrl(resolveEndpoints(), '../x')).toThrow(/not a 4-character/u);
  });
});
