/**
 * What a measurement returns before the runner adds status, texts, units, timing and figures:
 * warnings with stable codes, values (plain JSON once written, checked against the item's spec,
 * which also gives their units), result sentences and tables.
 */
import type { Table, Warning } from './schema.ts';

export interface ItemResult {
  readonly warnings: Warning[];
  readonly values: Record<string, unknown>;
  readonly results: string[];
  readonly tables: Table[];
}
