/**
 * `emvr`: the command-line entry point. Each command lives in scripts/commands/ and has --help.
 * Exit codes: 0 success, 1 bad input or failed analysis, 2 wrong usage, 70 internal error.
 */
import { AnalysisInputError } from '../analyzers/util/errors.ts';
import { MrcFormatError } from '../analyzers/io/mrc-errors.ts';
import { ModelFormatError } from '../analyzers/io/model-errors.ts';
import { CannotWriteError } from '../analyzers/io/write-errors.ts';
import { parseCommandArgs, InputError, UsageError, type Command } from './cli-kit.ts';

/**
 * The commands, each loaded only when it runs: `emvr --help` and `emvr <command> --help` load no
 * analyzer, site or pipeline code (a command's own module defers its heavy imports into `run`).
 */
interface CommandEntry {
  readonly name: string;
  /** One line for `emvr --help`. */
  readonly summary: string;
  load(): Promise<Command>;
}

const commands: readonly CommandEntry[] = [
  { name: 'demo', summary: 'run the nightly pipeline on a local mirror of simulated entries, build and serve the site (no network)', load: async () => (await import('./commands/demo.ts')).demoCommand },
  { name: 'nightly', summary: 'rebuild what changed in EMDB: discover, download, analyse, publish, build the site', load: async () => (await import('./commands/nightly.ts')).nightlyCommand },
  { name: 'status', summary: 'show the nightly ledger: recent runs, per-entry outcomes, failing entries', load: async () => (await import('./commands/status.ts')).statusCommand },
  { name: 'mirror', summary: 'serve a folder as a local EMDB mirror on 127.0.0.1 (for the demo, tests, offline runs)', load: async () => (await import('./commands/mirror.ts')).mirrorCommand },
  { name: 'analyze', summary: 'analyse one map (with its half maps and model when given) and write its report.json and figures', load: async () => (await import('./commands/analyze.ts')).analyzeCommand },
  { name: 'analyze-batch', summary: 'analyse many EMDB entries (local workers or Slurm job arrays) into <out>/content, no site', load: async () => (await import('./commands/analyze-batch.ts')).analyzeBatchCommand },
  { name: 'build', summary: 'build the report site (pages, search index, downloads, PDFs) from the content folder', load: async () => (await import('./commands/build.ts')).buildCommand },
  { name: 'serve', summary: 'serve a built site on http://127.0.0.1 (local viewing only)', load: async () => (await import('./commands/serve.ts')).serveCommand },
  { name: 'inspect', summary: 'print the header, frame and statistics of an MRC/CCP4 map (.gz/.bz2 too)', load: async () => (await import('./commands/inspect.ts')).inspectCommand },
  { name: 'simulate', summary: 'simulate a map from a PDB/mmCIF model, or write a named phantom map', load: async () => (await import('./commands/simulate.ts')).simulateCommand },
];

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'emvr: validation reports for cryo-EM maps (EMDB)',
    '',
    'usage: emvr <command> [options]      emvr <command> --help',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`emvr: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  const cmd = await entry.load();
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      process.stdout.write(cmd.help.endsWith('\n') ? cmd.help : `${cmd.help}\n`);
      return 0;
    }
    return await cmd.run(values, positionals);
  } catch (err) {
    return reportError(cmd.name, err);
  }
}

/** One clear line per error a user can cause; a stack trace only for our own bugs (or EMVR_DEBUG). */
function reportError(name: string, err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`emvr ${name}: ${err.message}\n(see: emvr ${name} --help)\n`);
    return 2;
  }
  if (err instanceof InputError || err instanceof AnalysisInputError || err instanceof MrcFormatError || err instanceof ModelFormatError || err instanceof CannotWriteError || isSystemError(err)) {
    process.stderr.write(`emvr ${name}: error: ${(err as Error).message}\n`);
    return 1;
  }
  const e = err as Error;
  process.stderr.write(`emvr ${name}: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env.EMVR_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return 70;
}

function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
