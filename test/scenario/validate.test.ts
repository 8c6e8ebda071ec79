import { describe, expect, it } from 'vitest';
import { validateScenario, ScenarioError } from '../../src/scenario/validate.ts';
import { loadScenarioFile, ScenarioLoadError, listScenarioFiles } from '../../src/scenario/load-file.ts';
import { runScenario } from '../../src/run/runner.ts';
import { MODES, parseRouterSpec } from '../../src/sut/router/flags.ts';

const base = () => ({
  name: 'ok',
  description: 'fine',
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect' }, { at: 5, do: 'send', thread: 'A' }] }],
});

function errorOf(mutate: (s: any) => void): string {
  const s: any = base();
  mutate(s);
  try {
    validateScenario(s, 'x.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

describe('a scenario with a mistake is refused before running, naming the file, the field and what was expected', () => {
  it.each([
    ['unknown field', (s: any) => (s.usres = []), 'x.ts: usres: unknown field; allowed here:'],
    ['wrong type', (s: any) => (s.deadlineMs = 'soon'), 'x.ts: deadlineMs: expected a number >= 1'],
    ['impossible time', (s: any) => s.tabs[0].actions.push({ at: 1, do: 'close' }), 'x.ts: tabs[0].actions[2].at: impossible time: 1 ms is before the previous action of this tab (5 ms)'],
    ['unknown thread', (s: any) => (s.tabs[0].actions[1].thread = 'Q'), 'x.ts: tabs[0].actions[1].thread: unknown thread "Q"'],
    ['unknown user', (s: any) => (s.tabs[0].user = 'nobody'), 'x.ts: tabs[0].user: unknown user "nobody"'],
    ['unknown action', (s: any) => (s.tabs[0].actions[1].do = 'teleport'), 'x.ts: tabs[0].actions[1].do: expected one of connect, send'],
    ['tab not starting with connect', (s: any) => s.tabs[0].actions.shift(), 'x.ts: tabs[0].actions[0].do: a tab must start with a "connect" action'],
    ['bad distribution', (s: any) => (s.server = { lookupMs: { kind: 'uniform', min: 5 } }), 'x.ts: server.lookupMs: field "max" must be a finite number'],
    ['bad threshold metric', (s: any) => (s.thresholds = ['lsot == 0']), 'x.ts: thresholds[0]: unknown metric "lsot"'],
    ['thread listed twice for one user', (s: any) => s.users[0].threads.push('A'), 'x.ts: users[0].threads[1]: thread "A" is listed twice for user "u1"'],
    ['bad expectation mode', (s: any) => (s.expect = { fast: 'pass' }), 'x.ts: expect.fast: unknown mode'],
    ['at and after both', (s: any) => (s.tabs[0].actions[1].after = 3), 'x.ts: tabs[0].actions[1]: give either "at" or "after", not both'],
  ])('%s', (_name, mutate, message) => {
    expect(errorOf(mutate)).toContain(message);
  });

  it('a syntax error names the file and the line', async () => {
    const error = await loadScenarioFile('test/scenario/fixtures/syntax-error.ts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioLoadError);
    expect((error as Error).message).toMatch(/^test\/scenario\/fixtures\/syntax-error\.ts:6:\d+: syntax error: /);
  });

  it('a schema error from a file names the file and the field', async () => {
    const error = await loadScenarioFile('test/scenario/fixtures/schema-error.ts').catch((e: unknown) => e);
    expect((error as Error).message).toBe('test/scenario/fixtures/schema-error.ts: tabs[0].actions[1].thread: unknown thread "Z"; threads are declared under users[].threads');
  });

  it('a missing file is refused', async () => {
    await expect(loadScenarioFile('scenarios/nope.ts')).rejects.toThrow('scenarios/nope.ts: file does not exist');
  });
});

describe('a full run of every shipped scenario, twice', () => {
  it('gives identical trace hashes in every mode', async () => {
    const files = listScenarioFiles('scenarios').filter((f) => !f.endsWith('chat-day.ts'));
    for (const file of files) {
      const { spec } = await loadScenarioFile(file);
      for (const mode of MODES) {
        const a = await runScenario(spec, parseRouterSpec(mode), 2);
        const b = await runScenario(spec, parseRouterSpec(mode), 2);
        expect(b.result.traceHash, `${spec.name} × ${mode}`).toBe(a.result.traceHash);
        expect(a.result.traceRecords).toBeGreaterThan(10);
      }
    }
  });
});
