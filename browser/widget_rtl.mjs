// An Arabic page: the widget speaks Arabic and lays itself out right to left; an Arabic
// question gets the Arabic answer. The hosted chat page with ?lang=ar does the same.
import { config, run, shot } from './lib.mjs';
import { part, servePage, shopPage, texts } from './widget_pages.mjs';

run(async (browser) => {
  const result = {};
  const shop = await servePage(shopPage(config, 'ar'));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(shop.url);
  await page.locator(part.launcher).click();
  await page.locator(part.panel).waitFor();
  result.direction = await page.locator(part.panel).evaluate((p) => getComputedStyle(p).direction);
  result.lang = await page.locator('#confab-widget .w').getAttribute('lang');
  result.placeholder = await page.locator(part.text).getAttribute('placeholder');
  result.greeting = await page.locator('#confab-widget .greeting').textContent();
  result.launcher_label = await page.locator(part.launcher).getAttribute('aria-label');
  await page.locator(part.name).fill('ليلى');
  await page.locator(part.text).fill('متى تفتحون؟');
  await page.keyboard.press('Enter');
  await page.locator(part.message('ai')).first().waitFor({ timeout: 20000 });
  result.ai_texts = await texts(page, 'ai');
  // Every bubble and its text take the direction of their own words.
  result.bubble_dirs = await page.locator('#confab-widget .msg').evaluateAll((all) =>
    [...new Set(all.flatMap((b) => [b.dir, ...[...b.querySelectorAll('p')].map((p) => p.dir)]))]);
  result.ai_text_direction = await page.locator(part.message('ai') + ' p').first().evaluate((p) => getComputedStyle(p).direction);
  // Right to left: the visitor's bubbles sit on the left, the agent's on the right.
  const mine = await page.locator(part.message('customer')).first().boundingBox();
  const theirs = await page.locator(part.message('ai')).first().boundingBox();
  result.customer_left_of_ai = mine.x < theirs.x;
  await shot(page, '01-arabic-widget');

  const hosted = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await hosted.goto(new URL(`/chat/${config.site_key}?lang=ar`, config.base_url).toString());
  await hosted.locator(part.panel).waitFor();
  result.hosted_direction = await hosted.locator(part.panel).evaluate((p) => getComputedStyle(p).direction);
  result.hosted_send_label = await hosted.locator(part.send).getAttribute('aria-label');
  await shot(hosted, '02-arabic-hosted-page');
  await shop.close();
  return result;
});
