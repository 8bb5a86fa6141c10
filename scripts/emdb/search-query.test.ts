/** The mirror's Lucene subset on a handful of documents with known matches. */
import { describe, expect, it } from 'vitest';
import { discoveryQuery } from './client.ts';
import { parseQuery, QuerySyntaxError, type SearchDoc } from './search-query.ts';

const FIELDS = new Set(['emdb_id', 'title', 'release_date', 'update_date', 'structure_determination_method', 'current_status', 'resolution', 'fitted_pdbs']);
const docs: SearchDoc[] = [
  { emdb_id: 'EMD-1001', title: 'Human spliceosome', release_date: '2024-01-10T00:00:00Z', update_date: '2024-01-10T00:00:00Z', structure_determination_method: 'singleParticle', current_status: 'REL', resolution: 3.1, fitted_pdbs: ['1abc'] },
  { emdb_id: 'EMD-1002', title: 'Ribosome', release_date: '2023-05-01T00:00:00Z', update_date: '2024-02-01T00:00:00Z', structure_determination_method: 'helical', current_status: 'REL', resolution: 4.5, fitted_pdbs: [] },
  { emdb_id: 'EMD-1003', title: 'Obsolete thing', release_date: '2020-01-01T00:00:00Z', update_date: '2020-01-01T00:00:00Z', structure_determination_method: 'singleParticle', current_status: 'OBS', resolution: null, fitted_pdbs: [] },
];
const ids = (q: string) => docs.filter(parseQuery(q, FIELDS)).map((d) => d.emdb_id);

describe('search query subset', () => {
  it('matches fields, phrases, ranges, boolean operators', () => {
    expect(ids('*:*')).toEqual(['EMD-1001', 'EMD-1002', 'EMD-1003']);
    expect(ids('current_status:"REL"')).toEqual(['EMD-1001', 'EMD-1002']);
    expect(ids('structure_determination_method:"singleparticle"')).toEqual(['EMD-1001', 'EMD-1003']);
    expect(ids('resolution:[* TO 4]')).toEqual(['EMD-1001']);
    expect(ids('resolution:{3.1 TO 5]')).toEqual(['EMD-1002']);
    expect(ids('release_date:[2024-01-01T00:00:00Z TO *]')).toEqual(['EMD-1001']);
    expect(ids('current_status:"REL" AND (release_date:[2024-01-15T00:00:00Z TO *] OR update_date:[2024-01-15T00:00:00Z TO *])')).toEqual(['EMD-1002']);
    expect(ids('spliceosome OR ribosome')).toEqual(['EMD-1001', 'EMD-1002']);
    expect(ids('NOT current_status:OBS')).toEqual(['EMD-1001', 'EMD-1002']);
    expect(ids('-current_status:OBS title:ribo*')).toEqual(['EMD-1002']);
    expect(ids('fitted_pdbs:1abc')).toEqual(['EMD-1001']);
    expect(ids('emdb_id:EMD-100*')).toEqual(['EMD-1001', 'EMD-1002', 'EMD-1003']);
  });

  it('refuses unknown fields and broken syntax, as Solr does', () => {
    expect(() => parseQuery('no_such_field:1', FIELDS)).toThrow(QuerySyntaxError);
    expect(() => parseQuery('title:"open', FIELDS)).toThrow(QuerySyntaxError);
    expect(() => parseQuery('(a OR b', FIELDS)).toThrow(QuerySyntaxError);
  });

  it('evaluates the query the nightly client sends', () => {
    const q = discoveryQuery({ since: '2024-01-15', methods: ['singleParticle', 'helical'] });
    expect(q).toBe('current_status:"REL" AND (structure_determination_method:"singleParticle" OR structure_determination_method:"helical") AND (release_date:[2024-01-15T00:00:00Z TO *] OR update_date:[2024-01-15T00:00:00Z TO *])');
    expect(ids(q)).toEqual(['EMD-1002']);
    expect(ids(discoveryQuery({ since: null, methods: ['singleParticle'] }))).toEqual(['EMD-1001']);
    expect(() => discoveryQuery({ since: '2024-1-5', methods: [] })).toThrow();
  });
});
