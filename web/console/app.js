// The console's entry point: sign-in, the router (#/inbox, #/c/<id>, #/tickets/<id>, #/analytics,
// #/knowledge, #/agents, #/widget, #/team, #/keys, #/webhooks), the live event stream,
// the tab title and the keyboard.

import { ApiError, api, query, session, whenUnauthorized } from './api.js';
import { createAgents } from './agents.js';
import { createAnalytics } from './analytics.js';
import { createConversationView } from './conversation.js';
import { announce, contactName, fill, h } from './dom.js';
import { createInbox } from './inbox.js';
import { createKeys } from './keys.js';
import { createKnowledge } from './knowledge.js';
import { listen, managesWorkspace, notify, remember, state } from './state.js';
import { openStream } from './stream.js';
import { createTeam } from './team.js';
import { createTickets } from './tickets.js';
import { createWebhooks } from './webhooks.js';
import { createWidget } from './widget.js';

const $ = (id) => document.getElementById(id);
const PAGES = { tickets: createTickets, analytics: createAnalytics, knowledge: createKnowledge, agents: createAgents, widget: createWidget, team: createTeam, keys: createKeys, webhooks: createWebhooks };
const TITLES = { inbox: 'Inbox', tickets: 'Tickets', analytics: 'Analytics', knowledge: 'Knowledge', agents: 'AI agents', widget: 'Widget', team: 'Team', keys: 'API keys', webhooks: 'Webhooks' };

let stream = null;
let inbox = null;       // kept while moving between the inbox and conversations
let work = null;        // the inbox + conversation layout
let page = null;        // the current non-inbox page or conversation view
let pageName = 'inbox';

// ---------------------------------------------------------------- sign-in and out

function showSignIn(message) {
  $('shell').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  $('signin-token').value = '';
  $('signin-token').focus();
  document.title = 'Sign in · Confab console';
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = $('signin-token').value.trim();
  const mode = new FormData(e.target).get('mode');
  if (!token.startsWith('mt_')) {
    $('signin-error').textContent = 'A member token starts with mt_. Secret keys (sk_…) are for servers, not the console.';
    return;
  }
  session.signIn(token, mode);
  await start();
});

// Test and live data never mix; switching reloads the page so nothing of the other
// mode (lists, the live stream) stays on screen.
function showMode() {
  const button = $('mode-switch');
  const test = session.mode === 'test';
  button.textContent = test ? 'Test mode' : 'Live';
  button.dataset.mode = session.mode;
  button.title = test ? 'Showing test data. Switch to live data' : 'Showing live data. Switch to test data';
}

$('mode-switch').addEventListener('click', () => {
  session.setMode(session.mode === 'test' ? 'live' : 'test');
  location.reload();
});

function signOut(message) {
  if (stream) stream.stop();
  stream = null;
  if (page) page.destroy();
  if (inbox) inbox.destroy();
  page = inbox = work = null;
  session.signOut();
  state.me = null;
  state.members.clear();
  state.conversations.clear();
  state.waiting.clear();
  state.fresh.clear();
  fill($('main'));
  history.replaceState(null, '', '#/inbox');
  showSignIn(message);
}

$('signout').addEventListener('click', () => signOut('You are signed out.'));
whenUnauthorized((error) => signOut(`Signed out: ${error.message}`));

// ---------------------------------------------------------------- live events

const pendingRefresh = new Map();

/** Re-reads a conversation after a message event (counts, last activity, state). */
function refreshSoon(id) {
  clearTimeout(pendingRefresh.get(id));
  pendingRefresh.set(id, setTimeout(async () => {
    pendingRefresh.delete(id);
    try {
      const c = await api('GET', `/v1/conversations/${encodeURIComponent(id)}`);
      remember(c);
      notify({ kind: 'conversation', conversation: c });
    } catch { /* gone or forbidden: nothing to show */ }
  }, 150));
}

