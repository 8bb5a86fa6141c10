/** `emvr mirror`: serve a folder as a local EMDB (API + archive layout) and PDB archive (fitted models), with optional fault injection. */
import { mkdir, readdir } from 'node:fs/promises';
import { numberOption, stringOption, UsageError, type Command } from '../cli-kit.ts';
import type { Fault } from '../mirror/mirror.ts';

/** `emvr mirror`: serves a mirror folder until interrupted; prints its URL on stdout. */
export const mirrorCommand: Command = {
  name: 'mirror',
  help: `usage: emvr mirror --dir <folder> [--port <n>] [--simulate] [--fault <spec>]... [--log]

Serves <folder> in EMDB's URL layout and JSON shape on http://127.0.0.1:<port>: entry JSON
(/emdb/api/entry/EMD-N, /emdb/api/entry/N, …/map/…, …/supplement/…), search
(/emdb/api/search/<lucene>?rows=&fl=&wt=csv|json), the archive index and files
(/pub/databases/emdb/structures/EMD-N/map/emd_N.map.gz and the half maps an entry lists,
…/EMD-N/other/<file>, with Range and conditional GET), and, as the PDB archive, fitted models
at /pub/pdb/data/structures/divided/mmCIF/<xx>/<id>.cif.gz (xx = the ID's middle two characters).
Point a nightly run at it with --emdb http://127.0.0.1:<port> (that also sets --pdb). Runs until
interrupted.

Folder layout: <folder>/EMD-N/entry.json, <folder>/EMD-N/map/emd_N.map.gz, for entries with
half maps <folder>/EMD-N/other/emd_N_half_map_1.map.gz and _2 (the names its half_map_list gives),
and for the PDB IDs entries list <folder>/_models/<id>.cif.gz.
Faults for testing come from <folder>/faults.json (re-read on change; see scripts/mirror/mirror.ts)
and from --fault flags.

options:
  --dir <folder>        the mirror folder (created if missing)
  --port <n>            port (default 0: any free port; the URL is printed)
  --simulate            first add one simulated entry per phantom (EMD-90001…) to the folder, the
                        entries with half maps of the demo (EMD-90011…90013) and its entry with a
                        fitted model (EMD-90014, model 9xyz)
  --box <n>             phantom box edge in voxels for --simulate (default: each phantom's own)
  --fault <spec>        <kind>:<pattern>[:<times>]; kind = an HTTP status (500, 503, 429 sends
                        Retry-After: 1), truncate, truncate-clean, bad-gzip, slow, reset; pattern =
                        a substring of the request path (or /regex/); e.g. --fault truncate:emd_90001:1
  --log                 print one line per request on stderr
  -h, --help            this help
`,
  options: {
    dir: { type: 'string' },
    port: { type: 'string' },
    simulate: { type: 'boolean' },
    box: { type: 'string' },
    fault: { type: 'string', multiple: true },
    log: { type: 'boolean' },
  },
  async run(values) {
    // Loaded here, not at the top, so that `--help` starts at once (the simulation code only with --simulate).
    const { parseFaultFlag, startMirror } = await import('../mirror/mirror.ts');
    const dir = stringOption(values, 'dir', true)!;
    const port = numberOption(values, 'port', { min: 0 }) ?? 0;
    if (!Number.isInteger(port) || port > 65535) throw new UsageError(`--port must be 0…65535, got ${port}`);
    let faults: Fault[];
    try {
      faults = ((values.fault as string[] | undefined) ?? []).map(parseFaultFlag);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    await mkdir(dir, { recursive: true });
    if (values.simulate) {
      const box = numberOption(values, 'box', { min: 80 });
      const [{ phantomNames }, { HALF_MAP_VARIANTS, MODEL_VARIANTS, writeHalfMapEntries, writeModelEntries, writeSimulatedEntries }] = await Promise.all([import('../../analyzers/simulate/phantoms.ts'), import('../mirror/mirror-folder.ts')]);
      process.stderr.write(`simulating ${phantomNames.length} phantom entries, ${HALF_MAP_VARIANTS.length} with half maps and ${MODEL_VARIANTS.length} with a fitted model into ${dir} …\n`);
      await writeSimulatedEntries(dir, { box });
      await writeHalfMapEntries(dir, { box });
      await writeModelEntries(dir, { box });
    }
    const mirror = await startMirror({ dir, port, faults, log: values.log ? (l) => process.stderr.write(`${l}\n`) : undefined });
    const n = (await readdir(dir)).filter((d) => /^EMD-\d{4,}$/u.test(d)).length;
    process.stdout.write(`EMDB mirror of ${dir} (${n} entr${n === 1 ? 'y' : 'ies'}) at ${mirror.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await mirror.close();
    return 0;
  },
};
