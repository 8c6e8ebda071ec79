// What `require('ws')` gets in a team's CommonJS server inside a threadline run: the simulated
// ws (src/host/ws.ts), which registers itself on a global symbol when threadline loads it. Node 20
// cannot require() an ES module, hence this bridge; src/host/require-hook.ts points 'ws' here.
'use strict';
const ws = globalThis[Symbol.for('threadline.simulated-ws')];
if (!ws) throw new Error("require('ws'): threadline's simulated ws is not loaded; this bridge works only inside `threadline run --server`");
module.exports = ws;
