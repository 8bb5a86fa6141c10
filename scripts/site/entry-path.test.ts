/**
 * Where entries live in the site (site/src/lib/entry-path.ts): group folders and search shards at
 * the default limit and at low ones, by value; and the bound they exist for: over the EMDB
 * accession range, no group folder or shard gets more entries than the limit.
 */
import { describe, expect, it } from 'vitest';
import { entryFolder, entryGroup, fanOut, searchShard } from '../../site/src/lib/entry-path.ts';

describe('entry paths', () => {
  it('puts EMD-N in group floor(N / 1000) and shard floor(N / 8000) at the default limit', () => {
    const f = fanOut();
    expect(f).toEqual({ maxFilesPerDirectory: 10_000, perGroup: 1000, perShard: 8000 });
    expect(entryFolder('EMD-12345', f)).toBe('12/EMD-12345');
    expect(entryFolder('EMD-1234', f)).toBe('1/EMD-1234');
    expect(entryFolder('EMD-999999', f)).toBe('999/EMD-999999');
    expect(entryFolder('local-my_map', f)).toBe('local/local-my_map');
    expect(searchShard('EMD-7999', f)).toBe('s0');
    expect(searchShard('EMD-8000', f)).toBe('s1');
    expect(searchShard('EMD-50123', f)).toBe('s6');
    expect(searchShard('local-x', f)).toBe('local');
  });

  it('derives smaller groups and shards from a low limit, and refuses a limit below 2', () => {
    expect(fanOut(4)).toEqual({ maxFilesPerDirectory: 4, perGroup: 4, perShard: 4 });
    expect(fanOut(2500)).toEqual({ maxFilesPerDirectory: 2500, perGroup: 1000, perShard: 2000 });
    expect(entryGroup('EMD-10007', fanOut(4))).toBe('2501');
    expect(() => fanOut(1)).toThrow(/at least 2/u);
    expect(() => fanOut(Number.NaN)).toThrow(/at least 2/u);
  });

  it('never puts more entries in one group or shard than the limit allows, over 100 000 accessions', () => {
    for (const limit of [3, 10, 2500, 10_000]) {
      const f = fanOut(limit);
      const groups = new Map<string, number>();
      const shards = new Map<string, number>();
      for (let n = 1000; n < 101_000; n++) {
        const id = `EMD-${n}`;
        groups.set(entryGroup(id, f), (groups.get(entryGroup(id, f)) ?? 0) + 1);
        shards.set(searchShard(id, f), (shards.get(searchShard(id, f)) ?? 0) + 1);
      }
      expect(Math.max(...groups.values())).toBe(f.perGroup);
      expect(Math.max(...shards.values())).toBe(f.perShard);
      expect(f.perShard).toBeLessThanOrEqual(limit);
      // A shard is a whole number of groups, so a group never straddles two shards.
      expect(f.perShard % f.perGroup).toBe(0);
    }
  });
});
