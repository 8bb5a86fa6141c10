/** `emvr nightly`: the nightly rebuild from EMDB (or a mirror) into an output folder. */
import { resolveEndpoints } from '../emdb/endpoints.ts';
import { InputError, numberOption, stringOption, UsageError, type Command } from '../cli-kit.ts';
import type { NightlyOptions, NightlySummary } from '../nightly/pipeline.ts';
import { printable } from '../progress.ts';
import type { SlurmOptions } from '../slurm/driver.ts';
import type { OptionSpec } from '../cli-kit.ts';

/** Help lines of the executor options (shared with `emvr analyze-batch`). */
export const EXECUTOR_HELP = `executor:
  --executor <local|slurm>  where analyses run (default local: worker processes on this machine).
                            slurm: fetch first, then one Slurm job array; <out> and this checkout
                            (with node_modules) must be on storage shared with the compute nodes
  --partition <name>        Slurm partition            --account <name>   Slurm account
  --sbatch-arg=<option>     extra sbatch option, repeatable, passed through (--sbatch-arg=--qos=long)
  --slurm-chunk <N>         entries per array task (default 1)
  --slurm-cpus <N>          CPUs per task (default 2; the analysis uses them all)
  --slurm-retries <N>       resubmissions of an entry whose task died without a result (out of
                            memory, time limit, node failure; default 2; memory or time doubled)
  --slurm-max-running <N>   at most N tasks of the array at once
  --slurm-poll <s>          squeue interval (default 5)
  --slurm-mem-scale <x>     multiply the memory request (default 1; see the README for the formula)
  --slurm-time-scale <x>    multiply the time request (default 1; capped by --entry-timeout)
  --slurm-max-mem <MB>      never ask for more memory than this
  --slurm-node <path>       Node 24 binary as the compute nodes see it (default: this one)
`;

/** Option specs of the executor flags (shared with `emvr analyze-batch`). */
export const EXECUTOR_OPTIONS: OptionSpec = {
  executor: { type: 'string' },
  partition: { type: 'string' },
  account: { type: 'string' },
  'sbatch-arg': { type: 'string', multiple: true },
  'slurm-chunk': { type: 'string' },
  'slurm-cpus': { type: 'string' },
  'slurm-retries': { type: 'string' },
  'slurm-max-running': { type: 'string' },
  'slurm-poll': { type: 'string' },
  'slurm-mem-scale': { type: 'string' },
  'slurm-time-scale': { type: 'string' },
  'slurm-max-mem': { type: 'string' },
  'slurm-node': { type: 'string' },
};

