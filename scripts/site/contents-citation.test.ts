/**
 * The entry page's contents (numbered once, in reading order), the sources of its input files
 * (the archive URLs the nightly downloads from, or "local file") and its citation and date lines.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseReport, type Report } from '../../analyzers/report/schema.ts';
import { halfMapFileName } from '../emdb/ids.ts';
import { archiveFileUrl, mapUrl, pdbModelUrl, resolveEndpoints } from '../emdb/endpoints.ts';
import { analysisLine, citationText, methodReferences } from '../../site/src/lib/citation.ts';
import { closingNumbers, contentsOf, type ContentsEntry } from '../../site/src/lib/contents.ts';
import { entryView } from '../../site/src/lib/entry-view.ts';
import { emdbFileUrl, inputSources, pdbFileUrl } from '../../site/src/lib/input-sources.ts';

/** A golden report (scripts/testing/golden/), read without the analyzer behind golden-reports.ts. */
async function readGolden(name: string): Promise<Report> {
  const gz = await readFile(path.join(import.meta.dirname, '..', 'testing', 'golden', `${name}.json.gz`));
  return parseReport(JSON.parse(gunzipSync(gz).toString('utf8')), name);
}

const flat = (entries: ContentsEntry[]): string[] => entries.flatMap((e) => [e.number, ...flat(e.children)]);

describe('contents', () => {
  it('numbers every section once, in reading order, as its heading (Levels 0 and 1, with resolution)', async () => {
    const view = entryView(await readGolden('phantom-well-behaved-halves-4.5'));
    const toc = contentsOf(view.levels, true);
    expect(toc.map((e) => `${e.number} ${e.title}`)).toEqual(['1 Input data', '2 Level 0 analysis (the map)', '3 Level 1 analysis (the half maps)', '4 Resolution', '5 Provenance and how to cite']);
    expect(flat(toc)).toEqual(['1', '2', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '3', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '4', '5']);
    expect(toc[1].children.map((c) => c.anchor)).toEqual(view.levels[0].items.map((i) => i.anchor));
    // The titles carry no number of their own: "1 Input data", never "1. 1 Input data".
    for (const e of toc) expect(e.title).not.toMatch(/^\d/u);
  });
  it('without a resolution section, provenance follows the last level', () => {
    expect(closingNumbers([{ number: 2 }], false)).toEqual({ resolution: null, provenance: '3' });
    expect(closingNumbers([{ number: 2 }, { number: 3 }, { number: 4 }], true)).toEqual({ resolution: '5', provenance: '6' });
  });
});

describe('input sources', () => {
  const ep = resolveEndpoints();
  it('gives the archive URLs the nightly downloads from (map, half maps, model), else none', () => {
    expect(emdbFileUrl('EMD-1832', 'emd_1832.map.gz')).toBe(mapUrl(ep, 'EMD-1832'));
    expect(emdbFileUrl('EMD-1832', 'emd_1832.map.gz')).toBe('https://ftp.ebi.ac.uk/pub/databases/emdb/structures/EMD-1832/map/emd_1832.map.gz');
    expect(emdbFileUrl('EMD-12345', halfMapFileName('EMD-12345', 2))).toBe(archiveFileUrl(ep, 'EMD-12345', 'other', 'emd_12345_half_map_2.map.gz'));
    expect(pdbFileUrl('1oel', '1oel.cif.gz')).toBe(pdbModelUrl(ep, '1oel'));
    expect(pdbFileUrl('1oel', '1oel.cif.gz')).toBe('https://files.wwpdb.org/pub/pdb/data/structures/divided/mmCIF/oe/1oel.cif.gz');
    // A depositor's own file, another entry's file, a model without a PDB ID: local files.
    expect(emdbFileUrl('EMD-1832', 'my-map.mrc')).toBeNull();
    expect(emdbFileUrl('EMD-1832', 'emd_1833.map.gz')).toBeNull();
    expect(emdbFileUrl('EMD-1832', 'emd_1832_half_map_3.map.gz')).toBeNull();
    expect(pdbFileUrl(undefined, 'model.cif')).toBeNull();
    expect(pdbFileUrl('1oel', 'model.cif.gz')).toBeNull();
  });
  it('lists the report\'s files with their sha256', async () => {
    const r = await readGolden('phantom-well-behaved-halves-4.5');
    const s = inputSources(r);
    expect(s.map((x) => [x.role, x.file, x.sha256, x.url])).toEqual([
      ['Map', r.inputs.map.file, r.inputs.map.sha256, null],
      ['Half map 1', r.inputs.halfMaps![0].file, r.inputs.halfMaps![0].sha256, null],
      ['Half map 2', r.inputs.halfMaps![1].file, r.inputs.halfMaps![1].sha256, null],
    ]);
  });
});

describe('date, version and citation', () => {
  it('says when and with which analyzer version, or that the date was not recorded', async () => {
    const r = await readGolden('phantom-well-behaved');
    r.provenance.analyzer.version = '0.1.0+abc';
    expect(analysisLine({ ...r, provenance: { ...r.provenance, analysedOn: '2026-12-07' } })).toBe('Analysed on 2026-12-07 with emvr 0.1.0+abc');
    const old = { ...r, provenance: { ...r.provenance } };
    delete old.provenance.analysedOn;
    expect(analysisLine(old)).toBe('Analysed with emvr 0.1.0+abc (date not recorded)');
    expect(citationText({ ...r, entry: { ...r.entry, id: 'EMD-1832', title: 'GroEL' }, provenance: { ...r.provenance, analysedOn: '2026-12-07' } })).toBe('emvr validation report of EMD-1832 ("GroEL"), emvr 0.1.0+abc, analysed on 2026-12-07.');
  });
  it('cites VRS and the main method of each item that measured, once each, in report order', async () => {
    const r = await readGolden('phantom-well-behaved');
    const measured = Object.values(r.items['0']).filter((it) => it.status === 'ok' || it.status === 'warnings').map((it) => it.id);
    expect(measured).toEqual(['0.a', '0.b', '0.c', '0.d', '0.e', '0.f', '0.g', '0.h']);
    expect(methodReferences(r).map((m) => m.key)).toEqual(['sorzano2022', 'rosenthal2003', 'vilas2018', 'kaur2021', 'jiang2001']);
  });
});
