/** 1.c Local resolution by a local FSC of the half maps (Blocres-like). */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, localResolutionSummary, localResolutionSummaryUnits, real, localResolutionRows } from '../../values.ts';

export const localFscSpec = defineItem({
  id: '1.c',
  level: '1',
  title: '1.c Local resolution (local FSC, Blocres-like)',
  inputs: ['map', 'halfMaps'],
  values: z.strictObject({
    ...localResolutionSummary,
    /** Edge of the cube taken around each node. */
    box: count,
    /** Distance between lattice nodes. */
    step: count,
    /** FSC value below which a shell counts as unresolved (calibrated: see the methods page). */
    cutoff: real,
    /** Lattice nodes whose local FSC was computed. */
    nodes: count,
    /** [finest, coarsest] value a node can take: [2·Ts (Nyquist), 2·box·Ts (first shell of the padded box)]. */
    range: z.tuple([real, real]),
    /** Nodes whose FSC stayed above the cutoff up to Nyquist. */
    nodesAtFinest: count,
    /** Nodes whose FSC was below the cutoff from the first shell. */
    nodesAtCoarsest: count,
    /** Soft-mask value above which a voxel is analysed. */
    regionFloor: real,
  }),
  units: {
    ...localResolutionSummaryUnits, box: 'voxels',
    step: 'voxels', cutoff: 'FSC', nodes: 'nodes', range: 'Å', nodesAtFinest: 'nodes', nodesAtCoarsest: 'nodes', regionFloor: 'soft-mask value',
  },
  explanation:
    'Local resolution from the two half maps, as Blocres computes it: around each point of a coarse lattice a small cube of both half maps is taken, weighted by a smooth window, zero-padded and Fourier transformed; the Fourier shell correlation of the two cubes gives the resolution where it falls below a cutoff. The values are interpolated between the lattice points over the soft mask. Regions that are more flexible or less well aligned show coarser values.',
  criteria: 'OK if the local resolutions are not all equal (|p97.5 − p2.5| ≥ 0.01 Å) and the reported resolution is not better than 99.9% of them; the second criterion is not evaluated when no resolution is reported.',
  warnings: [
    { code: '1c.homogeneous', when: 'the local resolutions are all equal (|p97.5 − p2.5| < 0.01 Å)' },
    { code: '1c.resolution-better-than-local', when: 'the reported resolution is better than 99.9% of the local resolutions' },
  ],
  summary: { ok: null, problem: 'its local resolution by local FSC' },
  display: {
    results: [...localResolutionRows],
    details: [
      { label: 'Box around each node', quantity: 'count', unit: 'voxels', pick: (v) => v.box },
      { label: 'Distance between nodes', quantity: 'count', unit: 'voxels', pick: (v) => v.step },
      { label: 'FSC cutoff', quantity: 'correlation', pick: (v) => v.cutoff },
      { label: 'Nodes', quantity: 'count', pick: (v) => v.nodes },
      { label: 'Range a node can take (finest, coarsest)', quantity: 'length', pick: (v) => v.range },
      { label: 'Nodes at the finest and at the coarsest value', quantity: 'count', pick: (v) => [v.nodesAtFinest, v.nodesAtCoarsest] },
      { label: 'Soft-mask value above which voxels are analysed', quantity: 'fraction', pick: (v) => v.regionFloor },
    ],
  },
  headlines: [{ column: 'localFscMedian', label: '1.c median local resolution (local FSC)', unit: 'Å', pick: (v) => finite(v.median) }],
  resolutionEstimates: [{ method: 'Local FSC (Blocres-like) median', measures: 'the median local resolution inside the mask, from the FSC of the half maps in a small box around each point', pick: (v) => finite(v.median) }],
  references: ['cardone2013', 'rosenthal2003'],
});
