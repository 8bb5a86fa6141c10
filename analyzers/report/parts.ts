/**
 * The parts of the report contract that do not depend on the item catalog: entry metadata, the
 * map input, warnings, figures, tables, downloadable files, statuses, and the item envelope
 * (`itemSchema`), whose `values` each item's spec types. schema.ts assembles them into the
 * report; migrate-v1.ts keeps the frozen schema-1 shape.
 */
import { z } from 'zod';

/** EMDB accession, or a local name for a depositor's own map analysed offline. */
export const EntryId = z
  .string()
  .regex(/^(EMD-\d{4,}|local-[A-Za-z0-9_-]{1,64})$/u, 'an EMDB ID (EMD- and at least 4 digits) or local-<name>');

/** ok: measured, no warning; warnings: measured, ≥ 1 warning; not-applicable: cannot apply (reason); failed: could not be measured (error). */
export const ItemStatus = z.enum(['ok', 'warnings', 'not-applicable', 'failed']);
export type ItemStatus = z.output<typeof ItemStatus>;

export const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

export const Warning = z.strictObject({
  /** Stable machine-readable code, e.g. "0a.decentering.x". */
  code: z.string().regex(/^[0-9a-zA-Z][0-9a-zA-Z_.-]*$/u),
  /** The sentence shown to readers. */
  text: z.string().min(1),
});
export type Warning = z.output<typeof Warning>;

export const Figure = z.strictObject({
  /** Stable id within the entry, e.g. "input.central-slices.x". */
  id: z.string().min(1),
  /** Path relative to the entry folder (figures/…png). */
  file: z.string().regex(/^figures\/[A-Za-z0-9_.-]+\.(png|svg)$/u),
  /** Vector version for the page, when the figure is a plot. */
  svg: z.string().regex(/^figures\/[A-Za-z0-9_.-]+\.svg$/u).optional(),
  caption: z.string().min(1),
  /** Sub-caption label within a group ("X slice 180"). */
  label: z.string().optional(),
  /** Figures with the same group are shown side by side (a, b, c). */
  group: z.string().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type Figure = z.output<typeof Figure>;

/** A data file of the entry offered for download (e.g. a local-resolution map). */
export const DataFile = z.strictObject({
  id: z.string().min(1),
  /** Path relative to the entry folder: `.mrc.gz` (gzipped MRC) since issue 22, `.mrc` in older reports. */
  file: z.string().regex(/^maps\/[A-Za-z0-9_.-]+\.mrc(?:\.gz)?$/u),
  caption: z.string().min(1),
  bytes: z.number().int().nonnegative(),
});
export type DataFile = z.output<typeof DataFile>;

/** A file of the entry page's 3-D viewer, relative to the entry folder (gzip'd MRC or mmCIF). */
const ViewerFile = z.string().regex(/^viewer\/[A-Za-z0-9_.-]+\.(mrc|cif)\.gz$/u);

/** A local-value map on the viewer's grid that can colour the map surface. */
export const ViewerColouring = z.strictObject({
  /** The item that computed it ("0.e", "1.e", "A.e"). */
  id: z.string().min(1),
  name: z.string().min(1),
  unit: z.string(),
  file: ViewerFile,
  bytes: z.number().int().nonnegative(),
  /** Colour scale ends (the item's figures use the same: [p2.5, p97.5] for local resolution). */
  range: z.tuple([z.number(), z.number()]),
  /** Whether low values are the good end of the scale (local resolution in Å: yes; Q-score: no). */
  lowIsGood: z.boolean(),
});
export type ViewerColouring = z.output<typeof ViewerColouring>;

/** The 3-D viewer's files (analyzers/figures/viewer-volumes.ts); absent in reports drawn without figures or written before the viewer. */
export const ViewerFiles = z.strictObject({
  map: z.strictObject({
    file: ViewerFile,
    bytes: z.number().int().nonnegative(),
    /** Box of the compact map. */
    dims: Vec3,
    /** Block size s of the averaging (1: the map's own grid). */
    step: z.number().int().positive(),
    /** Contour on the compact map: the recommended one when step = 1, else the level enclosing the same volume. */
    level: z.number(),
    /** The recommended contour of the full map. */
    recommendedLevel: z.number(),
  }),
  colourings: z.array(ViewerColouring),
  /** The model in the map's frame, when the entry has a readable one. */
  model: z.strictObject({
    file: ViewerFile,
    bytes: z.number().int().nonnegative(),
    /** Whether the B-factor column holds each atom's residue Q (A.e) instead of the deposited B. */
    bFactorIsResidueQ: z.boolean(),
  }).optional(),
});
export type ViewerFiles = z.output<typeof ViewerFiles>;

export const Table = z.strictObject({
  id: z.string().regex(/^[a-zA-Z0-9_-]+$/u),
  caption: z.string(),
  columns: z.array(z.strictObject({ key: z.string(), label: z.string(), unit: z.string().optional() })).min(1),
  rows: z.array(z.array(z.union([z.number(), z.string(), z.null()]))),
});
export type Table = z.output<typeof Table>;

export const Entry = z.strictObject({
  id: EntryId,
  title: z.string().nullable(),
  authors: z.array(z.string()),
  depositionDate: z.string().nullable(),
  releaseDate: z.string().nullable(),
  /** Reported resolution, Å (null when not reported). */
  resolution: z.number().positive().nullable(),
  /** Recommended contour level used as threshold. */
  threshold: z.number(),
  /** EMDB structure-determination method: singleParticle, helical, subtomogramAveraging, tomography, electronCrystallography. */
  method: z.string().nullable(),
  pdbIds: z.array(z.string().regex(/^([0-9][a-z0-9]{3}|pdb_[0-9]{5}[a-z0-9]{3})$/u)),
  /** Applied symmetry: a point group ("C7") or "helical: rise …, twist …, axial …" (absent in reports before it was carried, and without metadata). */
  symmetry: z.string().nullable().optional(),
  /** Molecular weight of the whole sample in MDa, from the EMDB metadata (theoretical before experimental; absent as above). */
  molecularWeightMDa: z.number().positive().nullable().optional(),
});
export type Entry = z.output<typeof Entry>;

/** The deposited map as read: file, hash, grid, statistics, reader notes, input figures. */
export const MapInput = z.strictObject({
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/u),
  bytes: z.number().int().nonnegative(),
  dims: Vec3,
  voxelSize: Vec3,
  origin: Vec3,
  mode: z.number().int(),
  stats: z.strictObject({ min: z.number(), max: z.number(), mean: z.number(), std: z.number() }),
  nanCount: z.number().int().nonnegative(),
  /** Notes from the map reader (odd machine stamp, non-orthogonal cell...). */
  notes: z.array(z.strictObject({ code: z.string(), message: z.string() })),
  figures: z.array(Figure),
});

export type MapInput = z.output<typeof MapInput>;

/** One half map: the file and its hash (its grid equals the map's, checked on input). */
export const HalfMapInput = z.strictObject({
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/u),
  bytes: z.number().int().nonnegative(),
});
export type HalfMapInput = z.output<typeof HalfMapInput>;

