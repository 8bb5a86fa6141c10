/** 0.h Hand: chirality of the α-helices found in the map. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const handSpec = defineItem({
  id: '0.h',
  level: '0',
  title: '0.h Hand (helix chirality)',
  inputs: ['map'],
  values: z.strictObject({
    /** Length- and strength-weighted share of left-handed segments: 0 correct hand, 1 mirrored. */
    score: real,
    helixSegments: count,
    helixTotalLengthA: real,
    /** Σ length·|h| over the used segments (Å): the evidence behind the score (absent in reports before it was). */
    evidenceA: real.optional(),
    leftHandedSegments: count,
    /** Low-pass applied before tracing. */
    lowPassA: real,
  }),
  units: { helixTotalLengthA: 'Å', evidenceA: 'Å', lowPassA: 'Å' },
  explanation: 'α-helices are right-handed; in a mirrored map they turn left. The hand test finds helices in the map and measures the chirality of each (a classical replacement of the DeepHand neural network used by VRS). Score 0 means the correct hand, 1 a mirrored map.',
  criteria: 'OK if the hand score is at most 0.4 (above 0.5: the map seems mirrored; between 0.4 and 0.5: uncertain).',
  warnings: [
    { code: '0h.flipped', when: 'the hand score is above 0.5' },
    { code: '0h.uncertain', when: 'the hand score is in (0.4, 0.5]' },
  ],
  summary: { ok: null, problem: 'the map hand' },
  display: {
    results: [
      { label: 'Hand score (0 correct hand, 1 mirrored)', quantity: 'fraction', pick: (v) => v.score },
      { label: 'Helix segments found', quantity: 'count', pick: (v) => v.helixSegments },
      { label: 'Left-handed segments', quantity: 'count', pick: (v) => v.leftHandedSegments },
      { label: 'Total helix length', quantity: 'length', pick: (v) => v.helixTotalLengthA },
    ],
    details: [
      { label: 'Evidence, Σ length × |handedness|', quantity: 'length', pick: (v) => v.evidenceA },
      { label: 'Low-pass before tracing', quantity: 'length', pick: (v) => v.lowPassA },
    ],
  },
  headlines: [{ column: 'handScore', label: '0.h hand score', unit: '', quantity: 'fraction', pick: (v) => finite(v.score), archive: { better: 'lower' } }],
  references: ['jiang2001', 'garcia2022', 'baker2007', 'frangi1998', 'pauling1951'],
});
