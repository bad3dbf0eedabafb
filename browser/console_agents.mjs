// The console's agents page: create an agent with a voice, a provider and hand-off
// rules, see it listed, edit it, and make it the default.
import { config, run, shot } from './lib.mjs';
import { signIn } from './console_session.mjs';

run(async (browser) => {
  const result = {};
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, config.owner_token);
  await page.locator('a[data-nav="agents"]').click();
  await page.locator('#agents-title').waitFor();
  await page.locator('.agents tbody tr').first().waitFor();
  result.empty = await page.locator('.agents tbody').innerText();

  const form = page.locator('#agent-form');
  await form.locator('input[name="name"]').fill('Sam');
  await form.locator('input[name="greeting"]').fill('Hi, I am Sam!');
  await form.locator('textarea[name="persona"]').fill('Warm and brief.');
  await form.locator('input[name="negative_messages"]').fill('3');
  await form.locator('input[name="keywords"]').fill('lawyer, refund');
  await form.locator('input[name="channels"]').fill('web');
  await form.locator('button[type="submit"]').click();
  await page.locator('.agents tbody tr[data-id]').first().waitFor();
  result.row = await page.locator('.agents tbody tr[data-id]').first().innerText();

  await page.locator('.agents tbody tr[data-id] button', { hasText: 'Edit' }).first().click();
  await form.locator('input[name="greeting"]').fill('');
  await form.locator('input[name="is_default"]').check();
  await form.locator('button[type="submit"]').click();
  // The list is drawn again once the change is stored: wait for the cleared greeting.
  await page.locator('.agents tbody tr[data-id]:not(:has-text("Hi, I am Sam!"))').waitFor();
  result.edited_row = await page.locator('.agents tbody tr[data-id]').first().innerText();

  await form.locator('input[name="name"]').fill('Broken');
  await form.locator('select[name="provider"]').selectOption('openai');
  await form.locator('button[type="submit"]').click();
  await page.locator('.agents [role="alert"]:not(:empty)').waitFor();
  result.refused = await page.locator('.agents [role="alert"]').innerText();
  await shot(page, '01-agents');
  result.page_errors = errors;
  return result;
});
