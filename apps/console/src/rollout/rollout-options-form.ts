import { DEFAULT_UPDATE_STRATEGY, HEALTH_CHECK_MODES, type ResolvedRolloutOptions } from '@berth/domain';

export type OptionKind = 'count' | 'seconds' | 'boolean' | 'countOrPercent' | 'text' | 'healthCheck' | 'oldToken';

export interface OptionField {
  readonly name: keyof ResolvedRolloutOptions;
  readonly label: string;
  readonly kind: OptionKind;
  /** what the value means and its unit */
  readonly help: string;
}

/** Every rolling-update option the gateway takes (`RolloutOptions`), in the order the form shows them. */
export const OPTION_FIELDS: readonly OptionField[] = [
  { name: 'parallelism', label: 'Parallelism', kind: 'count', help: 'hosts per batch (Helios --par, Nomad max_parallel)' },
  { name: 'timeout', label: 'Timeout', kind: 'seconds', help: 'seconds per host, from its deploy until healthy' },
  { name: 'canary', label: 'Canaries', kind: 'count', help: 'hosts updated first; the rest waits for Promote (0: no canary)' },
  { name: 'autoPromote', label: 'Auto-promote', kind: 'boolean', help: 'promote as soon as the canaries are healthy' },
  { name: 'healthCheck', label: 'Health check', kind: 'healthCheck', help: 'task_states: RUNNING counts; checks: after the job health check; manual: operator verdicts' },
  { name: 'minHealthyTime', label: 'Min healthy time', kind: 'seconds', help: 'seconds a host must stay RUNNING before it counts' },
  { name: 'healthyDeadline', label: 'Healthy deadline', kind: 'seconds', help: "seconds per host to become healthy (Nomad's name; the earlier of it and timeout wins)" },
  { name: 'progressDeadline', label: 'Progress deadline', kind: 'seconds', help: 'seconds the whole rollout may go without progress before it fails' },
  { name: 'stagger', label: 'Stagger', kind: 'seconds', help: 'minimum seconds between the starts of two batches' },
  { name: 'maxUnavailable', label: 'Max unavailable', kind: 'countOrPercent', help: 'hosts (2) or share ("25%") of the group allowed not RUNNING at once' },
  { name: 'failureThreshold', label: 'Failure threshold', kind: 'countOrPercent', help: 'failed hosts (2) or share ("10%") tolerated before the rollout fails' },
  { name: 'ignoreFailures', label: 'Ignore failures', kind: 'boolean', help: 'carry on past any number of failed hosts' },
  { name: 'autoRevert', label: 'Auto-revert', kind: 'boolean', help: 'on failure, roll back to the last stable job' },
  { name: 'prestage', label: 'Prestage', kind: 'boolean', help: 'every host pulls the image before the first batch' },
  { name: 'prestageQuorum', label: 'Prestage quorum', kind: 'countOrPercent', help: 'hosts (2) or share ("90%") that must have pulled before the switch' },
  { name: 'overlap', label: 'Overlap', kind: 'boolean', help: 'deploy the new job before undeploying the old one' },
  { name: 'migrate', label: 'Migrate', kind: 'boolean', help: 'adopt copies of the job deployed by hand' },
  { name: 'token', label: 'Job token', kind: 'text', help: "the job's token, if it has one" },
  {
    name: 'oldJobToken',
    label: "Old jobs' token",
    kind: 'oldToken',
    help: "the token of the jobs being replaced (undeployed, and deployed again on a revert); empty: the job token above; tick 'none' when they have none",
  },
];

export function defaultText(field: OptionField): string {
  if (field.kind === 'oldToken') return 'the job token';
  const value = DEFAULT_UPDATE_STRATEGY[field.name];
  if (value === null) return 'none';
  if (value === '') return 'none';
  return String(value);
}

export type FormValues = Partial<Record<keyof ResolvedRolloutOptions, string | boolean>>;

export interface ParsedOptions {
  readonly options: Record<string, unknown>;
  /** field name → why its value is not accepted */
  readonly problems: Readonly<Record<string, string>>;
}

/** Only the fields the user set go to the gateway: the job's and the group's defaults apply to the rest. */
export function parseOptionsForm(values: FormValues): ParsedOptions {
  const options: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const field of OPTION_FIELDS) {
    const raw = values[field.name];
    if (raw === undefined || raw === '') continue;
    if (field.kind === 'boolean') {
      if (typeof raw === 'boolean' && raw !== DEFAULT_UPDATE_STRATEGY[field.name]) options[field.name] = raw;
      continue;
    }
    // `true`: 'none' ticked, the old jobs have no token (sent as "", unlike an empty field, which means the job token)
    if (field.kind === 'oldToken' && raw === true) {
      options[field.name] = '';
      continue;
    }
    if (raw === false) continue;
    const text = String(raw).trim();
    if (text === '') continue;
    switch (field.kind) {
      case 'count':
        if (/^\d+$/.test(text)) options[field.name] = Number(text);
        else problems[field.name] = 'a whole number of hosts';
        break;
      case 'seconds':
        if (/^\d+(\.\d+)?$/.test(text)) options[field.name] = Number(text);
        else problems[field.name] = 'a number of seconds';
        break;
      case 'countOrPercent':
        if (/^\d+$/.test(text)) options[field.name] = Number(text);
        else if (/^\d+(\.\d+)?%$/.test(text)) options[field.name] = text;
        else problems[field.name] = 'a host count (2) or a percentage (25%)';
        break;
      case 'healthCheck':
        if ((HEALTH_CHECK_MODES as readonly string[]).includes(text)) options[field.name] = text;
        else problems[field.name] = HEALTH_CHECK_MODES.join(', ');
        break;
      default:
        options[field.name] = text;
    }
  }
  return { options, problems };
}
