'use strict';
// Try-it page for the chat service in standalone mode: plain DOM, no build step.
// Identity comes from the development issuer (POST /dev/tokens); history from REST;
// live messages from the WebSocket, resumed with after_id after any unexpected close.

const $ = (id) => document.getElementById(id);
const PAGE = 50;             // history page size
const MAX_BACKOFF_S = 30;

const state = {
  user: null,        // {id, role, token, exp (ms)}
  chat: null,        // the chat JSON from REST, plus kind
  ws: null,          // the current socket; events of any other socket are ignored
  attempt: 0,        // reconnect attempts since the last successful open
  timers: {},
  byId: new Map(),   // message id -> <li>: drops duplicates from replays and retries
  seqToId: new Map(),
  contSeq: 0,        // highest seq with no hole below it (from the loaded baseline)
  resumeId: 0,       // that message's id: the after_id of the next connect
  pending: new Map(),// client_message_id -> {li, content}, until acked
  inflight: [],      // cmids (and {op} edits/deletes) sent on the current socket, in order, not yet answered
  opening: 0,        // counts openChat calls: a slower, older one gives way
  otherRead: 0,      // how far the other participant has read: my messages up to it get ✓✓
  myRead: 0,         // how far I told the server I have read
  typedAt: 0,        // when this page last sent typing (the server relays one per 2 s anyway)
};

const TYPING_SHOWN_MS = 3000;

// --- small helpers -----------------------------------------------------------

/** Creates an element: h('li', {className: 'x', dataset: {id: 1}}, 'text', child). */
function h(tag, props = {}, ...children) {
  const { dataset, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  Object.assign(node.dataset, dataset || {});
  node.append(...children);
  return node;
}

function showError(text, where = 'error') {
  $(where).textContent = text || '';
  $(where).hidden = !text;
}

// Runs an async UI action and shows its failure in the page's error region.
const guarded = (what, fn) => async (ev) => {
  if (ev && ev.type === 'submit') ev.preventDefault();
  try { await fn(ev); } catch (e) { showError(`${what}: ${e.message}`); }
};

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (state.user) headers.authorization = `Bearer ${state.user.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: report the status */ }
  if (res.ok) return data;
  // Errors are RFC 9457 problem details: `detail` is written for people.
  throw Object.assign(new Error((data && data.detail) || `${res.status} ${res.statusText}`), { status: res.status });
}

// created_at is UTC without a zone ("2024-01-01T12:00:00"): show it in local time.
function timeNode(createdAt) {
  const d = new Date(`${createdAt}Z`);
  return h('time', { dateTime: `${createdAt}Z`, title: d.toLocaleString(),
    textContent: d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) });
}

function senderName(senderId) {
  if (senderId === state.user.id) return 'You';
  const p = (state.chat.participants || []).find((x) => x.user_id === senderId);
  return p ? `User ${senderId} (${p.role})` : `User ${senderId}`;
}

// --- identity ------------------------------------------------------------------

async function getToken(userId, role) {
  const issued = await api('POST', '/dev/tokens', { user_id: userId, roles: [role] });
  state.user = { id: userId, role, token: issued.access_token, exp: Date.now() + issued.expires_in * 1000 };
  // A connection lives no longer than its token: a minute before it expires, fetch a
  // fresh one and hand it to the open socket with an `auth` frame.
  clearTimeout(state.timers.token);
  state.timers.token = setTimeout(() => getToken(userId, role).then(() => {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      state.ws.send(JSON.stringify({ type: 'auth', token: state.user.token }));
    }
  }).catch((e) => showError(`Could not refresh the token: ${e.message}`)), Math.max(5, issued.expires_in - 60) * 1000);
}

async function signIn(userId, role) {
  await getToken(userId, role);
  sessionStorage.setItem('chat-identity', JSON.stringify({ userId, role }));
  $('whoami').textContent = `Signed in as user ${userId} (${role}).`;
  document.querySelectorAll('[data-roles]').forEach((n) => {
    n.hidden = !n.dataset.roles.split(' ').includes(role);
  });
  // The creator is one party of a service chat; only an admin names both.
  $('client-id-row').hidden = role === 'client';
  $('master-id-row').hidden = role === 'master';
  $('chats').hidden = false;
  await refreshLists();
}

// --- chat lists ------------------------------------------------------------------

function chatLabel(chat) {
  const unread = chat.unread_count ? ` (${chat.unread_count} unread)` : '';
  return chatName(chat) + unread;
}

function chatName(chat) {
  if (chat.kind === 'service') {
    const other = state.user.id === chat.client_id ? `master ${chat.master_id}` : `client ${chat.client_id}`;
    return `Service chat #${chat.id} with ${other}`;
  }
  const who = chat.support_id ? `agent ${chat.support_id}` : 'waiting for an agent';
  return `Support chat #${chat.id}, client ${chat.client_id}, ${who}`;
}

