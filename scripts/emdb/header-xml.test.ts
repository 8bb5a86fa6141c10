/**
 * Header XML (v1.9 and v3) read into the entry metadata: every field checked against values read
 * by hand from the real headers in the fixture folder (PROVENANCE.md), the two schemas of one
 * entry (EMD-5778) against each other, and a written v3 header against the entry JSON of the same
 * spec (the two parsers agree). Refusals: not XML, a DOCTYPE, a foreign root, another entry's header.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, haveFixtures } from '../../analyzers/testing/fixtures.ts';
import { buildEntryJson, type EntryJsonSpec } from './entry-json.ts';
import { parseEntryMetadata, type EntryMetadata } from './entry-metadata.ts';
import { buildHeaderXml } from './header-xml-write.ts';
import { HeaderXmlError, parseHeaderXml } from './header-xml.ts';

const read = (...p: string[]) => readFileSync(fixture(...p), 'utf8');

/** The fields a header gives, without the bookkeeping ones. */
function fields(m: EntryMetadata) {
  const { notes: _n, ...rest } = m;
  return rest;
}

describe.skipIf(!haveFixtures('header XML fixtures'))('real EMDB header XML', () => {
  it('v1.9: EMD-1997 (GroEL), every field as written in the file', () => {
    const h = parseHeaderXml(read('EMD-1997', 'header', 'emd-1997_v1.9.xml'), 'EMD-1997');
    expect(h.schema).toBe('v1.9');
    expect(h.version).toBe('1.9.6');
    expect(fields(h.metadata)).toEqual({
      id: 'EMD-1997',
      declaredId: 'EMD-1997',
      title: 'ATP-triggered molecular mechanics of the chaperonin GroEL',
      authors: ['Clare DK', 'Vasishtan D', 'Stagg S', 'Quispe J', 'Farr GW', 'Topf M', 'Horwich AL', 'Saibil HR'],
      depositionDate: '2011-12-01',
      releaseDate: '2012-04-17', // mapReleaseDate (headerReleaseDate is 2012-01-13)
      updateDate: '2012-04-17', // admin/lastUpdate
      resolution: 7,
      threshold: 1,
      thresholdPrimary: true,
      method: 'singleParticle',
      pdbIds: ['1oel'], // experiment/fitting/pdbEntryIdList: "1OEL"
      voxelSize: [2.02, 2.02, 2.02],
      dims: [100, 100, 100],
      symmetry: 'C7',
      molecularWeightMDa: 0.8,
      halfMaps: [],
      status: 'REL',
    });
  });

  it('v1.9: EMD-5778 (TRPV1): fitted IDs from deposition/fittedPDBEntryIdList', () => {
    const m = parseHeaderXml(read('EMD-5778-header-only', 'header', 'emd-5778-v19.xml'), 'EMD-5778').metadata;
    expect(m.pdbIds).toEqual(['3j5p', '3j9j']);
    expect(m.authors).toEqual(['Liao M', 'Cao E', 'Julius D', 'Cheng Y']);
    expect(m.symmetry).toBe('C4');
    expect([m.resolution, m.threshold, m.updateDate]).toEqual([3.275, 7, '2015-10-14']);
  });

  it('v3: EMD-5778, every field as written in the file', () => {
    const h = parseHeaderXml(read('EMD-5778-header-only', 'header', 'emd-5778-v30.xml'), 'EMD-5778');
    expect([h.schema, h.version]).toEqual(['v3', '3.0.1.1']);
    expect(fields(h.metadata)).toEqual({
      id: 'EMD-5778',
      declaredId: 'EMD-5778',
      title: 'Structure of the capsaicin receptor, TRPV1, determined by single particle electron cryo-microscopy',
      authors: ['Liao M', 'Cao E', 'Julius D', 'Cheng Y'],
      depositionDate: '2013-10-24',
      releaseDate: '2013-12-04',
      updateDate: '2015-10-14',
      resolution: 3.275,
      threshold: 7,
      thresholdPrimary: true,
      method: 'singleParticle',
      pdbIds: ['3j5p', '3j9j'],
      voxelSize: [1.2156, 1.2156, 1.2156],
      dims: [256, 256, 256],
      symmetry: null, // this copy of the v3 header has no applied_symmetry (the v1.9 one says C4)
      molecularWeightMDa: 0.3, // sample_supramolecule 1000, theoretical
      halfMaps: [],
      status: 'REL',
    });
  });

  it('EMD-5778: the v1.9 and v3 headers give the same metadata except the symmetry the v3 copy lacks', () => {
    const v19 = fields(parseHeaderXml(read('EMD-5778-header-only', 'header', 'emd-5778-v19.xml'), 'EMD-5778').metadata);
    const v30 = fields(parseHeaderXml(read('EMD-5778-header-only', 'header', 'emd-5778-v30.xml'), 'EMD-5778').metadata);
    expect({ ...v19, symmetry: null }).toEqual(v30);
  });

  it('v3: EMD-0001 (point group C1 under singleparticle_processing; segmentation contour not taken)', () => {
    const m = parseHeaderXml(read('_headers', 'emd-0001-v30.xml'), null).metadata;
    expect(m.id).toBe('EMD-0001');
    expect(m.title).toBe('Cryo-EM structure of bacterial RNA polymerase-sigma54 holoenzyme transcription open complex');
    expect(m.authors).toEqual(['Glyde R', 'Ye FZ', 'Zhang XD']);
    expect([m.depositionDate, m.releaseDate, m.updateDate]).toEqual(['2018-05-04', '2018-07-04', '2018-10-17']);
    expect([m.resolution, m.threshold, m.method, m.symmetry]).toEqual([3.4, 0.018, 'singleParticle', 'C1']);
    expect(m.pdbIds).toEqual(['6gh5']); // not the startup model 6GFW
    expect(m.voxelSize).toEqual([1.06, 1.06, 1.06]);
    expect(m.dims).toEqual([256, 256, 256]);
    expect(m.molecularWeightMDa).toBe(0.49); // complex_supramolecule 1 (the first), not its parts
  });

  it('v3: EMD-1001 (tomography, eleven fitted models, 600×600×30 box, no molecular weight)', () => {
    const m = parseHeaderXml(read('_headers', 'emd-1001-v30.xml'), 'EMD-1001').metadata;
    expect([m.method, m.resolution, m.threshold]).toEqual(['tomography', 40, 81.2]);
    expect(m.pdbIds).toEqual(['1m8q', '1mvw', '1o18', '1o19', '1o1a', '1o1b', '1o1c', '1o1d', '1o1e', '1o1f', '1o1g']);
    expect(m.voxelSize).toEqual([15.4667, 15.4667, 15.4667]);
    expect(m.dims).toEqual([600, 600, 30]);
    expect([m.symmetry, m.molecularWeightMDa]).toEqual([null, null]);
    expect([m.releaseDate, m.updateDate]).toEqual(['2002-06-20', '2012-12-26']);
  });

  it('refuses a header of another entry than the one asked for', () => {
    expect(() => parseHeaderXml(read('_headers', 'emd-0001-v30.xml'), 'EMD-1001')).toThrow(/for "EMD-0001", not EMD-1001/u);
  });
});

