// A deliberately naive chat router, written against threadline's plug-in seam the way a team
// would write its first version. It checks that the user owns the thread (a store look-up that
// takes time), starts the agent run at once so the user waits less, and binds the connection
// to the thread when the look-up returns. threadline finds the race: the run's first event
// can be emitted before the binding exists, and it goes nowhere. See docs/library.md.
import { defineServer, type SocketLike } from 'threadline';

export default defineServer((env) => {
  const owned = new Set(env.users.flatMap((u) => u.threads.map((t) => `${u.id}/${t}`)));
  const bound = new Map<string, Set<SocketLike>>(); // "user/thread" → sockets showing it
  const sockets = new Set<SocketLike>();
  let nextConnection = 1;

  // The store answers in 2–6 ms, like a database round trip.
  const lookUp = async (user: string, thread: string): Promise<boolean> => {
    await env.clock.sleep(env.rng.int(2_000, 6_000));
    return owned.has(`${user}/${thread}`);
  };
  const bind = (socket: SocketLike, key: string): void => {
    for (const set of bound.values()) set.delete(socket);
    if (!bound.has(key)) bound.set(key, new Set());
    bound.get(key)!.add(socket);
  };

  env.listen((socket, handshake) => {
    const user = env.authenticate(handshake);
    if (user === null) return socket.close(1008, 'unauthorized');
    sockets.add(socket);
    socket.send(JSON.stringify({ type: 'connection_ready', connection_id: `n${nextConnection++}` }));
    socket.on('close', () => {
      sockets.delete(socket);
      for (const set of bound.values()) set.delete(socket);
    });
    socket.on('message', async (data) => {
      let frame: { type?: string; id?: string; thread_id?: string };
      try {
        frame = JSON.parse(String(data));
      } catch {
        return socket.send(JSON.stringify({ type: 'error', code: 'bad_json', message: 'not JSON' }));
      }
      if (frame.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
      if (frame.type !== 'user_message' || !frame.thread_id || !frame.id) return;
      const key = `${user}/${frame.thread_id}`;
      const check = lookUp(user, frame.thread_id);
      // The naive part: the agent starts before the look-up (and so the binding) is done.
      env.backend.startRun({ userId: user, threadId: frame.thread_id, messageId: frame.id }, (event) => {
        const text = JSON.stringify({ type: event.type, user_id: user, thread_id: frame.thread_id, run_id: event.runId, ts: event.producedAtUs, eid: event.eid });
        const targets = bound.get(key);
        if (!targets || targets.size === 0) return env.log.warn(`No connections found for thread ${frame.thread_id}`);
        for (const s of targets) s.send(text);
      });
      if (await check) bind(socket, key);
      else socket.send(JSON.stringify({ type: 'error', code: 'forbidden', message: 'not your thread', ref: frame.id }));
    });
  });

  return {
    shutdown() {
      for (const s of sockets) s.close(1001, 'server shutting down');
    },
  };
}, { name: 'naive-router' });
