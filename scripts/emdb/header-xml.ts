/**
 * Reads an EMDB header XML (the archive's `structures/EMD-N/header/emd-N.xml`) into the same
 * EntryMetadata the entry JSON gives (entry-metadata.ts). Two schemas exist:
 *
 * - v3.x (`<emd emdb_id="EMD-N" version="3.…">`, every header since 2022): the EMDB API's JSON is
 *   this schema translated, so the XML is turned into that JSON shape (attributes as keys, the text
 *   of an element with attributes as `valueOf_`, the typed list members such as
 *   `singleparticle_processing` or `complex_supramolecule` under the JSON's generic key) and read
 *   by the JSON parser itself: both sources go through one set of checks.
 * - v1.9 (`<emdEntry accessCode="N" version="1.9.…">`, older copies and mirrors): its fields are
 *   mapped one by one onto the v3 JSON paths, then read the same way. It has no half-map list.
 *
 * The XML is parsed by @xmldom/xmldom (a DOM parser). Headers are small; anything over
 * MAX_HEADER_BYTES, with a DOCTYPE (entity declarations have no place in a header), or not well
 * formed is refused with a HeaderXmlError.
 */
import { open } from 'node:fs/promises';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { parseEntryMetadata, type EntryMetadata } from './entry-metadata.ts';
import { normaliseEmdbId } from './ids.ts';

/** Largest header accepted (bytes); real ones are 10–100 kB. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** The file is not an EMDB header XML we can read. */
export class HeaderXmlError extends Error {
  override name = 'HeaderXmlError';
}

type Tree = string | { [k: string]: Tree | Tree[] };

/** Which schema a header uses. */
export type HeaderSchema = 'v1.9' | 'v3';

/** A header read: its schema, its version attribute, and the metadata. */
export interface HeaderXml {
  readonly schema: HeaderSchema;
  readonly version: string | null;
  readonly metadata: EntryMetadata;
}

function elementChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

function nameOf(el: Element): string {
  return el.localName ?? el.nodeName;
}

/** Attributes other than namespace declarations and xsi:*; "true"/"false" become booleans as in the JSON. */
function attributesOf(el: Element): Record<string, Tree | boolean> {
  const out: Record<string, Tree | boolean> = {};
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i);
    if (a === null || a.name.startsWith('xmlns') || a.name.startsWith('xsi:')) continue;
    out[a.localName ?? a.name] = a.value === 'true' ? true : a.value === 'false' ? false : a.value;
  }
  return out;
}

/**
 * The JSON shape of an element: text for a leaf without attributes, `{…attributes, valueOf_}` for
 * a leaf with attributes, an object of children otherwise (repeated children as arrays).
 */
