// The console, end to end in Chromium: sign in; a customer message posted through the
// REST API appears in the inbox live; a hand-off request jumps to the top; take over,
// reply (the reply is visible through the REST API, the event stream and the visitor's
// widget stream), note,
// release and resolve with keyboard shortcuts; analytics; the team page issues an agent
// a token; the agent cannot open team management; the layout on a tablet.
import { api, config, run, shot, until } from './lib.mjs';
import { signIn, url } from './console_session.mjs';

const sk = config.secret_key; // test mode, as an integrator would use

/**
 * Reads an SSE stream from Node, as an integrator (the events stream) or the visitor's
 * widget (its conversation's stream) would: every frame's `event` name and parsed data.
 */
function listen(path, headers) {
  const controller = new AbortController();
  const events = [];
  const ready = (async () => {
    const response = await fetch(url(path), { headers, signal: controller.signal });
    if (!response.ok) throw new Error(`stream answered ${response.status}`);
    (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const lines = frame.split('\n');
            const name = lines.find((l) => l.startsWith('event:'));
            const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
            if (data) events.push({ event: name ? name.slice(6).trim() : 'message', data: JSON.parse(data) });
          }
        }
      } catch { /* aborted at the end */ }
    })();
  })();
  return { events, ready, close: () => controller.abort() };
}

const firstRowId = (page) => page.locator('#inbox-list > li').first().getAttribute('data-id');

