/**
 * The run ledger of the nightly job: one SQLite file (`<out>/ledger.sqlite`, Node's built-in
 * `node:sqlite`, WAL journal) that says, per run and per entry, what happened — and, per entry,
 * which inputs its published report was computed from. It is the only place with timestamps and
 * timings (content/ stays deterministic). Each entry's outcome is committed in one transaction
 * after its files are in place, so a run killed mid-entry leaves that entry "not done".
 *
 * Tables:
 *   meta(key PK, value)                      schema_version, watermark (YYYY-MM-DD), site_fingerprint
 *   runs(run_id PK, started_at, finished_at, status running|completed|failed|interrupted, emdb_api,
 *        emdb_files, mode since|full|ids, since, analyzer_version, discovered, queued, analysed,
 *        reused, failed, refused, site_status, site_seconds, notes)
 *   entry_runs((run_id, entry_id) PK, status analysed|reused|failed|refused, stage, analyzer_version,
 *        metadata_sha256, entry_json_sha256, map_sha256, map_bytes, map_from_cache, fetch_seconds,
 *        analyse_seconds, total_seconds, peak_rss_mb, item_timings JSON, notes JSON, reason, finished_at,
 *        extra_inputs_sha256 (fingerprint of the additional inputs: half maps, the fitted model and
 *        their notes, scripts/emdb/entry-inputs.ts; NULL when none), extra_inputs JSON ([{kind
 *        (halfMap | model), index, file,
 *        sha256, bytes, fromCache}] of the additional input files fetched))
 *   entries(entry_id PK, status analysed|refused|failed (latest outcome), reason, attempts
 *        (consecutive failures), last_run_id, release_date, update_date, updated_at,
 *        ok_status analysed|refused|NULL, ok_run_id, ok_version, ok_metadata_sha256, ok_map_sha256,
 *        ok_reason (why it was refused), report_sha256 (of the published report.json; NULL when none is published),
 *        ok_extra_inputs_sha256 (the settled result's additional-input fingerprint))
 *   task_attempts((run_id, entry_id, attempt) PK, executor, task, state, exit_code, node, mem_mb,
 *        time_min, outcome, reason, submitted_at, finished_at)   one row per cluster attempt of an
 *        entry (executor slurm: task = "<array job>_<index>", state = Slurm's final state;
 *        outcome analysed|refused|corrupt|error|lost|unsubmitted). Added in schema 2; a schema-1
 *        ledger is upgraded in place by creating this table (nothing else changed).
 *
 * Schema 3 added the three extra_inputs columns (half maps, issue 17). Older ledgers get them in
 * place (ALTER TABLE, NULL for every existing row): an entry analysed before then with no half
 * maps has the fingerprint NULL it would get now, so it is reused; one whose EMDB entry lists half
 * maps gets a fingerprint and is re-analysed with them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** Version of the table layout above; a ledger of another version is refused, not migrated silently. */
export const LEDGER_SCHEMA_VERSION = 3;

/** analysed: a new report was published; reused: inputs unchanged, the published result kept; failed: retried next run; refused: the input is not analysable (AnalysisInputError, no contour, method not accepted). */
export type EntryRunStatus = 'analysed' | 'reused' | 'failed' | 'refused';
/** The step where a failure or refusal happened. */
export type Stage = 'metadata' | 'download' | 'analysis' | 'publish';

/** One additional input file (half map) an entry run used, as the ledger keeps it. */
export interface ExtraInputRecord {
  readonly kind: string;
  readonly index: number;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly fromCache: boolean;
}

