/**
 * The published lines of Q-score against resolution (σ = 0.6 Å; Pintilie et al., Nat Methods
 * 17:328, 2020, fitted to EMDB entries; level1A-spec.md §A.e step 5): what a well-fitted model
 * scores at a map's reported resolution, and the resolution an average Q corresponds to.
 */

/** Residue classes with a published line. */
export type QClass = 'protein' | 'nucleic' | 'ion' | 'water';

/** Slope (per Å) and intercept of each line. */
export const Q_LINES: Readonly<Record<QClass, { readonly slope: number; readonly intercept: number }>> = {
  protein: { slope: -0.1775, intercept: 1.1192 },
  nucleic: { slope: -0.1377, intercept: 0.9973 },
  ion: { slope: -0.1103, intercept: 1.0795 },
  water: { slope: -0.0895, intercept: 1.0001 },
};

/** Expected Q at resolution `res` (Å). */
export function expectedQ(res: number, kind: QClass): number {
  const l = Q_LINES[kind];
  return l.slope * res + l.intercept;
}

/** The resolution (Å) at which the line of `kind` gives `q`. */
export function resolutionForQ(q: number, kind: QClass): number {
  const l = Q_LINES[kind];
  return (q - l.intercept) / l.slope;
}

/**
 * How far below its line an average Q must fall to warn (A.e): 95 % of the archive's entries
 * (MapQ's EMDB table, analyzers/data) score above line − 0.2 (the 5th percentile of q − line is
 * −0.21 over all 10,188 entries, −0.22 below 4.5 Å; q-relative.test.ts recomputes it).
 */
export const BELOW_EXPECTED_MARGIN = 0.2;
