// Browser test of the standalone try-it page: starts the packaged jar on a free port with
// a throw-away H2 database, drives Debian's Chromium through playwright-core, and checks
// what a person would see: messages both ways exactly once, acks, error frames, and the
// reconnect path (state shown, resumed with after_id, nothing lost or doubled).
//
// Needs: the jar (./mvnw -B -DskipTests package -pl chat-service), /usr/bin/chromium
// (apt-get install chromium), a JDK >= 21 (found by tools/jdk.sh, as ./mvnw finds it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { findJar, limitRun, STARTUP_LIMIT_MS, startServer, stopServer } from './server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WAIT_MS = 15_000; // any single UI expectation
const WHOLE_RUN_LIMIT_MS = 115_000;
const EACH = { timeout: 45_000 }; // one test

const CLIENT = 1001;
const MASTER = 1002;
const AGENT = 2001;

let server; // {proc, log, dir, base}
let browser;

limitRun(WHOLE_RUN_LIMIT_MS, 'browser tests');

// --- the page -----------------------------------------------------------------------

async function openAs(userId, role, viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  page.on('pageerror', (e) => { page.jsErrors.push(String(e)); });
  page.jsErrors = [];
  page.sockets = sockets;
  await page.goto(server.base + '/');
  await page.getByTestId('user-id').fill(String(userId));
  await page.getByTestId('role').selectOption(role);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('whoami').filter({ hasText: `user ${userId} (${role})` }).waitFor();
  return page;
}

async function waitLive(page) {
  try {
    await page.locator('[data-testid="conn-state"][data-state="live"]').waitFor();
  } catch (e) {
    // Say what the page shows instead, so that a timeout here can be told apart.
    const [state, error] = await Promise.all([page.getByTestId('conn-state').textContent(),
      page.getByTestId('error').textContent()]);
    e.message += `\n  the page shows: "${state}"; error: "${error}"; sockets opened: ${page.sockets.length}`;
    throw e;
  }
}

async function openFromList(page, listTestId, chatId) {
  await page.getByTestId('refresh-chats').click();
  await page.getByTestId(listTestId).locator(`[data-testid="open-chat"][data-chat-id="${chatId}"]`).click();
  await waitLive(page);
}

/** What the page shows: one entry per message bubble, in display order. */
function shown(page) {
  return page.$$eval('[data-testid="message"]', (lis) => lis.map((li) => ({
    id: li.dataset.id ? Number(li.dataset.id) : null,
    sender: Number(li.dataset.sender),
    text: li.querySelector('.body').textContent,
    status: li.dataset.status || null,
    mine: li.classList.contains('mine'),
  })));
}

async function send(page, text, how = 'enter') {
  await page.getByTestId('message-input').fill(text);
  if (how === 'enter') await page.getByTestId('message-input').press('Enter');
  else await page.getByTestId('send').click();
}

/** Waits until the page shows exactly `expected` ([sender, text] pairs), all stored. */
async function expectConversation(page, expected, me) {
  const want = expected.map(([sender, text]) => ({ sender, text }));
  let last;
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    last = await shown(page);
    const same = JSON.stringify(last.map(({ sender, text }) => ({ sender, text }))) === JSON.stringify(want);
    if (same && last.every((m) => m.id !== null)) break;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(last.map(({ sender, text }) => ({ sender, text })), want, 'messages shown, in order, once each');
  const ids = last.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, `no duplicate ids: ${ids}`);
  assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'ascending ids');
  for (const m of last) {
    assert.equal(m.mine, m.sender === me, `mine/theirs for ${m.text}`);
    if (m.mine && m.status) assert.ok(['sent', 'read'].includes(m.status), `my message "${m.text}" acked: ${m.status}`);
  }
  return last;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// --- the tests ----------------------------------------------------------------------

