import { describe, expect, it } from 'vitest';
import { makeRefusal, parseRefusal, withoutFolders } from './refusal.ts';

const entry = { id: 'EMD-90005', title: 'phantom', authors: ['A. B.'] as readonly string[], depositionDate: '2026-01-02', releaseDate: null, resolution: 3.5, threshold: 9, method: 'singleParticle' };

describe('refusal.json', () => {
  it('carries the entry, the stage and the reason, and reads back through its schema', () => {
    const r = makeRefusal(entry, 'analysis', 'the recommended contour level 9 is too high: no voxel of the map reaches it (map maximum 1.2); lower it', '1.2.3');
    expect(r).toEqual({
      schemaVersion: 1,
      entry: { ...entry, authors: ['A. B.'] },
      stage: 'analysis',
      reason: 'the recommended contour level 9 is too high: no voxel of the map reaches it (map maximum 1.2); lower it',
      analyzer: { name: 'emvr', version: '1.2.3' },
    });
    expect(parseRefusal(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });

  it('a map without a contour level is refused with a null threshold', () => {
    expect(makeRefusal({ ...entry, threshold: null }, 'metadata', 'EMDB gives no contour level for this map; Level 0 needs one', '1').entry.threshold).toBeNull();
  });

  it('refuses a file of another version or with an empty reason', () => {
    const r = makeRefusal(entry, 'analysis', 'x', '1');
    expect(() => parseRefusal({ ...r, schemaVersion: 2 }, 'EMD-90005/refusal.json')).toThrow(/EMD-90005\/refusal\.json does not match the refusal schema/u);
    expect(() => parseRefusal({ ...r, reason: '' })).toThrow(/refusal schema/u);
  });

  it('publishes file names, never the folders of the machine that analysed', () => {
    expect(withoutFolders('half map /srv/out/cache/EMD-90202/other/emd_90202_half_map_1.map.gz (84×84×84 voxels) is not on the grid of the map /srv/out/cache/EMD-90202/emd_90202.map.gz (80×80×80 voxels)')).toBe(
      'half map emd_90202_half_map_1.map.gz (84×84×84 voxels) is not on the grid of the map emd_90202.map.gz (80×80×80 voxels)',
    );
    expect(withoutFolders('map maximum 1.2 (ratio 3/4)')).toBe('map maximum 1.2 (ratio 3/4)');
  });
});
