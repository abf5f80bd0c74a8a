import type { Command } from 'commander';
import { UsageError } from './errors';

/** The update-strategy flags (rolling-update, create-deployment-group) as commander hands them over (strings until parsed). */
export interface UpdateStrategyFlags {
  readonly timeout?: string;
  readonly par?: string;
  readonly migrate?: boolean;
  readonly overlap?: boolean;
  readonly token?: string;
  readonly oldJobToken?: string;
  readonly ignoreFailures?: boolean;
  readonly canary?: string;
  readonly autoPromote?: boolean;
  readonly maxUnavailable?: string;
  readonly failureThreshold?: string;
  readonly minHealthyTime?: string;
  readonly healthyDeadline?: string;
  readonly progressDeadline?: string;
  readonly autoRevert?: boolean;
  readonly stagger?: string;
  readonly prestage?: boolean;
  readonly prestageQuorum?: string;
  readonly healthCheck?: string;
}

/** rolling-update's flags: the strategy plus how the command waits. */
export interface RollingUpdateFlags extends UpdateStrategyFlags {
  readonly async?: boolean;
  readonly rolloutTimeout: string;
  readonly overrideFreeze?: string;
}

/** The gateway's RolloutOptions input: only what the user gave, so the job's and the group's defaults apply to the rest. */
export type RolloutOptions = Record<string, number | string | boolean>;

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds from `30`, `30s`, `1.5m`, `2h` or `500ms`. */
export function parseSeconds(raw: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!match) throw new UsageError(`${flag} "${raw}": expected seconds, or a number with s, m, h or ms`);
  return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
}

export function parseCount(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${flag} "${raw}": expected a whole number`);
  return Number(raw);
}

/** A host count (`2`) or a percentage of the rollout's hosts (`25%`). */
export function parseCountOrPercent(raw: string, flag: string): number | string {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d+(\.\d+)?%$/.test(text)) return text;
  throw new UsageError(`${flag} "${raw}": expected a host count like 2 or a percentage like 25%`);
}

const HEALTH_CHECKS = ['task_states', 'checks', 'manual'];

/** The options to send with rollingUpdate; throws UsageError (exit 2) for malformed values. */
export function rolloutOptionsOf(flags: UpdateStrategyFlags): RolloutOptions {
  const options: RolloutOptions = {};
  const put = (key: string, raw: string | undefined, parse: (raw: string) => number | string) => {
    if (raw !== undefined) options[key] = parse(raw);
  };
  const bool = (key: string, set: boolean | undefined) => {
    if (set === true) options[key] = true;
  };
  put('timeout', flags.timeout, (r) => parseSeconds(r, '--timeout'));
  put('parallelism', flags.par, (r) => parseCount(r, '--par'));
  bool('migrate', flags.migrate);
  bool('overlap', flags.overlap);
  put('token', flags.token, (r) => r);
  put('oldJobToken', flags.oldJobToken, (r) => r);
  bool('ignoreFailures', flags.ignoreFailures);
  put('canary', flags.canary, (r) => parseCount(r, '--canary'));
  bool('autoPromote', flags.autoPromote);
  put('maxUnavailable', flags.maxUnavailable, (r) => parseCountOrPercent(r, '--max-unavailable'));
  put('failureThreshold', flags.failureThreshold, (r) => parseCountOrPercent(r, '--failure-threshold'));
  put('minHealthyTime', flags.minHealthyTime, (r) => parseSeconds(r, '--min-healthy-time'));
  put('healthyDeadline', flags.healthyDeadline, (r) => parseSeconds(r, '--healthy-deadline'));
  put('progressDeadline', flags.progressDeadline, (r) => parseSeconds(r, '--progress-deadline'));
  bool('autoRevert', flags.autoRevert);
  put('stagger', flags.stagger, (r) => parseSeconds(r, '--stagger'));
  bool('prestage', flags.prestage);
  put('prestageQuorum', flags.prestageQuorum, (r) => parseCountOrPercent(r, '--prestage-quorum'));
  put('healthCheck', flags.healthCheck, (r) => {
    if (!HEALTH_CHECKS.includes(r)) throw new UsageError(`--health-check "${r}": expected one of ${HEALTH_CHECKS.join(', ')}`);
    return r;
  });
  return options;
}

/** -T/--rollout-timeout: minutes to wait for the rollout (Helios's default 60) before giving up waiting. */
export function rolloutTimeoutMs(flags: Pick<RollingUpdateFlags, 'rolloutTimeout'>): number {
  return parseSeconds(flags.rolloutTimeout.replace(/^(\d+(?:\.\d+)?)$/, '$1m'), '--rollout-timeout') * 1000;
}

/**
 * The update-strategy flags shared by rolling-update (this rollout) and
 * create-deployment-group (the group's defaults); parsed by rolloutOptionsOf.
 */
export function addUpdateStrategyOptions(command: Command): Command {
  return command
    .option('-t, --timeout <seconds>', 'per host: from its deploy until RUNNING and healthy (default 300)')
    .option('-p, --par <n>', 'hosts per batch (default 1)')
    .option('--overlap', 'deploy the new job before undeploying the old one')
    .option('--ignore-failures', 'carry on past hosts that fail')
    .option('--canary <n>', 'roll out to N canary hosts first, then wait for promote')
    .option('--auto-promote', 'promote once the canaries are healthy')
    .option('--max-unavailable <n|%>', 'never more hosts of the group down at once (counting hosts already down)')
    .option('--failure-threshold <n|%>', 'tolerate this many failed hosts and finish')
    .option('--min-healthy-time <seconds>', 'a host counts once healthy this long')
    .option('--healthy-deadline <seconds>', 'per host: time to become healthy')
    .option('--progress-deadline <seconds>', 'fail the rollout after this long without progress')
    .option('--auto-revert', 'on failure roll back to the last stable job')
    .option('--stagger <seconds>', 'minimum time between batches')
    .option('--prestage', 'pull the image on every host before switching any')
    .option('--prestage-quorum <n|%>', 'hosts that must have the image before the switch')
    .option('--health-check <mode>', 'task_states, checks or manual');
}
