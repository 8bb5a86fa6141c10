/**
 * An item's curated result list as text: each row of its spec's `display` picked from the values
 * and formatted by the one number formatter. The page and the PDF render these rows; rows whose
 * value is absent (an older report, a value not measured) are left out.
 */
import { formatQuantities, formatQuantity } from './format-number.ts';
import type { ResultRow } from './item-spec.ts';

/** A row ready to print. */
export interface ResultLine {
  label: string;
  text: string;
}

/** The text of one row, or null when its value is absent. */
export function resultLine<V>(row: ResultRow<V>, values: V): ResultLine | null {
  let v: ReturnType<ResultRow<V>['pick']>;
  try {
    v = row.pick(values);
  } catch {
    // A report written before a nested value existed: the row is simply not there.
    return null;
  }
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return { label: row.label, text: v };
  if (typeof v === 'number') return { label: row.label, text: formatQuantity(v, row.quantity, row.unit) };
  if (v.every((x) => x === null)) return null;
  return { label: row.label, text: formatQuantities(v, row.quantity, row.unit) };
}

/** The lines of `rows` that have a value, in order. */
export function resultLines<V>(rows: readonly ResultRow<V>[], values: V): ResultLine[] {
  return rows.flatMap((r) => {
    const line = resultLine(r, values);
    return line ? [line] : [];
  });
}
