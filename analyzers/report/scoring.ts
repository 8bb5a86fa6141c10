/**
 * The overall score and the abstract (level0-spec.md §12): an item that was measured and has
 * automatic criteria is evaluable; it passes when it has no warning. Not-applicable and failed
 * items count in neither. The abstract's sentences come from each item's spec; an item that could
 * not be measured gets a sentence with the reason.
 */
import { itemSpec, type ItemId } from './catalog.ts';
import type { AnyItem } from './parts.ts';
import { formatQuantity } from './format-number.ts';

/** Items in report order, as the runner produced them. */
type Items = readonly Pick<AnyItem, 'id' | 'status' | 'evaluable' | 'reason'>[];

export function scoreItems(items: Items): { passing: number; evaluable: number } {
  let passing = 0;
  let evaluable = 0;
  for (const it of items) {
    if (!it.evaluable) continue;
    evaluable++;
    if (it.status === 'ok') passing++;
  }
  return { passing, evaluable };
}

/** Abstract sentence of an item, or null when it contributes none in this state. */
export function summarySentence(id: ItemId, status: AnyItem['status'], reason?: string): string | null {
  const s = itemSpec(id).summary;
  if (status === 'ok') return s.ok;
  if (status === 'warnings') return `There seems to be a problem with ${s.problem} (see ${id}).`;
  if (status === 'failed') return notMeasuredSentence(id, reason ?? '');
  return null;
}

/**
 * An item that ran and could not measure is a finding (a map masked before deposition has no
 * noise to test): the abstract says so with the reason, since the score silently leaves it out.
 * An analyzer bug is named as such, not quoted (its message is for developers, on the item).
 */
export function notMeasuredSentence(id: ItemId, reason: string): string {
  const why = reason.trim().replace(/\s+/gu, ' ').replace(/\.$/u, '');
  if (why === '' || why.startsWith('internal error')) return `${id} could not be measured because of an internal error of the analyzer (see ${id}); it is not counted in the score.`;
  return `${id} could not be measured: ${why}; it is not counted in the score.`;
}

/** Abstract sentences in item order, the score sentence, and the missing-resolution notice. */
export function summarize(items: Items, score: { passing: number; evaluable: number }, resolution: number | null): string[] {
  const out: string[] = [];
  for (const it of items) {
    // A measured item whose criteria could not be evaluated has nothing to say in the abstract.
    const s = it.evaluable || it.status !== 'ok' ? summarySentence(it.id as ItemId, it.status, it.reason) : null;
    if (s) out.push(s);
  }
  out.push(`The overall score (passing tests) of this report is ${score.passing} out of ${score.evaluable} evaluable items.`);
  if (resolution === null) out.push('No resolution was reported for this map, so the analyses that need one did not run.');
  return out;
}

/** A resolution estimate of the closing paragraph: method, value (Å), and what it measures. */
export interface ResolutionEstimate {
  readonly method: string;
  readonly value: number;
  /** A phrase ("the median local resolution inside the mask, …"); absent for an estimate without one. */
  readonly measures?: string;
}

/** VRS's caution (level0-spec.md §12): a reported resolution finer than this fraction of the estimates' mean may be overestimated. */
export const OVERESTIMATE_FRACTION = 0.8;

const aa = (x: number) => formatQuantity(x, 'length');

/**
 * The closing resolution paragraph (level0-spec.md §12): one sentence per estimate (method, value,
 * what it measures), their range and mean only when there are several, the reported resolution,
 * and a verdict: the reported value may be overestimated when it is finer (smaller) than 0.8 × the
 * estimate (or the mean of the estimates). Empty when no estimate was made.
 */
export function resolutionSummary(estimates: ReadonlyArray<ResolutionEstimate>, resolution: number | null): string[] {
  if (estimates.length === 0) return [];
  const lines = estimates.map((e) => `${e.method}: ${aa(e.value)}${e.measures ? `, ${e.measures}` : ''}.`);
  const values = estimates.map((e) => e.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const single = estimates.length === 1;
  if (!single) lines.push(`The ${estimates.length} estimates range from ${aa(Math.min(...values))} to ${aa(Math.max(...values))}; their mean is ${aa(mean)}.`);
  if (resolution === null) {
    lines.push(`No resolution was reported, so there is nothing to compare ${single ? 'this estimate' : 'these estimates'} with.`);
    return lines;
  }
  const limit = OVERESTIMATE_FRACTION * mean;
  const what = single ? 'this estimate' : 'the mean of the estimates';
  const rule = `${OVERESTIMATE_FRACTION} × ${aa(mean)} = ${aa(limit)}`;
  lines.push(
    resolution < limit
      ? `Verdict: the reported resolution, ${resolution} Å, is more than ${Math.round(100 * (1 - OVERESTIMATE_FRACTION))} % finer than ${what} (it is below ${rule}): it may be overestimated.`
      : `Verdict: the reported resolution, ${resolution} Å, is consistent with ${what}: it is not more than ${Math.round(100 * (1 - OVERESTIMATE_FRACTION))} % finer (the limit is ${rule}).`,
  );
  return lines;
}