/** One entry's outcome in one run (a row of entry_runs). */
export interface EntryRunRecord {
  readonly entryId: string;
  readonly status: EntryRunStatus;
  /** Where a failure or refusal happened. */
  readonly stage: Stage | null;
  readonly analyzerVersion: string;
  readonly metadataSha256: string | null;
  readonly entryJsonSha256: string | null;
  readonly mapSha256: string | null;
  readonly mapBytes: number | null;
  readonly mapFromCache: boolean | null;
  readonly fetchSeconds: number | null;
  readonly analyseSeconds: number | null;
  readonly totalSeconds: number | null;
  readonly peakRssMB: number | null;
  /** Per-item timings moved out of report.json: { "0.a": { seconds, peakRssMB }, … , total: … }. */
  readonly itemTimings: Record<string, unknown> | null;
  readonly notes: readonly string[];
  readonly reason: string | null;
  readonly releaseDate: string | null;
  readonly updateDate: string | null;
  /** sha256 of the report.json now published for the entry (analysed), or null (refused: nothing published). */
  readonly reportSha256?: string | null;
  /** Fingerprint of the additional inputs (entry-inputs.ts `additionalInputsSha256`); null/absent when none. */
  readonly extraInputsSha256?: string | null;
  /** The additional input files fetched for this run (empty/absent when none). */
  readonly extraInputs?: readonly ExtraInputRecord[];
}

/** The latest state of an entry (a row of entries). */
export interface EntryState {
  readonly entryId: string;
  readonly status: 'analysed' | 'refused' | 'failed';
  readonly reason: string | null;
  readonly attempts: number;
  readonly lastRunId: number;
  readonly okStatus: 'analysed' | 'refused' | null;
  readonly okRunId: number | null;
  readonly okVersion: string | null;
  readonly okMetadataSha256: string | null;
  readonly okMapSha256: string | null;
  /** The settled outcome's additional-input fingerprint (null: none). */
  readonly okExtraInputsSha256: string | null;
  /** Why the settled outcome is a refusal (null for analysed). */
  readonly okReason: string | null;
  readonly reportSha256: string | null;
  readonly updatedAt: string;
}

/** One cluster attempt of an entry (a row of task_attempts). */
export interface TaskAttemptRecord {
  readonly entryId: string;
  readonly attempt: number;
  readonly executor: 'slurm';
  /** Slurm: "<array job>_<index>" ("" when sbatch refused the submission). */
  readonly task: string;
  readonly state: string;
  readonly exitCode: string | null;
  readonly node: string | null;
  readonly memMB: number | null;
  readonly timeMin: number | null;
  /** analysed | refused | corrupt | error | lost (no status) | unsubmitted. */
  readonly outcome: string;
  readonly reason: string | null;
  readonly submittedAt: string;
  readonly finishedAt: string;
}

/** A row of `runs`. */
export interface RunRow {
  readonly runId: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: string;
  readonly emdbApi: string;
  readonly mode: string;
  readonly since: string | null;
  readonly analyzerVersion: string;
  readonly discovered: number;
  readonly queued: number;
  readonly analysed: number;
  readonly reused: number;
  readonly failed: number;
  readonly refused: number;
  readonly siteStatus: string | null;
  readonly siteSeconds: number | null;
  readonly notes: string | null;
}

