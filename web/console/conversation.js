// One conversation: its whole history (customer, AI, agent and notes look different;
// each message shows its intent, language and sentiment; attachments download), the
// actions (take over, reply, note, release, assign, resolve) and, beside it, the contact.

import { api, download, explain, query, upload } from './api.js';
import { createContactPanel } from './contact.js';
import { announce, busy, bytes, contactName, duration, fill, h, when } from './dom.js';
import { listen, memberName, remember, state } from './state.js';

/** Outcomes offered when resolving (free text is accepted by the API too). */
const OUTCOMES = [
  ['answered', 'Answered'],
  ['solved', 'Problem solved'],
  ['follow_up', 'Needs a follow-up'],
  ['no_response', 'Customer stopped replying'],
  ['spam', 'Spam'],
  ['other', 'Other'],
];

const ROLE_LABEL = { customer: 'Customer', ai: 'AI', agent: 'Agent', note: 'Internal note', system: 'System' };
/** Notes have no event, so colleagues' notes are fetched this often while a conversation is open. */
const NOTES_POLL_MS = 15_000;

function messageItem(m) {
  const author = m.author || {};
  const who = m.role === 'customer'
    ? (author.name || 'Customer')
    : m.role === 'ai' ? (author.name || 'AI agent') : (author.name || ROLE_LABEL[m.role]);
  const tags = [];
  if (m.intent) tags.push(h('span', { class: 'tag', title: 'Intent' }, `intent: ${m.intent}`));
  if (m.lang) tags.push(h('span', { class: 'tag', title: 'Language' }, `lang: ${m.lang}`));
  if (m.sentiment) {
    const score = typeof m.sentiment_score === 'number' ? ` ${m.sentiment_score.toFixed(2)}` : '';
    tags.push(h('span', { class: `tag sentiment-${m.sentiment}`, title: 'Sentiment' }, `${m.sentiment}${score}`));
  }
  // dir=auto: a message takes the direction of its own words (mixed Arabic and English).
  return h('li', { class: `msg msg-${m.role}`, dir: 'auto', dataset: { id: m.id }, 'aria-label': `${ROLE_LABEL[m.role] || m.role} message` },
    h('div', { class: 'msg-meta' },
      h('span', { class: 'msg-who' }, who),
      h('span', { class: 'msg-role' }, ROLE_LABEL[m.role] || m.role),
      h('time', { datetime: m.created_at, title: new Date(m.created_at).toLocaleString() }, when(m.created_at))),
    h('p', { class: 'msg-text', dir: 'auto' }, m.text),
    m.attachments && m.attachments.length
      ? h('ul', { class: 'attachments', 'aria-label': 'Attachments' }, m.attachments.map((a) => h('li', null,
        h('button', {
          type: 'button', class: 'attachment', title: `Download ${a.filename}`,
          onclick: (e) => busy(e.currentTarget, () => download(a.id, a.filename).catch((err) => announce(explain(err)))),
        }, `⬇ ${a.filename}`, h('span', { class: 'muted small' }, ` ${a.content_type}, ${bytes(a.size)}`)))))
      : null,
    tags.length ? h('div', { class: 'msg-tags' }, tags) : null);
}

