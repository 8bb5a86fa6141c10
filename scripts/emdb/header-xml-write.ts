/**
 * Writes an EMDB header XML in schema v3 (`<emd emdb_id=… version="3.0.…">`, the archive's
 * `header/emd-N.xml`) for an EntryJsonSpec: the same values the entry-JSON builder writes, so an
 * archive-layout folder (demo, tests) carries a header that reads back to the same metadata.
 * Element order follows the v3 schema for the elements written; everything else is left out.
 */
import { halfMapNames, type EntryJsonSpec } from './entry-json.ts';
import { emdbNumber, mapFileName } from './ids.ts';

/** Text made safe as XML character data or attribute value. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/gu, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

function el(name: string, body: string | number, attrs: Record<string, string> = {}): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${xmlEscape(v)}"`).join('');
  return `<${name}${a}>${typeof body === 'number' ? String(body) : body}</${name}>`;
}

/** Optional extras of a header beyond the entry-JSON spec. */
export interface HeaderXmlExtras {
  /** Point group of the final reconstruction ("C4"). */
  readonly pointGroup?: string;
  /** Sample molecular weight, MDa (theoretical). */
  readonly molecularWeightMDa?: number;
}

/** The v3 header XML of `spec` (UTF-8 text, one element per line). */
export function buildHeaderXml(spec: EntryJsonSpec & HeaderXmlExtras): string {
  const num = emdbNumber(spec.id);
  const [nx, ny, nz] = spec.dims;
  const [vx, vy, vz] = spec.voxelSize;
  const origin = spec.originVoxels ?? [0, 0, 0];
  const ang = { units: 'Å' };
  const dates = [
    spec.depositionDate !== null ? el('deposition', spec.depositionDate) : '',
    spec.releaseDate !== null ? el('header_release', spec.releaseDate) + el('map_release', spec.releaseDate) : '',
    (spec.updateDate ?? spec.releaseDate) !== null ? el('update', (spec.updateDate ?? spec.releaseDate) as string) : '',
  ].join('');
  const admin = el(
    'admin',
    el('current_status', el('code', spec.status ?? 'REL') + el('processing_site', 'PDBe')) +
      el('key_dates', dates) +
      el('title', xmlEscape(spec.title)) +
      el('authors_list', spec.authors.map((a) => el('author', xmlEscape(a))).join('')),
  );
  const pdbList = (spec.pdbIds ?? []).map((p) => el('pdb_reference', el('pdb_id', xmlEscape(p)) + el('relationship', el('in_frame', 'FULLOVERLAP')))).join('');
  const crossreferences = el('crossreferences', pdbList === '' ? '' : el('pdb_list', pdbList));
  const sample =
    spec.molecularWeightMDa !== undefined
      ? el('sample', el('name', xmlEscape(spec.title)) + el('supramolecule_list', el('complex_supramolecule', el('name', 'sample') + el('molecular_weight', el('theoretical', spec.molecularWeightMDa, { units: 'MDa' })), { supramolecule_id: '1' })))
      : '';
  const reconstruction = el(
    'final_reconstruction',
    (spec.pointGroup !== undefined ? el('applied_symmetry', el('point_group', xmlEscape(spec.pointGroup))) : '') +
      (spec.resolution !== null ? el('resolution', spec.resolution, { res_type: 'BY AUTHOR', ...ang }) : '') +
      el('resolution_method', 'FSC 0.143 CUT-OFF'),
  );
  const method = spec.method ?? 'singleParticle';
  const sd = el('structure_determination_list', el('structure_determination', el('method', xmlEscape(method)) + el('aggregation_state', 'particle') + el('singleparticle_processing', reconstruction, { image_processing_id: '1' }), { structure_determination_id: '1' }));
  const contour = el('contour', (spec.contour !== null ? el('level', spec.contour) : '') + el('source', 'AUTHOR'), { primary: 'true' });
  const mapBody = (file: string) =>
    el('file', file) +
    el('symmetry', el('space_group', 1)) +
    el('data_type', 'IMAGE STORED AS FLOATING POINT NUMBER (4 BYTES)') +
    el('dimensions', el('col', nx) + el('row', ny) + el('sec', nz)) +
    el('origin', el('col', origin[0]) + el('row', origin[1]) + el('sec', origin[2])) +
    el('spacing', el('x', nx) + el('y', ny) + el('z', nz)) +
    el('cell', el('a', nx * vx, ang) + el('b', ny * vy, ang) + el('c', nz * vz, ang) + el('alpha', '90.0', { units: 'deg' }) + el('beta', '90.0', { units: 'deg' }) + el('gamma', '90.0', { units: 'deg' })) +
    el('axis_order', el('fast', 'X') + el('medium', 'Y') + el('slow', 'Z')) +
    el('pixel_spacing', el('x', vx, ang) + el('y', vy, ang) + el('z', vz, ang));
  const map = el('map', mapBody(mapFileName(spec.id)) + el('contour_list', contour) + el('label', `::::EMDATABANK.org::::EMD-${num}::::`), { format: 'CCP4', size_kbytes: String(spec.sizeKbytes ?? 0) });
  const halves = halfMapNames(spec).map((f) => el('half_map', mapBody(xmlEscape(f)), { format: 'CCP4', size_kbytes: '0' })).join('');
  const interpretation = halves === '' ? '' : el('interpretation', el('half_map_list', halves));
  const body = [admin, crossreferences, sample, sd, map, interpretation].filter((s) => s !== '').join('\n  ');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el('emd', `\n  ${body}\n`, { emdb_id: spec.id, version: '3.0.9.2' })}\n`;
}
