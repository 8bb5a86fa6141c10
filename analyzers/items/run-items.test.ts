/**
 * runItems: items are drawn one after another in report order whatever order their measurements
 * end in; a measurement starts while the item before it is drawn (not sooner than
 * EMVR_MEASURE_AHEAD allows); products are kept until the last item using them is drawn; a write
 * error stops the run only after the work in flight has settled. Measurements never overlap each
 * other (one at a time, in report order). Fake items on a stub context:
 * no map, a few milliseconds.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CannotWriteError } from '../io/write-errors.ts';
import type { EntryContext, ProductName } from './context.ts';
import type { ItemImplementation } from './item.ts';
import { measuredAhead, runItems, type ItemSteps } from './run-items.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What happened, in order: "m+ a" measurement of a starts, "m- a" ends, "d+ a" / "d- a" drawing. */
let log: string[] = [];

function fakeItem(id: string, o: { measureMs: number; drawMs: number; uses?: ProductName[]; drawError?: Error }): ItemImplementation {
  const spec = { id, title: `item ${id}`, explanation: '', criteria: [], values: z.object({ v: z.string() }), warnings: [], units: {} };
  return {
    spec: spec as unknown as ItemImplementation['spec'],
    uses: o.uses,
    async compute() {
      log.push(`m+ ${id}`);
      await tick(o.measureMs);
      log.push(`m- ${id}`);
      return { warnings: [], values: { v: id }, results: [], tables: [], extra: undefined };
    },
    async outputs() {
      log.push(`d+ ${id}`);
      await tick(o.drawMs);
      if (o.drawError) throw o.drawError;
      log.push(`d- ${id}`);
      return { figures: [], files: [] };
    },
  };
}

/** A context that only records what `keepOnly` keeps. */
function stubContext(kept: ProductName[][]): EntryContext {
  return { keepOnly: (used: readonly ProductName[]) => kept.push([...new Set(used)].sort()) } as unknown as EntryContext;
}

function recordSteps(events: string[]): ItemSteps {
  return { start: (s) => events.push(`start ${s}`), done: (status) => events.push(`done ${status}`) };
}

afterEach(() => {
  log = [];
  vi.unstubAllEnvs();
});

describe('runItems', () => {
  it('draws in report order while the next item is measured, announcing each item once, in order', async () => {
    vi.stubEnv('EMVR_MEASURE_AHEAD', '1');
    // b measures fast, c slowly, a draws slowly: measurements and drawings overlap and end out of order.
    const impls = [fakeItem('a', { measureMs: 5, drawMs: 40 }), fakeItem('b', { measureMs: 5, drawMs: 5 }), fakeItem('c', { measureMs: 60, drawMs: 5 })];
    const events: string[] = [];
    const items = await runItems(impls, stubContext([]), recordSteps(events));
    expect(items.map((it) => [it.id, it.status, it.values])).toEqual([['a', 'ok', { v: 'a' }], ['b', 'ok', { v: 'b' }], ['c', 'ok', { v: 'c' }]]);
    expect(events).toEqual(['start item a', 'done ok', 'start item b', 'done ok', 'start item c', 'done ok']);
    // b's measurement runs during a's drawing, c's starts once b is measured (one ahead), and drawings never overlap.
    expect(log.indexOf('m+ b')).toBeGreaterThan(log.indexOf('m- a'));
    expect(log.indexOf('m- b')).toBeLessThan(log.indexOf('d- a'));
    expect(log.indexOf('m+ c')).toBeGreaterThan(log.indexOf('d- a'));
    expect(log.filter((e) => e.startsWith('d')).join(' ')).toBe('d+ a d- a d+ b d- b d+ c d- c');
  });

  it('measures the first items in turn while the input figures are drawn, as far ahead as EMVR_MEASURE_AHEAD says', async () => {
    for (const ahead of [1, 2]) {
      log = [];
      vi.stubEnv('EMVR_MEASURE_AHEAD', String(ahead));
      const impls = ['a', 'b', 'c', 'd'].map((id) => fakeItem(id, { measureMs: 2, drawMs: 2 }));
      const input = tick(40).then(() => log.push('input figures drawn'));
      await runItems(impls, stubContext([]), recordSteps([]), input);
      // Items 0 … ahead are measured one after the other before the input figures are done; the next waits for item 0's figures.
      const first = impls.slice(0, ahead + 1).flatMap((it) => [`m+ ${it.spec.id}`, `m- ${it.spec.id}`]);
      expect(log.slice(0, first.length + 1)).toEqual([...first, 'input figures drawn']);
      expect(log.indexOf(`m+ ${impls[ahead + 1].spec.id}`)).toBeGreaterThan(log.indexOf('d- a'));
    }
  });

  it('keeps a product until the last item using it is drawn', async () => {
    vi.stubEnv('EMVR_MEASURE_AHEAD', '1');
    const kept: ProductName[][] = [];
    const impls = [fakeItem('a', { measureMs: 1, drawMs: 1, uses: ['resizedMap'] }), fakeItem('b', { measureMs: 1, drawMs: 1, uses: ['softMask'] }), fakeItem('c', { measureMs: 1, drawMs: 1 }), fakeItem('d', { measureMs: 1, drawMs: 1 })];
    await runItems(impls, stubContext(kept), recordSteps([]));
    // Before measuring a; b (a not yet drawn: its figures may still need the resized map); c (a drawn); d (b drawn).
    expect(kept).toEqual([['resizedMap', 'softMask'], ['resizedMap', 'softMask'], ['softMask'], []]);
  });

  it('rethrows a write error of a drawing, after the measurement in flight has ended', async () => {
    const impls = [fakeItem('a', { measureMs: 1, drawMs: 5, drawError: new CannotWriteError('disk full', 'figures/a.png') }), fakeItem('b', { measureMs: 40, drawMs: 1 })];
    await expect(runItems(impls, stubContext([]), recordSteps([]))).rejects.toThrow('disk full');
    expect(log).toContain('m- b');
  });

  it('rethrows a write error of a measurement once the drawing before it has ended', async () => {
    vi.stubEnv('EMVR_MEASURE_AHEAD', '1');
    const failing = fakeItem('b', { measureMs: 1, drawMs: 1 });
    failing.compute = async () => {
      throw new CannotWriteError('read-only', 'maps/b.mrc.gz');
    };
    const impls = [fakeItem('a', { measureMs: 1, drawMs: 30 }), failing, fakeItem('c', { measureMs: 1, drawMs: 1 })];
    await expect(runItems(impls, stubContext([]), recordSteps([]))).rejects.toThrow('read-only file system');
    expect(log).toEqual(['m+ a', 'm- a', 'd+ a', 'd- a']);
  });

  it('refuses an EMVR_MEASURE_AHEAD that is not an integer ≥ 1', () => {
    expect(measuredAhead()).toBe(4);
    for (const bad of ['0', '1.5', 'two']) {
      vi.stubEnv('EMVR_MEASURE_AHEAD', bad);
      expect(() => measuredAhead()).toThrow(`EMVR_MEASURE_AHEAD must be an integer ≥ 1, got "${bad}"`);
    }
  });
});
