import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`, done by scripts/setup); Playwright cannot download browsers here. */
export const CHROMIUM_BIN = process.env['BERTH_CHROMIUM_BIN'] ?? '/usr/bin/chromium';

/** Without the networking flags Chromium keeps trying to reach the outside (only loopback is allowed). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HeadlessChromium {
  readonly context: BrowserContext;
  /** closes the browser and removes its profile */
  close(): Promise<void>;
}

/** A real headless Chromium with a fresh profile (its own --user-data-dir), driven by playwright-core. */
export async function startChromium(options: { readonly viewport?: { width: number; height: number } } = {}): Promise<HeadlessChromium> {
  // loaded here, not at import: most tests importing @berth/testing never start a browser
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'berth-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_BIN,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1280, height: 900 },
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
