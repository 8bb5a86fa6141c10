/** Input the analysis must refuse as a whole (not one item's failure): e.g. a threshold above every voxel. */
export class AnalysisInputError extends Error {
  override name = 'AnalysisInputError';
}
