/**
 * Reading entry JSON as the EMDB API shapes it (emdb-access.md §3 and §7): `valueOf_` strings,
 * primary contour first, authors as objects or strings, and untrusted text kept as data.
 */
import { describe, expect, it } from 'vitest';
import { buildEntryJson } from './entry-json.ts';
import { canonicalJson, cleanText, dateOf, numberOf, parseEntryMetadata, primaryContour, sha256Json, toReportEntry } from './entry-metadata.ts';
import { isEmdbId, mapFileName, normaliseEmdbId, safeFileName } from './ids.ts';

/** The skeleton of emdb-access.md §7, filled in by hand (values invented, shape as EMDB's). */
const skeleton = {
  emdb_id: 'EMD-0042',
  admin: {
    title: 'Example complex',
    key_dates: { deposition: '2020-01-31T00:00:00', map_release: '2020-06-03T00:00:00', update: '2021-02-10T00:00:00' },
    authors_list: { author: [{ valueOf_: 'Doe J', instance_type: 'author' }, { valueOf_: 'Roe R', ORCID: '0000-0000-0000-0000', instance_type: 'author' }] },
    current_status: { code: { valueOf_: 'REL' } },
  },
  crossreferences: { pdb_list: { pdb_reference: [{ pdb_id: '1ABC', relationship: { in_frame: 'FULLOVERLAP' } }, { pdb_id: 'pdb_00001abc' }] } },
  structure_determination_list: {
    structure_determination: [{ method: 'singleParticle', image_processing: [{ final_reconstruction: { resolution: { valueOf_: '3.2', units: 'Å', res_type: 'BY AUTHOR' } } }] }],
  },
  map: {
    file: 'emd_0042.map.gz',
    dimensions: { col: 64, row: 64, sec: 64 },
    origin: { col: 0, row: 0, sec: 0 },
    pixel_spacing: { x: { valueOf_: '1.1', units: 'Å' }, y: { valueOf_: '1.1', units: 'Å' }, z: { valueOf_: '1.10', units: 'Å' } },
    contour_list: { contour: [{ level: 0.02, primary: false, source: 'EMDB' }, { level: 0.05, primary: true, source: 'AUTHOR' }] },
  },
  interpretation: { half_map_list: { half_map: [{ file: 'emd_0042_half_map_1.map.gz' }, { file: 'emd_0042_half_map_2.map.gz' }] } },
};