/** Builds the view for conversation `id`; returns the element and keyboard hooks. */
export function createConversationView(id) {
  let conversation = null;
  const messages = new Map();
  let lastSeen = null;

  const title = h('h2', { id: 'conversation-title', tabindex: '-1' }, 'Loading…');
  const facts = h('p', { class: 'conv-facts' });
  const notice = h('p', { class: 'error', role: 'alert' });
  const actions = h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Conversation actions' });
  const timeline = h('ol', { class: 'timeline', role: 'log', 'aria-label': 'Messages', 'aria-live': 'polite' });
  const contact = createContactPanel();

  // The composer: one box, sent as a reply to the customer or as an internal note.
  const kindReply = h('input', { type: 'radio', name: 'compose-kind', value: 'agent', id: 'kind-reply', checked: true });
  const kindNote = h('input', { type: 'radio', name: 'compose-kind', value: 'note', id: 'kind-note' });
  const text = h('textarea', { id: 'composer-text', rows: 3, maxlength: 10000, placeholder: 'Write a reply…', 'aria-describedby': 'composer-hint' });
  const files = h('input', { type: 'file', id: 'composer-files', multiple: true });
  const hint = h('p', { id: 'composer-hint', class: 'muted small' });
  const send = h('button', { type: 'submit', class: 'primary', id: 'composer-send' }, 'Send reply');
  const composer = h('form', { class: 'composer', 'aria-label': 'Reply or note', onsubmit: (e) => { e.preventDefault(); submit(); } },
    h('fieldset', { class: 'compose-kind' },
      h('legend', { class: 'visually-hidden' }, 'Send as'),
      h('label', { for: 'kind-reply' }, kindReply, ' Reply to customer'),
      h('label', { for: 'kind-note' }, kindNote, ' Internal note')),
    h('label', { for: 'composer-text', class: 'visually-hidden' }, 'Message'),
    text,
    h('div', { class: 'composer-bar' },
      h('label', { for: 'composer-files', class: 'file-label' }, 'Attach files', files),
      hint, send));
  for (const radio of [kindReply, kindNote]) radio.addEventListener('change', () => renderComposer());
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(); }
  });

  // Resolve asks for an outcome in a dialog.
  const outcome = h('select', { id: 'resolve-outcome' }, OUTCOMES.map(([v, t]) => h('option', { value: v }, t)));
  const resolveNote = h('textarea', { id: 'resolve-note', rows: 3, maxlength: 2000 });
  const resolveError = h('p', { class: 'error', role: 'alert' });
  const resolveDialog = h('dialog', { class: 'resolve-dialog', 'aria-labelledby': 'resolve-title' },
    h('form', { onsubmit: (e) => { e.preventDefault(); confirmResolve(e.submitter); } },
      h('h2', { id: 'resolve-title' }, 'Resolve conversation'),
      h('label', { for: 'resolve-outcome' }, 'Outcome'), outcome,
      h('label', { for: 'resolve-note' }, 'Note (optional, kept with the resolution)'), resolveNote,
      resolveError,
      h('div', { class: 'dialog-buttons' },
        h('button', { type: 'button', class: 'ghost', onclick: () => resolveDialog.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary', id: 'resolve-confirm' }, 'Resolve'))));

  const main = h('section', { class: 'conversation', 'aria-labelledby': 'conversation-title' },
    h('header', { class: 'conv-head' },
      h('a', { href: '#/inbox', class: 'back ghost' }, '← Inbox'),
      h('div', null, title, facts), actions),
    notice, timeline, composer, resolveDialog);
  const element = h('div', { class: 'conversation-pane' }, main, contact.element);

  async function act(button, method, path, body, done) {
    notice.textContent = '';
    return busy(button, async () => {
      try {
        const updated = await api(method, path, body);
        accept(updated);
        if (done) announce(done);
        return updated;
      } catch (error) {
        notice.textContent = explain(error);
        return null;
      }
    });
  }

  function accept(updated) {
    conversation = { ...updated, messages: undefined };
    remember(conversation);
    renderHead();
    renderComposer();
  }

  function renderHead() {
    const c = conversation;
    title.textContent = contactName(c.contact);
    const bits = [
      h('span', { class: `badge by-${c.handled_by}` }, { ai: 'AI is answering', human: 'A person is answering', pending: 'Waiting for a person' }[c.handled_by]),
      h('span', { class: `badge ${c.status}` }, c.status === 'open' ? 'Open' : 'Resolved'),
      h('span', { class: 'badge channel' }, c.channel),
    ];
    if (c.handled_by === 'pending' && c.status === 'open' && c.human_requested_at) {
      bits.push(h('span', { class: 'wait' }, `waiting ${duration(Date.now() - Date.parse(c.human_requested_at))}`));
    }
    if (c.assignee_id) bits.push(h('span', { class: 'muted' }, `Assigned to ${memberName(c.assignee_id)}`));
    if (c.resolution) bits.push(h('span', { class: 'muted' }, `Outcome: ${c.resolution.outcome}${c.resolution.note ? ` (${c.resolution.note})` : ''}`));
    fill(facts, bits);

    const open = c.status === 'open';
    const base = `/v1/conversations/${encodeURIComponent(c.id)}`;
    const assignTo = h('select', { id: 'assign-member', 'aria-label': 'Assign to' },
      [...state.members.values()].map((m) => h('option', { value: m.id, selected: m.id === (c.assignee_id || state.me?.id) }, memberName(m.id))));
    fill(actions,
      open && c.handled_by !== 'human'
        ? h('button', { type: 'button', class: 'primary', id: 'take-over', title: 'Take over (t)',
          onclick: (e) => act(e.currentTarget, 'POST', `${base}/take-over`, {}, 'You took over the conversation.') }, 'Take over')
        : null,
      open && c.handled_by !== 'ai'
        ? h('button', { type: 'button', id: 'release',
          onclick: (e) => act(e.currentTarget, 'POST', `${base}/release`, undefined, 'Released to the AI.') }, 'Release to AI')
        : null,
      open
        ? h('span', { class: 'assign' }, assignTo,
          h('button', { type: 'button', id: 'assign',
            onclick: (e) => act(e.currentTarget, 'POST', `${base}/assign`, { member_id: assignTo.value }, 'Assigned.') }, 'Assign'))
        : null,
      open
        ? h('button', { type: 'button', id: 'resolve', title: 'Resolve (e)', onclick: () => openResolve() }, 'Resolve…')
        : null,
      c.ticket_id
        ? h('a', { href: `#/tickets/${c.ticket_id}`, id: 'ticket-link', class: 'button-link' }, 'Ticket')
        : h('button', { type: 'button', id: 'create-ticket', onclick: (e) => openTicket(e.currentTarget) }, 'Create ticket'));
  }

  function renderComposer() {
    const note = kindNote.checked;
    const c = conversation;
    send.textContent = note ? 'Add note' : 'Send reply';
    text.placeholder = note ? 'Write a note for the team (the customer never sees it)…' : 'Write a reply…';
    composer.classList.toggle('as-note', note);
    const resolved = c && c.status === 'resolved';
    const replyBlocked = !note && resolved;
    text.disabled = replyBlocked;
    send.disabled = replyBlocked;
    hint.textContent = replyBlocked
      ? 'Resolved: the customer reopens it by writing again. You can still add a note.'
      : note ? 'Ctrl+Enter adds the note.'
        : c && c.handled_by !== 'human' ? 'Replying takes the conversation over from the AI. Ctrl+Enter sends.' : 'Ctrl+Enter sends.';
  }

  function addMessage(m, { scroll = true } = {}) {
    if (messages.has(m.id)) return;
    messages.set(m.id, m);
    if (!lastSeen || m.created_at > lastSeen) lastSeen = m.created_at;
    const item = messageItem(m);
    // Keep the timeline in time order even when a poll brings an older note.
    const after = [...timeline.children].find((li) => (messages.get(li.dataset.id)?.created_at || '') > m.created_at);
    timeline.insertBefore(item, after || null);
    if (scroll) item.scrollIntoView({ block: 'nearest' });
  }

  async function submit() {
    const role = kindNote.checked ? 'note' : 'agent';
    const body = text.value.trim();
    if (!body) { notice.textContent = 'Write something first.'; text.focus(); return; }
    notice.textContent = '';
    await busy(send, async () => {
      try {
        const attachments = [];
        for (const file of files.files) attachments.push((await upload(file)).id);
        const message = await api('POST', `/v1/conversations/${encodeURIComponent(id)}/messages`, { role, text: body, attachments });
        addMessage(message);
        text.value = '';
        files.value = '';
        announce(role === 'note' ? 'Note added.' : 'Reply sent.');
        // A reply can take the conversation over; read its new state.
        accept(await api('GET', `/v1/conversations/${encodeURIComponent(id)}`));
      } catch (error) {
        notice.textContent = explain(error);
      }
    });
    renderComposer();
  }

  /** Opens a ticket from this conversation; the customer is told its reference. */
  async function openTicket(button) {
    const subject = window.prompt('Ticket subject', conversation.intent ? `Follow up: ${conversation.intent}` : 'Follow up');
    if (!subject) return;
    notice.textContent = '';
    await busy(button, async () => {
      try {
        await api('POST', '/v1/tickets', { subject, conversation_id: conversation.id });
        accept(await api('GET', `/v1/conversations/${encodeURIComponent(conversation.id)}`));
      } catch (error) { notice.textContent = explain(error); }
    });
  }

  function openResolve() {
    if (!conversation || conversation.status !== 'open') return;
    resolveError.textContent = '';
    resolveDialog.showModal();
    outcome.focus();
  }

  async function confirmResolve(button) {
    resolveError.textContent = '';
    const note = resolveNote.value.trim();
    await busy(button, async () => {
      try {
        accept(await api('POST', `/v1/conversations/${encodeURIComponent(id)}/resolve`,
          { resolution: { outcome: outcome.value, ...(note ? { note } : {}) } }));
        resolveDialog.close();
        resolveNote.value = '';
        announce('Conversation resolved.');
      } catch (error) {
        resolveError.textContent = explain(error);
      }
    });
  }

  async function load() {
    try {
      const c = await api('GET', `/v1/conversations/${encodeURIComponent(id)}?include=messages`);
      accept(c);
      fill(timeline);
      messages.clear();
      for (const m of c.messages || []) addMessage(m, { scroll: false });
      const last = timeline.lastElementChild;
      if (last) last.scrollIntoView({ block: 'end' });
      contact.show(conversation);
    } catch (error) {
      title.textContent = 'Conversation not available';
      notice.textContent = explain(error);
    }
  }

  /** Picks up messages the stream does not carry (colleagues' notes). */
  async function poll() {
    if (!conversation || document.hidden) return;
    try {
      const page = await api('GET', `/v1/conversations/${encodeURIComponent(id)}/messages${query({ since: lastSeen, limit: 100 })}`);
      for (const m of page.data) addMessage(m);
    } catch { /* the next poll or the stream catches up */ }
  }
  const poller = setInterval(poll, NOTES_POLL_MS);

  const stop = listen((change) => {
    if (change.kind === 'conversation' && change.conversation.id === id && conversation) {
      accept(change.conversation);
      contact.update(conversation);
    } else if (change.kind === 'message' && change.message.conversation_id === id) {
      addMessage(change.message);
    } else if (change.kind === 'members' && conversation) {
      renderHead();
    }
  });

  load();
  renderComposer();

  return {
    element,
    focusTitle() { title.focus(); },
    reply() { kindReply.checked = true; renderComposer(); text.focus(); },
    note() { kindNote.checked = true; renderComposer(); text.focus(); },
    takeOver() { document.getElementById('take-over')?.click(); },
    resolve: openResolve,
    destroy() { clearInterval(poller); stop(); contact.destroy(); },
  };
}
