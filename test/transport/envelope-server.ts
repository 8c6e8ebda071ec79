/**
 * A small live server that speaks the modelled production system's envelope (codecs.envelope):
 * `{ type, payload: { thread_id, content }, message_id }` in, agent events
 * `{ type, run_id, agent_name, timestamp, payload, thread_id }` out — no event ids, no sequence
 * numbers, no acks. `forgetThinking` makes it drop agent_thinking of every second run, a loss
 * only the run lifecycle can reveal.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export async function startEnvelopeServer(options: { forgetThinking?: boolean } = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let runs = 0;
  wss.on('connection', (ws, req) => {
    const user = new URL(req.url ?? '/', 'ws://x').searchParams.get('token')?.replace(/^tok-/, '') ?? null;
    if (user === null) return ws.close(1008, 'no token');
    ws.send(JSON.stringify({ type: 'connection_established', payload: { connection_id: `conn_${runs}` } }));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; payload?: { thread_id?: string }; message_id?: string };
      if (frame.type === 'ping') return ws.send(JSON.stringify({ type: 'pong', payload: {} }));
      if (frame.type !== 'user_message') return;
      const thread = frame.payload?.thread_id;
      if (!thread || !thread.startsWith(`${user}-`)) {
        return ws.send(JSON.stringify({ type: 'error', payload: { error: 'thread not found', code: 'forbidden' }, message_id: frame.message_id }));
      }
      const run = `run_${++runs}`;
      const skipThinking = options.forgetThinking === true && runs % 2 === 0;
      const emit = (type: string, atMs: number): void => {
        setTimeout(() => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type, run_id: run, agent_name: 'supervisor', timestamp: Date.now() / 1000, payload: {}, thread_id: thread }));
        }, atMs);
      };
      emit('agent_started', 2);
      if (!skipThinking) emit('agent_thinking', 8);
      emit('tool_executing', 12);
      emit('tool_completed', 18);
      emit('agent_completed', 25);
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}