/** A row of `entry_runs`, as `emvr status` shows it. */
export interface EntryRunRow {
  readonly runId: number;
  readonly entryId: string;
  readonly status: EntryRunStatus;
  readonly stage: string | null;
  readonly analyzerVersion: string;
  readonly mapSha256: string | null;
  /** Additional input files of the run (half maps), [] when none. */
  readonly extraInputs: ExtraInputRecord[];
  readonly fetchSeconds: number | null;
  readonly analyseSeconds: number | null;
  readonly totalSeconds: number | null;
  readonly peakRssMB: number | null;
  readonly reason: string | null;
  readonly finishedAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running','completed','failed','interrupted')),
  emdb_api TEXT NOT NULL,
  emdb_files TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('since','full','ids')),
  since TEXT,
  analyzer_version TEXT NOT NULL,
  discovered INTEGER NOT NULL DEFAULT 0,
  queued INTEGER NOT NULL DEFAULT 0,
  analysed INTEGER NOT NULL DEFAULT 0,
  reused INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  site_status TEXT,
  site_seconds REAL,
  notes TEXT
);
CREATE TABLE IF NOT EXISTS entry_runs (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  entry_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('analysed','reused','failed','refused')),
  stage TEXT,
  analyzer_version TEXT NOT NULL,
  metadata_sha256 TEXT,
  entry_json_sha256 TEXT,
  map_sha256 TEXT,
  map_bytes INTEGER,
  map_from_cache INTEGER,
  fetch_seconds REAL,
  analyse_seconds REAL,
  total_seconds REAL,
  peak_rss_mb REAL,
  item_timings TEXT,
  notes TEXT,
  reason TEXT,
  finished_at TEXT NOT NULL,
  extra_inputs_sha256 TEXT,
  extra_inputs TEXT,
  PRIMARY KEY (run_id, entry_id)
);
CREATE TABLE IF NOT EXISTS entries (
  entry_id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('analysed','refused','failed')),
  reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_run_id INTEGER NOT NULL,
  release_date TEXT,
  update_date TEXT,
  updated_at TEXT NOT NULL,
  ok_status TEXT CHECK (ok_status IN ('analysed','refused')),
  ok_run_id INTEGER,
  ok_version TEXT,
  ok_metadata_sha256 TEXT,
  ok_map_sha256 TEXT,
  ok_reason TEXT,
  report_sha256 TEXT,
  ok_extra_inputs_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS entry_runs_entry ON entry_runs(entry_id);
