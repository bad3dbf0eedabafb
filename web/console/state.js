// What the console knows right now, shared by its views, and the live changes to it.
// Views subscribe to changes instead of polling the API.

export const state = {
  /** The signed-in member (`GET /v1/members/me`). */
  me: null,
  /** The team by id, for names and the assign menu. */
  members: new Map(),
  /** Conversations by id, as last read or received from the stream. */
  conversations: new Map(),
  /** Open conversations waiting for a person, workspace-wide (drives the tab title). */
  waiting: new Map(),
  /** Conversations whose hand-off request arrived live and has not been looked at. */
  fresh: new Set(),
};

const listeners = new Set();

/** Calls `listener(change)` on every change; returns a function that stops it. */
export function listen(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells every listener about `change` (`{kind: 'conversation'|'message'|'waiting', …}`). */
export function notify(change) {
  for (const listener of [...listeners]) {
    try { listener(change); } catch (error) { console.error('console view failed on a change', error); }
  }
}

export function isWaiting(conversation) {
  return conversation.status === 'open' && conversation.handled_by === 'pending';
}

/** Stores the newest view of a conversation and keeps the waiting list in step. */
export function remember(conversation) {
  state.conversations.set(conversation.id, conversation);
  const wasWaiting = state.waiting.has(conversation.id);
  if (isWaiting(conversation)) state.waiting.set(conversation.id, conversation);
  else state.waiting.delete(conversation.id);
  if (!isWaiting(conversation)) state.fresh.delete(conversation.id);
  if (wasWaiting !== state.waiting.has(conversation.id)) notify({ kind: 'waiting' });
}

/** Owners and admins manage the team, keys and settings; agents work conversations. */
export function managesWorkspace() {
  return state.me && (state.me.role === 'owner' || state.me.role === 'admin');
}

export function memberName(id) {
  if (!id) return null;
  const member = state.members.get(id);
  if (!member) return id;
  return state.me && member.id === state.me.id ? `${member.name} (you)` : member.name;
}