function renderList(listId, chats, take) {
  const items = chats.map((chat) => {
    const button = h('button', { type: 'button', dataset: { testid: take ? 'take-chat' : 'open-chat', chatId: chat.id },
      onclick: () => (take ? takeChat(chat.id) : openChat(chat.kind, chat.id)) }, take ? `Take #${chat.id}` : chatLabel(chat));
    if (!take) button.dataset.unread = chat.unread_count || 0;
    if (!take) return h('li', {}, button);
    button.setAttribute('aria-label', `Take support chat #${chat.id} from client ${chat.client_id}`);
    return h('li', {}, h('span', {}, `Support chat #${chat.id} from client ${chat.client_id}`), button);
  });
  $(listId).replaceChildren(...(items.length ? items : [h('li', { className: 'empty' }, 'None yet.')]));
}

const refreshLists = guarded('Could not load the chat lists', async () => {
  const [service, support] = await Promise.all([api('GET', '/api/service-chats'), api('GET', '/api/support-chats')]);
  renderList('service-list', service, false);
  renderList('support-list', support, false);
  if (['support', 'admin'].includes(state.user.role)) {
    renderList('queue-list', await api('GET', '/api/support-chats?status=unassigned'), state.user.role === 'support');
  }
});

const takeChat = (id) => guarded(`Could not take support chat #${id}`, async () => {
  await api('POST', `/api/support-chats/${id}/assignee`, {});
  await refreshLists();
  await openChat('support', id);
})();

// --- one open chat ---------------------------------------------------------------

async function openChat(kind, id) {
  closeChat();
  showError('');
  const ticket = ++state.opening;
  try {
    const [chat, page] = await Promise.all([api('GET', `/api/${kind}-chats/${id}`),
      api('GET', `/api/${kind}-chats/${id}/messages?limit=${PAGE}`)]);
    if (ticket !== state.opening) return;
    state.chat = { ...chat, kind };
    $('chat-title').textContent = chatName(state.chat);
    const other = otherParticipant();
    state.otherRead = other ? other.last_read_seq : 0;
    const me = chat.participants.find((p) => p.user_id === state.user.id);
    state.myRead = me ? me.last_read_seq : 0;
    api('GET', `/api/${kind}-chats/${id}/presence`).then((all) => {
      const found = other && all.find((p) => p.user_id === other.user_id);
      if (found && ticket === state.opening) showPresence(found.user_id, found.online);
    }).catch(() => {});
    $('messages').setAttribute('aria-busy', 'true'); // don't read the whole history aloud
    page.forEach(addMessage);
    $('messages').removeAttribute('aria-busy');
    // The resume point starts at the newest loaded message; lower seqs are history.
    const last = page[page.length - 1];
    state.contSeq = last ? last.seq : 0;
    state.resumeId = last ? last.id : 0;
    $('older').hidden = page.length < PAGE;
    $('chat').hidden = false;
    $('messages').scrollTop = $('messages').scrollHeight;
    history.replaceState(null, '', `#${kind}/${id}`);
    $('content').focus();
    connect();
    markRead();
  } catch (e) {
    if (ticket === state.opening) showError(`Could not open ${kind} chat #${id}: ${e.message}`);
  }
}

function closeChat() {
  const ws = state.ws;
  state.ws = null; // first, so its close event is ignored
  if (ws) ws.close(1000, 'chat closed');
  Object.values(state.timers).forEach((t) => t !== state.timers.token && clearTimeout(t));
  Object.assign(state, { chat: null, attempt: 0, contSeq: 0, resumeId: 0, inflight: [], otherRead: 0, myRead: 0 });
  $('presence').textContent = '';
  $('typing').hidden = true;
  [state.byId, state.seqToId, state.pending].forEach((m) => m.clear());
  $('messages').replaceChildren();
  $('chat').hidden = true;
  setConn('idle', 'Not connected.');
  showError('', 'chat-error');
}

