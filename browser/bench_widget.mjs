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

async function measure(page, navigate) {
  await navigate();
  await page.waitForFunction(() => window.__launcherReady !== undefined, null, { timeout: 15000 });
  return page.evaluate(() => window.__launcherReady);
}

run(async (browser) => {
  const shop = await servePage(shopPage(config));
  const runs = config.runs || 20;
  const cold = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    await context.addInitScript(watchLauncher);
    const page = await context.newPage();
    cold.push(await measure(page, () => page.goto(shop.url)));
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
  return { cold, warm };
});
