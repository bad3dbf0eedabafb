// Small DOM helpers. Every piece of server data reaches the page as text (textContent
// or attribute values), never as HTML, so a message cannot inject markup.

/** Builds an element: `h('button', {class: 'primary', onclick}, 'Send')`. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Builds an SVG element the same way. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

function setAttributes(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** "45 s", "3 min", "2 h 5 min", "3 d 4 h": how long something has lasted. */
export function duration(ms) {
  const sec = Math.max(0, Math.floor(ms / 1000));
  if (sec < 60) return `${sec} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return min % 60 ? `${hours} h ${min % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** How long ago an RFC 3339 time was, as "3 min ago". */
export function ago(iso) {
  return iso ? `${duration(Date.now() - Date.parse(iso))} ago` : '';
}

/** A time for people: today's as "14:05", older ones with the date. */
export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "12 KB" for a byte count. */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A form field: a label tied to its control. */
export function field(labelText, control, hint) {
  if (!control.id) control.id = `f-${Math.random().toString(36).slice(2, 10)}`;
  return h('div', { class: 'field' },
    h('label', { for: control.id }, labelText),
    control,
    hint ? h('p', { class: 'muted small' }, hint) : null);
}

/** A `<select>` from `[value, text]` pairs. */
export function select(attrs, options, current) {
  return h('select', attrs, options.map(([value, text]) =>
    h('option', { value, selected: value === current }, text)));
}

/** The contact's name for lists and headers. */
export function contactName(contact) {
  if (!contact) return 'Anonymous visitor';
  return contact.name || contact.email || contact.phone || 'Unnamed contact';
}

/** Says `text` to screen readers through the page's live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  const line = h('p', null, text);
  region.append(line);
  // Keep the region short: old announcements have been read already.
  while (region.childElementCount > 5) region.firstElementChild.remove();
}

/** Runs `action` with `button` disabled, so a double click does not act twice. */
export async function busy(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } finally {
    if (button) button.disabled = false;
  }
}
