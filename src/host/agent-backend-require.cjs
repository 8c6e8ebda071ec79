// What `require('#agent-backend')` gets in a team's CommonJS server inside a threadline run:
// threadline's agent engine (src/host/agent-backend.ts, registered on a global symbol).
'use strict';
const backend = globalThis[Symbol.for('threadline.simulated-agent-backend')];
if (!backend) throw new Error("require('#agent-backend'): threadline's agent engine is not loaded; this bridge works only inside `threadline run --server`");
module.exports = backend;