CREATE TABLE IF NOT EXISTS task_attempts (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  entry_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  executor TEXT NOT NULL,
  task TEXT NOT NULL,
  state TEXT NOT NULL,
  exit_code TEXT,
  node TEXT,
  mem_mb INTEGER,
  time_min INTEGER,
  outcome TEXT NOT NULL,
  reason TEXT,
  submitted_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  PRIMARY KEY (run_id, entry_id, attempt)
);
`;

/** Columns added after schema 1, by version: `[table, column, type]`. */
const ADDED_COLUMNS: readonly (readonly [number, string, string, string])[] = [
  [3, 'entry_runs', 'extra_inputs_sha256', 'TEXT'],
  [3, 'entry_runs', 'extra_inputs', 'TEXT'],
  [3, 'entries', 'ok_extra_inputs_sha256', 'TEXT'],
];

/**
 * Brings a ledger of schema `from` to LEDGER_SCHEMA_VERSION in one transaction: tables new since
 * then were already created by SCHEMA (CREATE IF NOT EXISTS); columns new since then are added
 * when missing. A ledger of a newer schema is refused, not downgraded.
 */
function migrate(db: DatabaseSync, file: string, from: number): void {
  if (!Number.isInteger(from) || from < 1 || from > LEDGER_SCHEMA_VERSION) throw new Error(`${file}: ledger schema ${String(from)}, this emvr writes ${LEDGER_SCHEMA_VERSION}`);
  if (from === LEDGER_SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const [version, table, column, type] of ADDED_COLUMNS) {
      if (version <= from) continue;
      const have = (db.prepare(`PRAGMA table_info(${table})`).all() as Row[]).some((c) => c.name === column);
      if (!have) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
    db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(String(LEDGER_SCHEMA_VERSION), 'schema_version');
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw new Error(`${file}: could not upgrade the ledger from schema ${from} to ${LEDGER_SCHEMA_VERSION}: ${(err as Error).message}`);
  }
}

function extraInputsOf(v: unknown): ExtraInputRecord[] {
  if (typeof v !== 'string') return [];
  try {
    const list = JSON.parse(v) as unknown;
    return Array.isArray(list) ? (list as ExtraInputRecord[]) : [];
  } catch {
    return [];
  }
}

const now = () => new Date().toISOString();

type Row = Record<string, unknown>;

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** The ledger file is damaged (not a database, or its pages fail SQLite's quick check). */
export class LedgerCorruptError extends Error {
  override name = 'LedgerCorruptError';
  readonly file: string;
  constructor(file: string, detail: string) {
    super(`${file} is corrupt (${detail})`);
    this.file = file;
  }
}

/** SQLite's primary result codes that mean a damaged file: SQLITE_CORRUPT (11) and SQLITE_NOTADB (26). */
export function isCorruptionError(err: unknown): boolean {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && [11, 26].includes(code & 0xff);
}

/** The ledger of one output folder. Not shared between processes that write (the nightly lock sees to that). */
export class Ledger {
  readonly file: string;
  private readonly db: DatabaseSync;

  private constructor(file: string, db: DatabaseSync) {
    this.file = file;
    this.db = db;
  }

  /**
   * Opens (creating if needed) the ledger at `file`. `readOnly` for `emvr status`. A damaged file
   * throws LedgerCorruptError naming it (checked with SQLite's quick check when writing).
   */
  static open(file: string, opts: { readOnly?: boolean } = {}): Ledger {
    if (!opts.readOnly) mkdirSync(path.dirname(file), { recursive: true });
    let db: DatabaseSync | null = null;
    try {
      db = new DatabaseSync(file, { readOnly: opts.readOnly ?? false, timeout: 10_000 });
      if (!opts.readOnly) {
        db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
        const check = db.prepare('PRAGMA quick_check(1)').get() as Row | undefined;
        const verdict = String(Object.values(check ?? {})[0] ?? '');
        if (verdict !== 'ok') throw new LedgerCorruptError(file, `quick check: ${verdict}`);
        db.exec(SCHEMA);
        const v = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version') as Row | undefined;
        if (v === undefined) db.prepare('INSERT INTO meta(key, value) VALUES (?, ?)').run('schema_version', String(LEDGER_SCHEMA_VERSION));
        else migrate(db, file, Number(v.value));
      }
    } catch (err) {
      try {
        db?.close();
      } catch {
        // closing a damaged handle may fail too
      }
      if (isCorruptionError(err)) throw new LedgerCorruptError(file, (err as Error).message);
      throw err;
    }
    return new Ledger(file, db);
  }

  close(): void {
    this.db.close();
  }

  /** Runs `fn` in one IMMEDIATE transaction (all or nothing, also across kill -9). */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      this.db.exec('COMMIT');
      return r;
    } catch (err) {
      // SQLite rolls back by itself on some errors (a full disk among them); a second ROLLBACK
      // would throw "cannot rollback - no transaction is active" and hide the real error.
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * Records a report found in content/ as the entry's settled, published state (rebuilding a
   * ledger that was set aside): what the report says it was computed from, no run of its own.
   */
  adoptPublished(r: { entryId: string; analyzerVersion: string; metadataSha256: string | null; mapSha256: string | null; reportSha256: string; releaseDate: string | null }): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO entries(entry_id, status, reason, attempts, last_run_id, release_date, update_date, updated_at, ok_status, ok_run_id, ok_version,
           ok_metadata_sha256, ok_map_sha256, ok_reason, report_sha256, ok_extra_inputs_sha256)
         VALUES (?, 'analysed', NULL, 0, 0, ?, NULL, ?, 'analysed', NULL, ?, ?, ?, NULL, ?, NULL)`,
      )
      .run(r.entryId, r.releaseDate, now(), r.analyzerVersion, r.metadataSha256, r.mapSha256, r.reportSha256);
  }

  getMeta(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as Row | undefined;
    return r ? str(r.value) : null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
    else this.db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Marks runs left "running" by a process that no longer exists (called while holding the lock). */
  markInterrupted(): number {
    const r = this.db.prepare("UPDATE runs SET status = 'interrupted' WHERE status = 'running'").run();
    return Number(r.changes);
  }

  /** Opens a run row and returns its id. */
  startRun(r: { emdbApi: string; emdbFiles: string; mode: 'since' | 'full' | 'ids'; since: string | null; analyzerVersion: string }): number {
    const res = this.db
      .prepare("INSERT INTO runs(started_at, status, emdb_api, emdb_files, mode, since, analyzer_version) VALUES (?, 'running', ?, ?, ?, ?, ?)")
      .run(now(), r.emdbApi, r.emdbFiles, r.mode, r.since, r.analyzerVersion);
    return Number(res.lastInsertRowid);
  }

  /** Updates counters and notes of a run while it goes. */
  updateRun(runId: number, c: Partial<{ discovered: number; queued: number; notes: string | null; siteStatus: string; siteSeconds: number }>): void {
    const sets: string[] = [];
    const vals: (string | number | null)[] = [];
    const cols: Record<string, string> = { discovered: 'discovered', queued: 'queued', notes: 'notes', siteStatus: 'site_status', siteSeconds: 'site_seconds' };
    for (const [k, col] of Object.entries(cols)) {
      const v = (c as Record<string, string | number | null | undefined>)[k];
      if (v !== undefined) {
        sets.push(`${col} = ?`);
        vals.push(v);
      }
    }
    if (sets.length > 0) this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE run_id = ?`).run(...vals, runId);
  }

  /** Closes a run: final status (interrupted = cancelled by a signal), counts taken from its entry rows. */
  finishRun(runId: number, status: 'completed' | 'failed' | 'interrupted'): void {
    this.db
      .prepare(
        `UPDATE runs SET finished_at = ?2, status = ?3,
           analysed = (SELECT COUNT(*) FROM entry_runs WHERE run_id = ?1 AND status = 'analysed'),
           reused = (SELECT COUNT(*) FROM entry_runs WHERE run_id = ?1 AND status = 'reused'),
           failed = (SELECT COUNT(*) FROM entry_runs WHERE run_id = ?1 AND status = 'failed'),
           refused = (SELECT COUNT(*) FROM entry_runs WHERE run_id = ?1 AND status = 'refused')
         WHERE run_id = ?1`,
      )
      .run(runId, now(), status);
  }

  /** The entry's latest state, or null when the ledger has never seen it. */
  entry(entryId: string): EntryState | null {
    const r = this.db.prepare('SELECT * FROM entries WHERE entry_id = ?').get(entryId) as Row | undefined;
    return r ? toEntryState(r) : null;
  }

  /**
   * Records one entry's outcome (entry_runs row + entries row) in one transaction. Analysed:
   * the new inputs and report become the entry's published state. Refused: nothing is published.
   * Reused: only the run row and `last_run_id`. Failed: the published state is kept, attempts + 1.
   */
  recordEntry(runId: number, r: EntryRunRecord): void {
    this.transaction(() => {
      const t = now();
      this.db
        .prepare(
          `INSERT OR REPLACE INTO entry_runs(run_id, entry_id, status, stage, analyzer_version, metadata_sha256, entry_json_sha256, map_sha256, map_bytes,
             map_from_cache, fetch_seconds, analyse_seconds, total_seconds, peak_rss_mb, item_timings, notes, reason, finished_at, extra_inputs_sha256, extra_inputs)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          runId, r.entryId, r.status, r.stage, r.analyzerVersion, r.metadataSha256, r.entryJsonSha256, r.mapSha256, r.mapBytes,
          r.mapFromCache === null ? null : r.mapFromCache ? 1 : 0, r.fetchSeconds, r.analyseSeconds, r.totalSeconds, r.peakRssMB,
          r.itemTimings === null ? null : JSON.stringify(r.itemTimings), JSON.stringify(r.notes), r.reason, t,
          r.extraInputsSha256 ?? null, r.extraInputs && r.extraInputs.length > 0 ? JSON.stringify(r.extraInputs) : null,
        );
      const prev = this.entry(r.entryId);
      if (r.status === 'reused') {
        this.db.prepare('UPDATE entries SET last_run_id = ?, status = COALESCE(ok_status, status), reason = ok_reason, attempts = 0, updated_at = ? WHERE entry_id = ?').run(runId, t, r.entryId);
        return;
      }
      if (r.status === 'failed') {
        if (prev) {
          this.db.prepare("UPDATE entries SET status = 'failed', reason = ?, attempts = attempts + 1, last_run_id = ?, updated_at = ? WHERE entry_id = ?").run(r.reason, runId, t, r.entryId);
        } else {
          this.db
            .prepare("INSERT INTO entries(entry_id, status, reason, attempts, last_run_id, release_date, update_date, updated_at) VALUES (?, 'failed', ?, 1, ?, ?, ?, ?)")
            .run(r.entryId, r.reason, runId, r.releaseDate, r.updateDate, t);
        }
        return;
      }
      // analysed or refused: this run's inputs become the entry's settled state.
      this.db
        .prepare(
          `INSERT INTO entries(entry_id, status, reason, attempts, last_run_id, release_date, update_date, updated_at, ok_status, ok_run_id, ok_version,
             ok_metadata_sha256, ok_map_sha256, ok_reason, report_sha256, ok_extra_inputs_sha256)
           VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?2, ?4, ?8, ?9, ?10, ?3, ?11, ?12)
           ON CONFLICT(entry_id) DO UPDATE SET status = excluded.status, reason = excluded.reason, attempts = 0, last_run_id = excluded.last_run_id,
             release_date = excluded.release_date, update_date = excluded.update_date, updated_at = excluded.updated_at, ok_status = excluded.ok_status,
             ok_run_id = excluded.ok_run_id, ok_version = excluded.ok_version, ok_metadata_sha256 = excluded.ok_metadata_sha256,
             ok_map_sha256 = excluded.ok_map_sha256, ok_reason = excluded.ok_reason, report_sha256 = excluded.report_sha256,
             ok_extra_inputs_sha256 = excluded.ok_extra_inputs_sha256`,
        )
        .run(
          r.entryId, r.status, r.reason, runId, r.releaseDate, r.updateDate, t, r.analyzerVersion, r.metadataSha256, r.mapSha256,
          r.status === 'analysed' ? (r.reportSha256 ?? null) : null, r.extraInputsSha256 ?? null,
        );
    });
  }

  /** Records one cluster attempt of an entry (replacing a row of the same run, entry and attempt). */
  recordAttempt(runId: number, a: TaskAttemptRecord): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO task_attempts(run_id, entry_id, attempt, executor, task, state, exit_code, node, mem_mb, time_min, outcome, reason, submitted_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, a.entryId, a.attempt, a.executor, a.task, a.state, a.exitCode, a.node, a.memMB, a.timeMin, a.outcome, a.reason, a.submittedAt, a.finishedAt);
  }

  /** Cluster attempts of one run, by entry (accession order) then attempt. */
  attempts(runId: number): (TaskAttemptRecord & { runId: number })[] {
    return (this.db.prepare('SELECT * FROM task_attempts WHERE run_id = ?').all(runId) as Row[])
      .map((r) => ({
        runId: Number(r.run_id),
        entryId: String(r.entry_id),
        attempt: Number(r.attempt),
        executor: String(r.executor) as 'slurm',
        task: String(r.task),
        state: String(r.state),
        exitCode: str(r.exit_code),
        node: str(r.node),
        memMB: num(r.mem_mb),
        timeMin: num(r.time_min),
        outcome: String(r.outcome),
        reason: str(r.reason),
        submittedAt: String(r.submitted_at),
        finishedAt: String(r.finished_at),
      }))
      .sort((a, b) => Number(a.entryId.slice(4)) - Number(b.entryId.slice(4)) || a.attempt - b.attempt);
  }

  /**
   * Entries to look at again whatever the discovery says: the latest attempt failed, or the
   * settled result is from another analyzer version. Accession order.
   */
  retryList(analyzerVersion: string): { entryId: string; why: 'failed' | 'version' }[] {
    const rows = this.db
      .prepare("SELECT entry_id, status, ok_version FROM entries WHERE status = 'failed' OR (ok_version IS NOT NULL AND ok_version <> ?)")
      .all(analyzerVersion) as Row[];
    return rows
      .map((r) => ({ entryId: String(r.entry_id), why: r.status === 'failed' ? ('failed' as const) : ('version' as const) }))
      .sort((a, b) => Number(a.entryId.slice(4)) - Number(b.entryId.slice(4)));
  }

  /** Every entry with a published report and that report's sha256. */
  publishedReports(): { entryId: string; reportSha256: string }[] {
    return (this.db.prepare('SELECT entry_id, report_sha256 FROM entries WHERE report_sha256 IS NOT NULL ORDER BY entry_id').all() as Row[]).map((r) => ({
      entryId: String(r.entry_id),
      reportSha256: String(r.report_sha256),
    }));
  }

  /** Drops the published report of an entry from the ledger's view (its folder was found missing or removed). */
  forgetReport(entryId: string): void {
    this.db.prepare("UPDATE entries SET report_sha256 = NULL, ok_status = CASE WHEN ok_status = 'analysed' THEN NULL ELSE ok_status END WHERE entry_id = ?").run(entryId);
  }

  /** sha256 over (entry, report sha256) of every published report: changes exactly when content/ does. */
  contentFingerprint(extra = ''): string {
    const h = createHash('sha256');
    for (const r of this.publishedReports()) h.update(`${r.entryId}\t${r.reportSha256}\n`);
    h.update(extra);
    return h.digest('hex');
  }

  /** The latest `limit` runs, newest first. */
  runs(limit = 10): RunRow[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY run_id DESC LIMIT ?').all(limit) as Row[]).map((r) => ({
      runId: Number(r.run_id),
      startedAt: String(r.started_at),
      finishedAt: str(r.finished_at),
      status: String(r.status),
      emdbApi: String(r.emdb_api),
      mode: String(r.mode),
      since: str(r.since),
      analyzerVersion: String(r.analyzer_version),
      discovered: Number(r.discovered),
      queued: Number(r.queued),
      analysed: Number(r.analysed),
      reused: Number(r.reused),
      failed: Number(r.failed),
      refused: Number(r.refused),
      siteStatus: str(r.site_status),
      siteSeconds: num(r.site_seconds),
      notes: str(r.notes),
    }));
  }

  /** Entry rows of one run, in accession order. */
  entryRuns(runId: number): EntryRunRow[] {
    return (this.db.prepare('SELECT * FROM entry_runs WHERE run_id = ?').all(runId) as Row[])
      .map((r) => ({
        runId: Number(r.run_id),
        entryId: String(r.entry_id),
        status: String(r.status) as EntryRunStatus,
        stage: str(r.stage),
        analyzerVersion: String(r.analyzer_version),
        mapSha256: str(r.map_sha256),
        extraInputs: extraInputsOf(r.extra_inputs),
        fetchSeconds: num(r.fetch_seconds),
        analyseSeconds: num(r.analyse_seconds),
        totalSeconds: num(r.total_seconds),
        peakRssMB: num(r.peak_rss_mb),
        reason: str(r.reason),
        finishedAt: String(r.finished_at),
      }))
      .sort((a, b) => Number(a.entryId.slice(4)) - Number(b.entryId.slice(4)));
  }

  /** Entries whose latest attempt failed (they are retried next run). */
  failing(): EntryState[] {
    return (this.db.prepare("SELECT * FROM entries WHERE status = 'failed' ORDER BY entry_id").all() as Row[]).map(toEntryState);
  }

  /** Counts of entries by latest status. */
  entryCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM entries GROUP BY status').all() as Row[]) out[String(r.status)] = Number(r.n);
    return out;
  }
}

function toEntryState(r: Row): EntryState {
  return {
    entryId: String(r.entry_id),
    status: String(r.status) as EntryState['status'],
    reason: str(r.reason),
    attempts: Number(r.attempts),
    lastRunId: Number(r.last_run_id),
    okStatus: str(r.ok_status) as EntryState['okStatus'],
    okRunId: num(r.ok_run_id),
    okVersion: str(r.ok_version),
    okMetadataSha256: str(r.ok_metadata_sha256),
    okMapSha256: str(r.ok_map_sha256),
    okExtraInputsSha256: str(r.ok_extra_inputs_sha256),
    okReason: str(r.ok_reason),
    reportSha256: str(r.report_sha256),
    updatedAt: String(r.updated_at),
  };
}
