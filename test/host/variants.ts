/**
 * Variants of the example servers for the own-server tests, made from examples/chat-server/ at
 * test time (one source of the server; a variant is a few exact edits, each of which must match,
 * so a change to an example breaks the variant loudly rather than silently testing something
 * else). Written as .mjs files into a scratch folder: in a run, 'ws' and '#agent-backend' are
 * mapped by the CLI's module hook, so the folder needs no node_modules.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Edit = [from: string, to: string];

const VARIANTS: Record<string, { example: 'racy' | 'fixed'; edits: Edit[] }> = {
  // The WebSocketServer on the app's HTTP server ({ server }), as apps with a web page do.
  'http-server': {
    example: 'fixed',
    edits: [
      ["import { randomUUID } from 'node:crypto';", "import { randomUUID } from 'node:crypto';\nimport { createServer } from 'node:http';"],
      ["const wss = new WebSocketServer({ port: PORT, path: '/ws' });", "const http = createServer((req, res) => res.end('ok'));\nconst wss = new WebSocketServer({ server: http, path: '/ws' });\nhttp.listen(PORT);"],
    ],
  },
  // { noServer } with handleUpgrade from the HTTP server's 'upgrade' event, and a refusal path.
  'no-server': {
    example: 'fixed',
    edits: [
      ["import { randomUUID } from 'node:crypto';", "import { randomUUID } from 'node:crypto';\nimport { createServer } from 'node:http';"],
      [
        "const wss = new WebSocketServer({ port: PORT, path: '/ws' });",
        `const http = createServer((req, res) => res.end('ok'));
const wss = new WebSocketServer({ noServer: true, path: '/ws' });
http.on('upgrade', (req, socket, head) => {
  const token = new URL(req.url, 'http://localhost').searchParams.get('token') ?? '';
  if (!token.startsWith('user:')) {
    socket.write('HTTP/1.1 401 Unauthorized\\r\\n\\r\\n');
    return socket.destroy();
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
http.listen(PORT);`,
      ],
    ],
  },
  // racy.js with an agent of its own instead of '#agent-backend': the truth must be inferred.
  'own-agent': {
    example: 'racy',
    edits: [
      [
        "import { startAgentRun } from '#agent-backend';",
        `let runs = 0;
function startAgentRun(request, onEvent) {
  const runId = \`own-\${++runs}\`;
  const types = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'];
  types.forEach((type, index) => setTimeout(() => onEvent({ type, runId, index, eid: \`\${runId}#\${index}\` }), 1 + index * 100));
  return { runId };
}`,
      ],
    ],
  },
};

let dir: string | null = null;

/** The path of a variant's server file (written once per test process). */
export function variant(name: keyof typeof VARIANTS): string {
  dir ??= mkdtempSync(join(tmpdir(), 'threadline-variants-'));
  const { example, edits } = VARIANTS[name]!;
  let source = readFileSync(new URL(`../../examples/chat-server/${example}.js`, import.meta.url), 'utf8');
  for (const [from, to] of edits) {
    if (!source.includes(from)) throw new Error(`variant ${name}: examples/chat-server/${example}.js no longer contains ${JSON.stringify(from)}; update test/host/variants.ts`);
    source = source.replace(from, to);
  }
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  return file;
}
