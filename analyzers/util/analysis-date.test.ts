import { describe, expect, it } from 'vitest';
import { analysisDate } from './analysis-date.ts';

describe('the date of an analysis', () => {
  it('is the UTC day of now, or of SOURCE_DATE_EPOCH when set; a malformed epoch is refused', () => {
    const late = () => new Date('2026-12-07T23:59:59.900Z');
    expect(analysisDate({}, late)).toBe('2026-12-07');
    expect(analysisDate({ SOURCE_DATE_EPOCH: '' }, late)).toBe('2026-12-07');
    expect(analysisDate({ SOURCE_DATE_EPOCH: '1767225600' }, late)).toBe('2026-01-01');
    expect(analysisDate({ SOURCE_DATE_EPOCH: '1767225599' }, late)).toBe('2025-12-31');
    expect(() => analysisDate({ SOURCE_DATE_EPOCH: '2026-01-01' }, late)).toThrow(/whole seconds/u);
  });
});
