// What the console suites share: the server's addresses and signing in as a person
// would (the token, the test-mode sandbox, and the live stream up).
import { config } from './lib.mjs';

export const url = (path) => new URL(path, config.base_url).toString();

export async function signIn(page, token) {
  await page.goto(url('/console'));
  await page.locator('#signin-token').fill(token);
  await page.locator('input[name="mode"][value="test"]').check();
  await page.locator('#signin-form button[type="submit"]').click();
  await page.locator('#live-state[data-state="live"]').waitFor();
}
