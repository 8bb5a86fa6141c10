/** The percentile table of a local-value item (0.f, 0.g): Percentile | value. */
import { PERCENTILE_LEVELS, type PercentileSummary } from '../methods/order-statistics.ts';
import type { Table } from '../report/schema.ts';

export function percentileTable(id: string, caption: string, label: string, unit: string | undefined, p: PercentileSummary, digits: number): Table {
  return {
    id,
    caption,
    columns: [{ key: 'percentile', label: 'Percentile' }, unit ? { key: 'value', label, unit } : { key: 'value', label }],
    rows: PERCENTILE_LEVELS.map(([key, , name]) => [name, Number(p[key].toFixed(digits))]),
  };
}