function onEvent(event) {
  const data = event.data || {};
  if (data.object === 'conversation') {
    const before = state.conversations.get(data.id);
    remember(data);
    const name = contactName(data.contact);
    if (event.type === 'handoff.requested') {
      state.fresh.add(data.id);
      announce(`${name} is waiting for a person.`);
    } else if (event.type === 'conversation.started' && !before) {
      announce(`New conversation with ${name}.`);
    }
    notify({ kind: 'conversation', conversation: data, event });
  } else if (data.object === 'message' && data.conversation_id) {
    notify({ kind: 'message', message: data, event });
    refreshSoon(data.conversation_id);
    const open = page && page.conversationId === data.conversation_id;
    if (event.type === 'message.received' && !open) {
      const c = state.conversations.get(data.conversation_id);
      announce(`New message from ${contactName(c && c.contact)}.`);
    }
  }
}

function setLiveState(value) {
  const el = $('live-state');
  el.dataset.state = value;
  el.textContent = { live: '● Live', reconnecting: 'Reconnecting…', denied: 'Not live' }[value] || value;
  if (value === 'denied') signOut('Your token may not read the event stream; sign in again.');
}

function waitUntilLive(timeoutMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const check = setInterval(() => {
      if ($('live-state').dataset.state === 'live') { clearTimeout(timer); clearInterval(check); resolve(); }
    }, 20);
    setTimeout(() => clearInterval(check), timeoutMs);
  });
}

// ---------------------------------------------------------------- title and nav

function updateTitle() {
  const waiting = state.waiting.size;
  const badge = $('nav-waiting');
  badge.hidden = waiting === 0;
  badge.textContent = String(waiting);
  badge.setAttribute('aria-label', `${waiting} waiting`);
  let name = TITLES[pageName] || 'Console';
  if (pageName === 'conversation') {
    const c = page && state.conversations.get(page.conversationId);
    name = c ? contactName(c.contact) : 'Conversation';
  }
  document.title = `${waiting ? `(${waiting}) ` : ''}${name} · Confab`;
}

