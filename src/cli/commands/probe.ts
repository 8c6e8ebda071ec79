/**
 * `threadline probe <ws-url>`: drive a live server with a scenario's tabs and judge what came
 * back with the oracle (lost, duplicated, leaked, late), inferring what a foreign server
 * produced (src/run/probe.ts says exactly what can and cannot be known).
 *
 * `threadline compare <scenario...>`: the same scenario, router and seeds on the simulated
 * transport and on real sockets, side by side — fidelity as a measured figure.
 */
import type { Command } from 'commander';
import type { Codec } from '../../ports/codec.ts';
import { codecNamed, codecs } from '../../world/codecs/index.ts';
import { signToken } from '../../world/auth.ts';
import { probeServer, ProbeConnectError, validateAdapter, type ProbeReport, type ProtocolAdapter } from '../../run/probe.ts';
import { COMPARE_TIME_SCALE, DEFAULT_LATENCY_TOLERANCE, compareSimAndReal, formatComparison, formatTolerance, type Comparison } from '../../run/compare.ts';
import { loadOneScenario, loadScenarios, parsePositiveNumber, readJsonFile, secretFrom } from '../cli-support.ts';
import { formatUs } from '../../ports/clock.ts';
import { Histogram } from '../../stats/histogram.ts';
import { EXIT_FAILED, EXIT_OK, UsageError, parseNonNegativeInt, parsePositiveInt } from '../errors.ts';
import { createOutput } from '../output.ts';
import { parseRouters } from '../routers.ts';

interface ProbeFlags {
  scenario?: string;
  seed?: string;
  adapter?: string;
  codec?: string;
  tokenTemplate?: string;
  tokenIn: string;
  secret?: string;
  resumeWindowMs?: string;
  settleMs?: string;
  json?: boolean;
}

interface CompareFlags {
  router: string;
  seed?: string;
  runs?: string;
  timeScale?: string;
  skipIdle: string;
  latencyTolerance: string;
  json?: boolean;
}

export function register(program: Command, argv: readonly string[]): void {
  program
    .command('probe')
    .description('drive a live WebSocket server with a scenario and judge it with the oracle (lost, duplicated, leaked, late)')
    .argument('<ws-url>', 'the server endpoint, e.g. ws://127.0.0.1:8080/ws')
    .option('--scenario <file>', 'scenario script or name whose tabs drive the server (required)')
    .option('--seed <n>', "seed for the scenario's load generator (default: the scenario's first seed, else 1)")
    .option('--codec <name>', `the server's wire protocol: ${Object.keys(codecs).join(', ')} (default threadline)`)
    .option('--adapter <file>', 'JSON file mapping threadline names to the server\'s: {"types": {...}, "fields": {...}, "tokenParam": "...", "threadParam": "..."}')
    .option('--token-template <tpl>', 'token per user: {user} is the user id, {hmac} a signed threadline token (needs --secret) (default: {hmac})')
    .option('--token-in <where>', 'query (?token=) or header (Authorization: Bearer)', 'query')
    .option('--secret <s>', 'secret for {hmac} tokens (default: env THREADLINE_SECRET)')
    .option('--resume-window-ms <ms>', 'judge with resume: the server replays what a reconnecting tab missed within this window (default 0)')
    .option('--settle-ms <ms>', 'after the scripts end, stop after this much silence (from the last frame or the scripts\' end, whichever is later) if some runs never complete (default 1500)')
    .option('--json', 'print the probe report as JSON on stdout')
    .addHelpText(
      'after',
      `
The probe knows what its clients did and received. It cannot see what the server's agents
produced: it infers the produced set from every event any tab received plus the lifecycle
(agent_started, agent_thinking, tool pairs, agent_completed) each accepted user_message must
yield, matching runs to messages per thread in order. Losses are therefore a lower bound (a tool
pair nobody received cannot be inferred), and latency is measured from the earliest receipt;
a run completing more than the scenario's deadline after its message is late. Honest-monitoring
(the server's own counters) is not judged. Network faults in the scenario (slow, half-open,
partition, pause) are not performed: put \`threadline proxy\` in front of the server.
Exit codes: 0 held, 1 lost/duplicated/leaked/late found, 2 bad usage or the server refused/unreachable.

Examples:
  $ threadline probe ws://127.0.0.1:8080/ws --scenario rapid-send
  $ threadline probe ws://127.0.0.1:8080/ws --scenario rapid-send --json > probe.json
  $ threadline probe wss://chat.example.com/socket --scenario multi-tab-user \\
      --adapter adapter.json --token-template 'dev-{user}' --token-in header
  $ threadline probe ws://127.0.0.1:8000/ws --scenario rapid-send --codec envelope   the production envelope`,
    )
    .action(async (url: string, flags: ProbeFlags) => {
      process.exitCode = await probeCommand(url, flags, argv);
    });

  program
    .command('compare')
    .description('run scenarios on the simulated transport and on real sockets, and show success rate and latency side by side')
    .argument('<scenario...>', 'scenario files or names')
    .option('--router <modes>', 'router mode(s), comma-separated', 'guaranteed')
    .option('--seed <n>', 'first seed', '1')
    .option('--runs <n>', 'number of seeds', '5')
    .option('--time-scale <x>', `ws time scale: virtual µs = real µs / x (default ${COMPARE_TIME_SCALE}: time stretched, so the harness's own event-loop stalls count a quarter as much; 1 = real time)`)
    .option('--skip-idle <when>', 'ws runs jump over idle time: always, end (after the scripts) or never', 'always')
    .option('--latency-tolerance <x>', 'fail when ws p50 or p99 delivery latency differs from sim by more than x × the sim figure (Infinity = off)', String(DEFAULT_LATENCY_TOLERANCE))
    .option('--json', 'print the comparison as JSON on stdout')
    .addHelpText(
      'after',
      `
Both transports carry the scenario's link profile (network: latencyMs, jitterMs,
bandwidthBytesPerS, handshakeMs, closeDelayMs over the defaults): the ws run puts it on its
loopback sockets through the chaos proxy, on the run's scaled clock. Fidelity is judged per
scenario × router: every seed must reach the same verdict, and ws p50 and p99 delivery latency
must each lie within ±tolerance of the simulated figure (relative to sim; default 0.2 = 20%).
The real side also pays its loopback hops and event-loop delays, divided by the time scale.
One event loop runs server, proxy and tabs, so by default time is stretched four-fold
(--time-scale 4) and a stall of that loop counts a quarter as much; --time-scale 1 is real time
(faster, and p99 then shows the machine's stalls).

Exit codes: 0 verdicts agree on every seed and latency within tolerance, 1 some seed differed or
a latency figure is out of tolerance (each named on its own line), 2 bad usage.

Examples:
  $ threadline compare rapid-send --router dynamic,guaranteed --runs 10
  $ threadline compare thread-switch-mid-run --router dynamic --time-scale 1 --skip-idle never
  $ threadline compare rapid-send late-injection --json > fidelity.json`,
    )
    .action(async (scenarios: string[], flags: CompareFlags) => {
      process.exitCode = await compareCommand(scenarios, flags, argv);
    });
}

