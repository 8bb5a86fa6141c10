/**
 * What an item's computation returns before the runner adds status, timing and figures.
 * Warnings carry stable codes; values are plain JSON with their units beside them.
 */
import type { Table, Warning } from '../report/schema.ts';

export interface ItemResult {
  readonly warnings: Warning[];
  readonly values: Record<string, unknown>;
  readonly units: Record<string, string>;
  readonly results: string[];
  readonly tables: Table[];
}

/** An item that cannot run on this input: becomes "not-applicable" with the reason. */
export class NotApplicable extends Error {
  override name = 'NotApplicable';
}

/** An item that ran but could not measure: becomes "failed" ("could not be measured") with the reason. */
export class NotMeasurable extends Error {
  override name = 'NotMeasurable';
}

/** Fixed-point number for result sentences. */
export function f(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}
