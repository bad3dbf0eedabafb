// The console's tickets: open one routed to a department, answer it with a note and a
// reply, solve it; and open a ticket from a conversation, which tells the customer.
import { config, run, shot } from './lib.mjs';
import { signIn } from './console_session.mjs';

run(async (browser) => {
  const result = {};
  const page = await browser.newPage({ viewport: { width: 1366, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (dialog) => dialog.accept('Refund for order 1234'));
  await signIn(page, config.owner_token);
  await page.locator('a[data-nav="tickets"]').click();
  await page.locator('#tickets-title').waitFor();

  const form = page.locator('#ticket-form');
  await form.locator('select[name="department_id"] option', { hasText: 'Billing' }).waitFor({ state: 'attached' });
  await form.locator('input[name="subject"]').fill('Invoice 12 is wrong');
  await form.locator('select[name="department_id"]').selectOption({ label: 'Billing' });
  await form.locator('select[name="priority"]').selectOption('high');
  await form.locator('button[type="submit"]').click();
  await page.locator('#ticket-title').waitFor();
  result.detail = await page.locator('#ticket-detail').innerText();

  const reply = page.locator('#ticket-reply-form');
  await reply.locator('textarea').fill('Checked with finance.');
  await reply.locator('input[name="internal"]').check();
  await reply.locator('button[type="submit"]').click();
  await page.locator('.replies li.note').waitFor();
  await page.locator('button[data-move="solved"]').click();
  await page.locator('#ticket-detail button[data-move="open"]').waitFor();
  result.after_solve = await page.locator('#ticket-detail').innerText();
  result.queue = await page.locator('.tickets tbody').innerText();
  await shot(page, '01-ticket');

  // From a conversation: the customer is told the reference, and the view links it.
  await page.goto(`${config.base_url}/console#/c/${config.conversation_id}`);
  await page.locator('#create-ticket').click();
  await page.locator('#ticket-link').waitFor();
  const told = page.locator('.timeline li', { hasText: 'opened ticket' });
  await told.waitFor();
  result.told = await told.innerText();
  await shot(page, '02-ticket-from-conversation');
  result.page_errors = errors;
  return result;
});
