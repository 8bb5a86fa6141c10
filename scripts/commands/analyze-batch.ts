/**
 * `emvr analyze-batch`: the analysis part of the nightly job without the site step — fetch the
 * selected entries into <out>/cache, analyse them (locally or as Slurm job arrays), publish into
 * <out>/content, record everything in <out>/ledger.sqlite. Also the inside of each Slurm array
 * task (`--task-file F --task-index I`, written into the batch script by the driver).
 */
import { numberOption, stringOption, UsageError, type Command, type OptionSpec } from '../cli-kit.ts';
import type { NightlySummary } from '../nightly/pipeline.ts';
import { archiveOptionFrom, formatSummary, nightlyCommand, nightlyOptionsFrom, runExitCode, stoppedRunCode } from './nightly.ts';

/** Nightly flags that only concern the site: not offered here. */
const SITE_FLAGS = new Set(['no-site', 'no-pdf', 'base', 'rebuild-site']);

const options: OptionSpec = {
  ...Object.fromEntries(Object.entries(nightlyCommand.options).filter(([k]) => !SITE_FLAGS.has(k))),
  'task-file': { type: 'string' },
  'task-index': { type: 'string' },
};

/** `emvr analyze-batch` (see the file comment); exit 0 when the batch ran (and, with --strict or --ids, nothing failed). */
export const analyzeBatchCommand: Command = {
  name: 'analyze-batch',
  help: `usage: emvr analyze-batch --ids <EMD-N,...> [--emdb <base URL>] [--out <dir>] [--executor local|slurm] [options]

Fetches the selected entries (as emvr nightly selects them: --ids, --since, --full or the last
run's date) with their half maps and fitted model, analyses those whose map, half maps, model,
metadata or analyzer version changed, and publishes their reports into <out>/content/entries/,
recording every outcome in <out>/ledger.sqlite. It is emvr nightly without the site step; every selection,
processing, executor, network and output option of emvr nightly applies (see: emvr nightly
--help). With --executor slurm the analyses run as Slurm job arrays; cancelling it (Ctrl-C,
SIGTERM) cancels its jobs, and the same command resumes without re-analysing finished entries.

internal (what each Slurm array task runs; written into the batch script):
  --task-file <tasks.json>  --task-index <i>   analyse the entries of task i of a submission
`,
  options,
  async run(values) {
    if (values['task-file'] !== undefined || values['task-index'] !== undefined) {
      const file = stringOption(values, 'task-file', true)!;
      const index = numberOption(values, 'task-index', { required: true, min: 0 })!;
      if (!Number.isInteger(index)) throw new UsageError(`--task-index must be a whole number, got ${index}`);
      return (await import('../slurm/task.ts')).runSlurmTask(file, index);
    }
    const opts = { ...nightlyOptionsFrom(values), ...(await archiveOptionFrom(values)), site: { enabled: false, pdf: false } };
    let summary: NightlySummary;
    try {
      summary = await (await import('../nightly/pipeline.ts')).runNightly(opts);
    } catch (err) {
      const code = await stoppedRunCode(err);
      if (code !== null) return code;
      throw err;
    }
    process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    return runExitCode(summary, values.strict === true);
  },
};