async function probeCommand(url: string, flags: ProbeFlags, argv: readonly string[]): Promise<number> {
  const out = createOutput({ json: Boolean(flags.json), argv });
  if (flags.scenario === undefined) throw new UsageError('probe needs --scenario <file>: the scenario whose tabs drive the server');
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL; give the WebSocket endpoint, e.g. ws://127.0.0.1:8080/ws`);
  }
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw new UsageError(`"${url}" is not a ws:// or wss:// URL`);
  if (flags.tokenIn !== 'query' && flags.tokenIn !== 'header') throw new UsageError(`--token-in must be query or header, got "${flags.tokenIn}"`);
  const { spec } = await loadOneScenario(flags.scenario);
  let codec: Codec | undefined;
  if (flags.codec !== undefined) {
    try {
      codec = codecNamed(flags.codec);
    } catch (error) {
      throw new UsageError(`--codec: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let adapter: ProtocolAdapter | undefined;
  if (flags.adapter !== undefined) {
    try {
      adapter = validateAdapter(readJsonFile(flags.adapter, 'adapter'), flags.adapter);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError((error as Error).message);
    }
  }
  const template = flags.tokenTemplate ?? '{hmac}';
  const secret = secretFrom(flags.secret);
  if (template.includes('{hmac}') && secret === null) throw new UsageError('the token template uses {hmac}: pass --secret <s> or set THREADLINE_SECRET (or give --token-template, e.g. "{user}")');
  const token = (user: string): string => template.replaceAll('{user}', user).replaceAll('{hmac}', secret !== null ? signToken(secret, user) : '');
  let report: ProbeReport;
  try {
    report = await probeServer({
      url,
      spec,
      token,
      tokenIn: flags.tokenIn,
      ...(flags.seed !== undefined ? { seed: parseNonNegativeInt(flags.seed, '--seed') } : {}),
      ...(adapter ? { adapter } : {}),
      ...(codec ? { codec } : {}),
      ...(flags.resumeWindowMs !== undefined ? { resumeWindowMs: parseNonNegativeInt(flags.resumeWindowMs, '--resume-window-ms') } : {}),
      ...(flags.settleMs !== undefined ? { settleMs: parseNonNegativeInt(flags.settleMs, '--settle-ms') } : {}),
    });
  } catch (error) {
    if (error instanceof ProbeConnectError) throw new UsageError(error.message);
    throw error;
  }
  if (flags.json) {
    const { judgement: _j, ...rest } = report;
    process.stdout.write(`${JSON.stringify({ schema: 'threadline/probe@1', ...rest })}\n`);
  }
  printProbe(report, out);
  return report.result.verdict === 'fail' ? EXIT_FAILED : EXIT_OK;
}

function printProbe(report: ProbeReport, out: ReturnType<typeof createOutput>): void {
  const c = out.chalk;
  const r = report.result;
  const i = report.inference;
  const verdict = r.verdict === 'pass' ? c.green.bold('PASS') : r.verdict === 'fail' ? c.red.bold('FAIL') : c.yellow.bold('UNKNOWN');
  out.say(`${verdict}  ${r.scenario} against ${report.url}`);
  out.say(`  sent ${i.messagesSent} user messages (${i.messagesRefused} refused by an error frame); runs expected ${i.runsExpected}, seen ${i.runsSeen}, missing entirely ${i.runsMissing}`);
  out.say(`  events observed ${i.eventsObserved}, inferred missing ${i.eventsInferredMissing}; owed ${r.counts.owed}, delivered ${r.counts.delivered}`);
  out.say(`  lost ${r.counts.lost}  duplicated ${r.counts.duplicated}  leaked ${r.counts.leaked}  late ${r.counts.late}  (runs late end-to-end: ${i.lateRuns})`);
  const e2e = Histogram.fromJSON(i.endToEndUs);
  if (e2e.count > 0) out.say(`  message → agent_completed at the sending tab: p50 ${formatUs(Math.round(e2e.quantile(0.5)))}, p99 ${formatUs(Math.round(e2e.quantile(0.99)))}, max ${formatUs(e2e.max)}`);
  out.say(`  success (every event of a run reached the tab that sent it): ${r.interactions.succeeded}/${r.interactions.total}`);
  for (const v of r.violations.slice(0, 10)) out.say(`  ${c.red('✗')} ${v.invariant}: ${v.explanation}`);
  if (r.violationCount > 10) out.say(c.dim(`  … and ${r.violationCount - 10} more (--json for all)`));
  for (const u of report.unsupported) out.say(c.yellow(`  not performed: ${u}`));
  const refused = Object.entries(report.refused);
  if (refused.length > 0) out.say(c.yellow(`  handshakes refused: ${refused.map(([s, n]) => `HTTP ${s} ×${n}`).join(', ')}`));
  out.say(c.dim('  (losses are a lower bound: the produced set is inferred from what clients received; see `threadline probe --help`)'));
}

async function compareCommand(args: string[], flags: CompareFlags, argv: readonly string[]): Promise<number> {
  const out = createOutput({ json: Boolean(flags.json), argv });
  const routers = parseRouters(flags.router);
  const first = parseNonNegativeInt(flags.seed ?? '1', '--seed');
  const runs = parsePositiveInt(flags.runs ?? '5', '--runs');
  const timeScale = flags.timeScale !== undefined ? parsePositiveNumber(flags.timeScale, '--time-scale') : COMPARE_TIME_SCALE;
  if (!['always', 'end', 'never'].includes(flags.skipIdle)) throw new UsageError(`--skip-idle must be always, end or never, got "${flags.skipIdle}"`);
  const skipIdle = flags.skipIdle as 'always' | 'end' | 'never';
  const latencyTolerance = Number(flags.latencyTolerance);
  if (!(flags.latencyTolerance.trim() !== '' && latencyTolerance >= 0)) throw new UsageError(`--latency-tolerance must be a number >= 0 (a fraction of the simulated figure, e.g. 0.2; Infinity = off), got "${flags.latencyTolerance}"`);
  const loaded = await loadScenarios(args);
  const seeds = Array.from({ length: runs }, (_, k) => first + k);
  const comparisons: Comparison[] = [];
  const total = loaded.length * routers.length * seeds.length * 2;
  let done = 0;
  for (const { spec } of loaded) {
    for (const router of routers) {
      const c = await compareSimAndReal(spec, router, seeds, {
        timeScale,
        skipIdle,
        latencyTolerance,
        onProgress: (_d, _t, label) => out.progress(done++, total, label),
      });
      comparisons.push(c);
    }
  }
  out.endProgress();
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ schema: 'threadline/compare@1', comparisons: comparisons.map(({ simRuns: _s, wsRuns: _w, ...rest }) => rest) })}\n`);
  }
  for (const c of comparisons) {
    for (const line of formatComparison(c)) out.say(line);
    out.say();
  }
  const failing = comparisons.filter((c) => !c.fidelity.ok);
  if (failing.length > 0) {
    for (const c of failing) for (const problem of c.fidelity.problems) out.say(out.chalk.red(`FIDELITY ${problem}`));
    const verdicts = failing.filter((c) => !c.fidelity.verdictsAgree).length;
    const latency = failing.filter((c) => c.fidelity.latency.some((l) => !l.ok)).length;
    out.say(out.chalk.red(`${failing.length} of ${comparisons.length} scenario × router pair(s) failed: ${verdicts} with a different verdict on real sockets for some seed, ${latency} with p50/p99 delivery latency beyond ±${formatTolerance(latencyTolerance)} of sim`));
    return EXIT_FAILED;
  }
  out.say(out.chalk.green(`sim and ws agree on every seed, p50 and p99 within ±${formatTolerance(latencyTolerance)} (${comparisons.length} pair(s) × ${seeds.length} seed(s))`));
  return EXIT_OK;
}
