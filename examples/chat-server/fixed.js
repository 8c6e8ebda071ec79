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
//    switch) is acknowledged once its run started (once it is shown), and a resent one (same id)
//    is acknowledged again as a duplicate instead of starting a second run;
//  - events lost in a dropped or half-open connection: every event gets a sequence number in
//    its (user, thread) stream and a stable id, the server keeps each stream for two minutes
//    (RESUME_WINDOW_MS, declared in connection_ready), and a reconnecting client's `resume`
//    ({ last_seq, have } per thread) gets what it missed. Until that resume comes, live events
//    are not sent to the new connection (the replay carries them), so nothing older arrives
//    after something newer;
//  - events produced after the user switched, before the switch reached the server: a
//    connection that moves to a thread gets the thread's recent events it has not had (a gap
//    notice names those that could only arrive out of order).
// See docs/own-server.md.
//
// Run it for real:    node examples/chat-server/fixed.js          (PORT=8080 by default)
// Judge it, simulated: threadline run rapid-send --server examples/chat-server/fixed.js
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { startAgentRun } from '#agent-backend';

const PORT = Number(process.env.PORT ?? 8080);
const HEARTBEAT_MS = 30_000;
/** How long a stream's events are kept for a resume, and at most how many per stream. */
const RESUME_WINDOW_MS = 120_000;
const RETAINED_PER_STREAM = 1_000;
/** Ids of events past the window, per stream, that a gap notice can still name. */
const EXPIRED_IDS_PER_STREAM = 10_000;
/** A reconnect that announced a resume (?resume=1) but sends none within this is served live. */
const RESUME_WAIT_MS = 1_000;
/** A connection that switches to a thread gets the thread's events of the last 10 s. */
const CATCH_UP_MS = 10_000;

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

/** user → thread → { seq: last sequence number, kept: [{ seq, run, eid, text, atMs }], expiredThrough, expired: [{ seq, eid }] } */
const streams = new Map();

function streamOf(user, thread) {
  if (!streams.has(user)) streams.set(user, new Map());
  const byThread = streams.get(user);
  if (!byThread.has(thread)) byThread.set(thread, { seq: 0, kept: [], expiredThrough: 0, expired: [] });
  return byThread.get(thread);
}

/**
 * Write an event to one connection, once: `shown.had` remembers per thread the sequence numbers
 * this connection carried (`newest`: the highest), and `shown.held` what the client said it holds
 * in its resume, so a catch-up or a replay never sends it a copy it has.
 */
function send(ws, shown, thread, { seq, text }) {
  if (!shown.had.has(thread)) shown.had.set(thread, new Set());
  const had = shown.had.get(thread);
  if (had.has(seq) || holds(shown.held[thread], seq)) return;
  had.add(seq);
  shown.newest.set(thread, Math.max(seq, shown.newest.get(thread) ?? 0));
  ws.send(text);
}

/** Number the event in its stream, keep it for a resume, send it to the connections that show it. */
function deliver(user, thread, originSession, event) {
  const stream = streamOf(user, thread);
  const now = Date.now();
  const seq = ++stream.seq;
  const entry = { seq, run: event.run_id, eid: event.eid, text: JSON.stringify({ ...event, seq, msg_id: event.eid }), atMs: now };
  stream.kept.push(entry);
  while (stream.kept.length > RETAINED_PER_STREAM || stream.kept[0].atMs < now - RESUME_WINDOW_MS) {
    const gone = stream.kept.shift();
    stream.expiredThrough = gone.seq;
    // Remembered by id, so a gap notice can name what will never come.
    stream.expired.push({ seq: gone.seq, eid: gone.eid });
    if (stream.expired.length > EXPIRED_IDS_PER_STREAM) stream.expired.shift();
  }
  let sent = 0;
  for (const [ws, shown] of connectionsByUser.get(user) ?? []) {
    if ((shown.thread === thread || shown.session === originSession) && ws.readyState === ws.OPEN) {
      // A reconnect still waiting for its resume gets this event in the replay.
      if (!shown.awaitingResume) send(ws, shown, thread, entry);
      sent++;
    }
  }
  if (sent === 0) console.warn(`No connections found for thread ${thread}`);
}

/** Is `seq` inside one of the client's [from, to] ranges? */
function holds(ranges, seq) {
  return Array.isArray(ranges) && ranges.some((r) => Array.isArray(r) && seq >= r[0] && seq <= r[1]);
}

