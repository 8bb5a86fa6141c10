/** 0.g Local occupancy (LocOccupancy) on the map resized to res/2. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, Percentiles, RangeHistogram, real, percentileList, PERCENTILES_LABEL } from '../../values.ts';

export const localOccupancySpec = defineItem({
  id: '0.g',
  level: '0',
  title: '0.g Local occupancy (LocOccupancy)',
  inputs: ['map'],
  values: z.strictObject({
    percentiles: Percentiles,
    median: real,
    histogram: RangeHistogram,
    voxels: count,
    frequencies: z.array(real),
    /** Amplitude level typical of the macromolecule, per shell. */
    amplitudeLevels: z.array(real),
    shellWidth: real,
  }),
  units: { percentiles: 'fraction', median: 'fraction', histogram: 'fraction (edges), voxels (counts)', frequencies: 'Å⁻¹', shellWidth: 'Å⁻¹', amplitudeLevels: 'map units' },
  explanation: 'LocOccupancy estimates per voxel the fraction of frequency bands in which the local amplitude reaches the level typical of the macromolecule.',
  criteria: 'OK if the local occupancies are not all equal and their median is at least 0.5.',
  warnings: [
    { code: '0g.homogeneous', when: 'the local occupancies are all equal' },
    { code: '0g.median-low', when: 'the median local occupancy is below 0.5' },
  ],
  summary: { ok: null, problem: 'its local occupancy' },
  display: {
    results: [
      { label: 'Median local occupancy', quantity: 'fraction', pick: (v) => v.median },
      { label: `Local occupancy, ${PERCENTILES_LABEL}`, quantity: 'fraction', pick: (v) => percentileList(v.percentiles) },
      { label: 'Voxels with a local occupancy', quantity: 'count', pick: (v) => v.voxels },
    ],
    details: [{ label: 'Width of the frequency shells', quantity: 'real', unit: 'Å⁻¹', pick: (v) => v.shellWidth }],
  },
  headlines: [{ column: 'localOccupancyMedian', label: '0.g median local occupancy', unit: '', pick: (v) => finite(v.median) }],
  references: ['kaur2021', 'larkin2001'],
});
