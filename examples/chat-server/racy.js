// A small chat server, written as an ordinary `ws` application (it knows nothing of threadline):
// a per-user map of connections, an asynchronous ownership check of the thread, a heartbeat
// that pings every connection, and agent runs whose events go to the user's connections that
// show the run's thread.
//
// It has the first-message race: on a user_message it starts the agent run at once, so the
// user waits less, and binds the connection to the thread only when the ownership check
// returns. A first message sent right after connecting (the connect's own check still running)
// has its first events emitted before any connection shows the thread, and they are lost:
// "No connections found for thread". See examples/chat-server/fixed.js and docs/own-server.md.
//
// Run it for real:    node examples/chat-server/racy.js          (PORT=8080 by default)
// Judge it, simulated: threadline run rapid-send --server examples/chat-server/racy.js
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

function deliver(user, thread, frame) {
  const text = JSON.stringify(frame);
  let sent = 0;
  for (const [ws, shown] of connectionsByUser.get(user) ?? []) {
    if (shown.thread === thread && ws.readyState === ws.OPEN) {
      ws.send(text);
      sent++;
    }
  }
  if (sent === 0) console.warn(`No connections found for thread ${thread}`);
}

const wss = new WebSocketServer({ port: PORT, path: '/ws' });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://localhost');
  const user = userOf(url);
  if (user === null) return ws.close(1008, 'unauthorized');
  if (!connectionsByUser.has(user)) connectionsByUser.set(user, new Map());
  const shown = { thread: null, alive: true };
  connectionsByUser.get(user).set(ws, shown);
  ws.send(JSON.stringify({ type: 'connection_ready', connection_id: randomUUID() }));

  const first = url.searchParams.get('thread_id');
  if (first) ownsThread(user, first).then((ok) => ok && (shown.thread = first));

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
      if (await ownsThread(user, frame.thread_id)) shown.thread = frame.thread_id;
      return;
    }
    if (frame.type !== 'user_message' || !frame.id || !frame.thread_id) return;
    const thread = frame.thread_id;
    const check = ownsThread(user, thread);
    // The race: the run starts before the check (and so the binding) is done.
    startAgentRun({ userId: user, threadId: thread, messageId: frame.id }, (event) =>
      deliver(user, thread, { type: event.type, user_id: user, thread_id: thread, run_id: event.runId, ts: Date.now(), eid: event.eid }),
    );
    if (await check) shown.thread = thread;
    else ws.send(JSON.stringify({ type: 'error', code: 'forbidden', message: 'not your thread', ref: frame.id }));
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
wss.on('listening', () => console.log(`chat server (racy) listening on ws://127.0.0.1:${PORT}/ws`));
