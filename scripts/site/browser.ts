/**
 * Starts the machine's Chromium (Debian's /usr/bin/chromium, or `EMVR_CHROMIUM`) headless through
 * puppeteer-core. Nothing here ever downloads a browser.
 */
import fs from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Path of the Chromium to drive, or null when none is installed. */
export function chromiumPath(): string | null {
  const env = process.env.EMVR_CHROMIUM;
  if (env) return fs.existsSync(env) ? env : null;
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** WebGL drawn on the CPU (ANGLE's SwiftShader), for the 3-D viewer where no GPU is present. */
const SOFTWARE_WEBGL = ['--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/**
 * Launches headless Chromium with the flags the machine needs (no sandbox in containers, no GPU,
 * no background traffic); `webgl` swaps "no GPU" for software WebGL.
 */
export async function launchChromium(opts: { webgl?: boolean } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: install Debian "chromium" or set EMVR_CHROMIUM to a Chromium binary');
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', ...(opts.webgl ? SOFTWARE_WEBGL : ['--disable-gpu']), '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', '--disable-extensions', '--hide-scrollbars', '--font-render-hinting=none'],
  });
}
