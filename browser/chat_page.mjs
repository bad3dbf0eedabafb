// The hosted chat page on a phone: the same widget fills the screen; the AI answers; the
// visitor asks for a person and a person's reply (through the REST API) appears live.
import { api, config, run, shot, until } from './lib.mjs';
import { part, texts } from './widget_pages.mjs';

run(async (browser) => {
  const result = {};
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(new URL(`/chat/${config.site_key}`, config.base_url).toString());
  await page.locator(part.panel).waitFor();
  result.title = await page.title();
  result.viewport_meta = await page.locator('meta[name="viewport"]').getAttribute('content');
  result.launcher_visible = await page.locator(part.launcher).isVisible();
  result.close_visible = await page.locator('#confab-widget .close').isVisible();
  result.panel_box = await page.locator(part.panel).boundingBox();
  await shot(page, '01-hosted-page');

  await page.locator(part.name).fill('Omar');
  await page.locator(part.text).fill('When do you open?');
  await page.locator(part.send).tap();
  await page.locator(part.message('ai')).first().waitFor({ timeout: 20000 });
  result.ai_texts = await texts(page, 'ai');
  await shot(page, '02-ai-reply');

  await page.locator(part.human).tap();
  await until('the waiting status', async () => (await page.locator(part.status).textContent()).includes('Waiting'));
  const list = await api('GET', '/v1/conversations?channel=web&limit=1', config.secret_key);
  const conversation = list.json.data[0];
  result.handled_by = conversation.handled_by;
  await api('POST', `/v1/conversations/${conversation.id}/messages`, config.secret_key, { role: 'agent', text: 'A person here. Hello Omar!' });
  await page.locator(part.message('agent')).waitFor();
  result.agent_texts = await texts(page, 'agent');
  result.input_box = await page.locator(part.text).boundingBox();
  await shot(page, '03-human-reply');
  result.page_errors = errors;

  // On a desktop the same page is a centred card, not a stretched strip.
  const desk = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await desk.goto(new URL(`/chat/${config.site_key}`, config.base_url).toString());
  await desk.locator(part.panel).waitFor();
  result.desktop_box = await desk.locator(part.panel).boundingBox();
  result.desktop_radius = await desk.locator(part.panel).evaluate((p) => getComputedStyle(p).borderTopLeftRadius);
  // Above the card, the business's name on its colour.
  result.desktop_heading = await desk.locator('h1.brand').innerText();
  result.heading_box = await desk.locator('h1.brand').boundingBox();
  await shot(desk, '04-desktop');
  return result;
});
