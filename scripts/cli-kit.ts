/**
 * The small frame every `emvr` command shares: option parsing with node:util parseArgs, `--help`
 * on every command, usage errors (exit 2) apart from input errors (exit 1), and no stack trace for
 * anything a user can cause.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  readonly name: string;
  /** Full help text: usage line, description, options. */
  readonly help: string;
  readonly options: OptionSpec;
  /** Whether positional arguments are accepted. */
  readonly positionals?: boolean;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

/** Wrong command-line use: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input the user can fix (file, value, threshold): printed as is, exit code 1. */
export class InputError extends Error {
  override name = 'InputError';
}

/** Parses `args` for `cmd`; `--help`/`-h` is added to every command. */
export function parseCommandArgs(cmd: Command, args: string[]) {
  try {
    return parseArgs({
      args,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: cmd.positionals ?? false,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A number option, checked: names the option and the bad value. */
export function numberOption(values: Record<string, unknown>, name: string, opts: { required?: boolean; min?: number; exclusiveMin?: number } = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) {
    if (opts.required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(raw)}`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`--${name} must be ≥ ${opts.min}, got ${v}`);
  if (opts.exclusiveMin !== undefined && v <= opts.exclusiveMin) throw new UsageError(`--${name} must be > ${opts.exclusiveMin}, got ${v}`);
  return v;
}

export function stringOption(values: Record<string, unknown>, name: string, required = false): string | undefined {
  const raw = values[name];
  if (raw === undefined && required) throw new UsageError(`--${name} is required`);
  return raw as string | undefined;
}