describe('standalone try-it page', () => {
  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    findJar(); // fail fast, before anything starts
    mkdirSync(SHOTS, { recursive: true });
    const started = Date.now();
    server = await startServer();
    console.log(`# server ready at ${server.base} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // No internet here: keep Chromium from reaching out (and hanging) on start-up.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, { timeout: STARTUP_LIMIT_MS + 15_000 });

  after(async () => {
    try {
      if (browser) await browser.close();
    } finally {
      await stopServer(server);
    }
  }, { timeout: 20_000 });

  let client;
  let master;
  let chatId;
  const conversation = [];

  test('client and master chat both ways, each message shown exactly once', EACH, async () => {
    client = await openAs(CLIENT, 'client');
    master = await openAs(MASTER, 'master');

    await client.getByTestId('master-id').fill(String(MASTER));
    await client.getByTestId('create-service-chat').click();
    await waitLive(client);
    chatId = Number(/#service\/(\d+)/.exec(client.url())[1]);
    await openFromList(master, 'service-chat-list', chatId);

    const lines = [
      [CLIENT, 'Здравствуйте! Нужен ремонт крана 🚰🔧', client, 'enter'],
      [MASTER, 'Добрый день 👋 Могу завтра в 10:00', master, 'button'],
      [CLIENT, 'Отлично, договорились 👍', client, 'button'],
      [MASTER, 'See you tomorrow 😀\nsecond line', master, 'enter'],
    ];
    for (const [sender, text, page, how] of lines) {
      if (how === 'enter' && text.includes('\n')) {
        // Shift+Enter makes a new line instead of sending.
        const [a, b] = text.split('\n');
        await page.getByTestId('message-input').fill(a);
        await page.getByTestId('message-input').press('Shift+Enter');
        await page.getByTestId('message-input').pressSequentially(b);
        await page.getByTestId('message-input').press('Enter');
      } else {
        await send(page, text, how);
      }
      conversation.push([sender, text]);
      // Each side waits for the other's line: this is a conversation, not a race.
      await expectConversation(client, conversation, CLIENT);
      await expectConversation(master, conversation, MASTER);
    }
    assert.equal(await client.getByTestId('message-input').inputValue(), '', 'input cleared after sending');
    await shot(client, 'client-desktop');
    await shot(master, 'master-desktop');
  });

  test('read ticks, the unread count, typing and who is online', EACH, async () => {
    const presence = client.getByTestId('presence');
    await client.locator('[data-testid="presence"][data-online="true"]').waitFor();
    assert.match(await presence.textContent(), /online/);
    // The master has the chat open: everything the client sent is read.
    await client.locator('li.mine[data-status="read"]').first().waitFor();
    const statuses = await client.$$eval('li.mine', (lis) => lis.map((li) => li.dataset.status));
    assert.ok(statuses.length >= 2 && statuses.every((st) => st === 'read'), `all read: ${statuses}`);

    // Typing goes out at most once per 2 s, and the master just typed its last line.
    await master.waitForTimeout(2100);
    await master.getByTestId('message-input').fill('typing something');
    await client.getByTestId('typing').filter({ hasText: 'typing…' }).waitFor();
    await master.getByTestId('message-input').fill('');

    await master.getByTestId('close-chat').click();
    await client.locator('[data-testid="presence"][data-online="false"]').waitFor();
    await send(client, 'are you there?');
    await client.locator('li.mine[data-status="sent"]').filter({ hasText: 'are you there?' }).waitFor();
    await master.getByTestId('refresh-chats').click();
    const entry = master.getByTestId('service-chat-list').locator(`[data-testid="open-chat"][data-chat-id="${chatId}"]`);
    await master.waitForFunction((id) => {
      const b = document.querySelector(`#service-list [data-chat-id="${id}"]`);
      return b && b.dataset.unread === '1';
    }, chatId);
    assert.match(await entry.textContent(), /\(1 unread\)/);
    await openFromList(master, 'service-chat-list', chatId);
    await client.locator('li.mine[data-status="read"]').filter({ hasText: 'are you there?' }).waitFor();
    await client.locator('[data-testid="presence"][data-online="true"]').waitFor();
    conversation.push([CLIENT, 'are you there?']);
    await expectConversation(master, conversation, MASTER);
    await shot(client, 'client-read-ticks');
  });

  test('edit and delete of one\'s own messages reach the other side', EACH, async () => {
    const acked = (page, text) => page.locator('li.mine[data-id]').filter({ hasText: text });
    await send(client, 'a typo mesage');
    await acked(client, 'a typo mesage').getByTestId('edit').waitFor();
    await master.locator('li.theirs').filter({ hasText: 'a typo mesage' }).waitFor();
    assert.equal(await master.locator('li.theirs [data-testid="edit"]').count(), 0, 'no edit on others\' messages');

    await acked(client, 'a typo mesage').getByTestId('edit').click();
    await client.getByTestId('edit-input').fill('a typo message, fixed');
    await client.getByTestId('save-edit').click();
    const fixed = master.locator('li.theirs').filter({ hasText: 'a typo message, fixed' });
    await fixed.getByTestId('edited').waitFor();
    await acked(client, 'a typo message, fixed').getByTestId('edited').waitFor();
    conversation.push([CLIENT, 'a typo message, fixed']);

    await send(client, 'sent by mistake');
    await acked(client, 'sent by mistake').getByTestId('delete').waitFor();
    await master.locator('li.theirs').filter({ hasText: 'sent by mistake' }).waitFor();
    await acked(client, 'sent by mistake').getByTestId('delete').click();
    await master.locator('li.theirs[data-deleted="true"]').filter({ hasText: 'message deleted' }).waitFor();
    await client.locator('li.mine[data-deleted="true"]').waitFor();
    conversation.push([CLIENT, 'message deleted']);
    await expectConversation(master, conversation, MASTER);
    await expectConversation(client, conversation, CLIENT);
    await shot(master, 'master-sees-edit-and-delete');
  });

  test('an error frame is shown and the connection stays live', EACH, async () => {
    // Bypass the page's own blank check to get the server's answer.
    await client.evaluate(() => window.chatApp.socket.send('{"type":"message","content":"   "}'));
    const error = client.getByTestId('chat-error');
    await error.filter({ hasText: 'invalid_content' }).waitFor();
    await waitLive(client);
    await shot(client, 'client-error-frame');
  });

  test('after an unexpected close the master reconnects, resumes after the last id, and misses nothing', EACH, async () => {
    const before = await shown(master);
    // The resume point: the last id of the chat's stream seen with no hole below it,
    // which is the delete event's own id after the edit and delete test.
    const lastId = await master.evaluate(() => window.chatApp.resumeId);
    assert.ok(lastId > before.at(-1).id, `resume id ${lastId} beyond the last message shown, an event's id`);
    const socketsBefore = master.sockets.length;

    // Offline first, so the reconnect cannot succeed until we say so: the client's next
    // messages are then certainly stored while the master is away.
    await master.context().setOffline(true);
    await master.evaluate(() => window.chatApp.socket && window.chatApp.socket.close(4000, 'test: dropped'));
    const state = master.getByTestId('conn-state');
    await master.locator('[data-testid="conn-state"][data-state="reconnecting"]').waitFor();
    assert.match(await state.textContent(), /reconnecting in \d+s/);
    await shot(master, 'master-reconnecting');

    for (const text of ['Вы тут? 🤔', 'Пишу, пока вы офлайн ✉️']) {
      await send(client, text);
      conversation.push([CLIENT, text]);
    }
    await expectConversation(client, conversation, CLIENT);
    assert.equal((await shown(master)).length, before.length, 'the master is really away');

    // Coming back online reconnects at once (no need to wait out the backoff).
    await master.context().setOffline(false);
    await waitLive(master);
    await expectConversation(master, conversation, MASTER);
    const resumed = master.sockets.slice(socketsBefore).at(-1);
    assert.match(resumed, new RegExp(`[?&]after_id=${lastId}(&|$)`), `resumed with after_id=${lastId}: ${resumed}`);
    assert.doesNotMatch(await state.textContent(), /reconnecting/);

    // And the live path still works both ways after the resume.
    await send(master, 'Я снова здесь ✅');
    conversation.push([MASTER, 'Я снова здесь ✅']);
    await expectConversation(client, conversation, CLIENT);
    await expectConversation(master, conversation, MASTER);
  });

  test('a reload comes back to the same chat with its history, once', EACH, async () => {
    await client.reload();
    await waitLive(client);
    await expectConversation(client, conversation, CLIENT);
    await send(master, 'After your reload 🔄');
    conversation.push([MASTER, 'After your reload 🔄']);
    await expectConversation(client, conversation, CLIENT);
    await expectConversation(master, conversation, MASTER);
  });

  test('a 375px wide phone shows the chat without sideways scrolling', EACH, async () => {
    const phone = await openAs(MASTER, 'master', { width: 375, height: 812 });
    await openFromList(phone, 'service-chat-list', chatId);
    await expectConversation(phone, conversation, MASTER);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal overflow (${overflow}px)`);
    await shot(phone, 'master-375px');
    // Two connections of the master: the other one, not the sender, gets the message.
    await send(phone, 'Sent from my phone 📱');
    conversation.push([MASTER, 'Sent from my phone 📱']);
    await expectConversation(master, conversation, MASTER);
    await expectConversation(client, conversation, CLIENT);
    await phone.context().close();
  });

  test('a support agent takes a client\'s support chat from the queue', EACH, async () => {
    const agent = await openAs(AGENT, 'support');
    await client.getByTestId('create-support-chat').click();
    await client.getByTestId('chat-title').filter({ hasText: 'Support chat' }).waitFor();
    await waitLive(client);
    const supportId = Number(/#support\/(\d+)/.exec(client.url())[1]);
    await client.getByTestId('message-input').fill('Помогите, пожалуйста 🙏');
    await client.getByTestId('send').click();

    await agent.getByTestId('refresh-chats').click();
    await agent.getByTestId('support-queue').locator(`[data-testid="take-chat"][data-chat-id="${supportId}"]`).click();
    await waitLive(agent);
    await send(agent, 'Конечно, слушаю вас 🎧');
    const talk = [[CLIENT, 'Помогите, пожалуйста 🙏'], [AGENT, 'Конечно, слушаю вас 🎧']];
    await expectConversation(agent, talk, AGENT);
    await expectConversation(client, talk, CLIENT);
    await shot(agent, 'support-agent');
    await agent.context().close();
  });

  test('history loads the newest page first, older pages on request', EACH, async () => {
    const token = async (userId, role) => (await (await fetch(`${server.base}/dev/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: userId, roles: [role] }),
    })).json()).access_token;
    // As a well-behaved backend does: a 429 (REST sends are rate-limited per user) waits for Retry-After.
    const post = async (bearer, url, body) => {
      for (;;) {
        const res = await fetch(server.base + url, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(body),
        });
        if (res.status === 429) {
          await new Promise((resolve) => setTimeout(resolve, 1000 * Number(res.headers.get('retry-after'))));
          continue;
        }
        if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
        return res.json();
      }
    };
    const bearer = await token(3001, 'client');
    const chat = await post(bearer, '/api/service-chats', { client_id: 3001, master_id: 3002 });
    const texts = Array.from({ length: 60 }, (_, i) => `Сообщение ${i + 1}`);
    for (const content of texts) await post(bearer, `/api/service-chats/${chat.id}/messages`, { content });

    const reader = await openAs(3002, 'master');
    await openFromList(reader, 'service-chat-list', chat.id);
    await expectConversation(reader, texts.slice(10).map((t) => [3001, t]), 3002);
    await reader.getByTestId('load-older').click();
    await expectConversation(reader, texts.map((t) => [3001, t]), 3002);
    assert.ok(await reader.getByTestId('load-older').isHidden(), 'no more older pages');
    await reader.context().close();
  });

  test('no script errors on any page', EACH, () => {
    assert.deepEqual([...client.jsErrors, ...master.jsErrors], []);
  });
});
