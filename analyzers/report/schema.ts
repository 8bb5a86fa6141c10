/**
 * The report contract, schema version 2: `content/entries/EMD-N/report.json`. The analyzer parses
 * every report through this schema before its atomic write; the site reads reports only through
 * `parseReport`, which also reads schema-1 reports (migrate-v1.ts), so no published page
 * vanishes when the schema moves on. Types come from the schema, never by hand. Field names here
 * are a public API (scripts, the JSON download).
 *
 * Items are grouped by level (`items["0"]`, `items["1"]`, `items["A"]`), typed by their spec in
 * catalog.ts, and present exactly when their inputs are: a report written before an item existed
 * still parses (the item is absent), and a report never carries an item it had no input for.
 */
import { z } from 'zod';
import { ITEM_IDS, ITEM_SPECS, itemSpec, specsOfLevel, type AnyItemSpec, type ItemId } from './catalog.ts';
import { LEVELS, type Level } from './item-spec.ts';
import { InputWarning } from './input-warnings.ts';
import { migrateV1 } from './migrate-v1.ts';
import { Entry, Figure, HalfMapInput, itemSchema, MapInput, ModelInput, Vec3, ViewerFiles, type AnyItem } from './parts.ts';

export * from './parts.ts';
export { InputWarning, metadataGridWarnings, type MetadataGrid } from './input-warnings.ts';
export { HEADLINES, ITEM_IDS, ITEM_SPECS, isItemId, itemSpec, specsOfLevel, type AnyItemSpec, type ItemId, type ItemValues, type SpecOf } from './catalog.ts';
export { LEVELS, type InputKind, type Level } from './item-spec.ts';

export const SCHEMA_VERSION = 2;

/** The item envelope (parts.ts `AnyItem`) with the id and the values of spec S (`{}` when not measured). */
type ItemOf<S extends AnyItemSpec> = Omit<AnyItem, 'id' | 'values'> & { id: S['id']; values: z.output<S['values']> | Record<string, never> };
/** A report item; `ReportItem<'0.e'>` has 0.e's typed values. */
export type ReportItem<Id extends ItemId = ItemId> = { [S in AnyItemSpec as S['id']]: ItemOf<S> }[Id];
type LevelItems<L extends Level> = { [S in AnyItemSpec as S['level'] extends L ? S['id'] : never]?: ItemOf<S> };

function levelSchema<L extends Level>(level: L): z.ZodType<LevelItems<L>> {
  const shape = Object.fromEntries(specsOfLevel(level).map((s) => [s.id, itemSchema(s.id, s.values).optional()]));
  return z.strictObject(shape) as unknown as z.ZodType<LevelItems<L>>;
}

/** The analysed files: the map always; the half maps and the model when the entry has them. */
export const Inputs = z.strictObject({
  map: MapInput,
  halfMaps: z.tuple([HalfMapInput, HalfMapInput]).optional(),
  /** Slices of half 1, half 2 and their difference (present with the half maps when figures are drawn). */
  halfMapFigures: z.array(Figure).optional(),
  model: ModelInput.optional(),
  /** Where the entry's metadata (EMDB entry JSON or header XML) disagrees with the map file (input-warnings.ts); absent when it agrees. */
  warnings: z.array(InputWarning).optional(),
  /** The map's grid as the entry's metadata states it (present when metadata was given): part of what decides re-analysis, so a ledger rebuilt from content/ can recompute that hash. */
  metadataGrid: z.strictObject({ voxelSize: Vec3.nullable(), dims: Vec3.nullable() }).optional(),
});
export type Inputs = z.output<typeof Inputs>;

const Items = z.strictObject({ '0': levelSchema('0'), '1': levelSchema('1').optional(), A: levelSchema('A').optional() });

const ItemIdSchema = z.enum(ITEM_IDS as [ItemId, ...ItemId[]]);