const loadOlder = guarded('Could not load older messages', async () => {
  const first = $('messages').querySelector('li[data-id]');
  if (!first || !state.chat) return;
  const older = await api('GET', `/api/${state.chat.kind}-chats/${state.chat.id}/messages?before_id=${first.dataset.id}&limit=${PAGE}`);
  const list = $('messages');
  const fromBottom = list.scrollHeight - list.scrollTop; // keep the reader where they were
  older.forEach(addMessage);
  list.scrollTop = list.scrollHeight - fromBottom;
  $('older').hidden = older.length < PAGE;
});

// Inserts a stored message in id order, or does nothing if it is already shown.
function addMessage(m) {
  if (state.byId.has(m.id)) return;
  const li = messageNode(m.sender_id, m.content);
  li.querySelector('.meta').append(timeNode(m.created_at));
  markStored(li, m);
  if (m.deleted) showDeleted(li);
  else if (m.edited_at) showEdited(li, m.content);
  if (m.sender_id === state.user.id && !m.deleted) addOwnActions(li);
  if (m.sender_id === state.user.id) setStatus(li, m.seq <= state.otherRead ? '✓✓ read' : '✓ sent', m.seq <= state.otherRead ? 'read' : 'sent');
  if (m.sender_id !== state.user.id) hideTyping();
  scheduleRead();
  const list = $('messages');
  const before = [...list.children].find((n) => !n.dataset.id || Number(n.dataset.id) > m.id);
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.insertBefore(li, before || null);
  if (nearBottom) list.scrollTop = list.scrollHeight;
}

function messageNode(senderId, content) {
  // textContent only, never innerHTML: content is whatever people typed.
  return h('li', { className: `msg ${senderId === state.user.id ? 'mine' : 'theirs'}`, dataset: { testid: 'message', sender: senderId } },
    h('div', { className: 'meta' }, h('span', { className: 'sender' }, senderName(senderId))),
    h('p', { className: 'body' }, content));
}

// Records a stored message and moves the resume point over seqs with no hole, so a
// reconnect never skips a message that was stored but not yet delivered to us.
function markStored(li, m) {
  li.dataset.id = m.id;
  li.dataset.seq = m.seq;
  state.byId.set(m.id, li);
  markSeq(m.seq, m.id);
}

function markSeq(seq, id) {
  state.seqToId.set(seq, id);
  while (state.seqToId.has(state.contSeq + 1)) {
    state.contSeq += 1;
    state.resumeId = Math.max(state.resumeId, state.seqToId.get(state.contSeq));
  }
}

function setStatus(li, text, status) {
  li.dataset.status = status;
  const meta = li.querySelector('.meta');
  const s = meta.querySelector('.status') || meta.appendChild(h('span', { className: 'status' }));
  s.textContent = text;
}

// --- sending -------------------------------------------------------------------------

function send(content) {
  const cmid = crypto.randomUUID();
  const li = messageNode(state.user.id, content);
  li.dataset.cmid = cmid;
  $('messages').append(li);
  $('messages').scrollTop = $('messages').scrollHeight;
  state.pending.set(cmid, { li, content });
  showError('', 'chat-error');
  transmit(cmid);
}

// Sends now if live; otherwise the message waits and goes out on the next open.
// A retry reuses the client_message_id, so the server stores it only once.
function transmit(cmid) {
  const p = state.pending.get(cmid);
  const live = state.ws && state.ws.readyState === WebSocket.OPEN;
  if (p) setStatus(p.li, live ? 'sending…' : 'waiting for the connection…', 'pending');
  if (!p || !live) return;
  state.ws.send(JSON.stringify({ type: 'message', content: p.content, client_message_id: cmid }));
  state.inflight.push(cmid);
}

