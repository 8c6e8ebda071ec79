/**
 * A tab's action script, driven on any Clock: the same interpretation of `at`, `when` and
 * `after` for the simulated network, real sockets and the probe. Fault actions go to the
 * transport, which knows how to drop, slow down or half-open its own links.
 */
import type { Clock } from '../ports/clock.ts';
import type { TabClient } from '../world/tab-client.ts';
import type { Action } from '../scenario/types.ts';

/** What a transport does for a tab's fault actions. */
export interface TabFaults {
  drop(tab: TabClient): void;
  slow(tab: TabClient, bytesPerS: number): void;
  halfOpen(tab: TabClient): void;
}

export interface ScriptOptions {
  /** A `when` without `timeoutMs` waits this long at most; undefined waits for ever. */
  defaultWhenTimeoutMs?: number;
}

export async function runTabScript(actions: readonly Action[], tab: TabClient, clock: Clock, faults: TabFaults, options: ScriptOptions = {}): Promise<void> {
  for (const action of actions) {
    if (action.at !== undefined) {
      const targetUs = Math.round(action.at * 1_000);
      if (targetUs > clock.now()) await clock.sleep(targetUs - clock.now());
    }
    if (action.when !== undefined) {
      const waited = tab.waitFor(action.when.received, action.when.thread);
      const timeoutMs = action.when.timeoutMs ?? options.defaultWhenTimeoutMs;
      // A person waiting for an answer gives up eventually; the script goes on either way.
      if (timeoutMs !== undefined) await clock.timeout(waited, timeoutMs * 1_000, 'wait').catch(() => {});
      else await waited;
    }
    if (action.after !== undefined && action.after > 0) await clock.sleep(Math.round(action.after * 1_000));
    switch (action.do) {
      case 'connect':
        tab.connect(action.thread ?? null);
        break;
      case 'send': {
        const count = action.count ?? 1;
        for (let i = 0; i < count; i++) {
          if (i > 0 && (action.intervalMs ?? 0) > 0) await clock.sleep(Math.round(action.intervalMs! * 1_000));
          tab.send(action.thread, action.payloadUser, action.omitThread === true);
        }
        break;
      }
      case 'switch':
        tab.switchTo(action.thread);
        break;
      case 'close':
        tab.close();
        break;
      case 'drop':
        faults.drop(tab);
        break;
      case 'reconnect':
        tab.reconnect(action.thread ?? null);
        break;
      case 'slow':
        faults.slow(tab, action.bytesPerS);
        break;
      case 'half-open':
        faults.halfOpen(tab);
        break;
      case 'wait':
        break;
    }
  }
}
