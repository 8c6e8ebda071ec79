// A small chat server, written as an ordinary `ws` application (it knows nothing of threadline):
// a per-user map of connections, an asynchronous ownership check of the thread, a heartbeat
// that pings every connection, and agent runs whose events go to the user's connections that
// show the run's thread.
//
// racy.js with its races fixed, each with the least change:
//  - the first-message race: a connection shows the thread it declares (at connect, on a
//    switch, on a message) at once, and the ownership check takes it back if it fails; a run
//    starts only after its check, so its first event always finds the connection;
//  - a thread switch during a run: the connection that sent the message still gets its run's
//    events after it moved to another thread;
//  - a message lost in a dropped connection: connection_ready declares acks, each message (and
//    switch) is acknowledged once its run started (once it is shown), and a resent one (same id) is acknowledged again as a
//    duplicate instead of starting a second run.
// See docs/own-server.md.
//
// Run it for real:    node examples/chat-server/fixed.js          (PORT=8080 by default)
// Judge it, simulated: threadline run rapid-send --server examples/chat-server/fixed.js
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { startAgentRun } from '#agent-backend';

const PORT = Number(process.env.PORT ?? 8080);
const HEARTBEAT_MS = 30_000;

/** user → (connection → what it shows) */
const connectionsByUser = new Map();

/** Tokens are "user:<id>" in this example (a development sign-in). */
function userOf(url) {
  const token = url.searchParams.get('token') ?? '';
  return token.startsWith('user:') ? token.slice('user:'.length) : null;
}

/** The store: does the user own the thread? A database round trip of 5–9 ms. */
async function ownsThread(user, thread) {
  await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 5)));
  return typeof thread === 'string' && thread.length > 0;
}

/** user → (message id → run id): a resent message is not run twice. */
const runsByMessage = new Map();

function deliver(user, thread, origin, frame) {
  const text = JSON.stringify(frame);
  let sent = 0;
  for (const [ws, shown] of connectionsByUser.get(user) ?? []) {
    if ((shown.thread === thread || ws === origin) && ws.readyState === ws.OPEN) {
      ws.send(text);
      sent++;
    }
  }
  if (sent === 0) console.warn(`No connections found for thread ${thread}`);
}

/** Show `thread` on the connection now; take it back if the user does not own it. */
async function show(user, shown, thread) {
  const before = shown.thread;
  shown.thread = thread;
  const ok = await ownsThread(user, thread);
  if (!ok && shown.thread === thread) shown.thread = before;
  return ok;
}

const wss = new WebSocketServer({ port: PORT, path: '/ws' });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://localhost');
  const user = userOf(url);
  if (user === null) return ws.close(1008, 'unauthorized');
  if (!connectionsByUser.has(user)) connectionsByUser.set(user, new Map());
  const shown = { thread: null, alive: true };
  connectionsByUser.get(user).set(ws, shown);
  ws.send(JSON.stringify({ type: 'connection_ready', connection_id: randomUUID(), acks: true }));

  const first = url.searchParams.get('thread_id');
  if (first) void show(user, shown, first);

  ws.on('pong', () => (shown.alive = true));
  ws.on('close', () => connectionsByUser.get(user)?.delete(ws));
  ws.on('message', async (data) => {
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return ws.send(JSON.stringify({ type: 'error', code: 'bad_json', message: 'not JSON' }));
    }
    if (frame.type === 'ping') return ws.send(JSON.stringify({ type: 'pong' }));
    if (frame.type === 'switch_thread') {
      if (!frame.thread_id) return;
      const ok = await show(user, shown, frame.thread_id);
      if (frame.id) ws.send(JSON.stringify(ok ? { type: 'message_ack', ref: frame.id } : { type: 'error', code: 'forbidden', message: 'not your thread', ref: frame.id }));
      return;
    }
    if (frame.type !== 'user_message' || !frame.id || !frame.thread_id) return;
    const thread = frame.thread_id;
    if (!runsByMessage.has(user)) runsByMessage.set(user, new Map());
    const runs = runsByMessage.get(user);
    if (runs.has(frame.id)) return ws.send(JSON.stringify({ type: 'message_ack', ref: frame.id, run_id: runs.get(frame.id), duplicate: true }));
    runs.set(frame.id, null);
    // The fix: show the thread first, start the run once the check passed.
    if (!(await show(user, shown, thread))) {
      runs.delete(frame.id);
      return ws.send(JSON.stringify({ type: 'error', code: 'forbidden', message: 'not your thread', ref: frame.id }));
    }
    const run = startAgentRun({ userId: user, threadId: thread, messageId: frame.id }, (event) =>
      deliver(user, thread, ws, { type: event.type, user_id: user, thread_id: thread, run_id: event.runId, ts: Date.now(), eid: event.eid }),
    );
    runs.set(frame.id, run.runId);
    ws.send(JSON.stringify({ type: 'message_ack', ref: frame.id, run_id: run.runId }));
  });
});

// Heartbeat: a connection that did not answer the last ping is gone.
const heartbeat = setInterval(() => {
  for (const connections of connectionsByUser.values()) {
    for (const [ws, shown] of connections) {
      if (!shown.alive) {
        ws.terminate();
        continue;
      }
      shown.alive = false;
      ws.ping();
    }
  }
}, HEARTBEAT_MS);
wss.on('close', () => clearInterval(heartbeat));
wss.on('listening', () => console.log(`chat server (fixed) listening on ws://127.0.0.1:${PORT}/ws`));
