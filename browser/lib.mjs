// The harness every browser script shares. A script is started by the Rust test through
// `confab_testkit::browser::run`, which passes what the test set up (server URL, keys, ids)
// as JSON in CONFAB_BROWSER_CONFIG and reads back the JSON the script prints last.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** What the Rust test passed: at least `base_url` and `artifacts` (a directory). */
export const config = JSON.parse(process.env.CONFAB_BROWSER_CONFIG || '{}');

/** Debian's chromium, headless, with the flags this machine needs. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CONFAB_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Saves a full-page screenshot as `<artifacts>/<name>.png`. */
export async function shot(page, name) {
  mkdirSync(config.artifacts, { recursive: true });
  await page.screenshot({ path: join(config.artifacts, `${name}.png`), fullPage: true });
}

/**
 * Calls Confab's REST API the way an integrator would. `credential` goes in
 * `Authorization: Bearer`; the parsed JSON body comes back with the status.
 */
export async function api(method, path, credential, body, headers = {}) {
  const response = await fetch(new URL(path, config.base_url), {
    method,
    headers: {
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  }
  return { status: response.status, json };
}

/** Waits until `check()` returns a truthy value, polling; throws `what` on timeout. */
export async function until(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs a script's `main(browser)`: on success prints `{"ok":true,"result":…}` as the last
 * line; on failure saves a screenshot of every open page as `failure-N.png`, prints the
 * error and exits 1. The browser is always closed.
 */
export function run(main) {
  (async () => {
    const browser = await launch();
    try {
      const result = await main(browser);
      console.log(JSON.stringify({ ok: true, result: result ?? null }));
    } catch (error) {
      let n = 0;
      for (const context of browser.contexts()) {
        for (const page of context.pages()) {
          await shot(page, `failure-${n++}`).catch(() => {});
        }
      }
      console.error(error && error.stack ? error.stack : String(error));
      process.exitCode = 1;
    } finally {
      await browser.close();
    }
  })();
}
