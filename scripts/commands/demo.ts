/**
 * `emvr demo`: the product's main job on an embedded default, with no network and no ../shared.
 * Builds a local EMDB mirror folder of simulated entries (one per phantom: each with one known
 * defect, plus well-behaved ones; EMDB-like entry JSON with IDs EMD-9000N, contour = phantom
 * threshold; three entries with half maps of a designed FSC, EMD-90011…90013, for Level 1; and
 * EMD-90014, the well-behaved map with the procedural protein it was simulated from as its fitted
 * model, served as the fake PDB entry 9xyz),
 * serves it on a free 127.0.0.1 port, runs the nightly pipeline against it (download,
 * verify, analyse in worker processes, publish, site with PDFs), checks every report against what
 * its phantom must show, then serves the site (unless --no-serve).
 */
import { type Command } from '../cli-kit.ts';

/** `emvr demo`: exit 0 when every simulated entry gives the answer its phantom is built to give. */
export const demoCommand: Command = {
  name: 'demo',
  help: `usage: emvr demo [--out <dir>] [--no-serve] [--no-figures] [--no-pdf] [--with-fixtures]

Builds a local EMDB mirror of simulated entries — one per phantom map (a procedural protein with
one known defect each: decentred, background offset, noise blobs, threshold too high, known
B-factors, mirrored hand, masked background, plus a well-behaved one), as EMD-90001… with
EMDB-shaped entry JSON, and three entries with half maps (EMD-90011: half maps whose FSC crosses
0.143 at the reported 3.5 Å; EMD-90012: the same map reporting 3.5 Å with half maps that only
reach 7 Å; EMD-90013: the masked-background map with unmasked half maps), and one entry with a
fitted model (EMD-90014: the well-behaved map listing the fake PDB ID 9xyz, whose mmCIF — the
very protein the map was simulated from — the mirror serves at the PDB archive's path) — serves
it on 127.0.0.1, runs the nightly pipeline against it into <out>/ (content/, cache/,
ledger.sqlite, site/), prints each entry's result beside what its phantom must show (OK or
MISMATCH; for the half-map entries also that the report records both half maps and which
Level 1 items warn; for the model entry that the report records the model served and that Level A
finds it aligned, with CC_mask and atom inclusion within a few standard errors of what the
simulation's own noise allows), then serves
the site and prints its
URL (Ctrl-C stops). Running it again reuses every report (nothing changed). Nothing is
downloaded from the network.

options:
  --out <dir>          output folder (default: demo-out)
  --no-serve           build everything, then exit
  --port <n>           port of the site server (default: any free port)
  --no-figures         reports without figures (faster)
  --no-pdf             site without PDFs
  --with-fixtures      also add the real EMDB maps of ../shared/fixtures/emdb when present
                       (EMD-1997, EMD-5168, EMD-5170, EMD-6824, EMD-44046 with known contours)
  --workers <n>        analysis worker processes (default 2)
  --box <n>            phantom box edge in voxels, ≥ 80 (default: each phantom's own, 96 or 128)
  -h, --help           this help
`,
  options: {
    out: { type: 'string' },
    'no-serve': { type: 'boolean' },
    port: { type: 'string' },
    'no-figures': { type: 'boolean' },
    'no-pdf': { type: 'boolean' },
    'with-fixtures': { type: 'boolean' },
    workers: { type: 'string' },
    box: { type: 'string' },
  },
  async run(values) {
    // The pipeline, the mirror and the site load only when the demo runs, not for --help.
    return (await import('./demo-run.ts')).runDemo(values);
  },
};
