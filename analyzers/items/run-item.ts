/**
 * Runs one item's computation and turns its outcome into a report item: status from the warnings,
 * not-applicable / could-not-be-measured from the item's own exceptions, any other error as
 * "could not be measured" with its message (one item's bug never stops the report), plus wall time
 * and the process's peak RSS so far.
 */
import type { DataFile, Figure, Item, ItemId } from '../report/schema.ts';
import { CRITERIA, EXPLANATIONS, ITEM_TITLES } from '../report/texts.ts';
import { NotApplicable } from '../util/errors.ts';
import type { ItemResult } from '../report/item-result.ts';

export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function base(id: ItemId) {
  return { id, title: ITEM_TITLES[id], explanation: EXPLANATIONS[id], criteria: CRITERIA[id] };
}

/**
 * Runs `compute`, then `outputs` (figures, downloadable maps) on its result (their failures are
 * recorded as a sentence of the results, not as a failed item). Returns the item and the raw result (null when the item did not produce one).
 */
export async function runItem<R extends ItemResult>(
  id: ItemId,
  compute: () => R | Promise<R>,
  outputs: (r: R) => Promise<Figure[] | { figures: Figure[]; files: DataFile[] }> = async () => [],
): Promise<{ item: Item; result: R | null }> {
  const t0 = performance.now();
  const done = () => ({ seconds: Math.round((performance.now() - t0)) / 1000, peakRssMB: Math.round(peakRssMB()) });
  let result: R;
  try {
    result = await compute();
  } catch (err) {
    const na = err instanceof NotApplicable;
    const message = err instanceof Error ? err.message : String(err);
    return {
      item: { ...base(id), status: na ? 'not-applicable' : 'failed', reason: message, evaluable: false, warnings: [], values: {}, units: {}, results: [], tables: [], figures: [], files: [], timing: done() },
      result: null,
    };
  }
  let figs: Figure[] = [];
  let files: DataFile[] = [];
  const results = [...result.results];
  try {
    const out = await outputs(result);
    if (Array.isArray(out)) figs = out;
    else ({ figures: figs, files } = out);
  } catch (err) {
    results.push(`The figures of this item could not be drawn (${err instanceof Error ? err.message : String(err)}).`);
  }
  return {
    item: {
      ...base(id),
      status: result.warnings.length > 0 ? 'warnings' : 'ok',
      evaluable: true,
      warnings: result.warnings,
      values: toJson(result.values),
      units: result.units,
      results,
      tables: result.tables,
      figures: figs,
      files,
      timing: done(),
    },
    result,
  };
}

/** Values as plain JSON: typed arrays to arrays, non-finite numbers to null. */
function toJson(values: Record<string, unknown>): Item['values'] {
  return JSON.parse(JSON.stringify(values, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