export function elementTree(el: Element): Tree {
  const attrs = attributesOf(el);
  const kids = elementChildren(el);
  if (kids.length === 0) {
    const text = el.textContent ?? '';
    return Object.keys(attrs).length === 0 ? text : ({ ...attrs, valueOf_: text } as Tree);
  }
  const out: Record<string, Tree | Tree[]> = { ...(attrs as Record<string, Tree>) };
  for (const k of kids) {
    const key = nameOf(k);
    const v = elementTree(k);
    const prev = out[key];
    out[key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Lists whose members the XML names by type and the JSON by one generic key (`instance_type` keeps the type). */
const TYPED_LISTS: Record<string, { key: string; member: (name: string) => boolean }> = {
  structure_determination: { key: 'image_processing', member: (n) => n.endsWith('_processing') },
  supramolecule_list: { key: 'supramolecule', member: (n) => n.endsWith('_supramolecule') },
  macromolecule_list: { key: 'macromolecule', member: () => true },
  microscopy_list: { key: 'microscopy', member: (n) => n.endsWith('_microscopy') },
  specimen_preparation_list: { key: 'specimen_preparation', member: (n) => n.endsWith('_preparation') },
};

/** The v3 element as the API's JSON has it (typed list members renamed, recursively). */
export function v3Json(el: Element): Tree {
  const kids = elementChildren(el);
  if (kids.length === 0) return elementTree(el);
  const typed = TYPED_LISTS[nameOf(el)];
  const out: Record<string, Tree | Tree[]> = { ...(attributesOf(el) as Record<string, Tree>) };
  for (const k of kids) {
    const name = nameOf(k);
    const generic = typed?.member(name) ? typed.key : null;
    let v = v3Json(k);
    if (generic !== null && typeof v === 'object' && !Array.isArray(v)) v = { ...v, instance_type: name };
    const key = generic ?? name;
    const prev = out[key];
    out[key] = prev === undefined ? (generic !== null ? [v] : v) : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** First descendant element reached by the path of names (each step: the first child of that name). */
function child(el: Element | null, ...names: string[]): Element | null {
  let cur = el;
  for (const n of names) {
    if (cur === null) return null;
    cur = elementChildren(cur).find((k) => nameOf(k) === n) ?? null;
  }
  return cur;
}

function children(el: Element | null, name: string): Element[] {
  return el === null ? [] : elementChildren(el).filter((k) => nameOf(k) === name);
}

/** Every descendant element of that name, in document order. */
function descendants(el: Element | null, name: string): Element[] {
  if (el === null) return [];
  return elementChildren(el).flatMap((k) => (nameOf(k) === name ? [k, ...descendants(k, name)] : descendants(k, name)));
}

function text(el: Element | null): string | undefined {
  const t = el?.textContent?.trim();
  return t === undefined || t === '' ? undefined : t;
}

/** A `{valueOf_, units}` value (as the v3 JSON writes numbers with units) from a v1.9 element. */
function withUnits(el: Element | null): Tree | undefined {
  const t = text(el);
  if (t === undefined || el === null) return undefined;
  const units = el.getAttribute('units');
  return units ? { valueOf_: t, units } : t;
}

/** Drops undefined members so the JSON reader sees absent keys. */
function defined(o: Record<string, Tree | Tree[] | boolean | undefined>): Record<string, Tree> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, Tree>;
}

/** v1.9 authors are one comma-separated text ("Clare DK, Vasishtan D, …"). */
function splitAuthors(s: string | undefined): string[] {
  return s === undefined ? [] : s.split(',').map((a) => a.trim()).filter((a) => a !== '');
}

/** The v1.9 applied symmetry as the v3 JSON's `applied_symmetry`. */
function v19Symmetry(processing: Element | null): Tree | undefined {
  const pointGroup = text(descendants(processing, 'appliedSymmetry')[0] ?? null);
  if (pointGroup !== undefined) return { point_group: pointGroup };
  const helical = child(processing, 'helical');
  if (helical === null) return undefined;
  const h = defined({ delta_z: withUnits(child(helical, 'deltaZ')), delta_phi: withUnits(child(helical, 'deltaPhi')), axial_symmetry: text(child(helical, 'axialSymmetry')) });
  return Object.keys(h).length > 0 ? { helical_parameters: h } : undefined;
}

/** A v1.9 header (`emdEntry`) mapped onto the v3 JSON paths the metadata reader uses. */
export function v19Json(root: Element): Record<string, Tree> {
  const dep = child(root, 'deposition');
  const map = child(root, 'map');
  const processing = child(root, 'processing');
  const sample = child(root, 'sample');
  const access = root.getAttribute('accessCode');
  const contours = children(map, 'contourLevel').map((c) => defined({ level: text(c), primary: true, source: c.getAttribute('source')?.toUpperCase() || undefined }));
  const pdbIds = [...descendants(dep, 'fittedPDBEntryId'), ...descendants(child(root, 'experiment'), 'pdbEntryId')].map((e) => text(e)).filter((t) => t !== undefined);
  const weight = defined({ theoretical: withUnits(child(sample, 'molWtTheo')), experimental: withUnits(child(sample, 'molWtExp')) });
  const resolution = text(child(processing, 'reconstruction', 'resolutionByAuthor'));
  return defined({
    emdb_id: access ? `EMD-${access}` : undefined,
    admin: defined({
      current_status: defined({ code: text(child(dep, 'status')) }),
      key_dates: defined({
        deposition: text(child(dep, 'depositionDate')),
        header_release: text(child(dep, 'headerReleaseDate')),
        map_release: text(child(dep, 'mapReleaseDate')),
        update: text(child(root, 'admin', 'lastUpdate')),
      }),
      title: text(child(dep, 'title')),
      authors_list: { author: splitAuthors(text(child(dep, 'authors'))) },
    }),
    crossreferences: { pdb_list: { pdb_reference: pdbIds.map((p) => ({ pdb_id: p })) } },
    sample: Object.keys(weight).length > 0 ? { supramolecule_list: { supramolecule: [{ molecular_weight: weight }] } } : undefined,
    structure_determination_list: {
      structure_determination: [
        defined({
          method: text(child(processing, 'method')),
          image_processing: [{ final_reconstruction: defined({ resolution: resolution !== undefined ? { valueOf_: resolution, res_type: 'BY AUTHOR' } : undefined, applied_symmetry: v19Symmetry(processing) }) }],
        }),
      ],
    },
    map: defined({
      file: text(child(map, 'file')),
      dimensions: defined({ col: text(child(map, 'dimensions', 'numColumns')), row: text(child(map, 'dimensions', 'numRows')), sec: text(child(map, 'dimensions', 'numSections')) }),
      axis_order: defined({ fast: text(child(map, 'axisOrder', 'axisOrderFast')), medium: text(child(map, 'axisOrder', 'axisOrderMedium')), slow: text(child(map, 'axisOrder', 'axisOrderSlow')) }),
      pixel_spacing: defined({ x: withUnits(child(map, 'pixelSpacing', 'pixelX')), y: withUnits(child(map, 'pixelSpacing', 'pixelY')), z: withUnits(child(map, 'pixelSpacing', 'pixelZ')) }),
      contour_list: { contour: contours },
    }),
  });
}

/** Parses XML text into its root element; not well formed, a DOCTYPE, or too large → HeaderXmlError. */
function parseXml(xml: string, what: string): Element {
  if (xml.length > MAX_HEADER_BYTES) throw new HeaderXmlError(`${what}: ${xml.length} characters, more than the ${MAX_HEADER_BYTES} a header may have`);
  if (/<!DOCTYPE/iu.test(xml)) throw new HeaderXmlError(`${what}: has a DOCTYPE; EMDB headers have none (entity declarations are refused)`);
  let root: Element | null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new HeaderXmlError(message);
      },
    }).parseFromString(xml, 'text/xml');
    root = doc.documentElement;
  } catch (err) {
    throw new HeaderXmlError(`${what}: not well-formed XML (${(err as Error).message.split('\n')[0]})`);
  }
  if (root === null) throw new HeaderXmlError(`${what}: no root element`);
  return root;
}

