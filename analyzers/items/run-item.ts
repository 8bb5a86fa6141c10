/**
 * Runs one item on the context and turns its outcome into a report item: status from the
 * warnings, not-applicable / could-not-be-measured from the item's own exceptions, any other
 * error as "could not be measured" with its message (one item's bug never stops the report),
 * texts and units from the spec, plus wall time and the process's peak RSS so far.
 *
 * The measurement is checked against the spec before it is written: values must match the
 * item's value schema and every warning code must be one the spec declares. A mismatch is a bug
 * of the analyzer; the item then fails with that reason rather than publishing an undeclared
 * number.
 */
import { z } from 'zod';
import type { AnyItem, DataFile, Figure } from '../report/schema.ts';
import { CannotWriteError } from '../io/write-errors.ts';
import { NotApplicable } from '../util/errors.ts';
import type { EntryContext } from './context.ts';
import type { ItemImplementation, Measurement } from './item.ts';

export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * An item measured but not yet drawn: the report item when it ended without a measurement (not
 * applicable, failed, values off its spec), else the measurement with its checked values.
 */
export type MeasuredItem =
  | { readonly done: AnyItem }
  | { readonly impl: ItemImplementation; readonly m: Measurement<unknown>; readonly values: Record<string, z.core.util.JSONType>; readonly t0: number };

/**
 * Measures `impl` on `ctx` and checks the measurement against the spec (the figures come after,
 * from `drawItem`: the analysis draws one item while it measures the next, run-items.ts). Throws
 * only when output cannot be written (a full disk, a read-only folder): that is no finding about
 * the item, and the whole analysis must stop, not publish a report whose figures are missing.
 */
export async function measureItem(impl: ItemImplementation, ctx: EntryContext): Promise<MeasuredItem> {
  const { spec } = impl;
  const t0 = performance.now();
  let m: Measurement<unknown>;
  try {
    m = await impl.compute(ctx);
  } catch (err) {
    if (err instanceof CannotWriteError) throw err;
    return { done: notMeasured(impl, t0, err instanceof NotApplicable ? 'not-applicable' : 'failed', err instanceof Error ? err.message : String(err)) };
  }
  const values = toJson(m.values);
  const parsed = spec.values.safeParse(values);
  if (!parsed.success) return { done: notMeasured(impl, t0, 'failed', `internal error: the values of ${spec.id} do not match its spec:\n${z.prettifyError(parsed.error)}`) };
  const declared = new Set(spec.warnings.map((w) => w.code));
  const undeclared = m.warnings.filter((w) => !declared.has(w.code)).map((w) => w.code);
  if (undeclared.length > 0) return { done: notMeasured(impl, t0, 'failed', `internal error: ${spec.id} raised warning codes its spec does not declare: ${undeclared.join(', ')}`) };
  return { impl, m, values, t0 };
}

/**
 * Draws the figures and files of a measured item and returns the report item; its time runs from
 * the start of the measurement to the end of the drawing. Throws only as `measureItem` does.
 */
export async function drawItem(measured: MeasuredItem, ctx: EntryContext): Promise<AnyItem> {
  if ('done' in measured) return measured.done;
  const { impl, m, values, t0 } = measured;
  let figures: Figure[] = [];
  let files: DataFile[] = [];
  const results = [...m.results, ...(m.notEvaluable ? [`The criteria could not be evaluated: ${m.notEvaluable}.`] : [])];
  if (impl.outputs) {
    try {
      ({ figures, files } = await impl.outputs(ctx, m));
    } catch (err) {
      if (err instanceof CannotWriteError) throw err;
      results.push(`The figures of this item could not be drawn (${err instanceof Error ? err.message : String(err)}).`);
    }
  }
  return {
    ...baseOf(impl),
    status: m.warnings.length > 0 ? 'warnings' : 'ok',
    evaluable: m.notEvaluable === undefined,
    warnings: m.warnings,
    values,
    units: { ...impl.spec.units },
    results,
    tables: m.tables,
    figures,
    files,
    timing: timingSince(t0),
  };
}

function baseOf({ spec }: ItemImplementation): Pick<AnyItem, 'id' | 'title' | 'explanation' | 'criteria'> {
  return { id: spec.id, title: spec.title, explanation: spec.explanation, criteria: spec.criteria };
}

function timingSince(t0: number): { seconds: number; peakRssMB: number } {
  return { seconds: Math.round(performance.now() - t0) / 1000, peakRssMB: Math.round(peakRssMB()) };
}

function notMeasured(impl: ItemImplementation, t0: number, status: 'not-applicable' | 'failed', reason: string): AnyItem {
  return { ...baseOf(impl), status, reason, evaluable: false, warnings: [], values: {}, units: {}, results: [], tables: [], figures: [], files: [], timing: timingSince(t0) };
}

/** Values as plain JSON: typed arrays to arrays, non-finite numbers to null. */
function toJson(values: Record<string, unknown>): Record<string, z.core.util.JSONType> {
  return JSON.parse(JSON.stringify(values, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
