/** A.d Map–model Guinier comparison: the amplitude fall-off of the map against that of the model map. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, real } from '../../values.ts';

export const mapModelGuinierSpec = defineItem({
  id: 'A.d',
  level: 'A',
  title: 'A.d Map-model Guinier',
  inputs: ['map', 'model'],
  values: z.strictObject({
    /** Pearson correlation of ln|F| of the map and of the model map over the shells with d ≥ res. */
    correlation: real,
    /** Guinier B (slope × 4 between 15 Å and res) of the map and of the model map. */
    bMap: real,
    bModel: real,
    /** mean(ln|F| model) − mean(ln|F| map): the shift applied to the map curve in the plot. */
    shift: real,
    points: count,
  }),
  units: { bMap: 'Å²', bModel: 'Å²' },
  explanation:
    'The Guinier plot (ln of the radially averaged Fourier amplitude against 1/d², as in 0.d) of the map is compared with that of the model map, computed the same way up to the reported resolution. If the map is what the model predicts, the two curves have the same shape; their correlation measures it, and the difference of the two Guinier B-factors says how much more (negative) or less the map is blurred than the model map.',
  criteria: 'OK if the correlation of the two curves is at least 0.5; not evaluated without a reported resolution, or when the model is not usable or not aligned with the map.',
  warnings: [{ code: 'Ad.low-correlation', when: 'the Guinier curves of the map and of the model map correlate below 0.5' }],
  summary: { ok: 'The amplitude fall-off of the map matches that of its model.', problem: 'the amplitude fall-off of the map against its model' },
  display: {
    results: [
      { label: 'Correlation of the map and model-map Guinier curves', quantity: 'correlation', pick: (v) => v.correlation },
      { label: 'B-factor of the map', quantity: 'area', pick: (v) => v.bMap },
      { label: 'B-factor of the model map', quantity: 'area', pick: (v) => v.bModel },
    ],
    details: [
      { label: 'Shift of the map curve in the plot', quantity: 'real', pick: (v) => v.shift },
      { label: 'Shells compared', quantity: 'count', pick: (v) => v.points },
    ],
  },
  headlines: [{ column: 'guinierModelCorrelation', label: 'A.d map-model Guinier correlation', unit: '', pick: (v) => finite(v.correlation) }],
  references: ['rosenthal2003'],
});
