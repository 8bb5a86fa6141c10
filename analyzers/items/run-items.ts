/**
 * Runs the items of an entry in report order, drawing each item's figures while the next item is
 * measured. The figures (slices, PNG encoding, the surface renderer, Vega) run on the main
 * thread, the heavy measurements mostly on the worker pool; one after the other, a core idled in
 * each. Overlapped, they share the two cores.
 *
 * Nothing published depends on the overlap: an item's measurement reads only the context (its
 * inputs and shared products, each a pure function of them), never another item's figures, and
 * the figures are drawn one item after another in report order (item k+1's after item k's), so
 * the files, the report and the items' order are those of a sequential run. The measurements run
 * one at a time in report order too, at most `measuredAhead` items ahead of the drawing, so the
 * memory held is one measurement's working set plus a few items' results.
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
 * How many items the measurements may run ahead of the drawing: env `EMVR_MEASURE_AHEAD`
 * (integer ≥ 1), default 4: while item k is drawn, items k+1 … k+4 are measured (one after the
 * other), so a long drawing does not stall the measurements behind it, and while the input
 * figures are drawn (seconds of main thread on a 360³ map) the pool already works on 0.d and 0.e
 * instead of waiting for them (with 2, 0.a–0.c were all it had). Each step ahead may hold one
 * more item's results (a 360³ local-resolution map is 0.19 GB); later on, measurements are slower
 * than drawings and the limit is rarely reached (peak RSS of the 360³ report unchanged).
 */
export function measuredAhead(): number {
  const env = process.env.EMVR_MEASURE_AHEAD;
  if (env === undefined || env.trim() === '') return 4;
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
  const measured = impls.map(() => Promise.withResolvers<MeasuredItem>());
  // A failed measurement (a write error) is awaited in its turn; until then it must not count as unhandled.
  for (const m of measured) m.promise.catch(() => undefined);
  const drawn = impls.map(() => Promise.withResolvers<void>());
  let stopped = false;
  // One measurement after the other, item j once item j − ahead − 1 is drawn: while the input
  // figures are drawn, the first `ahead` + 1 items are measured in turn.
  const measuring = (async () => {
    for (let j = 0; j < impls.length && !stopped; j++) {
      if (j > ahead) await drawn[j - ahead - 1].promise;
      if (stopped) return;
      // Products that no item still to draw uses are dropped first (the resized map after 0.g's figures).
      ctx.keepOnly(impls.slice(items.length).flatMap((i) => i.uses ?? []));
      await measureItem(impls[j], ctx).then(measured[j].resolve, (err: unknown) => {
        measured[j].reject(err);
        stopped = true;
      });
    }
  })();
  try {
    await drawing;
    for (let k = 0; k < impls.length; k++) {
      steps.start(impls[k].spec.title);
      const item = await drawItem(await measured[k].promise, ctx);
      items.push(item);
      drawn[k].resolve();
      steps.done(item.status, item.timing?.seconds ?? 0);
    }
  } finally {
    // A write error stops the analysis once nothing of it runs any more.
    stopped = true;
    for (const d of drawn) d.resolve();
    await measuring;
  }
  return items;
}
