/** The colour range of a local-value map's views: [p2.5, p97.5] of its `percentiles` value. */
export function percentileRange(values: Record<string, unknown>): [number, number] {
  const p = values.percentiles as { p2_5: number; p97_5: number };
  return [p.p2_5, p.p97_5];
}