const spec: EntryJsonSpec = {
  id: 'EMD-0042',
  title: 'A & B <complex>',
  authors: ['Doe J', 'Roe R'],
  depositionDate: '2020-01-31',
  releaseDate: '2020-06-03',
  updateDate: '2021-02-10',
  resolution: 3.2,
  contour: 0.05,
  pdbIds: ['1abc'],
  dims: [64, 48, 32],
  voxelSize: [1.1, 1.1, 1.2],
  halfMaps: true,
};

describe('written v3 header', () => {
  it('reads back to what the entry JSON of the same spec gives (both parsers agree), half maps included', () => {
    const fromXml = parseHeaderXml(buildHeaderXml(spec), 'EMD-0042').metadata;
    const fromJson = parseEntryMetadata('EMD-0042', buildEntryJson(spec));
    expect(fromXml).toEqual(fromJson);
    expect(fromXml.halfMaps).toEqual(['emd_0042_half_map_1.map.gz', 'emd_0042_half_map_2.map.gz']);
    expect(fromXml.title).toBe('A & B <complex>');
    expect(fromXml.dims).toEqual([64, 48, 32]);
  });

  it('symmetry and molecular weight', () => {
    const m = parseHeaderXml(buildHeaderXml({ ...spec, pointGroup: 'd7', molecularWeightMDa: 0.8 }), 'EMD-0042').metadata;
    expect([m.symmetry, m.molecularWeightMDa]).toEqual(['D7', 0.8]);
  });

  it('helical symmetry and kDa weights in the JSON shape', () => {
    const json = {
      structure_determination_list: { structure_determination: [{ image_processing: [{ final_reconstruction: { applied_symmetry: { helical_parameters: { delta_z: { valueOf_: '27.6', units: 'Å' }, delta_phi: { valueOf_: '-166.67', units: 'deg' }, axial_symmetry: 'C1' } } } }] }] },
      sample: { supramolecule_list: { supramolecule: [{ name: 'no weight' }, { molecular_weight: { experimental: { valueOf_: '250', units: 'kDa' } } }] } },
    };
    const m = parseEntryMetadata('EMD-0042', json);
    expect(m.symmetry).toBe('helical: rise 27.6 Å, twist -166.67°, axial C1');
    expect(m.molecularWeightMDa).toBe(0.25);
  });

  it('puts the box in x, y, z order by the axis order', () => {
    const json = { map: { dimensions: { col: 40, row: 12, sec: 72 }, axis_order: { fast: 'Z', medium: 'X', slow: 'Y' } } };
    expect(parseEntryMetadata('EMD-0042', json).dims).toEqual([12, 72, 40]);
    expect(parseEntryMetadata('EMD-0042', { map: { dimensions: { col: 40, row: 12, sec: 72 }, axis_order: { fast: 'X', medium: 'X', slow: 'Y' } } }).dims).toBeNull();
  });
});

describe('refused headers', () => {
  it('not well-formed, a DOCTYPE, a foreign root, no ID in a lone file', () => {
    expect(() => parseHeaderXml('<emd emdb_id="EMD-0042"><admin></emd>', 'EMD-0042')).toThrow(HeaderXmlError);
    expect(() => parseHeaderXml('not xml at all', 'EMD-0042')).toThrow(HeaderXmlError);
    expect(() => parseHeaderXml('<!DOCTYPE emd [<!ENTITY a "aaaa">]><emd emdb_id="EMD-0042"><admin><title>&a;</title></admin></emd>', 'EMD-0042')).toThrow(/DOCTYPE/u);
    expect(() => parseHeaderXml('<svg></svg>', 'EMD-0042')).toThrow(/neither <emd>/u);
    expect(() => parseHeaderXml('<emd><admin/></emd>', null)).toThrow(/no valid EMDB ID/u);
  });
});