/** The fitted atomic model: file, hash and its PDB ID when it came from the archive. */
export const ModelInput = z.strictObject({
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/u),
  bytes: z.number().int().nonnegative(),
  pdbId: z.string().regex(/^([0-9][a-z0-9]{3}|pdb_[0-9]{5}[a-z0-9]{3})$/u).optional(),
});
export type ModelInput = z.output<typeof ModelInput>;

/** Wall time and process peak RSS after an item; null where timings live elsewhere (the nightly ledger) so that published content is deterministic. */
export const Timing = z.strictObject({ seconds: z.number().nonnegative(), peakRssMB: z.number().nonnegative() }).nullable();

/** Fields every item carries whatever its values. */
const itemFields = {
  /** Summary-table label, e.g. "0.a Mass analysis". */
  title: z.string(),
  status: ItemStatus,
  /** Why the item does not apply, or the error that stopped it. */
  reason: z.string().optional(),
  /** Whether it counts in the score's denominator (measured and has automatic criteria). */
  evaluable: z.boolean(),
  warnings: z.array(Warning),
  /** Units of the values, by key (empty when the item produced no values). */
  units: z.record(z.string(), z.string()),
  /** What the item measures and how to read it (carried in the report, so it matches the analyzer version). */
  explanation: z.string(),
  /** The automatic criteria, in words. */
  criteria: z.string(),
  /** Result sentences, as the report prints them. */
  results: z.array(z.string()),
  tables: z.array(Table),
  figures: z.array(Figure),
  /** Volumes computed by the item, offered for download (MRC). */
  files: z.array(DataFile),
  timing: Timing,
};

/** Rules every item obeys, whatever its values. */
function itemRules<T extends { status: ItemStatus; warnings: unknown[]; reason?: string; evaluable: boolean }>(s: z.ZodType<T>) {
  return s
    .refine((i) => (i.status === 'warnings') === i.warnings.length > 0, { message: 'status "warnings" exactly when there are warnings' })
    .refine((i) => !(i.status === 'not-applicable' || i.status === 'failed') || (i.reason ?? '').length > 0, { message: 'not-applicable and failed items need a reason' })
    // Measured items may still be unjudgeable (no reported resolution to compare with, a model that
    // does not sit in the map): they are shown but not scored. Unmeasured items are never scored.
    .refine((i) => !i.evaluable || i.status === 'ok' || i.status === 'warnings', { message: 'evaluable only when measured' });
}

/**
 * The envelope of one item: `id`, status, texts, tables, figures, files, timing, and `values` typed
 * by the item's spec when it was measured (ok, warnings), `{}` otherwise. The union has already
 * checked the values against the spec; the refinement only refuses a measured item whose values
 * took the empty branch (specs have required keys, so `{}` never passes the typed branch).
 */
export function itemSchema<const Id extends string, V extends z.ZodType>(id: Id, values: V) {
  return itemRules(
    z.strictObject({ id: z.literal(id), ...itemFields, values: z.union([values, z.strictObject({})]) }),
  ).refine((i) => !(i.status === 'ok' || i.status === 'warnings') || Object.keys((i as unknown as { values: object }).values).length > 0, { message: `values of a measured ${id} must match its spec`, path: ['values'] });
}

/** An item of any id with untyped values (schema 1, and code that handles every item alike). */
export const AnyItem = itemRules(z.strictObject({ id: z.string(), ...itemFields, values: z.record(z.string(), z.json()) }));
export type AnyItem = z.output<typeof AnyItem>;
