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
 * Runs `impl` on `ctx`; throws only when output cannot be written (a full disk, a read-only
 * folder): that is no finding about the item, and the whole analysis must stop, not publish a
 * report whose figures are missing.
 */
export async function runItem(impl: ItemImplementation, ctx: EntryContext): Promise<AnyItem> {
  const { spec } = impl;
  const base = { id: spec.id, title: spec.title, explanation: spec.explanation, criteria: spec.criteria };
  const t0 = performance.now();
  const done = () => ({ seconds: Math.round(performance.now() - t0) / 1000, peakRssMB: Math.round(peakRssMB()) });
  const notMeasured = (status: 'not-applicable' | 'failed', reason: string): AnyItem => ({
    ...base, status, reason, evaluable: false, warnings: [], values: {}, units: {}, results: [], tables: [], figures: [], files: [], timing: done(),
  });

  let m: Measurement<unknown>;
  try {
    m = await impl.compute(ctx);
  } catch (err) {
    if (err instanceof CannotWriteError) throw err;
    return notMeasured(err instanceof NotApplicable ? 'not-applicable' : 'failed', err instanceof Error ? err.message : String(err));
  }
  const values = toJson(m.values);
  const parsed = spec.values.safeParse(values);
  if (!parsed.success) return notMeasured('failed', `internal error: the values of ${spec.id} do not match its spec:\n${z.prettifyError(parsed.error)}`);
  const declared = new Set(spec.warnings.map((w) => w.code));
  const undeclared = m.warnings.filter((w) => !declared.has(w.code)).map((w) => w.code);
  if (undeclared.length > 0) return notMeasured('failed', `internal error: ${spec.id} raised warning codes its spec does not declare: ${undeclared.join(', ')}`);

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
    ...base,
    status: m.warnings.length > 0 ? 'warnings' : 'ok',
    evaluable: m.notEvaluable === undefined,
    warnings: m.warnings,
    values,
    units: { ...spec.units },
    results,
    tables: m.tables,
    figures,
    files,
    timing: done(),
  };
}

/** Values as plain JSON: typed arrays to arrays, non-finite numbers to null. */
function toJson(values: Record<string, unknown>): Record<string, z.core.util.JSONType> {
  return JSON.parse(JSON.stringify(values, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
