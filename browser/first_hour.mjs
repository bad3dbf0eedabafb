// The first hour, as a newcomer lives it: the banner's owner token signs in to the
// console (test mode is preselected), a knowledge entry is written on the Knowledge
// page, the banner's widget snippet on the shop's own local page answers from it, the
// customer asks for a person, and a person takes over and replies from the console.
// Every step is in the mode the banner starts in; each is photographed.
import { run, shot, config, until } from './lib.mjs';
import { part, servePage, texts } from './widget_pages.mjs';
import { url } from './console_session.mjs';

run(async (browser) => {
  const result = {};
  const errors = [];
  const watch = (page) => page.on('pageerror', (e) => errors.push(String(e)));

  // ---- the console, signed in with the banner's token and its preselected mode
  const desk = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  watch(desk);
  await desk.goto(url('/console'));
  result.preselected_mode = await desk.locator('input[name="mode"]:checked').getAttribute('value');
  await desk.locator('#signin-token').fill(config.owner_token);
  await desk.locator('#signin-form button[type="submit"]').click();
  await desk.locator('#live-state[data-state="live"]').waitFor();
  result.console_mode = await desk.locator('#mode-switch').getAttribute('data-mode');
  await desk.locator('#setup:not([hidden])').waitFor();
  result.setup_notice = await desk.locator('#setup').innerText();
  await shot(desk, '01-console-first-sign-in');

  // ---- knowledge, written in the console
  await desk.locator('a[data-nav="knowledge"]').click();
  const form = desk.locator('#knowledge-form');
  await form.waitFor();
  await form.locator('input[name="title"]').fill('Opening hours');
  await form.locator('textarea[name="body"]').fill('We open at 9am and close at 6pm, Monday to Saturday.');
  await form.locator('textarea[name="questions"]').fill('When do you open?\nWhat are your hours?');
  await form.locator('button[type="submit"]').click();
  await desk.locator('.knowledge tbody tr[data-id]').first().waitFor();
  await shot(desk, '02-knowledge-entry');

  // ---- the banner's snippet on the shop's own page (another origin, as a real site)
  const shop = await servePage(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My shop</title></head>
<body><h1>My shop</h1>${config.snippet}</body></html>`);
  const customer = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  watch(customer);
  await customer.goto(shop.url);
  await customer.locator(part.launcher).click();
  await customer.locator(part.name).fill('Maya');
  await customer.locator(part.email).fill('maya@example.com');
  await customer.locator(part.text).fill('When do you open?');
  await customer.keyboard.press('Enter');
  await customer.locator(part.message('ai')).first().waitFor({ timeout: 20000 });
  result.ai_answer = (await texts(customer, 'ai'))[0];
  await shot(customer, '03-widget-ai-answer');

  // ---- the customer asks for a person; the console shows them waiting
  await customer.locator(part.human).click();
  await until('the hand-off acknowledgment', async () => (await texts(customer, 'ai')).length === 2);
  result.acknowledgment = (await texts(customer, 'ai'))[1];
  await desk.locator('a[data-nav="inbox"]').click();
  const waiting = desk.locator('#inbox-list > li.waiting a').first();
  await waiting.waitFor();
  await waiting.click();
  await desk.locator('.timeline .msg-customer').first().waitFor();
  await desk.locator('#take-over').click();
  await desk.locator('.conv-facts .badge.by-human').waitFor();
  const reply = 'Hi Maya, this is a person. We open at 9 tomorrow.';
  await desk.locator('#composer-text').fill(reply);
  await desk.keyboard.press('Control+Enter');
  await desk.locator('.timeline .msg-agent', { hasText: reply }).waitFor();
  await shot(desk, '04-console-took-over-and-replied');

  // ---- the reply reaches the customer live, under a person's name
  await until('the person\u2019s reply in the widget', async () => (await texts(customer, 'agent')).includes(reply));
  result.customer_sees = await texts(customer, 'agent');
  await shot(customer, '05-widget-person-reply');
  await shop.close();
  result.page_errors = errors;
  return result;
});
