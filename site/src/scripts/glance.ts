/**
 * The "at a glance" panel in the browser: fetches the entry's glance.json, written by each site
 * build from the whole archive, and draws the panel (lib/glance-view.ts; the PDF printer draws it
 * with the same function, scripts/site/print-page.ts). The page's HTML does not depend on the
 * other entries; this file does.
 */
import { glanceHtml, type GlanceData, type OwnPercentiles } from '../lib/glance-view.ts';

export async function startGlance(): Promise<void> {
  const box = document.querySelector<HTMLElement>('.glance[data-glance]');
  if (!box || box.dataset.state !== 'pending') return;
  const own = JSON.parse(box.dataset.own || '{}') as OwnPercentiles;
  try {
    const res = await fetch(box.dataset.glance as string);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    box.innerHTML = glanceHtml((await res.json()) as GlanceData, own);
    box.dataset.state = 'ready';
  } catch (err) {
    box.textContent = `The archive percentiles could not be loaded (${(err as Error).message}).`;
    box.dataset.state = 'failed';
  }
}
