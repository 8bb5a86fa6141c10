/**
 * An item measured but not evaluable (no reported resolution to compare with, a model that does not
 * sit in the map) keeps its numbers but must not read "OK": its pill says so and is not green.
 */
import { describe, expect, it } from 'vitest';
import { statusLabel } from '../../site/src/lib/format.ts';

describe('statusLabel', () => {
  it('labels a measured but unjudged item neutrally, never "OK"', () => {
    const judged = statusLabel('ok', 0);
    const unjudged = statusLabel('ok', 0, false);
    expect(judged).toMatchObject({ text: 'OK', cls: 'ok' });
    expect(unjudged.text).toBe('Measured, not judged');
    expect(unjudged.cls).toBe('not-judged');
    expect(unjudged.status).toBe('ok');
  });
  it('keeps warnings visible on an unjudged item (they are findings, not verdicts)', () => {
    expect(statusLabel('warnings', 2, false)).toMatchObject({ text: '2 warnings', cls: 'warnings' });
  });
});
