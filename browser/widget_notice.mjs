// A page where the widget cannot start (its origin is not allowed for the test key):
// the site's developer sees why on the page, and the launcher does not appear.
import { config, run, shot } from './lib.mjs';
import { part, servePage, shopPage } from './widget_pages.mjs';

run(async (browser) => {
  const result = {};
  const shop = await servePage(shopPage(config));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.goto(shop.url);
  const notice = page.locator('#confab-notice p');
  await notice.waitFor({ timeout: 15000 });
  result.notice = await notice.textContent();
  result.role = await notice.getAttribute('role');
  result.launcher = await page.locator(part.launcher).count();
  result.warned = warnings.some((w) => w.includes('allowed_origins') || w.includes('origin'));
  await shot(page, '01-notice');
  await shop.close();
  return result;
});
