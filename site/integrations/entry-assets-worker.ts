/**
 * Worker thread of the entry-assets integration: stages every entry's downloads under
 * `workerData.stage` and posts the counts (or the error) back. Loaded by Node directly (type
 * stripping), not by Vite.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { stageAllEntryAssets } from './entry-assets.ts';

try {
  const counts = await stageAllEntryAssets((workerData as { stage: string }).stage);
  parentPort?.postMessage(counts);
} catch (err) {
  parentPort?.postMessage({ error: (err as Error).stack ?? String(err) });
}
