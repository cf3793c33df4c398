// STOMP 1.2 at /ws/stomp as a JavaScript client speaks it: @stomp/stompjs over `ws` (Node 20
// has no global WebSocket), next to a raw WebSocket client of the same chat, against the
// packaged jar in standalone mode. Checks what the README promises a stomp.js user: messages
// both ways exactly once and in seq order, a RECEIPT after the commit carrying id and seq,
// no echo to the sending session, ERROR frames with the raw endpoints' codes, after-id resume.
//
// Needs: the jar (./mvnw -B -DskipTests package -pl chat-service), a JDK >= 21 (found by
// tools/jdk.sh, as ./mvnw finds it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';
import { findJar, limitRun, STARTUP_LIMIT_MS, startServer, stopServer } from './server.mjs';

const WAIT_MS = 10_000; // any single frame, receipt or close
const QUIET_MS = 500; // how long "nothing more arrives" is watched for
const WHOLE_RUN_LIMIT_MS = 120_000;
const EACH = { timeout: 30_000 }; // one test

let server; // {proc, log, dir, base}
const cleanups = new Set(); // sockets and clients still open, closed by after()

limitRun(WHOLE_RUN_LIMIT_MS, 'STOMP tests');

// --- waiting ------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function within(promise, what, ms = WAIT_MS) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** What a socket or subscription received, in arrival order. */
class Inbox {
  #items = [];
  #waiters = [];

