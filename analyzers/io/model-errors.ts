/**
 * The one error class of the atomic-model readers (PDB and mmCIF), thrown at the I/O boundary.
 * Problems in a model file are fatal for reading: a model with a broken coordinate line cannot be
 * scored against a map, so the reader refuses instead of guessing.
 */

/**
 * Thrown by `parsePdb`, `parseMmcif` and `readModel`. The message always names the source (file
 * path or label) and, when the problem sits on one line, its 1-based line number:
 * `"<source> line <n>: <problem>"` or `"<source>: <problem>"`.
 */
export class ModelFormatError extends Error {
  /** The path (or label) of the model text, as given to the reader. */
  readonly source: string;
  /** 1-based line number of the offending record, or null when the problem is not on one line. */
  readonly line: number | null;
  /** The problem alone, without source and line. */
  readonly problem: string;
  constructor(source: string, problem: string, line: number | null = null) {
    super(line === null ? `${source}: ${problem}` : `${source} line ${line}: ${problem}`);
    this.name = 'ModelFormatError';
    this.source = source;
    this.line = line;
    this.problem = problem;
  }
}