/**
 * Reads a header XML. `id` is the accession the caller expects (the archive folder, or null for a
 * lone file: then the header's own ID is used and must be valid). A header for another entry, or
 * whose root is neither `emd` (v3) nor `emdEntry` (v1.9), is refused.
 */
export function parseHeaderXml(xml: string, id: string | null, what = 'header XML'): HeaderXml {
  const root = parseXml(xml.replace(/^\uFEFF/u, ''), what);
  const rootName = nameOf(root);
  let schema: HeaderSchema;
  let json: Tree;
  if (rootName === 'emd') {
    schema = 'v3';
    json = v3Json(root);
  } else if (rootName === 'emdEntry') {
    schema = 'v1.9';
    json = v19Json(root);
  } else {
    throw new HeaderXmlError(`${what}: root element <${rootName.slice(0, 40)}> is neither <emd> (schema v3) nor <emdEntry> (v1.9)`);
  }
  const declared = typeof json === 'object' && !Array.isArray(json) && typeof json.emdb_id === 'string' ? json.emdb_id : null;
  let accession = id;
  if (accession === null) {
    const own = declared === null ? null : normaliseEmdbId(declared);
    if (own === null) throw new HeaderXmlError(`${what}: no valid EMDB ID in the header (${JSON.stringify((declared ?? '').slice(0, 40))})`);
    accession = own;
  }
  const metadata = parseEntryMetadata(accession, json);
  const declaredNorm = declared === null ? null : normaliseEmdbId(declared);
  if (declared !== null && declaredNorm !== accession) throw new HeaderXmlError(`${what}: the header is for ${JSON.stringify(declared.slice(0, 40))}, not ${accession}`);
  const version = root.getAttribute('version');
  return { schema, version: version === null || version === '' ? null : version.slice(0, 32), metadata };
}

/**
 * Reads a header XML file (`emvr analyze --header`, the archive source). Every failure, from a
 * missing file to a header of another entry, is a HeaderXmlError whose message names the file.
 */
export async function readHeaderFile(file: string, id: string | null): Promise<HeaderXml> {
  let text: string;
  try {
    const fh = await open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      if (size > MAX_HEADER_BYTES) throw new HeaderXmlError(`${file}: ${size} bytes, more than the ${MAX_HEADER_BYTES} a header may have`);
      text = (await fh.readFile()).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof HeaderXmlError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new HeaderXmlError(`${file}: cannot read the header (${e.code ?? e.message})`);
  }
  return parseHeaderXml(text, id, file);
}