function onAck(ack) {
  if (ack.message_id) { // an edit or delete of ours: apply it as the others see it
    const i = state.inflight.findIndex((c) => c.op && c.op.id === ack.message_id);
    const [{ op }] = i >= 0 ? state.inflight.splice(i, 1) : [{ op: null }];
    if (op) onChanged(op.type === 'edit' ? { type: 'edited', id: ack.id, seq: ack.seq, message_id: op.id, content: op.content } : { type: 'deleted', id: ack.id, seq: ack.seq, message_id: op.id });
    else markSeq(ack.seq, ack.id);
    return;
  }
  state.inflight = state.inflight.filter((c) => c !== ack.client_message_id);
  const p = state.pending.get(ack.client_message_id);
  if (!p) return;
  state.pending.delete(ack.client_message_id);
  if (state.byId.has(ack.id)) { p.li.remove(); return; } // it already came back in a replay
  p.li.querySelector('.meta').insertBefore(timeNode(ack.created_at), p.li.querySelector('.status'));
  markStored(p.li, ack);
  setStatus(p.li, ack.seq <= state.otherRead ? '✓✓ read' : '✓ sent', ack.seq <= state.otherRead ? 'read' : 'sent');
  addOwnActions(p.li);
  scheduleRead();
}

// --- editing and deleting one's own messages -------------------------------------

// Edit and Delete buttons on one's own stored message (the server refuses them
// after the edit window, and the refusal is shown).
function addOwnActions(li) {
  if (li.querySelector('.actions')) return;
  const edit = h('button', { type: 'button', dataset: { testid: 'edit' }, onclick: () => startEdit(li) }, 'Edit');
  const del = h('button', { type: 'button', dataset: { testid: 'delete' }, onclick: () => changeMessage(li, { type: 'delete', id: Number(li.dataset.id) }) }, 'Delete');
  li.querySelector('.meta').append(h('span', { className: 'actions' }, edit, del));
}

function startEdit(li) {
  if (li.querySelector('form')) return;
  const body = li.querySelector('.body');
  const input = h('input', { className: 'edit-input', value: body.textContent, dataset: { testid: 'edit-input' } });
  const form = h('form', { className: 'edit-form', onsubmit: (ev) => {
    ev.preventDefault();
    if (!input.value.trim()) return;
    changeMessage(li, { type: 'edit', id: Number(li.dataset.id), content: input.value });
    form.remove();
    body.hidden = false;
  } }, input, h('button', { type: 'submit', dataset: { testid: 'save-edit' } }, 'Save'),
  h('button', { type: 'button', onclick: () => { form.remove(); body.hidden = false; } }, 'Cancel'));
  body.hidden = true;
  li.append(form);
  input.focus();
}

// Edits and deletes go over the socket; the ack (or error) answers them in order.
function changeMessage(li, frame) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
    showError('Not connected: try again once the connection is back.', 'chat-error');
    return;
  }
  state.ws.send(JSON.stringify(frame));
  state.inflight.push({ op: frame });
}

// An edit or delete event of the chat's stream: it has a seq of its own.
function onChanged(f) {
  markSeq(f.seq, f.id);
  const li = state.byId.get(f.message_id);
  if (li && f.type === 'edited') showEdited(li, f.content);
  if (li && f.type === 'deleted') showDeleted(li);
  scheduleRead();
}

function showEdited(li, content) {
  li.querySelector('.body').textContent = content;
  const meta = li.querySelector('.meta');
  if (!meta.querySelector('.edited')) meta.append(h('span', { className: 'edited', dataset: { testid: 'edited' } }, '(edited)'));
}

function showDeleted(li) {
  li.dataset.deleted = 'true';
  const body = li.querySelector('.body');
  body.textContent = 'message deleted';
  body.classList.add('deleted');
  li.querySelectorAll('.actions, .edited, form').forEach((n) => n.remove());
  body.hidden = false;
}

// --- read receipts, typing, presence ---------------------------------------------

function otherParticipant() {
  return state.chat && state.chat.participants.find((p) => p.user_id !== state.user.id);
}

// What is shown has been read: tell the server (once the burst of a replay is over).
function scheduleRead() {
  clearTimeout(state.timers.read);
  state.timers.read = setTimeout(markRead, 300);
}

function markRead() {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN || state.contSeq <= state.myRead) return;
  state.myRead = state.contSeq;
  state.ws.send(JSON.stringify({ type: 'read', seq: state.contSeq }));
}