export const Report = z
  .strictObject({
    schemaVersion: z.literal(SCHEMA_VERSION),
    entry: Entry,
    inputs: Inputs,
    score: z.strictObject({ passing: z.number().int().nonnegative(), evaluable: z.number().int().nonnegative() }),
    /** Abstract sentences in item order. */
    summary: z.array(z.string()),
    items: Items,
    /** Local-resolution medians and other estimates gathered for the final resolution paragraph. */
    resolutionEstimates: z.array(z.strictObject({ item: ItemIdSchema, method: z.string(), value: z.number() })),
    /** The report's closing paragraph on resolution (empty when no estimate was made). */
    resolutionSummary: z.array(z.string()),
    /** Files of the entry page's 3-D viewer (optional: reports without figures, or older, have none). */
    viewer: ViewerFiles.optional(),
    provenance: z.strictObject({
      analyzer: z.strictObject({ name: z.literal('emvr'), version: z.string() }),
      /** UTC day of the analysis (YYYY-MM-DD; util/analysis-date.ts); absent in reports written before it was recorded. */
      analysedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/u).optional(),
      parameters: z.record(z.string(), z.json()),
      runtime: z.strictObject({ node: z.string(), platform: z.string() }),
      /** null where timings live elsewhere (see the items' timing). */
      totalSeconds: z.number().nonnegative().nullable(),
      peakRssMB: z.number().nonnegative().nullable(),
    }),
  })
  .superRefine((r, ctx) => {
    for (const s of ITEM_SPECS) {
      const present = (r.items as Record<string, Record<string, unknown> | undefined>)[s.level]?.[s.id] !== undefined;
      const missing = s.inputs.filter((k) => r.inputs[k] === undefined);
      if (present && missing.length > 0) ctx.addIssue({ code: 'custom', path: ['items', s.level, s.id], message: `${s.id} is present but its input ${missing.join(', ')} is not` });
    }
    for (const level of LEVELS) {
      const group = (r.items as Record<string, Record<string, { id: string }> | undefined>)[level];
      for (const [key, item] of Object.entries(group ?? {})) {
        if (item && item.id !== key) ctx.addIssue({ code: 'custom', path: ['items', level, key, 'id'], message: `item under "${key}" has id "${item.id}"` });
      }
    }
  });
export type Report = z.output<typeof Report>;

/** The items a report carries, in catalog (report) order. */
/** Every figure of a report in page order: the map's input figures, the half-map slices, then each item's. */
export function reportFigures(r: Report): Figure[] {
  return [...r.inputs.map.figures, ...(r.inputs.halfMapFigures ?? []), ...reportItems(r).flatMap((it) => it.figures)];
}

export function reportItems(r: Report): ReportItem[] {
  const out: ReportItem[] = [];
  for (const s of ITEM_SPECS) {
    const it = (r.items as Record<string, Record<string, ReportItem> | undefined>)[s.level]?.[s.id];
    if (it) out.push(it);
  }
  return out;
}

/** Item `id` of a report, or undefined when the report does not carry it. */
export function reportItem<Id extends ItemId>(r: Report, id: Id): ReportItem<Id> | undefined {
  return (r.items as Record<string, Record<string, ReportItem> | undefined>)[itemSpec(id).level]?.[id] as ReportItem<Id> | undefined;
}

/**
 * Parses a report of schema 2, or of schema 1 after migrating it, listing every problem by path
 * with the source named.
 */
export function parseReport(json: unknown, source = 'report.json'): Report {
  const version = json !== null && typeof json === 'object' ? (json as { schemaVersion?: unknown }).schemaVersion : undefined;
  const input = version === 1 ? migrateV1(json, source) : json;
  const r = Report.safeParse(input);
  if (!r.success) throw new Error(`${source} does not match the report schema${version === 1 ? ' (after migration from schema 1)' : ''}:\n${z.prettifyError(r.error)}`);
  return r.data;
}