  push(item) {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(what) {
    if (this.#items.length) return Promise.resolve(this.#items.shift());
    let waiter;
    const arrived = new Promise((resolve) => { waiter = resolve; this.#waiters.push(waiter); });
    return within(arrived, what).catch((e) => {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      throw e;
    });
  }

  async take(count, what) {
    const all = [];
    while (all.length < count) all.push(await this.next(`${what} (${all.length + 1} of ${count})`));
    return all;
  }

  /** Whatever is queued or still arrives within `ms`: empty when nothing more came. */
  async rest(ms = QUIET_MS) {
    await sleep(ms);
    return this.#items.splice(0);
  }
}

// --- the service --------------------------------------------------------------------

async function post(url, body, bearer) {
  const headers = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(server.base + url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function party(id, role) {
  return { id, token: (await post('/dev/tokens', { user_id: id, roles: [role] })).access_token };
}

async function serviceChat(clientId, masterId) {
  const client = await party(clientId, 'client');
  const master = await party(masterId, 'master');
  const { id } = await post('/api/service-chats', { client_id: clientId, master_id: masterId }, client.token);
  return { id, client, master, topic: `/topic/service-chats.${id}`, app: `/app/service-chats.${id}` };
}

const wsBase = () => server.base.replace(/^http/, 'ws');

// The frames these tests are about. Typing, read and presence signals share the socket and
// the subscription, come whenever a peer joins or types, and are tested where they are made.
const CHAT_FRAMES = new Set(['message', 'ack', 'error']);

/** A raw client of /ws/service-chats/{id}: JSON frames in, JSON frames out. */
async function raw(chatId, token) {
  const socket = new WebSocket(`${wsBase()}/ws/service-chats/${chatId}?token=${encodeURIComponent(token)}`);
  cleanups.add(() => socket.terminate());
  const inbox = new Inbox();
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (CHAT_FRAMES.has(frame.type)) inbox.push(frame);
  });
  await within(new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  }), 'raw socket open');
  return {
    inbox,
    send: (content) => socket.send(JSON.stringify({ type: 'message', content })),
  };
}

/**
 * A stomp.js client. `receipt(id)` must be called before the frame that asks for it is
 * sent; it resolves to the RECEIPT and rejects, with the frame as `e.frame`, on an ERROR
 * frame that carries the same receipt-id.
 */
function stomp({ token, url = `${wsBase()}/ws/stomp` }) {
  const errors = new Inbox();
  const waiting = new Map(); // receipt id -> reject
  let onConnected;
  let onClosed;
  const connectedFrame = new Promise((resolve) => { onConnected = resolve; });
  const closeEvent = new Promise((resolve) => { onClosed = resolve; });
  const client = new Client({
    webSocketFactory: () => new WebSocket(url, ['v12.stomp']),
    connectHeaders: token ? { Authorization: `Bearer ${token}` } : {},
    heartbeatIncoming: 10_000,
    heartbeatOutgoing: 10_000,
    reconnectDelay: 0, // a refused session must stay refused
    debug: () => {},
    onConnect: (frame) => onConnected(frame),
    onWebSocketClose: (event) => onClosed(event),
    onStompError: (frame) => {
      const reject = waiting.get(frame.headers['receipt-id']);
      if (reject) {
        waiting.delete(frame.headers['receipt-id']);
        reject(Object.assign(new Error(`ERROR ${frame.headers.message}: ${frame.body}`), { frame }));
      } else {
        errors.push(frame);
      }
    },
  });
  cleanups.add(() => client.deactivate({ force: true }));
  client.activate();

  const receipt = (id) => within(new Promise((resolve, reject) => {
    waiting.set(id, reject);
    client.watchForReceipt(id, (frame) => {
      waiting.delete(id);
      resolve(frame);
    });
  }), `RECEIPT ${id}`);

  let receipts = 0;
  return {
    client,
    errors,
    connectedFrame,
    closeEvent,
    /** SUBSCRIBE with a receipt; `subscribed` settles with the RECEIPT or the ERROR. */
    subscribe(destination, headers = {}) {
      const inbox = new Inbox();
      const id = `r-sub-${++receipts}`;
      const subscribed = receipt(id);
      const subscription = client.subscribe(destination, (message) => {
        if (CHAT_FRAMES.has(JSON.parse(message.body).type)) inbox.push(message);
      }, { ...headers, receipt: id });
      return { id: subscription.id, inbox, subscribed };
    },
    /** SEND with a receipt: resolves to the RECEIPT, which comes after the commit. */
    send(destination, content, clientMessageId) {
      const id = `r-send-${++receipts}`;
      const stored = receipt(id);
      client.publish({
        destination,
        headers: { receipt: id, 'content-type': 'application/json' },
        body: JSON.stringify({ content, client_message_id: clientMessageId }),
      });
      return stored;
    },
  };
}

async function connected(token) {
  const session = stomp({ token });
  const frame = await within(session.connectedFrame, 'CONNECTED');
  return { ...session, connected: frame };
}

/** A MESSAGE frame as the test compares it: the JSON body and the headers that matter. */
function received(message) {
  return { ...JSON.parse(message.body), seqHeader: message.headers.seq, subscription: message.headers.subscription };
}

// --- the tests ----------------------------------------------------------------------

describe('STOMP at /ws/stomp with stomp.js', () => {
  before(async () => {
    findJar(); // fail fast, before anything starts
    const started = Date.now();
    server = await startServer();
    console.log(`# server ready at ${server.base} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }, { timeout: STARTUP_LIMIT_MS + 15_000 });

  after(async () => {
    try {
      await within(Promise.allSettled([...cleanups].map((close) => close())), 'clients closed');
    } finally {
      await stopServer(server);
    }
  }, { timeout: 20_000 });

  test('a STOMP client and a raw client of one chat exchange messages both ways, once each, in seq order', EACH, async () => {
    const chat = await serviceChat(5001, 5002);
    const master = await raw(chat.id, chat.master.token);
    const phone = await connected(chat.client.token);
    assert.equal(phone.connected.headers.version, '1.2');
    assert.equal(phone.connected.headers['heart-beat'], '10000,10000');
    assert.equal(phone.connected.headers['user-name'], String(chat.client.id));
    const topic = phone.subscribe(chat.topic);
    await topic.subscribed;

    // Turn by turn: each side waits for the other's line.
    let seq = 0;
    for (let i = 1; i <= 3; i++) {
      master.send(`raw ${i} 🔧`);
      const ack = await master.inbox.next(`the ack of raw ${i}`);
      assert.equal(ack.type, 'ack');
      assert.equal(ack.seq, ++seq);
      const got = received(await topic.inbox.next(`raw ${i} at the STOMP client`));
      assert.deepEqual(
        { type: got.type, id: got.id, content: got.content, sender_id: got.sender_id, chat_id: got.chat_id, seq: got.seq },
        { type: 'message', id: ack.id, content: `raw ${i} 🔧`, sender_id: chat.master.id, chat_id: chat.id, seq },
      );
      assert.match(got.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.equal(got.seqHeader, String(seq), 'the seq header is the body\'s seq');
      assert.equal(got.subscription, topic.id);

      const stamp = await phone.send(chat.app, `stomp ${i} ✅`, `s-${i}`);
      assert.equal(stamp.headers.seq, String(++seq), 'the RECEIPT carries the seq');
      assert.match(stamp.headers.id, /^\d+$/, 'the RECEIPT carries the id');
      const there = await master.inbox.next(`stomp ${i} at the raw client`);
      assert.deepEqual(
        { type: there.type, id: there.id, content: there.content, sender_id: there.sender_id, seq: there.seq },
        { type: 'message', id: Number(stamp.headers.id), content: `stomp ${i} ✅`, sender_id: chat.client.id, seq },
      );
    }

    // Both at once: each side's lines arrive at the other in the order they were stored.
    const rawLines = Array.from({ length: 5 }, (_, i) => `raw burst ${i + 1}`);
    const stompLines = Array.from({ length: 5 }, (_, i) => `stomp burst ${i + 1}`);
    const stamps = Promise.all(stompLines.map((text, i) => phone.send(chat.app, text, `b-${i + 1}`)));
    rawLines.forEach((text) => master.send(text));
    const atMaster = await master.inbox.take(rawLines.length + stompLines.length, 'acks and messages at the raw client');
    const atPhone = (await topic.inbox.take(rawLines.length, 'raw burst at the STOMP client')).map(received);
    const receipts = (await stamps).map((frame) => ({ id: Number(frame.headers.id), seq: Number(frame.headers.seq) }));

    const acks = atMaster.filter((f) => f.type === 'ack');
    const messages = atMaster.filter((f) => f.type === 'message');
    assert.equal(acks.length, rawLines.length, `acks: ${JSON.stringify(atMaster)}`);
    assert.deepEqual(atPhone.map((m) => m.content), rawLines, 'the raw lines, once each, in the order sent');
    assert.deepEqual(atPhone.map((m) => [m.id, m.seq]), acks.map((a) => [a.id, a.seq]), 'as stored');
    assert.deepEqual(messages.map((m) => m.content), stompLines, 'the STOMP lines, once each, in the order sent');
    assert.deepEqual(messages.map((m) => [m.id, m.seq]), receipts.map((r) => [r.id, r.seq]), 'as their RECEIPTs say');
    const ascending = (list) => list.every((m, i) => i === 0 || list[i - 1].seq < m.seq);
    assert.ok(ascending(atPhone) && ascending(messages) && ascending(acks), 'seq ascends at each receiver');
    const allSeqs = [...acks, ...receipts].map((m) => m.seq).sort((a, b) => a - b);
    assert.deepEqual(allSeqs, Array.from({ length: 10 }, (_, i) => seq + 1 + i), 'no seq missed or given twice');
    assert.ok(atPhone.every((m) => m.seqHeader === String(m.seq) && m.subscription === topic.id));

    assert.deepEqual(await topic.inbox.rest(), [], 'nothing echoed to the sending session, nothing twice');
    assert.deepEqual(await master.inbox.rest(100), []);
    assert.deepEqual(await phone.errors.rest(0), [], 'no ERROR frames');
  });

  test('an invalid token is an ERROR frame invalid_token, then the close', EACH, async () => {
    const { token } = await party(5101, 'client');
    const [head, payload, signature] = token.split('.');
    const forged = `${head}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const cases = {
      'a bad signature in the Authorization header': { token: forged },
      'a malformed token in the handshake\'s token parameter': { url: `${wsBase()}/ws/stomp?token=not-a-jwt` },
    };
    for (const [what, how] of Object.entries(cases)) {
      const session = stomp(how);
      const error = await session.errors.next(`the ERROR frame for ${what}`);
      assert.equal(error.headers.message, 'invalid_token', what);
      assert.ok(error.body.trim().length > 0, `the ERROR frame explains itself (${what})`);
      const close = await within(session.closeEvent, `the close after ${what}`);
      assert.equal(close.code, 1008, what);
      const never = await Promise.race([session.connectedFrame.then(() => 'connected'), sleep(0).then(() => 'not')]);
      assert.equal(never, 'not', `never CONNECTED (${what})`);
    }
  });

  test('a stranger\'s SUBSCRIBE to someone else\'s chat is an ERROR forbidden, and the session goes on', EACH, async () => {
    const chat = await serviceChat(5201, 5202);
    const own = await serviceChat(5203, 5204);
    const master = await raw(chat.id, chat.master.token);
    const stranger = await connected(own.client.token);

    const peek = stranger.subscribe(chat.topic);
    const refused = await peek.subscribed.then(() => null, (e) => e.frame);
    assert.ok(refused, 'an ERROR frame, not a RECEIPT');
    assert.equal(refused.headers.message, 'forbidden');
    assert.match(refused.headers['receipt-id'], /^r-sub-/, 'the ERROR names the refused SUBSCRIBE');
    assert.ok(refused.body.includes(chat.topic), refused.body);

    master.send('not for strangers 🔒');
    assert.equal((await master.inbox.next('the ack')).type, 'ack');
    assert.deepEqual(await peek.inbox.rest(), [], 'the stranger hears nothing of the chat');
    assert.ok(stranger.client.connected, 'the refusal did not end the session');
    await stranger.subscribe(own.topic).subscribed;
  });

  test('a SUBSCRIBE with after-id gets exactly the messages after that id, then the live ones', EACH, async () => {
    const chat = await serviceChat(5301, 5302);
    const master = await raw(chat.id, chat.master.token);
    const laptop = await connected(chat.client.token);
    const history = [];
    for (const text of ['m1', 'm2', 'm3']) {
      master.send(text);
      const ack = await master.inbox.next(`the ack of ${text}`);
      history.push({ id: ack.id, seq: ack.seq, content: text, sender_id: chat.master.id });
    }
    for (const text of ['c4', 'c5']) {
      const stamp = await laptop.send(chat.app, text);
      history.push({ id: Number(stamp.headers.id), seq: Number(stamp.headers.seq), content: text, sender_id: chat.client.id });
    }
    await master.inbox.take(2, 'c4 and c5 at the raw client');

    // The same user's phone comes back: what it missed includes what the laptop sent.
    const phone = await connected(chat.client.token);
    const topic = phone.subscribe(chat.topic, { 'after-id': String(history[1].id) });
    await topic.subscribed;
    const replayed = (await topic.inbox.take(3, 'the messages after m2')).map(received);
    const view = ({ id, seq, content, sender_id }) => ({ id, seq, content, sender_id });
    assert.deepEqual(replayed.map(view), history.slice(2), 'exactly the ones after the id, in order');
    assert.deepEqual(await topic.inbox.rest(), [], 'nothing before the id, nothing twice');

    master.send('m6 live');
    const ack = await master.inbox.next('the ack of m6');
    const live = received(await topic.inbox.next('m6 at the resumed subscription'));
    assert.deepEqual(view(live), { id: ack.id, seq: 6, content: 'm6 live', sender_id: chat.master.id });
    assert.deepEqual(await topic.inbox.rest(), [], 'the live message once');
  });
});