function onRead(f) {
  if (f.user_id === state.user.id) { state.myRead = Math.max(state.myRead, f.seq); return; }
  if (f.seq <= state.otherRead) return;
  state.otherRead = f.seq;
  for (const li of $('messages').querySelectorAll('li.mine[data-seq]')) {
    if (Number(li.dataset.seq) <= f.seq) setStatus(li, '✓✓ read', 'read');
  }
}

function onTyping(f) {
  if (f.user_id === state.user.id) return;
  $('typing').textContent = `${senderName(f.user_id)} is typing…`;
  $('typing').hidden = false;
  clearTimeout(state.timers.typing);
  state.timers.typing = setTimeout(hideTyping, TYPING_SHOWN_MS);
}

function hideTyping() {
  clearTimeout(state.timers.typing);
  $('typing').hidden = true;
}

function showPresence(userId, online) {
  const other = otherParticipant();
  if (!other || other.user_id !== userId) return;
  $('presence').textContent = `${senderName(userId)} is ${online ? 'online' : 'offline'}`;
  $('presence').dataset.online = online;
}

function typed() {
  const now = Date.now();
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN || now - state.typedAt < 2000) return;
  state.typedAt = now;
  state.ws.send(JSON.stringify({ type: 'typing' }));
}

// Error frames carry no client_message_id, but a connection answers its frames in
// order, so a send error belongs to the oldest unanswered message on this socket.
function onErrorFrame(f) {
  showError(`Server error (${f.code}): ${f.message}`, 'chat-error');
  if (f.code === 'invalid_token' || !state.inflight.length) return;
  const cmid = state.inflight.shift();
  if (cmid.op) return; // a refused edit or delete: the error says why, nothing changed
  const p = state.pending.get(cmid);
  if (!p) return;
  state.pending.delete(cmid);
  setStatus(p.li, `not sent (${f.code})`, 'failed');
  const retry = h('button', { type: 'button', onclick: () => { retry.remove(); state.pending.set(cmid, p); transmit(cmid); } }, 'Retry');
  p.li.querySelector('.meta').append(retry);
}

// --- the WebSocket -------------------------------------------------------------------

function setConn(kind, text) {
  $('conn-state').dataset.state = kind;
  $('conn-state').textContent = text;
  $('reconnect').hidden = !['reconnecting', 'closed'].includes(kind);
}

