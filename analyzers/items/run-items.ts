/**
 * Runs the items of an entry in report order, drawing each item's figures while the next item is
 * measured. The figures (slices, PNG encoding, the surface renderer, Vega) run on the main
 * thread, the heavy measurements mostly on the worker pool; one after the other, a core idled in
 * each. Overlapped, they share the two cores.
 *
 * Nothing published depends on the overlap: an item's measurement reads only the context (its
 * inputs and shared products, each a pure function of them), never another item's figures, and
 * the figures are drawn one item after another in report order (item k+1's after item k's), so
 * the files, the report and the items' order are those of a sequential run. Item k+1 is measured
 * while item k is drawn (`measuredAhead`), so only so many items' results are held at a time.
 */
import type { AnyItem } from '../report/schema.ts';
import type { EntryContext } from './context.ts';
import type { ItemImplementation } from './item.ts';
import { drawItem, measureItem, type MeasuredItem } from './run-item.ts';

/** Where the runner announces the items: `start` when an item's turn begins, `done` when its figures are drawn. */
export interface ItemSteps {
  start(step: string): void;
  done(status: string, seconds: number): void;
}

/**
 * Items measured while one is drawn: env `EMVR_MEASURE_AHEAD` (integer ≥ 1), default 1. With 2,
 * two measurements also fill each other's waits for the pool, for ~0.4 GB more at the peak of a
 * 360³ entry with half maps (1.a drawn while 1.b and 1.c are measured).
 */
export function measuredAhead(): number {
  const env = process.env.EMVR_MEASURE_AHEAD;
  if (env === undefined || env.trim() === '') return 1;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`EMVR_MEASURE_AHEAD must be an integer ≥ 1, got "${env}"`);
  return n;
}

/**
 * Measures and draws every item of `impls` on `ctx`. `drawing` is what is being drawn when the
 * first item starts (the input figures): the first item's figures wait for it. Throws only when
 * output cannot be written (as `measureItem`), once the work in progress has settled.
 */
export async function runItems(impls: readonly ItemImplementation[], ctx: EntryContext, steps: ItemSteps, drawing: Promise<unknown> = Promise.resolve()): Promise<AnyItem[]> {
  const ahead = measuredAhead();
  const items: AnyItem[] = [];
  const measuring: Promise<MeasuredItem>[] = [];
  const measure = (k: number): void => {
    if (k >= impls.length) return;
    // Products that no item still to draw uses are dropped first (the resized map after 0.g's figures).
    ctx.keepOnly(impls.slice(items.length).flatMap((i) => i.uses ?? []));
    measuring[k] = measureItem(impls[k], ctx);
    // Awaited in its turn; until then a failure must not count as unhandled.
    measuring[k].catch(() => undefined);
  };
  for (let k = 0; k < ahead; k++) measure(k);
  try {
    await drawing;
    for (let k = 0; k < impls.length; k++) {
      steps.start(impls[k].spec.title);
      const measured = await measuring[k];
      measure(k + ahead);
      const item = await drawItem(measured, ctx);
      items.push(item);
      steps.done(item.status, item.timing?.seconds ?? 0);
    }
  } finally {
    // A write error stops the analysis once nothing of it runs any more.
    await Promise.allSettled(measuring);
  }
  return items;
}