/** A resume: per thread, every kept event after the client's position that it does not hold. */
function replay(ws, shown, user, lastSeq, have) {
  for (const [thread, position] of Object.entries(lastSeq ?? {})) {
    if (typeof position !== 'number') continue;
    // Everything up to its position counts as held: a hole below it is history from before the
    // tab came to the thread, and sending it now would put it after newer events of its run.
    shown.held[thread] = [[0, position], ...(Array.isArray(have?.[thread]) ? have[thread] : [])];
    const stream = streams.get(user)?.get(thread);
    if (!stream) continue;
    if (stream.expiredThrough > position) {
      const eids = stream.expired.filter((e) => e.seq > position && !holds(shown.held[thread], e.seq)).map((e) => e.eid);
      ws.send(JSON.stringify({ type: 'gap', thread_id: thread, from_seq: position + 1, to_seq: stream.expiredThrough, reason: 'resume_window', eids }));
    }
    for (const entry of stream.kept) send(ws, shown, thread, entry);
  }
}

/**
 * A connection that moves to a thread gets its last CATCH_UP_MS: a run's events produced after
 * the user chose the thread, but before the switch reached the server, are among them. One
 * older than an event of the thread this connection already carried (a run it started kept
 * coming here) can only arrive out of order: a gap notice names it instead.
 */
function catchUp(ws, shown, user, thread) {
  const stream = streams.get(user)?.get(thread);
  if (!stream) return;
  const since = Date.now() - CATCH_UP_MS;
  const newest = shown.newest.get(thread) ?? 0;
  for (const entry of stream.kept) {
    if (entry.atMs < since || shown.had.get(thread)?.has(entry.seq) || holds(shown.held[thread], entry.seq)) continue;
    if (entry.seq < newest) ws.send(JSON.stringify({ type: 'gap', thread_id: thread, from_seq: entry.seq, to_seq: entry.seq, reason: 'out_of_order', eids: [entry.eid] }));
    else send(ws, shown, thread, entry);
  }
}

/**
 * Show `thread` on the connection now, catching it up when it moved there (not at connect: a new
 * tab has missed nothing, a reconnect resumes); take it back if the user does not own it.
 */
async function show(ws, user, shown, thread, moved) {
  const before = shown.thread;
  shown.thread = thread;
  if (moved && before !== thread && !shown.awaitingResume) catchUp(ws, shown, user, thread);
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
  // The client's session is the same on every reconnect of a tab: a run follows the tab that asked.
  const shown = { thread: null, alive: true, session: url.searchParams.get('session') ?? randomUUID(), awaitingResume: url.searchParams.get('resume') === '1', had: new Map(), newest: new Map(), held: {} };
  connectionsByUser.get(user).set(ws, shown);
  ws.send(JSON.stringify({ type: 'connection_ready', connection_id: randomUUID(), acks: true, resume_window_ms: RESUME_WINDOW_MS }));
  if (shown.awaitingResume) {
    // No resume after all: serve it live from now on (what it missed stays missed).
    const wait = setTimeout(() => (shown.awaitingResume = false), RESUME_WAIT_MS);
    ws.on('close', () => clearTimeout(wait));
  }

  const first = url.searchParams.get('thread_id');
  if (first) void show(ws, user, shown, first, false);

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
    if (frame.type === 'resume') {
      // Synchronous from here to the end of the replay: no live event can come in between.
      replay(ws, shown, user, frame.last_seq, frame.have);
      shown.awaitingResume = false;
      return;
    }
    if (frame.type === 'switch_thread') {
      if (!frame.thread_id) return;
      const ok = await show(ws, user, shown, frame.thread_id, true);
      if (frame.id) ws.send(JSON.stringify(ok ? { type: 'message_ack', ref: frame.id } : { type: 'error', code: 'forbidden', message: 'not your thread', ref: frame.id }));
      return;
    }
    if (frame.type !== 'user_message' || !frame.id || !frame.thread_id) return;
    const thread = frame.thread_id;
    if (!runsByMessage.has(user)) runsByMessage.set(user, new Map());
    const runs = runsByMessage.get(user);
    if (runs.has(frame.id)) return ws.send(JSON.stringify({ type: 'message_ack', ref: frame.id, run_id: runs.get(frame.id), duplicate: true }));
    runs.set(frame.id, null);
    // The fix: show the thread first, start the run once the check passed. A resend (the
    // client's outbox after a reconnect) does not move the connection: the user may be elsewhere
    // by now, and the run's events follow the tab that asked anyway.
    const ok = frame.resend === true ? await ownsThread(user, thread) : await show(ws, user, shown, thread, true);
    if (!ok) {
      runs.delete(frame.id);
      return ws.send(JSON.stringify({ type: 'error', code: 'forbidden', message: 'not your thread', ref: frame.id }));
    }
    const run = startAgentRun({ userId: user, threadId: thread, messageId: frame.id }, (event) =>
      deliver(user, thread, shown.session, { type: event.type, user_id: user, thread_id: thread, run_id: event.runId, ts: Date.now(), eid: event.eid }),
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
