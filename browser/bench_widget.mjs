// confab-bench widget: the time from navigation to the widget's launcher being
// interactive (on screen, with its handler) in headless Chromium, on a shop page that
// embeds the widget cross-origin. Cold: a fresh browser profile each run (no HTTP
// cache, no localStorage). Warm: the same profile reloading (cached script and
// settings). Times are the page's own clock from navigation start (performance.now()).
import { config, run } from './lib.mjs';
import { servePage, shopPage } from './widget_pages.mjs';

// Runs in the page before any of its scripts: note when the launcher can be clicked.
function watchLauncher() {
  const check = () => {
    const host = document.getElementById('confab-widget');
    const launcher = host && host.shadowRoot && host.shadowRoot.querySelector('.launcher');
    if (launcher && launcher.onclick && launcher.getClientRects().length) {
      window.__launcherReady = performance.now();
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
}

// The launcher's time, and the page's own DOMContentLoaded for scale.
async function measure(page, navigate, page_ready) {
  await navigate();
  await page.waitForFunction(() => window.__launcherReady !== undefined, null, { timeout: 15000 });
  const [launcher, loaded] = await page.evaluate(() => [
    window.__launcherReady,
    performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
  ]);
  if (page_ready) page_ready.push(loaded);
  return launcher;
}

run(async (browser) => {
  const shop = await servePage(shopPage(config));
  const runs = config.runs || 20;
  const cold = [];
  const page_loaded = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    await context.addInitScript(watchLauncher);
    const page = await context.newPage();
    cold.push(await measure(page, () => page.goto(shop.url), page_loaded));
    await context.close();
  }
  const context = await browser.newContext();
  await context.addInitScript(watchLauncher);
  const page = await context.newPage();
  await measure(page, () => page.goto(shop.url));
  const warm = [];
  for (let i = 0; i < runs; i++) {
    warm.push(await measure(page, () => page.reload()));
  }
  await shop.close();
  return { cold, warm, page_loaded };
});
