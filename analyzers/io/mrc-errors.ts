/** Problems found in an MRC/CCP4 file, as data: every check reports, the boundary decides. */
export interface MrcIssue {
  /** Stable machine-readable code, e.g. MRC_TRUNCATED_DATA. */
  readonly code: string;
  /** One sentence naming the field, the value found and the value expected. */
  readonly message: string;
  /** A fatal issue stops the read unless `permissive` is set (and some stop it even then). */
  readonly fatal: boolean;
}

/** Thrown at the I/O boundary; the message names the file and every fatal problem. */
export class MrcFormatError extends Error {
  readonly file: string;
  readonly issues: readonly MrcIssue[];
  constructor(file: string, issues: readonly MrcIssue[]) {
    const fatal = issues.filter((i) => i.fatal);
    const shown = fatal.length > 0 ? fatal : issues;
    super(`${file}: ${shown.map((i) => i.message).join('; ')}`);
    this.name = 'MrcFormatError';
    this.file = file;
    this.issues = issues;
  }
}
