/* Confab chat widget. One line adds it to any page:
 *   <script src="…/widget.js" data-site-key="pk_live_…" async></script>
 * It talks to the server it was loaded from, keeps the visitor in localStorage (no
 * cookies), lives in a shadow root (the page's CSS cannot reach it) and needs nothing
 * else. JS API: Confab.open(), Confab.close(),
 * Confab.identify({external_id, name, email, user_hash}), Confab.on('message'|'open'|'close', fn).
 * data-mode="page" fills the window instead (the hosted chat page). */
(function (w, d) {
  'use strict';
  const me = d.currentScript;
  if (!me || (w.Confab && w.Confab.v)) return;
  const KEY = me.getAttribute('data-site-key') || '';
  const PAGE = me.getAttribute('data-mode') == 'page';
  const API = new URL(me.src, location.href).origin + '/v1/widget';
  const STORE = 'confab:' + KEY;
  const url = (path) => API + path + (path.includes('?') ? '&' : '?') + 'site_key=' + encodeURIComponent(KEY);
  // Ask for the settings before anything else: the launcher waits for them on a first visit.
  const settings = fetch(url('/config'));
  // The widget's own words, per language; the page's language picks them.
  const WORDS = 'open close hi support name email opt msg send human waiting person ai typing attach unread err closed remove'.split(' ');
  const LANGS = {
    en: 'Open chat|Close chat|Hi! How can we help?|Support|Your name|Email|(optional)|Write a message…|Send|Talk to a person|Waiting for a person…|You are chatting with a person|AI assistant · replies instantly|is typing…|Attach a file|unread|Something went wrong. Please try again.|This conversation was resolved. Write to reopen it.|Remove',
    ar: 'افتح المحادثة|أغلق المحادثة|مرحبًا! كيف يمكننا مساعدتك؟|الدعم|اسمك|البريد الإلكتروني|(اختياري)|اكتب رسالة…|إرسال|التحدث إلى شخص|بانتظار أحد الموظفين…|أنت تتحدث مع موظف|مساعد ذكي · يرد فورًا|يكتب…|إرفاق ملف|غير مقروءة|حدث خطأ. حاول مرة أخرى.|تم حل هذه المحادثة. اكتب لإعادة فتحها.|إزالة',
    fr: 'Ouvrir la discussion|Fermer la discussion|Bonjour ! Comment pouvons-nous vous aider ?|Assistance|Votre nom|E-mail|(facultatif)|Écrivez un message…|Envoyer|Parler à une personne|En attente d’une personne…|Vous discutez avec une personne|Assistant IA · répond tout de suite|écrit…|Joindre un fichier|non lus|Une erreur est survenue. Réessayez.|Cette conversation est terminée. Écrivez pour la rouvrir.|Retirer',
    es: 'Abrir el chat|Cerrar el chat|¡Hola! ¿En qué podemos ayudarte?|Soporte|Tu nombre|Correo electrónico|(opcional)|Escribe un mensaje…|Enviar|Hablar con una persona|Esperando a una persona…|Estás hablando con una persona|Asistente IA · responde al instante|está escribiendo…|Adjuntar un archivo|sin leer|Algo salió mal. Inténtalo de nuevo.|Esta conversación se resolvió. Escribe para reabrirla.|Quitar',
    de: 'Chat öffnen|Chat schließen|Hallo! Wie können wir helfen?|Support|Ihr Name|E-Mail|(optional)|Nachricht schreiben…|Senden|Mit einer Person sprechen|Warten auf eine Person…|Sie chatten mit einer Person|KI-Assistent · antwortet sofort|schreibt…|Datei anhängen|ungelesen|Etwas ist schiefgelaufen. Bitte erneut versuchen.|Dieses Gespräch wurde gelöst. Schreiben Sie, um es wieder zu öffnen.|Entfernen',
  };
  const RTL = ['ar', 'he', 'fa', 'ur'];
  const CSS = `:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.w{--a:#4f46e5;--f:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2330}
button{font:inherit;cursor:pointer}
:focus-visible{outline:2px solid var(--a);outline-offset:2px}
.launcher,.panel{position:fixed;right:20px;z-index:2147483000}
.left .launcher,.left .panel{right:auto;left:20px}
.launcher{bottom:20px;width:56px;height:56px;border:0;border-radius:50%;background:var(--a);color:var(--f);box-shadow:0 4px 16px #0003;display:grid;place-items:center}
svg{width:24px;height:24px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#e11d48;color:#fff;font-size:12px;line-height:20px}
.panel{bottom:88px;width:370px;height:min(600px,calc(100vh - 108px));display:flex;flex-direction:column;background:#fff;border-radius:16px;box-shadow:0 8px 40px #0004;overflow:hidden}
.page .panel{inset:0;width:auto;height:100dvh;border-radius:0;box-shadow:none}
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

  const load = () => { try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch (e) { return {}; } };
  const st = load(); // t: visitor token, n/e: name/email, u: unread, o: panel open, c: config
  const save = () => { try { localStorage.setItem(STORE, JSON.stringify(st)); } catch (e) { /* private mode */ } };
  let cfg = st.c, L = {}, lang = 'en', root, el, conv, es, pollTimer, typingTimer, ident = {}, wantOpen = false, busy = false, quiet = true, last = '';
  let seen = {}, pending = [];
  const handlers = {};
  const emit = (type, data) => (handlers[type] || []).forEach((fn) => { try { fn(data); } catch (e) { console.error(e); } });

  const req = async (method, path, body, headers = {}, sent) => {
    if (body && !(body instanceof FormData)) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(body); }
    const r = await (sent || fetch(url(path), { method, headers, body }));
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error((j.error && j.error.message) || 'HTTP ' + r.status), { status: r.status, fields: j.error && j.error.fields });
    return j;
  };
  const rnd = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  const path = (suffix = '') => `/conversations/${st.t}${suffix}`;
  const make = (tag, cls, text) => { const x = d.createElement(tag); if (cls) x.className = cls; if (text != null) x.textContent = text; return x; };

  // The page's language (or the first the business offers), and the words for it.
  const words = () => {
    let l = (d.documentElement.lang || navigator.language || 'en').toLowerCase().split('-')[0];
    const offered = (cfg && cfg.languages) || [];
    if (offered.length && !offered.includes(l)) l = offered[0];
    lang = l;
    const list = (LANGS[l] || LANGS.en).split('|');
    WORDS.forEach((k, i) => (L[k] = list[i]));
  };
  const agentName = () => (cfg && cfg.agent_name) || L.support;

  const label = () => {
    words();
    el.w.dir = RTL.includes(lang) ? 'rtl' : 'ltr';
    el.w.lang = lang;
    el.title.textContent = agentName();
    el.close.setAttribute('aria-label', L.close);
    el.nameLabel.textContent = L.name;
    el.emailLabel.textContent = L.email + (cfg.require_email ? '' : ' ' + L.opt);
    el.text.placeholder = L.msg;
    el.text.setAttribute('aria-label', L.msg);
    el.send.setAttribute('aria-label', L.send);
    el.attach.setAttribute('aria-label', L.attach);
    el.human.textContent = L.human;
    el.greet.textContent = cfg.greeting || L.hi;
    badge();
    status();
  };
  const badge = () => {
    const n = st.u || 0;
    el.badge.hidden = !n;
    el.badge.textContent = n;
    el.launcher.setAttribute('aria-label', L.open + (n ? `, ${n} ${L.unread}` : ''));
  };
  const status = () => {
    const h = conv && conv.handled_by;
    el.status.textContent = conv && conv.status == 'resolved' ? L.closed : h == 'pending' ? L.waiting : h == 'human' ? L.person : L.ai;
    el.bar.hidden = !conv || conv.status != 'open' || h != 'ai';
    el.attach.hidden = !st.t;
    // The pre-chat form: only before the first message, and only what is not known.
    const needName = !st.t && !st.n, needEmail = !st.t && cfg.require_email && !st.e;
    el.name.parentNode.hidden = !needName;
    el.email.parentNode.hidden = !(needEmail || (!st.t && !st.n && !st.e));
    el.name.required = needName;
    el.email.required = needEmail;
    el.pre.hidden = el.name.parentNode.hidden && el.email.parentNode.hidden;
  };
  const error = (x) => {
    el.error.hidden = !x;
    el.error.textContent = x ? L.err : '';
    for (const f of ['name', 'email']) el[f].setAttribute('aria-invalid', !!(x && x.fields && x.fields[f]));
  };
  const scroll = () => (el.log.scrollTop = el.log.scrollHeight);

  // A message, once, in time order. `quiet` while the history loads at start.
  const add = (m) => {
    if (seen[m.id]) return;
    seen[m.id] = 1;
    if (m.created_at > last) last = m.created_at;
    const box = make('div', 'msg ' + m.role);
    box.dataset.t = m.created_at;
    if (m.role == 'agent' && m.author && m.author.name) box.append(make('span', 'who', m.author.name));
    box.append(make('p', '', m.text));
    for (const a of m.attachments || []) {
      const link = make('a', '', /^image\//.test(a.content_type) ? null : a.filename);
      link.href = url(path('/files/' + a.id));
      link.target = '_blank';
      link.rel = 'noopener';
      if (!link.textContent) { const img = new Image(); img.src = link.href; img.alt = a.filename; link.append(img); }
      box.append(link);
    }
    el.log.insertBefore(box, [...el.log.children].find((c) => c.dataset.t > m.created_at) || null);
    scroll();
    if (m.role != 'customer') {
      el.typing.hidden = true;
      if (!quiet && el.panel.hidden) { st.u = (st.u || 0) + 1; save(); badge(); }
    }
    if (!quiet) emit('message', m);
  };
  const typing = (f) => {
    el.typing.textContent = (f.name || agentName()) + ' ' + L.typing;
    el.typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => (el.typing.hidden = true), f.ttl_ms || 15000);
  };

  // Catch up on what the visitor has not seen (all of it at start).
  const sync = async () => {
    if (!st.t) return;
    try {
      let q = '?limit=100' + (last ? '&since=' + encodeURIComponent(last) : ''), page;
      do {
        page = await req('GET', path('/messages' + q));
        page.data.forEach(add);
        q = '?limit=100&cursor=' + encodeURIComponent(page.next_cursor);
      } while (page.has_more);
    } catch (x) { gone(x); }
  };
  // The conversation is gone or closed to this visitor: start afresh.
  const gone = (x) => {
    if (x.status != 404 && x.status != 403) return;
    if (es) es.close();
    es = conv = st.t = null;
    seen = {};
    last = '';
    [...el.log.children].forEach((c) => c != el.greet && c.remove());
    save();
    status();
  };
  // Live: server-sent events; polling with `since` where they are not available.
  const connect = () => {
    if (es || !st.t) return;
    if (!w.EventSource) return poll();
    es = new EventSource(url(path('/stream')));
    es.addEventListener('message', (e) => add(JSON.parse(e.data)));
    es.addEventListener('typing', (e) => typing(JSON.parse(e.data)));
    es.addEventListener('status', (e) => { conv = JSON.parse(e.data); status(); });
    es.onopen = sync;
    es.onerror = () => { if (es && es.readyState == 2) { es = null; poll(); } };
  };
  const poll = () => {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      await sync();
      if (st.t) { try { conv = await req('GET', path()); status(); } catch (x) { gone(x); } connect(); }
    }, 5000);
  };

  const start = async (text) => {
    const token = 'v' + rnd();
    st.n = ident.name || el.name.value.trim() || st.n;
    st.e = ident.email || el.email.value.trim() || st.e;
    const body = {
      name: st.n, email: st.e || undefined, message: text, visitor_token: token,
      page_url: location.href.slice(0, 2048), referrer: d.referrer.slice(0, 2048) || undefined,
      external_id: ident.external_id, user_hash: ident.user_hash,
    };
    await req('POST', '/conversations', body, { 'Idempotency-Key': 'start-' + token });
    st.t = token;
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
    if (!st.t && !el.form.reportValidity()) return;
    busy = el.send.disabled = true;
    error();
    try {
      if (st.t) add(await req('POST', path('/messages'), { message: text, attachments: pending.map((f) => f.id) }));
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
      try { pending.push(await req('POST', path('/files'), form)); } catch (x) { error(x); }
    }
    el.file.value = '';
    chips();
  };
  const chips = () => el.chips.replaceChildren(...pending.map((f) => {
    const chip = make('button', '', f.filename + ' ×');
    chip.type = 'button';
    chip.setAttribute('aria-label', L.remove + ' ' + f.filename);
    chip.onclick = () => { pending = pending.filter((p) => p != f); chips(); el.text.focus(); };
    return chip;
  }));

  const focusable = () => [...el.panel.querySelectorAll('button,input,textarea,a[href],[tabindex="0"]')]
    .filter((x) => !x.disabled && x.getClientRects().length);
  // Tab stays inside the open panel; Escape closes it.
  const trap = (e) => {
    if (e.key == 'Escape' && !PAGE) return close();
    if (e.key != 'Tab') return;
    const all = focusable(), first = all[0], end = all[all.length - 1];
    if (e.shiftKey ? root.activeElement == first : root.activeElement == end) {
      e.preventDefault();
      (e.shiftKey ? end : first).focus();
    }
  };
  const open = (focus = true) => {
    if (!el) return (wantOpen = true);
    el.panel.hidden = false;
    el.launcher.setAttribute('aria-expanded', 'true');
    st.o = 1;
    st.u = 0;
    save();
    badge();
    scroll();
    if (focus) (el.pre.hidden || el.name.parentNode.hidden ? el.text : el.name).focus();
    emit('open');
  };
  const close = () => {
    if (!el || PAGE || el.panel.hidden) return;
    el.panel.hidden = true;
    el.launcher.setAttribute('aria-expanded', 'false');
    st.o = 0;
    save();
    el.launcher.focus();
    emit('close');
  };
  const identify = async (o = {}) => {
    ident = { external_id: o.external_id, user_hash: o.user_hash, name: o.name, email: o.email };
    if (o.name) st.n = o.name;
    if (o.email) st.e = o.email;
    save();
    if (el) status();
    if (st.t && o.external_id) {
      try { conv = await req('POST', path('/identify'), ident); status(); } catch (x) { console.warn('Confab.identify: ' + x.message); }
    }
  };

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
    el.greet.dataset.t = '';
    el.log.append(el.greet);
    el.name.value = st.n || '';
    el.email.value = st.e || '';
    el.launcher.onclick = () => (el.panel.hidden ? open() : close());
    el.close.onclick = close;
    el.panel.onkeydown = trap;
    el.form.onsubmit = submit;
    el.text.onkeydown = (e) => { if (e.key == 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); el.form.requestSubmit(); } };
    el.attach.onclick = () => el.file.click();
    el.file.onchange = upload;
    el.human.onclick = async () => {
      try { conv = await req('POST', path('/handoff')); status(); } catch (x) { error(x); gone(x); }
    };
    if (PAGE) { el.w.classList.add('page'); el.launcher.hidden = true; }
    d.body.append(host);
    // The page may change its language (a language switcher): follow it.
    new MutationObserver(label).observe(d.documentElement, { attributes: true, attributeFilter: ['lang'] });
  };
  const apply = () => {
    if (!el) render();
    const a = /^#[0-9a-f]{6}$/i.test(cfg.accent_color) ? cfg.accent_color : '#4f46e5';
    const n = parseInt(a.slice(1), 16);
    el.w.style.setProperty('--a', a);
    el.w.style.setProperty('--f', 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255) > 170 ? '#1f2330' : '#fff');
    el.w.classList.toggle('left', cfg.position == 'left');
    label();
  };

  const boot = async () => {
    if (cfg) apply();
    try {
      cfg = st.c = await req('GET', '/config', null, {}, settings);
      save();
    } catch (x) {
      console.warn('Confab: ' + x.message);
      // A key that no longer works (revoked, or not for this site): no widget at all.
      if (x.status == 401 || x.status == 403) { delete st.c; save(); if (root) root.host.remove(); return; }
      if (!cfg) return;
    }
    apply();
    if (PAGE || wantOpen || st.o) open(PAGE || wantOpen);
    w.dispatchEvent(new Event('confab:ready'));
    if (st.t) {
      try { conv = await req('GET', path()); } catch (x) { gone(x); }
      status();
      await sync();
      connect();
    }
    quiet = false;
  };

  w.Confab = { v: 1, open: () => open(), close, identify, on: (type, fn) => (handlers[type] = handlers[type] || []).push(fn) };
  if (d.readyState == 'loading') d.addEventListener('DOMContentLoaded', boot);
  else boot();
})(window, document);
