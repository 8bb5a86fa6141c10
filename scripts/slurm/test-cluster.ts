/**
 * A real one-node Slurm cluster on loopback for tests (recipe: design/slurm-ci.md): installs
 * slurm-wlm and munge through scripts/setup/ensure-debian.ts when missing, then starts a private
 * munged (own key, own socket), slurmctld and `slurmd -N ci1` from a slurm.conf in a temporary
 * folder, on free private ports, and waits until the node is idle. Nothing under /etc is written:
 * every client command finds the cluster through `SLURM_CONF=<file>`. `stop()` kills exactly the
 * processes it started (by PID, never by name) and removes the folder.
 *
 * When the cluster cannot start (not root, not Debian, no network for apt, a daemon that dies) the
 * result says why, so the tests can skip visibly instead of failing or silently passing.
 *
 * usage (by hand): node scripts/slurm/test-cluster.ts   starts a cluster, prints SLURM_CONF, stops on Ctrl-C
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runCommand } from './slurm-commands.ts';

const ENSURE_DEBIAN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'setup', 'ensure-debian.ts');
const BINARIES = ['munged', 'munge', 'unmunge', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'scancel', 'sinfo'];
/** Node name of the test cluster (slurmd -N ci1 works whatever the host is called). */
export const TEST_NODE = 'ci1';

/** A running test cluster. */
export interface TestCluster {
  /** slurm.conf of this cluster: pass as SLURM_CONF to every Slurm command. */
  readonly conf: string;
  /** Environment for child processes: process.env plus SLURM_CONF. */
  readonly env: NodeJS.ProcessEnv;
  /** Temporary folder with the config, state, logs and the munge key. */
  readonly dir: string;
  readonly cpus: number;
  /** Seconds from the call to an idle node (packages already installed or not). */
  readonly startSeconds: number;
  /** Kills the daemons (by recorded PID) and removes the folder. */
  stop(): Promise<void>;
}

/** Either a cluster or why there is none. */
export type TestClusterResult = { readonly cluster: TestCluster; readonly skip?: undefined } | { readonly cluster?: undefined; readonly skip: string };

function which(bin: string): string | null {
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(d, bin);
    if (existsSync(p)) return p;
  }
  return null;
}

/** A free TCP port on loopback (bound then released; Slurm binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Two consecutive free ports (slurmctld, slurmd), from a private range. */
async function portPair(): Promise<[number, number]> {
  for (let i = 0; i < 20; i++) {
    const a = await freePort();
    if (a >= 65535) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(a + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return [a, a + 1];
  }
  throw new Error('no two consecutive free ports on 127.0.0.1');
}

async function tail(file: string, lines = 8): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}

