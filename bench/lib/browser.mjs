// Debian's Chromium through playwright-core (never a downloaded browser). launch() gives
// each run a fresh temporary profile and removes it on close.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      // Without these Chromium keeps calling home, which this machine cannot reach.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// A page in a context of its own: its own cache, storage and renderer process.
export async function withFreshPage(browser, fn) {
  const context = await browser.newContext();
  try {
    return await fn(await context.newPage(), context);
  } finally {
    await context.close();
  }
}
