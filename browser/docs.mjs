// The API reference as a reader sees it: Markdown is rendered (no raw backticks), and
// every operation that takes a body shows an example request.
import { config, run } from './lib.mjs';

run(async (browser) => {
  const result = {};
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(new URL('/docs', config.base_url).toString());
  await page.locator('article.op').first().waitFor();
  const text = await page.locator('main').innerText();
  result.raw_backtick_lines = text.split('\n').filter((l) => l.includes('`')).slice(0, 5);
  result.nav_backticks = (await page.locator('nav').innerText()).includes('`');
  result.operations = await page.locator('article.op').count();
  result.with_body = await page.locator('article.op:has(h4:text-is("Request body"))').count();
  result.with_example = await page.locator('article.op:has(h4:text-is("Request body")):has-text("Example request")').count();
  result.without_example = await page.locator('article.op:has(h4:text-is("Request body")):not(:has-text("Example request")) .ep .mono').allInnerTexts();
  const create = page.locator('article.op:has(.ep .mono:text-is("/v1/contacts")):has(.b.post)');
  result.contact_example = JSON.parse(await create.locator('pre').first().innerText());
  result.code_in_headings = await page.locator('article.op h3 code').count();
  result.page_errors = errors;
  return result;
});