function updateNav() {
  for (const link of document.querySelectorAll('[data-nav]')) {
    const current = link.dataset.nav === pageName || (pageName === 'conversation' && link.dataset.nav === 'inbox');
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------- routing

function ensureWork() {
  if (work) return;
  inbox = createInbox();
  work = h('div', { class: 'work' }, inbox.element, h('div', { class: 'pane' }));
  inbox.load();
}

function route() {
  if (!state.me) return;
  // Each page change looks again: knowledge added on one page clears the notice.
  checkSetup();
  const hash = location.hash.replace(/^#\/?/, '');
  const [name, id] = hash.split('/');
  if (page) { page.destroy(); page = null; }
  const main = $('main');

  if (name === 'c' && id) {
    ensureWork();
    pageName = 'conversation';
    const view = createConversationView(decodeURIComponent(id));
    view.conversationId = decodeURIComponent(id);
    page = view;
    fill(work.lastElementChild, view.element);
    work.dataset.open = 'true';
    if (main.firstElementChild !== work) fill(main, work);
    inbox.select(view.conversationId);
  } else if (PAGES[name]) {
    pageName = name;
    page = PAGES[name](id && decodeURIComponent(id));
    fill(main, page.element);
  } else {
    ensureWork();
    pageName = 'inbox';
    work.dataset.open = 'false';
    fill(work.lastElementChild, h('div', { class: 'placeholder muted' },
      h('p', null, 'Pick a conversation. Those waiting for a person are at the top.'),
      h('p', { class: 'small' }, 'Press ? for keyboard shortcuts.')));
    if (main.firstElementChild !== work) fill(main, work);
    inbox.select(null);
  }
  updateNav();
  updateTitle();
}

window.addEventListener('hashchange', route);

// ---------------------------------------------------------------- keyboard

let pendingG = false;

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

document.addEventListener('keydown', (e) => {
  if (!state.me || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === 'Escape' && typing(e.target)) { e.target.blur(); return; }
  if (typing(e.target) || document.querySelector('dialog[open]')) return;
  const conversation = pageName === 'conversation' ? page : null;
  if (pendingG) {
    pendingG = false;
    if (e.key === 'i') location.hash = '#/inbox';
    else if (e.key === 'a') location.hash = '#/analytics';
    return;
  }
  const actions = {
    '?': () => $('help').showModal(),
    '/': () => { if (!inbox || pageName === 'analytics' || PAGES[pageName]) location.hash = '#/inbox'; setTimeout(() => inbox && inbox.focusSearch()); },
    g: () => { pendingG = true; setTimeout(() => { pendingG = false; }, 1500); },
    j: () => { const next = inbox && inbox.neighbour(1); if (next) location.hash = `#/c/${next}`; },
    k: () => { const prev = inbox && inbox.neighbour(-1); if (prev) location.hash = `#/c/${prev}`; },
    r: () => conversation && conversation.reply(),
    n: () => conversation && conversation.note(),
    t: () => conversation && conversation.takeOver(),
    e: () => conversation && conversation.resolve(),
  };
  const action = actions[e.key];
  if (action) { e.preventDefault(); action(); }
});

$('help-button').addEventListener('click', () => $('help').showModal());

// ---------------------------------------------------------------- start

async function loadTeam() {
  try {
    const page = await api('GET', `/v1/members${query({ limit: 100 })}`);
    state.members = new Map(page.data.map((m) => [m.id, m]));
    notify({ kind: 'members' });
  } catch { /* names fall back to ids */ }
}

/**
 * What keeps this mode's widget from working, said where the team looks: no knowledge
 * (the AI can only hand off) or, in live mode, no allowed origin (the live site key
 * works on no site yet; the test key works anywhere). Members who may not read these
 * settings see nothing.
 */
async function checkSetup() {
  const problems = [];
  try {
    const knowledge = await api('GET', `/v1/knowledge${query({ limit: 1 })}`);
    if (knowledge.data.length === 0) {
      problems.push([`The AI has no knowledge in ${session.mode} mode yet, so it can only hand customers to a person: `,
        h('a', { href: '#/knowledge' }, 'add entries on the Knowledge page'), '.']);
    }
  } catch { /* not allowed to read knowledge */ }
  if (session.mode === 'live') {
    try {
      const widget = await api('GET', '/v1/settings/widget');
      if (widget.allowed_origins.length === 0) {
        problems.push(['The live widget works on no website yet: ',
          h('a', { href: '#/widget' }, 'list your site on the Widget page'), ' (or PUT /v1/settings/widget with the live secret key).']);
      }
    } catch { /* not allowed to read settings */ }
  }
  const box = $('setup');
  fill(box, ...problems.map((p) => h('p', {}, ...p)));
  box.hidden = problems.length === 0;
}

/** Everyone waiting, whatever the inbox's filters, for the count in the title. */
async function loadWaiting() {
  try {
    const page = await api('GET', `/v1/conversations${query({ handled_by: 'pending', status: 'open', limit: 100 })}`);
    for (const c of page.data) remember(c);
  } catch { /* the inbox shows the error */ }
}

async function start() {
  if (!session.token) { showSignIn(); return; }
  try {
    state.me = await api('GET', '/v1/members/me');
  } catch (error) {
    const message = error instanceof ApiError && error.status !== 401 ? error.describe() : 'That token does not work; check it and try again.';
    signOut(message);
    return;
  }
  state.members.set(state.me.id, state.me);
  $('signin').hidden = true;
  $('shell').hidden = false;
  $('whoami').textContent = `${state.me.name} · ${state.me.role}`;
  showMode();
  for (const link of document.querySelectorAll('[data-admin]')) link.hidden = !managesWorkspace();
  // Subscribe before reading the lists, so nothing that happens in between is missed.
  stream = openStream({ onEvent, onState: setLiveState });
  await Promise.all([waitUntilLive(3000), loadTeam()]);
  await loadWaiting();
  if (!location.hash) history.replaceState(null, '', '#/inbox');
  route();
  $('main').focus();
}

listen((change) => { if (change.kind === 'waiting' || change.kind === 'conversation') updateTitle(); });
start();
