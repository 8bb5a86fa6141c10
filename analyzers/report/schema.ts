/**
 * The report contract: `content/entries/EMD-N/report.json`. The analyzer parses every report
 * through this schema before its atomic write; the site reads reports only through it. Types come
 * from the schema, never by hand. Field names here are a public API (scripts, the JSON download).
 */
import { z } from 'zod';

export const SCHEMA_VERSION = 1;

/** EMDB accession, or a local name for a depositor's own map analysed offline. */
export const EntryId = z
  .string()
  .regex(/^(EMD-\d{4,}|local-[A-Za-z0-9_-]{1,64})$/u, 'an EMDB ID (EMD- and at least 4 digits) or local-<name>');

export const ItemId = z.enum(['0.a', '0.b', '0.c', '0.d', '0.e', '0.f', '0.g', '0.h']);
export type ItemId = z.output<typeof ItemId>;
export const ITEM_IDS = ItemId.options;

/** ok: measured, no warning; warnings: measured, ≥ 1 warning; not-applicable: cannot apply (reason); failed: could not be measured (error). */
export const ItemStatus = z.enum(['ok', 'warnings', 'not-applicable', 'failed']);
export type ItemStatus = z.output<typeof ItemStatus>;

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

export const Warning = z.strictObject({
  /** Stable machine-readable code, e.g. "0a.decentering.x". */
  code: z.string().regex(/^[0-9a-z][0-9a-zA-Z_.-]*$/u),
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
  /** Path relative to the entry folder. */
  file: z.string().regex(/^maps\/[A-Za-z0-9_.-]+\.mrc$/u),
  caption: z.string().min(1),
  bytes: z.number().int().nonnegative(),
});
export type DataFile = z.output<typeof DataFile>;

export const Table = z.strictObject({
  id: z.string().regex(/^[a-zA-Z0-9_-]+$/u),
  caption: z.string(),
  columns: z.array(z.strictObject({ key: z.string(), label: z.string(), unit: z.string().optional() })).min(1),
  rows: z.array(z.array(z.union([z.number(), z.string(), z.null()]))),
});
export type Table = z.output<typeof Table>;

export const Item = z
  .strictObject({
    id: ItemId,
    /** Summary-table label, e.g. "0.a Mass analysis". */
    title: z.string(),
    status: ItemStatus,
    /** Why the item does not apply, or the error that stopped it. */
    reason: z.string().optional(),
    /** Whether it counts in the score's denominator (measured and has automatic criteria). */
    evaluable: z.boolean(),
    warnings: z.array(Warning),
    /** Machine-readable results; units of each in `units`. */
    values: z.record(z.string(), z.json()),
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
    /** Wall time and process peak RSS after the item; null where timings live elsewhere (the nightly ledger) so that published content is deterministic. */
    timing: z.strictObject({ seconds: z.number().nonnegative(), peakRssMB: z.number().nonnegative() }).nullable(),
  })
  .refine((i) => (i.status === 'warnings') === i.warnings.length > 0, { message: 'status "warnings" exactly when there are warnings' })
  .refine((i) => !(i.status === 'not-applicable' || i.status === 'failed') || (i.reason ?? '').length > 0, { message: 'not-applicable and failed items need a reason' })
  .refine((i) => i.evaluable === (i.status === 'ok' || i.status === 'warnings'), { message: 'evaluable exactly when measured' });
export type Item = z.output<typeof Item>;

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
  method: z.string().nullable(),
  pdbIds: z.array(z.string().regex(/^([0-9][a-z0-9]{3}|pdb_[0-9]{5}[a-z0-9]{3})$/u)),
});
export type Entry = z.output<typeof Entry>;

export const Input = z.strictObject({
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

export const Report = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  entry: Entry,
  input: Input,
  score: z.strictObject({ passing: z.number().int().nonnegative(), evaluable: z.number().int().nonnegative() }),
  /** Abstract sentences in item order. */
  summary: z.array(z.string()),
  items: z.strictObject(Object.fromEntries(ITEM_IDS.map((id) => [id, Item])) as Record<ItemId, typeof Item>),
  /** Local-resolution medians and other estimates gathered for the final resolution paragraph. */
  resolutionEstimates: z.array(z.strictObject({ item: ItemId, method: z.string(), value: z.number() })),
  /** The report's closing paragraph on resolution (empty when no estimate was made). */
  resolutionSummary: z.array(z.string()),
  provenance: z.strictObject({
    analyzer: z.strictObject({ name: z.literal('emvr'), version: z.string() }),
    parameters: z.record(z.string(), z.json()),
    runtime: z.strictObject({ node: z.string(), platform: z.string() }),
    /** null where timings live elsewhere (see Item.timing). */
    totalSeconds: z.number().nonnegative().nullable(),
    peakRssMB: z.number().nonnegative().nullable(),
  }),
});
export type Report = z.output<typeof Report>;

/** Parses a report, listing every problem by path, with the source named. */
export function parseReport(json: unknown, source = 'report.json'): Report {
  const r = Report.safeParse(json);
  if (!r.success) throw new Error(`${source} does not match the report schema:\n${z.prettifyError(r.error)}`);
  return r.data;
}
