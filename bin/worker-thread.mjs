// Entry of threadline's worker threads (run --workers, fuzz --workers). Node 20 does not carry
// the parent thread's module hooks into a worker, so register the same two as bin/threadline
// (tsx for TypeScript sources, scenario scripts and plug-ins; 'threadline' mapped to this
// package's own modules), then load the worker module named in workerData.
import { register as registerHooks } from 'node:module';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

registerHooks('./resolve-self.mjs', import.meta.url);
register();
await import(workerData.entry);
