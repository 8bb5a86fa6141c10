/** The analyzer's version: a report is re-computed when it changes. */
import pkg from '../package.json' with { type: 'json' };

export const ANALYZER_VERSION: string = pkg.version;
