// Proves the harness itself: Chromium opens the server's health page and the test's
// config arrives. The Rust side is confab-testkit's own test.
import { config, run, shot } from './lib.mjs';

run(async (browser) => {
  const page = await browser.newPage();
  const response = await page.goto(new URL('/healthz', config.base_url).toString());
  await shot(page, 'healthz');
  return { status: response.status(), body: await page.textContent('body'), echo: config.echo };
});
