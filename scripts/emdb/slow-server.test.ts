/**
 * Issue 23, fault 1: a server that trickles its body (1 byte per 100 ms) must not hold a run. A
 * download gives up when a stall window brings less than the minimum rate, or at its total
 * deadline; a small request (entry JSON) at its request deadline; after the retries the entry
 * fails at stage download, the ledger records why, and the run goes on with the next entry.
 * The local servers here are started by the test (127.0.0.1, port 0); deadlines are small.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMirror } from '../mirror/mirror.ts';
import { writeSimulatedEntries } from '../mirror/mirror-folder.ts';
import { Ledger } from '../nightly/ledger.ts';
import { runNightly } from '../nightly/pipeline.ts';
import { EmdbClient } from './client.ts';
import { fetchMap, stallReason } from './download.ts';
import { resolveEndpoints } from './endpoints.ts';
import { DEFAULT_HTTP_OPTIONS, HttpError, PoliteGate, type HttpOptions } from './http.ts';

const made: string[] = [];
const servers: http.Server[] = [];
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** A server that promises `length` bytes and sends one byte every `everyMs`. */
async function tricklingServer(length: number, everyMs: number, type = 'application/octet-stream'): Promise<string> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': type, 'content-length': String(length) });
    let sent = 0;
    const t = setInterval(() => {
      if (res.destroyed || sent >= length) {
        clearInterval(t);
        return;
      }
      res.write(type === 'application/json' ? (sent === 0 ? '{' : ' ') : Buffer.of(0x1f));
      sent++;
    }, everyMs);
    res.on('close', () => clearInterval(t));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const small = (o: Partial<HttpOptions>): HttpOptions => ({ ...DEFAULT_HTTP_OPTIONS, minIntervalMs: 0, backoffMs: 20, retries: 1, timeoutMs: 2000, ...o });

describe('stall rule', () => {
  it('a window below the minimum rate is a stall, at or above it is not; at rate 0 only an empty window is', () => {
    expect(stallReason(0, 500, 0)).toBe('no data for 500 ms');
    expect(stallReason(1, 500, 0)).toBeNull();
    // 1024 bytes/s over 500 ms needs 512 bytes.
    expect(stallReason(511, 500, 1024)).toBe('only 511 bytes in 500 ms (slower than 1024 bytes/s)');
    expect(stallReason(512, 500, 1024)).toBeNull();
  });
});

describe('a server sending 1 byte per 100 ms', () => {
  it('a map download is given up on the rate rule, retried once, then fails within its time', async () => {
    const url = await tricklingServer(1_000_000, 100);
    const dir = await mkdtemp(path.join(tmpdir(), 'emvr-slow-'));
    made.push(dir);
    const opts = small({ idleTimeoutMs: 400, minBytesPerSecond: 100, downloadTimeoutMs: 60_000 });
    const t0 = performance.now();
    const err = await fetchMap(new PoliteGate(2, 0), opts, `${url}/emd_1.map.gz`, path.join(dir, 'emd_1.map.gz'), 'EMD-1 map').catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect(err).toBeInstanceOf(HttpError);
    // ~4 bytes in a 400 ms window, 40 needed at 100 bytes/s.
    expect((err as Error).message).toMatch(/^EMD-1 map: only \d bytes in 400 ms \(slower than 100 bytes\/s\) \(after 2 attempts\)$/u);
    expect(ms).toBeLessThan(2500);
  });

  it('with no rate rule the total deadline of each attempt ends it', async () => {
    const url = await tricklingServer(1_000_000, 100);
    const dir = await mkdtemp(path.join(tmpdir(), 'emvr-slow-'));
    made.push(dir);
    const opts = small({ idleTimeoutMs: 300, minBytesPerSecond: 0, downloadTimeoutMs: 700 });
    const t0 = performance.now();
    const err = await fetchMap(new PoliteGate(2, 0), opts, `${url}/emd_1.map.gz`, path.join(dir, 'emd_1.map.gz'), 'EMD-1 map').catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect((err as Error).message).toBe('EMD-1 map: download not complete within its deadline of 700 ms (after 2 attempts)');
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(3000);
  });

  it('an entry JSON is given up at the request deadline', async () => {
    const url = await tricklingServer(100_000, 100, 'application/json');
    const client = new EmdbClient(resolveEndpoints({ base: url }), small({ requestTimeoutMs: 600 }));
    const t0 = performance.now();
    const err = await client.getEntry('EMD-1234').catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect((err as Error).message).toBe('EMD-1234 entry JSON: not complete within the request deadline of 600 ms (after 2 attempts)');
    expect(ms).toBeLessThan(2500);
  });
});

describe('nightly against a mirror that trickles one map', () => {
  it('fails that entry at stage download within its deadline, records why, and analyses the other', async () => {
    const mirrorDir = await mkdtemp(path.join(tmpdir(), 'emvr-slow-mirror-'));
    const out = await mkdtemp(path.join(tmpdir(), 'emvr-slow-out-'));
    made.push(mirrorDir, out);
    const sims = await writeSimulatedEntries(mirrorDir, { names: ['well-behaved', 'decentred'], box: 80 });
    const [slowId, okId] = sims.map((s) => s.id);
    const mirror = await startMirror({ dir: mirrorDir, faults: [{ match: `/structures/${slowId}/map/`, kind: 'slow', bytesPerSecond: 10 }] });
    try {
      const t0 = performance.now();
      const summary = await runNightly({
        out,
        endpoints: resolveEndpoints({ base: mirror.url }),
        http: { minIntervalMs: 0, backoffMs: 20, retries: 1, timeoutMs: 2000, idleTimeoutMs: 500, minBytesPerSecond: 100, downloadTimeoutMs: 5000 },
        ids: [slowId, okId],
        workers: 1,
        figures: false,
        progress: false,
        log: () => undefined,
        site: { enabled: false, pdf: false },
      });
      const seconds = (performance.now() - t0) / 1000;
      const outcome = Object.fromEntries(summary.outcomes.map((o) => [o.id, o]));
      expect(outcome[okId].status).toBe('analysed');
      expect(outcome[slowId]).toMatchObject({ status: 'failed', stage: 'download' });
      expect(outcome[slowId].reason).toMatch(/^map download failed: .* map: only \d bytes in 500 ms \(slower than 100 bytes\/s\) \(after 2 attempts\)$/u);
      // Two attempts of one 500 ms window each, plus the other entry's analysis.
      expect(seconds).toBeLessThan(60);
      const ledger = Ledger.open(path.join(out, 'ledger.sqlite'), { readOnly: true });
      try {
        expect(ledger.entry(slowId)).toMatchObject({ status: 'failed', attempts: 1, reason: outcome[slowId].reason });
      } finally {
        ledger.close();
      }
    } finally {
      await mirror.close();
    }
  }, 120_000);
});
