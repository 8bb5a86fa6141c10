/**
 * What a measurement returns before the runner adds status, texts, timing and figures: warnings
 * with stable codes, values (plain JSON once written; units come from the item's spec), result
 * sentences and tables.
 */
import type { Table, Warning } from './schema.ts';

export interface ItemResult {
  readonly warnings: Warning[];
  readonly values: Record<string, unknown>;
  readonly units: Record<string, string>;
  readonly results: string[];
  readonly tables: Table[];
}
