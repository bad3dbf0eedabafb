// What the widget suites share: a customer's web page on its own origin (a tiny local
// server, so the widget is embedded cross-origin as on a real site), and the widget's
// parts, reached through its open shadow root (Playwright's CSS selectors pierce it).
import { createServer } from 'node:http';

/** Serves `html` at `/` on 127.0.0.1 and a free port; returns its URL and a closer. */
export async function servePage(html) {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** A shop's page with the one-line embed, in `lang`, and CSS that tries to restyle every button. */
export function shopPage(config, lang = 'en', extraHead = '') {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title>
<style>* { font-family: "Courier New", monospace !important; } button { background: rgb(255, 0, 0) !important; }</style>${extraHead}</head>
<body><h1>Shop</h1><p>Products and prices.</p>
<script src="${config.base_url}/widget.js" data-site-key="${config.site_key}" async></script></body></html>`;
}

/** The widget's parts. */
export const part = {
  launcher: '#confab-widget .launcher',
  badge: '#confab-widget .badge',
  panel: '#confab-widget .panel',
  status: '#confab-widget .status',
  name: '#confab-widget input[name="name"]',
  email: '#confab-widget input[name="email"]',
  text: '#confab-widget textarea',
  send: '#confab-widget .send',
  human: '#confab-widget .human',
  file: '#confab-widget .file',
  chips: '#confab-widget .chips button',
  message: (role) => `#confab-widget .msg.${role}:not(.greeting)`,
};

/** The element focused inside the widget's shadow root, described. */
export function focused(page) {
  return page.evaluate(() => {
    const host = document.getElementById('confab-widget');
    const active = document.activeElement === host ? host.shadowRoot.activeElement : null;
    if (!active) return null;
    return { tag: active.tagName.toLowerCase(), cls: active.className, inPanel: !!active.closest('.panel') };
  });
}

/** Texts of the visible messages of one role. */
export function texts(page, role) {
  return page.locator(part.message(role) + ' p').allTextContents();
}