/** Starts a daemon in the foreground with stdout and stderr into `logFile` (its own descriptor: ours is closed at once). */
function spawnLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'w');
  try {
    return spawn(cmd, args, { env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

function exited(c: ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null;
}

/** Stops a daemon we started: SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited (no zombie left: we reap it). */
function stopChild(c: ChildProcess, graceMs = 5000): Promise<void> {
  if (exited(c)) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

/** The slurm.conf of the test cluster (see the file comment; keys explained in design/slurm-ci.md). */
export function testSlurmConf(o: { dir: string; mungeSocket: string; ctldPort: number; slurmdPort: number; cpus: number; realMemoryMB: number }): string {
  const p = (n: string) => path.join(o.dir, n);
  return [
    'ClusterName=emvrci',
    'SlurmctldHost=localhost',
    `SlurmctldPort=${o.ctldPort}`,
    `SlurmdPort=${o.slurmdPort}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${o.mungeSocket}`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    `StateSaveLocation=${p('state')}`,
    `SlurmdSpoolDir=${p('spool')}`,
    `SlurmctldPidFile=${p('slurmctld.pid')}`,
    `SlurmdPidFile=${p('slurmd.pid')}`,
    `SlurmctldLogFile=${p('slurmctld.log')}`,
    `SlurmdLogFile=${p('slurmd.log')}`,
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'JobAcctGatherType=jobacct_gather/none',
    'MpiDefault=none',
    'ReturnToService=2',
    'MailProg=/bin/true',
    'SchedulerParameters=batch_sched_delay=0,sched_min_interval=0',
    'DependencyParameters=kill_invalid_depend',
    `NodeName=${TEST_NODE} NodeAddr=127.0.0.1 CPUs=${o.cpus} RealMemory=${o.realMemoryMB} State=UNKNOWN`,
    'PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
    '',
  ].join('\n');
}

/**
 * Starts the test cluster (see the file comment). `install` (default true) runs ensure-debian for
 * the two packages first. Never throws for an environment that cannot run Slurm: returns `skip`.
 */
export async function startTestCluster(opts: { install?: boolean; log?: (m: string) => void } = {}): Promise<TestClusterResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => undefined);
  if (process.platform !== 'linux') return { skip: `Slurm test cluster: needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { skip: 'Slurm test cluster: needs root (slurmd and a private munged run as root, as in CI)' };
  if (opts.install ?? true) {
    const r = await runCommand(process.execPath, [ENSURE_DEBIAN, 'slurm-wlm', 'munge'], { timeoutMs: 600_000 });
    if (r.code !== 0) log(`ensure-debian exited with ${r.code}: ${r.stderr.trim().slice(-300)}`);
  }
  const missing = BINARIES.filter((b) => which(b) === null);
  if (missing.length > 0) return { skip: `Slurm test cluster: ${missing.join(', ')} not installed (apt-get install slurm-wlm munge failed or is not possible here)` };

  const dir = await mkdtemp(path.join(tmpdir(), 'emvr-slurm-'));
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    for (const c of [...children].reverse()) await stopChild(c);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // munge: private key (0400) and socket folder (755: munged refuses one others cannot enter).
    const mungeDir = path.join(dir, 'munge');
    await mkdir(mungeDir, { recursive: true });
    await chmod(dir, 0o755);
    await chmod(mungeDir, 0o755);
    const key = path.join(mungeDir, 'munge.key');
    await writeFile(key, randomBytes(1024), { mode: 0o400 });
    const socket = path.join(mungeDir, 'munge.socket.2');
    const mungeLog = path.join(mungeDir, 'munged.log');
    const munged = spawnLogged(which('munged')!, ['--foreground', '--force', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${path.join(mungeDir, 'munged.pid')}`, `--log-file=${mungeLog}`, `--seed-file=${path.join(mungeDir, 'munged.seed')}`], process.env, path.join(mungeDir, 'munged.stderr'));
    children.push(munged);
    let mungeOk = false;
    for (let i = 0; i < 100 && !mungeOk && !exited(munged); i++) {
      await sleep(50);
      if (!existsSync(socket)) continue;
      const cred = await runCommand(which('munge')!, ['-n', `--socket=${socket}`], { timeoutMs: 5000 });
      if (cred.code !== 0) continue;
      const back = await runCommand(which('unmunge')!, [`--socket=${socket}`], { input: cred.stdout, timeoutMs: 5000 });
      mungeOk = /STATUS:\s+Success/u.test(back.stdout);
    }
    if (!mungeOk) {
      const why = `Slurm test cluster: munged did not start (${await tail(mungeLog)}; ${await tail(path.join(mungeDir, 'munged.stderr'))})`;
      await stopAll();
      return { skip: why };
    }

    const [ctldPort, slurmdPort] = await portPair();
    const ncpu = Math.max(1, cpus().length);
    const realMemoryMB = Math.max(1024, Math.floor((totalmem() / 2 ** 20) * 0.8));
    for (const d of ['state', 'spool']) await mkdir(path.join(dir, d), { recursive: true });
    const conf = path.join(dir, 'slurm.conf');
    await writeFile(conf, testSlurmConf({ dir, mungeSocket: socket, ctldPort, slurmdPort, cpus: ncpu, realMemoryMB }));
    const env = { ...process.env, SLURM_CONF: conf };
    const ctld = spawnLogged(which('slurmctld')!, ['-D', '-i', '-f', conf], env, path.join(dir, 'slurmctld.stderr'));
    children.push(ctld);
    const slurmd = spawnLogged(which('slurmd')!, ['-D', '-N', TEST_NODE, '-f', conf], env, path.join(dir, 'slurmd.stderr'));
    children.push(slurmd);
    let idle = false;
    for (let i = 0; i < 150 && !idle && !exited(ctld) && !exited(slurmd); i++) {
      await sleep(200);
      const r = await runCommand(which('sinfo')!, ['-h', '-N', '-o', '%N %T'], { env, timeoutMs: 5000 });
      idle = r.code === 0 && new RegExp(`^${TEST_NODE} idle`, 'mu').test(r.stdout);
    }
    if (!idle) {
      const why = `Slurm test cluster: the node did not become idle within 30 s (slurmctld: ${await tail(path.join(dir, 'slurmctld.log'), 4)}; slurmd: ${await tail(path.join(dir, 'slurmd.log'), 4)})`;
      await stopAll();
      return { skip: why };
    }
    const startSeconds = Math.round(performance.now() - t0) / 1000;
    log(`Slurm test cluster up in ${startSeconds} s (${dir}, ports ${ctldPort}/${slurmdPort}, ${ncpu} CPUs)`);
    let stopped: Promise<void> | null = null;
    // If the test process ends without stop() (killed runner, uncaught error), the daemons must not outlive it.
    const onExit = () => {
      for (const c of children) if (!exited(c)) c.kill('SIGKILL');
    };
    process.once('exit', onExit);
    const stop = () =>
      (stopped ??= stopAll().finally(() => {
        process.off('exit', onExit);
      }));
    return { cluster: { conf, env, dir, cpus: ncpu, startSeconds, stop } };
  } catch (err) {
    await stopAll().catch(() => undefined);
    return { skip: `Slurm test cluster: could not start: ${(err as Error).message}` };
  }
}

if (import.meta.main) {
  const r = await startTestCluster({ log: (m) => console.error(m) });
  if (r.skip !== undefined) {
    console.error(r.skip);
    process.exit(1);
  }
  const c = r.cluster;
  console.log(`export SLURM_CONF=${c.conf}`);
  const done = () => void c.stop().then(() => process.exit(0));
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
}