/** `emvr nightly`: one run of the pipeline (scripts/nightly/pipeline.ts); exit 0 when the run completed. */
export const nightlyCommand: Command = {
  name: 'nightly',
  help: `usage: emvr nightly [--emdb <base URL> | --archive <dir or URL>] [--out <dir>] [options]

Discovers EMDB entries released or updated since the last completed run (all released entries
on the first run), downloads their maps into <out>/cache (verified, resumable) with the two half
maps an entry lists (from the archive's other/ folder, the same way; they add the Level 1
items; an entry listing another number of half maps is analysed without them, and its ledger
row and report say so) and the fitted model of an entry that lists PDB IDs (the first one, as
<pdb>.cif.gz from the PDB archive's divided mmCIF layout, verified as mmCIF with atoms; recorded
as the report's inputs.model; a model that cannot be fetched or read is left out with a note,
never failing the entry), analyses new or changed ones in worker processes into
<out>/content/entries/EMD-N/, then builds the site into <out>/site with PDFs and the search
index (when the "build" command is available). Entries whose map sha256, half-map and model
sha256s, report-relevant metadata and analyzer version are unchanged keep their report. An entry
whose map or half map cannot be downloaded or verified fails (the reason names the file); the
others go on.
Failed entries are retried on the next run. Every run is recorded in <out>/ledger.sqlite
(see: emvr status). Safe to kill at any moment: the same command finishes the work.

source:
  --emdb <URL>              base URL of EMDB or of a mirror (emvr mirror, which also serves the
                            PDB archive); default: the real EMDB (API https://www.ebi.ac.uk,
                            files https://ftp.ebi.ac.uk) and PDB (https://files.wwpdb.org)
  --emdb-api <URL>          API base only          --emdb-files <URL>   archive base only
  --pdb <URL>               base of the PDB archive for fitted models
                            (<URL>/pub/pdb/data/structures/divided/mmCIF/<xx>/<id>.cif.gz);
                            default: --emdb when given, else https://files.wwpdb.org
  --archive <dir or URL>    read the EMDB archive layout instead of the API: a copy made by
                            rsync, or an HTTP(S) directory listing, of EMDB's structures/ folder
                            (structures/EMD-N/header/emd-N.xml, map/emd_N.map.gz, other/…; the
                            folder itself or the one holding it). Entries are discovered by
                            listing it (or taken from --ids); metadata comes from the header XML
                            (v3, or v1.9 with the half maps found in other/); maps and half maps
                            are copied or downloaded into the cache and verified as from EMDB.
                            Without a search, every listed entry is looked at each run (unchanged
                            ones are reused); --methods still applies. Models come from --pdb.
selection:
  --ids <EMD-N,...>         these entries only (no discovery, no retries of others)
  --full                    every released entry, ignoring the last-run date
  --since <YYYY-MM-DD>      released or updated since this day
  --methods <m,...>         structure_determination_method values (default singleParticle; "all")
  --update-field <name>     search field of the last-update date (default update_date; if EMDB
                            refuses it the run falls back to release dates and says so)
  --query <lucene>          use this search query instead
  --limit <N>               process at most N entries this run
processing:
  --out <dir>               output folder (default: out)
  --workers <N>             analysis worker processes (default 2; with slurm: maps fetched at once)
  --no-figures              reports without figures (faster)
  --entry-timeout <s>       stop an analysis after this long (default 7200; 0 = never)
  --max-voxels <N>          refuse maps with more voxels (default 1.5e9)
  --prune-maps              delete a cached map, its half maps and model once its report is published
${EXECUTOR_HELP}site:
  --no-site                 skip the site step        --no-pdf     build the site without PDFs
  --base </path/>           URL sub-path of the site  --rebuild-site   build even if nothing changed
network (be polite to EMDB):
  --concurrency <N>         requests at once (default 2)
  --request-interval <ms>   minimum gap between request starts (default 400)
  --retries <N>             retries per request (default 4), exponential back-off from
  --backoff <ms>            (default 1000; Retry-After is honoured)
  --timeout <s>             time to response headers, and the stall window (twice that;
                            default 30 / 60): a body slower than --min-rate over a window is
                            given up and retried
  --min-rate <bytes/s>      slowest acceptable download rate over a stall window (default 1024)
  --request-timeout <s>     deadline of one small request, headers and body (default 120)
  --download-timeout <s>    deadline of one attempt at a file download (default 14400); after
                            the retries the entry fails at stage download and the run goes on
output:
  --json                    print the run summary as JSON
  --no-progress             no progress lines on stderr
  --strict                  exit 1 when an entry failed or the site build failed
                            (with --ids, a failed entry always gives exit 1)
  -h, --help                this help
`,
  options: {
    emdb: { type: 'string' },
    'emdb-api': { type: 'string' },
    'emdb-files': { type: 'string' },
    pdb: { type: 'string' },
    archive: { type: 'string' },
    ids: { type: 'string' },
    full: { type: 'boolean' },
    since: { type: 'string' },
    methods: { type: 'string' },
    'update-field': { type: 'string' },
    query: { type: 'string' },
    limit: { type: 'string' },
    out: { type: 'string' },
    workers: { type: 'string' },
    'no-figures': { type: 'boolean' },
    'entry-timeout': { type: 'string' },
    'max-voxels': { type: 'string' },
    'prune-maps': { type: 'boolean' },
    ...EXECUTOR_OPTIONS,
    'no-site': { type: 'boolean' },
    'no-pdf': { type: 'boolean' },
    base: { type: 'string' },
    'rebuild-site': { type: 'boolean' },
    concurrency: { type: 'string' },
    'request-interval': { type: 'string' },
    retries: { type: 'string' },
    backoff: { type: 'string' },
    timeout: { type: 'string' },
    'min-rate': { type: 'string' },
    'request-timeout': { type: 'string' },
    'download-timeout': { type: 'string' },
    json: { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    strict: { type: 'boolean' },
  },
  async run(values) {
    const opts = { ...nightlyOptionsFrom(values), ...(await archiveOptionFrom(values)) };
    let summary: NightlySummary;
    try {
      // The pipeline loads here, not at the top, so that `--help` starts at once.
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

/**
 * Exit code of a completed run: 1 when an entry asked for by --ids failed (the caller named it, so
 * it must hear of it), or with --strict when any entry or the site build failed; else 0.
 */
export function runExitCode(summary: NightlySummary, strict: boolean): number {
  if (summary.mode === 'ids' && summary.counts.failed > 0) return 1;
  const bad = summary.counts.failed > 0 || summary.site.startsWith('failed');
  return strict && bad ? 1 : 0;
}

/** `--archive`: the archive location (checked: an existing folder or an http(s) URL), and which flags it excludes. */
export async function archiveOptionFrom(values: Record<string, unknown>): Promise<Pick<NightlyOptions, 'archive'>> {
  const raw = stringOption(values, 'archive');
  if (raw === undefined) return {};
  const clash = ['emdb-api', 'emdb-files', 'query', 'update-field', 'since'].filter((k) => values[k] !== undefined);
  if (clash.length > 0) throw new UsageError(`--archive cannot be combined with --${clash.join(' or --')} (the archive has no search API: every listed entry is looked at)`);
  try {
    return { archive: await (await import('../emdb/archive-source.ts')).resolveArchive(raw) };
  } catch (err) {
    throw new InputError(`--archive: ${(err as Error).message}`);
  }
}

/**
 * Turns the way a run stopped into an exit code: cancelled by a signal → 128 + signal number
 * (after a one-line message); input-like errors → InputError (exit 1); null = not one of ours.
 */
export async function stoppedRunCode(err: unknown): Promise<number | null> {
  const [{ CannotWriteError }, { HttpError }, { BadEmdbIdError }, { LockedError }, { DiskFullError }, { SlurmCancelledError }, { SlurmCommandError }] = await Promise.all([
    import('../../analyzers/io/write-errors.ts'), import('../emdb/http.ts'), import('../emdb/ids.ts'), import('../nightly/lock.ts'), import('../nightly/pipeline.ts'), import('../slurm/driver.ts'), import('../slurm/slurm-commands.ts'),
  ]);
  if (err instanceof SlurmCancelledError) {
    process.stderr.write(`emvr: ${err.message}; run the same command again to resume\n`);
    return err.signal === 'SIGINT' ? 130 : 143;
  }
  if (err instanceof DiskFullError || (err instanceof CannotWriteError && err.reason === 'disk full')) {
    throw new InputError(`${printable(err.message)}; free space (or choose another --out) and run the same command again: finished entries are kept`);
  }
  if (err instanceof CannotWriteError) throw new InputError(`${printable(err.message)}; choose a writable --out`);
  if (err instanceof LockedError || err instanceof HttpError || err instanceof BadEmdbIdError || err instanceof SlurmCommandError) throw new InputError(printable(err.message));
  return null;
}

/** The executor and Slurm settings from parsed flags. */
export function executorOptionsFrom(values: Record<string, unknown>): { executor: 'local' | 'slurm'; slurm?: SlurmOptions } {
  const executor = stringOption(values, 'executor') ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new UsageError(`--executor must be local or slurm, got ${JSON.stringify(executor)}`);
  const slurmFlags = Object.keys(EXECUTOR_OPTIONS).filter((k) => k !== 'executor' && values[k] !== undefined);
  if (executor === 'local') {
    if (slurmFlags.length > 0) throw new UsageError(`--${slurmFlags[0]} needs --executor slurm`);
    return { executor };
  }
  const int = (name: string, min: number) => {
    const v = numberOption(values, name, { min });
    if (v !== undefined && !Number.isInteger(v)) throw new UsageError(`--${name} must be a whole number, got ${v}`);
    return v;
  };
  const sbatchArgs = (values['sbatch-arg'] as string[] | undefined) ?? [];
  const bad = sbatchArgs.find((a) => !a.startsWith('-'));
  if (bad !== undefined) throw new UsageError(`--sbatch-arg takes one sbatch option like --sbatch-arg=--qos=long, got ${JSON.stringify(bad)}`);
  const poll = numberOption(values, 'slurm-poll', { exclusiveMin: 0 });
  const slurm: SlurmOptions = {
    partition: stringOption(values, 'partition'),
    account: stringOption(values, 'account'),
    sbatchArgs,
    chunk: int('slurm-chunk', 1),
    cpusPerTask: int('slurm-cpus', 1),
    retries: int('slurm-retries', 0),
    maxRunning: int('slurm-max-running', 1),
    pollMs: poll === undefined ? undefined : poll * 1000,
    node: stringOption(values, 'slurm-node'),
    resources: {
      memScale: numberOption(values, 'slurm-mem-scale', { exclusiveMin: 0 }),
      timeScale: numberOption(values, 'slurm-time-scale', { exclusiveMin: 0 }),
      maxMemMB: numberOption(values, 'slurm-max-mem', { exclusiveMin: 0 }),
    },
  };
  return { executor, slurm };
}

/** Nightly options from parsed flags (shared with `emvr demo`). */
export function nightlyOptionsFrom(values: Record<string, unknown>): NightlyOptions {
  let endpoints;
  try {
    endpoints = resolveEndpoints({ base: stringOption(values, 'emdb'), api: stringOption(values, 'emdb-api'), files: stringOption(values, 'emdb-files'), pdb: stringOption(values, 'pdb') });
  } catch (err) {
    throw new UsageError(`--emdb/--pdb: ${(err as Error).message}`);
  }
  const exclusive = ['ids', 'full', 'since'].filter((k) => values[k] !== undefined && values[k] !== false);
  if (exclusive.length > 1) throw new UsageError(`--${exclusive.join(' and --')} cannot be combined`);
  const since = stringOption(values, 'since');
  if (since !== undefined && !/^\d{4}-\d{2}-\d{2}$/u.test(since)) throw new UsageError(`--since must be YYYY-MM-DD, got ${JSON.stringify(since)}`);
  const idsRaw = stringOption(values, 'ids');
  const ids = idsRaw === undefined ? null : idsRaw.split(/[\s,]+/u).filter((s) => s !== '');
  if (ids !== null) {
    const bad = ids.filter((id) => !/^EMD-\d{4,}$/u.test(id));
    if (bad.length > 0 || ids.length === 0) throw new UsageError(`--ids takes EMDB IDs like EMD-1234, got ${JSON.stringify(bad.length ? bad.slice(0, 3) : idsRaw)}`);
  }
  const methodsRaw = stringOption(values, 'methods');
  const methods = methodsRaw === undefined ? ['singleParticle'] : methodsRaw === 'all' ? [] : methodsRaw.split(',').map((m) => m.trim()).filter((m) => m !== '');
  const int = (name: string, min: number) => {
    const v = numberOption(values, name, { min });
    if (v !== undefined && !Number.isInteger(v)) throw new UsageError(`--${name} must be a whole number, got ${v}`);
    return v;
  };
  const timeoutS = numberOption(values, 'timeout', { exclusiveMin: 0 });
  const minRate = numberOption(values, 'min-rate', { min: 0 });
  const requestS = numberOption(values, 'request-timeout', { exclusiveMin: 0 });
  const downloadS = numberOption(values, 'download-timeout', { exclusiveMin: 0 });
  return {
    out: stringOption(values, 'out') ?? 'out',
    endpoints,
    http: {
      ...(int('concurrency', 1) !== undefined ? { maxConcurrency: int('concurrency', 1) } : {}),
      ...(numberOption(values, 'request-interval', { min: 0 }) !== undefined ? { minIntervalMs: numberOption(values, 'request-interval', { min: 0 }) } : {}),
      ...(int('retries', 0) !== undefined ? { retries: int('retries', 0) } : {}),
      ...(numberOption(values, 'backoff', { min: 0 }) !== undefined ? { backoffMs: numberOption(values, 'backoff', { min: 0 }) } : {}),
      ...(timeoutS !== undefined ? { timeoutMs: timeoutS * 1000, idleTimeoutMs: 2 * timeoutS * 1000 } : {}),
      ...(minRate !== undefined ? { minBytesPerSecond: minRate } : {}),
      ...(requestS !== undefined ? { requestTimeoutMs: requestS * 1000 } : {}),
      ...(downloadS !== undefined ? { downloadTimeoutMs: downloadS * 1000 } : {}),
    },
    ids,
    full: values.full === true,
    since: since ?? undefined,
    methods,
    updateField: stringOption(values, 'update-field'),
    query: stringOption(values, 'query'),
    limit: int('limit', 1) ?? null,
    workers: int('workers', 1) ?? 2,
    figures: values['no-figures'] !== true,
    entryTimeoutS: numberOption(values, 'entry-timeout', { min: 0 }) ?? 7200,
    maxVoxels: numberOption(values, 'max-voxels', { exclusiveMin: 0 }),
    pruneMaps: values['prune-maps'] === true,
    ...executorOptionsFrom(values),
    site: { enabled: values['no-site'] !== true, base: stringOption(values, 'base'), pdf: values['no-pdf'] !== true, force: values['rebuild-site'] === true },
    progress: values['no-progress'] !== true,
  };
}

/** The human summary printed at the end of a run. */
export function formatSummary(s: NightlySummary): string {
  const c = s.counts;
  const lines = [
    `run ${s.runId}: ${s.mode === 'ids' ? 'explicit list' : s.mode === 'full' ? 'all released entries' : `released or updated since ${s.since}`}; ${s.discovered} discovered, ${s.queued} processed in ${s.seconds} s`,
    `  analysed ${c.analysed}, reused ${c.reused}, refused ${c.refused}, failed ${c.failed}; site: ${s.site}`,
  ];
  for (const o of s.outcomes.filter((x) => x.status === 'failed' || x.status === 'refused')) {
    lines.push(`  ${o.id} ${o.status}${o.stage ? ` [${o.stage}]` : ''}: ${printable(o.reason ?? '', 300)}`);
  }
  for (const n of s.notes) lines.push(`  note: ${printable(n, 300)}`);
  return `${lines.join('\n')}\n`;
}
