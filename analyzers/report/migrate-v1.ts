/**
 * Schema 1 (reports written before the item catalog: one map, eight Level 0 items with untyped
 * values) and its migration to schema 2: `input` becomes `inputs.map`, the items move under
 * `items["0"]`. Values are kept as they were; schema 2 then checks them against the item specs.
 * The schema-1 shape is frozen here so that it never changes with the current schema.
 */
import { z } from 'zod';
import { AnyItem, Entry, MapInput } from './parts.ts';

const V1_ITEM_IDS = ['0.a', '0.b', '0.c', '0.d', '0.e', '0.f', '0.g', '0.h'] as const;

export const ReportV1 = z.strictObject({
  schemaVersion: z.literal(1),
  entry: Entry,
  input: MapInput,
  score: z.strictObject({ passing: z.number().int().nonnegative(), evaluable: z.number().int().nonnegative() }),
  summary: z.array(z.string()),
  items: z.strictObject(Object.fromEntries(V1_ITEM_IDS.map((id) => [id, AnyItem])) as Record<(typeof V1_ITEM_IDS)[number], typeof AnyItem>),
  resolutionEstimates: z.array(z.strictObject({ item: z.enum(V1_ITEM_IDS), method: z.string(), value: z.number() })),
  resolutionSummary: z.array(z.string()),
  provenance: z.strictObject({
    analyzer: z.strictObject({ name: z.literal('emvr'), version: z.string() }),
    parameters: z.record(z.string(), z.json()),
    runtime: z.strictObject({ node: z.string(), platform: z.string() }),
    totalSeconds: z.number().nonnegative().nullable(),
    peakRssMB: z.number().nonnegative().nullable(),
  }),
});
export type ReportV1 = z.output<typeof ReportV1>;

/** A schema-1 report in schema-2 shape (not yet checked against schema 2). Throws on a bad v1 report. */
export function migrateV1(json: unknown, source = 'report.json'): unknown {
  const r = ReportV1.safeParse(json);
  if (!r.success) throw new Error(`${source} does not match report schema 1:\n${z.prettifyError(r.error)}`);
  const { input, items, ...rest } = r.data;
  return { ...rest, schemaVersion: 2, inputs: { map: input }, items: { '0': items } };
}
