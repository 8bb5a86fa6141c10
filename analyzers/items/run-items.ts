/**
 * Runs the items of an entry in report order, drawing each item's figures while the next item is
 * measured. The figures (slices, PNG encoding, the surface renderer, Vega) run on the main
 * thread, the heavy measurements mostly on the worker pool; one after the other, a core idled in
 * each. Overlapped, they share the two cores.
 *
 * Nothing published depends on the overlap: an item's measurement reads only the context (its
 * inputs and shared products, each a pure function of them), never another item's figures, and
 * the figures are drawn one item after another in report order (item k+1's after item k's), so
 * the files, the report and the items' order are those of a sequential run. At most one item is
 * measured ahead of the drawing, so no more than two items' results are held at a time.
 */
import type { AnyItem } from '../report/schema.ts';
import type { EntryContext } from './context.ts';
import type { ItemImplementation } from './item.ts';
import { drawItem, measureItem } from './run-item.ts';

/** Where the runner announces the items: `start` when an item's turn begins, `done` when its figures are drawn. */
export interface ItemSteps {
  start(step: string): void;
  done(status: string, seconds: number): void;
}

/**
 * Measures and draws every item of `impls` on `ctx`. `drawing` is what is being drawn when the
 * first item starts (the input figures): the first item's figures wait for it. Throws only when
 * output cannot be written (as `runItem`), once the drawing in progress has settled.
 */
export async function runItems(impls: readonly ItemImplementation[], ctx: EntryContext, steps: ItemSteps, drawing: Promise<unknown> = Promise.resolve()): Promise<AnyItem[]> {
  const items: AnyItem[] = [];
  let drawn: Promise<unknown> = drawing;
  // The first item starts as the drawing before it ends; its announcement waits for that end.
  void drawing.then(() => (impls.length > 0 ? steps.start(impls[0].spec.title) : undefined), () => undefined);
  for (let k = 0; k < impls.length; k++) {
    // Products no item from here on uses are dropped, except those of the item being drawn (0.f's figures show the resized map's mask).
    ctx.keepOnly([...(k > 0 ? (impls[k - 1].uses ?? []) : []), ...impls.slice(k).flatMap((i) => i.uses ?? [])]);
    let measured;
    try {
      measured = await measureItem(impls[k], ctx);
    } finally {
      // A failed measurement (a write error) still lets the figures in progress settle before the analysis stops.
      if (measured === undefined) await drawn.catch(() => undefined);
    }
    await drawn;
    const next = impls[k + 1];
    drawn = drawItem(measured, ctx).then((item) => {
      items.push(item);
      steps.done(item.status, item.timing?.seconds ?? 0);
      if (next) steps.start(next.spec.title);
    });
    // Awaited at the next item or below; until then a write error must not count as unhandled.
    drawn.catch(() => undefined);
  }
  await drawn;
  return items;
}
