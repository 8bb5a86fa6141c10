import { describe, expect, it } from 'vitest';
import { notMeasuredSentence, scoreItems, summarize } from './scoring.ts';

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
