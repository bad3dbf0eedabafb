// The workspace's live events (GET /v1/events/stream). A browser's EventSource cannot
// send an Authorization header, so the stream is read with fetch and a stream reader
// and parsed as server-sent events here. On a drop it reconnects with backoff and sends
// Last-Event-ID, so the server replays what was missed without repeating anything.

import { authHeaders } from './api.js';

const MAX_DELAY_MS = 15_000;

/**
 * Opens the stream. `onEvent(event)` gets each event object; `onState(state)` gets
 * `live` (connected and subscribed), `reconnecting`, or `denied` (the token no longer
 * works; the stream stops). Returns `{stop()}`.
 */
export function openStream({ onEvent, onState }) {
  let lastEventId = null;
  let stopped = false;
  let controller = null;
  let delay = 1000;

  async function connectOnce() {
    controller = new AbortController();
    const headers = { ...authHeaders(), accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const response = await fetch('/v1/events/stream', { headers, cache: 'no-store', signal: controller.signal });
    if (response.status === 401 || response.status === 403) {
      onState('denied');
      stopped = true;
      return;
    }
    if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
    // The server subscribes before it answers, so from here on nothing is missed.
    onState('live');
    delay = 1000;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        dispatch(frame);
      }
    }
  }

  function dispatch(frame) {
    let id = null;
    const data = [];
    for (const line of frame.split('\n')) {
      if (!line || line.startsWith(':')) continue; // comments keep the connection alive
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'id') id = value;
      else if (name === 'data') data.push(value);
    }
    if (id) lastEventId = id;
    if (!data.length) return;
    let event;
    try { event = JSON.parse(data.join('\n')); } catch { return; }
    try { onEvent(event); } catch (error) { console.error('live event handler failed', error); }
  }

  (async () => {
    while (!stopped) {
      try {
        await connectOnce();
      } catch (error) {
        if (stopped) return;
      }
      if (stopped) return;
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  })();

  return {
    stop() {
      stopped = true;
      if (controller) controller.abort();
    },
  };
}
