// Beside a conversation: who the customer is (the contact's details, where a web
// visitor was) and their other conversations.

import { api, explain, query } from './api.js';
import { ago, fill, h, when } from './dom.js';

function row(term, value) {
  if (value === undefined || value === null || value === '') return null;
  return [h('dt', null, term), h('dd', null, value)];
}

function link(url) {
  // Only web addresses become links; anything else is shown as text.
  return /^https?:\/\//i.test(url) ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url) : url;
}

export function createContactPanel() {
  let conversation = null;
  const details = h('dl', { class: 'facts' });
  const visitor = h('dl', { class: 'facts' });
  const about = h('dl', { class: 'facts' });
  const history = h('ul', { class: 'history', 'aria-label': 'Past conversations' });
  const element = h('aside', { class: 'contact-panel', 'aria-labelledby': 'contact-title' },
    h('h2', { id: 'contact-title' }, 'Contact'), details,
    h('h3', null, 'Visitor'), visitor,
    h('h3', null, 'This conversation'), about,
    h('h3', null, 'Past conversations'), history);

  async function showContact() {
    const summary = conversation.contact;
    if (!summary) {
      fill(details, row('Contact', 'None: an anonymous visitor'));
      return;
    }
    try {
      const c = await api('GET', `/v1/contacts/${encodeURIComponent(summary.id)}`);
      fill(details,
        row('Name', c.name),
        row('Email', c.email ? h('a', { href: `mailto:${c.email}` }, c.email) : null),
        row('Phone', c.phone),
        row('External id', c.external_id),
        row('Tags', c.tags && c.tags.length ? h('span', null, c.tags.map((t) => h('span', { class: 'tag' }, t))) : null),
        row('Blocked', c.blocked ? 'Yes: no AI replies, no campaigns' : null),
        Object.entries(c.attributes || {}).map(([k, v]) => row(k, typeof v === 'string' ? v : JSON.stringify(v))),
        row('Contact since', when(c.created_at)));
    } catch (error) {
      fill(details, row('Contact', explain(error)));
    }
  }

  function showAbout() {
    const c = conversation;
    const v = c.visitor || {};
    fill(visitor,
      row('Page', v.page_url ? link(v.page_url) : null),
      row('Referrer', v.referrer ? link(v.referrer) : null),
      row('Browser', v.user_agent),
      row('IP', v.ip));
    if (!visitor.childElementCount) fill(visitor, row('—', 'No visitor details'));
    fill(about,
      row('Started', when(c.created_at)),
      row('Messages', String(c.message_count)),
      row('Language', c.lang),
      row('Intent', c.intent),
      row('Sentiment', c.sentiment),
      row('Id', h('code', null, c.id)));
  }

  async function refreshHistory() {
    if (!conversation || !conversation.contact) {
      fill(history, h('li', { class: 'muted' }, 'No contact, no history.'));
      return;
    }
    try {
      const page = await api('GET', `/v1/conversations${query({ contact_id: conversation.contact.id, limit: 10 })}`);
      const others = page.data.filter((c) => c.id !== conversation.id);
      fill(history, others.length
        ? others.map((c) => h('li', null, h('a', { href: `#/c/${c.id}` },
          h('span', null, `${c.channel} · ${c.status === 'resolved' ? `resolved${c.resolution ? ` (${c.resolution.outcome})` : ''}` : 'open'}`),
          h('span', { class: 'muted small' }, ` ${ago(c.last_activity_at)}, ${c.message_count} messages`))))
        : h('li', { class: 'muted' }, 'No other conversations.'));
    } catch (error) {
      fill(history, h('li', { class: 'error' }, explain(error)));
    }
  }

  return {
    element,
    show(c) {
      conversation = c;
      showAbout();
      showContact();
      refreshHistory();
    },
    /** The conversation changed (state, counts): refresh what depends on it. */
    update(c) {
      conversation = c;
      showAbout();
      refreshHistory();
    },
    destroy() {},
  };
}