function connect() {
  clearTimeout(state.timers.countdown);
  const { kind, id } = state.chat;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/ws/${kind}-chats/${id}`
    + `?token=${encodeURIComponent(state.user.token)}&after_id=${state.resumeId}`;
  setConn('connecting', state.attempt ? `Connecting (attempt ${state.attempt + 1})…` : 'Connecting…');
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.onopen = () => {
    if (ws !== state.ws) return;
    state.attempt = 0;
    state.inflight = [];
    setConn('live', 'Live');
    for (const cmid of state.pending.keys()) transmit(cmid);
    markRead();
  };
  ws.onmessage = (ev) => { if (ws === state.ws) onFrame(ev.data); };
  ws.onclose = (ev) => { if (ws === state.ws) onClose(ev); };
}

function onFrame(data) {
  let f;
  try { f = JSON.parse(data); } catch { return; }
  if (f.type === 'message') addMessage(f);
  else if (f.type === 'ack') onAck(f);
  else if (f.type === 'error') onErrorFrame(f);
  else if (f.type === 'read') onRead(f);
  else if (f.type === 'typing') onTyping(f);
  else if (f.type === 'presence') showPresence(f.user_id, f.online);
  else if (f.type === 'edited' || f.type === 'deleted') onChanged(f);
  // pong, authenticated and unknown types need nothing: clients may ignore extras.
  // No application pings: the server's protocol pings already keep proxies awake.
}

async function onClose(ev) {
  state.ws = null;
  const { code } = ev;
  const chat = state.chat;
  const why = `closed (code ${code}${ev.reason ? `: ${ev.reason}` : ''})`;
  // 1009 (our frame too big) and 1008 for abuse: retrying would only repeat it.
  if (code === 1009 || (code === 1008 && Date.now() < state.user.exp - 5000)) {
    setConn('closed', `Connection ${why}.`);
    return;
  }
  // A refused handshake shows up as 1006 with no reason: ask REST whether retrying helps.
  if (code === 1006 || code === 1008) {
    try {
      await api('GET', `/api/${chat.kind}-chats/${chat.id}`);
    } catch (e) {
      if (e.status === 401) await getToken(state.user.id, state.user.role).catch(() => {});
      if (e.status === 403 || e.status === 404) {
        setConn('closed', `Connection ${why}: ${e.message}`);
        return;
      }
    }
    if (state.chat !== chat || state.ws) return; // the user moved on meanwhile
  }
  // Exponential backoff with jitter; an overloaded replica (1013) gets a longer pause.
  state.attempt += 1;
  const base = Math.min(MAX_BACKOFF_S, 2 ** (state.attempt - 1) * (code === 1013 ? 5 : 1));
  let left = Math.max(1, Math.round(base * (0.75 + Math.random() * 0.5)));
  // The countdown is hidden from screen readers: a live region ticking every second is noise.
  setConn('reconnecting', `Connection ${why}; reconnecting`);
  const secs = $('conn-state').appendChild(h('span'));
  secs.setAttribute('aria-hidden', 'true');
  const tick = () => {
    secs.textContent = ` in ${left}s…`;
    if (left-- <= 0) connect();
    else state.timers.countdown = setTimeout(tick, 1000);
  };
  tick();
}

// Back online, or the user asked: try now, counting the backoff from its start. An
// attempt still connecting began while offline: it is dropped (its events are ignored
// once it is no longer state.ws) for a fresh one.
function reconnectNow() {
  const pending = state.ws;
  if (!state.chat || (pending && pending.readyState !== WebSocket.CONNECTING)) return;
  state.attempt = 0;
  if (pending) {
    state.ws = null;
    pending.close();
  }
  connect();
}

// --- wiring --------------------------------------------------------------------------

function readId(input) {
  const n = Number(input.value);
  return Number.isInteger(n) && n > 0 ? n : null;
}

$('sign-in-form').addEventListener('submit', guarded('Could not sign in', async () => {
  const userId = readId($('user-id'));
  if (!userId) throw new Error('the user id must be a positive whole number');
  closeChat();
  showError('');
  await signIn(userId, $('role').value);
}));

$('service-form').addEventListener('submit', guarded('Could not open the service chat', async () => {
  const me = state.user;
  const clientId = me.role === 'client' ? me.id : readId($('client-id'));
  const masterId = me.role === 'master' ? me.id : readId($('master-id'));
  if (!clientId || !masterId) throw new Error('enter the other party\'s user id (a positive whole number)');
  const chat = await api('POST', '/api/service-chats', { client_id: clientId, master_id: masterId });
  await refreshLists();
  await openChat('service', chat.id);
}));

$('create-support').addEventListener('click', guarded('Could not open a support chat', async () => {
  const chat = await api('POST', '/api/support-chats', {});
  await refreshLists();
  await openChat('support', chat.id);
}));

$('composer').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const content = $('content').value;
  if (!content.trim() || !state.chat) return;
  send(content);
  $('content').value = '';
});

$('content').addEventListener('input', typed);

// Enter sends, Shift+Enter inserts a newline; Enter that ends an IME composition doesn't send.
$('content').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    $('composer').requestSubmit();
  }
});

$('refresh').onclick = refreshLists;
$('close-chat').onclick = () => { closeChat(); history.replaceState(null, '', '#'); };
$('older').onclick = loadOlder;
$('reconnect').onclick = reconnectNow;
window.addEventListener('online', reconnectNow); // back online: don't wait out the backoff

// A read-only handle for debugging and the browser tests (e.g. to drop the socket).
window.chatApp = { get socket() { return state.ws; }, get resumeId() { return state.resumeId; } };

// After a reload, come back as the same user to the same chat (#service/12).
(async () => {
  const saved = JSON.parse(sessionStorage.getItem('chat-identity') || 'null');
  if (!saved) return;
  $('user-id').value = saved.userId;
  $('role').value = saved.role;
  await guarded('Could not sign in again', () => signIn(saved.userId, saved.role))();
  const m = /^#(service|support)\/(\d+)$/.exec(location.hash);
  if (m && state.user) await openChat(m[1], Number(m[2]));
})();