describe('entry JSON fields', () => {
  it('reads the skeleton: primary contour, valueOf_ strings as numbers, authors, dates, PDB IDs, half maps', () => {
    const m = parseEntryMetadata('EMD-0042', skeleton);
    expect(m.threshold).toBe(0.05);
    expect(m.thresholdPrimary).toBe(true);
    expect(m.resolution).toBe(3.2);
    expect(m.voxelSize).toEqual([1.1, 1.1, 1.1]);
    expect(m.method).toBe('singleParticle');
    expect(m.title).toBe('Example complex');
    expect(m.authors).toEqual(['Doe J', 'Roe R']);
    expect(m.depositionDate).toBe('2020-01-31');
    expect(m.releaseDate).toBe('2020-06-03');
    expect(m.updateDate).toBe('2021-02-10');
    expect(m.pdbIds).toEqual(['1abc', 'pdb_00001abc']);
    expect(m.halfMaps).toEqual(['emd_0042_half_map_1.map.gz', 'emd_0042_half_map_2.map.gz']);
    expect(m.status).toBe('REL');
    expect(m.declaredId).toBe('EMD-0042');
    expect(toReportEntry(m)).toEqual({
      id: 'EMD-0042', title: 'Example complex', authors: ['Doe J', 'Roe R'], depositionDate: '2020-01-31', releaseDate: '2020-06-03',
      resolution: 3.2, threshold: 0.05, method: 'singleParticle', pdbIds: ['1abc', 'pdb_00001abc'], symmetry: null, molecularWeightMDa: null,
    });
  });

  it('falls back to the first contour with a level, and to null when no contour has one', () => {
    expect(primaryContour({ map: { contour_list: { contour: [{ level: 0.3 }, { level: 0.7 }] } } })).toEqual({ level: 0.3, primary: false });
    expect(primaryContour({ map: { contour_list: { contour: [{ primary: true }, { level: 0.7 }] } } })).toEqual({ level: 0.7, primary: false });
    expect(primaryContour({ map: { contour_list: { contour: { level: 1.5, primary: true } } } })).toEqual({ level: 1.5, primary: true });
    expect(primaryContour({ map: {} })).toBeNull();
    expect(parseEntryMetadata('EMD-0042', { map: { contour_list: { contour: [{ primary: true }] } } }).threshold).toBeNull();
  });

  it('takes authors given as plain strings, and missing resolution as null', () => {
    const m = parseEntryMetadata('EMD-1234', { admin: { authors_list: { author: ['Smith A', 'Jones B'] } }, structure_determination_list: { structure_determination: [{ method: 'helical' }] } });
    expect(m.authors).toEqual(['Smith A', 'Jones B']);
    expect(m.resolution).toBeNull();
    expect(m.method).toBe('helical');
    expect(m.voxelSize).toBeNull();
  });

  it('parses numbers strictly', () => {
    expect(numberOf({ valueOf_: '2.99' })).toBe(2.99);
    expect(numberOf('1e-3')).toBe(0.001);
    expect(numberOf(4)).toBe(4);
    expect(numberOf({ valueOf_: '3.2 Å' })).toBeNull();
    expect(numberOf('NaN')).toBeNull();
    expect(numberOf(null)).toBeNull();
  });

  it('keeps hostile text as inert data: control characters and bidi overrides removed, markup left for the site to escape', () => {
    expect(cleanText('a\u001b[31mred\u001b[0m\nline\u202etxt.exe', 100)).toBe('a [31mred [0m line txt.exe');
    expect(cleanText('<script>alert(1)</script>', 100)).toBe('<script>alert(1)</script>');
    expect(cleanText('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
    const m = parseEntryMetadata('EMD-1234', {
      admin: { title: '../../etc/passwd\u0000', authors_list: { author: [{ valueOf_: '<img src=x onerror=alert(1)>' }, { valueOf_: '' }, 42] } },
      crossreferences: { pdb_list: { pdb_reference: [{ pdb_id: '../x' }, { pdb_id: '7SGD' }] } },
      interpretation: { half_map_list: { half_map: [{ file: '../../evil.map.gz' }, { file: '.hidden' }, { file: 'emd_1234_half_map_1.map.gz' }] } },
    });
    expect(m.title).toBe('../../etc/passwd');
    expect(m.authors).toEqual(['<img src=x onerror=alert(1)>']);
    expect(m.pdbIds).toEqual(['7sgd']);
    expect(m.halfMaps).toEqual(['emd_1234_half_map_1.map.gz']);
    expect(m.notes.length).toBe(3);
  });

  it('accepts only real calendar dates', () => {
    expect(dateOf('2021-02-10T00:00:00')).toBe('2021-02-10');
    expect(dateOf('2021-02-30T00:00:00')).toBeNull();
    expect(dateOf('10/02/2021')).toBeNull();
  });
});

describe('accessions', () => {
  it('checks the EMD-\\d{4,} pattern and builds file names from the number', () => {
    for (const ok of ['EMD-0001', 'EMD-1234', 'EMD-44046']) expect(isEmdbId(ok)).toBe(true);
    for (const bad of ['EMD-123', 'emd-1234', 'EMD-1234/..', '../EMD-1234', 'EMD-1234\n', 'EMD-12a4', '', 1234]) expect(isEmdbId(bad)).toBe(false);
    expect(mapFileName('EMD-0042')).toBe('emd_0042.map.gz');
    expect(normaliseEmdbId('42')).toBe('EMD-0042');
    expect(normaliseEmdbId('28533')).toBe('EMD-28533');
    expect(normaliseEmdbId('emd_1234')).toBe('EMD-1234');
    expect(normaliseEmdbId('EMD-12/../1')).toBeNull();
    expect(safeFileName('emd_1_half_map_1.map.gz')).toBe('emd_1_half_map_1.map.gz');
    expect(safeFileName('a/b')).toBeNull();
    expect(safeFileName('..')).toBeNull();
  });
});

describe('entry JSON builder', () => {
  it('round-trips through the reader', () => {
    const json = buildEntryJson({
      id: 'EMD-90001', title: 'Phantom', authors: ['A B'], depositionDate: '2024-01-02', releaseDate: '2024-01-15', updateDate: '2024-03-01',
      resolution: 3.5, contour: 0.0187, dims: [80, 80, 80], voxelSize: [1.2, 1.2, 1.2],
    });
    const m = parseEntryMetadata('EMD-90001', json);
    expect(m).toMatchObject({ threshold: 0.0187, resolution: 3.5, voxelSize: [1.2, 1.2, 1.2], releaseDate: '2024-01-15', updateDate: '2024-03-01', method: 'singleParticle', authors: ['A B'] });
    // EMDB writes these as strings and the level as a number.
    const map = json.map as { pixel_spacing: { x: { valueOf_: unknown } }; contour_list: { contour: { level: unknown }[] } };
    expect(typeof map.pixel_spacing.x.valueOf_).toBe('string');
    expect(typeof map.contour_list.contour[0].level).toBe('number');
  });

  it('hashes JSON independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(sha256Json({ a: 1, b: 2 })).toBe(sha256Json({ b: 2, a: 1 }));
    expect(sha256Json({ a: 1 })).not.toBe(sha256Json({ a: 2 }));
  });
});
