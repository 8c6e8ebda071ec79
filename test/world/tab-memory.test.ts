/**
 * What the world keeps of a tab that is done: its per-event state goes once its script ended
 * and its user closed it (a long run would otherwise keep every finished tab's history).
 */
import { describe, expect, it } from 'vitest';
import { smallChatMillion } from '../support/loads.ts';
import { runScenario, type SimWorld } from '../../src/run/runner.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';

describe('what a finished tab keeps', () => {
  it('lets go of its msg_id set once its script ended and its user closed it, and of nothing before', async () => {
    const spec = await smallChatMillion(60);
    const router = parseRouterSpec('guaranteed');
    let world: SimWorld | undefined;
    const kept: number[] = [];
    const { result } = await runScenario(spec, router, 1, {
      onWorld: (w) => {
        world = w;
        // Halfway through the run, tabs still at work hold what they received.
        w.scheduler.at(20_000_000, () => kept.push(...[...w.tabs.values()].map((t) => t.keptMsgIds)));
      },
    });
    expect(result.verdict).toBe('pass');
    expect(kept.some((n) => n > 0)).toBe(true);
    // At the end every tab's script has ended and its user closed it: none holds its set.
    expect([...world!.tabs.values()].map((t) => t.keptMsgIds).every((n) => n === 0)).toBe(true);
  });
});
