// The console's widget page: each mode's snippet, saving the look, the sites and the
// business's name, the preview showing them, and replacing the site key.
import { config, run, shot } from './lib.mjs';
import { signIn } from './console_session.mjs';

run(async (browser) => {
  const result = {};
  const page = await browser.newPage({ viewport: { width: 1366, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (dialog) => dialog.accept());
  await signIn(page, config.owner_token);
  await page.locator('a[data-nav="widget"]').click();
  await page.locator('#widget-title').waitFor();
  const test = page.locator('.snippet[data-mode="test"]');
  const live = page.locator('.snippet[data-mode="live"]');
  await test.locator('textarea').waitFor();
  result.test_snippet = await test.locator('textarea').inputValue();
  result.live_snippet = await live.locator('textarea').inputValue();
  result.live_block = await live.innerText();

  const form = page.locator('#widget-form');
  await form.locator('input[name="business_name"]').fill('Acme Bakery');
  await form.locator('input[name="agent_name"]').fill('Sam');
  await form.locator('input[name="greeting"]').fill('Fresh bread daily. Ask me anything!');
  await form.locator('input[name="accent_color"]').fill('#0a7f5a');
  await form.locator('textarea[name="allowed_origins"]').fill('http://localhost:5173');
  await form.locator('button[type="submit"]').click();
  await page.locator('#widget-saved:has-text("Saved.")').waitFor();
  result.test_block = await test.innerText();

  // The preview is the hosted page with what was saved.
  const frame = page.frameLocator('#widget-preview');
  // The preview is narrower than a desktop, so the page shows its phone layout (the
  // heading is there but hidden).
  await frame.locator('h1.brand:has-text("Acme Bakery")').waitFor({ state: 'attached' });
  await frame.locator('header h2:has-text("Sam")').waitFor();
  result.preview_greeting = await frame.locator('.log').innerText();
  await shot(page, '01-widget-page');

  await test.locator('button', { hasText: 'New site key' }).click();
  await page.waitForFunction((old) => {
    const box = document.querySelector('.snippet[data-mode="test"] textarea');
    return box && box.value !== old;
  }, result.test_snippet);
  result.new_test_snippet = await test.locator('textarea').inputValue();
  result.page_errors = errors;
  return result;
});