run(async (browser) => {
  const result = {};
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, acceptDownloads: true });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  // ---- sign in (a wrong token is refused with a sentence)
  await page.goto(url('/console'));
  await page.locator('#signin-token').waitFor();
  await shot(page, '01-signin');
  await page.locator('#signin-token').fill('mt_not_a_real_token');
  await page.locator('#signin-form button[type="submit"]').click();
  await until('the refusal', async () => (await page.locator('#signin-error').textContent()).length > 0);
  await signIn(page, config.owner_token);
  await page.locator('#setup:not([hidden])').waitFor();
  result.setup_notice = await page.locator('#setup').textContent();
  result.whoami = await page.locator('#whoami').textContent();
  result.token_in_session = await page.evaluate(() => sessionStorage.getItem('confab.console.token') !== null);
  await page.evaluate(() => { window.notReloaded = true; });

  // ---- a customer message posted through the API appears in the inbox, live
  // Maya writes from the widget on the business's site, so her reply can be watched on
  // the visitor's own stream too.
  const visitorToken = `vt_console_${Date.now()}_${Math.random().toString(36).slice(2)}`;
  const first = await api('POST', '/v1/widget/conversations', null, {
    name: 'Maya Lopez', email: 'maya@example.com', visitor_token: visitorToken,
    message: 'Where is my order? It is late and I am not happy.',
  }, { 'x-site-key': config.site_key });
  const a = first.json.conversation_id;
  result.conversation_id = a;
  await page.locator(`#inbox-list > li[data-id="${a}"]`).waitFor();
  const second = await api('POST', '/v1/conversations', sk, {
    channel: 'web', contact: { name: 'Omar Haddad', email: 'omar@example.com' }, message: { text: 'Hello there' },
  });
  const b = second.json.id;
  await page.locator(`#inbox-list > li[data-id="${b}"]`).waitFor();
  result.newest_on_top_before_handoff = await firstRowId(page) === b;
  await shot(page, '02-inbox-live');

  // ---- search by contact narrows the list (server-side), and clearing it restores it
  await page.locator('#inbox-search').fill('omar');
  await until('the search result', async () => (await page.locator('#inbox-list > li[data-id]').count()) === 1);
  result.search_finds = await firstRowId(page) === b;
  await page.locator('#inbox-search').fill('');
  await until('the whole list again', async () => (await page.locator('#inbox-list > li[data-id]').count()) === 2);

  // ---- a hand-off request jumps to the top, highlighted, and the tab title counts it
  await api('POST', `/v1/conversations/${a}/handoff`, sk, { reason: 'customer is upset' });
  await until('the hand-off on top', async () => (await firstRowId(page)) === a);
  result.handoff_on_top = true;
  result.handoff_highlighted = await page.locator(`#inbox-list > li[data-id="${a}"].waiting.fresh`).count() === 1;
  result.title_with_waiting = await until('the waiting count in the title', async () => {
    const title = await page.title();
    return title.startsWith('(1)') ? title : null;
  });
  result.waiting_text = await page.locator(`#inbox-list > li[data-id="${a}"] .wait`).textContent();
  await shot(page, '03-handoff-on-top');

  // ---- open it: the whole history with intent, language and sentiment per message
  await page.locator(`#inbox-list > li[data-id="${a}"] a`).click();
  await page.locator('.timeline .msg-customer').first().waitFor();
  result.first_message_tags = await page.locator('.timeline .msg-customer').first().locator('.msg-tags').textContent();
  result.first_message_dirs = await page.locator('.timeline .msg-customer').first()
    .evaluate((m) => [m.dir, m.querySelector('.msg-text').dir]);
  // The contact's details load beside the history.
  await page.locator('.contact-panel .facts', { hasText: 'maya@example.com' }).first().waitFor();
  result.contact_panel = await page.locator('.contact-panel .facts').first().textContent();

  // A customer message with an attachment arrives live in the open conversation.
  const form = new FormData();
  form.append('file', new Blob(['order,status\n1234,late\n'], { type: 'text/csv' }), 'order-1234.csv');
  const uploaded = await (await fetch(url('/v1/files'), { method: 'POST', headers: { authorization: `Bearer ${sk}` }, body: form })).json();
  await api('POST', `/v1/conversations/${a}/messages`, sk, { role: 'customer', text: 'Here is my order file.', attachments: [uploaded.id] });
  const attachment = page.locator('.timeline .attachment', { hasText: 'order-1234.csv' });
  await attachment.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), attachment.click()]);
  result.downloaded = download.suggestedFilename();
  result.still_same_page = await page.evaluate(() => window.notReloaded === true);

  // ---- take over (t), reply (r, Ctrl+Enter): visible through the REST API and the stream
  const stream = listen('/v1/events/stream', { authorization: `Bearer ${sk}` });
  const visitor = listen(`/v1/widget/conversations/${visitorToken}/stream`, { 'x-site-key': config.site_key });
  await Promise.all([stream.ready, visitor.ready]);
  await page.locator('.timeline').click();
  await page.keyboard.press('t');
  await page.locator('.conv-facts .badge.by-human').waitFor();
  await page.keyboard.press('r');
  const reply = 'Sorry about that, Maya. Your order ships today.';
  await page.locator('#composer-text').fill(reply);
  await page.keyboard.press('Control+Enter');
  await page.locator('.timeline .msg-agent', { hasText: reply }).waitFor();
  const messages = (await api('GET', `/v1/conversations/${a}/messages?limit=100`, sk)).json.data;
  const sent = messages.find((m) => m.role === 'agent' && m.text === reply);
  result.reply_via_api = sent ? { role: sent.role, author_type: sent.author.type } : null;
  const streamed = await until('message.sent on the stream', async () =>
    stream.events.find((e) => e.data.type === 'message.sent' && e.data.data.text === reply));
  result.reply_via_stream = { type: streamed.data.type, conversation_id: streamed.data.data.conversation_id };
  stream.close();
  const seen = await until('the reply on the widget stream', async () =>
    visitor.events.find((e) => e.event === 'message' && e.data.text === reply));
  result.reply_via_widget_stream = { role: seen.data.role, author_type: seen.data.author.type };
  visitor.close();
  await shot(page, '04-replied');

  // ---- a note (n) stays internal
  await page.keyboard.press('Escape');
  await page.locator('.timeline').click();
  await page.keyboard.press('n');
  await page.locator('#composer-text').fill('Refund if it is not delivered by Friday.');
  await page.keyboard.press('Control+Enter');
  await page.locator('.timeline .msg-note').waitFor();
  const note = (await api('GET', `/v1/conversations/${a}/messages?limit=100`, sk)).json.data.find((m) => m.role === 'note');
  result.note_via_api = note ? note.text : null;

  // ---- release to the AI, then resolve (e) with an outcome
  await page.locator('#release').click();
  await page.locator('.conv-facts .badge.by-ai').waitFor();
  result.released = (await api('GET', `/v1/conversations/${a}`, sk)).json.handled_by;
  await page.locator('.timeline').click();
  await page.keyboard.press('e');
  await page.locator('#resolve-outcome').selectOption('solved');
  await page.locator('#resolve-note').fill('Shipped today.');
  await page.locator('#resolve-confirm').click();
  await page.locator('.conv-facts .badge.resolved').waitFor();
  const resolved = (await api('GET', `/v1/conversations/${a}`, sk)).json;
  result.resolved = { status: resolved.status, resolution: resolved.resolution };
  result.title_after = await until('the title without waiting', async () => {
    const title = await page.title();
    return title.startsWith('(') ? null : title;
  });
  await shot(page, '05-resolved');

  // ---- help for the shortcuts
  await page.locator('.timeline').click();
  await page.keyboard.press('?');
  await page.locator('#help[open]').waitFor();
  await shot(page, '06-shortcuts');
  await page.keyboard.press('Escape');

  // ---- analytics at a glance
  await page.goto(url('/console#/analytics'));
  await until('the figures', async () => (await page.locator('td[data-figure="total_chats"][data-period="today"]').textContent()) === '2');
  result.chart_bars = await page.locator('svg.chart rect.bar').count();
  await shot(page, '07-analytics');

  // ---- the owner adds an agent and issues their token on the team page
  await page.goto(url('/console#/team'));
  await page.locator('.team table tbody tr').first().waitFor();
  await page.locator('.team form input[name="name"]').fill('Ana Agent');
  await page.locator('.team form input[name="email"]').fill('ana@example.com');
  await page.locator('.team form select[name="role"]').selectOption('agent');
  await page.locator('.team form button[type="submit"]').click();
  const anaRow = page.locator('.team tbody tr', { hasText: 'ana@example.com' });
  await anaRow.waitFor();
  await anaRow.locator('button', { hasText: 'Issue token' }).click();
  const agentToken = await page.locator('.secret-box input').inputValue();
  result.agent_token_prefix = agentToken.slice(0, 3);
  await shot(page, '08-team');

  // ---- sign out clears the token
  await page.locator('#signout').click();
  await page.locator('#signin-token').waitFor();
  result.signed_out_session = await page.evaluate(() => sessionStorage.getItem('confab.console.token'));

  // ---- an agent works conversations but cannot open team management
  await signIn(page, agentToken);
  result.agent_whoami = await page.locator('#whoami').textContent();
  result.agent_sees_team_link = await page.locator('a[data-nav="team"]').isVisible();
  await page.goto(url('/console#/team'));
  await page.locator('.forbidden').waitFor();
  result.agent_team_page = await page.locator('.forbidden [role="alert"]').textContent();
  const denied = await fetch(url('/v1/members'), {
    method: 'POST', headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Sneaky', email: 'sneaky@example.com', role: 'admin' }),
  });
  result.agent_api_status = denied.status;
  await page.goto(url(`/console#/c/${b}`));
  await page.locator('.timeline .msg-customer').first().waitFor();
  await page.locator('#take-over').click();
  await page.locator('.conv-facts .badge.by-human').waitFor();
  const taken = (await api('GET', `/v1/conversations/${b}`, sk)).json;
  const agentId = (await api('GET', '/v1/members/me', agentToken)).json.id;
  const ownerId = (await api('GET', '/v1/members/me', config.owner_token)).json.id;
  result.agent_took_over = taken.handled_by === 'human' && taken.assignee_id === agentId;
  await page.locator('#assign-member').selectOption(ownerId);
  await page.locator('#assign').click();
  await until('the new assignee', async () => (await api('GET', `/v1/conversations/${b}`, sk)).json.assignee_id === ownerId);
  result.agent_assigned_to_owner = true;
  await shot(page, '09-agent');

  // ---- a tablet in portrait: one column, the conversation with a way back
  const tablet = await browser.newContext({ viewport: { width: 768, height: 1024 }, hasTouch: true });
  const small = await tablet.newPage();
  await signIn(small, config.owner_token);
  await small.locator(`#inbox-list > li[data-id="${b}"] a`).click();
  await small.locator('.timeline .msg-customer').first().waitFor();
  result.tablet_inbox_hidden = !(await small.locator('.inbox').isVisible());
  result.tablet_back_visible = await small.locator('.conv-head .back').isVisible();
  result.tablet_topbar_fits = await small.evaluate(() => [...document.querySelectorAll('.topbar, .topbar .nav')]
    .every((el) => el.scrollWidth <= el.clientWidth));
  await shot(small, '10-tablet');

  // ---- test and live never mix: the top bar's switch shows the other mode's data
  result.mode_before = (await small.locator('#mode-switch').textContent()).trim();
  await small.evaluate(() => { location.hash = '#/inbox'; });
  await small.locator('#mode-switch').click();
  await small.locator('#mode-switch[data-mode="live"]').waitFor();
  await small.locator('#live-state[data-state="live"]').waitFor();
  await small.locator('#inbox-list > li').first().waitFor();
  result.mode_after = (await small.locator('#mode-switch').textContent()).trim();
  result.live_inbox_shows_test_data = await small.locator(`#inbox-list > li[data-id="${b}"]`).count() > 0;
  result.live_mode_header = await small.evaluate(() => sessionStorage.getItem('confab.console.mode'));
  await small.locator('#setup:not([hidden])').waitFor();
  result.live_setup_notice = await small.locator('#setup').textContent();

  result.page_errors = consoleErrors;
  return result;
});
