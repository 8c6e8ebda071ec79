/**
 * The progress line of a long simulated run: it shows the run's virtual time and the agent
 * events produced so far while the run goes, stops when it ends, and changes nothing of the run.
 */
import { describe, expect, it } from 'vitest';
import { liveLabel, liveProgress } from '../../src/cli/live-progress.ts';
import { smallChatMillion } from '../support/loads.ts';
import { runScenario, type SimWorld } from '../../src/run/runner.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';

describe('live progress of a long run', () => {
  it('refreshes the line with virtual time and events while the run goes, and leaves the run as it was', async () => {
    const spec = await smallChatMillion(60);
    const router = parseRouterSpec('guaranteed');
    const plain = await runScenario(spec, router, 1);

    const lines: string[] = [];
    const live = liveProgress({ progress: (done, total, label) => lines.push(`${done}/${total} ${label}`) }, 0, 1, 'chat-million × guaranteed seed 1', 1);
    let world: SimWorld | undefined;
    const watched = await runScenario(spec, router, 1, {
      onWorld: (w) => {
        world = w;
        live.onWorld(w);
      },
    });
    live.stop();
    const seen = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(watched.result.traceHash).toBe(plain.result.traceHash);
    expect(watched.result.counts).toEqual(plain.result.counts);
    expect(seen).toBeGreaterThan(0); // the line was refreshed while the run went
    expect(lines.length).toBe(seen); // and no more once stopped
    const times = lines.map((l) => /t=([\d.]+) [a-zµ]+ · ([\d,]+) events$/.exec(l));
    expect(times.every((m) => m !== null)).toBe(true);
    expect(lines[0]!.startsWith('0/1 chat-million × guaranteed seed 1 · t=')).toBe(true);
    // At the end the world has produced every event the verdict counts.
    expect(world!.world.producedEvents).toBe(plain.result.counts.produced);
    expect(liveLabel('x', world!)).toMatch(new RegExp(`^x · t=.+ · ${plain.result.counts.produced.toLocaleString('en')} events$`));
  });

  it('never starts when stopped before the world exists', () => {
    const lines: string[] = [];
    const live = liveProgress({ progress: (_d, _t, label) => lines.push(label) }, 0, 1, 'x', 1);
    live.stop();
    live.onWorld({} as SimWorld);
    expect(lines).toEqual([]);
  });
});
