/**
 * `emvr`: the command-line entry point. Each command lives in scripts/commands/ and has --help.
 * Exit codes: 0 success, 1 bad input or failed analysis, 2 wrong usage, 70 internal error.
 */
import { AnalysisInputError } from '../analyzers/util/errors.ts';
import { MrcFormatError } from '../analyzers/io/mrc-errors.ts';
import { ModelFormatError } from '../analyzers/io/model-errors.ts';
import { CannotWriteError } from '../analyzers/io/write-errors.ts';
import { parseCommandArgs, InputError, UsageError, type Command } from './cli-kit.ts';
import { analyzeCommand } from './commands/analyze.ts';
import { analyzeBatchCommand } from './commands/analyze-batch.ts';
import { buildCommand } from './commands/build.ts';
import { demoCommand } from './commands/demo.ts';
import { inspectCommand } from './commands/inspect.ts';
import { mirrorCommand } from './commands/mirror.ts';
import { nightlyCommand } from './commands/nightly.ts';
import { serveCommand } from './commands/serve.ts';
import { simulateCommand } from './commands/simulate.ts';
import { statusCommand } from './commands/status.ts';

const commands: readonly Command[] = [demoCommand, nightlyCommand, statusCommand, mirrorCommand, analyzeCommand, analyzeBatchCommand, buildCommand, serveCommand, inspectCommand, simulateCommand];

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
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`emvr: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
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
