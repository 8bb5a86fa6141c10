/** A.e Q-score: the resolvability of each atom of the model in the map, and its rank in the archive. */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { count, Histogram, Percentiles, real, percentileList, PERCENTILES_LABEL } from '../../values.ts';

/** Average Q and atoms of a group (a chain, the waters, the ligands). */
const group = z.strictObject({ atoms: count, averageQ: real });

/** One of the populations Q_relative ranks the entry in, and how many entries it rests on. */
const population = z.strictObject({ entries: count, description: z.string() });

export const qScoreSpec = defineItem({
  id: 'A.e',
  level: 'A',
  title: 'A.e Q-score',
  inputs: ['map', 'model'],
  values: z.strictObject({
    /** Mean Q over the non-hydrogen atoms of polymer residues (protein, nucleic acid). */
    averageQ: real,
    /** Q of a well-fitted model at the reported resolution: the published lines (σ 0.6 Å), weighted by the polymer atoms of each kind. */
    expectedQ: real,
    /** The resolution (Å) at which the line gives averageQ. */
    estimatedResolution: real,
    /** Per-atom Q of the polymer atoms: percentiles, median, histogram over [−1, 1]. */
    percentiles: Percentiles,
    medianQ: real,
    histogram: Histogram,
    /** Polymer atoms scored, their residues, and the share of them that are nucleic acid. */
    atoms: count,
    residues: count,
    nucleicFraction: real,
    perChain: z.array(group.extend({ chain: z.string() })),
    waters: group,
    ligands: group,
    /** Percentile of averageQ among the archive's entries, and among those of similar resolution (mid-rank, 0–100). */
    qRelativeAll: real,
    qRelativeResolution: real,
    qRelativePopulations: z.strictObject({
      all: population,
      resolution: population.extend({ band: z.tuple([real, real]).nullable() }),
    }),
    /** Width of the reference Gaussian (Å) and its A, B from the map's statistics. */
    sigma: real,
    referenceA: real,
    referenceB: real,
  }),
  units: { expectedQ: '', estimatedResolution: 'Å', qRelativeAll: '%', qRelativeResolution: '%', sigma: 'Å', nucleicFraction: '' },
  explanation:
    'The Q-score (Pintilie et al. 2020) measures how well each atom is resolved: around the atom, at distances 0 to 2 Å, the map is sampled on spheres (points nearer to another atom than to this one are left out) and correlated with a Gaussian of width 0.6 Å centred on the atom. Q is 1 when the map around the atom follows that Gaussian, near 0 when the atom sits in noise or outside its density. The average over the atoms of the protein and nucleic-acid residues is compared with the Q expected at the reported resolution (the published line for well-fitted models) and ranked among about 10,000 EMDB entries, overall (Q_relative_all) and among the 1,000 entries nearest in resolution (Q_relative_resolution), as EMDB and wwPDB report it. The Q per residue along each chain shows where the model is not supported by the map.',
  criteria: 'Warns when the median atom Q is below 0.1, when the per-atom Q is homogeneous (p97.5 − p2.5 < 0.1), and when the average Q is more than 0.2 below the expected Q at the reported resolution (95 % of the archive\'s entries are above that).',
  warnings: [
    { code: 'Ae.low-median', when: 'the median Q of the polymer atoms is below 0.1: most atoms are not resolved in the map' },
    { code: 'Ae.homogeneous', when: 'the per-atom Q spans less than 0.1 between its 2.5th and 97.5th percentiles: a suspiciously uniform map or model' },
    { code: 'Ae.below-expected', when: 'the average Q is more than 0.2 below the Q expected at the reported resolution (the archive\'s 5th percentile below the line)' },
  ],
  summary: { ok: 'The atoms of the model are resolved in the map as expected at its resolution.', problem: 'the resolvability of the model\'s atoms (Q-score)' },
  display: {
    results: [
      { label: 'Average Q-score', quantity: 'correlation', pick: (v) => v.averageQ },
      { label: 'Expected Q at the reported resolution', quantity: 'correlation', pick: (v) => v.expectedQ },
      { label: 'Resolution the average Q corresponds to', quantity: 'length', pick: (v) => v.estimatedResolution },
      { label: 'Median Q', quantity: 'correlation', pick: (v) => v.medianQ },
      { label: `Q, ${PERCENTILES_LABEL}`, quantity: 'correlation', pick: (v) => percentileList(v.percentiles) },
      { label: 'Q_relative among all entries', quantity: 'percent', pick: (v) => v.qRelativeAll },
      { label: 'Q_relative among entries of similar resolution', quantity: 'percent', pick: (v) => v.qRelativeResolution },
      { label: 'Atoms and residues scored', quantity: 'count', pick: (v) => [v.atoms, v.residues] },
    ],
    details: [
      { label: 'Nucleic-acid share of the atoms', quantity: 'fraction', pick: (v) => v.nucleicFraction },
      { label: 'Waters: atoms, average Q', quantity: 'real', pick: (v) => (v.waters.atoms > 0 ? [v.waters.atoms, v.waters.averageQ] : null) },
      { label: 'Ligands: atoms, average Q', quantity: 'real', pick: (v) => (v.ligands.atoms > 0 ? [v.ligands.atoms, v.ligands.averageQ] : null) },
      { label: 'Width of the reference Gaussian', quantity: 'length', pick: (v) => v.sigma },
      { label: 'Reference Gaussian height and offset', quantity: 'real', pick: (v) => [v.referenceA, v.referenceB] },
    ],
  },
  headlines: [
    {
      column: 'averageQ',
      label: 'A.e average Q-score',
      unit: '',
      quantity: 'correlation',
      pick: (v) => finite(v.averageQ),
      archive: { better: 'higher' },
      // Q_relative (against ~10,000 EMDB entries) until our archive has as many entries as its similar-resolution population.
      ownPercentiles: {
        ownPopulationMin: 1000,
        pick: (v) =>
          v.qRelativeAll === null
            ? null
            : {
                all: { percentile: v.qRelativeAll, population: `Q_relative_all, ${v.qRelativePopulations.all.description}` },
                band: v.qRelativeResolution === null ? null : { percentile: v.qRelativeResolution, population: `Q_relative_resolution, ${v.qRelativePopulations.resolution.description}` },
              },
      },
    },
    { column: 'qRelativeResolution', label: 'A.e Q_relative_resolution', unit: '%', pick: (v) => finite(v.qRelativeResolution) },
  ],
  resolutionEstimates: [{ method: 'Q-score (average Q on the published line)', measures: 'the resolution that the model\'s average Q-score corresponds to on the published line of Q against resolution', pick: (v) => finite(v.estimatedResolution) }],
  percentileBars: [
    { label: 'Q_relative_all', pick: (v) => (v.qRelativeAll === null ? null : { percentile: v.qRelativeAll, population: v.qRelativePopulations.all.description }) },
    { label: 'Q_relative_resolution', pick: (v) => (v.qRelativeResolution === null ? null : { percentile: v.qRelativeResolution, population: v.qRelativePopulations.resolution.description }) },
  ],
  references: ['pintilie2020', 'pintilie2025'],
});
