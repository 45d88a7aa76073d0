// Launches Debian's Chromium through playwright-core (the full `playwright`
// package downloads its own browser, which these machines cannot do), and
// opens pages that record their errors, so a test can assert none happened.
//
//   const browser = await launch();
//   const { context, page, errors, consoleErrors } = await openPage(browser, url);
//   ...
//   await context.close();
//   await browser.close();
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium';

export const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Every step the tests wait on is bounded by this (ms). */
export const TIMEOUT = 15_000;

export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run \`tools/setup.sh browser\` (or set HEARTH_CHROMIUM)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
}

/**
 * A fresh browser context (its own storage, cookies and cache) with one page,
 * optionally navigated to `url`. `errors` collects uncaught page errors,
 * `consoleErrors` console.error output.
 */
export async function openPage(browser, url, { viewport = { width: 1000, height: 700 } } = {}) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = await context.newPage();
  const errors = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => errors.push(String(e?.stack ?? e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  if (url) await page.goto(url, { waitUntil: 'load' });
  return { context, page, errors, consoleErrors };
}
