import { describe, expect, it } from 'vitest';
import { notMeasuredSentence, resolutionSummary, scoreItems, summarize } from './scoring.ts';
import { ITEM_SPECS } from './catalog.ts';

const ok = (id: string) => ({ id, status: 'ok' as const, evaluable: true });

describe('the abstract says what could not be measured', () => {
  it('a masked deposit: 0.c gets one sentence with its reason, the score counts the others only', () => {
    const items = [
      ok('0.a'),
      ok('0.b'),
      { id: '0.c', status: 'failed' as const, evaluable: false, reason: '72.4% of the 1200 background voxels are exactly 0: the map was masked before deposition, so its noise cannot be tested' },
      ok('0.d'),
    ];
    const score = scoreItems(items);
    expect(score).toEqual({ passing: 3, evaluable: 3 });
    const s = summarize(items, score, 3.5);
    expect(s.filter((x) => x.includes('could not be measured'))).toEqual([
      '0.c could not be measured: 72.4% of the 1200 background voxels are exactly 0: the map was masked before deposition, so its noise cannot be tested; it is not counted in the score.',
    ]);
    // In item order: after 0.b's sentence, before 0.d's, and the score sentence last.
    expect(s.findIndex((x) => x.startsWith('0.c'))).toBe(2);
    expect(s.at(-1)).toBe('The overall score (passing tests) of this report is 3 out of 3 evaluable items.');
  });

  it('an analyzer bug is named as such, not quoted', () => {
    expect(notMeasuredSentence('0.e', 'internal error: the values of 0.e do not match its spec:\n✖ bad')).toBe(
      '0.e could not be measured because of an internal error of the analyzer (see 0.e); it is not counted in the score.',
    );
  });

  it('a reason on several lines or with a final full stop reads as one sentence', () => {
    expect(notMeasuredSentence('0.h', 'only 2 helices\n  found.')).toBe('0.h could not be measured: only 2 helices found; it is not counted in the score.');
  });

  it('not-applicable items stay silent (they do not apply, nothing is missing)', () => {
    const items = [ok('0.a'), { id: '1.a', status: 'not-applicable' as const, evaluable: false, reason: 'no half maps' }];
    expect(summarize(items, scoreItems(items), 3.5)).toHaveLength(2);
  });
});

describe('the resolution paragraph: one sentence per estimate and a verdict', () => {
  const monores = { method: 'MonoRes (single map) median', value: 3.41, measures: 'the median local resolution inside the mask' };

  it('one estimate: its sentence and the verdict, no range and no mean', () => {
    const s = resolutionSummary([monores], 3.5);
    expect(s).toEqual([
      'MonoRes (single map) median: 3.41 Å, the median local resolution inside the mask.',
      'Verdict: the reported resolution, 3.5 Å, is consistent with this estimate: it is not more than 20 % finer (the limit is 0.8 × 3.41 Å = 2.73 Å).',
    ]);
    expect(s.join(' ')).not.toMatch(/range|mean/u);
  });

  it('a reported resolution finer than 0.8 × the estimate may be overestimated; at exactly 0.8 × it is not', () => {
    expect(resolutionSummary([{ ...monores, value: 5 }], 3.9).at(-1)).toBe('Verdict: the reported resolution, 3.9 Å, is more than 20 % finer than this estimate (it is below 0.8 × 5 Å = 4 Å): it may be overestimated.');
    expect(resolutionSummary([{ ...monores, value: 5 }], 4).at(-1)).toMatch(/^Verdict: the reported resolution, 4 Å, is consistent with this estimate/u);
  });

  it('several estimates: one sentence each, their range and mean, and the verdict against the mean', () => {
    const s = resolutionSummary([{ method: 'FSC 0.143 (unmasked half maps)', value: 4, measures: 'where the FSC first falls below 0.143' }, { method: 'SSNR', value: 6 }], 3.9);
    expect(s).toEqual([
      'FSC 0.143 (unmasked half maps): 4 Å, where the FSC first falls below 0.143.',
      'SSNR: 6 Å.',
      'The 2 estimates range from 4 Å to 6 Å; their mean is 5 Å.',
      'Verdict: the reported resolution, 3.9 Å, is more than 20 % finer than the mean of the estimates (it is below 0.8 × 5 Å = 4 Å): it may be overestimated.',
    ]);
  });

  it('no reported resolution: nothing to compare; no estimate: no paragraph', () => {
    expect(resolutionSummary([monores], null).at(-1)).toBe('No resolution was reported, so there is nothing to compare this estimate with.');
    expect(resolutionSummary([], 3.5)).toEqual([]);
  });
});

describe('every resolution estimate says what it measures', () => {
  it('each spec estimate has a method and a phrase for the paragraph', () => {
    const missing = ITEM_SPECS.flatMap((s) => (s.resolutionEstimates ?? []).filter((e) => !e.measures || e.measures.length < 10).map((e) => `${s.id} ${e.method}`));
    expect(missing).toEqual([]);
  });
});
