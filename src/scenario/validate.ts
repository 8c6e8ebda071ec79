/**
 * Scenario validation: a script with a mistake is refused before running, with the file, the
 * field (as a path like `tabs[1].actions[3].thread`) and what was expected.
 */
import { checkDistribution } from '../sim/distribution.ts';
import { MODES } from '../sut/router/flags.ts';
import { ACTION_KINDS, type ScenarioSpec } from './types.ts';
import { parseThreshold } from './thresholds.ts';

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${file}: ${field}: ${expected}`);
  }
}

type Obj = Record<string, unknown>;

export function validateScenario(value: unknown, file: string): ScenarioSpec {
  const fail = (field: string, expected: string): never => {
    throw new ScenarioError(file, field, expected);
  };
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const onlyKeys = (o: Obj, path: string, allowed: readonly string[]): void => {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) fail(`${path}${path ? '.' : ''}${k}`, `unknown field; allowed here: ${allowed.join(', ')}`);
    }
  };
  const str = (v: unknown, path: string): string => (typeof v === 'string' && v.length > 0 ? v : fail(path, 'expected a non-empty string'));
  const num = (v: unknown, path: string, min = 0): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fail(path, `expected a number >= ${min}`);
  const prob = (v: unknown, path: string): number =>
    typeof v === 'number' && v >= 0 && v <= 1 ? v : fail(path, 'expected a probability between 0 and 1');
  const dist = (v: unknown, path: string): void => {
    const err = checkDistribution(v);
    if (err) fail(path, err);
  };

  if (!isObj(value)) fail('(default export)', 'expected defineScenario({...}) as the default export');
  const s = value as Obj;
  onlyKeys(s, '', ['name', 'description', 'failureModes', 'users', 'tabs', 'agent', 'network', 'faults', 'server', 'client', 'load', 'deadlineMs', 'thresholds', 'expect', 'seeds', 'tieBreak', 'maxDurationMs']);
  str(s['name'], 'name');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(s['name'] as string)) fail('name', 'expected lower-case letters, digits and dashes (it names files and reports)');
  if (typeof s['description'] !== 'string') fail('description', 'expected a string describing the real-world situation');
  if (s['failureModes'] !== undefined) {
    if (!Array.isArray(s['failureModes'])) fail('failureModes', 'expected an array like ["F1", "F3"]');
    (s['failureModes'] as unknown[]).forEach((f, i) => {
      if (typeof f !== 'string' || !/^F([1-9]|1[0-9]|2[0-5])$/.test(f)) fail(`failureModes[${i}]`, 'expected F1..F25 (the rows of FAILURE-MODES.md)');
    });
  }

  if (!Array.isArray(s['users'])) fail('users', 'expected an array of { id, threads }');
  const owner = new Map<string, string>();
  const users = new Set<string>();
  (s['users'] as unknown[]).forEach((u, i) => {
    const p = `users[${i}]`;
    if (!isObj(u)) fail(p, 'expected { id, threads }');
    const uo = u as Obj;
    onlyKeys(uo, p, ['id', 'threads']);
    const id = str(uo['id'], `${p}.id`);
    if (users.has(id)) fail(`${p}.id`, `duplicate user id "${id}"`);
    users.add(id);
    if (!Array.isArray(uo['threads'])) fail(`${p}.threads`, 'expected an array of thread ids');
    // Thread ids are scoped per user (the router keys streams by (user, thread)): two users may
    // both own a "t1" (F25). Within one user a thread is listed once.
    const mine = new Set<string>();
    (uo['threads'] as unknown[]).forEach((t, j) => {
      const tid = str(t, `${p}.threads[${j}]`);
      if (mine.has(tid)) fail(`${p}.threads[${j}]`, `thread "${tid}" is listed twice for user "${id}"`);
      mine.add(tid);
      owner.set(tid, id);
    });
  });

  if (!Array.isArray(s['tabs'])) fail('tabs', 'expected an array of { id, user, actions }');
  const tabIds = new Set<string>();
  const allThreads = new Set(owner.keys());
  (s['tabs'] as unknown[]).forEach((t, i) => {
    const p = `tabs[${i}]`;
    if (!isObj(t)) fail(p, 'expected { id, user, actions }');
    const to = t as Obj;
    onlyKeys(to, p, ['id', 'user', 'reconnectAfterMs', 'actions']);
    if (to['reconnectAfterMs'] !== undefined && to['reconnectAfterMs'] !== null) num(to['reconnectAfterMs'], `${p}.reconnectAfterMs`);
    const id = str(to['id'], `${p}.id`);
    if (tabIds.has(id)) fail(`${p}.id`, `duplicate tab id "${id}"`);
    tabIds.add(id);
    const user = str(to['user'], `${p}.user`);
    if (!users.has(user)) fail(`${p}.user`, `unknown user "${user}"; declare it in users`);
    if (!Array.isArray(to['actions']) || (to['actions'] as unknown[]).length === 0) fail(`${p}.actions`, 'expected a non-empty array of actions');
    let lastAt = -Infinity;
    (to['actions'] as unknown[]).forEach((a, j) => {
      const ap = `${p}.actions[${j}]`;
      if (!isObj(a)) fail(ap, 'expected an action such as { at: 0, do: "connect", thread: "A" }');
      const ao = a as Obj;
      const kind = ao['do'];
      if (typeof kind !== 'string' || !(ACTION_KINDS as readonly string[]).includes(kind)) fail(`${ap}.do`, `expected one of ${ACTION_KINDS.join(', ')}`);
      const extra: Record<string, string[]> = {
        connect: ['thread'],
        send: ['thread', 'count', 'intervalMs', 'payloadUser', 'omitThread'],
        switch: ['thread'],
        close: [],
        drop: [],
        reconnect: ['thread'],
        slow: ['bytesPerS'],
        'half-open': [],
        wait: [],
      };
      onlyKeys(ao, ap, ['do', 'at', 'after', 'when', ...extra[kind as string]!]);
      if (j === 0 && kind !== 'connect') fail(`${ap}.do`, 'a tab must start with a "connect" action');
      if (ao['at'] !== undefined && ao['after'] !== undefined) fail(ap, 'give either "at" or "after", not both');
      if (ao['at'] === undefined && ao['after'] === undefined && ao['when'] === undefined) fail(ap, 'expected "at" (ms), "after" (ms) or "when"');
      if (ao['at'] !== undefined) {
        const at = num(ao['at'], `${ap}.at`);
        if (at < lastAt) fail(`${ap}.at`, `impossible time: ${at} ms is before the previous action of this tab (${lastAt} ms)`);
        lastAt = at;
      }
      if (ao['after'] !== undefined) num(ao['after'], `${ap}.after`);
      if (ao['when'] !== undefined) {
        if (!isObj(ao['when'])) fail(`${ap}.when`, 'expected { received: "<agent event type>" }');
        onlyKeys(ao['when'] as Obj, `${ap}.when`, ['received', 'thread', 'timeoutMs']);
        if ((ao['when'] as Obj)['timeoutMs'] !== undefined) num((ao['when'] as Obj)['timeoutMs'], `${ap}.when.timeoutMs`);
        str((ao['when'] as Obj)['received'], `${ap}.when.received`);
      }
      if (ao['thread'] !== undefined || kind === 'send' || kind === 'switch') {
        const thread = str(ao['thread'], `${ap}.thread`);
        // A thread owned by nobody is a typo; one owned by another user is a deliberate "foreign thread" test.
        if (!allThreads.has(thread)) fail(`${ap}.thread`, `unknown thread "${thread}"; threads are declared under users[].threads`);
      }
      if (kind === 'send') {
        if (ao['count'] !== undefined && (!Number.isInteger(ao['count']) || (ao['count'] as number) < 1)) fail(`${ap}.count`, 'expected an integer >= 1');
        if (ao['intervalMs'] !== undefined) num(ao['intervalMs'], `${ap}.intervalMs`);
        if (ao['payloadUser'] !== undefined) str(ao['payloadUser'], `${ap}.payloadUser`);
        if (ao['omitThread'] !== undefined && typeof ao['omitThread'] !== 'boolean') fail(`${ap}.omitThread`, 'expected true or false');
      }
      if (kind === 'slow') num(ao['bytesPerS'], `${ap}.bytesPerS`, 1);
    });
  });

  if (s['agent'] !== undefined) {
    if (!isObj(s['agent'])) fail('agent', 'expected an agent profile object');
    onlyKeys(s['agent'] as Obj, 'agent', ['startMs', 'thinkMs', 'toolCalls', 'toolMs', 'finishMs']);
    for (const [k, v] of Object.entries(s['agent'] as Obj)) dist(v, `agent.${k}`);
  }
  if (s['network'] !== undefined) {
    if (!isObj(s['network'])) fail('network', 'expected a network profile object');
    const n = s['network'] as Obj;
    onlyKeys(n, 'network', ['handshakeMs', 'latencyMs', 'jitterMs', 'bandwidthBytesPerS', 'closeDelayMs']);
    for (const k of ['handshakeMs', 'latencyMs', 'jitterMs', 'closeDelayMs']) if (n[k] !== undefined) dist(n[k], `network.${k}`);
    if (n['bandwidthBytesPerS'] !== undefined) num(n['bandwidthBytesPerS'], 'network.bandwidthBytesPerS', 1);
  }
  if (s['faults'] !== undefined) {
    if (!Array.isArray(s['faults'])) fail('faults', 'expected an array of fault windows');
    (s['faults'] as unknown[]).forEach((f, i) => {
      const p = `faults[${i}]`;
      if (!isObj(f)) fail(p, 'expected { kind, at, durationMs, ... }');
      const fo = f as Obj;
      if (fo['kind'] === 'partition') {
        onlyKeys(fo, p, ['kind', 'at', 'durationMs', 'then', 'tabs']);
        if (fo['then'] !== 'release' && fo['then'] !== 'kill') fail(`${p}.then`, 'expected "release" or "kill"');
        if (fo['tabs'] !== undefined) {
          if (!Array.isArray(fo['tabs'])) fail(`${p}.tabs`, 'expected an array of tab ids');
          (fo['tabs'] as unknown[]).forEach((t, j) => {
            if (typeof t !== 'string' || !tabIds.has(t)) fail(`${p}.tabs[${j}]`, `unknown tab "${String(t)}"`);
          });
        }
      } else if (fo['kind'] === 'pause') {
        onlyKeys(fo, p, ['kind', 'at', 'durationMs']);
      } else {
        fail(`${p}.kind`, 'expected "partition" or "pause"');
      }
      num(fo['at'], `${p}.at`);
      num(fo['durationMs'], `${p}.durationMs`);
    });
  }
  if (s['server'] !== undefined) {
    if (!isObj(s['server'])) fail('server', 'expected a server profile object');
    const sv = s['server'] as Obj;
    onlyKeys(sv, 'server', ['lookupMs', 'injectionDelayMs', 'rateLimitPerS']);
    if (sv['lookupMs'] !== undefined) dist(sv['lookupMs'], 'server.lookupMs');
    if (sv['injectionDelayMs'] !== undefined) num(sv['injectionDelayMs'], 'server.injectionDelayMs');
    if (sv['rateLimitPerS'] !== undefined) num(sv['rateLimitPerS'], 'server.rateLimitPerS', 1);
  }
  if (s['client'] !== undefined) {
    if (!isObj(s['client'])) fail('client', 'expected a client profile object');
    const c = s['client'] as Obj;
    onlyKeys(c, 'client', ['reconnectAfterMs', 'heartbeatMs']);
    if (c['reconnectAfterMs'] !== undefined && c['reconnectAfterMs'] !== null) num(c['reconnectAfterMs'], 'client.reconnectAfterMs');
    if (c['heartbeatMs'] !== undefined) num(c['heartbeatMs'], 'client.heartbeatMs');
  }
  if (s['load'] !== undefined) {
    if (!isObj(s['load'])) fail('load', 'expected a load generator object');
    const l = s['load'] as Obj;
    const keys = ['users', 'meanArrivalGapMs', 'threadsPerUser', 'messagesPerSession', 'thinkTimeMs', 'switchProbability', 'rapidFirstSendProbability', 'secondTabProbability', 'dropProbability'];
    onlyKeys(l, 'load', keys);
    for (const k of keys) if (l[k] === undefined) fail(`load.${k}`, 'required field is missing');
    if (!Number.isInteger(l['users']) || (l['users'] as number) < 1) fail('load.users', 'expected an integer >= 1');
    num(l['meanArrivalGapMs'], 'load.meanArrivalGapMs');
    if (!Number.isInteger(l['threadsPerUser']) || (l['threadsPerUser'] as number) < 1) fail('load.threadsPerUser', 'expected an integer >= 1');
    dist(l['messagesPerSession'], 'load.messagesPerSession');
    dist(l['thinkTimeMs'], 'load.thinkTimeMs');
    for (const k of ['switchProbability', 'rapidFirstSendProbability', 'secondTabProbability', 'dropProbability']) prob(l[k], `load.${k}`);
  }
  if (s['deadlineMs'] !== undefined) num(s['deadlineMs'], 'deadlineMs', 1);
  if (s['maxDurationMs'] !== undefined) num(s['maxDurationMs'], 'maxDurationMs', 1);
  if (s['tieBreak'] !== undefined && typeof s['tieBreak'] !== 'boolean') fail('tieBreak', 'expected true or false');
  if (s['seeds'] !== undefined) {
    if (!Array.isArray(s['seeds']) || (s['seeds'] as unknown[]).some((x) => !Number.isInteger(x) || (x as number) < 0)) fail('seeds', 'expected an array of non-negative integers');
  }
  if (s['thresholds'] !== undefined) {
    if (!Array.isArray(s['thresholds'])) fail('thresholds', 'expected an array of strings like "lost == 0"');
    (s['thresholds'] as unknown[]).forEach((t, i) => {
      try {
        parseThreshold(str(t, `thresholds[${i}]`));
      } catch (error) {
        fail(`thresholds[${i}]`, (error as Error).message);
      }
    });
  }
  if (s['expect'] !== undefined) {
    if (!isObj(s['expect'])) fail('expect', 'expected { legacy: "fail", guaranteed: "pass", ... }');
    for (const [mode, v] of Object.entries(s['expect'] as Obj)) {
      if (!(MODES as readonly string[]).includes(mode)) fail(`expect.${mode}`, `unknown mode; modes are ${MODES.join(', ')}`);
      if (v !== 'pass' && v !== 'fail' && v !== 'unknown') fail(`expect.${mode}`, 'expected "pass", "fail" or "unknown"');
    }
  }
  if ((s['tabs'] as unknown[]).length === 0 && s['load'] === undefined) fail('tabs', 'a scenario needs at least one tab or a load generator');
  return value as unknown as ScenarioSpec;
}
