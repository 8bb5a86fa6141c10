/**
 * The 3-D view button of an entry page: on the first click it imports the Mol* bundle (published
 * apart from the page's scripts, so a page that is only read loads none of it), mounts the viewer
 * in the `[data-viewer]` element and offers the colourings. The element carries its configuration
 * (src/lib/viewer-config.ts) as JSON in `data-config`.
 */
import type { ViewerHandle, ViewerConfig } from '../viewer/molstar-viewer.ts';

interface ViewerModule {
  mountViewer(container: HTMLElement, config: ViewerConfig): Promise<ViewerHandle>;
}

async function open(root: HTMLElement, button: HTMLButtonElement): Promise<void> {
  const { bundleUrl, config } = JSON.parse(root.dataset.config ?? '{}') as { bundleUrl: string; config: ViewerConfig };
  const canvas = root.querySelector<HTMLElement>('[data-viewer-canvas]')!;
  const status = root.querySelector<HTMLElement>('[data-viewer-status]')!;
  const select = root.querySelector<HTMLSelectElement>('[data-viewer-colour]');
  root.dataset.viewerState = 'loading';
  const t0 = performance.now();
  button.disabled = true;
  status.textContent = 'Loading the viewer and the map…';
  canvas.hidden = false;
  try {
    const mod = (await import(/* @vite-ignore */ bundleUrl)) as ViewerModule;
    const handle = await mod.mountViewer(canvas, config);
    button.hidden = true;
    status.textContent = 'Drag to turn, scroll to zoom, right-drag to move.';
    // From the click to the first drawn frame: what the reader waits (measured by the browser test).
    root.dataset.loadMs = String(Math.round(performance.now() - t0));
    root.dataset.renderer = handle.renderer;
    root.dataset.viewerState = 'ready';
    if (select) {
      select.closest('[data-viewer-controls]')?.removeAttribute('hidden');
      select.addEventListener('change', () => {
        select.disabled = true;
        handle.colourBy(select.value === '' ? null : select.value).finally(() => {
          select.disabled = false;
          root.dataset.colouring = select.value;
        });
      });
    }
  } catch (err) {
    button.disabled = false;
    canvas.hidden = true;
    root.dataset.viewerState = 'failed';
    status.textContent = `The 3-D view could not start: ${(err as Error).message}`;
  }
}

export function startViewers(): void {
  for (const root of document.querySelectorAll<HTMLElement>('[data-viewer]')) {
    const button = root.querySelector<HTMLButtonElement>('[data-viewer-open]');
    button?.addEventListener('click', () => {
      if (root.dataset.viewerState !== 'loading' && root.dataset.viewerState !== 'ready') void open(root, button);
    });
  }
}
