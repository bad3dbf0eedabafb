// The widget on a customer's page, in Chromium: one script tag adds a launcher; the
// visitor fills the pre-chat form and writes; the AI's reply appears without a reload;
// "talk to a person", and a person's reply (posted through the REST API) appears live;
// attachments; the unread badge; the visitor survives a reload, and an upgrade of the
// widget (the stored field names stay); keyboard and screen-reader behaviour; the page's
// CSS cannot reach in; identify() skips the form; without server-sent events the widget
// polls.
import { api, config, run, shot, until } from './lib.mjs';
import { focused, part, servePage, shopPage, texts } from './widget_pages.mjs';

const sk = config.secret_key;

/** The newest web conversation, through the REST API. */
async function newestConversation() {
  const list = await api('GET', '/v1/conversations?channel=web&limit=1', sk);
  return list.json.data[0];
}

run(async (browser) => {
  const result = {};
  const shop = await servePage(shopPage(config));
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(shop.url);
  await page.locator(part.launcher).waitFor();
  await shot(page, '01-launcher');
  result.launcher_label = await page.locator(part.launcher).getAttribute('aria-label');
  result.launcher_background = await page.locator(part.launcher).evaluate((b) => getComputedStyle(b).backgroundColor);
  result.panel_hidden_at_first = await page.locator(part.panel).isHidden();
  await page.evaluate(() => {
    window.marker = 'not reloaded';
    window.seen = [];
    window.Confab.on('message', (m) => window.seen.push(m.role));
  });

  // ---- open with the keyboard: focus goes into the dialog, Tab stays inside
  await page.locator(part.launcher).focus();
  await page.keyboard.press('Enter');
  await page.locator(part.panel).waitFor();
  result.dialog = await page.locator(part.panel).evaluate((p) => [p.getAttribute('role'), p.getAttribute('aria-modal')]);
  result.focus_on_open = await focused(page);
  const stops = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    stops.push(await focused(page));
  }
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Shift+Tab');
    stops.push(await focused(page));
  }
  result.tab_stays_in_panel = stops.every((s) => s && s.inPanel);
  result.greeting = await page.locator('#confab-widget .greeting').textContent();
  result.pre_chat = await page.locator(part.name).isVisible();
  await shot(page, '02-pre-chat');

  // ---- the first message: the AI's answer appears without a reload
  await page.locator(part.name).fill('Maya');
  await page.locator(part.email).fill('maya@example.com');
  await page.locator(part.text).fill('When do you open?');
  await page.keyboard.press('Enter');
  await page.locator(part.message('ai')).first().waitFor({ timeout: 20000 });
  result.customer_texts = await texts(page, 'customer');
  result.ai_texts = await texts(page, 'ai');
  result.pre_chat_after = await page.locator(part.name).isVisible();
  result.same_page = await page.evaluate(() => window.marker);
  result.on_message = await page.evaluate(() => window.seen);
  await shot(page, '03-ai-reply');

  // ---- talk to a person; a person answers through the REST API
  await page.locator(part.human).click();
  await until('the waiting status', async () => (await page.locator(part.status).textContent()).includes('Waiting'));
  result.status_waiting = await page.locator(part.status).textContent();
  await until('the hand-off acknowledgment', async () => (await texts(page, 'ai')).length === 2);
  result.handoff_acknowledged = (await texts(page, 'ai'))[1];
  result.human_button_after = await page.locator(part.human).isVisible();
  const conversation = await newestConversation();
  result.handled_by_after_click = conversation.handled_by;
  result.contact = conversation.contact && conversation.contact.email;
  await api('POST', `/v1/conversations/${conversation.id}/typing`, config.owner_token, undefined, { 'confab-mode': 'test' });
  await page.locator('#confab-widget .typing').waitFor();
  result.typing = await page.locator('#confab-widget .typing').textContent();
  await api('POST', `/v1/conversations/${conversation.id}/messages`, config.owner_token,
    { role: 'agent', text: 'Hi Maya, Owner here. How can I help?' }, { 'confab-mode': 'test' });
  await page.locator(part.message('agent')).waitFor();
  result.agent_texts = await texts(page, 'agent');
  result.agent_name_shown = await page.locator(part.message('agent') + ' .who').textContent();
  result.typing_hidden_after_reply = await page.locator('#confab-widget .typing').isHidden();
  result.status_human = await page.locator(part.status).textContent();
  await shot(page, '04-human-reply');

  // ---- an attachment
  await page.locator(part.file).setInputFiles({ name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from('order 1234') });
  await page.locator(part.chips).waitFor();
  await page.locator(part.text).fill('Here is my receipt');
  await page.locator(part.send).click();
  await until('the message with its attachment', async () => (await page.locator(part.message('customer') + ' a').count()) === 1);
  result.attachment_link = await page.locator(part.message('customer') + ' a').textContent();
  const history = await api('GET', `/v1/conversations/${conversation.id}/messages`, sk);
  result.attachment_via_api = history.json.data.at(-1).attachments.map((a) => a.filename);

  // ---- closed panel: Escape returns focus to the launcher; a new reply shows a badge
  await page.keyboard.press('Escape');
  await page.locator(part.panel).waitFor({ state: 'hidden' });
  result.focus_after_close = await focused(page);
  await api('POST', `/v1/conversations/${conversation.id}/messages`, config.owner_token,
    { role: 'agent', text: 'Thanks, I can see it.' }, { 'confab-mode': 'test' });
  await until('the unread badge', async () => (await page.locator(part.badge).textContent()) === '1');
  result.badge_label = await page.locator(part.launcher).getAttribute('aria-label');
  await shot(page, '05-unread-badge');

  // ---- a reload keeps the visitor, the history and the unread count
  await page.reload();
  await page.locator(part.launcher).waitFor();
  await until('the badge after reload', async () => (await page.locator(part.badge).textContent()) === '1');
  result.cookies = (await context.cookies()).length;
  await page.evaluate(() => window.Confab.open());
  await page.locator(part.message('agent')).nth(1).waitFor();
  result.after_reload = {
    customer: await texts(page, 'customer'),
    agents: await texts(page, 'agent'),
    pre_chat: await page.locator(part.name).isVisible(),
    badge_hidden: await page.locator(part.badge).isHidden(),
    status: await page.locator(part.status).textContent(),
  };
  await page.evaluate(() => window.Confab.close());
  result.closed_by_api = await page.locator(part.panel).isHidden();
  await shot(page, '06-after-reload');

  // ---- what is stored keeps its field names: a visitor stored by an earlier widget
  // (written here by hand) keeps the conversation and the unread count
  const storageKey = 'confab:' + config.site_key;
  const stored = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), storageKey));
  result.stored_fields = Object.keys(stored).sort();
  const earlierContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const earlier = await earlierContext.newPage();
  await earlier.goto(shop.url);
  await earlier.locator(part.launcher).waitFor();
  await earlier.evaluate(([k, v]) => localStorage.setItem(k, v),
    [storageKey, JSON.stringify({ t: stored.t, n: 'Maya', e: 'maya@example.com', u: 2, o: 0 })]);
  await earlier.reload();
  await until('the stored unread count', async () => (await earlier.locator(part.badge).textContent()) === '2');
  await earlier.evaluate(() => window.Confab.open());
  await earlier.locator(part.message('customer')).nth(1).waitFor();
  result.earlier_visitor = { customer: await texts(earlier, 'customer'), pre_chat: await earlier.locator(part.name).isVisible() };
  await earlierContext.close();

  // ---- a signed-in user: identify() with the host's hash skips the form
  const signedIn = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const other = await signedIn.newPage();
  await other.goto(shop.url);
  await other.locator(part.launcher).waitFor();
  await other.evaluate((i) => window.Confab.identify(i), config.identity);
  await other.evaluate(() => window.Confab.open());
  result.identified_pre_chat = await other.locator(part.name).isVisible();
  await other.locator(part.text).fill('Is my order shipped?');
  await other.locator(part.send).click();
  await until('the identified conversation', async () => (await newestConversation()).contact.name === 'Maya Known');
  result.identified_contact = (await newestConversation()).contact;
  await shot(other, '07-identified');

  // ---- a browser without server-sent events: the widget polls with ?since=
  const noSse = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await noSse.addInitScript(() => { delete window.EventSource; });
  const polling = await noSse.newPage();
  const requests = [];
  polling.on('request', (r) => requests.push(r.url()));
  await polling.goto(shop.url);
  await polling.locator(part.launcher).click();
  await polling.locator(part.name).fill('Poll');
  await polling.locator(part.text).fill('What are your opening hours?');
  await polling.locator(part.send).click();
  await polling.locator(part.message('ai')).first().waitFor({ timeout: 20000 });
  result.polled_ai_texts = await texts(polling, 'ai');
  // The reply may already be in the catch-up right after sending (a fast backend); the
  // polls that follow must then ask only for what came after it.
  const sincePoll = (u) => u.includes('/messages?') && u.includes('since=');
  if (!requests.some(sincePoll)) await polling.waitForRequest((r) => sincePoll(r.url()), { timeout: 20000 }).catch(() => {});
  result.polled_with_since = requests.some(sincePoll);
  result.opened_a_stream = requests.some((u) => u.includes('/stream'));

  result.isolated_font = await page.locator(part.launcher).evaluate((b) => getComputedStyle(b).fontFamily);
  result.page_errors = errors;
  await shop.close();
  return result;
});
