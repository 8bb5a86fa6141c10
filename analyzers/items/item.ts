/**
 * How an item is computed: its spec (report/items/…, the texts, units and value schema) plus
 * `compute` on the per-entry context and `outputs` (figures, downloadable maps) drawn from the
 * measurement. One implementation per item, listed in registry.ts.
 */
import type { DataFile, Figure, ItemId, SpecOf, Table, Warning } from '../report/schema.ts';
import type { EntryContext, ProductName } from './context.ts';

/**
 * What a measurement gives the report, before the runner adds status, texts, units, timing and
 * figures: warnings with stable codes, values (plain JSON once written, checked against the
 * item's spec, which also gives their units), result sentences and tables.
 */
export interface ItemResult {
  readonly warnings: Warning[];
  readonly values: Record<string, unknown>;
  readonly results: string[];
  readonly tables: Table[];
  /**
   * Why the automatic criteria could not be evaluated although the values were measured (e.g. no
   * reported resolution to compare with): the item is then shown but not counted in the score.
   */
  readonly notEvaluable?: string;
}

/** A measurement: the report part (values, warnings, sentences, tables) and what the outputs draw from. */
export interface Measurement<X = undefined> extends ItemResult {
  /** Data for the figures and files (maps, curves), not written to the report. */
  readonly extra: X;
}

/** Figures and downloadable files of an item. */
export interface ItemOutputs {
  readonly figures: Figure[];
  readonly files: DataFile[];
}

export interface ItemImplementation<Id extends ItemId = ItemId, X = unknown> {
  readonly spec: SpecOf<Id>;
  /** Shared products of the context this item uses (released once no later item uses them). */
  readonly uses?: readonly ProductName[];
  /**
   * Measures the item. Throws NotApplicable (the item cannot apply to this input) or
   * NotMeasurable (it ran but could not measure), each with the reason for the reader.
   */
  compute(ctx: EntryContext): Promise<Measurement<X>>;
  /** Figures and files of a measurement; a failure here is reported in the results, not as a failed item. */
  outputs?(ctx: EntryContext, m: Measurement<X>): Promise<ItemOutputs>;
}

/** Declares an implementation (keeps the id and the extra data's type). */
export function implementItem<Id extends ItemId, X>(impl: ItemImplementation<Id, X>): ItemImplementation<Id, X> {
  return impl;
}

/** A measurement with nothing extra for the outputs. */
export function measured(r: ItemResult): Measurement<undefined> {
  return { ...r, extra: undefined };
}
