/* Confab chat widget. One line adds it to any page:
 *   <script src="…/widget.js" data-site-key="pk_live_…" async></script>
 * It talks to the server it was loaded from, keeps the visitor in localStorage (no
 * cookies), lives in a shadow root (the page's CSS cannot reach it) and needs nothing
 * else. JS API: Confab.open(), Confab.close(),
 * Confab.identify({external_id, name, email, user_hash}), Confab.on('message'|'open'|'close', fn).
 * data-mode="page" fills the window instead (the hosted chat page).
 * No build step, no dependencies, at most 12 KB gzipped (a test measures it). */
(function (w, d) {
  'use strict';
  const me = d.currentScript;
  if (!me || w.Confab?.v) return;
  const SITE_KEY = me.getAttribute('data-site-key') || '';
  const PAGE_MODE = me.getAttribute('data-mode') === 'page';
  const API = new URL(me.src, location.href).origin + '/v1/widget';
  const url = (path) => API + path + (path.includes('?') ? '&' : '?') + 'site_key=' + encodeURIComponent(SITE_KEY);
  // Ask for the settings before anything else: the launcher waits for them on a first visit.
  const settings = fetch(url('/config'));

  const POLL_MS = 5000; // without server-sent events: how often to ask for news
  const TYPING_MS = 15000; // how long "is typing…" shows when the signal has no ttl_ms
  const PAGE_SIZE = 100; // messages per request while catching up
  const MAX_URL_CHARS = 2048; // page_url and referrer are cut to this
  const TOKEN_BYTES = 16; // randomness in a visitor token
  const DEFAULT_ACCENT = '#4f46e5';
  const DARK_TEXT = '#1f2330';
  const LIGHT_TEXT = '#fff';
  const LIGHT_ACCENT = 170; // above this luminance (0–255), text on the accent is dark

  // The widget's own words, per language; the page's language picks them.
  const TRANSLATIONS = {
    en: {
      openChat: 'Open chat',
      closeChat: 'Close chat',
      greeting: 'Hi! How can we help?',
      support: 'Support',
      name: 'Your name',
      email: 'Email',
      optional: '(optional)',
      writeMessage: 'Write a message…',
      send: 'Send',
      talkToPerson: 'Talk to a person',
      waiting: 'Waiting for a person…',
      withPerson: 'You are chatting with a person',
      withAi: 'AI assistant · replies instantly',
      typing: 'is typing…',
      attach: 'Attach a file',
      unread: 'unread',
      error: 'Something went wrong. Please try again.',
      resolved: 'This conversation was resolved. Write to reopen it.',
      remove: 'Remove',
    },
    ar: {
      openChat: 'افتح المحادثة',
      closeChat: 'أغلق المحادثة',
      greeting: 'مرحبًا! كيف يمكننا مساعدتك؟',
      support: 'الدعم',
      name: 'اسمك',
      email: 'البريد الإلكتروني',
      optional: '(اختياري)',
      writeMessage: 'اكتب رسالة…',
      send: 'إرسال',
      talkToPerson: 'التحدث إلى شخص',
      waiting: 'بانتظار أحد الموظفين…',
      withPerson: 'أنت تتحدث مع موظف',
      withAi: 'مساعد ذكي · يرد فورًا',
      typing: 'يكتب…',
      attach: 'إرفاق ملف',
      unread: 'غير مقروءة',
      error: 'حدث خطأ. حاول مرة أخرى.',
      resolved: 'تم حل هذه المحادثة. اكتب لإعادة فتحها.',
      remove: 'إزالة',
    },
    fr: {
      openChat: 'Ouvrir la discussion',
      closeChat: 'Fermer la discussion',
      greeting: 'Bonjour ! Comment pouvons-nous vous aider ?',
      support: 'Assistance',
      name: 'Votre nom',
      email: 'E-mail',
      optional: '(facultatif)',
      writeMessage: 'Écrivez un message…',
      send: 'Envoyer',
      talkToPerson: 'Parler à une personne',
      waiting: 'En attente d’une personne…',
      withPerson: 'Vous discutez avec une personne',
      withAi: 'Assistant IA · répond tout de suite',
      typing: 'écrit…',
      attach: 'Joindre un fichier',
      unread: 'non lus',
      error: 'Une erreur est survenue. Réessayez.',
      resolved: 'Cette conversation est terminée. Écrivez pour la rouvrir.',
      remove: 'Retirer',
    },
    es: {
      openChat: 'Abrir el chat',
      closeChat: 'Cerrar el chat',
      greeting: '¡Hola! ¿En qué podemos ayudarte?',
      support: 'Soporte',
      name: 'Tu nombre',
      email: 'Correo electrónico',
      optional: '(opcional)',
      writeMessage: 'Escribe un mensaje…',
      send: 'Enviar',
      talkToPerson: 'Hablar con una persona',
      waiting: 'Esperando a una persona…',
      withPerson: 'Estás hablando con una persona',
      withAi: 'Asistente IA · responde al instante',
      typing: 'está escribiendo…',
      attach: 'Adjuntar un archivo',
      unread: 'sin leer',
      error: 'Algo salió mal. Inténtalo de nuevo.',
      resolved: 'Esta conversación se resolvió. Escribe para reabrirla.',
      remove: 'Quitar',
    },
    de: {
      openChat: 'Chat öffnen',
      closeChat: 'Chat schließen',
      greeting: 'Hallo! Wie können wir helfen?',
      support: 'Support',
      name: 'Ihr Name',
      email: 'E-Mail',
      optional: '(optional)',
      writeMessage: 'Nachricht schreiben…',
      send: 'Senden',
      talkToPerson: 'Mit einer Person sprechen',
      waiting: 'Warten auf eine Person…',
      withPerson: 'Sie chatten mit einer Person',
      withAi: 'KI-Assistent · antwortet sofort',
      typing: 'schreibt…',
      attach: 'Datei anhängen',
      unread: 'ungelesen',
      error: 'Etwas ist schiefgelaufen. Bitte erneut versuchen.',
      resolved: 'Dieses Gespräch wurde gelöst. Schreiben Sie, um es wieder zu öffnen.',
      remove: 'Entfernen',
    },
  };
  const RTL = ['ar', 'he', 'fa', 'ur'];
  // Styles and markup, inside the shadow root. --a is the accent colour, --f the text on it.
  const CSS = `:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.w{--a:${DEFAULT_ACCENT};--f:${LIGHT_TEXT};font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:${DARK_TEXT}}
button{font:inherit;cursor:pointer}
:focus-visible{outline:2px solid var(--a);outline-offset:2px}
.launcher,.panel{position:fixed;right:20px;z-index:2147483000}
.left .launcher,.left .panel{right:auto;left:20px}
.launcher{bottom:20px;width:56px;height:56px;border:0;border-radius:50%;background:var(--a);color:var(--f);box-shadow:0 4px 16px #0003;display:grid;place-items:center}
svg{width:24px;height:24px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#e11d48;color:#fff;font-size:12px;line-height:20px}
.panel{bottom:88px;width:370px;height:min(600px,calc(100vh - 108px));display:flex;flex-direction:column;background:#fff;border-radius:16px;box-shadow:0 8px 40px #0004;overflow:hidden}
.page .panel{inset:0;width:auto;height:100dvh;border-radius:0;box-shadow:none}
@media(min-width:700px){.w.page .panel{inset:80px auto 32px;left:50%;transform:translateX(-50%);width:640px;height:auto;border-radius:16px;box-shadow:0 8px 40px #0002}}
@media(max-width:480px){.panel{inset:0;width:auto;height:100dvh;border-radius:0}input,textarea{font-size:16px}}
.page input,.page textarea{font-size:16px}
header{display:flex;align-items:center;gap:8px;padding:14px 16px;background:var(--a);color:var(--f)}
header div{flex:1;min-width:0}
h2{margin:0;font-size:16px}
.status{margin:0;font-size:13px;opacity:.85}
.close{border:0;background:none;color:inherit;font-size:26px;line-height:1;padding:0 6px}
.page .close{display:none}
.log{flex:1;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:8px;background:#f6f6f8}
.msg{max-width:82%;padding:8px 12px;border-radius:14px;background:#fff;box-shadow:0 1px 2px #0001;align-self:flex-start;white-space:pre-wrap;overflow-wrap:anywhere}
.msg p{margin:0}
.customer{align-self:flex-end;background:var(--a);color:var(--f)}
.who{display:block;font-size:12px;font-weight:600;opacity:.7}
.msg a{display:block;color:inherit;margin-top:4px}
.msg img{max-width:100%;max-height:180px;border-radius:8px}
.typing,.bar{margin:0;padding:0 16px 8px;font-size:13px;color:#555;background:#f6f6f8}
.human{border:1px solid var(--a);color:var(--a);background:#fff;border-radius:16px;padding:4px 12px;font-size:13px}
form{border-top:1px solid #e4e4ea;padding:10px 10px max(10px,env(safe-area-inset-bottom));background:#fff}
.pre{display:grid;gap:6px;margin-bottom:8px}
label{font-size:13px;color:#555;display:grid;gap:2px}
input,textarea{font:inherit;color:inherit;border:1px solid #cfcfd6;border-radius:10px;padding:8px 10px;width:100%}
[aria-invalid=true]{border-color:#c00}
.row{display:flex;gap:4px;align-items:flex-end}
textarea{resize:none;max-height:120px;field-sizing:content}
.row button{border:0;background:none;padding:8px;color:var(--a)}
.row button:disabled{opacity:.4}
[dir=rtl] .send svg{transform:scaleX(-1)}
.chips{margin:6px 0 0;display:flex;flex-wrap:wrap;gap:4px}
.chips button{border:0;background:#ececf4;border-radius:10px;padding:2px 8px;font-size:12px}
.error{margin:0;padding:6px 16px;background:#fdecec;color:#a00;font-size:13px}`;
  const ICON = (path) => `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${path}"/></svg>`;
  const HTML = `<div class="w"><button class="launcher" type="button" aria-expanded="false" aria-controls="panel">${ICON('M4 4h16v12H8l-4 4z')}<span class="badge" aria-hidden="true" hidden></span></button>
<div class="panel" id="panel" role="dialog" aria-modal="true" aria-labelledby="title" hidden>
<header><div><h2 id="title"></h2><p class="status"></p></div><button class="close" type="button">×</button></header>
<div class="log" role="log" aria-live="polite" tabindex="0"></div>
<p class="typing" aria-live="polite" hidden></p>
<div class="bar" hidden><button class="human" type="button"></button></div>
<p class="error" role="alert" hidden></p>
<form class="composer" novalidate><div class="pre"><label><span class="name-label"></span><input name="name" autocomplete="name" maxlength="200"></label><label><span class="email-label"></span><input name="email" type="email" autocomplete="email"></label></div>
<div class="row"><button class="attach" type="button" hidden>${ICON('M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z')}</button><input class="file" type="file" multiple hidden><textarea rows="1" maxlength="10000"></textarea><button class="send" type="submit">${ICON('M3 20l18-8L3 4v6l12 2-12 2z')}</button></div>
<div class="chips"></div></form></div></div>`;

  // The visitor, in localStorage under `confab:<site key>`. Browsers already hold it with
  // these one-letter field names: they may be added to, never renamed.
  const STORAGE_KEY = 'confab:' + SITE_KEY;
  const STORED_AS = {
    token: 't', // the visitor token: the conversation's key (null once it is gone)
    name: 'n',
    email: 'e',
    unread: 'u', // replies that arrived while the panel was closed
    open: 'o', // 1 when the panel was left open
    config: 'c', // the widget settings, so that a return visit renders at once
  };
  const stored = (() => { try { return JSON.parse(localStorage.getItem(STORAGE_KEY)) || {}; } catch { return {}; } })();
  const visitor = {};
  for (const [field, key] of Object.entries(STORED_AS)) visitor[field] = stored[key];
  const save = () => {
    for (const [field, key] of Object.entries(STORED_AS)) stored[key] = visitor[field];
    try { localStorage.setItem(STORAGE_KEY, JSON.stringify(stored)); } catch { /* private mode */ }
  };

  let config = visitor.config, words = {}, lang = 'en';
  let root, el; // the shadow root and the widget's parts in it
  let conv; // the visitor's conversation as last seen: {status, handled_by}
  let stream, pollTimer, typingTimer;
  let identity = {}; // what Confab.identify() was told
  let wantOpen = false; // Confab.open() was called before the widget rendered
  let busy = false; // a message is on its way
  let quiet = true; // the history is loading: no unread count, no 'message' events
  let newest = ''; // created_at of the newest message shown: `since` for the next catch-up
  let shown = new Set(); // ids of the messages on screen
  let pending = []; // files uploaded for the next message
  const handlers = {};
  const emit = (type, data) => (handlers[type] || []).forEach((fn) => { try { fn(data); } catch (e) { console.error(e); } });

  // One API call; `inFlight` is a fetch already started for it. Throws an Error with the
  // HTTP status and the refused fields.
  const request = async (method, path, body, headers = {}, inFlight) => {
    if (body && !(body instanceof FormData)) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(body); }
    const r = await (inFlight || fetch(url(path), { method, headers, body }));
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(j.error?.message || 'HTTP ' + r.status), { status: r.status, fields: j.error?.fields });
    return j;
  };
  const randomHex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  const conversationPath = (suffix = '') => `/conversations/${visitor.token}${suffix}`;
  const make = (tag, cls, text) => {
    const x = d.createElement(tag);
    if (cls) x.className = cls;
    if (text !== undefined && text !== null) x.textContent = text;
    return x;
  };

  // The page's language (or the first the business offers), and the words for it.
  const pickLanguage = () => {
    const offered = config?.languages || [];
    lang = (d.documentElement.lang || navigator.language || 'en').toLowerCase().split('-')[0];
    if (offered.length && !offered.includes(lang)) lang = offered[0];
    words = { ...TRANSLATIONS.en, ...TRANSLATIONS[lang] };
  };
  const agentName = () => config?.agent_name || words.support;

  // Every text and label, in the page's language.
  const label = () => {
    pickLanguage();
    el.w.dir = RTL.includes(lang) ? 'rtl' : 'ltr';
    el.w.lang = lang;
    el.title.textContent = agentName();
    el.close.setAttribute('aria-label', words.closeChat);
    el.nameLabel.textContent = words.name;
    el.emailLabel.textContent = words.email + (config.require_email ? '' : ' ' + words.optional);
    el.text.placeholder = words.writeMessage;
    el.text.setAttribute('aria-label', words.writeMessage);
    el.send.setAttribute('aria-label', words.send);
    el.attach.setAttribute('aria-label', words.attach);
    el.human.textContent = words.talkToPerson;
    el.greet.textContent = config.greeting || words.greeting;
    badge();
    status();
  };
  const badge = () => {
    const unread = visitor.unread || 0;
    el.badge.hidden = !unread;
    el.badge.textContent = unread;
    el.launcher.setAttribute('aria-label', words.openChat + (unread ? `, ${unread} ${words.unread}` : ''));
  };
  const status = () => {
    const handledBy = conv?.handled_by;
    el.status.textContent = conv?.status === 'resolved' ? words.resolved
      : handledBy === 'pending' ? words.waiting
      : handledBy === 'human' ? words.withPerson
      : words.withAi;
    el.bar.hidden = !conv || conv.status !== 'open' || handledBy !== 'ai';
    el.attach.hidden = !visitor.token;
    // The pre-chat form: only before the first message, and only what is not known.
    const needName = !visitor.token && !visitor.name;
    const needEmail = !visitor.token && config.require_email && !visitor.email;
    el.name.parentNode.hidden = !needName;
    el.email.parentNode.hidden = !(needEmail || (!visitor.token && !visitor.name && !visitor.email));
    el.name.required = needName;
    el.email.required = needEmail;
    el.pre.hidden = el.name.parentNode.hidden && el.email.parentNode.hidden;
  };
  const error = (x) => {
    el.error.hidden = !x;
    el.error.textContent = x ? words.error : '';
    for (const f of ['name', 'email']) el[f].setAttribute('aria-invalid', !!x?.fields?.[f]);
  };
  const scroll = () => (el.log.scrollTop = el.log.scrollHeight);

  // A message, once, in time order. `quiet` while the history loads at start.
  const addMessage = (m) => {
    if (shown.has(m.id)) return;
    shown.add(m.id);
    if (m.created_at > newest) newest = m.created_at;
    // dir=auto: each text takes the direction of its own words (Arabic in an English
    // page, English in an Arabic one), not the page's.
    const box = make('div', 'msg ' + m.role);
    const text = make('p', '', m.text);
    box.dir = text.dir = 'auto';
    box.dataset.t = m.created_at;
    if (m.role === 'agent' && m.author?.name) box.append(make('span', 'who', m.author.name));
    box.append(text);
    for (const a of m.attachments || []) box.append(attachment(a));
    el.log.insertBefore(box, [...el.log.children].find((c) => c.dataset.t > m.created_at) || null);
    scroll();
    if (m.role !== 'customer') {
      el.typing.hidden = true;
      if (!quiet && el.panel.hidden) { visitor.unread = (visitor.unread || 0) + 1; save(); badge(); }
    }
    if (!quiet) emit('message', m);
  };
  // A link to an attached file: an image shows itself, anything else its name.
  const attachment = (a) => {
    const isImage = /^image\//.test(a.content_type);
    const link = make('a', '', isImage ? null : a.filename);
    link.href = url(conversationPath('/files/' + a.id));
    link.target = '_blank';
    link.rel = 'noopener';
    if (!link.textContent) { const img = new Image(); img.src = link.href; img.alt = a.filename; link.append(img); }
    return link;
  };
  const typing = (signal) => {
    el.typing.textContent = (signal.name || agentName()) + ' ' + words.typing;
    el.typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => (el.typing.hidden = true), signal.ttl_ms || TYPING_MS);
  };

  // Catch up on what the visitor has not seen (all of it at start).
  const sync = async () => {
    if (!visitor.token) return;
    try {
      let query = '?limit=' + PAGE_SIZE + (newest ? '&since=' + encodeURIComponent(newest) : ''), page;
      do {
        page = await request('GET', conversationPath('/messages' + query));
        page.data.forEach(addMessage);
        query = '?limit=' + PAGE_SIZE + '&cursor=' + encodeURIComponent(page.next_cursor);
      } while (page.has_more);
    } catch (x) { gone(x); }
  };
  // The conversation is gone or closed to this visitor: start afresh.
  const gone = (x) => {
    if (x.status !== 404 && x.status !== 403) return;
    if (stream) stream.close();
    stream = conv = visitor.token = null;
    shown = new Set();
    newest = '';
    [...el.log.children].forEach((c) => c !== el.greet && c.remove());
    save();
    status();
  };
  // Live: server-sent events; polling with `since` where they are not available.
  const connect = () => {
    if (stream || !visitor.token) return;
    if (!w.EventSource) return poll();
    stream = new EventSource(url(conversationPath('/stream')));
    stream.addEventListener('message', (e) => addMessage(JSON.parse(e.data)));
    stream.addEventListener('typing', (e) => typing(JSON.parse(e.data)));
    stream.addEventListener('status', (e) => { conv = JSON.parse(e.data); status(); });
    stream.onopen = sync;
    stream.onerror = () => { if (stream?.readyState === EventSource.CLOSED) { stream = null; poll(); } };
  };
  const poll = () => {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      await sync();
      if (visitor.token) { await refresh(); connect(); }
    }, POLL_MS);
  };
  const refresh = async () => {
    try { conv = await request('GET', conversationPath()); status(); } catch (x) { gone(x); }
  };

  // The first message starts the conversation; the visitor token is its key from then on.
  const start = async (text) => {
    const token = 'v' + randomHex(TOKEN_BYTES);
    visitor.name = identity.name || el.name.value.trim() || visitor.name;
    visitor.email = identity.email || el.email.value.trim() || visitor.email;
    const body = {
      name: visitor.name, email: visitor.email || undefined, message: text, visitor_token: token,
      page_url: location.href.slice(0, MAX_URL_CHARS), referrer: d.referrer.slice(0, MAX_URL_CHARS) || undefined,
      external_id: identity.external_id, user_hash: identity.user_hash,
    };
    await request('POST', '/conversations', body, { 'Idempotency-Key': 'start-' + token });
    visitor.token = token;
    save();
    conv = { status: 'open', handled_by: 'ai' };
    status();
    await sync();
    connect();
  };
  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    let text = el.text.value.trim();
    if (!text && pending.length) text = pending.map((f) => f.filename).join(', ');
    if (!text) return el.text.focus();
    if (!visitor.token && !el.form.reportValidity()) return;
    busy = el.send.disabled = true;
    error();
    try {
      if (visitor.token) addMessage(await request('POST', conversationPath('/messages'), { message: text, attachments: pending.map((f) => f.id) }));
      else await start(text);
      el.text.value = '';
      pending = [];
      chips();
    } catch (x) { error(x); gone(x); }
    busy = el.send.disabled = false;
    el.text.focus();
  };
  const upload = async () => {
    for (const file of el.file.files) {
      const form = new FormData();
      form.append('file', file);
      try { pending.push(await request('POST', conversationPath('/files'), form)); } catch (x) { error(x); }
    }
    el.file.value = '';
    chips();
  };
  // The uploaded files under the composer, each a button that removes it.
  const chips = () => el.chips.replaceChildren(...pending.map((f) => {
    const chip = make('button', '', f.filename + ' ×');
    chip.type = 'button';
    chip.setAttribute('aria-label', words.remove + ' ' + f.filename);
    chip.onclick = () => { pending = pending.filter((p) => p !== f); chips(); el.text.focus(); };
    return chip;
  }));

  const focusable = () => [...el.panel.querySelectorAll('button,input,textarea,a[href],[tabindex="0"]')]
    .filter((x) => !x.disabled && x.getClientRects().length);
  // Tab stays inside the open panel; Escape closes it.
  const trap = (e) => {
    if (e.key === 'Escape' && !PAGE_MODE) return close();
    if (e.key !== 'Tab') return;
    const all = focusable(), first = all[0], end = all[all.length - 1];
    if (e.shiftKey ? root.activeElement === first : root.activeElement === end) {
      e.preventDefault();
      (e.shiftKey ? end : first).focus();
    }
  };
  const open = (focus = true) => {
    if (!el) return (wantOpen = true);
    el.panel.hidden = false;
    el.launcher.setAttribute('aria-expanded', 'true');
    visitor.open = 1;
    visitor.unread = 0;
    save();
    badge();
    scroll();
    if (focus) (el.pre.hidden || el.name.parentNode.hidden ? el.text : el.name).focus();
    emit('open');
  };
  const close = () => {
    if (!el || PAGE_MODE || el.panel.hidden) return;
    el.panel.hidden = true;
    el.launcher.setAttribute('aria-expanded', 'false');
    visitor.open = 0;
    save();
    el.launcher.focus();
    emit('close');
  };
  const identify = async (o = {}) => {
    identity = { external_id: o.external_id, user_hash: o.user_hash, name: o.name, email: o.email };
    if (o.name) visitor.name = o.name;
    if (o.email) visitor.email = o.email;
    save();
    if (el) status();
    if (visitor.token && o.external_id) {
      try { conv = await request('POST', conversationPath('/identify'), identity); status(); } catch (x) { console.warn('Confab.identify: ' + x.message); }
    }
  };

  // The host element, its shadow root, and the handlers on its parts.
  const render = () => {
    const host = make('div');
    host.id = 'confab-widget';
    root = host.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${CSS}</style>${HTML}`;
    const q = (s) => root.querySelector(s);
    el = {
      w: q('.w'), launcher: q('.launcher'), badge: q('.badge'), panel: q('.panel'), title: q('#title'), status: q('.status'),
      close: q('.close'), log: q('.log'), typing: q('.typing'), bar: q('.bar'), human: q('.human'), error: q('.error'),
      form: q('form'), pre: q('.pre'), name: q('[name=name]'), email: q('[name=email]'), nameLabel: q('.name-label'),
      emailLabel: q('.email-label'), attach: q('.attach'), file: q('.file'), text: q('textarea'), send: q('.send'), chips: q('.chips'),
    };
    el.greet = make('div', 'msg ai greeting');
    el.greet.dir = 'auto';
    el.greet.dataset.t = '';
    el.log.append(el.greet);
    el.name.value = visitor.name || '';
    el.email.value = visitor.email || '';
    el.launcher.onclick = () => (el.panel.hidden ? open() : close());
    el.close.onclick = close;
    el.panel.onkeydown = trap;
    el.form.onsubmit = submit;
    el.text.onkeydown = (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); el.form.requestSubmit(); } };
    el.attach.onclick = () => el.file.click();
    el.file.onchange = upload;
    el.human.onclick = async () => {
      try { conv = await request('POST', conversationPath('/handoff')); status(); } catch (x) { error(x); gone(x); }
    };
    if (PAGE_MODE) { el.w.classList.add('page'); el.launcher.hidden = true; }
    d.body.append(host);
    // The page may change its language (a language switcher): follow it.
    new MutationObserver(label).observe(d.documentElement, { attributes: true, attributeFilter: ['lang'] });
  };
  // Text on the accent colour: dark on a light accent, white on a dark one.
  const textOn = (accent) => {
    const n = parseInt(accent.slice(1), 16);
    const luminance = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
    return luminance > LIGHT_ACCENT ? DARK_TEXT : LIGHT_TEXT;
  };
  // The settings on screen: colours, side, words.
  const apply = () => {
    if (!el) render();
    const accent = /^#[0-9a-f]{6}$/i.test(config.accent_color) ? config.accent_color : DEFAULT_ACCENT;
    el.w.style.setProperty('--a', accent);
    el.w.style.setProperty('--f', textOn(accent));
    el.w.classList.toggle('left', config.position === 'left');
    label();
  };

  // Why the widget cannot start, for the site's developer: on the page with a test key
  // (a sandbox, seen by the people building the site), only in the browser console with
  // a live key (customers never see an error).
  const cannotStart = (why) => {
    console.warn('Confab: the chat widget cannot start: ' + why);
    if (!SITE_KEY.startsWith('pk_test_')) return;
    const host = d.createElement('div');
    host.id = 'confab-notice';
    const box = make('p', '', 'Confab chat widget (test key) cannot start: ' + why);
    box.setAttribute('role', 'alert');
    box.style.cssText = 'position:fixed;bottom:16px;right:16px;margin:0;max-width:360px;z-index:2147483647;background:#fff4e5;color:#5c3b00;border:1px solid #f0b45a;border-radius:8px;padding:10px 12px;font:13px/1.4 system-ui,sans-serif';
    host.attachShadow({ mode: 'open' }).append(box);
    d.body.append(host);
  };

  const boot = async () => {
    if (config) apply();
    try {
      config = visitor.config = await request('GET', '/config', null, {}, settings);
      save();
    } catch (x) {
      // A key that no longer works (revoked, or not for this site): no widget at all.
      if (x.status === 401 || x.status === 403) { visitor.config = undefined; save(); if (root) root.host.remove(); cannotStart(x.message); return; }
      if (!config) { cannotStart(x.message); return; }
      console.warn('Confab: ' + x.message);
    }
    apply();
    if (PAGE_MODE || wantOpen || visitor.open) open(PAGE_MODE || wantOpen);
    w.dispatchEvent(new Event('confab:ready'));
    if (visitor.token) {
      try { conv = await request('GET', conversationPath()); } catch (x) { gone(x); }
      status();
      await sync();
      connect();
    }
    quiet = false;
  };

  w.Confab = { v: 1, open: () => open(), close, identify, on: (type, fn) => (handlers[type] = handlers[type] || []).push(fn) };
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', boot);
  else boot();
})(window, document);
