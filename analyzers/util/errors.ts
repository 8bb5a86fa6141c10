/** Input the analysis must refuse as a whole (not one item's failure): e.g. a threshold above every voxel. */
export class AnalysisInputError extends Error {
  override name = 'AnalysisInputError';
}

/** An item that cannot run on this input: becomes "not-applicable" with the reason. */
export class NotApplicable extends Error {
  override name = 'NotApplicable';
}

/** An item that ran but could not measure: becomes "failed" ("could not be measured") with the reason. */
export class NotMeasurable extends Error {
  override name = 'NotMeasurable';
}
